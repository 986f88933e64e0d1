//! Development certificates: a CA of one's own, a garbler (server)
//! certificate and an evaluator (client) certificate, so that two machines
//! can run a TLS session in a few commands (`mpcc certs DIR`).
//!
//! Keys are ECDSA P-256, signed with ring. Key files are written with mode
//! 0600; no file is overwritten. These are for development and tests: a
//! deployment's certificates come from the operators' own CA.

use crate::TransportError;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Longest validity accepted, in days (a hundred years).
pub const MAX_DAYS: u32 = 36_500;

/// Longest identity: the X.509 upper bound of a common name.
const MAX_IDENTITY: usize = 64;

/// When a certificate is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
}

impl Validity {
    /// From an hour ago (for clocks slightly behind) to `days` days from now.
    pub fn days(days: u32) -> Validity {
        let now = SystemTime::now();
        Validity {
            not_before: now - Duration::from_secs(3600),
            not_after: now + Duration::from_secs(86_400 * u64::from(days)),
        }
    }
}

/// What a certificate is for: its extended key usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// A TLS server (the garbler).
    Server,
    /// A TLS client (the evaluator).
    Client,
}

/// An end-entity certificate to issue.
#[derive(Clone, Debug)]
pub struct CertificateSpec {
    /// The identity: the subject common name, which the peer reads as
    /// [`crate::PeerIdentity`].
    pub identity: String,
    /// subjectAltNames: DNS names and IP addresses (the names a client may
    /// reach a server by).
    pub names: Vec<String>,
    /// Server or client.
    pub usage: Usage,
    /// When it is valid.
    pub validity: Validity,
}

/// A certificate and its private key, as PEM.
#[derive(Clone)]
pub struct IssuedCertificate {
    /// The certificate.
    pub certificate_pem: String,
    key_pem: String,
}

impl std::fmt::Debug for IssuedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCertificate")
            .field("certificate_pem", &self.certificate_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

impl IssuedCertificate {
    /// The private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Writes `STEM.pem` (the certificate) and `STEM.key` (the key, mode
    /// 0600) into `dir`, refusing to overwrite either. Returns their paths.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<(PathBuf, PathBuf), TransportError> {
        let cert = dir.join(format!("{stem}.pem"));
        let key = dir.join(format!("{stem}.key"));
        refuse_existing(&[&cert, &key])?;
        write_new(&cert, self.certificate_pem.as_bytes(), false)?;
        write_new(&key, self.key_pem.as_bytes(), true)?;
        Ok((cert, key))
    }
}

/// A certificate authority that signs end-entity certificates.
pub struct CertificateAuthority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .finish_non_exhaustive()
    }
}

fn generate_error(e: rcgen::Error) -> TransportError {
    TransportError::Generate(e.to_string())
}

impl CertificateAuthority {
    /// A new self-signed CA named `name` (its common name), which may sign
    /// end-entity certificates only (path length 0).
    pub fn generate(
        name: &str,
        validity: Validity,
    ) -> Result<CertificateAuthority, TransportError> {
        check_identity(name)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = common_name(name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, validity)?;
        let key = KeyPair::generate().map_err(generate_error)?;
        let issuer = CertifiedIssuer::self_signed(params, key).map_err(generate_error)?;
        Ok(CertificateAuthority { issuer })
    }

    /// The CA certificate, PEM (what `--tls-ca` reads).
    pub fn certificate_pem(&self) -> String {
        self.issuer.pem()
    }

