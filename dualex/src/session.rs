//! The dual-execution session: handshake, both OT directions, and per
//! computation both garblings, both evaluations, the decoding bits and the
//! equality test. One thread per side.
//!
//! ```text
//! evaluator side (E)                          garbler side (G)
//! Hello, BaseOt opening (E's inputs)      ->
//!                                         <-  Hello, HashKey, BaseOt opening (G's inputs)
//! BaseOt reply, HashKey                   ->
//!                                         <-  BaseOt reply
//!   per computation:
//! Compute (context), OtExtension          ->  (refill if short, corrections)
//!                                         <-  OtExtension
//! both at once, each side alternating one piece of its own with one of the
//! peer's: Tables (first chunk), GarblerLabels (own input labels, then an
//! offset L0 ^ z per peer input bit), Tables..., Decoding
//! Equality (corrections)                  <-> Equality (corrections)
//! Equality (tag)                          <-> Equality (tag)
//! Bye                                     ->
//! ```
//!
//! Where both sides write at once, each has at most one piece (at most
//! [`PIECE`] bytes) unread by the other, which the socket buffers hold.
//! The one large message, an OT message with a refill, is read by the
//! garbler side before it writes anything of that computation when the
//! evaluator side sends it, and by the evaluator side after at most one
//! piece of its own when the garbler side does.

use crate::equality::{self, Test};
use crate::{Deviation, DualError};
use circuits::{Circuit, Party};
use crypto::{Block, HashKey, Label, OutputDecoding, Scheme};
use engine::{EvaluatorSession, GarblerSession, OutputCheck};
use ot::{BaseOtHello, BaseOtReply, ExtendMsg, OtReceiver, OtSender, ReceiverStock, SenderStock};
use protocol::{
    Channel, Hello, InputSource, Kind, Limits, Phase, PhaseTimer, Prepared, ProtocolError,
    Security, SessionStats, PROTOCOL_VERSION,
};
use std::io::{Read, Write};
use transport::{ClientSecurity, Link};
use zeroize::Zeroize;

/// Most bytes of one message of the garbling exchange: one chunk of the
/// garbling engine, within the socket buffers of every common system
/// (Linux receives 128 KiB by default), so that both sides may write one at
/// once. Smaller pieces cost a hand-over between the parties each.
const PIECE: usize = crypto::MAX_CHUNK_ANDS * crypto::TABLE_BYTES;

/// Most random OTs one refill makes (a message of about 2 MiB).
const MAX_REFILL: usize = 1 << 17;

/// Session settings, the same for both sides.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Message size limit and peer timeout.
    pub limits: Limits,
    /// Most computations the session may run (`None`: as many as the
    /// evaluator side asks). Counted by the garbler side.
    pub max_computations: Option<u64>,
    /// Record the transcript digest (costs a blake3 pass over the traffic).
    pub transcript: bool,
    /// A deviation from the protocol, for the tests of what an honest side
    /// detects. [`Deviation::None`] in any real use.
    #[doc(hidden)]
    pub deviation: Deviation,
}

/// What one side holds for the whole session.
struct Core<S: Read + Write> {
    ch: Channel<S>,
    /// The side's party: the garbler side listens and takes its OT message
    /// first; the evaluator side asks for computations.
    me: Party,
    prepared: Prepared,
    /// The circuit this side garbles (its inputs are the schedule's
    /// garbler inputs).
    mine: Prepared,
    /// The circuit the peer garbles, which this side evaluates.
    theirs: Prepared,
    garbler: GarblerSession,
    eval: EvaluatorSession,
    /// Sends the peer's input labels into this side's garbling.
    ot_send: Option<OtSender>,
    /// Receives this side's input labels into the peer's garbling.
    ot_recv: Option<OtReceiver>,
    /// Random OTs made ahead for this side's inputs, spent with one
    /// correction bit each.
    recv_stock: ReceiverStock,
    /// The peer's random OTs, spent as it corrects them.
    send_stock: SenderStock,
    /// The next refill's size (doubling up to [`MAX_REFILL`]).
    refill_goal: usize,
    /// Both hash keys and the channel binding: what every equality test
    /// of the session is bound to.
    context: [u8; 32],
    deviation: Deviation,
    /// The circuit a deviating side garbles instead of `mine`.
    cheat: Option<Prepared>,
    stats: SessionStats,
    buffer: Vec<u8>,
}

/// What a side garbles and evaluates, prepared before it takes a channel.
struct Circuits {
    prepared: Prepared,
    mine: Prepared,
    theirs: Prepared,
    cheat: Option<Prepared>,
}

