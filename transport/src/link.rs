//! One link type for sessions, plain or TLS, and the helpers that make one
//! from a TCP connection.

use crate::{PeerIdentity, TlsAcceptor, TlsConnector, TlsLink, TransportError};
use protocol::{Limits, TcpLink};
use std::io::{ErrorKind, IoSlice, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long a failed handshake waits for the peer to close after our
/// alert, so that closing does not reset the connection before the peer
/// has read why.
const LINGER: Duration = Duration::from_millis(100);

/// A session's link: plain bytes or TLS, one type for the session code.
#[derive(Debug)]
pub enum Link<S: Read + Write = TcpLink> {
    /// No encryption, no authentication (`--insecure-plaintext`).
    Plain(PlainLink<S>),
    /// Mutually authenticated TLS 1.3.
    Tls(Box<TlsLink<S>>),
}

impl<S: Read + Write> Link<S> {
    /// The peer's verified identity; `None` in plaintext.
    pub fn peer_identity(&self) -> Option<&PeerIdentity> {
        match self {
            Link::Plain(_) => None,
            Link::Tls(t) => Some(t.peer_identity()),
        }
    }

    /// The TLS channel binding ([`TlsLink::channel_binding`]); `None` in
    /// plaintext.
    pub fn channel_binding(&self) -> Option<[u8; 32]> {
        match self {
            Link::Plain(_) => None,
            Link::Tls(t) => Some(t.channel_binding()),
        }
    }

    /// The negotiated cipher suite; `None` in plaintext.
    pub fn cipher_suite(&self) -> Option<String> {
        match self {
            Link::Plain(_) => None,
            Link::Tls(t) => Some(t.cipher_suite()),
        }
    }

    /// Whether the link runs TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self, Link::Tls(_))
    }

    /// The stream underneath.
    pub fn get_ref(&self) -> &S {
        match self {
            Link::Plain(p) => &p.inner,
            Link::Tls(t) => t.get_ref(),
        }
    }

    /// Ends the link cleanly: TLS sends `close_notify`; both flush.
    pub fn close(&mut self) -> std::io::Result<()> {
        match self {
            Link::Plain(p) => p.flush(),
            Link::Tls(t) => t.close(),
        }
    }
}

impl<S: Read + Write> Read for Link<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Link::Plain(p) => p.read(buf),
            Link::Tls(t) => t.read(buf),
        }
    }
}

impl<S: Read + Write> Write for Link<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Link::Plain(p) => p.write(buf),
            Link::Tls(t) => t.write(buf),
        }
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> std::io::Result<usize> {
        match self {
            Link::Plain(p) => p.write_vectored(bufs),
            Link::Tls(t) => t.write_vectored(bufs),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Link::Plain(p) => p.flush(),
            Link::Tls(t) => t.flush(),
        }
    }
}

/// A plaintext link that recognises a TLS peer by its first bytes (a TLS
/// record starts with a content type 20 to 24 and version byte 3; the first
/// message of a session starts with a message kind below 20) and then
/// fails its read with [`TransportError::PeerSpeaksTls`] inside the
/// `io::Error`, instead of reading a TLS hello as a garbled message.
#[derive(Debug)]
pub struct PlainLink<S> {
    inner: S,
    first: Option<u8>,
    checked: bool,
}

impl<S: Read + Write> PlainLink<S> {
    /// Wraps a connected stream.
    pub fn new(inner: S) -> PlainLink<S> {
        PlainLink {
            inner,
            first: None,
            checked: false,
        }
    }

    /// The stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    fn looks_like_tls(&mut self, got: &[u8]) -> bool {
        for &b in got {
            match self.first {
                None if !(20..=24).contains(&b) => {
                    self.checked = true;
                    return false;
                }
                None => self.first = Some(b),
                Some(_) => {
                    self.checked = true;
                    return b == 3;
                }
            }
        }
        false
    }
}

impl<S: Read + Write> Read for PlainLink<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.checked && self.looks_like_tls(&buf[..n]) {
            return Err(std::io::Error::new(
                ErrorKind::InvalidData,
                TransportError::PeerSpeaksTls,
            ));
        }
        Ok(n)
    }
}

