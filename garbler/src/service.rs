//! The garbler's side of a session over any byte stream, and a TCP service
//! that runs many sessions at once.
//!
//! # The session (protocol version 6)
//!
//! ```text
//! evaluator                                   garbler
//! Hello, Window (what it accepts), BaseOt  ->
//!                                          <- Hello, HashKey, Window (agreed)
//!                                          <- BaseOt reply
//!   ... offline, whenever the garbler waits for the evaluator:
//!                                          <- Ahead (tables of the next computations,
//!                                             garbled with random input labels), up
//!                                             to the window
//! Refill (random OTs ahead of need)        ->
//!   ... online, one round trip per request:
//! Compute (count, corrections c = x ^ r)   ->
//!                                          <- Inputs (per computation garbled ahead:
//!                                             the garbler's active labels, one block
//!                                             per evaluator input bit), Decoding
//!                                          <- GarblerLabels, Tables..., Decoding per
//!                                             group garbled on request (a batch
//!                                             larger than the window)
//! Result (labels of the garbler's outputs) ->
//! Bye                                      ->
//! ```
//!
//! Garbling ahead: while the session waits for a request, the garbler keeps
//! exactly the agreed window of computations garbled ([`Window`]: at most
//! [`SessionConfig::ahead`] computations and bytes, and at most what the
//! evaluator accepts) and their tables sent. Each is garbled under the
//! session's Delta with fresh random 0-labels `L0` for every input wire,
//! the garbler's and the evaluator's; the garbler keeps those labels and
//! its output 0-labels, never the tables. When a request comes, the
//! computations garbled ahead are used first, oldest first. For each, the
//! garbler reads its input bits `g` then (never earlier: the input source
//! is asked online only) and sends `L0 ^ g*Delta` for each of them; for
//! each evaluator input bit it spends one random OT of the stock: the
//! evaluator holds `t = q ^ r*Delta` for a random choice `r` and sent
//! `c = x ^ r` for its real bit `x`, the garbler computes `z = q ^ c*Delta`
//! (so `t = z ^ x*Delta`) and sends `d = L0 ^ z`; the evaluator's
//! `t ^ d = L0 ^ x*Delta` is the active label of its bit. The decoding bits
//! of the evaluator's outputs follow in the same flight, after the inputs
//! are fixed. The evaluator then evaluates tables it already holds: one
//! round trip. Computations of a request beyond the window are garbled on
//! request (in groups side by side, their evaluator 0-labels the spent OTs'
//! `z`), as before.
//!
//! Why this is secure (semi-honest garbler, malicious evaluator as
//! before):
//! - Tables do not depend on inputs, so sending them early tells the
//!   evaluator nothing more than sending them late. The decoding bits,
//!   which would make outputs readable, go only with the inputs' labels,
//!   after the evaluator has fixed its inputs (its corrections), so it
//!   cannot choose inputs adaptively against a readable circuit.
//! - `d = L0 ^ z` is a one-time pad under the fresh random `L0`; the
//!   evaluator learns exactly one label per input wire, as with labels
//!   from OT directly: `t ^ d` is the label of `x`, the other label would
//!   need Delta. Each random OT and each set of input labels is used once.
//! - The evaluator's random-OT labels are the KOS-checked correlated OTs
//!   (unhashed: their correlation is the session's Delta) the protocol has
//!   always used: a cheating receiver is caught by the check before any OT
//!   of the refill is used, and may learn a few bits of Delta with
//!   probability of being caught of at least one half per bit (the KOS
//!   bound); its labels would then still be one of two per wire, and
//!   guessing the remaining bits of Delta costs 2^(127-k) for k bits
//!   learned, against the garbler aborting at once on a failed check.
//! - Tweaks: every garbling, ahead or on request, reserves its hash
//!   tweaks when it is garbled; the evaluator reserves them in the order
//!   the tables arrive, which is the order of garbling, so no tweak repeats
//!   and both sides agree.
//! - Bounds: the evaluator states how many computations and bytes it will
//!   hold; a garbler that offers more, or sends more, is a protocol error.
//!   The evaluator writes a message over 16 KiB only after it has read
//!   every computation owed ahead, so the two sides never block writing to
//!   each other.
//!
//! A failure ends the session with an error naming the phase, and the peer
//! is told why (never with a secret in the message).
//!
//! With [`SessionConfig::security`] set to dual execution, a session runs
//! the garbler side of the `dualex` protocol instead (both sides garble and
//! evaluate; an equality test guards every result), under the same
//! service: TLS and admission, session limits, budgets (one computation at
//! a time, taken before the garbler's input is asked for), contexts, drain
//! and metrics.
//!
//! Over TLS ([`run_link`], [`serve`] with [`ServerSecurity::Tls`]) the
//! session is bound to the connection: the TLS channel binding opens the
//! transcript digest, its hash goes in the hello (a relay between two TLS
//! connections is reported as a channel binding mismatch) and every OT key
//! derives from it.

use crate::budget::Budget;
use crate::metrics::Metrics;
use crate::{GarbleError, GarblerSession, OutputCheck};
use crypto::{Block, Scheme};
use engine::EngineError;
use ot::{BaseOtHello, ExtendMsg, OtSender, Security, SenderStock};
use protocol::{
    ot_context, Channel, Compute, Hello, Kind, Limits, Phase, PhaseTimer, Prepared, ProtocolError,
    Refill, SessionStats, Window, MAX_BATCH_LABELS, PROTOCOL_VERSION,
};
pub use protocol::{FixedInputs, InputSource};
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
pub use transport::configure_socket;
use transport::{Link, ServerSecurity, TransportError};
use zeroize::{Zeroize, Zeroizing};

/// Who a session of [`serve`] talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's address.
    pub addr: SocketAddr,
    /// The identity its certificate names, verified against the CA (`None`
    /// in plaintext, or when the TLS handshake failed).
    pub identity: Option<String>,
}

impl PeerInfo {
    /// The identity if there is one, else the address: what the statistics
    /// name the peer by.
    pub fn name(&self) -> String {
        match &self.identity {
            Some(id) => id.clone(),
            None => self.addr.to_string(),
        }
    }

    /// What budgets count this peer's computations against: its
    /// certificate's identity, or in plaintext its address without the port,
    /// so that reconnecting never resets a budget.
    pub fn budget_key(&self) -> String {
        match &self.identity {
            Some(id) => id.clone(),
            None => self.addr.ip().to_string(),
        }
    }
}