    /// The CA's private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        self.issuer.key().serialize_pem()
    }

    /// Issues an end-entity certificate with a fresh key.
    pub fn issue(&self, spec: &CertificateSpec) -> Result<IssuedCertificate, TransportError> {
        check_identity(&spec.identity)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = common_name(&spec.identity);
        params.subject_alt_names = spec
            .names
            .iter()
            .map(|n| san(n))
            .collect::<Result<_, _>>()?;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![match spec.usage {
            Usage::Server => ExtendedKeyUsagePurpose::ServerAuth,
            Usage::Client => ExtendedKeyUsagePurpose::ClientAuth,
        }];
        params.use_authority_key_identifier_extension = true;
        set_validity(&mut params, spec.validity)?;
        let key = KeyPair::generate().map_err(generate_error)?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(generate_error)?;
        Ok(IssuedCertificate {
            certificate_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

/// What [`write_dev_certificates`] makes.
#[derive(Clone, Debug)]
pub struct DevCertificates {
    /// The names the garbler is reached by (DNS names or IP addresses);
    /// each becomes a subjectAltName of its certificate.
    pub garbler_names: Vec<String>,
    /// The garbler's identity (common name).
    pub garbler_identity: String,
    /// The evaluator's identity (common name), what `--allow` lists.
    pub evaluator_identity: String,
    /// Validity in days from now.
    pub days: u32,
}

impl Default for DevCertificates {
    fn default() -> DevCertificates {
        DevCertificates {
            garbler_names: vec!["localhost".into(), "127.0.0.1".into()],
            garbler_identity: "garbler".into(),
            evaluator_identity: "evaluator".into(),
            days: 365,
        }
    }
}

/// The files [`write_dev_certificates`] wrote.
#[derive(Clone, Debug)]
pub struct DevCertificateFiles {
    /// `ca.pem`: give it to both sides as `--tls-ca`.
    pub ca_cert: PathBuf,
    /// `ca.key`: keep it to issue more certificates, or delete it.
    pub ca_key: PathBuf,
    /// `garbler.pem`.
    pub garbler_cert: PathBuf,
    /// `garbler.key`.
    pub garbler_key: PathBuf,
    /// `evaluator.pem`.
    pub evaluator_cert: PathBuf,
    /// `evaluator.key`.
    pub evaluator_key: PathBuf,
}

/// Writes a development CA (`ca.pem`, `ca.key`), a garbler certificate
/// (`garbler.pem`, `garbler.key`) and an evaluator certificate
/// (`evaluator.pem`, `evaluator.key`) into `dir`, creating it if needed.
/// Fails, writing nothing, if any of the six files exists.
pub fn write_dev_certificates(
    dir: &Path,
    spec: &DevCertificates,
) -> Result<DevCertificateFiles, TransportError> {
    if spec.days == 0 || spec.days > MAX_DAYS {
        return Err(TransportError::Generate(format!(
            "a validity of {} days is not between 1 and {MAX_DAYS}",
            spec.days
        )));
    }
    if spec.garbler_names.is_empty() {
        return Err(TransportError::Generate(
            "the garbler certificate needs at least one name (DNS name or IP address)".into(),
        ));
    }
    let files = DevCertificateFiles {
        ca_cert: dir.join("ca.pem"),
        ca_key: dir.join("ca.key"),
        garbler_cert: dir.join("garbler.pem"),
        garbler_key: dir.join("garbler.key"),
        evaluator_cert: dir.join("evaluator.pem"),
        evaluator_key: dir.join("evaluator.key"),
    };
    refuse_existing(&[
        &files.ca_cert,
        &files.ca_key,
        &files.garbler_cert,
        &files.garbler_key,
        &files.evaluator_cert,
        &files.evaluator_key,
    ])?;
    let validity = Validity::days(spec.days);
    let ca = CertificateAuthority::generate("mpcc development CA", validity)?;
    let garbler = ca.issue(&CertificateSpec {
        identity: spec.garbler_identity.clone(),
        names: spec.garbler_names.clone(),
        usage: Usage::Server,
        validity,
    })?;
    let evaluator = ca.issue(&CertificateSpec {
        identity: spec.evaluator_identity.clone(),
        names: Vec::new(),
        usage: Usage::Client,
        validity,
    })?;
    std::fs::create_dir_all(dir).map_err(|source| TransportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    write_new(&files.ca_cert, ca.certificate_pem().as_bytes(), false)?;
    write_new(&files.ca_key, ca.key_pem().as_bytes(), true)?;
    garbler.write(dir, "garbler")?;
    evaluator.write(dir, "evaluator")?;
    Ok(files)
}

fn common_name(name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn
}

fn check_identity(name: &str) -> Result<(), TransportError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_IDENTITY
        && name.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if ok {
        Ok(())
    } else {
        Err(TransportError::Generate(format!(
            "identity {name:?} is not 1 to {MAX_IDENTITY} printable ASCII characters"
        )))
    }
}

/// A subjectAltName: an IP address, else a DNS name as TLS clients accept
/// them.
fn san(name: &str) -> Result<SanType, TransportError> {
    if let Ok(ip) = name.parse::<std::net::IpAddr>() {
        return Ok(SanType::IpAddress(ip));
    }
    let invalid = || {
        TransportError::Generate(format!(
            "{name:?} is neither an IP address nor a valid DNS name"
        ))
    };
    crate::config::server_name(name).map_err(|_| invalid())?;
    Ok(SanType::DnsName(name.try_into().map_err(|_| invalid())?))
}

fn set_validity(params: &mut CertificateParams, v: Validity) -> Result<(), TransportError> {
    if v.not_after <= v.not_before {
        return Err(TransportError::Generate(
            "the validity ends before it starts".into(),
        ));
    }
    params.not_before = v.not_before.into();
    params.not_after = v.not_after.into();
    Ok(())
}

fn refuse_existing(paths: &[&PathBuf]) -> Result<(), TransportError> {
    for p in paths {
        if p.exists() {
            return Err(TransportError::Write {
                path: p.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "it exists already; remove it or choose another directory",
                ),
            });
        }
    }
    Ok(())
}

/// Creates `path` (never overwriting); a key file is readable by its owner
/// only.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), TransportError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let error = |source| TransportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = options.open(path).map_err(error)?;
    file.write_all(bytes).map_err(error)?;
    file.sync_all().map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_names_and_validities_are_refused() {
        let ca = CertificateAuthority::generate("test CA", Validity::days(1)).unwrap();
        let spec = |identity: &str, names: &[&str]| CertificateSpec {
            identity: identity.into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            usage: Usage::Server,
            validity: Validity::days(1),
        };
        let e = ca
            .issue(&spec("g", &["not a host"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("neither an IP address nor a valid DNS name"),
            "{e}"
        );
        let e = ca.issue(&spec("", &["localhost"])).unwrap_err().to_string();
        assert!(e.contains("is not 1 to 64 printable"), "{e}");
        let e = ca.issue(&spec("a\nb", &[])).unwrap_err().to_string();
        assert!(e.contains("is not 1 to 64 printable"), "{e}");
        let mut backwards = spec("g", &[]);
        backwards.validity = Validity {
            not_before: backwards.validity.not_after,
            not_after: backwards.validity.not_before,
        };
        let e = ca.issue(&backwards).unwrap_err().to_string();
        assert!(e.contains("ends before it starts"), "{e}");
        assert!(ca.issue(&spec("g", &["::1", "garbler.example"])).is_ok());
    }
}
