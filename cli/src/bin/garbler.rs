//! `garbler`: the garbling party of a two-party computation over TLS (or,
//! with `--insecure-plaintext`, plain TCP).

use circuits::{Circuit, Party};
use clap::Parser;
use garbler::budget::Budget;
use garbler::metrics::{serve_http, Metrics};
use garbler::service::{run_link, serve, Drain, FixedInputs, InputSource, PeerInfo, SessionConfig};
use protocol::Prepared;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io::BufRead;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Garble a circuit for an evaluator that connects over TLS, and print the result.
#[derive(Parser)]
#[command(name = "garbler", version)]
struct Args {
    /// Address to listen on, e.g. 127.0.0.1:7000.
    #[arg(long)]
    listen: String,
    #[command(flatten)]
    common: cli::CircuitArgs,
    #[command(flatten)]
    tls: transport::cli::ServerTlsArgs,
    /// Serve many evaluators at once, each in a session of its own, until killed.
    #[arg(long)]
    serve: bool,
    /// With --serve: most sessions at once; more connections are told the
    /// garbler is busy.
    #[arg(long, default_value_t = garbler::DEFAULT_MAX_SESSIONS)]
    max_sessions: usize,
    /// With --serve: seconds a connection gets to complete its TLS
    /// handshake (in plaintext: to send its first byte); it holds no
    /// session slot meanwhile, and is cut when the time is up.
    #[arg(long, value_name = "SECS", default_value_t = garbler::DEFAULT_HANDSHAKE_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout: u64,
    /// With --serve: most connections in their handshake at once; more are
    /// closed at once.
    #[arg(long, default_value_t = garbler::DEFAULT_MAX_HANDSHAKES)]
    max_handshakes: usize,
    /// Most computations per session (default: as many as the evaluator asks).
    #[arg(long)]
    repeat: Option<u64>,
    /// Most computations each peer (by identity) may run, over the life of
    /// the service. With --serve and fixed values the default is
    /// 1000: a garbler that answers with one input for ever is an oracle for it.
    #[arg(long)]
    max_computations_per_peer: Option<u64>,
    /// Most computations of all peers together, over the life of the service.
    #[arg(long)]
    max_computations: Option<u64>,
    /// With --serve: answer HTTP GET on this address: /metrics (Prometheus),
    /// /healthz (alive), /readyz (503 once draining).
    #[arg(long, requires = "serve")]
    metrics: Option<String>,
    /// With --serve: on SIGTERM or SIGINT, stop accepting and give running
    /// sessions this many seconds to finish, then exit.
    #[arg(long, default_value_t = 30, requires = "serve")]
    drain_timeout: u64,
    /// Structured logs on standard error, one event per line (a span per
    /// session naming its id and peer; nothing secret at any level).
    #[arg(long, value_enum)]
    log_format: Option<LogFormat>,
    /// With --log-format: the least level logged.
    #[arg(long, value_enum, default_value_t = LogLevel::Info, requires = "log_format")]
    log_level: LogLevel,
    /// Read this party's values from standard input, one line per computation.
    #[arg(long, conflicts_with = "values")]
    stdin: bool,
    /// The garbler's values, one per garbler parameter, in declaration order.
    #[arg(allow_negative_numbers = true)]
    values: Vec<String>,
}

/// How logs are written.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The least level logged.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogLevel {
    /// Errors only.
    Error,
    /// Failed sessions and refused connections.
    Warn,
    /// Sessions starting and ending, draining.
    Info,
    /// Connections and batches as well.
    Debug,
}