impl<S: Read + Write> Write for PlainLink<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> std::io::Result<usize> {
        self.inner.write_vectored(bufs)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// How the garbler's side secures its connections.
#[derive(Clone)]
pub enum ServerSecurity {
    /// TLS with client certificates (`--tls-cert`, `--tls-key`, `--tls-ca`,
    /// optionally `--allow`).
    Tls(TlsAcceptor),
    /// Plain TCP (`--insecure-plaintext`): for local experiments only.
    InsecurePlaintext,
}

/// How the evaluator's side secures its connection.
#[derive(Clone)]
pub enum ClientSecurity {
    /// TLS with our client certificate.
    Tls(TlsConnector),
    /// Plain TCP (`--insecure-plaintext`): for local experiments only.
    InsecurePlaintext,
}

/// Socket options every session uses: no Nagle delay, and the peer timeout
/// on reads and writes.
pub fn configure_socket(stream: &TcpStream, limits: Limits) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(limits.timeout))?;
    stream.set_write_timeout(Some(limits.timeout))
}

impl ServerSecurity {
    /// Makes a session link of an accepted connection: sets the socket
    /// options, wraps it in a [`TcpLink`] (reads poll for `limits.spin`
    /// before they block) and, with TLS, runs the handshake within
    /// `limits.timeout`. Run it on the session's own thread: a slow or
    /// silent client holds it for up to the timeout. A failed handshake
    /// tells the peer (a TLS alert, or the refusal) before it closes.
    pub fn accept(&self, stream: TcpStream, limits: Limits) -> Result<Link, TransportError> {
        configure_socket(&stream, limits).map_err(TransportError::Io)?;
        let link = TcpLink::new(stream, limits.spin);
        match self {
            ServerSecurity::InsecurePlaintext => Ok(Link::Plain(PlainLink::new(link))),
            ServerSecurity::Tls(acceptor) => {
                match acceptor.accept_or_return(link, limits.timeout) {
                    Ok(t) => Ok(Link::Tls(Box::new(t))),
                    Err((e, link)) => {
                        linger_close(link.get_ref());
                        Err(e)
                    }
                }
            }
        }
    }
}

impl ClientSecurity {
    /// Makes a session link of a connection to `host` (the name the
    /// server's certificate is checked against, unless the connector has
    /// its own; see [`crate::host_of`]), as [`ServerSecurity::accept`] does.
    pub fn connect(
        &self,
        stream: TcpStream,
        host: &str,
        limits: Limits,
    ) -> Result<Link, TransportError> {
        configure_socket(&stream, limits).map_err(TransportError::Io)?;
        let link = TcpLink::new(stream, limits.spin);
        match self {
            ClientSecurity::InsecurePlaintext => Ok(Link::Plain(PlainLink::new(link))),
            ClientSecurity::Tls(connector) => {
                match connector.connect_or_return(link, host, limits.timeout) {
                    Ok(t) => Ok(Link::Tls(Box::new(t))),
                    Err((e, link)) => {
                        linger_close(link.get_ref());
                        Err(e)
                    }
                }
            }
        }
    }

    /// Connects to `addr` (`HOST:PORT`; each address it resolves to is
    /// tried within the timeout) and makes the session link, the server's
    /// certificate checked against HOST.
    pub fn dial(&self, addr: &str, limits: Limits) -> Result<Link, TransportError> {
        let connect_error = |source| TransportError::Connect {
            addr: addr.to_string(),
            source,
        };
        let mut last = None;
        for a in addr.to_socket_addrs().map_err(connect_error)? {
            match TcpStream::connect_timeout(&a, limits.timeout) {
                Ok(s) => return self.connect(s, crate::host_of(addr), limits),
                Err(e) => last = Some(e),
            }
        }
        Err(connect_error(last.unwrap_or_else(|| {
            std::io::Error::other("the address resolves to nothing")
        })))
    }
}

/// Closes after a failed handshake so that what we queued (the alert)
/// reaches the peer: our side shut, then what the peer still sends read
/// and dropped until it closes or [`LINGER`] passes; closing with unread
/// bytes would reset the connection and could discard the alert.
fn linger_close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    if stream.set_nonblocking(false).is_err() || stream.set_read_timeout(Some(LINGER)).is_err() {
        return;
    }
    let deadline = std::time::Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    while std::time::Instant::now() < deadline {
        match (&*stream).read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}
