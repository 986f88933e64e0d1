//! The evaluator's side of a session: connect once, evaluate many times.
//!
//! Over TLS ([`ClientSecurity::Tls`]) the session is bound to the
//! connection: the TLS channel binding opens the transcript digest, its hash
//! goes in the hello (a relay between two TLS connections is reported as a
//! channel binding mismatch) and every OT key derives from it.
//!
//! ```no_run
//! use circuits::bristol;
//! use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
//! use transport::TlsConfig;
//! let circuit = bristol::read_file("aes_128.txt".as_ref(), 1)?;
//! // Prepare once (schedule and digest), connect as often as needed.
//! let prepared = Prepared::new(circuit)?;
//! let tls = TlsConfig::load(
//!     "certs/evaluator.pem".as_ref(),
//!     "certs/evaluator.key".as_ref(),
//!     "certs/ca.pem".as_ref(),
//! )?;
//! let security = ClientSecurity::Tls(tls.connector()?);
//! let mut session = Session::connect("garbler.example:7000", &security, &prepared, SessionConfig::default())?;
//! for key in ["0", "1"] {
//!     let lines = session.evaluate_values(&[key.to_string()])?;
//!     println!("{}", lines.join("\n"));
//! }
//! session.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::{decode, EvalError, EvaluatorSession};
use circuits::{typed, value, Circuit, Party};
use crypto::{Block, HashKey, OutputDecoding, Scheme};
use ot::{BaseOtReply, OtReceiver, ReceiverStock, Security};
use protocol::{
    ot_context, pack_contexts, Channel, Compute, Hello, Kind, Limits, Phase, PhaseTimer, Prepared,
    ProtocolError, SessionStats, MAX_BATCH, MAX_BATCH_BITS, MAX_BATCH_LABELS, MAX_CONTEXT,
    PROTOCOL_VERSION,
};
use std::io::{Read, Write};
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
}

/// A session with a garbler: the handshake and base OTs are done once, in
/// [`Session::connect`]; each [`Session::evaluate`] is one computation.
pub struct Session<S: Read + Write = Link> {
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
}

