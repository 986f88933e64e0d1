//! The crate's one error type.

use std::path::PathBuf;

/// What went wrong while loading certificates, connecting, accepting or
/// generating certificates. Messages say what happened in words a user can
/// act on; none carries a key or any session secret.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// A certificate or key file could not be used.
    #[error("{}: {what}", path.display())]
    File {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// The key does not belong to the certificate, or rustls refused the
    /// configuration.
    #[error("TLS configuration: {0}")]
    Config(String),
    /// The name the server's certificate is checked against is not a DNS
    /// name or an IP address.
    #[error("{name:?} is not a valid TLS server name (a DNS name or an IP address)")]
    ServerName {
        /// The name given.
        name: String,
    },
    /// The peer's certificate does not chain to our CA.
    #[error("the peer's certificate does not chain to the CA in {}", ca.display())]
    UnknownIssuer {
        /// The CA file we trust.
        ca: PathBuf,
    },
    /// The peer's certificate is past its end of validity.
    #[error("the peer's certificate has expired{}", ended.as_ref().map(|d| format!(" (on {d})")).unwrap_or_default())]
    Expired {
        /// When it ended (UTC), if rustls reported it.
        ended: Option<String>,
    },
    /// The peer's certificate is not valid yet.
    #[error("the peer's certificate is not valid yet (check the clocks)")]
    NotValidYet,
    /// The server's certificate does not name the host we connected to.
    #[error(
        "the peer's certificate is not valid for {expected:?}{}",
        presented_names(presented)
    )]
    WrongName {
        /// The server name we checked.
        expected: String,
        /// The names the certificate holds, if rustls reported them.
        presented: Vec<String>,
    },
    /// Any other reason for which we refused the peer's certificate.
    #[error("the peer's certificate was refused: {0}")]
    BadCertificate(String),
    /// A client connected without a certificate.
    #[error("the peer sent no client certificate")]
    NoClientCertificate,
    /// The peer's first bytes are not TLS records.
    #[error(
        "the peer does not speak TLS (a plaintext peer? give both sides --tls-cert, --tls-key \
         and --tls-ca, or both --insecure-plaintext)"
    )]
    NotTls,
    /// A plaintext link received a TLS record: the peer runs TLS.
    #[error(
        "the peer speaks TLS but this side runs in plaintext: give both sides --tls-cert, \
         --tls-key and --tls-ca, or both --insecure-plaintext"
    )]
    PeerSpeaksTls,
    /// The peer refused the certificate we sent.
    #[error("the peer refused our certificate: {0}")]
    PeerRefusedCertificate(String),
    /// The peer ended the handshake with an alert for another reason.
    #[error("the peer ended the TLS handshake: {0}")]
    PeerAlert(String),
    /// The peer closed the connection before the handshake completed.
    #[error("the peer closed the connection during the TLS handshake")]
    Closed,
    /// The handshake did not complete within the peer timeout.
    #[error("the TLS handshake timed out after {}", seconds(*after))]
    Timeout {
        /// The timeout.
        after: std::time::Duration,
    },
    /// The handshake failed for a reason not listed above.
    #[error("TLS handshake failed: {0}")]
    Tls(rustls::Error),
    /// A socket error during the handshake.
    #[error("I/O error during the TLS handshake: {0}")]
    Io(std::io::Error),
    /// The peer's identity is not on the list of those allowed.
    #[error("the peer {identity:?} is not allowed to connect (allowed: {})", allowed.join(", "))]
    NotAllowed {
        /// The peer's identity.
        identity: String,
        /// The identities allowed.
        allowed: Vec<String>,
    },
    /// The server completed the handshake but refused the connection.
    #[error("the peer refused the connection: {0}")]
    Refused(String),
    /// The peer's certificate names no identity.
    #[error("the peer's certificate has no subject common name and no DNS name")]
    NoIdentity,
    /// No TCP connection to the address.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// A certificate could not be generated.
    #[error("certificate generation: {0}")]
    Generate(String),
    /// A generated file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn presented_names(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(" (it names {})", names.join(", "))
    }
}

fn seconds(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs())
    }
}
