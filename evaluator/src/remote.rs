//! The evaluator's side of a semi-honest session (what [`crate::Session`]
//! runs in that mode): connect once, evaluate many times.
//!
//! The garbler garbles computations ahead of the requests, within the
//! window this side accepts ([`SessionConfig::ahead`]; the protocol and its
//! security argument are in the `garbler` crate's `service` module): their
//! tables arrive while the session is idle or waiting, and are held here
//! (never more than the window; a garbler that sends more ends the
//! session). A computation then costs one round trip: this side sends one
//! correction bit per input bit, the garbler answers with one 16-byte block
//! per input bit and the decoding bits, and the tables already here are
//! evaluated. Random OTs are refilled between computations, ahead of need.
//! The session's statistics split time into offline (refills) and online
//! per computation, with quantiles.
//!
//! Over TLS ([`ClientSecurity::Tls`]) the session is bound to the
//! connection: the TLS channel binding opens the transcript digest, its hash
//! goes in the hello (a relay between two TLS connections is reported as a
//! channel binding mismatch) and every OT key derives from it.

use crate::{decode, EvalError, EvaluatorSession};
use circuits::{typed, Circuit, Party};
use crypto::{Block, HashKey, OutputDecoding, Scheme};
use ot::{BaseOtReply, ExtendMsg, OtReceiver, ReceiverStock, Security};
use protocol::{
    ot_context, pack_contexts, Channel, Compute, Hello, Kind, Limits, Phase, PhaseTimer, Prepared,
    ProtocolError, Refill, SessionStats, Window, MAX_BATCH, MAX_BATCH_BITS, MAX_BATCH_LABELS,
    PROTOCOL_VERSION,
};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::time::Instant;
pub use transport::ClientSecurity;
use transport::Link;
use zeroize::{Zeroize, Zeroizing};

/// Random OTs made by a session's first refill of its stock.
const FIRST_STOCK_GOAL: usize = 256;

/// Most random OTs one refill makes beyond what a request needs.
const MAX_STOCK_GOAL: usize = 1 << 16;

/// Session settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionConfig {
    /// Message size limit and peer timeout.
    pub limits: Limits,
    /// Record the transcript digest (costs a blake3 pass over the traffic).
    pub transcript: bool,
    /// The garbling scheme to ask the garbler for; a garbler running
    /// another ends the session at the handshake naming both.
    pub scheme: Scheme,
    /// How far the garbler may garble ahead of this side's requests, at
    /// most: the garbled tables of that many computations, within that many
    /// bytes, are held here until a request uses them. A garbler that sends
    /// more ends the session. [`Window::OFF`]: every computation is garbled
    /// on request.
    pub ahead: Window,
    /// Semi-honest or dual execution (see [`crate::Session`]); the garbler
    /// must run the same. Dual execution garbles half-gates on request:
    /// `scheme` must be half-gates and `ahead` is not used.
    pub security: protocol::Security,
}

/// Requests, results and refills up to this size are written at once;
/// a larger one is written only once every computation the garbler owes
/// ahead has been read, so that neither side can block writing to the
/// other while the other writes too.
const SMALL_WRITE: usize = 16 << 10;

/// A semi-honest session with a garbler (what [`crate::Session`] runs in
/// that mode): the handshake and base OTs are done once, when it is made;
/// each request is one batch of computations.
pub(crate) struct SemiHonest<S: Read + Write = Link> {
    ch: Channel<S>,
    prepared: Prepared,
    ot: Option<OtReceiver>,
    /// Random OTs made ahead, spent one per input bit.
    stock: ReceiverStock,
    /// The next refill's size (doubling up to [`MAX_STOCK_GOAL`]).
    stock_goal: usize,
    eval: EvaluatorSession,
    stats: SessionStats,
    closed: bool,
    /// Reused for every chunk of garbled tables.
    buffer: Vec<u8>,
    /// Indices of the output bits the evaluator learns, in one copy.
    eval_wires: Vec<usize>,
    /// Indices of the output bits the garbler learns, in one copy.
    garbler_wires: Vec<usize>,
    /// Send wrong output labels (fault injection for tests).
    corrupt: bool,
    /// Tables of computations garbled ahead, as they arrive.
    ahead: AheadTables,
    /// The size of the refill to send before the next request, made after
    /// the last one; its extension message is in `ext`.
    refill: Option<u32>,
    /// Buffers kept from request to request, so that a session allocates
    /// (and page-faults) once, not per request: the extension message of a
    /// refill, its bytes, the encoded request, its choice and correction
    /// bits, and the labels of the spent OTs, of secret payloads received,
    /// and of the outputs sent back (secret ones wiped after each request).
    ext: ExtendMsg,
    ext_bytes: Vec<u8>,
    request: Vec<u8>,
    choices: Vec<bool>,
    corrections: Vec<u8>,
    ot_labels: Zeroizing<Vec<Block>>,
    secret: Zeroizing<Vec<u8>>,
    back: Zeroizing<Vec<u8>>,
}

