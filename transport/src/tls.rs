//! TLS 1.3 over a connected stream: the handshake, done eagerly and bounded
//! by the peer timeout, the admission step, and the established link.
//!
//! After the handshake the server (the garbler) sends one admission
//! message inside TLS: byte 1 (admitted), or byte 0, a length byte and the
//! reason (refused, for instance by `--allow`). The client (the evaluator)
//! waits for it before its connect returns, which also makes the client
//! learn at connect time that the server refused its certificate: in TLS
//! 1.3 the client's handshake ends before the server has checked it.

use crate::io::SocketIo;
use crate::{PeerIdentity, TransportError};
use rustls::{AlertDescription, CertificateError, ClientConnection, Connection, ServerConnection};
use std::io::{ErrorKind, IoSlice, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The exporter label of the channel binding (RFC 8446 sec. 7.5).
const BINDING_LABEL: &[u8] = b"EXPORTER-mpcc-channel-binding-v1";

const ADMITTED: u8 = 1;
const REFUSED: u8 = 0;

/// The garbler's side of TLS: accepts connections whose client certificate
/// chains to the CA, optionally only from some identities.
#[derive(Clone)]
pub struct TlsAcceptor {
    config: Arc<rustls::ServerConfig>,
    ca_path: PathBuf,
    allowed: Vec<String>,
}

/// The evaluator's side of TLS: connects to a server whose certificate
/// chains to the CA and names the server.
#[derive(Clone)]
pub struct TlsConnector {
    config: Arc<rustls::ClientConfig>,
    ca_path: PathBuf,
    server_name: Option<String>,
}

/// An established TLS 1.3 link: `Read + Write` of the application bytes,
/// with the peer's verified identity and the channel binding.
///
/// [`TlsLink::close`] sends TLS's `close_notify`; a link dropped without it
/// ends as a bare TCP close, which the peer reads as an unexpected end of
/// stream (the session protocol's own `Bye` marks a complete session).
pub struct TlsLink<S> {
    conn: Connection,
    io: SocketIo<S>,
    peer: PeerIdentity,
    binding: [u8; 32],
}

impl<S> std::fmt::Debug for TlsLink<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No traffic secrets, no binding: only who and how.
        f.debug_struct("TlsLink")
            .field("peer", &self.peer.name())
            .field("cipher_suite", &self.cipher_suite())
            .finish_non_exhaustive()
    }
}

impl TlsAcceptor {
    /// An acceptor with a rustls server configuration of your own (see
    /// [`crate::TlsConfig::server_config`] for the one this crate builds);
    /// `ca_path` names the trusted CA in errors.
    pub fn new(config: Arc<rustls::ServerConfig>, ca_path: PathBuf) -> TlsAcceptor {
        TlsAcceptor {
            config,
            ca_path,
            allowed: Vec::new(),
        }
    }

    /// Admits only peers whose identity is one of `identities` (all peers
    /// with a valid certificate when empty, the default).
    pub fn allow(mut self, identities: Vec<String>) -> TlsAcceptor {
        self.allowed = identities;
        self
    }

    /// The identities admitted (empty: all).
    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }

    /// Runs the server side of the handshake on `stream` and admits the
    /// client, or says why not. Takes at most about `timeout` (a read
    /// started just before the deadline may add one socket read timeout).
    pub fn accept<S: Read + Write>(
        &self,
        stream: S,
        timeout: Duration,
    ) -> Result<TlsLink<S>, TransportError> {
        self.accept_or_return(stream, timeout).map_err(|(e, _)| e)
    }

    /// Like [`TlsAcceptor::accept`]; a failure gives the stream back, so
    /// that the caller can close it gracefully.
    pub(crate) fn accept_or_return<S: Read + Write>(
        &self,
        stream: S,
        timeout: Duration,
    ) -> Result<TlsLink<S>, (TransportError, S)> {
        let conn = match ServerConnection::new(self.config.clone()) {
            Ok(c) => Connection::Server(c),
            Err(e) => return Err((TransportError::Tls(e), stream)),
        };
        let mut pending = Pending::new(conn, stream, timeout);
        match pending.server_side(self) {
            Ok(done) => Ok(pending.into_link(done)),
            Err(e) => Err((e, pending.io.into_inner())),
        }
    }
}

