//! The link between garbler and evaluator: plain TCP, or TLS 1.3 with
//! mutual authentication.
//!
//! The sessions of the `garbler` and `evaluator` crates run over any
//! `Read + Write`; this crate makes the one they run over. With TLS
//! ([`rustls`], `ring` provider, TLS 1.3 only, AES-GCM first) both sides
//! present a certificate that must chain to the CA they were given
//! (`--tls-cert`, `--tls-key`, `--tls-ca`), the handshake completes before
//! [`ServerSecurity::accept`] or [`ClientSecurity::connect`] returns, and a
//! failure says what happened on both sides ("the peer's certificate does
//! not chain to the CA in ca.pem", "the peer refused our certificate: ...").
//! The established [`Link`] gives the peer's [`PeerIdentity`] and a
//! [`TlsLink::channel_binding`] for the session transcript. Plain TCP
//! ([`ServerSecurity::InsecurePlaintext`]) is for local experiments.
//!
//! [`certs`] makes development certificates (`mpcc certs DIR`); [`cli`]
//! holds the binaries' `--tls-*`, `--insecure-plaintext` and `--allow`
//! options.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::{TcpListener, TcpStream};
//! use std::path::Path;
//! use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
//! use transport::{ClientSecurity, ServerSecurity, TlsConfig};
//!
//! let ca = CertificateAuthority::generate("example CA", Validity::days(1))?;
//! let issue = |identity: &str, names: &[&str], usage| {
//!     let c = ca.issue(&CertificateSpec {
//!         identity: identity.into(),
//!         names: names.iter().map(|n| n.to_string()).collect(),
//!         usage,
//!         validity: Validity::days(1),
//!     })?;
//!     TlsConfig::from_pem(
//!         c.certificate_pem.as_bytes(),
//!         c.key_pem().as_bytes(),
//!         ca.certificate_pem().as_bytes(),
//!         Path::new("cert.pem"),
//!         Path::new("key.pem"),
//!         Path::new("ca.pem"),
//!     )
//! };
//! let garbler = ServerSecurity::Tls(issue("garbler", &["localhost"], Usage::Server)?.acceptor()?);
//! let evaluator = ClientSecurity::Tls(issue("alice", &[], Usage::Client)?.connector()?);
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let server = std::thread::spawn(move || -> Result<String, transport::TransportError> {
//!     let (stream, _) = listener.accept().map_err(transport::TransportError::Io)?;
//!     let mut link = garbler.accept(stream, protocol::Limits::default())?;
//!     link.write_all(b"hello").map_err(transport::TransportError::Io)?;
//!     link.close().map_err(transport::TransportError::Io)?;
//!     Ok(link.peer_identity().unwrap().to_string())
//! });
//! let stream = TcpStream::connect(addr)?;
//! let mut link = evaluator.connect(stream, "localhost", protocol::Limits::default())?;
//! let mut got = String::new();
//! link.read_to_string(&mut got)?;
//! assert_eq!(got, "hello");
//! assert_eq!(link.peer_identity().unwrap().name(), "garbler");
//! assert_eq!(server.join().unwrap()?, "alice");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod certs;
pub mod cli;
mod config;
mod error;
mod identity;
mod io;
mod link;
mod tls;

pub use config::{crypto_provider, host_of, TlsConfig};
pub use error::TransportError;
pub use identity::PeerIdentity;
pub use link::{configure_socket, ClientSecurity, Link, PlainLink, ServerSecurity};
pub use tls::{TlsAcceptor, TlsConnector, TlsLink};

/// The TLS library, for callers that build their own configuration
/// ([`TlsAcceptor::new`], [`TlsConnector::new`]).
pub use rustls;