impl std::fmt::Display for PeerInfo {
    /// `alice (10.0.0.7:52114)`, or the address alone.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.identity {
            Some(id) => write!(f, "{id:?} ({})", self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

/// Session settings.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Message size limit and peer timeout.
    pub limits: Limits,
    /// Most computations one session may run (`None`: as many as asked).
    pub max_computations: Option<u64>,
    /// Record the transcript digest (costs a blake3 pass over the traffic).
    pub transcript: bool,
    /// Most sessions [`serve`] runs at once; a connection beyond them is
    /// told the garbler is busy and closed, so a flood of connections costs
    /// a bounded number of threads and buffers.
    pub max_sessions: usize,
    /// Computations the garbler's input may take part in, shared by every
    /// session that holds it (`None`: no limit beyond `max_computations`).
    /// Each request is taken from it before the garbler's input enters
    /// any of its computations (computations garbled ahead carry random
    /// input labels only, and are answered only once the budget allows).
    pub budget: Option<Arc<Budget>>,
    /// The identity the session's computations count against in `budget`:
    /// [`serve`] and [`run_link`] set it to [`PeerInfo::budget_key`].
    pub peer: String,
    /// Where sessions count what they do (`None`: nowhere): every session
    /// counts how it ended, its traffic, computations and times; [`serve`]
    /// also counts each connection started, active, refused as busy, or
    /// failed in its TLS handshake.
    pub metrics: Option<Arc<Metrics>>,
    /// Lets [`serve`] be told to stop accepting and drain (`None`: it
    /// serves until the process ends).
    pub drain: Option<Drain>,
    /// How long [`serve`] gives a connection to complete its TLS handshake
    /// and admission (in plaintext: to send its first byte) before it is
    /// cut. Until then the connection holds no session slot.
    pub handshake_timeout: Duration,
    /// Most connections [`serve`] lets be in their handshake at once; more
    /// are closed at once. Each costs a thread while it lasts, at most
    /// [`SessionConfig::handshake_timeout`].
    pub max_handshakes: usize,
    /// The garbling scheme; the evaluator must ask for the same one in its
    /// hello, or the session ends at the handshake naming both.
    pub scheme: Scheme,
    /// How far to garble ahead of the evaluator's requests, at most (the
    /// session garbles within the evaluator's bound too): while it waits
    /// for a request, the session keeps this many computations garbled and
    /// their tables sent. [`Window::OFF`] garbles every computation on
    /// request.
    pub ahead: Window,
    /// Semi-honest (the garbler garbles, the evaluator evaluates) or dual
    /// execution (each side garbles once and evaluates the other's, and an
    /// equality test on the output labels guards every result; see the
    /// `dualex` crate). The evaluator must run the same mode, or the
    /// session ends at the handshake naming both. Dual execution runs
    /// half-gates, one computation per request, garbled on request: `scheme`
    /// must be half-gates and `ahead` is not used. Budgets, limits, metrics
    /// and drain apply to both modes alike.
    pub security: protocol::Security,
}

/// Tells a running [`serve`] to drain: stop accepting connections, let the
/// running sessions finish (for at most the drain timeout), and return.
/// Clones share one state.
#[derive(Clone, Debug)]
pub struct Drain {
    inner: Arc<DrainState>,
}

#[derive(Debug)]
struct DrainState {
    draining: AtomicBool,
    timeout: Duration,
    /// The address [`serve`] listens on, to wake its accept.
    wake: Mutex<Option<SocketAddr>>,
}

impl Drain {
    /// A drain handle whose sessions get at most `timeout` to finish once
    /// draining starts.
    pub fn new(timeout: Duration) -> Drain {
        Drain {
            inner: Arc::new(DrainState {
                draining: AtomicBool::new(false),
                timeout,
                wake: Mutex::new(None),
            }),
        }
    }

