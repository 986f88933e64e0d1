//! Length-framed messages over any byte stream, with limits, statistics and
//! an optional transcript digest.

use crate::{Phase, ProtocolError};
use std::io::{ErrorKind, IoSlice, Read, Write};
use std::time::Duration;

/// What a message is. The byte values are part of the wire format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Handshake: version and circuit (both directions); a [`crate::Hello`].
    Hello = 1,
    /// Base OT messages (`ot::BaseOtHello`, `ot::BaseOtReply`).
    BaseOt = 2,
    /// OT extension messages (`ot::ExtendMsg`).
    OtExtension = 3,
    /// The garbler's input labels of one garbled circuit (one computation,
    /// or a group of computations garbled side by side,
    /// [`crate::Prepared::groups`]): 16 raw bytes per label.
    GarblerLabels = 4,
    /// A chunk of garbled tables, raw.
    Tables = 5,
    /// Output decoding bits of one garbled circuit, or of the computations
    /// of a request garbled ahead, packed: one per output bit the evaluator
    /// learns (outputs revealed to it or to both), copy after copy; none
    /// for outputs revealed to the garbler alone. Sent only once the
    /// computation's inputs are fixed.
    Decoding = 6,
    /// The results of one request, evaluator to garbler: the active
    /// output labels (16 raw bytes each) of the output bits the garbler
    /// learns (outputs revealed to it or to both), computation after
    /// computation, for the garbler to check and decode. Not sent when the
    /// garbler learns no output.
    Result = 7,
    /// Start of a batch of computations: a [`crate::Compute`].
    Compute = 8,
    /// An error: the sender ends the session; the payload is a UTF-8 message.
    Error = 9,
    /// The end of a session.
    Bye = 10,
    /// The garbler's public hash key for the session (16 bytes), right
    /// after its hello.
    HashKey = 11,
    /// How many computations the garbler garbles ahead: a
    /// [`crate::Window`], from the evaluator (what it accepts) in its first
    /// flight and from the garbler (what it will do) after its hash key.
    Window = 12,
    /// A chunk of garbled tables of a computation garbled ahead, before
    /// any request for it (raw; an empty one for a circuit without AND
    /// gates). Sent by the garbler whenever it is idle, within the window.
    Ahead = 13,
    /// The online answer for the computations of a request that were
    /// garbled ahead, per computation in order: the active labels of the
    /// garbler's input bits, then one block per evaluator input bit that
    /// turns the evaluator's random-OT label into the active label of its
    /// real bit (16 raw bytes each).
    Inputs = 14,
    /// A refill of the random-OT stock ahead of need, evaluator to garbler,
    /// between computations: a [`crate::Refill`].
    Refill = 15,
    /// A message of dual execution's equality test (`dualex::equality`):
    /// OT correction bits, then a tag, in both directions.
    Equality = 16,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::Hello,
            2 => Kind::BaseOt,
            3 => Kind::OtExtension,
            4 => Kind::GarblerLabels,
            5 => Kind::Tables,
            6 => Kind::Decoding,
            7 => Kind::Result,
            8 => Kind::Compute,
            9 => Kind::Error,
            10 => Kind::Bye,
            11 => Kind::HashKey,
            12 => Kind::Window,
            13 => Kind::Ahead,
            14 => Kind::Inputs,
            15 => Kind::Refill,
            16 => Kind::Equality,
            _ => return None,
        })
    }
}

/// Hard limits a channel enforces on its peer.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest payload accepted, in bytes.
    pub max_message: u64,
    /// How long to wait for the peer; applied by the driver to its socket and
    /// reported in timeout errors.
    pub timeout: Duration,
    /// How long a [`crate::TcpLink`] polls for the peer's bytes before it
    /// blocks (zero: block at once).
    pub spin: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_message: 64 << 20,
            timeout: Duration::from_secs(30),
            spin: crate::DEFAULT_SPIN,
        }
    }
}

/// Payloads are read in steps of this size, so an announced length only costs
/// memory as the bytes actually arrive.
const READ_STEP: usize = 1 << 20;
/// Size of the input buffer; larger reads bypass it.
const READ_BUFFER: usize = 16 << 10;
/// Buffered output is written out past this size. A chunk of garbled tables
/// (64 KiB) then never goes through the buffer: it leaves in one vectored
/// write with the bytes queued before it, and the evaluator can start on it
/// at once instead of after several chunks.
const WRITE_BUFFER: usize = 64 << 10;