impl Session<Link> {
    /// Connects to a garbler at `addr` (`HOST:PORT`, each address it
    /// resolves to tried within the timeout), secures the connection as
    /// `security` says (with TLS: the garbler's certificate checked against
    /// the CA and HOST, ours presented, the garbler's admission awaited),
    /// agrees on the circuit and runs the base OTs, bound to the
    /// connection's TLS channel binding.
    pub fn connect(
        addr: &str,
        security: &ClientSecurity,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<Session<Link>, EvalError> {
        let start = std::time::Instant::now();
        let link = security.dial(addr, config.limits)?;
        let connecting = start.elapsed();
        let binding = link.channel_binding();
        let peer = link.peer_identity().map(|p| p.name().to_string());
        let mut s = Session::over_bound(link, binding, prepared, config)?;
        s.stats.phase_time[0] += connecting;
        s.stats.peer = peer.or_else(|| Some(addr.to_string()));
        Ok(s)
    }

    /// The garbler's verified identity (`None` in plaintext).
    pub fn peer_identity(&self) -> Option<&transport::PeerIdentity> {
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
    stats: &mut SessionStats,
) -> Result<(Option<OtReceiver>, HashKey), EvalError> {
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
    };
    ch.send(Kind::Hello, &hello.encode())?;
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
    theirs.check_scheme(scheme)?;
    stats.scheme = Some(scheme);
    if let Some(diff) = ours.difference(&theirs.circuit) {
        return Err(ProtocolError::Mismatch(diff).into());
    }
    // The garbler's public hash key, fresh for its session: every garbled
    // table of the session is hashed under it.
    let key = ch.recv_kind(Kind::HashKey)?;
    let key: [u8; HashKey::BYTES] =
        key.as_slice()
            .try_into()
            .map_err(|_| ProtocolError::Malformed {
                phase: Phase::Handshake,
                msg: format!(
                    "a hash key of {} bytes, expected {}",
                    key.len(),
                    HashKey::BYTES
                ),
            })?;
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
    Ok((ot, HashKey::from_bytes(key)))
}

impl<S: Read + Write> Session<S> {
    /// A session over an already connected stream (any `Read + Write`),
    /// bound to no channel binding.
    pub fn over(
        stream: S,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<Session<S>, EvalError> {
        Session::over_bound(stream, None, prepared, config)
    }

    /// A session over an already connected stream whose channel binding
    /// (for instance [`transport::TlsLink::channel_binding`]) is `binding`;
    /// the garbler's side must run with the same one.
    pub fn over_bound(
        stream: S,
        binding: Option<[u8; 32]>,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<Session<S>, EvalError> {
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
        let (ot, hash_key) = match setup(&mut ch, prepared, config.scheme, &mut stats) {
            Ok(done) => done,
            Err(e) => {
                tell_peer(&mut ch, &e);
                return Err(e);
            }
        };
        Ok(Session {
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
        })
    }

    fn fail(&mut self, e: &EvalError) {
        tell_peer(&mut self.ch, e);
        self.closed = true;
    }

    /// The circuit of this session.
    pub fn circuit(&self) -> &Circuit {
        &self.prepared.circuit
    }

    /// Runs one computation with the evaluator's input bits (its inputs'
    /// bits in wire order); returns the output bits the evaluator learns:
    /// those of the outputs revealed to it or to both, in order
    /// ([`Circuit::output_bits_of`]; every output bit for Bristol circuits
    /// and untagged outputs). Outputs revealed to the garbler alone are not
    /// decodable here: the garbler sends no decoding bits for them, and
    /// gets their labels back. Format the bits with
    /// [`circuits::value::format_learned`]. After an error the session is
    /// closed and every later call fails. The computation's context is
    /// empty (see [`Session::evaluate_with_context`]).
    pub fn evaluate(&mut self, bits: &[bool]) -> Result<Vec<bool>, EvalError> {
        self.evaluate_with_context(&[], bits)
    }

    /// Like [`Session::evaluate`], for a computation whose public context
    /// is `context` (an auction id, say; at most [`protocol::MAX_CONTEXT`]
    /// bytes): it goes to the garbler with the request, which its input
    /// source is given to choose the garbler's inputs, and into the
    /// transcript. It is not secret: anyone on the path could read it
    /// without TLS. A longer context is refused before anything is sent
    /// (the session stays open).
    pub fn evaluate_with_context(
        &mut self,
        context: &[u8],
        bits: &[bool],
    ) -> Result<Vec<bool>, EvalError> {
        let mut out = self.evaluate_batch_with_contexts(&[bits], &[context])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Runs several computations in one flight: one OT extension and one
    /// request for all of them, then the garbled circuits stream back in
    /// order. Costs about one round trip for the whole batch instead of one
    /// per computation. Returns each computation's output bits, as
    /// [`Session::evaluate`] does. Each computation's context is empty.
    pub fn evaluate_batch<B: AsRef<[bool]>>(
        &mut self,
        batch: &[B],
    ) -> Result<Vec<Vec<bool>>, EvalError> {
        let none: Vec<&[u8]> = vec![&[]; batch.len()];
        self.evaluate_batch_with_contexts(batch, &none)
    }

    /// Like [`Session::evaluate_batch`], with one public context per
    /// computation (see [`Session::evaluate_with_context`]), in the same
    /// order: the garbler's input source sees them in that order.
    pub fn evaluate_batch_with_contexts<B: AsRef<[bool]>, C: AsRef<[u8]>>(
        &mut self,
        batch: &[B],
        contexts: &[C],
    ) -> Result<Vec<Vec<bool>>, EvalError> {
        if self.closed {
            return Err(EvalError::SessionClosed);
        }
        if contexts.len() != batch.len() {
            return Err(EvalError::Contexts {
                computations: batch.len(),
                contexts: contexts.len(),
            });
        }
        let want = self.prepared.schedule.evaluator_inputs().len();
        for bits in batch {
            if bits.as_ref().len() != want {
                return Err(EvalError::EvaluatorInputs {
                    expected: want,
                    got: bits.as_ref().len(),
                });
            }
        }
        for c in contexts {
            if c.as_ref().len() > MAX_CONTEXT {
                return Err(ProtocolError::ContextTooLong {
                    len: c.as_ref().len(),
                }
                .into());
            }
        }
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

    /// Like [`Session::evaluate`], with the evaluator's values as literals of
    /// the language (one per evaluator parameter); returns the outputs the
    /// evaluator learns as literals, one per output value.
    pub fn evaluate_values(&mut self, values: &[String]) -> Result<Vec<String>, EvalError> {
        let bits = value::parse_inputs(&self.prepared.circuit, Some(Party::Evaluator), values)?;
        let out = self.evaluate(&bits)?;
        Ok(value::format_learned_parts(
            &self.prepared.circuit,
            Party::Evaluator,
            &out,
        ))
    }

    /// Makes every later computation send the garbler output labels with a
    /// bit flipped, as a cheating evaluator would: for tests of the
    /// garbler's output check, which must refuse them.
    #[cfg(feature = "fault-injection")]
    pub fn corrupt_output_labels(&mut self, on: bool) {
        self.corrupt = on;
    }

    /// Like [`Session::evaluate`], with the evaluator's inputs and what it
    /// learns of the outputs as Rust data (see [`circuits::typed`]):
    /// `inputs` is a struct with one field per evaluator parameter (by
    /// name), a tuple of them in order, or the value itself when there is
    /// one; the result `O` is the one output part revealed to the evaluator,
    /// or a tuple of several. A value that does not match a declared type is
    /// an [`EvalError::Circuit`] naming the parameter or output (never the
    /// value), and the session stays open.
    ///
    /// ```no_run
    /// use circuits::typed::BigInt;
    /// use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
    /// // fn main(garbler a: u256, evaluator b: u256) -> (u256, bool, u13)
    /// let circuit = compiler::compile_file("examples/wide.mpc".as_ref())
    ///     .map_err(|e| format!("{e:?}"))?;
    /// let prepared = Prepared::new(circuit)?;
    /// let tls = transport::TlsConfig::load(
    ///     "evaluator.pem".as_ref(),
    ///     "evaluator.key".as_ref(),
    ///     "ca.pem".as_ref(),
    /// )?;
    /// let security = ClientSecurity::Tls(tls.connector()?);
    /// let mut session =
    ///     Session::connect("garbler.example:7000", &security, &prepared, SessionConfig::default())?;
    /// let b: BigInt = "0x1_0000_0000_0000_0000_0000_0000_0000_0000".parse()?;
    /// let (sum, big, low) = session.evaluate_typed::<(BigInt, bool, u16)>(&b)?;
    /// println!("{sum} {big} {low}");
    /// // A derived `#[derive(Deserialize)] enum Sale { NoSale, Sold { winner: u8, price: u32 } }`
    /// // reads the result of examples/vickrey_reserve.mpc the same way.
    /// session.close()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_typed<O: typed::DeserializeOwned>(
        &mut self,
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> Result<O, EvalError> {
        self.evaluate_typed_with_context(&[], inputs)
    }

    /// [`Session::evaluate_typed`] for a computation with a public context
    /// (see [`Session::evaluate_with_context`]).
    pub fn evaluate_typed_with_context<O: typed::DeserializeOwned>(
        &mut self,
        context: &[u8],
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> Result<O, EvalError> {
        let bits = self.encode(inputs)?;
        let learned = self.evaluate_with_context(context, &bits)?;
        self.decode(&learned)
    }

    /// [`Session::evaluate_typed`] for a batch in one flight (see
    /// [`Session::evaluate_batch_with_contexts`]): one input value and one
    /// context per computation, the results in the same order.
    pub fn evaluate_typed_batch<O: typed::DeserializeOwned, C: AsRef<[u8]>>(
        &mut self,
        inputs: &[impl typed::Serialize],
        contexts: &[C],
    ) -> Result<Vec<O>, EvalError> {
        let bits = inputs
            .iter()
            .map(|i| self.encode(i))
            .collect::<Result<Vec<_>, _>>()?;
        let learned = self.evaluate_batch_with_contexts(&bits, contexts)?;
        learned.iter().map(|l| self.decode(l)).collect()
    }

    /// The evaluator's input bits of a typed value.
    fn encode(&self, inputs: &(impl typed::Serialize + ?Sized)) -> Result<Vec<bool>, EvalError> {
        encode_typed(&self.prepared.circuit, inputs)
    }

    /// What the evaluator learns, from the bits [`Session::evaluate`]
    /// returns, as Rust data.
    fn decode<O: typed::DeserializeOwned>(&self, learned: &[bool]) -> Result<O, EvalError> {
        decode_typed(&self.prepared.circuit, &self.eval_wires, learned)
    }

    /// Whether an earlier error closed the session (every later call fails).
    pub fn is_closed(&self) -> bool {
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
        let n_eval = self.prepared.schedule.evaluator_inputs().len();
        let t = PhaseTimer::start(Phase::OtExtension);
        self.ch.set_phase(Phase::OtExtension);
        let (refill, extension, corrections, labels) = match self.ot.as_mut() {
            Some(r) => {
                let mut choices: Vec<bool> = batch
                    .iter()
                    .flat_map(|b| b.as_ref().iter().copied())
                    .collect();
                // Random OTs are made ahead in growing refills and spent with
                // one correction bit per input: a small computation then
                // costs a few bytes of OT traffic, not an extension of its own.
                let short = choices.len().saturating_sub(self.stock.available());
                let refill = if short > 0 {
                    let n = short.max(self.stock_goal);
                    self.stock_goal = (2 * self.stock_goal).min(MAX_STOCK_GOAL);
                    n
                } else {
                    0
                };
                let extension = if refill > 0 {
                    self.stock
                        .refill(r, refill)
                        .map_err(|e| EvalError::ot(Phase::OtExtension, e))?
                        .encode()
                } else {
                    Vec::new()
                };
                let spent = self.stock.spend(&choices);
                choices.zeroize();
                let (corrections, labels) =
                    spent.map_err(|e| EvalError::ot(Phase::OtExtension, e))?;
                (refill as u32, extension, corrections, labels)
            }
            None => (0, Vec::new(), Vec::new(), Vec::new()),
        };
        let labels = Zeroizing::new(labels);
        let contexts = pack_contexts(contexts)?;
        let request = Compute {
            count: batch.len() as u32,
            refill,
            extension: &extension,
            corrections: &corrections,
            contexts: &contexts,
        };
        self.ch.send(Kind::Compute, &request.encode())?;
        self.ch.flush()?;
        t.stop(&mut self.stats);

        let n_out = self.prepared.circuit.output_wires.len();
        let mut results = Vec::with_capacity(batch.len());
        // The output labels the garbler learns, of every computation.
        let mut back = Zeroizing::new(Vec::with_capacity(
            16 * batch.len() * self.garbler_wires.len(),
        ));
        // Narrow circuits run in groups of copies side by side, split as the
        // garbler splits them: each group is one garbled circuit.
        let mut first = 0;
        for copies in self.prepared.groups(batch.len()) {
            let schedule = self.prepared.group_schedule(copies)?;
            let t = PhaseTimer::start(Phase::Garbling);
            self.ch.set_phase(Phase::Garbling);
            let n_g = schedule.garbler_inputs().len();
            // The garbler's active labels: wiped with their copy below.
            let payload = Zeroizing::new(self.ch.recv_kind(Kind::GarblerLabels)?);
            if payload.len() != 16 * n_g {
                return Err(ProtocolError::Malformed {
                    phase: Phase::Garbling,
                    msg: format!(
                        "{} bytes of garbler labels, expected {}",
                        payload.len(),
                        16 * n_g
                    ),
                }
                .into());
            }
            let garbler_labels: Zeroizing<Vec<Block>> = Zeroizing::new(
                payload
                    .chunks_exact(16)
                    .map(|c| Block::from_bytes(c.try_into().unwrap_or([0; 16])))
                    .collect(),
            );
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
            let payload = self.ch.recv_kind(Kind::Decoding)?;
            let decoding = OutputDecoding::from_bytes(&payload, copies * self.eval_wires.len())?;
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
        // The labels of the outputs the garbler learns go back once every
        // garbled circuit of the batch is in: the garbler reads them only
        // then, so sending earlier could block both sides on full buffers.
        // One Result per computation, empty when the garbler learns nothing.
        let per_result = 16 * self.garbler_wires.len();
        for c in 0..batch.len() {
            self.ch
                .send(Kind::Result, &back[c * per_result..(c + 1) * per_result])?;
        }
        self.ch.flush()?;
        drop(labels);
        self.stats.computations += batch.len() as u64;
        self.stats.and_gates += (batch.len() * self.prepared.schedule.and_count()) as u64;
        Ok(results)
    }

    /// Statistics so far (traffic, rounds, time per phase, transcript).
    pub fn stats(&self) -> SessionStats {
        let mut s = self.stats.clone();
        s.channel = self.ch.stats();
        s.transcript = self.ch.transcript_digest();
        s
    }

    /// Ends the session politely; returns the final statistics.
    pub fn close(mut self) -> Result<SessionStats, EvalError> {
        if !self.closed {
            self.closed = true;
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