    /// Starts draining: [`serve`] accepts no more connections and returns
    /// once its sessions are done or the timeout has passed. Safe to call
    /// from any thread, more than once.
    pub fn start(&self) {
        self.inner.draining.store(true, Ordering::Release);
        // Wake the accept loop with a connection of our own.
        let wake = *self.inner.wake.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut addr) = wake {
            if addr.ip().is_unspecified() {
                addr.set_ip(match addr {
                    SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        }
    }

    /// Whether draining has started.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Acquire)
    }

    /// How long sessions get to finish once draining starts.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }
}

/// Default for [`SessionConfig::max_sessions`].
pub const DEFAULT_MAX_SESSIONS: usize = 64;

/// Default for [`SessionConfig::handshake_timeout`].
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Default for [`SessionConfig::max_handshakes`].
pub const DEFAULT_MAX_HANDSHAKES: usize = 256;

impl Default for SessionConfig {
    fn default() -> SessionConfig {
        SessionConfig {
            limits: Limits::default(),
            max_computations: None,
            transcript: false,
            max_sessions: DEFAULT_MAX_SESSIONS,
            budget: None,
            peer: String::new(),
            metrics: None,
            drain: None,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            max_handshakes: DEFAULT_MAX_HANDSHAKES,
            scheme: Scheme::default(),
            ahead: Window::default(),
            security: protocol::Security::SemiHonest,
        }
    }
}

/// Runs one garbler session over `stream` until the evaluator says goodbye.
/// `on_result` sees, for each computation, the output bits the garbler
/// learns (those of outputs revealed to it or to both, in order), decoded
/// from the output labels the evaluator sends back and checked against the
/// garbling: a label that is neither of its wire's two ends the session
/// with [`EngineError::OutputVerification`] (as [`GarbleError::Engine`]).
/// Returns the session's statistics.
pub fn run_session<S: Read + Write>(
    stream: S,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: SessionConfig,
) -> Result<SessionStats, GarbleError> {
    run_bound(stream, None, None, prepared, inputs, on_result, config).0
}

/// [`run_session`] over a stream whose channel binding (for instance
/// [`transport::TlsLink::channel_binding`]) is `binding`: the evaluator's
/// side must run with the same one, or the session ends in the handshake
/// with a channel binding mismatch.
pub fn run_session_bound<S: Read + Write>(
    stream: S,
    binding: Option<[u8; 32]>,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: SessionConfig,
) -> Result<SessionStats, GarbleError> {
    run_bound(stream, binding, None, prepared, inputs, on_result, config).0
}

/// Runs one garbler session over an established [`Link`] (see
/// [`ServerSecurity::accept`]), as [`run_session`] does, bound to the
/// link's TLS channel binding; the statistics name `peer`. A TLS link is
/// closed with `close_notify` when the session ends. Budgets count against
/// [`PeerInfo::budget_key`] unless `config.peer` names an identity already.
pub fn run_link<S: Read + Write>(
    link: Link<S>,
    peer: &PeerInfo,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    mut config: SessionConfig,
) -> Result<SessionStats, GarbleError> {
    if config.peer.is_empty() {
        config.peer = peer.budget_key();
    }
    let binding = link.channel_binding();
    let (result, mut link) = run_bound(
        link,
        binding,
        Some(peer.name()),
        prepared,
        inputs,
        on_result,
        config,
    );
    // The session's outcome is decided; a failed close adds nothing to it.
    let _ = link.close();
    result
}

fn run_bound<S: Read + Write>(
    stream: S,
    binding: Option<[u8; 32]>,
    peer: Option<String>,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: SessionConfig,
) -> (Result<SessionStats, GarbleError>, S) {
    let mut ch = Channel::new(stream, config.limits);
    if let Some(b) = binding {
        ch.bind(b);
    }
    if config.transcript {
        ch.record_transcript(true);
    }
    let mut stats = SessionStats {
        role: "garbler",
        peer,
        ..SessionStats::default()
    };
    let metrics = config.metrics.clone();
    let started = Instant::now();
    let dual = config.security == protocol::Security::DualExecution;
    let (result, mut ch) = if dual {
        dual_session(ch, prepared, inputs, on_result, &config, &mut stats)
    } else {
        let result = session(&mut ch, prepared, inputs, on_result, config, &mut stats);
        (result, ch)
    };
    let c = ch.stats();
    match &result {
        Ok(()) => tracing::info!(
            computations = stats.computations,
            and_gates = stats.and_gates,
            bytes_sent = c.bytes_sent,
            bytes_received = c.bytes_received,
            seconds = started.elapsed().as_secs_f64(),
            "session finished"
        ),
        // Error messages name phases and counts, never a secret.
        Err(e) => tracing::warn!(
            phase = %ch.phase(),
            cause = ?crate::metrics::Cause::of(e),
            computations = stats.computations,
            error = %e,
            "session failed"
        ),
    }
    if let Some(m) = &metrics {
        match &result {
            Ok(()) => m.session_finished(),
            Err(e) => m.session_failed(ch.phase(), e),
        }
        m.traffic(c.bytes_sent, c.bytes_received);
    }
    if let Err(e) = &result {
        // Tell the peer why, unless it is the peer that failed us (or a
        // dual-execution session, which has told it already).
        if !matches!(
            e,
            GarbleError::Protocol(
                ProtocolError::Peer { .. }
                    | ProtocolError::Closed { .. }
                    | ProtocolError::Timeout { .. }
            ) | GarbleError::Dual(_)
        ) {
            ch.send_error(&e.to_string());
        }
    }
    stats.channel = ch.stats();
    stats.transcript = ch.transcript_digest();
    (result.map(|()| stats), ch.into_inner())
}

/// A dual-execution session on `ch` (see [`SessionConfig::security`]): the
/// garbler side of `dualex`, with the service's budget taken one
/// computation at a time before the garbler's input is asked for, and each
/// computation counted in the metrics once its equality test has passed.
fn dual_session<S: Read + Write>(
    ch: Channel<S>,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: &SessionConfig,
    stats: &mut SessionStats,
) -> (Result<(), GarbleError>, Channel<S>) {
    if config.scheme != Scheme::HalfGates {
        return (
            Err(GarbleError::Refused(format!(
                "dual execution runs half-gates, not {}",
                config.scheme.name()
            ))),
            ch,
        );
    }
    let budget_refused = std::cell::Cell::new(false);
    let started = std::cell::Cell::new(Instant::now());
    let mut source = |context: &[u8]| -> Result<Vec<bool>, String> {
        if let Some(budget) = &config.budget {
            budget.spend(&config.peer, 1).inspect_err(|_| {
                budget_refused.set(true);
            })?;
        }
        started.set(Instant::now());
        inputs.next_inputs(context)
    };
    // Both garblings: the metrics count this side's (the AND gates it
    // garbled), the statistics both, as dual execution reports them.
    let and_count = prepared.schedule.and_count() as u64;
    let mut done = |out: &[bool]| {
        if let Some(m) = &config.metrics {
            m.batch(1, and_count, started.get().elapsed());
        }
        tracing::debug!("computation done");
        on_result(out);
    };
    let dual_config = dualex::Config {
        limits: config.limits,
        max_computations: config.max_computations,
        // The channel records the transcript already if asked.
        transcript: false,
        ..dualex::Config::default()
    };
    let (result, dual_stats, ch) =
        dualex::serve_channel(ch, prepared, &mut source, &mut done, dual_config);
    let peer = stats.peer.take();
    *stats = SessionStats { peer, ..dual_stats };
    let result = result.map_err(|e| match e {
        dualex::DualError::InputSource(msg) if budget_refused.get() => GarbleError::Budget(msg),
        e => GarbleError::Dual(e),
    });
    (result, ch)
}

fn session<S: Read + Write>(
    ch: &mut Channel<S>,
    prepared: &Prepared,
    inputs: &mut dyn InputSource,
    on_result: &mut dyn FnMut(&[bool]),
    config: SessionConfig,
    stats: &mut SessionStats,
) -> Result<(), GarbleError> {
    let t = PhaseTimer::start(Phase::Handshake);
    ch.set_phase(Phase::Handshake);
    let (circuit, schedule) = (&*prepared.circuit, &*prepared.schedule);
    let ours = &*prepared.summary;
    let theirs = Hello::decode(&ch.recv_kind(Kind::Hello)?)?;
    if theirs.role != circuits::Party::Evaluator {
        return Err(ProtocolError::Mismatch("the peer is not an evaluator".into()).into());
    }
    ch.send(
        Kind::Hello,
        &Hello {
            version: PROTOCOL_VERSION,
            role: circuits::Party::Garbler,
            circuit: ours.clone(),
            binding: ch.binding().map(protocol::binding_tag),
            scheme: config.scheme,
            security: protocol::Security::SemiHonest,
        }
        .encode(),
    )?;
    theirs.check_binding(ch.binding())?;
    theirs.check_security(protocol::Security::SemiHonest)?;
    theirs.check_scheme(config.scheme)?;
    stats.scheme = Some(config.scheme);
    if let Some(diff) = ours.difference(&theirs.circuit) {
        return Err(ProtocolError::Mismatch(diff).into());
    }
    // How far to garble ahead: within the evaluator's bound and ours, and
    // never beyond what the session may run.
    let asked = Window::decode(&ch.recv_kind(Kind::Window)?)?;
    let table_bytes = config.scheme.wire_bytes(schedule.and_count()) as u64;
    let mut own = config.ahead;
    if let Some(m) = config.max_computations {
        own.computations = own.computations.min(m.min(u64::from(u32::MAX)) as u32);
    }
    // The answer to a request carries one label per input bit of each
    // computation garbled ahead that it uses, in one message: the window
    // keeps that message within the size limit.
    let per_answer = 16 * (schedule.garbler_inputs().len() + schedule.evaluator_inputs().len());
    if let Some(fit) = (config.limits.max_message as usize).checked_div(per_answer) {
        own.computations = own.computations.min(fit.min(u32::MAX as usize) as u32);
    }
    let window = own.agree(&asked, table_bytes);
    // Delta and the hash key are drawn here, fresh for this session; the
    // key is public and goes to the evaluator in the same flight as the
    // hello, with the window.
    let mut garbler = GarblerSession::with_scheme(config.scheme);
    ch.send(Kind::HashKey, &garbler.hash_key().to_bytes())?;
    ch.send(Kind::Window, &window.encode())?;
    t.stop(stats);

    let n_eval = schedule.evaluator_inputs().len();
    let n_garbler = schedule.garbler_inputs().len();
    let mut ot: Option<OtSender> = None;
    let mut stock = SenderStock::new();
    if n_eval > 0 {
        let t = PhaseTimer::start(Phase::BaseOt);
        ch.set_phase(Phase::BaseOt);
        let hello = BaseOtHello::decode(&ch.recv_kind(Kind::BaseOt)?)
            .map_err(|e| GarbleError::ot(Phase::BaseOt, e))?;
        let context = ot_context(ch.binding());
        let (sender, reply) = OtSender::setup_with_context(
            garbler.delta().block(),
            Security::Malicious,
            &hello,
            context,
        )
        .map_err(|e| GarbleError::ot(Phase::BaseOt, e))?;
        ch.send(Kind::BaseOt, &reply.encode())?;
        ch.flush()?;
        ot = Some(sender);
        t.stop(stats);
    }
    let n_out = circuit.output_wires.len();
    let eval_wires = circuit.output_bits_of(circuits::Party::Evaluator);
    let garbler_wires = circuit.output_bits_of(circuits::Party::Garbler);
    // Output checks of computations whose results have not arrived yet,
    // with the number of copies side by side in each.
    let mut pending: Vec<(OutputCheck, usize)> = Vec::new();
    // The garbled-ahead computations, oldest first: exactly `target` of
    // them whenever the session waits for the evaluator.
    let target = window.computations as usize;
    let mut pool: VecDeque<Ahead> = VecDeque::with_capacity(target);
    let zero_bits = vec![false; n_garbler];
    // The active labels of the garbler's inputs of a computation, as sent,
    // and the answer for computations garbled ahead: wiped before each
    // reuse and when the session ends, however it ends.
    let mut labels = Zeroizing::new(Vec::new());
    let mut decoding_bits: Vec<bool> = Vec::new();
    let mut payload = Vec::new();
    // The computations of the last request, with the time they took
    // online, while their results are awaited.
    let mut unchecked: Option<(u64, Duration)> = None;
    // Refills received ahead and not yet made, with the OTs they add.
    let mut queued: VecDeque<(usize, ExtendMsg)> = VecDeque::new();
    let mut queued_ots = 0usize;
    // Buffers kept from request to request (a session allocates, and
    // page-faults, once): extension messages decoded and done with, and the
    // 0-labels of the evaluator's spent OTs (wiped after each request).
    let mut spare: Vec<ExtendMsg> = Vec::new();
    let mut zero_labels: Zeroizing<Vec<Block>> = Zeroizing::new(Vec::new());
    loop {
        // Offline: garble ahead while the evaluator has not asked yet.
        if pool.len() < target {
            let start = Instant::now();
            ch.set_phase(Phase::Garbling);
            while pool.len() < target {
                pool.push_back(garble_ahead(
                    ch,
                    &mut garbler,
                    schedule,
                    &zero_bits,
                    &mut stats.table_bytes,
                )?);
            }
            ch.flush()?;
            stats.offline += start.elapsed();
        }
        if let Some((count, took)) = unchecked.take() {
            let t = PhaseTimer::start(Phase::Output);
            collect_results(ch, &mut pending, garbler_wires.len(), on_result)?;
            t.stop(stats);
            account(stats, &config, count, schedule.and_count(), took);
        }
        ch.set_phase(Phase::OtExtension);
        let kind = ch.recv_into(&mut payload)?;
        match kind {
            Kind::Bye => return Ok(()),
            Kind::Compute => {}
            Kind::Refill => {
                // A refill of the stock ahead of need, between computations:
                // kept until a request needs it or its answer is out.
                let refill = Refill::decode(&payload)?;
                if ot.is_none() {
                    return Err(no_ot_expected());
                }
                let count = refill.count as usize;
                // At most one refill waits: one arriving while another
                // waits has that one made now. An evaluator streams a large
                // refill as a run of chunk-sized ones, each made here while
                // it makes the next; extension messages never pile up.
                if let (Some((n, msg)), Some(sender)) = (queued.pop_front(), ot.as_mut()) {
                    queued_ots -= n;
                    refill_stock(&mut stock, sender, n, &msg, &config, stats)?;
                    spare.push(msg);
                }
                queued_ots += count;
                if stock.available() + queued_ots > ot::MAX_STOCK {
                    return Err(GarbleError::ot(
                        Phase::OtExtension,
                        ot::OtError::TooLarge {
                            what: "OT stock",
                            len: (stock.available() + queued_ots) as u64,
                            max: ot::MAX_STOCK as u64,
                        },
                    ));
                }
                let mut msg = spare.pop().unwrap_or_default();
                msg.decode_into(refill.extension)
                    .map_err(|e| GarbleError::ot(Phase::OtExtension, e))?;
                if msg.count() != count as u64 {
                    return Err(ProtocolError::Malformed {
                        phase: Phase::OtExtension,
                        msg: format!(
                            "a refill of {count} OTs carrying an extension of {}",
                            msg.count()
                        ),
                    }
                    .into());
                }
                queued.push_back((count, msg));
                continue;
            }
            other => {
                return Err(ProtocolError::Malformed {
                    phase: Phase::OtExtension,
                    msg: format!("expected Compute, Refill or Bye, got {other:?}"),
                }
                .into())
            }
        }
        let request = Compute::decode(&payload)?;
        let count = u64::from(request.count);
        // Checked by the decode: one context per computation.
        let contexts = request.contexts()?;
        if config
            .max_computations
            .is_some_and(|m| stats.computations + count > m)
        {
            return Err(GarbleError::Refused(format!(
                "this garbler runs at most {} computations per session",
                config.max_computations.unwrap_or(0)
            )));
        }
        let labels_back = count as usize * garbler_wires.len();
        if count > 1 && labels_back > MAX_BATCH_LABELS {
            return Err(ProtocolError::Malformed {
                phase: Phase::OtExtension,
                msg: format!(
                    "a batch of {count} computations with {labels_back} output labels \
                     (at most {MAX_BATCH_LABELS})"
                ),
            }
            .into());
        }
        if let Some(budget) = &config.budget {
            budget
                .spend(&config.peer, count)
                .map_err(GarbleError::Budget)?;
        }
        let online = Instant::now();
        let t = PhaseTimer::start(Phase::OtExtension);
        // A refill of the random-OT stock: made now if the stock cannot
        // serve this request, else after the answer, off its path. Then one
        // correction bit per evaluator input bit of the batch.
        let refill = request.refill as usize;
        let (extension, corrections) = (request.extension, request.corrections);
        let needed = count as usize * n_eval;
        let mut deferred = None;
        // Empty: wiped at the end of every request (an error ends the
        // session, and the buffer is wiped when dropped).
        match ot.as_mut() {
            Some(sender) => {
                // Refills sent ahead, as far as this request needs them.
                while stock.available() < needed {
                    let Some((n, msg)) = queued.pop_front() else {
                        break;
                    };
                    queued_ots -= n;
                    refill_stock(&mut stock, sender, n, &msg, &config, stats)?;
                    spare.push(msg);
                }
                if refill > 0 {
                    let mut msg = spare.pop().unwrap_or_default();
                    msg.decode_into(extension)
                        .map_err(|e| GarbleError::ot(Phase::OtExtension, e))?;
                    if stock.available() >= needed {
                        deferred = Some(msg);
                    } else {
                        let start = Instant::now();
                        stock
                            .refill(sender, refill, &msg)
                            .map_err(|e| GarbleError::ot(Phase::OtExtension, e))?;
                        if let Some(m) = &config.metrics {
                            m.ot_refill(start.elapsed());
                        }
                        spare.push(msg);
                    }
                } else if !extension.is_empty() {
                    return Err(ProtocolError::Malformed {
                        phase: Phase::OtExtension,
                        msg: "an OT extension that refills no OTs".into(),
                    }
                    .into());
                }
                stock
                    .spend_append(sender, needed, corrections, &mut zero_labels)
                    .map_err(|e| GarbleError::ot(Phase::OtExtension, e))?
            }
            None if refill == 0 && extension.is_empty() && corrections.is_empty() => {}
            None => return Err(no_ot_expected()),
        }
        t.stop(stats);
        let delta = garbler.delta().block();
        // The computations garbled ahead: their inputs' labels and the
        // decoding bits, in one flight.
        let ready = (count as usize).min(pool.len());
        if ready > 0 {
            let t = PhaseTimer::start(Phase::Garbling);
            ch.set_phase(Phase::Garbling);
            labels.zeroize();
            labels.reserve(16 * ready * (n_garbler + n_eval));
            decoding_bits.clear();
            for i in 0..ready {
                let Some(ahead) = pool.pop_front() else { break };
                let bits = Zeroizing::new(
                    inputs
                        .next_inputs(contexts[i])
                        .map_err(GarbleError::Refused)?,
                );
                if bits.len() != n_garbler {
                    return Err(EngineError::GarblerInputs {
                        expected: n_garbler,
                        got: bits.len(),
                    }
                    .into());
                }
                for (&z, &b) in ahead.garbler_zero.iter().zip(bits.iter()) {
                    labels.extend_from_slice(&(z ^ delta.select(b)).to_bytes());
                }
                let spent = &zero_labels[i * n_eval..(i + 1) * n_eval];
                for (&l0, &z) in ahead.evaluator_zero.iter().zip(spent) {
                    labels.extend_from_slice(&(l0 ^ z).to_bytes());
                }
                decoding_bits.extend_from_slice(ahead.outputs.decoding(&eval_wires)?.bits());
                pending.push((ahead.outputs.keep(&garbler_wires)?, 1));
            }
            ch.send(Kind::Inputs, &labels)?;
            ch.set_phase(Phase::Output);
            ch.send(Kind::Decoding, &protocol::pack_bits(&decoding_bits))?;
            t.stop(stats);
        }
        // The rest is garbled now. Narrow circuits run in groups of copies
        // side by side (the same split on both sides): each group is one
        // garbling.
        let mut first = ready;
        for copies in prepared.groups(count as usize - ready) {
            let schedule = prepared.group_schedule(copies)?;
            let mut bits =
                Zeroizing::new(Vec::with_capacity(copies * schedule.garbler_inputs().len()));
            for context in &contexts[first..first + copies] {
                let one =
                    Zeroizing::new(inputs.next_inputs(context).map_err(GarbleError::Refused)?);
                if one.len() != n_garbler {
                    return Err(EngineError::GarblerInputs {
                        expected: n_garbler,
                        got: one.len(),
                    }
                    .into());
                }
                bits.extend_from_slice(&one);
            }
            let t = PhaseTimer::start(Phase::Garbling);
            ch.set_phase(Phase::Garbling);
            let zero = &zero_labels[first * n_eval..(first + copies) * n_eval];
            let mut run = garbler.garble(&schedule, &bits, zero)?;
            bits.zeroize();
            // `zeroize` wipes the whole capacity and empties the vector; the
            // labels then fill it again without moving it while it has room.
            labels.zeroize();
            labels.reserve(16 * run.garbler_labels().len());
            for l in run.garbler_labels() {
                labels.extend_from_slice(&l.to_bytes());
            }
            ch.send(Kind::GarblerLabels, &labels)?;
            while let Some(chunk) = run.next_chunk() {
                stats.table_bytes += chunk.len() as u64;
                ch.send(Kind::Tables, chunk)?;
            }
            let check = run.finish()?;
            t.stop(stats);
            let t = PhaseTimer::start(Phase::Output);
            ch.set_phase(Phase::Output);
            // Decoding bits for the outputs the evaluator learns, none for
            // the garbler's own: their labels stay opaque to the evaluator.
            let wires = copy_wires(&eval_wires, n_out, copies);
            ch.send(Kind::Decoding, &check.decoding(&wires)?.to_bytes())?;
            // Only the 0-labels of the outputs the garbler learns are kept
            // until the evaluator's labels for them arrive.
            pending.push((
                check.keep(&copy_wires(&garbler_wires, n_out, copies))?,
                copies,
            ));
            t.stop(stats);
            first += copies;
        }
        ch.flush()?;
        zero_labels.iter_mut().for_each(Zeroize::zeroize);
        zero_labels.clear();
        let took = online.elapsed();
        stats.online.record(took / request.count, count);
        // Off the request's path now: the refills it did not need.
        if let Some(sender) = ot.as_mut() {
            while let Some((n, msg)) = queued.pop_front() {
                queued_ots -= n;
                refill_stock(&mut stock, sender, n, &msg, &config, stats)?;
                spare.push(msg);
            }
            if let Some(msg) = deferred {
                refill_stock(&mut stock, sender, refill, &msg, &config, stats)?;
                spare.push(msg);
            }
        }
        if garbler_wires.is_empty() {
            // No result comes back: the computations end here.
            for _ in 0..count {
                on_result(&[]);
            }
            pending.clear();
            account(stats, &config, count, schedule.and_count(), took);
        } else {
            // They end when their results are in and checked.
            unchecked = Some((count, took));
        }
    }
}

/// Adds a refill's `n` OTs to the stock (the KOS check first), off the
/// requests' path.
fn refill_stock(
    stock: &mut SenderStock,
    sender: &mut OtSender,
    n: usize,
    msg: &ExtendMsg,
    config: &SessionConfig,
    stats: &mut SessionStats,
) -> Result<(), GarbleError> {
    let start = Instant::now();
    stock
        .refill(sender, n, msg)
        .map_err(|e| GarbleError::ot(Phase::OtExtension, e))?;
    if let Some(m) = &config.metrics {
        m.ot_refill(start.elapsed());
    }
    stats.offline += start.elapsed();
    Ok(())
}

/// Counts a request's computations once they are done.
fn account(
    stats: &mut SessionStats,
    config: &SessionConfig,
    count: u64,
    and_count: usize,
    took: Duration,
) {
    stats.computations += count;
    stats.and_gates += count * and_count as u64;
    tracing::debug!(count, total = stats.computations, "batch done");
    if let Some(m) = &config.metrics {
        m.batch(count, count * and_count as u64, took);
    }
}

/// The error for OT data in a session of a circuit without evaluator inputs.
fn no_ot_expected() -> GarbleError {
    ProtocolError::Malformed {
        phase: Phase::OtExtension,
        msg: "OT data for a circuit without evaluator inputs".into(),
    }
    .into()
}

/// What the garbler keeps of a computation garbled ahead: the 0-labels of
/// its input wires and of its outputs. Wiped when dropped.
struct Ahead {
    garbler_zero: Vec<Block>,
    evaluator_zero: Vec<Block>,
    outputs: OutputCheck,
}

impl Drop for Ahead {
    fn drop(&mut self) {
        self.garbler_zero.zeroize();
        self.evaluator_zero.zeroize();
    }
}

/// Garbles one computation ahead of its request, with random input
/// 0-labels, and sends its tables ([`Kind::Ahead`]; one empty message for a
/// circuit without AND gates).
fn garble_ahead<S: Read + Write>(
    ch: &mut Channel<S>,
    garbler: &mut GarblerSession,
    schedule: &crypto::Schedule,
    zero_bits: &[bool],
    table_bytes: &mut u64,
) -> Result<Ahead, GarbleError> {
    let (mut run, evaluator_zero) = garbler.garble_ahead(schedule, zero_bits)?;
    let garbler_zero = run.garbler_labels().to_vec();
    let mut sent = false;
    while let Some(chunk) = run.next_chunk() {
        ch.send(Kind::Ahead, chunk)?;
        *table_bytes += chunk.len() as u64;
        sent = true;
    }
    if !sent {
        ch.send(Kind::Ahead, &[])?;
    }
    Ok(Ahead {
        garbler_zero,
        evaluator_zero,
        outputs: run.finish()?,
    })
}

/// The output wires at `per_copy` (indices into one copy's outputs) of each
/// of `copies` copies side by side, copy after copy.
fn copy_wires(per_copy: &[usize], n_out: usize, copies: usize) -> Vec<usize> {
    (0..copies)
        .flat_map(|c| per_copy.iter().map(move |&w| c * n_out + w))
        .collect()
}

/// Receives the result of a request (one message): the evaluator's labels
/// of the outputs the garbler learns, `per_copy` of them (16 bytes each)
/// per computation of the `pending` groups in order, each checked against
/// the garbling and decoded; `on_result` sees each computation's bits.
/// Empties `pending`.
fn collect_results<S: Read + Write>(
    ch: &mut Channel<S>,
    pending: &mut Vec<(OutputCheck, usize)>,
    per_copy: usize,
    on_result: &mut dyn FnMut(&[bool]),
) -> Result<(), GarbleError> {
    ch.set_phase(Phase::Output);
    let computations: usize = pending.iter().map(|(_, c)| c).sum();
    let payload = Zeroizing::new(ch.recv_kind(Kind::Result)?);
    if payload.len() != 16 * per_copy * computations {
        return Err(ProtocolError::Malformed {
            phase: Phase::Output,
            msg: format!(
                "a result of {} bytes for {computations} computations of {per_copy} output labels of 16 bytes",
                payload.len()
            ),
        }
        .into());
    }
    let mut labels = payload
        .chunks_exact(16)
        .map(|b| Block::from_bytes(b.try_into().unwrap_or([0; 16])));
    let mut mine: Zeroizing<Vec<Block>> = Zeroizing::new(Vec::with_capacity(per_copy));
    let mut at: Vec<usize> = Vec::with_capacity(per_copy);
    for (check, copies) in pending.drain(..) {
        for c in 0..copies {
            mine.clear();
            mine.extend(labels.by_ref().take(per_copy));
            at.clear();
            at.extend((0..per_copy).map(|w| c * per_copy + w));
            let bits = check.verify(&at, &mine)?;
            on_result(&bits);
        }
    }
    Ok(())
}

/// Serves evaluators on `listener`, each connection on its own thread,
/// until the process ends (or, with [`SessionConfig::drain`], until told to
/// drain).
///
/// A connection goes through two stages. First its handshake
/// ([`ServerSecurity::accept`]: with TLS, the handshake, the client
/// certificate checked against the CA and the allowed identities; in
/// plaintext, its first byte arriving), which must end within
/// [`SessionConfig::handshake_timeout`]: a silent or slow one is cut then,
/// whatever it trickles. At most [`SessionConfig::max_handshakes`]
/// connections are in this stage at once; more are closed at once. Only a
/// connection whose handshake succeeded takes one of the
/// [`SessionConfig::max_sessions`] session slots, so connections that never
/// finish their handshake cannot make the garbler busy for everyone; beyond
/// the slots, a connection is told (inside TLS) that the garbler is busy.
///
/// `make_inputs` gives each session its input source; `report` is told how
/// each session ended, a failed handshake included. Both see the peer's
/// [`PeerInfo`]. A session that fails (a dropped or hostile peer) ends
/// alone: the others go on. A thread that cannot be started refuses its
/// connection (logged and counted) instead of failing the service.
///
/// With [`SessionConfig::metrics`], every connection is counted (started,
/// handshaking, active, then finished or failed by phase and cause, a
/// failed or timed-out handshake and a busy refusal included). With
/// [`SessionConfig::drain`], [`Drain::start`] ends the accept loop: the
/// listener is closed (new connections are refused), and `serve` returns
/// once the running sessions have ended or the drain timeout has passed,
/// with the number of connections still open then.
pub fn serve<I, R>(
    listener: TcpListener,
    security: ServerSecurity,
    prepared: Prepared,
    make_inputs: I,
    report: R,
    config: SessionConfig,
) -> std::io::Result<usize>
where
    I: Fn(&PeerInfo) -> Box<dyn InputSource + Send> + Send + Sync + 'static,
    R: Fn(&PeerInfo, Result<SessionStats, GarbleError>, Vec<Vec<bool>>) + Send + Sync + 'static,
{
    let shared = Arc::new(Shared {
        prepared,
        make_inputs,
        report,
        security,
        running: AtomicUsize::new(0),
        open: AtomicUsize::new(0),
        handshakes: Arc::new(Handshakes::default()),
    });
    if let Some(drain) = &config.drain {
        *drain.inner.wake.lock().unwrap_or_else(|e| e.into_inner()) = listener.local_addr().ok();
    }
    let reaper = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("handshake-reaper".into())
            .spawn(move || shared.handshakes.reap())?
    };
    let draining = || config.drain.as_ref().is_some_and(Drain::is_draining);
    let mut ids = 0u64;
    let mut start = |stream: TcpStream| {
        ids += 1;
        let id = ids;
        let deadline = Instant::now() + config.handshake_timeout;
        let Some(pending) =
            shared
                .handshakes
                .enter(id, &stream, deadline, config.max_handshakes.max(1))
        else {
            if let Some(m) = &config.metrics {
                m.busy_refusal();
            }
            tracing::warn!(
                handshakes = config.max_handshakes.max(1),
                "connection refused: too many handshakes under way"
            );
            return;
        };
        let open = Open::new(shared.clone());
        let handshaking = config.metrics.as_ref().map(|m| m.handshake_started());
        let (shared, config) = (shared.clone(), config.clone());
        let metrics = config.metrics.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("session-{id}"))
            .spawn(move || {
                let _open = open;
                connection(id, stream, pending, handshaking, &shared, config);
            });
        if let Err(e) = spawned {
            // The thread's closure, and with it the connection and its
            // place among the handshakes, is dropped: the peer sees it
            // closed.
            if let Some(m) = &metrics {
                m.spawn_failure();
            }
            tracing::error!(error = %e, "connection refused: cannot start its thread");
        }
    };
    for conn in listener.incoming() {
        match conn {
            Ok(stream) => start(stream),
            Err(_) => {
                // Out of file descriptors, say: wait a little instead of
                // spinning on the same error.
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        if draining() {
            break;
        }
    }
    // Connections the kernel completed before the drain began are served
    // (their peers see them established; dropping them would fail their
    // sessions), then the listener closes and later ones are refused.
    if listener.set_nonblocking(true).is_ok() {
        while let Ok((stream, _)) = listener.accept() {
            if stream.set_nonblocking(false).is_ok() {
                start(stream);
            }
        }
    }
    drop(listener);
    let Some(drain) = &config.drain else {
        shared.handshakes.stop();
        let _ = reaper.join();
        return Ok(0);
    };
    tracing::info!(
        running = shared.open.load(Ordering::Acquire),
        timeout_seconds = drain.timeout().as_secs_f64(),
        "draining"
    );
    let deadline = Instant::now() + drain.timeout();
    while shared.open.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = shared.open.load(Ordering::Acquire);
    shared.handshakes.stop();
    let _ = reaper.join();
    Ok(left)
}

/// What the connections of one [`serve`] share.
struct Shared<I, R> {
    prepared: Prepared,
    make_inputs: I,
    report: R,
    security: ServerSecurity,
    /// Sessions holding a slot.
    running: AtomicUsize,
    /// Connections with a thread, in their handshake or in a session.
    open: AtomicUsize,
    handshakes: Arc<Handshakes>,
}

/// Counts a connection open until dropped.
struct Open<I, R>(Arc<Shared<I, R>>);

impl<I, R> Open<I, R> {
    fn new(shared: Arc<Shared<I, R>>) -> Open<I, R> {
        shared.open.fetch_add(1, Ordering::AcqRel);
        Open(shared)
    }
}

impl<I, R> Drop for Open<I, R> {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One connection of [`serve`], on its own thread: the handshake, then a
/// session slot and the session, or a busy refusal.
fn connection<I, R>(
    id: u64,
    stream: TcpStream,
    pending: PendingHandshake,
    handshaking: Option<crate::metrics::Handshaking>,
    shared: &Shared<I, R>,
    config: SessionConfig,
) where
    I: Fn(&PeerInfo) -> Box<dyn InputSource + Send>,
    R: Fn(&PeerInfo, Result<SessionStats, GarbleError>, Vec<Vec<bool>>),
{
    let mut peer = PeerInfo {
        addr: stream
            .peer_addr()
            .unwrap_or_else(|_| ([0, 0, 0, 0], 0).into()),
        identity: None,
    };
    let span = tracing::info_span!(
        "session",
        id,
        addr = %peer.addr,
        identity = tracing::field::Empty
    );
    let _span = span.enter();
    tracing::debug!("connection accepted");
    let link = handshake(stream, pending.deadline, &shared.security, &config);
    drop(pending);
    drop(handshaking);
    let link = match link {
        Ok(link) => link,
        // While draining, a connection closed before its handshake is most
        // likely the one that woke the accept loop: not worth a report.
        Err(e) if closed_unsent(&e) && config.drain.as_ref().is_some_and(Drain::is_draining) => {
            tracing::debug!("connection closed before its handshake while draining");
            return;
        }
        Err(e) => {
            tracing::warn!(cause = ?crate::metrics::Cause::of(&e), error = %e, "connection refused");
            if let Some(m) = &config.metrics {
                drop(m.session_started());
                m.session_failed(Phase::Handshake, &e);
            }
            (shared.report)(&peer, Err(e), Vec::new());
            return;
        }
    };
    peer.identity = link.peer_identity().map(|p| p.name().to_string());
    if let Some(identity) = &peer.identity {
        span.record("identity", identity.as_str());
    }
    // A session slot, now that the handshake is done.
    let max = config.max_sessions.max(1);
    let slot = shared
        .running
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < max).then_some(n + 1)
        });
    if slot.is_err() {
        if let Some(m) = &config.metrics {
            m.busy_refusal();
        }
        tracing::warn!(running = max, "connection refused: at the session limit");
        refuse_busy(link, &config);
        return;
    }
    let _slot = Slot(&shared.running);
    let _active = config.metrics.as_ref().map(|m| m.session_started());
    tracing::info!("session started");
    let config = SessionConfig {
        peer: peer.budget_key(),
        ..config
    };
    let mut inputs = (shared.make_inputs)(&peer);
    let mut results = Vec::new();
    let outcome = run_link(
        link,
        &peer,
        &shared.prepared,
        inputs.as_mut(),
        &mut |r| results.push(r.to_vec()),
        config,
    );
    (shared.report)(&peer, outcome, results);
}