/// Installs the log subscriber `--log-format` asks for.
fn init_logs(format: Option<LogFormat>, level: LogLevel) {
    use tracing_subscriber::fmt;
    let level = match level {
        LogLevel::Error => tracing::Level::ERROR,
        LogLevel::Warn => tracing::Level::WARN,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Debug => tracing::Level::DEBUG,
    };
    let builder = fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_ansi(false);
    // A second subscriber cannot be installed; there is none before this.
    let _ = match format {
        None => return,
        Some(LogFormat::Text) => builder.try_init(),
        Some(LogFormat::Json) => builder.json().with_current_span(true).try_init(),
    };
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logs(args.log_format, args.log_level);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("garbler: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let security = args.tls.security().map_err(|e| e.to_string())?;
    let circuit = args.common.load()?;
    let fixed = if args.stdin {
        None
    } else {
        Some(cli::party_bits(&circuit, Party::Garbler, &args.values)?)
    };
    let prepared = Prepared::new(circuit).map_err(|e| e.to_string())?;
    let circuit = prepared.circuit.clone();
    let config = SessionConfig {
        limits: args.common.limits(),
        max_computations: args.repeat,
        transcript: args.common.stats,
        max_sessions: args.max_sessions,
        handshake_timeout: Duration::from_secs(args.handshake_timeout),
        max_handshakes: args.max_handshakes,
        budget: budget(&args).map(Arc::new),
        scheme: args.common.scheme,
        ahead: args.common.window(),
        security: args.common.security,
        ..SessionConfig::default()
    };
    // Signals are caught from the start: a SIGTERM as soon as the service
    // listens drains it rather than killing it.
    let mut signals = if args.serve {
        Some(Signals::new([SIGTERM, SIGINT]).map_err(|e| format!("cannot handle signals: {e}"))?)
    } else {
        None
    };
    // Bound before the service's listener, so that the endpoint answers
    // (or queues) as soon as the service says it listens.
    let http = match &args.metrics {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .map_err(|e| format!("cannot listen for metrics on {addr}: {e}"))?,
        ),
        None => None,
    };
    let listener = TcpListener::bind(&args.listen)
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    if let Ok(addr) = listener.local_addr() {
        eprintln!("garbler: listening on {addr}");
    }
    if let Some(b) = &config.budget {
        eprintln!("garbler: {}", b.describe());
    }
    if args.serve {
        // The garbling pool, started now rather than by the first session
        // (which would name its threads after itself): a serving garbler's
        // threads are then its accept loop, helpers, pool and sessions.
        let _ = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("garble-{i}"))
            .build_global();
        let metrics = Arc::new(Metrics::new());
        let drain = Drain::new(Duration::from_secs(args.drain_timeout));
        let ready = Arc::new(AtomicBool::new(true));
        if let Some(http) = http {
            if let Ok(addr) = http.local_addr() {
                eprintln!("garbler: metrics on http://{addr}/metrics");
            }
            let (m, r) = (metrics.clone(), ready.clone());
            std::thread::Builder::new()
                .name("metrics".into())
                .spawn(move || serve_http(http, m, r))
                .map_err(|e| format!("cannot start the metrics thread: {e}"))?;
        }
        if let Some(mut signals) = signals.take() {
            let (drain, ready) = (drain.clone(), ready.clone());
            let spawned = std::thread::Builder::new().name("signals".into()).spawn(move || {
                let mut signals = signals.forever();
                if signals.next().is_some() {
                    ready.store(false, Ordering::Release);
                    eprintln!("garbler: draining: no new sessions, waiting for the running ones");
                    drain.start();
                    // Should the accept loop not wake (its wake-up
                    // connection refused), the process still ends.
                    let limit = drain.timeout() + Duration::from_secs(5);
                    let deadline = std::thread::Builder::new()
                        .name("drain-deadline".into())
                        .spawn(move || {
                            std::thread::sleep(limit);
                            eprintln!("garbler: the drain did not end in time: exiting");
                            std::process::exit(0);
                        });
                    if deadline.is_err() {
                        eprintln!("garbler: cannot time the drain: it may wait for its sessions longer");
                    }
                }
                // A second signal does not wait for the drain.
                if signals.next().is_some() {
                    eprintln!("garbler: a second signal: exiting without waiting");
                    std::process::exit(1);
                }
            });
            spawned.map_err(|e| format!("cannot start the signal thread: {e}"))?;
        }
        let config = SessionConfig {
            metrics: Some(metrics),
            drain: Some(drain),
            ..config
        };
        let print = Mutex::new(());
        let c = circuit.clone();
        let stats = args.common.stats;
        type Make = Box<dyn Fn(&PeerInfo) -> Box<dyn InputSource + Send> + Send + Sync>;
        let make: Make = match fixed {
            Some(bits) => Box::new(move |_| Box::new(FixedInputs(bits.clone()))),
            None => {
                let c = circuit.clone();
                Box::new(move |_| stdin_inputs(c.clone()))
            }
        };
        return serve(
            listener,
            security,
            prepared,
            make,
            move |peer, outcome, results| {
                let _guard = print.lock();
                for r in &results {
                    if let Some(line) = cli::learned_lines(&c, Party::Garbler, r) {
                        println!("{line}");
                    }
                }
                match outcome {
                    Ok(s) if stats => eprintln!("{}", s.to_json()),
                    Ok(_) => {}
                    Err(e) => eprintln!("garbler: session with {peer}: error: {e}"),
                }
            },
            config,
        )
        .map(|left| {
            if left > 0 {
                eprintln!("garbler: drain timeout: {left} sessions cut off");
            } else {
                eprintln!("garbler: drained");
            }
        })
        .map_err(|e| e.to_string());
    }
    let (stream, addr) = listener
        .accept()
        .map_err(|e| format!("accepting a connection: {e}"))?;
    let link = security
        .accept(stream, config.limits)
        .map_err(|e| format!("connection from {addr}: TLS handshake: {e}"))?;
    let peer = PeerInfo {
        addr,
        identity: link.peer_identity().map(|p| p.name().to_string()),
    };
    let mut inputs: Box<dyn InputSource> = match fixed {
        Some(bits) => Box::new(FixedInputs(bits)),
        None => stdin_inputs(circuit.clone()),
    };
    let c = circuit.clone();
    let mut print = |r: &[bool]| {
        if let Some(line) = cli::learned_lines(&c, Party::Garbler, r) {
            println!("{line}");
        }
    };
    let stats = run_link(link, &peer, &prepared, inputs.as_mut(), &mut print, config)
        .map_err(|e| e.to_string())
        .map_err(|e| format!("session with {peer}: {e}"))?;
    if args.common.stats {
        eprintln!("{}", stats.to_json());
    }
    Ok(())
}

/// Default per-peer budget of a serving garbler with fixed values.
const DEFAULT_PER_PEER: u64 = 1000;

/// The computation budget the flags ask for: a finite one by default when
/// the same fixed values answer every session of a service.
fn budget(args: &Args) -> Option<Budget> {
    let per_peer = args
        .max_computations_per_peer
        .or((args.serve && !args.stdin).then_some(DEFAULT_PER_PEER));
    (per_peer.is_some() || args.max_computations.is_some())
        .then(|| Budget::new(per_peer, args.max_computations))
}

/// Inputs read from standard input, one line of values per computation
/// (whatever its context).
fn stdin_inputs(c: Arc<Circuit>) -> Box<dyn InputSource + Send> {
    Box::new(move |_context: &[u8]| {
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) => Err("the garbler has no more inputs".to_string()),
            Ok(_) => cli::party_bits(&c, Party::Garbler, &cli::split_values(&line)),
            Err(e) => Err(format!("reading the garbler's inputs: {e}")),
        }
    })
}
