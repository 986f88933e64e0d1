//! Half-gates against three-halves in one run: in memory (garbling and
//! evaluation of AES-128 and SHA-256 on one thread), and end to end over a
//! link limited to 1 Gbit/s, where the bytes per AND gate set the pace.
//!
//! The link is a loopback TCP connection whose writers pass a token bucket
//! of 125 MB/s (64 KiB of burst) on each side: the garbled tables, the bulk
//! of the traffic, flow at most at that rate.

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

/// Most bytes the bucket holds: a burst of at most 64 KiB.
const BURST: f64 = 65536.0;

/// A stream whose writes pass a token bucket: at most
/// [`LINK_BYTES_PER_SECOND`] on average, bursts of at most [`BURST`].
struct Limited {
    inner: TcpStream,
    tokens: f64,
    last: Instant,
}

impl Limited {
    fn new(inner: TcpStream) -> Limited {
        inner.set_nodelay(true).expect("nodelay");
        Limited {
            inner,
            tokens: BURST,
            last: Instant::now(),
        }
    }
}

impl Read for Limited {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(BURST as usize);
        let now = Instant::now();
        self.tokens = (self.tokens
            + now.duration_since(self.last).as_secs_f64() * LINK_BYTES_PER_SECOND)
            .min(BURST);
        self.last = now;
        if self.tokens < n as f64 {
            let wait = (n as f64 - self.tokens) / LINK_BYTES_PER_SECOND;
            std::thread::sleep(Duration::from_secs_f64(wait));
            let now = Instant::now();
            self.tokens += now.duration_since(self.last).as_secs_f64() * LINK_BYTES_PER_SECOND;
            self.last = now;
        }
        let written = self.inner.write(&buf[..n])?;
        self.tokens -= written as f64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A garbler session of `scheme` on a background thread behind the limited
/// link, and the evaluator's session connected to it.
fn limited_pair(prepared: &Prepared, scheme: Scheme) -> Session<Limited> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let zeros = vec![false; prepared.circuit.party_input_bits(Party::Garbler)];
    let garbler_side = prepared.clone();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let config = ServiceConfig {
            scheme,
            ..ServiceConfig::default()
        };
        let _ = run_session(
            Limited::new(stream),
            &garbler_side,
            &mut FixedInputs(zeros),
            &mut |_| {},
            config,
        );
    });
    let stream = TcpStream::connect(addr).expect("connect");
    let config = SessionConfig {
        scheme,
        ..SessionConfig::default()
    };
    Session::over(Limited::new(stream), prepared, config).expect("session")
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
