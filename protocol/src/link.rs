//! A TCP stream whose reads poll briefly before they block.
//!
//! A session alternates short bursts of work with waits for the peer. On a
//! virtual machine a thread that blocks lets its virtual CPU halt, and waking
//! it when the peer's bytes arrive costs tens of microseconds: more than a
//! whole small computation. [`TcpLink`] keeps the socket non-blocking and,
//! when a read finds nothing, polls for up to its spin time before it falls
//! back to a blocking read (which honours the socket's read timeout). Writes
//! go straight through and block only when the send buffer is full.

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long a [`TcpLink`] polls by default before it blocks.
pub const DEFAULT_SPIN: Duration = Duration::from_micros(100);

/// A connected TCP stream for a session (see the module docs).
#[derive(Debug)]
pub struct TcpLink {
    stream: TcpStream,
    spin: Duration,
    nonblocking: bool,
}

impl TcpLink {
    /// Wraps `stream`; reads poll for up to `spin` (zero: never) before they
    /// block. Read and write timeouts set on `stream` still apply.
    pub fn new(stream: TcpStream, spin: Duration) -> TcpLink {
        TcpLink {
            stream,
            spin,
            nonblocking: false,
        }
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &TcpStream {
        &self.stream
    }

    fn set_nonblocking(&mut self, on: bool) -> std::io::Result<()> {
        if self.nonblocking != on {
            self.stream.set_nonblocking(on)?;
            self.nonblocking = on;
        }
        Ok(())
    }
}

impl Read for TcpLink {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.spin.is_zero() || buf.is_empty() {
            self.set_nonblocking(false)?;
            return self.stream.read(buf);
        }
        self.set_nonblocking(true)?;
        let start = Instant::now();
        loop {
            match self.stream.read(buf) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    // Poll for readiness rather than read again: a read takes
                    // the socket's lock, which the peer's sending side needs
                    // to queue its bytes here, so reading in a loop slows the
                    // very delivery it waits for (on a virtual machine a
                    // contended kernel lock can halt the virtual CPU).
                    if !self.wait_readable(start) {
                        break;
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                other => return other,
            }
        }
        // Nothing came while polling: block, under the read timeout.
        self.set_nonblocking(false)?;
        self.stream.read(buf)
    }
}

impl TcpLink {
    /// Polls until the socket is readable (true) or the spin time since
    /// `start` is over (false). Readiness checks take no socket lock.
    fn wait_readable(&self, start: Instant) -> bool {
        let mut fds = [PollFd::new(&self.stream, PollFlags::IN)];
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        loop {
            // Readable, closed, in error, or poll itself failing: the read
            // that follows reports which.
            if !matches!(poll(&mut fds, Some(&zero)), Ok(0)) {
                return true;
            }
            if start.elapsed() >= self.spin {
                return false;
            }
            std::hint::spin_loop();
        }
    }

    /// Runs a write: at once if the socket takes it, else (send buffer
    /// full) blocking, under the write timeout.
    fn write_with(
        &mut self,
        write: impl Fn(&mut TcpStream) -> std::io::Result<usize>,
    ) -> std::io::Result<usize> {
        if self.nonblocking {
            match write(&mut self.stream) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                other => return other,
            }
            self.set_nonblocking(false)?;
        }
        write(&mut self.stream)
    }
}

impl Write for TcpLink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_with(|s| s.write(buf))
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        self.write_with(|s| s.write_vectored(bufs))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair(spin: Duration) -> (TcpLink, TcpLink) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (b, _) = l.accept().unwrap();
        for s in [&a, &b] {
            s.set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
        }
        (TcpLink::new(a, spin), TcpLink::new(b, spin))
    }

    #[test]
    fn bytes_arrive_whether_polling_or_blocking() {
        for spin in [
            Duration::ZERO,
            Duration::from_micros(50),
            Duration::from_secs(1),
        ] {
            let (mut a, mut b) = pair(spin);
            let big = vec![7u8; 8 << 20];
            let sender = std::thread::spawn(move || {
                // Larger than any socket buffer: the writes must wait.
                a.write_all(&big).unwrap();
                a
            });
            let mut got = vec![0u8; 8 << 20];
            b.read_exact(&mut got).unwrap();
            assert!(got.iter().all(|&x| x == 7));
            drop(sender.join().unwrap());
            let mut rest = [0u8; 1];
            assert_eq!(b.read(&mut rest).unwrap(), 0, "end of stream");
        }
    }

    #[test]
    fn a_silent_peer_still_times_out() {
        let (_a, mut b) = pair(Duration::from_micros(100));
        let start = Instant::now();
        let err = b.read(&mut [0u8; 4]).unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::WouldBlock | ErrorKind::TimedOut
        ));
        assert!(start.elapsed() >= Duration::from_millis(250));
    }
}