impl TlsConnector {
    /// A connector with a rustls client configuration of your own (see
    /// [`crate::TlsConfig::client_config`]); `ca_path` names the trusted CA
    /// in errors.
    pub fn new(config: Arc<rustls::ClientConfig>, ca_path: PathBuf) -> TlsConnector {
        TlsConnector {
            config,
            ca_path,
            server_name: None,
        }
    }

    /// Checks the server's certificate against `name` instead of the host
    /// of the address connected to (for a garbler reached through an
    /// address its certificate does not name).
    pub fn server_name(mut self, name: String) -> Result<TlsConnector, TransportError> {
        crate::config::server_name(&name)?;
        self.server_name = Some(name);
        Ok(self)
    }

    /// The name the server's certificate is checked against when
    /// connecting to `host`: the override if one was set, else `host`.
    pub fn name_for<'a>(&'a self, host: &'a str) -> &'a str {
        self.server_name.as_deref().unwrap_or(host)
    }

    /// Runs the client side of the handshake on `stream`, checking the
    /// server's certificate against [`TlsConnector::name_for`] `host`, and
    /// waits to be admitted. Takes at most about `timeout`.
    pub fn connect<S: Read + Write>(
        &self,
        stream: S,
        host: &str,
        timeout: Duration,
    ) -> Result<TlsLink<S>, TransportError> {
        self.connect_or_return(stream, host, timeout)
            .map_err(|(e, _)| e)
    }

    /// Like [`TlsConnector::connect`]; a failure gives the stream back.
    pub(crate) fn connect_or_return<S: Read + Write>(
        &self,
        stream: S,
        host: &str,
        timeout: Duration,
    ) -> Result<TlsLink<S>, (TransportError, S)> {
        let name = self.name_for(host).to_string();
        let conn = match crate::config::server_name(&name).and_then(|n| {
            ClientConnection::new(self.config.clone(), n).map_err(TransportError::Tls)
        }) {
            Ok(c) => Connection::Client(c),
            Err(e) => return Err((e, stream)),
        };
        let mut pending = Pending::new(conn, stream, timeout);
        match pending.client_side(&self.ca_path, &name) {
            Ok(done) => Ok(pending.into_link(done)),
            Err(e) => Err((e, pending.io.into_inner())),
        }
    }
}

/// A connection whose handshake is under way.
struct Pending<S> {
    conn: Connection,
    io: SocketIo<S>,
    timeout: Duration,
}

impl<S: Read + Write> Pending<S> {
    fn new(conn: Connection, stream: S, timeout: Duration) -> Pending<S> {
        let mut io = SocketIo::new(stream);
        io.deadline = Some(Instant::now() + timeout);
        Pending { conn, io, timeout }
    }

    /// The link, once [`Pending::server_side`] or [`Pending::client_side`]
    /// succeeded: the deadline lifted.
    fn into_link(mut self, (peer, binding): (PeerIdentity, [u8; 32])) -> TlsLink<S> {
        self.io.deadline = None;
        TlsLink {
            conn: self.conn,
            io: self.io,
            peer,
            binding,
        }
    }