/// Wipes the bytes a buffer holds and empties it, keeping its memory (whose
/// unused part was wiped before): a kept buffer costs its contents' length to
/// wipe, not its capacity.
fn wipe<T: Zeroize>(buf: &mut Vec<T>) {
    buf.iter_mut().for_each(Zeroize::zeroize);
    buf.clear();
}

/// The garbled tables of the computations the garbler garbled ahead, held
/// until requests use them: complete ones oldest first, then at most one
/// arriving. All have the same size; never more than the agreed window.
struct AheadTables {
    /// Tables, from `head` on: the complete computations, then the arriving one.
    bytes: Vec<u8>,
    head: usize,
    /// First tweak of each complete computation, oldest first.
    tweaks: VecDeque<u64>,
    /// First tweak of the computation arriving, if any.
    arriving: Option<u64>,
    /// Bytes of tables of one computation.
    per: usize,
    /// AND gates of one computation (the tweaks it reserves).
    and_gates: usize,
    /// Computations garbled ahead, as agreed: the garbler keeps exactly
    /// this many ahead whenever it waits for a request.
    window: usize,
    /// Most bytes held at once over the session.
    high_water: usize,
}

impl AheadTables {
    fn new(window: usize, per: usize, and_gates: usize) -> AheadTables {
        AheadTables {
            bytes: Vec::with_capacity(window * per),
            head: 0,
            tweaks: VecDeque::with_capacity(window),
            arriving: None,
            per,
            and_gates,
            window,
            high_water: 0,
        }
    }

    /// Bytes of tables held.
    fn held(&self) -> usize {
        self.bytes.len() - self.head
    }

    /// Takes one [`Kind::Ahead`] message: a chunk of the computation
    /// arriving, or the start of the next one (its tweaks reserved now, in
    /// the order the garbler garbled it).
    fn receive(&mut self, chunk: &[u8], eval: &mut EvaluatorSession) -> Result<(), EvalError> {
        let refuse = |msg: String| -> EvalError {
            ProtocolError::Malformed {
                phase: Phase::Garbling,
                msg,
            }
            .into()
        };
        if chunk.is_empty() && self.per > 0 {
            return Err(refuse("an empty chunk of garbled tables".into()));
        }
        if self.arriving.is_none() {
            if self.tweaks.len() >= self.window {
                return Err(refuse(format!(
                    "more computations garbled ahead than the {} agreed",
                    self.window
                )));
            }
            self.arriving = Some(eval.reserve(self.and_gates)?);
        }
        let done = self.held() - self.tweaks.len() * self.per;
        if chunk.len() > self.per - done {
            return Err(refuse(format!(
                "{} bytes of tables garbled ahead, {} expected",
                done + chunk.len(),
                self.per
            )));
        }
        if self.head > 0 && self.head >= self.bytes.len() / 2 {
            self.bytes.drain(..self.head);
            self.head = 0;
        }
        self.bytes.extend_from_slice(chunk);
        self.high_water = self.high_water.max(self.held());
        debug_assert!(self.held() <= self.window * self.per);
        if done + chunk.len() == self.per {
            if let Some(t) = self.arriving.take() {
                self.tweaks.push_back(t);
            }
        }
        Ok(())
    }

    /// Whether every computation the garbler owes ahead is in.
    fn full(&self) -> bool {
        self.tweaks.len() == self.window
    }
}