/// The handshake stage of a connection: with TLS the handshake and
/// admission, in plaintext the peer's first byte, all within
/// [`SessionConfig::handshake_timeout`]; then the socket gets the session's
/// peer timeout.
fn handshake(
    stream: TcpStream,
    deadline: Instant,
    security: &ServerSecurity,
    config: &SessionConfig,
) -> Result<Link, GarbleError> {
    let limit = config.handshake_timeout;
    let limits = Limits {
        // What is left of the handshake's time (a zero timeout would mean
        // none at all to the socket).
        timeout: deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1)),
        ..config.limits
    };
    // Cut by the reaper at the deadline, the connection reads as closed.
    let late = || Instant::now() >= deadline;
    let timed_out = || {
        GarbleError::Protocol(ProtocolError::Timeout {
            phase: Phase::Handshake,
            secs: limit.as_secs(),
        })
    };
    if let ServerSecurity::InsecurePlaintext = security {
        configure_socket(&stream, limits).map_err(|source| ProtocolError::Io {
            phase: Phase::Handshake,
            source,
        })?;
        match stream.peek(&mut [0u8; 1]) {
            Ok(n) if n > 0 => {}
            Ok(_) if late() => return Err(timed_out()),
            Ok(_) => {
                return Err(ProtocolError::Closed {
                    phase: Phase::Handshake,
                }
                .into())
            }
            Err(e) if late() || matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(timed_out())
            }
            Err(source) => {
                return Err(ProtocolError::Io {
                    phase: Phase::Handshake,
                    source,
                }
                .into())
            }
        }
    }
    let link = security.accept(stream, limits).map_err(|e| match e {
        TransportError::Timeout { .. } => TransportError::Timeout { after: limit },
        TransportError::Closed | TransportError::Io(_) if late() => {
            TransportError::Timeout { after: limit }
        }
        e => e,
    })?;
    configure_socket(link.get_ref().get_ref(), config.limits).map_err(|source| {
        ProtocolError::Io {
            phase: Phase::Handshake,
            source,
        }
    })?;
    Ok(link)
}