impl Circuits {
    fn new(me: Party, prepared: &Prepared, config: &Config) -> Result<Circuits, DualError> {
        // The evaluator side garbles the circuit with the inputs swapped:
        // its own are then the schedule's garbler inputs, the garbler
        // side's come by OT; gates and outputs are the same.
        let other = prepared.swapped()?;
        let (mine, theirs) = match me {
            Party::Garbler => (prepared.clone(), other),
            Party::Evaluator => (other, prepared.clone()),
        };
        let cheat = match &config.deviation {
            Deviation::GarbleCircuit(c) => {
                let p = Prepared::new(c.clone())?;
                Some(match me {
                    Party::Garbler => p,
                    Party::Evaluator => p.swapped()?,
                })
            }
            _ => None,
        };
        Ok(Circuits {
            prepared: prepared.clone(),
            mine,
            theirs,
            cheat,
        })
    }
}

impl<S: Read + Write> Core<S> {
    /// A side on a channel already set up (binding, transcript, limits).
    fn on(ch: Channel<S>, me: Party, circuits: Circuits, config: &Config) -> Core<S> {
        let Circuits {
            prepared,
            mine,
            theirs,
            cheat,
        } = circuits;
        // A one-shot session makes just the OTs its computation needs; a
        // longer one twice as many at each refill.
        let refill_goal = prepared.circuit.party_input_bits(me) + equality::TEST_BITS;
        Core {
            ch,
            me,
            prepared,
            mine,
            theirs,
            garbler: GarblerSession::with_scheme(Scheme::HalfGates),
            // Replaced by one under the peer's key at the handshake.
            eval: EvaluatorSession::new(HashKey::random()),
            ot_send: None,
            ot_recv: None,
            recv_stock: ReceiverStock::new(),
            send_stock: SenderStock::new(),
            refill_goal,
            context: [0; 32],
            deviation: config.deviation.clone(),
            cheat,
            stats: SessionStats {
                role: match me {
                    Party::Garbler => "garbler",
                    Party::Evaluator => "evaluator",
                },
                scheme: Some(Scheme::HalfGates),
                ..SessionStats::default()
            },
            buffer: Vec::new(),
        }
    }

    fn hello(&self) -> Hello {
        Hello {
            version: PROTOCOL_VERSION,
            role: self.me,
            circuit: (*self.prepared.summary).clone(),
            binding: self.ch.binding().map(protocol::binding_tag),
            scheme: Scheme::HalfGates,
            security: Security::DualExecution,
        }
    }

    /// The peer's hello, checked: role, binding, mode, scheme, circuit.
    fn check_hello(&self, payload: &[u8]) -> Result<(), DualError> {
        let theirs = Hello::decode(payload)?;
        let want = self.peer();
        if theirs.role != want {
            return Err(
                ProtocolError::Mismatch(format!("the peer is not {}", party_name(want))).into(),
            );
        }
        theirs.check_binding(self.ch.binding())?;
        theirs.check_security(Security::DualExecution)?;
        theirs.check_scheme(Scheme::HalfGates)?;
        if let Some(diff) = self.prepared.summary.difference(&theirs.circuit) {
            return Err(ProtocolError::Mismatch(diff).into());
        }
        Ok(())
    }

    /// The OT context of one direction: `to` is the party whose inputs the
    /// OTs carry.
    fn ot_context(&self, to: Party) -> [u8; 32] {
        let base = protocol::ot_context(self.ch.binding());
        let label = match to {
            Party::Evaluator => "mpcc dual execution OT to the evaluator side v1",
            Party::Garbler => "mpcc dual execution OT to the garbler side v1",
        };
        blake3::derive_key(label, &base)
    }

    /// The other side's party.
    fn peer(&self) -> Party {
        match self.me {
            Party::Garbler => Party::Evaluator,
            Party::Evaluator => Party::Garbler,
        }
    }

    /// This side's input `bits` have the length the circuit takes.
    fn check_inputs(&self, bits: &[bool]) -> Result<(), DualError> {
        let expected = self.bits_of(self.me);
        if bits.len() == expected {
            Ok(())
        } else {
            Err(DualError::Inputs {
                expected,
                got: bits.len(),
            })
        }
    }

    /// Input bits of `party` in the circuit.
    fn bits_of(&self, party: Party) -> usize {
        self.prepared.circuit.party_input_bits(party)
    }

