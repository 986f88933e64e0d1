//! A load generator for a garbler service: many evaluator sessions at once,
//! some of them dropped on purpose at random points, every result checked.
//!
//! ```sh
//! cargo run --release -p evaluator --example loadgen -- \
//!     --connect 127.0.0.1:7000 --insecure-plaintext \
//!     --program examples/first_price.mpc --garbler-input 100 \
//!     --sessions 200 --concurrency 50 --computations 2 --kill-fraction 0.1 \
//!     '[10, 20, 30, 40, 50, 60, 70, 80]'
//! ```
//!
//! It runs `--sessions` sessions, `--concurrency` at a time (one thread
//! each), each running `--computations` computations with the positional
//! VALUES as the evaluator's inputs (one literal per evaluator parameter,
//! as for the `evaluator` binary). Every output the evaluator learns is
//! checked against a plaintext evaluation of the circuit with both parties'
//! inputs, so the garbler's values must be given too: `--garbler-input V`,
//! once per garbler parameter in declaration order, the same values the
//! garbler serves with. TLS takes the `evaluator` binary's flags
//! (`--tls-cert`, `--tls-key`, `--tls-ca`, `--tls-server-name`), or
//! `--insecure-plaintext`.
//!
//! The garbler must admit the load: `--max-sessions` at least
//! `--concurrency` (beyond it sessions are refused as busy, and count as
//! failed), and a per-peer budget (`--max-computations-per-peer`, 1000 by
//! default for fixed values) that covers every computation of the run, all
//! of which come from one peer.
//!
//! A fraction `--kill-fraction` of the sessions (chosen at random) is cut
//! at one of four points, in turn: before the handshake (the TCP connection
//! closed before a byte is sent), during OT (within the base OTs or the
//! first OT extension), mid-tables (within the garbled tables of a random
//! computation) or before the result (just as the evaluator would send a
//! computation's output labels back). The points are found as byte offsets
//! in the session's traffic, measured by one uncounted dry-run session
//! first: a killed session's link shuts the socket down when its traffic
//! reaches the chosen offset.
//!
//! Prints one JSON line: `sessions`, `ok` (sessions that ended cleanly
//! with every output correct), `killed` (sessions cut on purpose),
//! `failed` (sessions neither killed nor correct), `sessions_per_s`
//! (sessions that ended cleanly per second of the run), `p50_ms` and
//! `p99_ms` (latency of the sessions that ended cleanly, connection to
//! goodbye). Exits with status 1 if any session failed. Which points were
//! hit, and the first errors of failed sessions, go to standard error.

use circuits::{value, Circuit, Party};
use clap::Parser;
use evaluator::{Prepared, Session, SessionConfig};
use protocol::Limits;
use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use transport::ClientSecurity;

/// Run many evaluator sessions against a garbler service and check them.
#[derive(Parser, Clone, Debug)]
#[command(name = "loadgen")]
pub struct Args {
    /// The garbler's address, HOST:PORT.
    #[arg(long)]
    pub connect: String,
    /// A .mpc program to compile and run.
    #[arg(long, conflicts_with = "circuit", required_unless_present = "circuit")]
    pub program: Option<PathBuf>,
    /// A Bristol Fashion or compiled circuit file.
    #[arg(long)]
    pub circuit: Option<PathBuf>,
    /// How many of a Bristol circuit's input values are the garbler's.
    #[arg(long, default_value_t = 1)]
    pub garbler_values: usize,
    /// One of the garbler's values (repeat: one per garbler parameter, in
    /// declaration order), to check the outputs against.
    #[arg(
        long = "garbler-input",
        value_name = "V",
        allow_negative_numbers = true
    )]
    pub garbler_inputs: Vec<String>,
    /// Sessions to run in all.
    #[arg(long, default_value_t = 100)]
    pub sessions: usize,
    /// Sessions at once.
    #[arg(long, default_value_t = 10)]
    pub concurrency: usize,
    /// Computations per session.
    #[arg(long, default_value_t = 1)]
    pub computations: usize,
    /// Fraction of the sessions to cut on purpose, 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub kill_fraction: f64,
    /// Seconds to wait for a silent garbler.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// The garbling scheme (the garbler must run the same one).
    #[arg(long, default_value_t = evaluator::Scheme::HalfGates)]
    pub scheme: evaluator::Scheme,
    /// Seed of the choice of killed sessions and points (default: random).
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub tls: transport::cli::ClientTlsArgs,
    /// The evaluator's values, one per evaluator parameter.
    #[arg(allow_negative_numbers = true)]
    pub values: Vec<String>,
}