/// A framed, buffered, counted message channel. Each message is 1 byte of
/// [`Kind`], 4 bytes of little-endian length, then the payload. The frame
/// header is written by hand, not by bincode: the length must be checked
/// against the limit before the payload is read from the stream, and the
/// header of a chunk of tables goes out in one vectored write with it. Output is
/// buffered until [`Channel::flush`], or a receive, or the buffer fills.
pub struct Channel<S: Read + Write> {
    stream: S,
    limits: Limits,
    out: Vec<u8>,
    phase: Phase,
    stats: ChannelStats,
    transcript: Option<Transcript>,
    binding: Option<[u8; 32]>,
    last_was_send: bool,
    /// Bytes read from the stream and not yet consumed: `input[in_pos..in_len]`.
    input: Box<[u8]>,
    in_pos: usize,
    in_len: usize,
}

/// The transcript: each direction hashed on its own, so both sides see the
/// same two streams in the same order however sends and receives interleave.
struct Transcript {
    garbler_side: bool,
    sent: blake3::Hasher,
    received: blake3::Hasher,
}

/// What went over a channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChannelStats {
    /// Bytes written, framing included.
    pub bytes_sent: u64,
    /// Bytes read, framing included.
    pub bytes_received: u64,
    /// Flights: how many times the direction of traffic changed to sending.
    pub rounds: u64,
    /// Messages sent.
    pub messages_sent: u64,
    /// Messages received.
    pub messages_received: u64,
}

impl<S: Read + Write> Channel<S> {
    /// A channel over `stream`.
    pub fn new(stream: S, limits: Limits) -> Channel<S> {
        Channel {
            stream,
            limits,
            out: Vec::with_capacity(WRITE_BUFFER),
            phase: Phase::Handshake,
            stats: ChannelStats::default(),
            transcript: None,
            binding: None,
            last_was_send: false,
            input: vec![0u8; READ_BUFFER].into_boxed_slice(),
            in_pos: 0,
            in_len: 0,
        }
    }

    /// Starts hashing every message sent and received, in order, into the
    /// transcript digest (costs a blake3 pass over the traffic). `garbler_side`
    /// says which end of the session this channel is, so that both ends
    /// compute the same digest.
    pub fn record_transcript(&mut self, garbler_side: bool) {
        self.transcript.get_or_insert_with(|| Transcript {
            garbler_side,
            sent: blake3::Hasher::new(),
            received: blake3::Hasher::new(),
        });
    }

    /// Binds the session to the link's channel binding (the TLS exporter
    /// value): it opens the transcript digest, and the session code puts it
    /// in the hello and the OT context ([`crate::Hello::check_binding`],
    /// [`crate::ot_context`]). Call before the first message.
    pub fn bind(&mut self, binding: [u8; 32]) {
        self.binding = Some(binding);
    }

    /// The channel binding given to [`Channel::bind`], if any.
    pub fn binding(&self) -> Option<&[u8; 32]> {
        self.binding.as_ref()
    }

    /// The transcript digest so far, if recording: blake3 over the channel
    /// binding (if any) and the digests of everything the garbler sent and
    /// everything the evaluator sent, in order.
    pub fn transcript_digest(&self) -> Option<[u8; 32]> {
        self.transcript.as_ref().map(|t| {
            let (from_garbler, from_evaluator) = if t.garbler_side {
                (&t.sent, &t.received)
            } else {
                (&t.received, &t.sent)
            };
            let mut h = blake3::Hasher::new();
            h.update(b"mpcc transcript v2");
            match &self.binding {
                Some(b) => {
                    h.update(&[1]);
                    h.update(b);
                }
                None => {
                    h.update(&[0]);
                }
            }
            h.update(from_garbler.finalize().as_bytes());
            h.update(from_evaluator.finalize().as_bytes());
            *h.finalize().as_bytes()
        })
    }

