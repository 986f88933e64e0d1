//! Half-gates against three-halves in one run: in memory (garbling and
//! evaluation of AES-128 and SHA-256 on one thread), and end to end over a
//! link limited to 1 Gbit/s, where the bytes per AND gate set the pace.
//!
//! The link is a relay between two loopback TCP connections that forwards
//! each direction through a token bucket of 125 MB/s (256 KiB of burst), as
//! `tc tbf` would: the parties' writes land in socket buffers and the link
//! drains them while the garbler garbles on, so computing and sending
//! overlap as they do over a real link. The garbled tables, the bulk of the
//! traffic, flow at most at that rate.

use circuits::{bristol, Party};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crypto::Scheme;
use evaluator::{Prepared, Session, SessionConfig};
use garbler::{run_session, FixedInputs, SessionConfig as ServiceConfig};
use mpcc::speed::Workload;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bristol")
        .join(name)
}

fn in_memory(c: &mut Criterion) {
    let mut g = c.benchmark_group("schemes_in_memory");
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for name in ["aes_128", "sha256"] {
        let circuit = bristol::read_file(&shared(&format!("{name}.txt")), 1).expect("circuit");
        for scheme in Scheme::ALL {
            let work = Workload::with_scheme(&circuit, scheme).expect("workload");
            g.throughput(Throughput::Elements(work.and_gates() as u64));
            let mut session = work.session();
            g.bench_function(format!("{name}/{scheme}/garble"), |b| {
                one.install(|| b.iter(|| work.garble_once(&mut session).unwrap()))
            });
            g.bench_function(format!("{name}/{scheme}/evaluate"), |b| {
                one.install(|| b.iter(|| work.evaluate_once().unwrap()))
            });
        }
    }
    g.finish();
}

/// Bytes per second of the limited link: 1 Gbit/s.
const LINK_BYTES_PER_SECOND: f64 = 125e6;

/// Most bytes the bucket holds (256 KiB, about 2 ms of the link, as `tc
/// tbf` needs a burst of at least the rate over the timer frequency): a
/// late wake-up of the relay is made up for by the tokens saved meanwhile.
const BURST: f64 = 262144.0;

/// Bytes the relay reads and forwards at once.
const PIECE: usize = 65536;

/// A token bucket: at most [`LINK_BYTES_PER_SECOND`] on average, bursts of
/// at most [`BURST`].
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new() -> Bucket {
        Bucket {
            tokens: BURST,
            last: Instant::now(),
        }
    }

    /// Waits until `n <= BURST` bytes may pass, and takes their tokens.
    fn take(&mut self, n: usize) {
        loop {
            let now = Instant::now();
            self.tokens = (self.tokens
                + now.duration_since(self.last).as_secs_f64() * LINK_BYTES_PER_SECOND)
                .min(BURST);
            self.last = now;
            if self.tokens >= n as f64 {
                self.tokens -= n as f64;
                return;
            }
            let wait = (n as f64 - self.tokens) / LINK_BYTES_PER_SECOND;
            std::thread::sleep(Duration::from_secs_f64(wait));
        }
    }
}

/// Copies `from` to `to` through a token bucket until `from` closes.
fn shape(mut from: TcpStream, mut to: TcpStream) {
    let mut bucket = Bucket::new();
    let mut buf = vec![0u8; PIECE];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        bucket.take(n);
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// The 1 Gbit/s link between two loopback sockets: a relay that forwards
/// each direction through its own token-bucket writer. The parties write to
/// their sockets as they would to a real link, whose kernel buffers and
/// wire drain while they compute; only the relay waits for tokens.
fn link(a: TcpStream, b: TcpStream) {
    for s in [&a, &b] {
        s.set_nodelay(true).expect("nodelay");
    }
    let (a2, b2) = (a.try_clone().expect("clone"), b.try_clone().expect("clone"));
    std::thread::spawn(move || shape(a, b));
    std::thread::spawn(move || shape(b2, a2));
}

/// A garbler session of `scheme` on a background thread, the evaluator's
/// session connected to it through the 1 Gbit/s [`link`].
fn limited_pair(prepared: &Prepared, scheme: Scheme) -> Session<TcpStream> {
    let garbler_listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let garbler_addr = garbler_listener.local_addr().expect("addr");
    let relay_listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let relay_addr = relay_listener.local_addr().expect("addr");
    let zeros = vec![false; prepared.circuit.party_input_bits(Party::Garbler)];
    let garbler_side = prepared.clone();
    std::thread::spawn(move || {
        let (stream, _) = garbler_listener.accept().expect("accept");
        stream.set_nodelay(true).expect("nodelay");
        let config = ServiceConfig {
            scheme,
            ..ServiceConfig::default()
        };
        let _ = run_session(
            stream,
            &garbler_side,
            &mut FixedInputs(zeros),
            &mut |_| {},
            config,
        );
    });
    std::thread::spawn(move || {
        let (from_evaluator, _) = relay_listener.accept().expect("accept");
        let to_garbler = TcpStream::connect(garbler_addr).expect("connect");
        link(from_evaluator, to_garbler);
    });
    let stream = TcpStream::connect(relay_addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let config = SessionConfig {
        scheme,
        ..SessionConfig::default()
    };
    Session::over(stream, prepared, config).expect("session")
}

fn over_1_gbit(c: &mut Criterion) {
    let sha = Prepared::new(bristol::read_file(&shared("sha256.txt"), 1).expect("sha256.txt"))
        .expect("prepared");
    let bits = vec![false; sha.circuit.party_input_bits(Party::Evaluator)];
    let batch = vec![bits.as_slice(); 20];
    let mut g = c.benchmark_group("schemes_over_1_gbit");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(20 * sha.circuit.and_count() as u64));
    for scheme in Scheme::ALL {
        let mut session = limited_pair(&sha, scheme);
        g.bench_function(format!("sha256_x20/{scheme}"), |b| {
            b.iter(|| session.evaluate_batch(&batch).expect("batch"))
        });
        let stats = session.close().expect("close");
        eprintln!("{scheme} over 1 Gbit/s: {}", stats.to_json());
    }
    g.finish();
}

criterion_group!(benches, in_memory, over_1_gbit);
criterion_main!(benches);