/// Where a killed session is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// The TCP connection closed before the handshake.
    Handshake,
    /// Within the base OTs or the first OT extension.
    Ot,
    /// Within a computation's garbled tables.
    Tables,
    /// Just before a computation's result goes back.
    Result,
}

const POINTS: [Point; 4] = [Point::Handshake, Point::Ot, Point::Tables, Point::Result];

/// What a run counted.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Sessions run.
    pub sessions: usize,
    /// Sessions that ended cleanly with every output correct.
    pub ok: usize,
    /// Sessions cut on purpose.
    pub killed: usize,
    /// Sessions neither killed nor correct.
    pub failed: usize,
    /// Killed sessions by point, in the order of [`POINTS`].
    pub killed_at: [usize; 4],
    /// Clean sessions per second of the run.
    pub sessions_per_s: f64,
    /// Median latency of clean sessions, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency of clean sessions, milliseconds.
    pub p99_ms: f64,
    /// The first few errors of failed sessions.
    pub errors: Vec<String>,
}

impl Report {
    /// The one JSON line the example prints.
    pub fn json(&self) -> String {
        format!(
            "{{\"sessions\":{},\"ok\":{},\"killed\":{},\"failed\":{},\"sessions_per_s\":{:.2},\"p50_ms\":{:.2},\"p99_ms\":{:.2}}}",
            self.sessions,
            self.ok,
            self.killed,
            self.failed,
            self.sessions_per_s,
            self.p50_ms,
            self.p99_ms
        )
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(report) => {
            let [h, o, t, r] = report.killed_at;
            eprintln!(
                "loadgen: killed before the handshake {h}, during OT {o}, mid-tables {t}, before the result {r}"
            );
            for e in &report.errors {
                eprintln!("loadgen: failed session: {e}");
            }
            println!("{}", report.json());
            if report.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("loadgen: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Loads the circuit the flags name.
fn load(args: &Args) -> Result<Circuit, String> {
    match (&args.program, &args.circuit) {
        (Some(p), None) => compiler::compile_file(p).map_err(|e| e.to_string()),
        (None, Some(c)) => {
            circuits::format::read_file(c, args.garbler_values).map_err(|e| e.to_string())
        }
        _ => Err("give exactly one of --program and --circuit".into()),
    }
}

/// The output bits the evaluator must learn, by plaintext evaluation.
fn expected(
    circuit: &Circuit,
    garbler: &[String],
    evaluator: &[String],
) -> Result<Vec<bool>, String> {
    let width: usize = circuit.inputs.iter().map(|i| i.ty.width()).sum();
    let mut wires = vec![false; width];
    for (party, values) in [(Party::Garbler, garbler), (Party::Evaluator, evaluator)] {
        let bits = value::parse_inputs(circuit, Some(party), values)
            .map_err(|e| format!("the {party:?}'s values: {e}"))?;
        let mut at = 0;
        for input in circuit.inputs.iter().filter(|i| i.party == party) {
            let w = input.ty.width();
            let first = input.first_wire as usize;
            wires
                .get_mut(first..first + w)
                .ok_or("an input beyond the circuit's input wires")?
                .copy_from_slice(&bits[at..at + w]);
            at += w;
        }
    }
    let out = circuit.eval_bits(&wires).map_err(|e| e.to_string())?;
    Ok(circuit
        .output_bits_of(Party::Evaluator)
        .into_iter()
        .map(|i| out[i])
        .collect())
}

/// A small pseudo-random generator (splitmix64): the load's choices need
/// no cryptographic quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (`lo` when the range is empty).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.next() % (hi - lo)
        }
    }
}

/// A stream that counts its traffic (reads and writes together), records
/// its direction changes, and once the traffic reaches `budget` shuts the
/// socket down and fails every later read and write.
struct Killable<S> {
    inner: S,
    socket: TcpStream,
    budget: Option<u64>,
    done: u64,
    fired: bool,
    /// Runs of traffic in one direction: (written, bytes).
    runs: Rc<RefCell<Vec<(bool, u64)>>>,
}

impl<S> Killable<S> {
    fn new(
        inner: S,
        socket: TcpStream,
        budget: Option<u64>,
        runs: Rc<RefCell<Vec<(bool, u64)>>>,
    ) -> Killable<S> {
        Killable {
            inner,
            socket,
            budget,
            done: 0,
            fired: false,
            runs,
        }
    }