    /// The handshake and both directions' base OTs, arranged so that the
    /// two directions' heavy halves run at once on the two sides. The
    /// evaluator side speaks first: hello and the base-OT opening for its
    /// inputs. The garbler side answers with its hello, hash key and the
    /// opening for its own inputs, then computes its reply to the first
    /// opening while the evaluator side computes its reply to the second;
    /// each then finishes the direction it opened.
    fn handshake(&mut self) -> Result<(), DualError> {
        let t = PhaseTimer::start(Phase::Handshake);
        self.ch.set_phase(Phase::Handshake);
        // Both directions always: besides the inputs, each carries the OTs
        // of the equality test.
        let delta = self.garbler.delta().block();
        let my_key = self.garbler.hash_key();
        let opening = |core: &Self| {
            OtReceiver::setup_with_context(ot::Security::Malicious, core.ot_context(core.me))
        };
        let setup;
        if self.me == Party::Evaluator {
            self.ch.send(Kind::Hello, &self.hello().encode())?;
            setup = opening(self);
            self.ch.send(Kind::BaseOt, &setup.1.encode())?;
            self.ch.flush()?;
            let hello = self.ch.recv_kind(Kind::Hello)?;
            self.check_hello(&hello)?;
        } else {
            let hello = self.ch.recv_kind(Kind::Hello)?;
            // Our hello goes out before any check, so that a peer of
            // another mode or circuit reports the difference too.
            self.ch.send(Kind::Hello, &self.hello().encode())?;
            self.ch.flush()?;
            self.check_hello(&hello)?;
            self.ch.send(Kind::HashKey, &my_key.to_bytes())?;
            setup = opening(self);
            self.ch.send(Kind::BaseOt, &setup.1.encode())?;
            self.ch.flush()?;
        }
        let peer_key = if self.me == Party::Evaluator {
            Some(recv_key(&mut self.ch)?)
        } else {
            None
        };
        self.ch.set_phase(Phase::BaseOt);
        // Our reply to the peer's opening: the base OTs with our Delta's
        // bits, for the peer's inputs in our garbling.
        let hello = BaseOtHello::decode(&self.ch.recv_kind(Kind::BaseOt)?)?;
        let (sender, reply) = OtSender::setup_with_context(
            delta,
            ot::Security::Malicious,
            &hello,
            self.ot_context(self.peer()),
        )?;
        self.ot_send = Some(sender);
        self.ch.send(Kind::BaseOt, &reply.encode())?;
        if self.me == Party::Evaluator {
            self.ch.send(Kind::HashKey, &my_key.to_bytes())?;
        }
        self.ch.flush()?;
        let reply = BaseOtReply::decode(&self.ch.recv_kind(Kind::BaseOt)?)?;
        self.ot_recv = Some(setup.0.finish(&reply)?);
        let peer_key = match peer_key {
            Some(k) => k,
            None => recv_key(&mut self.ch)?,
        };
        self.eval = EvaluatorSession::new(peer_key);
        let (g_key, e_key) = match self.me {
            Party::Garbler => (my_key, peer_key),
            Party::Evaluator => (peer_key, my_key),
        };
        let mut h = blake3::Hasher::new_derive_key("mpcc dual execution session v1");
        h.update(&protocol::ot_context(self.ch.binding()));
        h.update(&g_key.to_bytes());
        h.update(&e_key.to_bytes());
        self.context = *h.finalize().as_bytes();
        t.stop(&mut self.stats);
        Ok(())
    }