impl SemiHonest<Link> {
    /// Dials `addr`, secures the link and runs the handshake and base OTs
    /// (see [`crate::Session::connect`]).
    pub(crate) fn connect(
        addr: &str,
        security: &ClientSecurity,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<SemiHonest<Link>, EvalError> {
        let start = std::time::Instant::now();
        let link = security.dial(addr, config.limits)?;
        let connecting = start.elapsed();
        let binding = link.channel_binding();
        let peer = link.peer_identity().map(|p| p.name().to_string());
        let mut s = SemiHonest::over_bound(link, binding, prepared, config)?;
        s.stats.phase_time[0] += connecting;
        s.stats.peer = peer.or_else(|| Some(addr.to_string()));
        Ok(s)
    }

    /// The garbler's verified identity (`None` in plaintext).
    pub(crate) fn peer_identity(&self) -> Option<&transport::PeerIdentity> {
        self.ch.get_ref().peer_identity()
    }
}

/// Tells the peer why the session ends, unless it is the peer that failed.
fn tell_peer<S: Read + Write>(ch: &mut Channel<S>, e: &EvalError) {
    if !matches!(
        e,
        EvalError::Protocol(
            ProtocolError::Peer { .. }
                | ProtocolError::Closed { .. }
                | ProtocolError::Timeout { .. }
        )
    ) {
        ch.send_error(&e.to_string());
    }
}

/// The handshake and the base OTs: returns the OT receiver (if the circuit
/// has evaluator inputs) and the garbler's hash key for the session.
fn setup<S: Read + Write>(
    ch: &mut Channel<S>,
    prepared: &Prepared,
    scheme: Scheme,
    ahead: Window,
    stats: &mut SessionStats,
) -> Result<(Option<OtReceiver>, HashKey, Window), EvalError> {
    let t = PhaseTimer::start(Phase::Handshake);
    ch.set_phase(Phase::Handshake);
    let ours = prepared.summary.clone();
    let binding = ch.binding().copied();
    let hello = Hello {
        version: PROTOCOL_VERSION,
        role: Party::Evaluator,
        circuit: (*ours).clone(),
        binding: binding.as_ref().map(protocol::binding_tag),
        scheme,
        security: protocol::Security::SemiHonest,
    };
    ch.send(Kind::Hello, &hello.encode())?;
    ch.send(Kind::Window, &ahead.encode())?;
    let needs_ot = !prepared.schedule.evaluator_inputs().is_empty();
    // The base-OT opening goes in the same flight as the hello.
    let setup = if needs_ot {
        let context = ot_context(binding.as_ref());
        let (setup, ot_hello) = OtReceiver::setup_with_context(Security::Malicious, context);
        ch.send(Kind::BaseOt, &ot_hello.encode())?;
        Some(setup)
    } else {
        None
    };
    let theirs = Hello::decode(&ch.recv_kind(Kind::Hello)?)?;
    if theirs.role != Party::Garbler {
        return Err(ProtocolError::Mismatch("the peer is not a garbler".into()).into());
    }
    theirs.check_binding(binding.as_ref())?;
    theirs.check_security(protocol::Security::SemiHonest)?;
    theirs.check_scheme(scheme)?;
    stats.scheme = Some(scheme);
    if let Some(diff) = ours.difference(&theirs.circuit) {
        return Err(ProtocolError::Mismatch(diff).into());
    }
    // The garbler's public hash key, fresh for its session: every garbled
    // table of the session is hashed under it.
    let key = protocol::decode_hash_key(&ch.recv_kind(Kind::HashKey)?)?;
    let window = Window::decode(&ch.recv_kind(Kind::Window)?)?;
    let table_bytes = scheme.wire_bytes(prepared.schedule.and_count()) as u64;
    if !ahead.admits(&window, table_bytes) {
        return Err(ProtocolError::Malformed {
            phase: Phase::Handshake,
            msg: format!(
                "the garbler would garble {} computations ahead, this side accepts at most {} \
                 within {} bytes",
                window.computations, ahead.computations, ahead.bytes
            ),
        }
        .into());
    }
    t.stop(stats);
    let mut ot = None;
    if let Some(setup) = setup {
        let t = PhaseTimer::start(Phase::BaseOt);
        ch.set_phase(Phase::BaseOt);
        let reply = BaseOtReply::decode(&ch.recv_kind(Kind::BaseOt)?)
            .map_err(|e| EvalError::ot(Phase::BaseOt, e))?;
        ot = Some(
            setup
                .finish(&reply)
                .map_err(|e| EvalError::ot(Phase::BaseOt, e))?,
        );
        t.stop(stats);
    }
    Ok((ot, key, window))
}

impl<S: Read + Write> SemiHonest<S> {
    /// A session over an already connected stream whose channel binding
    /// (for instance [`transport::TlsLink::channel_binding`]) is `binding`;
    /// the garbler's side must run with the same one.
    pub(crate) fn over_bound(
        stream: S,
        binding: Option<[u8; 32]>,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<SemiHonest<S>, EvalError> {
        let mut ch = Channel::new(stream, config.limits);
        if let Some(b) = binding {
            ch.bind(b);
        }
        if config.transcript {
            ch.record_transcript(false);
        }
        let mut stats = SessionStats {
            role: "evaluator",
            ..SessionStats::default()
        };
        let (ot, hash_key, window) =
            match setup(&mut ch, prepared, config.scheme, config.ahead, &mut stats) {
                Ok(done) => done,
                Err(e) => {
                    tell_peer(&mut ch, &e);
                    return Err(e);
                }
            };
        let and_gates = prepared.schedule.and_count();
        let table_bytes = config.scheme.wire_bytes(and_gates);
        let mut session = SemiHonest {
            ch,
            prepared: prepared.clone(),
            ot,
            stock: ReceiverStock::new(),
            stock_goal: FIRST_STOCK_GOAL,
            eval: EvaluatorSession::with_scheme(hash_key, config.scheme),
            stats,
            closed: false,
            buffer: Vec::new(),
            eval_wires: prepared.circuit.output_bits_of(Party::Evaluator),
            garbler_wires: prepared.circuit.output_bits_of(Party::Garbler),
            corrupt: false,
            ahead: AheadTables::new(window.computations as usize, table_bytes, and_gates),
            refill: None,
            ext: ExtendMsg::new(),
            ext_bytes: Vec::new(),
            request: Vec::new(),
            choices: Vec::new(),
            corrections: Vec::new(),
            ot_labels: Zeroizing::new(Vec::new()),
            secret: Zeroizing::new(Vec::new()),
            back: Zeroizing::new(Vec::new()),
        };
        if let Err(e) = session.refill_ahead() {
            session.fail(&e);
            return Err(e);
        }
        Ok(session)
    }

    /// Refills the random-OT stock ahead of need (between computations):
    /// the refill goes to the garbler with the next request, or at once
    /// when it is large. The first refill of a session covers the window.
    fn refill_ahead(&mut self) -> Result<(), EvalError> {
        let n_eval = self.prepared.schedule.evaluator_inputs().len();
        let Some(r) = self.ot.as_mut() else {
            return Ok(());
        };
        let low = n_eval * (self.ahead.window + 1);
        if self.stock.available() >= low || self.refill.is_some() {
            return Ok(());
        }
        let start = Instant::now();
        // Never past the stock's bound, whatever the window.
        let n = (2 * low)
            .max(self.stock_goal)
            .min(ot::MAX_STOCK / 2)
            .min(ot::MAX_STOCK - self.stock.available());
        if n == 0 {
            return Ok(());
        }
        self.stock_goal = (2 * self.stock_goal).min(MAX_STOCK_GOAL);
        self.stock
            .refill_into(r, n, &mut self.ext)
            .map_err(|e| EvalError::ot(Phase::OtExtension, e))?;
        self.refill = Some(n as u32);
        self.stats.offline += start.elapsed();
        Ok(())
    }

    /// Sends the refill of `count` OTs whose extension is in `self.ext` as
    /// a message of its own.
    fn send_refill(&mut self, count: u32) -> Result<(), EvalError> {
        self.ext_bytes.clear();
        self.ext.encode_into(&mut self.ext_bytes);
        Refill {
            count,
            extension: &self.ext_bytes,
        }
        .encode_into(&mut self.request);
        self.ext_bytes.clear();
        self.send_request(Kind::Refill)
    }

    /// Sends the payload encoded in the kept `self.request` buffer.
    fn send_request(&mut self, kind: Kind) -> Result<(), EvalError> {
        let request = std::mem::take(&mut self.request);
        let sent = self.send_checked(kind, &request);
        self.request = request;
        sent
    }

    /// Reads what the garbler sends until every computation it owes ahead
    /// has arrived: then it waits for this side, and a write of any size
    /// cannot block both sides.
    fn await_ahead(&mut self) -> Result<(), EvalError> {
        while !self.ahead.full() {
            self.ch.set_phase(Phase::Garbling);
            let kind = self.ch.recv_into(&mut self.buffer)?;
            if kind != Kind::Ahead {
                return Err(ProtocolError::Malformed {
                    phase: Phase::Garbling,
                    msg: format!("expected garbled tables ahead, got {kind:?}"),
                }
                .into());
            }
            self.ahead.receive(&self.buffer, &mut self.eval)?;
            self.stats.table_bytes += self.buffer.len() as u64;
        }
        Ok(())
    }

    /// Receives the next message of `kind`, keeping the garbled tables
    /// that arrive ahead of it.
    fn recv_online(&mut self, kind: Kind) -> Result<(), EvalError> {
        loop {
            let got = self.ch.recv_into(&mut self.buffer)?;
            if got == kind {
                return Ok(());
            }
            if got != Kind::Ahead {
                return Err(ProtocolError::Malformed {
                    phase: self.ch.phase(),
                    msg: format!("expected a {kind:?} message, got {got:?}"),
                }
                .into());
            }
            self.ahead.receive(&self.buffer, &mut self.eval)?;
            self.stats.table_bytes += self.buffer.len() as u64;
        }
    }

    /// Writes a message, first reading what the garbler owes ahead when the
    /// message is large (see [`SMALL_WRITE`]).
    fn send_checked(&mut self, kind: Kind, payload: &[u8]) -> Result<(), EvalError> {
        if payload.len() > SMALL_WRITE {
            self.await_ahead()?;
        }
        self.ch.send(kind, payload)?;
        Ok(())
    }

    /// Most bytes of tables garbled ahead this session has held at once;
    /// never more than the agreed window's bytes.
    pub(crate) fn ahead_high_water(&self) -> usize {
        self.ahead.high_water
    }

    /// The window of garbling ahead agreed with the garbler: computations
    /// and bytes of their tables.
    pub(crate) fn ahead_window(&self) -> Window {
        Window {
            computations: self.ahead.window as u32,
            bytes: (self.ahead.window * self.ahead.per) as u64,
        }
    }

    fn fail(&mut self, e: &EvalError) {
        tell_peer(&mut self.ch, e);
        self.closed = true;
    }

    /// [`crate::Session::evaluate_batch_with_contexts`] in this mode, its
    /// arguments and an open session checked there.
    pub(crate) fn evaluate_batch_with_contexts<B: AsRef<[bool]>, C: AsRef<[u8]>>(
        &mut self,
        batch: &[B],
        contexts: &[C],
    ) -> Result<Vec<Vec<bool>>, EvalError> {
        let want = self.prepared.schedule.evaluator_inputs().len();
        let mut out = Vec::with_capacity(batch.len());
        // Requests stay within the protocol's batch and message limits.
        let per = (MAX_BATCH as usize)
            .min((MAX_BATCH_BITS / want.max(1)).max(1))
            .min((MAX_BATCH_LABELS / self.garbler_wires.len().max(1)).max(1));
        for (part, contexts) in batch.chunks(per).zip(contexts.chunks(per)) {
            match self.compute(part, contexts) {
                Ok(mut o) => out.append(&mut o),
                Err(e) => {
                    self.fail(&e);
                    return Err(e);
                }
            }
        }
        Ok(out)
    }

    /// Makes every later computation send the garbler output labels with a
    /// bit flipped, as a cheating evaluator would: for tests of the
    /// garbler's output check, which must refuse them.
    #[cfg(feature = "fault-injection")]
    pub(crate) fn corrupt_output_labels(&mut self, on: bool) {
        self.corrupt = on;
    }

    /// Whether an earlier error closed the session (every later call fails).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    fn compute<B: AsRef<[bool]>, C: AsRef<[u8]>>(
        &mut self,
        batch: &[B],
        contexts: &[C],
    ) -> Result<Vec<Vec<bool>>, EvalError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let online = Instant::now();
        let count = batch.len();
        let n_eval = self.prepared.schedule.evaluator_inputs().len();
        let t = PhaseTimer::start(Phase::OtExtension);
        self.ch.set_phase(Phase::OtExtension);
        self.corrections.clear();
        self.ext_bytes.clear();
        let mut refill = 0;
        if self.ot.is_some() {
            self.choices.clear();
            for b in batch {
                self.choices.extend_from_slice(b.as_ref());
            }
            // Random OTs are made ahead and spent with one correction bit
            // per input: a small computation then costs a few bytes of OT
            // traffic, not an extension of its own. A refill made after the
            // last request goes first, on its own; a batch larger than the
            // stock refills in its request.
            let short = self.choices.len().saturating_sub(self.stock.available());
            if let Some(n) = self.refill.take() {
                if short > 0 || self.ext.encoded_len() > SMALL_WRITE {
                    self.send_refill(n)?;
                } else {
                    self.ext.encode_into(&mut self.ext_bytes);
                    refill = n;
                }
            }
            if refill == 0 && short > 0 {
                let mut n = short.max(self.stock_goal);
                self.stock_goal = (2 * self.stock_goal).min(MAX_STOCK_GOAL);
                // A refill larger than one checked chunk goes ahead as a run
                // of chunk-sized refills, each sent as soon as it is made:
                // the garbler checks and extends one while this side makes
                // the next. The last goes in the request.
                let chunk = Security::Malicious.chunk_ots();
                while n > chunk {
                    self.stock
                        .refill_into(r_again(&mut self.ot)?, chunk, &mut self.ext)
                        .map_err(|e| EvalError::ot(Phase::OtExtension, e))?;
                    self.send_refill(chunk as u32)?;
                    self.ch.flush()?;
                    n -= chunk;
                }
                self.stock
                    .refill_into(r_again(&mut self.ot)?, n, &mut self.ext)
                    .map_err(|e| EvalError::ot(Phase::OtExtension, e))?;
                self.ext.encode_into(&mut self.ext_bytes);
                refill = n as u32;
            }
            let spent =
                self.stock
                    .spend_append(&self.choices, &mut self.corrections, &mut self.ot_labels);
            wipe(&mut self.choices);
            spent.map_err(|e| EvalError::ot(Phase::OtExtension, e))?;
        }
        // Taken for the request (put back, wiped, at its end): the labels
        // of the evaluator's inputs.
        let mut labels = std::mem::take(&mut self.ot_labels);
        let contexts = pack_contexts(contexts)?;
        Compute {
            count: count as u32,
            refill,
            extension: &self.ext_bytes,
            corrections: &self.corrections,
            contexts: &contexts,
        }
        .encode_into(&mut self.request);
        self.send_request(Kind::Compute)?;
        self.ch.flush()?;
        t.stop(&mut self.stats);