    /// How many bytes the next read or write may move, or the error once
    /// the budget is spent.
    fn allow(&mut self, want: usize) -> std::io::Result<usize> {
        match self.budget {
            Some(b) if self.done >= b => {
                if !self.fired {
                    self.fired = true;
                    let _ = self.socket.shutdown(Shutdown::Both);
                }
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "killed by the load generator",
                ))
            }
            Some(b) => Ok(want.min((b - self.done) as usize)),
            None => Ok(want),
        }
    }

    fn count(&mut self, written: bool, n: usize) {
        self.done += n as u64;
        let mut runs = self.runs.borrow_mut();
        match runs.last_mut() {
            Some((w, len)) if *w == written => *len += n as u64,
            _ if n > 0 => runs.push((written, n as u64)),
            _ => {}
        }
    }
}

impl<S: Read> Read for Killable<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.allow(buf.len())?;
        let n = self.inner.read(&mut buf[..n])?;
        self.count(false, n);
        Ok(n)
    }
}

impl<S: Write> Write for Killable<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.allow(buf.len())?;
        let n = self.inner.write(&buf[..n])?;
        self.count(true, n);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What everything a session needs shares.
struct Plan {
    addr: String,
    security: ClientSecurity,
    prepared: Prepared,
    config: SessionConfig,
    bits: Vec<bool>,
    expected: Vec<bool>,
    computations: usize,
}

/// How one session ended.
enum Outcome {
    Ok(Duration),
    Killed,
    Failed(String),
}

/// Runs one session, cut at `kill` (a point, and a traffic offset for all
/// but [`Point::Handshake`]). Returns its outcome and its traffic runs.
fn session(plan: &Plan, kill: Option<(Point, u64)>) -> (Outcome, Vec<(bool, u64)>) {
    let runs = Rc::new(RefCell::new(Vec::new()));
    let outcome = match attempt(plan, kill, &runs) {
        Ok(took) => Outcome::Ok(took),
        // A killed session fails as the budget says; an error before the
        // kill point is a failure all the same.
        Err((e, fired)) => match fired || matches!(kill, Some((Point::Handshake, _))) {
            true => Outcome::Killed,
            false => Outcome::Failed(e),
        },
    };
    let runs = runs.borrow().clone();
    (outcome, runs)
}

/// [`session`]'s work: the latency, or the error and whether the kill
/// fired.
fn attempt(
    plan: &Plan,
    kill: Option<(Point, u64)>,
    runs: &Rc<RefCell<Vec<(bool, u64)>>>,
) -> Result<Duration, (String, bool)> {
    let start = Instant::now();
    let stream = connect(&plan.addr, plan.config.limits.timeout).map_err(|e| (e, false))?;
    if let Some((Point::Handshake, _)) = kill {
        let _ = stream.shutdown(Shutdown::Both);
        return Err(("cut before the handshake".into(), true));
    }
    let socket = stream
        .try_clone()
        .map_err(|e| (format!("socket: {e}"), false))?;
    let link = plan
        .security
        .connect(stream, transport::host_of(&plan.addr), plan.config.limits)
        .map_err(|e| (format!("connecting: {e}"), false))?;
    let binding = link.channel_binding();
    let link = Killable::new(link, socket, kill.map(|(_, at)| at), runs.clone());
    let total = |runs: &Rc<RefCell<Vec<(bool, u64)>>>| -> u64 {
        runs.borrow().iter().map(|&(_, n)| n).sum()
    };
    // The kill fired once the traffic reached its offset.
    let killed =
        |runs: &Rc<RefCell<Vec<(bool, u64)>>>| kill.is_some_and(|(_, at)| total(runs) >= at);
    let mut s = Session::over_bound(link, binding, &plan.prepared, plan.config)
        .map_err(|e| (e.to_string(), killed(runs)))?;
    for _ in 0..plan.computations {
        match s.evaluate(&plan.bits) {
            Ok(out) if out == plan.expected => {}
            Ok(_) => return Err(("a wrong output".into(), false)),
            Err(e) => return Err((e.to_string(), killed(runs))),
        }
    }
    s.close().map_err(|e| (e.to_string(), killed(runs)))?;
    Ok(start.elapsed())
}

/// Connects to `addr` within `timeout`.
fn connect(addr: &str, timeout: Duration) -> Result<TcpStream, String> {
    let mut last = String::from("the address resolves to nothing");
    for a in addr.to_socket_addrs().map_err(|e| format!("{addr}: {e}"))? {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("connecting to {a}: {e}"),
        }
    }
    Err(last)
}