    /// Sets the phase named in errors.
    pub fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Traffic so far.
    pub fn stats(&self) -> ChannelStats {
        self.stats
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The underlying stream, the channel's buffers dropped (flush first:
    /// queued output is lost).
    pub fn into_inner(self) -> S {
        self.stream
    }

    /// The underlying stream, mutably (to close it once the session ends;
    /// bytes written to it directly bypass the framing and the counts).
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    fn io_error(&self, e: std::io::Error) -> ProtocolError {
        match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => ProtocolError::Timeout {
                phase: self.phase,
                secs: self.limits.timeout.as_secs(),
            },
            ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe => ProtocolError::Closed { phase: self.phase },
            _ => ProtocolError::Io {
                phase: self.phase,
                source: e,
            },
        }
    }

    fn hash(&mut self, sent: bool, kind: Kind, payload: &[u8]) {
        if let Some(t) = self.transcript.as_mut() {
            let h = if sent { &mut t.sent } else { &mut t.received };
            h.update(&[kind as u8]);
            h.update(&(payload.len() as u64).to_le_bytes());
            h.update(payload);
        }
    }

    /// Queues one message; writes out when the buffer is full.
    pub fn send(&mut self, kind: Kind, payload: &[u8]) -> Result<(), ProtocolError> {
        if payload.len() as u64 > self.limits.max_message {
            return Err(ProtocolError::TooLarge {
                phase: self.phase,
                len: payload.len() as u64,
                limit: self.limits.max_message,
            });
        }
        if !self.last_was_send {
            self.stats.rounds += 1;
            self.last_was_send = true;
        }
        self.hash(true, kind, payload);
        self.out.push(kind as u8);
        self.out
            .extend_from_slice(&(payload.len() as u32).to_le_bytes());
        self.stats.bytes_sent += 5 + payload.len() as u64;
        self.stats.messages_sent += 1;
        if self.out.len() + payload.len() > WRITE_BUFFER {
            // What is queued (this header at least) and the payload in one
            // system call: no copy of the payload, and no tiny packet
            // carrying a header alone.
            let mut bufs = [IoSlice::new(&self.out), IoSlice::new(payload)];
            let r = write_all_vectored(&mut self.stream, &mut bufs);
            self.out.clear();
            r.map_err(|e| self.io_error(e))?;
        } else {
            self.out.extend_from_slice(payload);
        }
        Ok(())
    }

    fn write_out(&mut self) -> Result<(), ProtocolError> {
        if !self.out.is_empty() {
            let r = self.stream.write_all(&self.out);
            self.out.clear();
            r.map_err(|e| self.io_error(e))?;
        }
        Ok(())
    }

    /// Writes out everything queued.
    pub fn flush(&mut self) -> Result<(), ProtocolError> {
        self.write_out()?;
        self.stream.flush().map_err(|e| self.io_error(e))
    }

    /// Receives the next message (flushing queued output first, so the peer
    /// is never left waiting on bytes we hold). A peer's `Error` message is
    /// returned as [`ProtocolError::Peer`].
    pub fn recv(&mut self) -> Result<(Kind, Vec<u8>), ProtocolError> {
        let mut payload = Vec::new();
        let kind = self.recv_into(&mut payload)?;
        Ok((kind, payload))
    }

    /// Like [`Channel::recv`], into `payload` (cleared first), so a caller
    /// receiving many messages reuses one allocation.
    pub fn recv_into(&mut self, payload: &mut Vec<u8>) -> Result<Kind, ProtocolError> {
        self.flush()?;
        self.recv_unflushed(payload)
    }

    /// After [`ProtocolError::Closed`] (the peer closed the connection,
    /// perhaps while this side was writing), the reason the peer gave, if
    /// it sent one: reads what it sent before it closed, at most a few
    /// messages and without writing anything, looking for its `Error`
    /// message. Not for a live connection, where the read would wait for
    /// the peer up to the timeout.
    pub fn peer_reason(&mut self) -> Option<ProtocolError> {
        self.out.clear();
        let mut payload = Vec::new();
        for _ in 0..16 {
            match self.recv_unflushed(&mut payload) {
                Err(e @ ProtocolError::Peer { .. }) => return Some(e),
                Err(_) => return None,
                Ok(_) => {}
            }
        }
        None
    }

