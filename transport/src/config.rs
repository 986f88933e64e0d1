//! Certificates and keys from PEM files, and the rustls configurations of
//! the two sides built from them.

use crate::TransportError;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest certificate, key or CA file read: far above any real chain, and
/// a bound on what a wrong path (a log, a disk image) costs to reject.
const MAX_PEM_FILE: u64 = 1 << 20;

/// The crypto provider both sides use: rustls's `ring` back end, TLS 1.3
/// suites only, AES-GCM first (ring runs it on the AES-NI and carry-less
/// multiply units: on the development machine's Xeon it seals 16 KiB
/// records at about 5.3 GB/s with AES-128-GCM against 1.1 GB/s with
/// ChaCha20-Poly1305), ChaCha20-Poly1305 last for a peer without AES units.
/// The server's order wins, so two peers of this project use AES-128-GCM.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    let mut provider = ring::default_provider();
    provider.cipher_suites = vec![
        ring::cipher_suite::TLS13_AES_128_GCM_SHA256,
        ring::cipher_suite::TLS13_AES_256_GCM_SHA384,
        ring::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
    ];
    Arc::new(provider)
}

/// One side's TLS material: its certificate chain and private key, and the
/// CA that the peer's certificate must chain to. Loaded from the PEM files
/// of `--tls-cert`, `--tls-key` and `--tls-ca`.
#[derive(Clone)]
pub struct TlsConfig {
    cert_chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
    roots: Arc<RootCertStore>,
    ca_path: PathBuf,
    cert_path: PathBuf,
    key_path: PathBuf,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of Debug output.
        f.debug_struct("TlsConfig")
            .field("cert", &self.cert_path)
            .field("key", &self.key_path)
            .field("ca", &self.ca_path)
            .field("chain_len", &self.cert_chain.len())
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Loads the certificate chain (our certificate first, then any
    /// intermediates), the private key (PKCS#8, SEC1 or PKCS#1) and the CA
    /// certificates (one or more) from PEM files. Each error names the file
    /// and says what is wrong with it.
    pub fn load(cert: &Path, key: &Path, ca: &Path) -> Result<TlsConfig, TransportError> {
        let cert_pem = read_pem_file(cert)?;
        let key_pem = read_pem_file(key)?;
        let ca_pem = read_pem_file(ca)?;
        let config = TlsConfig::from_pem(&cert_pem, &key_pem, &ca_pem, cert, key, ca)?;
        // Checked here so that a key that does not belong to the certificate
        // is an error at start-up, naming both files.
        config.server_config()?;
        Ok(config)
    }

    /// Like [`TlsConfig::load`], from PEM text already in memory; the paths
    /// only name the sources in errors.
    pub fn from_pem(
        cert_pem: &[u8],
        key_pem: &[u8],
        ca_pem: &[u8],
        cert_path: &Path,
        key_path: &Path,
        ca_path: &Path,
    ) -> Result<TlsConfig, TransportError> {
        let cert_chain = parse_certificates(cert_pem, cert_path)?;
        let key = parse_key(key_pem, key_path)?;
        let ca_certs = parse_certificates(ca_pem, ca_path)?;
        let mut roots = RootCertStore::empty();
        for c in ca_certs {
            roots.add(c).map_err(|e| TransportError::File {
                path: ca_path.to_path_buf(),
                what: format!("not a usable CA certificate: {e}"),
            })?;
        }
        Ok(TlsConfig {
            cert_chain,
            key: Arc::new(key),
            roots: Arc::new(roots),
            ca_path: ca_path.to_path_buf(),
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
        })
    }

    /// The CA file the peer's certificate must chain to.
    pub fn ca_path(&self) -> &Path {
        &self.ca_path
    }

    /// Our own identity, read from our certificate the same way the peer
    /// reads it (see [`crate::PeerIdentity`]).
    pub fn identity(&self) -> Result<crate::PeerIdentity, TransportError> {
        crate::PeerIdentity::from_certificate(&self.cert_chain[0])
    }

    fn key_mismatch(&self, e: rustls::Error) -> TransportError {
        match e {
            rustls::Error::InconsistentKeys(_) => TransportError::Config(format!(
                "the key in {} does not belong to the certificate in {}",
                self.key_path.display(),
                self.cert_path.display()
            )),
            e => TransportError::Config(format!(
                "{} with {}: {e}",
                self.cert_path.display(),
                self.key_path.display()
            )),
        }
    }

    /// The server side's (garbler's) rustls configuration: TLS 1.3 only, a
    /// client certificate chaining to the CA required, no session tickets
    /// (every connection is a full handshake, authenticated anew).
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TransportError> {
        let provider = crypto_provider();
        let verifier =
            WebPkiClientVerifier::builder_with_provider(self.roots.clone(), provider.clone())
                .build()
                .map_err(|e| TransportError::Config(format!("client verifier: {e}")))?;
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| TransportError::Config(e.to_string()))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(self.cert_chain.clone(), self.key.clone_key())
            .map_err(|e| self.key_mismatch(e))?;
        config.ignore_client_order = true;
        config.send_tls13_tickets = 0;
        Ok(Arc::new(config))
    }