    /// One computation with this side's input `bits`: both executions,
    /// then the equality test. Returns the output bits this side learns
    /// (those of outputs revealed to it or to both, in order), only once
    /// the test has passed. `bits` passed [`Core::check_inputs`].
    fn compute(&mut self, bits: &[bool]) -> Result<Vec<bool>, DualError> {
        let peer = self.peer();
        let first = self.me == Party::Garbler;

        // Input labels by OT. A side's choice bits here are its input: what
        // it feeds its own garbling matters only through the equality test
        // (see the crate docs). The evaluator side sends its OT message
        // with the request and starts garbling at once; the garbler side
        // reads it, sends its own and starts garbling. Each garbles the
        // peer's inputs under fresh random 0-labels and turns them into the
        // OT's by an offset sent once the peer's OT message is in, so no
        // side waits for a round trip before it garbles.
        let t = PhaseTimer::start(Phase::OtExtension);
        self.ch.set_phase(Phase::OtExtension);
        let (zero, mut mine) = if first {
            let zero = self.ot_zero_labels(self.bits_of(peer))?;
            (Some(zero), self.ot_my_labels(bits)?)
        } else {
            (None, self.ot_my_labels(bits)?)
        };
        t.stop(&mut self.stats);

        // Both garblings at once.
        let t = PhaseTimer::start(Phase::Garbling);
        self.ch.set_phase(Phase::Garbling);
        let garble_bits = match &self.deviation {
            Deviation::GarbleWithInputs(b) => b.clone(),
            _ => bits.to_vec(),
        };
        // Each garbling goes with the decoding bits of the outputs the
        // peer learns (inputs are fixed by now, so nothing is sent early).
        let circuit = self.prepared.circuit.clone();
        let my_bits = circuit.output_bits_of(self.me);
        let peer_bits = circuit.output_bits_of(peer);
        let (check, evaluated, decoding) =
            self.exchange(&garble_bits, zero, &mine, &peer_bits, my_bits.len())?;
        mine.zeroize();
        if matches!(self.deviation, Deviation::StopAfterGarbling) {
            return Err(DualError::Closed);
        }
        t.stop(&mut self.stats);

        let t = PhaseTimer::start(Phase::Output);
        self.ch.set_phase(Phase::Output);
        let read: Vec<Label> = my_bits.iter().map(|&w| evaluated[w]).collect();
        let values = engine::decode(&read, &decoding);

        // The string each side puts into the equality test, output bit by
        // output bit: for a bit the garbler side learns, the label of the
        // garbler side's garbling (its own at the value it read; the
        // evaluator side's evaluated one), then for a bit the evaluator side
        // learns, the label of the evaluator side's garbling likewise. Equal
        // exactly when, for every bit, the value a side read from the peer's
        // garbling is the value its own garbling carries in the peer's
        // evaluation.
        let n = evaluated.len();
        let mut my_value: Vec<Option<bool>> = vec![None; n];
        for (&w, &v) in my_bits.iter().zip(&values) {
            my_value[w] = Some(v);
        }
        let mut peer_reads = vec![false; n];
        for &w in &peer_bits {
            peer_reads[w] = true;
        }
        let mut string = Vec::with_capacity(32 * n);
        for (w, &ev) in evaluated.iter().enumerate() {
            let own = my_value[w].map(|v| check.label(w, v).expect("an output wire"));
            let peers = peer_reads[w].then_some(ev);
            let (garbler_side, evaluator_side) = if first { (own, peers) } else { (peers, own) };
            for label in [garbler_side, evaluator_side].into_iter().flatten() {
                string.extend_from_slice(&label.to_bytes());
            }
        }
        drop(check);
        if matches!(self.deviation, Deviation::LieInEquality) {
            getrandom::getrandom(&mut string).expect("the OS random number generator failed");
        }
        let mut context = blake3::Hasher::new_derive_key("mpcc dual execution computation v1");
        context.update(&self.context);
        context.update(&self.stats.computations.to_le_bytes());
        let context = *context.finalize().as_bytes();
        // Both sides send their corrections, then their tags: small
        // messages, so both may write at once.
        let started = Test::start(&mut self.recv_stock, &context, &string);
        string.zeroize();
        let (test, corrections) = started?;
        self.ch.send(Kind::Equality, &corrections)?;
        self.ch.flush()?;
        let peer_corrections = self.ch.recv_kind(Kind::Equality)?;
        let ot = self.ot_send.as_ref().expect("set up at the handshake");
        let (expect, tag) = test.respond(self.me, ot, &mut self.send_stock, &peer_corrections)?;
        self.ch.send(Kind::Equality, &tag)?;
        self.ch.flush()?;
        let equal = expect.finish(&self.ch.recv_kind(Kind::Equality)?)?;
        t.stop(&mut self.stats);
        if !equal {
            return Err(DualError::EqualityCheckFailed);
        }
        self.stats.computations += 1;
        self.stats.and_gates += 2 * self.prepared.schedule.and_count() as u64;
        Ok(values)
    }

    /// The 0-labels of the peer's `n` input bits in this side's garbling,
    /// from the peer's OT message: a refill of the random-OT stock when the
    /// peer's stock ran short (checked before any label is kept), then one
    /// correction bit per input bit.
    fn ot_zero_labels(&mut self, n: usize) -> Result<Vec<Block>, DualError> {
        let ot = self.ot_send.as_mut().expect("set up at the handshake");
        self.ch
            .recv_kind_into(Kind::OtExtension, &mut self.buffer)?;
        let malformed = |msg: String| ProtocolError::Malformed {
            phase: Phase::OtExtension,
            msg,
        };
        let corr = n.div_ceil(8);
        if self.buffer.len() < 4 + corr {
            return Err(malformed(format!(
                "an OT message of {} bytes, at least {} expected",
                self.buffer.len(),
                4 + corr
            ))
            .into());
        }
        let refill = u32::from_le_bytes(self.buffer[..4].try_into().expect("4 bytes")) as usize;
        if refill > MAX_REFILL {
            return Err(
                malformed(format!("a refill of {refill} OTs (at most {MAX_REFILL})")).into(),
            );
        }
        let rest = &self.buffer[4 + corr..];
        if refill > 0 {
            let msg = ExtendMsg::decode(rest)?;
            self.send_stock.refill(ot, refill, &msg)?;
        } else if !rest.is_empty() {
            return Err(malformed("bytes after the correction bits".into()).into());
        }
        let zero = self.send_stock.spend(ot, n, &self.buffer[4..4 + corr])?;
        Ok(zero)
    }