/// Whether the peer closed the connection before completing its
/// handshake.
fn closed_unsent(e: &GarbleError) -> bool {
    matches!(
        e,
        GarbleError::Transport(TransportError::Closed)
            | GarbleError::Protocol(ProtocolError::Closed {
                phase: Phase::Handshake
            })
    )
}

/// A session slot, given back when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The connections in their handshake: each with its deadline and a handle
/// on its socket, which [`Handshakes::reap`] shuts down at the deadline
/// (however slowly the peer trickles bytes, its handshake ends then).
#[derive(Default)]
struct Handshakes {
    open: Mutex<Vec<(u64, Instant, TcpStream)>>,
    stopped: AtomicBool,
}

/// How often [`Handshakes::reap`] looks for handshakes past their deadline.
const REAP_EVERY: Duration = Duration::from_millis(100);

impl Handshakes {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Instant, TcpStream)>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers the handshake of connection `id`, unless `max` are under
    /// way already or its socket cannot be shared (out of descriptors).
    fn enter(
        self: &Arc<Self>,
        id: u64,
        stream: &TcpStream,
        deadline: Instant,
        max: usize,
    ) -> Option<PendingHandshake> {
        let mut open = self.lock();
        if open.len() >= max {
            return None;
        }
        open.push((id, deadline, stream.try_clone().ok()?));
        Some(PendingHandshake {
            id,
            deadline,
            set: self.clone(),
        })
    }

    fn leave(&self, id: u64) {
        self.lock().retain(|(i, _, _)| *i != id);
    }

    /// Shuts down the sockets of handshakes past their deadline, until
    /// [`Handshakes::stop`].
    fn reap(&self) {
        while !self.stopped.load(Ordering::Acquire) {
            std::thread::sleep(REAP_EVERY);
            let now = Instant::now();
            self.lock().retain(|(_, deadline, stream)| {
                if now < *deadline {
                    return true;
                }
                let _ = stream.shutdown(std::net::Shutdown::Both);
                false
            });
        }
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }
}