    /// The handshake, then the admission step (see the module docs).
    fn server_side(
        &mut self,
        acceptor: &TlsAcceptor,
    ) -> Result<(PeerIdentity, [u8; 32]), TransportError> {
        drive_handshake(&mut self.conn, &mut self.io)
            .map_err(|e| self.explain(e, &acceptor.ca_path, None))?;
        let (peer, binding) = self.identify()?;
        if !acceptor.allowed.is_empty() && !peer.is_one_of(&acceptor.allowed) {
            let reason = format!("its identity {:?} is not allowed", peer.name());
            let reason = &reason.as_bytes()[..reason.len().min(255)];
            let mut msg = vec![REFUSED, reason.len() as u8];
            msg.extend_from_slice(reason);
            // The refusal is the error either way; a failure to deliver
            // it adds nothing.
            let _ = write_all(&mut self.conn, &mut self.io, &msg);
            self.conn.send_close_notify();
            let _ = write_pending(&mut self.conn, &mut self.io).and_then(|()| self.io.flush());
            return Err(TransportError::NotAllowed {
                identity: peer.name().to_string(),
                allowed: acceptor.allowed.clone(),
            });
        }
        write_all(&mut self.conn, &mut self.io, &[ADMITTED]).map_err(TransportError::Io)?;
        Ok((peer, binding))
    }

    /// The handshake, then the server's verdict.
    fn client_side(
        &mut self,
        ca_path: &std::path::Path,
        name: &str,
    ) -> Result<(PeerIdentity, [u8; 32]), TransportError> {
        let explain = |p: &Pending<S>, e| p.explain(e, ca_path, Some(name));
        drive_handshake(&mut self.conn, &mut self.io).map_err(|e| explain(self, e))?;
        // Wait for the server's verdict on our certificate and identity.
        let mut verdict = [0u8; 1];
        read_exact(&mut self.conn, &mut self.io, &mut verdict).map_err(|e| explain(self, e))?;
        match verdict[0] {
            ADMITTED => self.identify(),
            REFUSED => {
                let mut len = [0u8; 1];
                read_exact(&mut self.conn, &mut self.io, &mut len).map_err(|e| explain(self, e))?;
                let mut reason = vec![0u8; usize::from(len[0])];
                read_exact(&mut self.conn, &mut self.io, &mut reason)
                    .map_err(|e| explain(self, e))?;
                Err(TransportError::Refused(crate::identity::printable(
                    &String::from_utf8_lossy(&reason),
                )))
            }
            other => Err(TransportError::Refused(format!(
                "it answered the handshake with byte {other}, not an admission"
            ))),
        }
    }

    /// The peer's identity and the channel binding, after the handshake.
    fn identify(&self) -> Result<(PeerIdentity, [u8; 32]), TransportError> {
        let peer = match self.conn.peer_certificates().and_then(|c| c.first()) {
            Some(cert) => PeerIdentity::from_certificate(cert)?,
            // A verifier that requires a certificate never lets this happen.
            None => return Err(TransportError::NoClientCertificate),
        };
        let binding = self
            .conn
            .export_keying_material([0u8; 32], BINDING_LABEL, None)
            .map_err(TransportError::Tls)?;
        Ok((peer, binding))
    }

    /// Turns an I/O error of the handshake into what happened.
    fn explain(
        &self,
        e: std::io::Error,
        ca_path: &std::path::Path,
        server_name: Option<&str>,
    ) -> TransportError {
        let first = self.io.first_bytes();
        // TLS records start with a content type 20..=24 and version major 3;
        // no plaintext session message starts that way.
        let plaintext_peer = match first {
            [] => false,
            [t] => !(20..=24).contains(t),
            [t, v, ..] => !(20..=24).contains(t) || *v != 3,
        };
        if plaintext_peer {
            return TransportError::NotTls;
        }
        match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                return TransportError::Timeout {
                    after: self.timeout,
                }
            }
            ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe => return TransportError::Closed,
            _ => {}
        }
        match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => explain_tls(tls.clone(), ca_path, server_name),
            None => TransportError::Io(e),
        }
    }
}