    /// This side's input labels in the peer's garbling: OTs from the stock,
    /// one correction bit per input bit, the stock refilled first (in the
    /// same message) when it is short of what the computation spends, its
    /// equality test included.
    fn ot_my_labels(&mut self, bits: &[bool]) -> Result<Vec<Block>, DualError> {
        let ot = self.ot_recv.as_mut().expect("set up at the handshake");
        let need = bits.len() + equality::TEST_BITS;
        let mut refill = 0usize;
        let mut ext = Vec::new();
        if self.recv_stock.available() < need {
            refill = self.refill_goal.max(need).min(MAX_REFILL).max(need);
            ext = self.recv_stock.refill(ot, refill)?.encode();
            self.refill_goal = (2 * self.refill_goal).min(MAX_REFILL);
        }
        let (corrections, labels) = self.recv_stock.spend(bits)?;
        let mut payload = Vec::with_capacity(4 + corrections.len() + ext.len());
        payload.extend_from_slice(&(refill as u32).to_le_bytes());
        payload.extend_from_slice(&corrections);
        payload.extend_from_slice(&ext);
        self.ch.send(Kind::OtExtension, &payload)?;
        self.ch.flush()?;
        Ok(labels)
    }

    /// Both executions at once: garbles this side's circuit with its `bits`
    /// and fresh random 0-labels `L0` for the peer's inputs while it
    /// evaluates the peer's garbling with its own OT labels `mine`. `zero`
    /// holds the peer's OT 0-labels `z` for those inputs if its OT message
    /// is in already (the garbler side); else it is the first thing read.
    /// Each side sends one table chunk of its garbling (if it has any), then
    /// its labels: its own input labels and, per peer input bit, the offset
    /// `L0 ^ z` (which turns the peer's OT label into `L0 ^ y*Delta` for its
    /// bit `y`, as in the service's garbling ahead), then the other chunks
    /// and the decoding bits of the output bits `peer_bits` the peer learns.
    /// Every message is at most [`PIECE`] bytes, and a side reads one piece
    /// of the peer's after each piece of its own while the peer has more to
    /// send: when both write at once, each has at most one piece unread by
    /// the other, which the socket buffers hold, so neither blocks for ever.
    /// Returns the check of this side's output labels, the output labels it
    /// evaluated, and the decoding bits of the `learned` output bits it
    /// learns.
    fn exchange(
        &mut self,
        bits: &[bool],
        mut zero: Option<Vec<Block>>,
        mine: &[Block],
        peer_bits: &[usize],
        learned: usize,
    ) -> Result<(OutputCheck, Vec<Label>, OutputDecoding), DualError> {
        let ours = self.cheat.as_ref().unwrap_or(&self.mine).schedule.clone();
        let theirs = self.theirs.schedule.clone();
        let n_peer = self.bits_of(self.peer());
        let (run, mut peer_zero) = self.garbler.garble_ahead(&ours, bits)?;
        let flip = matches!(self.deviation, Deviation::FlipTableBits);

        // What this side still has to send: one chunk, its labels from
        // `sent` on (built once `zero` is in), the other chunks (each at
        // most one piece), then the decoding bits, which end its stream;
        // `check` once the tables are all out.
        let mut labels_out: Option<Vec<u8>> = None;
        let mut sent = 0usize;
        let mut chunks_sent = 0usize;
        let mut run = Some(run);
        let mut check: Option<OutputCheck> = None;

        // What the peer still has to send: its labels (its inputs', then one
        // offset per input bit of this side), one chunk possibly before them.
        let n_labels = 16 * (theirs.garbler_inputs().len() + mine.len());
        let mut labels: Vec<u8> = Vec::with_capacity(n_labels);
        let mut early: Option<Vec<u8>> = None;
        let mut evaluation: Option<engine::Evaluation<'_>> = None;
        let mut evaluated: Option<Vec<Label>> = None;
        let mut decoding: Option<OutputDecoding> = None;
        let malformed = |msg: String| -> DualError {
            ProtocolError::Malformed {
                phase: Phase::Garbling,
                msg,
            }
            .into()
        };
        loop {
            // One piece of ours, if any is left.
            let labels_next =
                chunks_sent >= 1 || run.as_ref().is_some_and(|r| r.remaining_tables() == 0);
            if labels_next && labels_out.as_ref().is_none_or(|l| sent < l.len()) {
                if labels_out.is_none() {
                    if zero.is_none() {
                        zero = Some(self.ot_zero_labels(n_peer)?);
                    }
                    let z = zero.as_mut().expect("received");
                    let r = run.as_ref().expect("labels go before the run ends");
                    let mut out = Vec::with_capacity(16 * (r.garbler_labels().len() + z.len()));
                    for l in r.garbler_labels() {
                        out.extend_from_slice(&l.to_bytes());
                    }
                    for (l0, z) in peer_zero.iter().zip(z.iter()) {
                        out.extend_from_slice(&(*l0 ^ *z).to_bytes());
                    }
                    z.zeroize();
                    peer_zero.zeroize();
                    labels_out = Some(out);
                }
                let out = labels_out.as_ref().expect("built");
                let end = (sent + PIECE).min(out.len());
                self.ch.send(Kind::GarblerLabels, &out[sent..end])?;
                self.ch.flush()?;
                sent = end;
            } else if let Some(r) = run.as_mut() {
                if let Some(chunk) = r.next_chunk() {
                    debug_assert!(chunk.len() <= PIECE);
                    self.stats.table_bytes += chunk.len() as u64;
                    if flip {
                        let mut c = chunk.to_vec();
                        c.chunks_mut(crypto::TABLE_BYTES).for_each(|t| t[0] ^= 1);
                        self.ch.send(Kind::Tables, &c)?;
                    } else {
                        self.ch.send(Kind::Tables, chunk)?;
                    }
                    chunks_sent += 1;
                } else {
                    let c = run.take().expect("a run").finish()?;
                    // An empty decoding still goes, as the end of the stream.
                    self.ch
                        .send(Kind::Decoding, &c.decoding(peer_bits)?.to_bytes())?;
                    check = Some(c);
                }
                self.ch.flush()?;
            }
            let done_sending = run.is_none();

            // One piece of theirs, if they have any left: first their OT
            // message if it is not in yet.
            if decoding.is_some() {
                if done_sending {
                    break;
                }
                continue;
            }
            if zero.is_none() {
                zero = Some(self.ot_zero_labels(n_peer)?);
                continue;
            }
            let kind = self.ch.recv_into(&mut self.buffer)?;
            match kind {
                Kind::Tables => {
                    self.stats.table_bytes += self.buffer.len() as u64;
                    match evaluation.as_mut() {
                        Some(e) => e.feed(&self.buffer)?,
                        None if early.is_none() && evaluated.is_none() => {
                            early = Some(std::mem::take(&mut self.buffer));
                        }
                        None => return Err(malformed("garbled tables out of order".into())),
                    }
                }
                Kind::GarblerLabels => {
                    if evaluation.is_some() || evaluated.is_some() {
                        return Err(malformed("input labels after the tables began".into()));
                    }
                    if labels.len() + self.buffer.len() > n_labels {
                        return Err(malformed(format!(
                            "more than the {n_labels} bytes of input labels"
                        )));
                    }
                    labels.extend_from_slice(&self.buffer);
                    // The labels only: the buffer's spare room, as large as
                    // the largest refill it ever held, carried public bytes
                    // alone, and wiping all of it would cost a pass over
                    // megabytes.
                    self.buffer.as_mut_slice().zeroize();
                    self.buffer.clear();
                    if labels.len() == n_labels {
                        let mut blocks: Vec<Label> = labels
                            .chunks_exact(16)
                            .map(|c| Block::from_bytes(c.try_into().expect("16 bytes")))
                            .collect();
                        labels.zeroize();
                        let (peer_labels, offsets) =
                            blocks.split_at_mut(theirs.garbler_inputs().len());
                        for (d, t) in offsets.iter_mut().zip(mine) {
                            *d ^= *t;
                        }
                        let mut e = self.eval.evaluate(&theirs, peer_labels, offsets)?;
                        blocks.zeroize();
                        if let Some(chunk) = early.take() {
                            e.feed(&chunk)?;
                        }
                        evaluation = Some(e);
                    }
                }
                Kind::Decoding => {
                    let Some(e) = evaluation.take().filter(|e| e.remaining_tables() == 0) else {
                        return Err(malformed("decoding bits before the whole garbling".into()));
                    };
                    evaluated = Some(e.finish_labels()?);
                    decoding = Some(
                        OutputDecoding::from_bytes(&self.buffer, learned)
                            .map_err(|e| malformed(format!("decoding bits: {e}")))?,
                    );
                }
                other => {
                    return Err(malformed(format!(
                        "expected garbled tables, input labels or decoding bits, got {other:?}"
                    )))
                }
            }
        }
        if let Some(mut l) = labels_out {
            l.zeroize();
        }
        Ok((
            check.expect("sent all"),
            evaluated.expect("evaluated"),
            decoding.expect("received"),
        ))
    }