    /// The client side's (evaluator's) rustls configuration: TLS 1.3 only,
    /// the server certificate checked against the CA and the server name,
    /// our certificate sent for client authentication, no resumption.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TransportError> {
        let mut config = ClientConfig::builder_with_provider(crypto_provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| TransportError::Config(e.to_string()))?
            .with_root_certificates(self.roots.clone())
            .with_client_auth_cert(self.cert_chain.clone(), self.key.clone_key())
            .map_err(|e| self.key_mismatch(e))?;
        config.resumption = rustls::client::Resumption::disabled();
        Ok(Arc::new(config))
    }

    /// The garbler's side: accepts TLS connections with this material.
    pub fn acceptor(&self) -> Result<crate::TlsAcceptor, TransportError> {
        Ok(crate::TlsAcceptor::new(
            self.server_config()?,
            self.ca_path.clone(),
        ))
    }

    /// The evaluator's side: opens TLS connections with this material.
    pub fn connector(&self) -> Result<crate::TlsConnector, TransportError> {
        Ok(crate::TlsConnector::new(
            self.client_config()?,
            self.ca_path.clone(),
        ))
    }
}

/// Reads a PEM file, bounded in size, with an error that names it.
fn read_pem_file(path: &Path) -> Result<Vec<u8>, TransportError> {
    let file_error = |what: String| TransportError::File {
        path: path.to_path_buf(),
        what,
    };
    let file = std::fs::File::open(path).map_err(|e| file_error(format!("cannot open: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| file_error(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_PEM_FILE {
        return Err(file_error(format!(
            "larger than {} KiB: not a PEM certificate or key file",
            MAX_PEM_FILE >> 10
        )));
    }
    Ok(bytes)
}

fn bad_pem(path: &Path, e: pem::Error) -> TransportError {
    let what = match e {
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "bad PEM: a section has no end line {:?}",
            String::from_utf8_lossy(&end_marker)
        ),
        pem::Error::IllegalSectionStart { .. } => "bad PEM: a malformed BEGIN line".to_string(),
        pem::Error::Base64Decode(e) => format!("bad PEM: invalid base64 ({e})"),
        pem::Error::SectionTooLarge => "bad PEM: a section is too large".to_string(),
        other => format!("bad PEM: {other}"),
    };
    TransportError::File {
        path: path.to_path_buf(),
        what,
    }
}

fn parse_certificates(
    pem_text: &[u8],
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let certs = CertificateDer::pem_slice_iter(pem_text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_pem(path, e))?;
    if certs.is_empty() {
        return Err(TransportError::File {
            path: path.to_path_buf(),
            what: "no certificate in it (expected a PEM block \"BEGIN CERTIFICATE\")".to_string(),
        });
    }
    Ok(certs)
}

fn parse_key(pem_text: &[u8], path: &Path) -> Result<PrivateKeyDer<'static>, TransportError> {
    PrivateKeyDer::from_pem_slice(pem_text).map_err(|e| match e {
        pem::Error::NoItemsFound => TransportError::File {
            path: path.to_path_buf(),
            what: "no private key in it (expected a PEM block \"BEGIN PRIVATE KEY\", \
                   \"BEGIN EC PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\")"
                .to_string(),
        },
        e => bad_pem(path, e),
    })
}

/// The host part of a `HOST:PORT` address (`[V6]:PORT` too), which is the
/// name the server's certificate is checked against unless another is
/// given: a DNS name must be among the certificate's DNS names, an IP
/// address among its IP addresses.
pub fn host_of(addr: &str) -> &str {
    if let Some(rest) = addr.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            return &rest[..end];
        }
    }
    match addr.rsplit_once(':') {
        // More than one colon without brackets: a bare IPv6 address.
        Some((host, _)) if !host.contains(':') => host,
        _ => addr,
    }
}

/// Checks that `name` can be a TLS server name.
pub(crate) fn server_name(name: &str) -> Result<ServerName<'static>, TransportError> {
    ServerName::try_from(name.to_string()).map_err(|_| TransportError::ServerName {
        name: name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_addresses() {
        assert_eq!(host_of("localhost:7000"), "localhost");
        assert_eq!(host_of("10.0.0.2:7000"), "10.0.0.2");
        assert_eq!(host_of("[::1]:7000"), "::1");
        assert_eq!(host_of("::1"), "::1");
        assert_eq!(host_of("garbler.example"), "garbler.example");
    }

    #[test]
    fn pem_errors_name_the_file_and_the_fault() {
        let p = Path::new("x.pem");
        let e = parse_certificates(b"hello", p).unwrap_err().to_string();
        assert_eq!(
            e,
            "x.pem: no certificate in it (expected a PEM block \"BEGIN CERTIFICATE\")"
        );
        let e = parse_certificates(b"-----BEGIN CERTIFICATE-----\nAAAA\n", p)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("x.pem: bad PEM: a section has no end line"),
            "{e}"
        );
        let e = parse_certificates(
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("x.pem: bad PEM: invalid base64"), "{e}");
        let e = parse_key(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("x.pem: no private key in it"), "{e}");
    }

    #[test]
    fn server_names() {
        assert!(server_name("localhost").is_ok());
        assert!(server_name("127.0.0.1").is_ok());
        assert!(server_name("::1").is_ok());
        let e = server_name("not a name").unwrap_err().to_string();
        assert!(e.contains("not a valid TLS server name"), "{e}");
    }
}