    fn recv_unflushed(&mut self, payload: &mut Vec<u8>) -> Result<Kind, ProtocolError> {
        self.last_was_send = false;
        let mut head = [0u8; 5];
        self.read_exact(&mut head)?;
        let kind = Kind::from_byte(head[0]).ok_or_else(|| ProtocolError::Malformed {
            phase: self.phase,
            msg: format!("unknown message kind {}", head[0]),
        })?;
        let len = u64::from(u32::from_le_bytes([head[1], head[2], head[3], head[4]]));
        if len > self.limits.max_message {
            return Err(ProtocolError::TooLarge {
                phase: self.phase,
                len,
                limit: self.limits.max_message,
            });
        }
        payload.clear();
        while (payload.len() as u64) < len {
            let step = (len as usize - payload.len()).min(READ_STEP);
            let at = payload.len();
            payload.resize(at + step, 0);
            self.read_exact(&mut payload[at..])?;
        }
        self.stats.bytes_received += 5 + len;
        self.stats.messages_received += 1;
        self.hash(false, kind, payload);
        if kind == Kind::Error {
            // The peer's words go into errors and logs: printable ASCII
            // only (anything else escaped), so a peer cannot forge log
            // lines or send terminal escapes.
            let mut msg = String::new();
            for c in String::from_utf8_lossy(payload).chars().take(500) {
                if c.is_ascii_graphic() || c == ' ' {
                    msg.push(c);
                } else {
                    msg.extend(c.escape_default());
                }
            }
            return Err(ProtocolError::Peer {
                phase: self.phase,
                msg,
            });
        }
        Ok(kind)
    }

    /// Fills `out` from the input buffer, then from the stream: small
    /// messages come out of one `read` call together, large ones are read
    /// straight into place.
    fn read_exact(&mut self, out: &mut [u8]) -> Result<(), ProtocolError> {
        let mut done = 0;
        while done < out.len() {
            if self.in_pos == self.in_len {
                if out.len() - done >= READ_BUFFER {
                    self.stream
                        .read_exact(&mut out[done..])
                        .map_err(|e| self.io_error(e))?;
                    return Ok(());
                }
                self.in_pos = 0;
                self.in_len = loop {
                    match self.stream.read(&mut self.input) {
                        Ok(0) => return Err(ProtocolError::Closed { phase: self.phase }),
                        Ok(n) => break n,
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(e) => return Err(self.io_error(e)),
                    }
                };
            }
            let take = (self.in_len - self.in_pos).min(out.len() - done);
            out[done..done + take].copy_from_slice(&self.input[self.in_pos..self.in_pos + take]);
            self.in_pos += take;
            done += take;
        }
        Ok(())
    }

    /// Receives the next message and checks it is of `kind`.
    pub fn recv_kind(&mut self, kind: Kind) -> Result<Vec<u8>, ProtocolError> {
        let mut payload = Vec::new();
        self.recv_kind_into(kind, &mut payload)?;
        Ok(payload)
    }

    /// Like [`Channel::recv_kind`], into a reused buffer.
    pub fn recv_kind_into(
        &mut self,
        kind: Kind,
        payload: &mut Vec<u8>,
    ) -> Result<(), ProtocolError> {
        let got = self.recv_into(payload)?;
        if got != kind {
            return Err(ProtocolError::Malformed {
                phase: self.phase,
                msg: format!("expected a {kind:?} message, got {got:?}"),
            });
        }
        Ok(())
    }

    /// Tells the peer why the session ends, best effort.
    pub fn send_error(&mut self, msg: &str) {
        let _ = self.send(Kind::Error, msg.as_bytes());
        let _ = self.flush();
    }
}