    fn finish_stats(&mut self) -> SessionStats {
        let mut stats = self.stats.clone();
        stats.channel = self.ch.stats();
        stats.transcript = self.ch.transcript_digest();
        stats
    }
}

/// `me`'s channel over `stream`, bound to `binding`, with the limits and
/// transcript `config` asks for.
fn channel<S: Read + Write>(
    stream: S,
    binding: Option<[u8; 32]>,
    me: Party,
    config: &Config,
) -> Channel<S> {
    let mut ch = Channel::new(stream, config.limits);
    if let Some(b) = binding {
        ch.bind(b);
    }
    if config.transcript {
        ch.record_transcript(me == Party::Garbler);
    }
    ch
}

fn party_name(p: Party) -> &'static str {
    match p {
        Party::Garbler => "a garbler",
        Party::Evaluator => "an evaluator",
    }
}

fn recv_key<S: Read + Write>(ch: &mut Channel<S>) -> Result<HashKey, DualError> {
    Ok(protocol::decode_hash_key(&ch.recv_kind(Kind::HashKey)?)?)
}

/// `e`, or the peer's own error if the peer closed the connection after
/// saying why (both sides write at once in the exchange, so a side may find
/// the connection closed while it writes, before it reads the reason).
fn peer_reason<S: Read + Write>(ch: &mut Channel<S>, e: DualError) -> DualError {
    match e {
        DualError::Protocol(ProtocolError::Closed { .. }) => {
            ch.peer_reason().map_or(e, DualError::from)
        }
        e => e,
    }
}