        let n_out = self.prepared.circuit.output_wires.len();
        let mut results = Vec::with_capacity(count);
        // The output labels the garbler learns, of every computation.
        let mut back = std::mem::take(&mut self.back);
        wipe(&mut back);
        // The computations garbled ahead come first: the garbler answers
        // with their input labels and decoding bits, and their tables are
        // here already (or arrive before the answer).
        let ready = count.min(self.ahead.window);
        if ready > 0 {
            let t = PhaseTimer::start(Phase::Garbling);
            self.ch.set_phase(Phase::Garbling);
            let n_g = self.prepared.schedule.garbler_inputs().len();
            self.recv_online(Kind::Inputs)?;
            let per = 16 * (n_g + n_eval);
            if self.buffer.len() != ready * per {
                return Err(ProtocolError::Malformed {
                    phase: Phase::Garbling,
                    msg: format!(
                        "{} bytes of input labels for {ready} computations, expected {}",
                        self.buffer.len(),
                        ready * per
                    ),
                }
                .into());
            }
            // The answer moves to the kept secret buffer (wiped below), the
            // receive buffer takes that one's memory.
            let mut inputs = std::mem::take(&mut self.secret);
            std::mem::swap(&mut *inputs, &mut self.buffer);
            self.ch.set_phase(Phase::Output);
            self.recv_online(Kind::Decoding)?;
            let decoding = OutputDecoding::from_bytes(&self.buffer, ready * self.eval_wires.len())?;
            if self.ahead.tweaks.len() < ready {
                return Err(ProtocolError::Malformed {
                    phase: Phase::Garbling,
                    msg: format!(
                        "input labels for {ready} computations garbled ahead, {} arrived",
                        self.ahead.tweaks.len()
                    ),
                }
                .into());
            }
            let schedule = self.prepared.schedule.clone();
            let mut garbler_labels: Zeroizing<Vec<Block>> = Zeroizing::new(Vec::with_capacity(n_g));
            let mut mine: Zeroizing<Vec<Block>> = Zeroizing::new(Vec::with_capacity(n_eval));
            let per_eval = self.eval_wires.len();
            for c in 0..ready {
                let block = |i: usize| {
                    Block::from_bytes(
                        inputs[c * per + 16 * i..][..16]
                            .try_into()
                            .unwrap_or([0; 16]),
                    )
                };
                garbler_labels.clear();
                garbler_labels.extend((0..n_g).map(block));
                mine.clear();
                mine.extend((0..n_eval).map(|i| block(n_g + i) ^ labels[c * n_eval + i]));
                let tweak = self.ahead.tweaks.pop_front().unwrap_or_default();
                let tables = &self.ahead.bytes[self.ahead.head..][..self.ahead.per];
                let mut run =
                    self.eval
                        .evaluate_reserved(&schedule, tweak, &garbler_labels, &mine)?;
                run.feed(tables)?;
                self.ahead.head += self.ahead.per;
                let all = Zeroizing::new(run.finish_labels()?);
                let learned: Vec<Block> = self.eval_wires.iter().map(|&w| all[w]).collect();
                let d = OutputDecoding::from_bits(
                    decoding.bits()[c * per_eval..(c + 1) * per_eval].to_vec(),
                );
                results.push(decode(&learned, &d));
                for &w in &self.garbler_wires {
                    let mut label = all[w];
                    if self.corrupt {
                        label ^= Block(1 << 77);
                    }
                    back.extend_from_slice(&label.to_bytes());
                }
            }
            if self.ahead.head == self.ahead.bytes.len() {
                self.ahead.bytes.clear();
                self.ahead.head = 0;
            }
            labels[..ready * n_eval]
                .iter_mut()
                .for_each(Zeroize::zeroize);
            wipe(&mut inputs);
            self.secret = inputs;
            t.stop(&mut self.stats);
        }
        // The rest was garbled on request. Narrow circuits run in groups of
        // copies side by side, split as the garbler splits them: each group
        // is one garbled circuit.
        let mut first = ready;
        for copies in self.prepared.groups(count - ready) {
            let schedule = self.prepared.group_schedule(copies)?;
            let t = PhaseTimer::start(Phase::Garbling);
            self.ch.set_phase(Phase::Garbling);
            let n_g = schedule.garbler_inputs().len();
            // The garbler's active labels: wiped with their copy below.
            self.recv_online(Kind::GarblerLabels)?;
            if self.buffer.len() != 16 * n_g {
                return Err(ProtocolError::Malformed {
                    phase: Phase::Garbling,
                    msg: format!(
                        "{} bytes of garbler labels, expected {}",
                        self.buffer.len(),
                        16 * n_g
                    ),
                }
                .into());
            }
            let garbler_labels: Zeroizing<Vec<Block>> = Zeroizing::new(
                self.buffer
                    .chunks_exact(16)
                    .map(|c| Block::from_bytes(c.try_into().unwrap_or([0; 16])))
                    .collect(),
            );
            wipe(&mut self.buffer);
            let mine = &labels[first * n_eval..(first + copies) * n_eval];
            let mut run = self.eval.evaluate(&schedule, &garbler_labels, mine)?;
            while run.remaining_tables() > 0 {
                self.ch.recv_kind_into(Kind::Tables, &mut self.buffer)?;
                self.stats.table_bytes += self.buffer.len() as u64;
                run.feed(&self.buffer)?;
            }
            t.stop(&mut self.stats);

            let t = PhaseTimer::start(Phase::Output);
            self.ch.set_phase(Phase::Output);
            // Decoding bits come for the outputs the evaluator learns only;
            // the outputs the garbler learns go back as labels, which the
            // garbler checks and decodes.
            self.ch.recv_kind_into(Kind::Decoding, &mut self.buffer)?;
            let decoding =
                OutputDecoding::from_bytes(&self.buffer, copies * self.eval_wires.len())?;
            let all = Zeroizing::new(run.finish_labels()?);
            let mine: Vec<Block> = (0..copies)
                .flat_map(|c| self.eval_wires.iter().map(move |&w| c * n_out + w))
                .map(|i| all[i])
                .collect();
            let bits = decode(&mine, &decoding);
            let per = self.eval_wires.len();
            for c in 0..copies {
                for &w in &self.garbler_wires {
                    let mut label = all[c * n_out + w];
                    if self.corrupt {
                        label ^= Block(1 << 77);
                    }
                    back.extend_from_slice(&label.to_bytes());
                }
                results.push(bits[c * per..(c + 1) * per].to_vec());
            }
            t.stop(&mut self.stats);
            first += copies;
        }
        wipe(&mut labels);
        self.ot_labels = labels;
        self.stats
            .online
            .record(online.elapsed() / count as u32, count as u64);
        // The labels of the outputs the garbler learns go back in one
        // message once every computation of the request is evaluated;
        // nothing when the garbler learns no output.
        if !self.garbler_wires.is_empty() {
            let t = PhaseTimer::start(Phase::Output);
            let sent = self.send_checked(Kind::Result, &back);
            wipe(&mut back);
            self.back = back;
            sent?;
            self.ch.flush()?;
            t.stop(&mut self.stats);
        }
        self.stats.computations += count as u64;
        self.stats.and_gates += (count * self.prepared.schedule.and_count()) as u64;
        self.refill_ahead()?;
        Ok(results)
    }