/// A traffic offset for `point`, from a clean session's traffic `runs`:
/// they alternate between the evaluator's writes and reads, the first two
/// the handshake with the base OTs, then per computation a write (the OT
/// extension, after the previous result) and a read (labels, tables and
/// decoding bits).
fn offset(point: Point, runs: &[(bool, u64)], rng: &mut Rng) -> u64 {
    let ends: Vec<u64> = runs
        .iter()
        .scan(0, |sum, &(_, n)| {
            *sum += n;
            Some(*sum)
        })
        .collect();
    let start_of = |i: usize| if i == 0 { 0 } else { ends[i - 1] };
    // The runs the evaluator reads that carry garbled tables: every read
    // after the base OTs.
    let tables: Vec<usize> = (2..runs.len()).filter(|&i| !runs[i].0).collect();
    match point {
        Point::Handshake => 0,
        // From the base-OT reply to the end of the first OT extension.
        Point::Ot if runs.len() > 2 => rng.range(start_of(1), ends[2]),
        Point::Ot => rng.range(0, ends.last().copied().unwrap_or(1)),
        Point::Tables => match tables.get(rng.range(0, tables.len() as u64) as usize) {
            Some(&i) => rng.range(
                start_of(i) + 1,
                ends[i].saturating_sub(1).max(start_of(i) + 1),
            ),
            None => ends.last().copied().unwrap_or(1) / 2,
        },
        // The whole read done: the next write is the result.
        Point::Result => match tables.get(rng.range(0, tables.len() as u64) as usize) {
            Some(&i) => ends[i],
            None => ends.last().copied().unwrap_or(1),
        },
    }
}