/// What a rustls error means for the user.
fn explain_tls(
    e: rustls::Error,
    ca_path: &std::path::Path,
    server_name: Option<&str>,
) -> TransportError {
    use rustls::Error;
    match e {
        Error::InvalidCertificate(c) => match c {
            // A bad signature on a certificate whose issuer carries the
            // name of our CA: it comes from another CA of the same name
            // (`mpcc certs` run twice makes two).
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                TransportError::UnknownIssuer {
                    ca: ca_path.to_path_buf(),
                }
            }
            CertificateError::Expired => TransportError::Expired { ended: None },
            CertificateError::ExpiredContext { not_after, .. } => TransportError::Expired {
                ended: utc(not_after),
            },
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TransportError::NotValidYet
            }
            CertificateError::NotValidForName => TransportError::WrongName {
                expected: server_name.unwrap_or_default().to_string(),
                presented: Vec::new(),
            },
            CertificateError::NotValidForNameContext { presented, .. } => {
                TransportError::WrongName {
                    expected: server_name.unwrap_or_default().to_string(),
                    presented: presented.iter().map(|n| bare_name(n)).collect(),
                }
            }
            other => TransportError::BadCertificate(other.to_string()),
        },
        Error::NoCertificatesPresented => TransportError::NoClientCertificate,
        Error::AlertReceived(alert) => {
            let refused = |why: &str| TransportError::PeerRefusedCertificate(why.to_string());
            match alert {
                AlertDescription::UnknownCA => refused("it does not chain to the peer's CA"),
                // What rustls answers a certificate signed by another CA of
                // the same name as the peer's.
                AlertDescription::DecryptError => refused(
                    "its signature does not verify: it does not chain to the peer's CA \
                     (a CA of the same name but another key?)",
                ),
                AlertDescription::CertificateExpired => {
                    refused("it has expired or is not valid yet")
                }
                AlertDescription::CertificateRequired => {
                    refused("we sent none and the peer requires one")
                }
                AlertDescription::BadCertificate => refused(
                    "it reports a bad certificate (one that does not name the host it \
                     dialled, for instance)",
                ),
                AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateRevoked
                | AlertDescription::CertificateUnknown
                | AlertDescription::AccessDenied => refused(&format!("alert {alert:?}")),
                other => TransportError::PeerAlert(format!("alert {other:?}")),
            }
        }
        other => TransportError::Tls(other),
    }
}

/// A time from rustls as `YYYY-MM-DD HH:MM UTC`.
fn utc(t: rustls::pki_types::UnixTime) -> Option<String> {
    let secs = i64::try_from(t.as_secs()).ok()?;
    let d = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute()
    ))
}

/// A name as rustls reports it (`DnsName("a.example")`,
/// `IpAddress(10.0.0.1)`) without its wrapping.
fn bare_name(presented: &str) -> String {
    presented
        .strip_prefix("DnsName(\"")
        .and_then(|s| s.strip_suffix("\")"))
        .or_else(|| {
            presented
                .strip_prefix("IpAddress(")
                .and_then(|s| s.strip_suffix(')'))
        })
        .unwrap_or(presented)
        .to_string()
}

/// Writes out everything rustls has queued.
fn write_pending<S: Read + Write>(
    conn: &mut Connection,
    io: &mut SocketIo<S>,
) -> std::io::Result<()> {
    while conn.wants_write() {
        if conn.write_tls(io)? == 0 {
            return Err(ErrorKind::WriteZero.into());
        }
    }
    Ok(())
}

/// Reads and processes one batch of TLS bytes; `Ok(false)` at end of stream.
/// A record the connection rejects is answered with rustls's alert before
/// the error returns.
fn read_records<S: Read + Write>(
    conn: &mut Connection,
    io: &mut SocketIo<S>,
) -> std::io::Result<bool> {
    let n = conn.read_tls(io)?;
    if let Err(e) = conn.process_new_packets() {
        let _ = write_pending(conn, io);
        let _ = io.flush();
        return Err(std::io::Error::new(ErrorKind::InvalidData, e));
    }
    Ok(n > 0)
}