/// A connection's place among the [`Handshakes`], given up when dropped:
/// when its handshake ends, or with its thread's closure if the thread
/// never started.
struct PendingHandshake {
    id: u64,
    deadline: Instant,
    set: Arc<Handshakes>,
}

impl Drop for PendingHandshake {
    fn drop(&mut self) {
        self.set.leave(self.id);
    }
}

/// Tells a connection beyond [`SessionConfig::max_sessions`], its
/// handshake done, that the garbler is busy (inside TLS if it runs TLS),
/// within a second, and closes it.
fn refuse_busy(link: Link, config: &SessionConfig) {
    let limits = Limits {
        timeout: Duration::from_secs(1),
        ..config.limits
    };
    if configure_socket(link.get_ref().get_ref(), limits).is_err() {
        return;
    }
    let message = format!(
        "the garbler is busy: {} sessions are running, try again later",
        config.max_sessions.max(1)
    );
    let mut ch = Channel::new(link, limits);
    ch.send_error(&message);
    let mut link = ch.into_inner();
    let _ = link.close();
    drain_and_close(link.get_ref().get_ref());
}

/// Drains what the peer already sent (its hello), so that closing ends the
/// connection with a FIN the peer reads after our last bytes, not a reset
/// that may discard them.
fn drain_and_close(stream: &TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    if stream.set_nonblocking(true).is_ok() {
        let mut sink = [0u8; 4096];
        for _ in 0..16 {
            match (&*stream).read(&mut sink) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
    }
}
