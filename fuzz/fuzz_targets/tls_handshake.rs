//! A peer that answers the TLS handshake with arbitrary bytes, on either
//! side: never a panic, never a hang (the peer hangs up when its bytes run
//! out, so every handshake ends), and never an admitted link, since the
//! fuzzer cannot forge a certificate signed by the CA.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::Peer;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;
use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
use transport::{TlsAcceptor, TlsConfig, TlsConnector};

/// A CA and one certificate for each side, made once.
fn sides() -> &'static (TlsAcceptor, TlsConnector) {
    static SIDES: OnceLock<(TlsAcceptor, TlsConnector)> = OnceLock::new();
    SIDES.get_or_init(|| {
        let validity = Validity::days(1);
        let ca = CertificateAuthority::generate("fuzz CA", validity).expect("CA");
        let issue = |identity: &str, usage| {
            let cert = ca
                .issue(&CertificateSpec {
                    identity: identity.into(),
                    names: vec!["localhost".into()],
                    usage,
                    validity,
                })
                .expect("certificate");
            TlsConfig::from_pem(
                cert.certificate_pem.as_bytes(),
                cert.key_pem().as_bytes(),
                ca.certificate_pem().as_bytes(),
                Path::new("cert.pem"),
                Path::new("key.pem"),
                Path::new("ca.pem"),
            )
            .expect("config")
        };
        let server = issue("garbler", Usage::Server).acceptor().expect("acceptor");
        let client = issue("evaluator", Usage::Client)
            .connector()
            .expect("connector");
        (server, client)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&side, bytes)) = data.split_first() else {
        return;
    };
    let (server, client) = sides();
    let timeout = Duration::from_secs(5);
    if side & 1 == 0 {
        assert!(server.accept(Peer::new(bytes), timeout).is_err());
    } else {
        assert!(client
            .connect(Peer::new(bytes), "localhost", timeout)
            .is_err());
    }
});
