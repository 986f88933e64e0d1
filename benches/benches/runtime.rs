//! The two-party runtime over loopback TCP: one-shot latency (new connection
//! and base OTs included), amortized cost per computation in a session,
//! garbling throughput with the network in the loop, and the raw loopback
//! socket beside it for scale; and what TLS 1.3 costs on top (one-shot
//! AES-128 and SHA-256 throughput, each with TLS and in plaintext).

use circuits::{bristol, Party};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
use garbler::{serve, FixedInputs, InputSource, SessionConfig as ServiceConfig};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;
use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
use transport::{ServerSecurity, TlsConfig};

const PLAIN: ClientSecurity = ClientSecurity::InsecurePlaintext;

fn root(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A garbler service in plaintext; see [`service_with`].
fn service(circuit: &Prepared) -> String {
    service_with(circuit, ServerSecurity::InsecurePlaintext)
}

/// A garbler service in a background thread, garbling `circuit` with
/// all-zero garbler inputs for every computation; its address as
/// `localhost:PORT`.
fn service_with(circuit: &Prepared, security: ServerSecurity) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let zeros = vec![false; circuit.circuit.party_input_bits(Party::Garbler)];
    let prepared = circuit.clone();
    std::thread::spawn(move || {
        let make =
            move |_: &_| -> Box<dyn InputSource + Send> { Box::new(FixedInputs(zeros.clone())) };
        let _ = serve(
            listener,
            security,
            prepared,
            make,
            |_, _, _| {},
            ServiceConfig::default(),
        );
    });
    format!("localhost:{}", addr.port())
}

/// Both sides' TLS, with certificates from a CA made for the run.
fn tls() -> (ServerSecurity, ClientSecurity) {
    let ca = CertificateAuthority::generate("bench CA", Validity::days(1)).expect("CA");
    let config = |identity: &str, names: &[&str], usage| {
        let c = ca
            .issue(&CertificateSpec {
                identity: identity.into(),
                names: names.iter().map(|n| n.to_string()).collect(),
                usage,
                validity: Validity::days(1),
            })
            .expect("certificate");
        TlsConfig::from_pem(
            c.certificate_pem.as_bytes(),
            c.key_pem().as_bytes(),
            ca.certificate_pem().as_bytes(),
            Path::new("cert.pem"),
            Path::new("key.pem"),
            Path::new("ca.pem"),
        )
        .expect("TLS configuration")
    };
    (
        ServerSecurity::Tls(
            config("garbler", &["localhost"], Usage::Server)
                .acceptor()
                .expect("acceptor"),
        ),
        ClientSecurity::Tls(
            config("bench", &[], Usage::Client)
                .connector()
                .expect("connector"),
        ),
    )
}

fn aes(c: &mut Criterion) {
    let circuit = Prepared::new(
        bristol::read_file(&root("../../shared/bristol/aes_128.txt"), 1).expect("aes_128.txt"),
    )
    .expect("prepared");
    let addr = service(&circuit);
    let bits = vec![false; circuit.circuit.party_input_bits(Party::Evaluator)];
    let mut g = c.benchmark_group("runtime_aes128");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_shot_with_connect_and_base_ot", |b| {
        b.iter(|| {
            let mut s = Session::connect(&addr, &PLAIN, &circuit, SessionConfig::default())
                .expect("connect");
            s.evaluate(&bits).expect("evaluate");
            s.close().expect("close");
        })
    });
    let mut session =
        Session::connect(&addr, &PLAIN, &circuit, SessionConfig::default()).expect("connect");
    g.bench_function("in_session_one_at_a_time", |b| {
        b.iter(|| session.evaluate(&bits).expect("evaluate"))
    });
    let batch = vec![bits.as_slice(); 1000];
    g.throughput(Throughput::Elements(1000));
    g.sample_size(10);
    g.bench_function("in_session_batch_of_1000", |b| {
        b.iter(|| session.evaluate_batch(&batch).expect("batch"))
    });
    g.finish();
    session.close().expect("close");
}

fn compare(c: &mut Criterion) {
    let circuit = Prepared::new(
        compiler::compile_file(&root("../examples/millionaires.mpc")).expect("millionaires.mpc"),
    )
    .expect("prepared");
    let addr = service(&circuit);
    let bits = vec![true; circuit.circuit.party_input_bits(Party::Evaluator)];
    let mut session =
        Session::connect(&addr, &PLAIN, &circuit, SessionConfig::default()).expect("connect");
    let batch = vec![bits.as_slice(); 10_000];
    let mut g = c.benchmark_group("runtime_u64_compare");
    g.sample_size(10);
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("batch_of_10000", |b| {
        b.iter(|| session.evaluate_batch(&batch).expect("batch"))
    });
    g.throughput(Throughput::Elements(1));
    g.sample_size(50);
    g.bench_function("one_at_a_time", |b| {
        b.iter(|| session.evaluate(&bits).expect("evaluate"))
    });
    g.finish();
    session.close().expect("close");
}