/// Tells the peer why the session ends, unless it is the peer that failed
/// or the equality test (whose verdict the peer holds already).
fn tell_peer<S: Read + Write>(ch: &mut Channel<S>, e: &DualError) {
    let peer_side = matches!(
        e,
        DualError::Protocol(
            ProtocolError::Peer { .. }
                | ProtocolError::Closed { .. }
                | ProtocolError::Timeout { .. }
        ) | DualError::EqualityCheckFailed
            | DualError::Closed
    );
    if !peer_side {
        ch.send_error(&e.to_string());
    }
}

/// The evaluator side of a dual-execution session: it asks for each
/// computation, garbles second, and answers second in the equality test.
pub struct Session<S: Read + Write = Link> {
    core: Core<S>,
    closed: bool,
}

impl Session<Link> {
    /// Connects to a dual-execution garbler at `addr`, secures the
    /// connection as `security` says, agrees on the circuit and runs the
    /// base OTs of both directions, bound to the TLS channel binding.
    pub fn connect(
        addr: &str,
        security: &ClientSecurity,
        prepared: &Prepared,
        config: Config,
    ) -> Result<Session<Link>, DualError> {
        let link = security.dial(addr, config.limits)?;
        let binding = link.channel_binding();
        let peer = link
            .peer_identity()
            .map(|p| p.name().to_string())
            .unwrap_or_else(|| addr.to_string());
        let mut s = Session::over(link, binding, prepared, config)?;
        s.core.stats.peer = Some(peer);
        Ok(s)
    }

    /// The garbler side's verified identity (`None` in plaintext).
    pub fn peer_identity(&self) -> Option<&transport::PeerIdentity> {
        self.core.ch.get_ref().peer_identity()
    }
}

impl<S: Read + Write> Session<S> {
    /// A session over an established `stream` whose channel binding is
    /// `binding` (the garbler side must hold the same): the handshake and
    /// both directions' base OTs.
    pub fn over(
        stream: S,
        binding: Option<[u8; 32]>,
        prepared: &Prepared,
        config: Config,
    ) -> Result<Session<S>, DualError> {
        let circuits = Circuits::new(Party::Evaluator, prepared, &config)?;
        let ch = channel(stream, binding, Party::Evaluator, &config);
        let mut core = Core::on(ch, Party::Evaluator, circuits, &config);
        if let Err(e) = core.handshake() {
            tell_peer(&mut core.ch, &e);
            return Err(e);
        }
        Ok(Session {
            core,
            closed: false,
        })
    }

    /// Whether an error or a close ended the session (every later call
    /// fails).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The session's circuit.
    pub fn circuit(&self) -> &Circuit {
        &self.core.prepared.circuit
    }

    /// One computation on this side's input `bits` (its input values'
    /// bits, in wire order): the output bits this side learns (outputs
    /// revealed to it or to both, in order), released only once the
    /// equality test has passed. Any error ends the session.
    pub fn evaluate(&mut self, bits: &[bool]) -> Result<Vec<bool>, DualError> {
        self.evaluate_with_context(bits, &[])
    }