fn drive_handshake<S: Read + Write>(
    conn: &mut Connection,
    io: &mut SocketIo<S>,
) -> std::io::Result<()> {
    while conn.is_handshaking() {
        write_pending(conn, io)?;
        if !conn.is_handshaking() {
            break;
        }
        if !conn.wants_read() {
            return Err(std::io::Error::other("the TLS handshake stalled"));
        }
        if !read_records(conn, io)? && conn.is_handshaking() {
            return Err(ErrorKind::UnexpectedEof.into());
        }
    }
    // The client's last flight (its certificate and Finished).
    write_pending(conn, io)?;
    io.flush()
}

/// Reads application bytes: what rustls holds, else more records.
fn read_plain<S: Read + Write>(
    conn: &mut Connection,
    io: &mut SocketIo<S>,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    loop {
        match conn.reader().read(buf) {
            // Ok(0) only after the peer's close_notify.
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            // UnexpectedEof: the peer closed without close_notify.
            Err(e) => return Err(e),
        }
        // Anything rustls must answer (a key update) goes first.
        write_pending(conn, io)?;
        read_records(conn, io)?;
    }
}

/// Writes application bytes and sends them.
fn write_all<S: Read + Write>(
    conn: &mut Connection,
    io: &mut SocketIo<S>,
    bytes: &[u8],
) -> std::io::Result<()> {
    conn.writer().write_all(bytes)?;
    write_pending(conn, io)?;
    io.flush()
}

fn read_exact<S: Read + Write>(
    conn: &mut Connection,
    io: &mut SocketIo<S>,
    mut buf: &mut [u8],
) -> std::io::Result<()> {
    while !buf.is_empty() {
        match read_plain(conn, io, buf)? {
            0 => return Err(ErrorKind::UnexpectedEof.into()),
            n => buf = &mut buf[n..],
        }
    }
    Ok(())
}

impl<S> TlsLink<S> {
    /// The peer's identity, from its verified certificate.
    pub fn peer_identity(&self) -> &PeerIdentity {
        &self.peer
    }

    /// 32 bytes that both ends of this TLS connection, and only they,
    /// derive: the TLS 1.3 exporter (RFC 8446 sec. 7.5) with the label
    /// `EXPORTER-mpcc-channel-binding-v1`. The exporter secret follows from
    /// the handshake transcript up to the server's Finished, so a relay
    /// that runs two TLS connections gets a different value on each;
    /// the client's certificate is bound to the same transcript by its
    /// CertificateVerify signature. Bound into the session's transcript,
    /// this makes a relayed session fail.
    pub fn channel_binding(&self) -> [u8; 32] {
        self.binding
    }

    /// The negotiated cipher suite, such as `TLS13_AES_128_GCM_SHA256`.
    pub fn cipher_suite(&self) -> String {
        match self.conn.negotiated_cipher_suite() {
            Some(s) => match s.suite().as_str() {
                Some(name) => name.to_string(),
                None => format!("{:?}", s.suite()),
            },
            None => "none".to_string(),
        }
    }

    /// The stream under TLS.
    pub fn get_ref(&self) -> &S {
        self.io.get_ref()
    }
}

impl<S: Read + Write> TlsLink<S> {
    /// Sends `close_notify` and flushes: the peer's reads then end cleanly.
    pub fn close(&mut self) -> std::io::Result<()> {
        self.conn.send_close_notify();
        write_pending(&mut self.conn, &mut self.io)?;
        self.io.flush()
    }
}

impl<S: Read + Write> Read for TlsLink<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        read_plain(&mut self.conn, &mut self.io, buf)
    }
}

impl<S: Read + Write> Write for TlsLink<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.conn.writer().write(buf)?;
        write_pending(&mut self.conn, &mut self.io)?;
        Ok(n)
    }

    /// All slices go into the same records (rustls fragments the whole
    /// sequence at the 16 KiB record size), so a small header followed by
    /// a large payload costs no record of its own.
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> std::io::Result<usize> {
        let n = self.conn.writer().write_vectored(bufs)?;
        write_pending(&mut self.conn, &mut self.io)?;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        write_pending(&mut self.conn, &mut self.io)?;
        self.io.flush()
    }
}