/// Runs the load the arguments describe.
pub fn run(args: &Args) -> Result<Report, String> {
    if !(0.0..=1.0).contains(&args.kill_fraction) {
        return Err("--kill-fraction must be within 0 and 1".into());
    }
    let circuit = load(args)?;
    let expected = expected(&circuit, &args.garbler_inputs, &args.values)?;
    let bits = value::parse_inputs(&circuit, Some(Party::Evaluator), &args.values)
        .map_err(|e| e.to_string())?;
    let prepared = Prepared::new(circuit).map_err(|e| e.to_string())?;
    let security = args.tls.security().map_err(|e| e.to_string())?;
    let plan = Arc::new(Plan {
        addr: args.connect.clone(),
        security,
        prepared,
        config: SessionConfig {
            limits: Limits {
                timeout: Duration::from_secs(args.timeout.max(1)),
                ..Limits::default()
            },
            transcript: false,
            scheme: args.scheme,
            ..SessionConfig::default()
        },
        bits,
        expected,
        computations: args.computations.max(1),
    });
    // A clean session first, uncounted: it checks the set-up and measures
    // the traffic the kill points are placed in.
    let runs = match session(&plan, None) {
        (Outcome::Ok(_), runs) => runs,
        (Outcome::Failed(e), _) => return Err(format!("the dry-run session failed: {e}")),
        (Outcome::Killed, _) => return Err("the dry-run session was cut".into()),
    };
    let mut rng = Rng(match args.seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            getrandom::getrandom(&mut b).map_err(|e| e.to_string())?;
            u64::from_le_bytes(b)
        }
    });
    // Which sessions are killed (a random set of the asked size), and
    // where: the points in turn, each at a random offset.
    let n = args.sessions;
    let n_kill = ((n as f64) * args.kill_fraction).round() as usize;
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.range(0, i as u64 + 1) as usize);
    }
    let mut kills: Vec<Option<(Point, u64)>> = vec![None; n];
    for (k, &i) in order.iter().take(n_kill).enumerate() {
        let point = POINTS[k % POINTS.len()];
        kills[i] = Some((point, offset(point, &runs, &mut rng)));
    }
    let kills = Arc::new(kills);
    let next = Arc::new(AtomicUsize::new(0));
    let outcomes = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let start = Instant::now();
    let threads: Vec<_> = (0..args.concurrency.clamp(1, n.max(1)))
        .map(|t| {
            let (plan, kills, next, outcomes) =
                (plan.clone(), kills.clone(), next.clone(), outcomes.clone());
            std::thread::Builder::new()
                .name(format!("loadgen-{t}"))
                .spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= kills.len() {
                        break;
                    }
                    let (outcome, _) = session(&plan, kills[i]);
                    outcomes
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((kills[i].map(|k| k.0), outcome));
                })
                .map_err(|e| format!("starting a thread: {e}"))
        })
        .collect::<Result<_, _>>()?;
    for t in threads {
        t.join().map_err(|_| "a session thread panicked")?;
    }
    let elapsed = start.elapsed();
    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap_or_else(|e| e.into_inner()));
    let mut report = Report {
        sessions: n,
        ..Report::default()
    };
    let mut latencies = Vec::new();
    for (point, outcome) in outcomes {
        match outcome {
            Outcome::Ok(t) => {
                report.ok += 1;
                latencies.push(t);
            }
            Outcome::Killed => {
                report.killed += 1;
                if let Some(p) = point {
                    report.killed_at[POINTS.iter().position(|q| *q == p).unwrap_or(0)] += 1;
                }
            }
            Outcome::Failed(e) => {
                report.failed += 1;
                if report.errors.len() < 5 {
                    report.errors.push(e);
                }
            }
        }
    }
    latencies.sort();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1e3
    };
    report.p50_ms = pct(0.50);
    report.p99_ms = pct(0.99);
    report.sessions_per_s = report.ok as f64 / elapsed.as_secs_f64().max(1e-9);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use garbler::{serve, Drain, FixedInputs, SessionConfig as ServiceConfig};
    use std::net::TcpListener;
    use transport::ServerSecurity;

    #[test]
    fn a_load_with_killed_sessions_checks_every_other_one() {
        let program = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/first_price.mpc");
        let circuit = compiler::compile_file(&program).unwrap();
        let reserve = vec!["35".to_string()];
        let bits = value::parse_inputs(&circuit, Some(Party::Garbler), &reserve).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let drain = Drain::new(Duration::from_secs(5));
        let metrics = Arc::new(garbler::metrics::Metrics::new());
        let config = ServiceConfig {
            drain: Some(drain.clone()),
            metrics: Some(metrics.clone()),
            ..ServiceConfig::default()
        };
        let prepared = Prepared::new(circuit).unwrap();
        let service = std::thread::spawn(move || {
            serve(
                listener,
                ServerSecurity::InsecurePlaintext,
                prepared,
                move |_| Box::new(FixedInputs(bits.clone())),
                |_, _, _| {},
                config,
            )
        });
        let args = Args::try_parse_from([
            "loadgen",
            "--connect",
            &addr.to_string(),
            "--insecure-plaintext",
            "--program",
            program.to_str().unwrap(),
            "--garbler-input",
            "35",
            "--sessions",
            "8",
            "--concurrency",
            "4",
            "--computations",
            "2",
            "--kill-fraction",
            "0.5",
            "--seed",
            "7",
            "[10, 50, 20, 40, 30, 5, 50, 1]",
        ])
        .unwrap();
        let report = run(&args).unwrap();
        assert_eq!(report.failed, 0, "{:?}", report.errors);
        assert_eq!(report.killed, 4, "{report:?}");
        assert_eq!(report.ok, 4, "{report:?}");
        // Four kills, one at each point.
        assert_eq!(report.killed_at, [1, 1, 1, 1]);
        assert!(report.p99_ms >= report.p50_ms && report.p50_ms > 0.0);
        let json = report.json();
        assert!(
            json.starts_with("{\"sessions\":8,\"ok\":4,\"killed\":4,\"failed\":0,"),
            "{json}"
        );
        // The garbler saw the four killed sessions fail, and the other four
        // and the dry run end cleanly.
        let ended = |text: &str, name: &str| -> u64 {
            text.lines()
                .filter(|l| l.starts_with(name))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                .sum()
        };
        let start = Instant::now();
        loop {
            let text = metrics.encode();
            let (ok, failed) = (
                ended(&text, "garbler_sessions_finished_total"),
                ended(&text, "garbler_sessions_failed_total{"),
            );
            if (ok, failed) == (5, 4) {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "{text}");
            std::thread::sleep(Duration::from_millis(20));
        }
        // A wrong garbler value fails the dry run.
        let mut wrong = args.clone();
        wrong.garbler_inputs = vec!["60".into()];
        wrong.kill_fraction = 0.0;
        wrong.sessions = 2;
        let report = run(&wrong);
        assert!(
            matches!(&report, Err(e) if e.contains("dry-run")),
            "{report:?}"
        );
        drain.start();
        assert_eq!(service.join().unwrap().unwrap(), 0);
    }
}