    /// Statistics so far (traffic, rounds, time per phase, transcript).
    pub(crate) fn stats(&self) -> SessionStats {
        let mut s = self.stats.clone();
        s.channel = self.ch.stats();
        s.transcript = self.ch.transcript_digest();
        s
    }

    /// Ends the session politely; returns the final statistics.
    pub(crate) fn close(mut self) -> Result<SessionStats, EvalError> {
        if !self.closed {
            self.closed = true;
            // The garbler may still be sending tables ahead: read them, so
            // that it reads the goodbye (not a reset) once it is done.
            self.await_ahead()?;
            self.ch.send(Kind::Bye, &[])?;
            self.ch.flush()?;
        }
        Ok(self.stats())
    }
}

/// The evaluator's input bits of a typed value (see
/// [`Session::evaluate_typed`]).
pub(crate) fn encode_typed(
    circuit: &Circuit,
    inputs: &(impl typed::Serialize + ?Sized),
) -> Result<Vec<bool>, EvalError> {
    Ok(typed::encode_inputs(
        circuit,
        Some(Party::Evaluator),
        inputs,
    )?)
}

/// What the evaluator learns as Rust data, from the bits of the outputs it
/// learns (`eval_wires`: their places among all the output bits).
pub(crate) fn decode_typed<O: typed::DeserializeOwned>(
    circuit: &Circuit,
    eval_wires: &[usize],
    learned: &[bool],
) -> Result<O, EvalError> {
    // Put the evaluator's bits in place among all the circuit's output bits
    // (the others stay unset: the decoding reads the evaluator's parts alone).
    let mut all = vec![false; circuit.output_wires.len()];
    for (&i, &b) in eval_wires.iter().zip(learned) {
        all[i] = b;
    }
    Ok(typed::decode_outputs(
        circuit,
        &all,
        Some(Party::Evaluator),
    )?)
}

/// The OT receiver of a session whose circuit has evaluator inputs.
fn r_again(ot: &mut Option<OtReceiver>) -> Result<&mut OtReceiver, EvalError> {
    ot.as_mut().ok_or_else(|| {
        ProtocolError::Malformed {
            phase: Phase::OtExtension,
            msg: "no OT session".into(),
        }
        .into()
    })
}