/// The Vickrey auction of 64 bids (`examples/vickrey_lean.mpc`), one at a
/// time in a session: what an auction backend waits for when an auction
/// closes, its computation garbled ahead.
fn vickrey(c: &mut Criterion) {
    let circuit = Prepared::new(
        compiler::compile_file(&root("../examples/vickrey_lean.mpc")).expect("vickrey_lean.mpc"),
    )
    .expect("prepared");
    let addr = service(&circuit);
    let bits: Vec<bool> = (0..circuit.circuit.party_input_bits(Party::Evaluator))
        .map(|i| i % 3 == 0)
        .collect();
    let mut session =
        Session::connect(&addr, &PLAIN, &circuit, SessionConfig::default()).expect("connect");
    let mut g = c.benchmark_group("runtime_vickrey64");
    g.throughput(Throughput::Elements(1));
    g.sample_size(30);
    g.bench_function("one_at_a_time", |b| {
        b.iter(|| session.evaluate(&bits).expect("evaluate"))
    });
    let stats = session.close().expect("close");
    eprintln!(
        "runtime_vickrey64: online p50 {:?}, p99 {:?} over {} computations",
        stats.online.quantile(0.5),
        stats.online.quantile(0.99),
        stats.online.count()
    );
    // The same without garbling ahead, for scale in the same run.
    let config = SessionConfig {
        ahead: protocol::Window::OFF,
        ..SessionConfig::default()
    };
    let mut session = Session::connect(&addr, &PLAIN, &circuit, config).expect("connect");
    g.bench_function("one_at_a_time_garbled_on_request", |b| {
        b.iter(|| session.evaluate(&bits).expect("evaluate"))
    });
    g.finish();
    let stats = session.close().expect("close");
    eprintln!(
        "runtime_vickrey64 garbled on request: online p50 {:?}, p99 {:?} over {} computations",
        stats.online.quantile(0.5),
        stats.online.quantile(0.99),
        stats.online.count()
    );
}

fn throughput(c: &mut Criterion) {
    let circuit = Prepared::new(
        bristol::read_file(&root("../../shared/bristol/sha256.txt"), 1).expect("sha256.txt"),
    )
    .expect("prepared");
    let addr = service(&circuit);
    let bits = vec![false; circuit.circuit.party_input_bits(Party::Evaluator)];
    let mut session =
        Session::connect(&addr, &PLAIN, &circuit, SessionConfig::default()).expect("connect");
    let batch = vec![bits.as_slice(); 20];
    let ands = 20 * circuit.circuit.and_count() as u64;
    let mut g = c.benchmark_group("runtime_network_throughput");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(ands));
    g.bench_function("sha256_x20_and_gates", |b| {
        b.iter(|| session.evaluate_batch(&batch).expect("batch"))
    });
    // The loopback socket alone, carrying as many bytes as those tables.
    let bytes = ands as usize * crypto::TABLE_BYTES;
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("raw_loopback_same_bytes", |b| b.iter(|| loopback(bytes)));
    g.finish();
    session.close().expect("close");
}

/// TLS against plaintext in one run: the one-shot AES-128 (a new
/// connection, TLS handshake with both certificates checked, base OTs, one
/// computation) and SHA-256 throughput with the network in the loop.
fn tls_cost(c: &mut Criterion) {
    let aes = Prepared::new(
        bristol::read_file(&root("../../shared/bristol/aes_128.txt"), 1).expect("aes_128.txt"),
    )
    .expect("prepared");
    let sha = Prepared::new(
        bristol::read_file(&root("../../shared/bristol/sha256.txt"), 1).expect("sha256.txt"),
    )
    .expect("prepared");
    let (server, client) = tls();
    let runs = [
        ("plaintext", ServerSecurity::InsecurePlaintext, PLAIN),
        ("tls", server, client),
    ];
    let mut g = c.benchmark_group("runtime_tls");
    for (name, server, client) in &runs {
        let addr = service_with(&aes, server.clone());
        let bits = vec![false; aes.circuit.party_input_bits(Party::Evaluator)];
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("aes128_one_shot_{name}"), |b| {
            b.iter(|| {
                let mut s = Session::connect(&addr, client, &aes, SessionConfig::default())
                    .expect("connect");
                s.evaluate(&bits).expect("evaluate");
                s.close().expect("close");
            })
        });
    }
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    for (name, server, client) in &runs {
        let addr = service_with(&sha, server.clone());
        let bits = vec![false; sha.circuit.party_input_bits(Party::Evaluator)];
        let mut session =
            Session::connect(&addr, client, &sha, SessionConfig::default()).expect("connect");
        let batch = vec![bits.as_slice(); 20];
        g.throughput(Throughput::Elements(20 * sha.circuit.and_count() as u64));
        g.bench_function(format!("sha256_x20_and_gates_{name}"), |b| {
            b.iter(|| session.evaluate_batch(&batch).expect("batch"))
        });
        session.close().expect("close");
    }
    g.finish();
}

/// Moves `n` bytes through a fresh loopback connection, in 64 KiB writes.
fn loopback(n: usize) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        let mut buf = vec![0u8; 1 << 16];
        let mut left = n;
        while left > 0 {
            let k = s.read(&mut buf).expect("read");
            assert!(k > 0);
            left -= k.min(left);
        }
    });
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    let buf = vec![7u8; 1 << 16];
    let mut left = n;
    while left > 0 {
        let k = left.min(buf.len());
        s.write_all(&buf[..k]).expect("write");
        left -= k;
    }
    reader.join().expect("reader");
}

criterion_group!(benches, aes, compare, vickrey, throughput, tls_cost);
criterion_main!(benches);