    /// [`Session::evaluate`] with a public `context` (at most
    /// [`protocol::MAX_CONTEXT`] bytes) that the garbler side's input source
    /// is given to choose its input by: an auction id, say. A context too
    /// long is refused before anything is sent, and the session stays open.
    pub fn evaluate_with_context(
        &mut self,
        bits: &[bool],
        context: &[u8],
    ) -> Result<Vec<bool>, DualError> {
        if self.closed {
            return Err(DualError::Closed);
        }
        self.core.check_inputs(bits)?;
        if context.len() > protocol::MAX_CONTEXT {
            return Err(ProtocolError::ContextTooLong { len: context.len() }.into());
        }
        let result = self
            .core
            .ch
            .send(Kind::Compute, context)
            .map_err(DualError::from)
            .and_then(|()| self.core.compute(bits))
            .map_err(|e| peer_reason(&mut self.core.ch, e));
        if let Err(e) = &result {
            tell_peer(&mut self.core.ch, e);
            self.closed = true;
        }
        result
    }

    /// Ends the session (the garbler side is told) and returns its
    /// statistics.
    pub fn close(mut self) -> Result<SessionStats, DualError> {
        if !self.closed {
            self.core.ch.send(Kind::Bye, &[])?;
            self.core.ch.flush()?;
            self.closed = true;
        }
        Ok(self.core.finish_stats())
    }

    /// The session's statistics so far.
    pub fn stats(&self) -> SessionStats {
        let mut stats = self.core.stats.clone();
        stats.channel = self.core.ch.stats();
        stats
    }
}

/// Runs the garbler side of one dual-execution session over `stream`
/// (channel binding `binding`) until the evaluator side says goodbye: for
/// each computation it asks for, takes this side's input from `inputs`,
/// runs both executions and the equality test, and gives `on_result` the
/// output bits this side learns once the test has passed. Returns the
/// session's statistics.
pub fn serve_session<S: Read + Write>(
    stream: S,
    binding: Option<[u8; 32]>,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: Config,
) -> Result<SessionStats, DualError> {
    let ch = channel(stream, binding, Party::Garbler, &config);
    let (result, stats, _) = serve_channel(ch, prepared, inputs, on_result, config);
    result.map(|()| stats)
}

/// [`serve_session`] over an established [`Link`], bound to its TLS
/// channel binding; the statistics name the peer. A TLS link is closed
/// with `close_notify` when the session ends.
pub fn serve_link<S: Read + Write>(
    link: Link<S>,
    peer: &str,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: Config,
) -> Result<SessionStats, DualError> {
    let binding = link.channel_binding();
    let ch = channel(link, binding, Party::Garbler, &config);
    let (result, mut stats, ch) = serve_channel(ch, prepared, inputs, on_result, config);
    stats.peer = Some(peer.to_string());
    // The outcome is decided; a failed close adds nothing to it.
    let _ = ch.into_inner().close();
    result.map(|()| stats)
}

/// [`serve_session`] on a channel the caller set up (its binding, limits
/// and transcript): what a service that runs both modes on its own
/// channels calls. Returns the outcome with the session's statistics so
/// far (also after an error: its traffic and computations), and the
/// channel. On an error the peer has been told why.
pub fn serve_channel<S: Read + Write>(
    ch: Channel<S>,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: Config,
) -> (Result<(), DualError>, SessionStats, Channel<S>) {
    let circuits = match Circuits::new(Party::Garbler, prepared, &config) {
        Ok(c) => c,
        Err(e) => {
            let stats = SessionStats {
                role: "garbler",
                ..SessionStats::default()
            };
            return (Err(e), stats, ch);
        }
    };
    let mut core = Core::on(ch, Party::Garbler, circuits, &config);
    let result =
        serve_core(&mut core, inputs, on_result, &config).map_err(|e| peer_reason(&mut core.ch, e));
    if let Err(e) = &result {
        tell_peer(&mut core.ch, e);
    }
    let stats = core.finish_stats();
    (result, stats, core.ch)
}

fn serve_core<S: Read + Write>(
    core: &mut Core<S>,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: &Config,
) -> Result<(), DualError> {
    core.handshake()?;
    loop {
        let mut buffer = std::mem::take(&mut core.buffer);
        let kind = core.ch.recv_into(&mut buffer)?;
        core.buffer = buffer;
        match kind {
            Kind::Bye => return Ok(()),
            Kind::Compute if core.buffer.len() <= protocol::MAX_CONTEXT => {}
            Kind::Compute => {
                return Err(ProtocolError::ContextTooLong {
                    len: core.buffer.len(),
                }
                .into())
            }
            other => {
                return Err(ProtocolError::Malformed {
                    phase: core.ch.phase(),
                    msg: format!("expected a request or goodbye, got {other:?}"),
                }
                .into())
            }
        }
        if let Some(max) = config.max_computations {
            if core.stats.computations >= max {
                return Err(DualError::MaxComputations(max));
            }
        }
        let mut bits = inputs
            .next_inputs(&core.buffer)
            .map_err(DualError::InputSource)?;
        let out = core.check_inputs(&bits).and_then(|()| core.compute(&bits));
        bits.zeroize();
        on_result(&out?);
    }
}
