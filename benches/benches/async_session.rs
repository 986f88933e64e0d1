//! The async session (a blocking session on its own thread, answered over
//! a oneshot) against the blocking one: AES-128 in a session over loopback,
//! one computation at a time and a batch of 100, each way. The async path
//! adds a channel send, a thread wake-up and a oneshot per request.

use circuits::{bristol, Party};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evaluator::{AsyncSession, ClientSecurity, Prepared, Session, SessionConfig};
use garbler::{serve, FixedInputs, InputSource, SessionConfig as ServiceConfig};
use std::net::TcpListener;
use std::path::PathBuf;

const PLAIN: ClientSecurity = ClientSecurity::InsecurePlaintext;
const BATCH: usize = 100;

/// A plaintext garbler service in a background thread, all-zero garbler
/// inputs; its address.
fn service(circuit: &Prepared) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let zeros = vec![false; circuit.circuit.party_input_bits(Party::Garbler)];
    let prepared = circuit.clone();
    std::thread::spawn(move || {
        let make =
            move |_: &_| -> Box<dyn InputSource + Send> { Box::new(FixedInputs(zeros.clone())) };
        let _ = serve(
            listener,
            transport::ServerSecurity::InsecurePlaintext,
            prepared,
            make,
            |_, _, _| {},
            ServiceConfig::default(),
        );
    });
    format!("localhost:{}", addr.port())
}

fn async_vs_blocking(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bristol/aes_128.txt");
    let circuit =
        Prepared::new(bristol::read_file(&path, 1).expect("aes_128.txt")).expect("prepared");
    let addr = service(&circuit);
    let bits = vec![false; circuit.circuit.party_input_bits(Party::Evaluator)];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut blocking =
        Session::connect(&addr, &PLAIN, &circuit, SessionConfig::default()).expect("connect");
    let session = runtime
        .block_on(AsyncSession::connect(
            &addr,
            &PLAIN,
            &circuit,
            SessionConfig::default(),
        ))
        .expect("connect");

    let mut g = c.benchmark_group("session_aes128");
    g.sample_size(30);
    g.throughput(Throughput::Elements(1));
    g.bench_function("blocking_one_at_a_time", |b| {
        b.iter(|| blocking.evaluate(&bits).expect("evaluate"))
    });
    g.bench_function("async_one_at_a_time", |b| {
        b.iter(|| {
            runtime
                .block_on(session.evaluate(bits.clone()))
                .expect("evaluate")
        })
    });
    let batch = vec![bits.clone(); BATCH];
    g.throughput(Throughput::Elements(BATCH as u64));
    g.sample_size(10);
    g.bench_function("blocking_batch_of_100", |b| {
        b.iter(|| blocking.evaluate_batch(&batch).expect("batch"))
    });
    g.bench_function("async_batch_of_100", |b| {
        b.iter(|| {
            runtime
                .block_on(session.evaluate_batch(batch.clone()))
                .expect("batch")
        })
    });
    g.finish();
    blocking.close().expect("close");
    runtime.block_on(session.close()).expect("close");
}

criterion_group!(benches, async_vs_blocking);
criterion_main!(benches);
