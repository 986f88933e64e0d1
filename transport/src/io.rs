//! The socket side of a TLS link: a read buffer, the first bytes the peer
//! sent, and the handshake deadline.

use std::io::{ErrorKind, IoSlice, Read, Write};
use std::time::Instant;

/// Bytes read from the socket at once. rustls asks for at most 4 KiB per
/// read, so a 16 KiB record would cost five system calls; one large read
/// here serves many of its small ones from memory.
const READ_AHEAD: usize = 64 << 10;

/// Wraps the connected stream under rustls.
pub(crate) struct SocketIo<S> {
    inner: S,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// The peer's first two bytes, and how many of them have arrived.
    first: [u8; 2],
    seen: usize,
    /// During the handshake: no read or write starts after this.
    pub(crate) deadline: Option<Instant>,
}

impl<S: Read + Write> SocketIo<S> {
    pub(crate) fn new(inner: S) -> SocketIo<S> {
        SocketIo {
            inner,
            buf: vec![0u8; READ_AHEAD].into_boxed_slice(),
            pos: 0,
            len: 0,
            first: [0; 2],
            seen: 0,
            deadline: None,
        }
    }

    /// The first bytes the peer sent (up to two), for telling a plaintext
    /// peer from a TLS one.
    pub(crate) fn first_bytes(&self) -> &[u8] {
        &self.first[..self.seen]
    }

    fn check_deadline(&self) -> std::io::Result<()> {
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(ErrorKind::TimedOut.into()),
            _ => Ok(()),
        }
    }
}

impl<S> SocketIo<S> {
    pub(crate) fn get_ref(&self) -> &S {
        &self.inner
    }

    pub(crate) fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Read + Write> Read for SocketIo<S> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.len {
            self.check_deadline()?;
            let n = self.inner.read(&mut self.buf)?;
            for &b in &self.buf[..n.min(2 - self.seen)] {
                self.first[self.seen] = b;
                self.seen += 1;
            }
            self.pos = 0;
            self.len = n;
        }
        let n = out.len().min(self.len - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl<S: Read + Write> Write for SocketIo<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.check_deadline()?;
        self.inner.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> std::io::Result<usize> {
        self.check_deadline()?;
        self.inner.write_vectored(bufs)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