/// `write_all` over several buffers (`Write::write_all_vectored` is not
/// stable yet).
fn write_all_vectored<W: Write>(w: &mut W, mut bufs: &mut [IoSlice<'_>]) -> std::io::Result<()> {
    IoSlice::advance_slices(&mut bufs, 0);
    while !bufs.is_empty() {
        match w.write_vectored(bufs) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    struct Duplex {
        input: Cursor<Vec<u8>>,
        output: Vec<u8>,
    }
    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.input.read(buf)
        }
    }
    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A writer that takes at most 7 bytes a call, vectored or not.
    struct Trickle(Vec<u8>);

    impl Read for Trickle {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Ok(0)
        }
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len().min(7);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn large_payloads_survive_partial_writes() {
        let payloads: Vec<Vec<u8>> = [300 << 10, 10, 1 << 20, 0, 5]
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|j| (i * 31 + j) as u8).collect())
            .collect();
        let mut tx = Channel::new(Trickle(Vec::new()), Limits::default());
        for p in &payloads {
            tx.send(Kind::Tables, p).unwrap();
        }
        tx.flush().unwrap();
        let wire = std::mem::take(&mut tx.stream.0);
        let mut r = rx(wire);
        for p in &payloads {
            assert_eq!(&r.recv_kind(Kind::Tables).unwrap(), p);
        }
    }

    fn rx(bytes: Vec<u8>) -> Channel<Duplex> {
        Channel::new(
            Duplex {
                input: Cursor::new(bytes),
                output: Vec::new(),
            },
            Limits::default(),
        )
    }

    proptest::proptest! {
        /// Any byte stream from a peer gives messages or an error, never a panic.
        #[test]
        fn random_streams_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut c = rx(bytes);
            for _ in 0..10 {
                if c.recv().is_err() {
                    break;
                }
            }
        }
    }

    #[test]
    fn oversized_length_is_refused_before_allocating() {
        let mut c = rx(vec![5, 0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(
            c.recv(),
            Err(ProtocolError::TooLarge {
                len: 0xffff_ffff,
                ..
            })
        ));
    }

    #[test]
    fn truncated_and_unknown_messages() {
        assert!(matches!(
            rx(vec![5, 10, 0, 0, 0, 1, 2]).recv(),
            Err(ProtocolError::Closed { .. })
        ));
        assert!(matches!(
            rx(vec![5, 0]).recv(),
            Err(ProtocolError::Closed { .. })
        ));
        assert!(matches!(
            rx(vec![99, 0, 0, 0, 0]).recv(),
            Err(ProtocolError::Malformed { .. })
        ));
        assert!(matches!(
            rx(vec![1, 0, 0, 0, 0]).recv_kind(Kind::Bye),
            Err(ProtocolError::Malformed { .. })
        ));
    }

    #[test]
    fn a_lying_length_costs_only_what_arrives() {
        // Announces 60 MiB (under the limit) but sends 3 bytes.
        let mut c = rx(vec![5, 0, 0, 0xc0, 0x03, 1, 2, 3]);
        assert!(matches!(c.recv(), Err(ProtocolError::Closed { .. })));
    }

    #[test]
    fn peer_errors_and_round_trip_with_transcript() {
        let mut tx = Channel::new(Cursor::new(Vec::new()), Limits::default());
        tx.record_transcript(true);
        tx.send(Kind::Tables, &[7; 300_000]).unwrap();
        tx.send(Kind::Error, b"bad circuit").unwrap();
        tx.flush().unwrap();
        let digest = tx.transcript_digest();
        let mut c = rx(tx.get_ref().get_ref().clone());
        c.record_transcript(false);
        assert_eq!(c.recv().unwrap().1.len(), 300_000);
        match c.recv() {
            Err(ProtocolError::Peer { msg, .. }) => assert_eq!(msg, "bad circuit"),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.transcript_digest(), digest);
    }

    #[test]
    fn a_peers_error_text_is_escaped() {
        let mut tx = Channel::new(Cursor::new(Vec::new()), Limits::default());
        tx.send(Kind::Error, "line\nforged: ok\u{1b}[2J".as_bytes())
            .unwrap();
        tx.flush().unwrap();
        let mut c = rx(tx.get_ref().get_ref().clone());
        match c.recv() {
            Err(ProtocolError::Peer { msg, .. }) => {
                assert_eq!(msg, "line\\nforged: ok\\u{1b}[2J")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_channel_binding_opens_the_transcript() {
        let digest = |binding: Option<[u8; 32]>| {
            let mut tx = Channel::new(Cursor::new(Vec::new()), Limits::default());
            if let Some(b) = binding {
                tx.bind(b);
            }
            tx.record_transcript(true);
            tx.send(Kind::Bye, b"").unwrap();
            tx.transcript_digest().unwrap()
        };
        assert_ne!(digest(None), digest(Some([1; 32])));
        assert_ne!(digest(Some([1; 32])), digest(Some([2; 32])));
        assert_eq!(digest(Some([1; 32])), digest(Some([1; 32])));
    }
}
