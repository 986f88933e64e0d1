//! Dual execution against semi-honest over loopback TCP, in one run:
//! AES-128 and `examples/vickrey_lean.mpc`, one-shot (connection, base OTs
//! and one computation) and one computation at a time in a session. The
//! semi-honest figures are given twice: with the garbler garbling ahead of
//! requests (its default) and garbling on request, which is what dual
//! execution does for both of its garblings.

use circuits::{bristol, Party};
use criterion::{criterion_group, criterion_main, Criterion};
use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
use garbler::{serve, FixedInputs, InputSource, SessionConfig as ServiceConfig};
use std::net::TcpListener;
use std::path::PathBuf;
use transport::ServerSecurity;

const PLAIN: ClientSecurity = ClientSecurity::InsecurePlaintext;

fn root(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn zeros(circuit: &Prepared, party: Party) -> Vec<bool> {
    vec![false; circuit.circuit.party_input_bits(party)]
}

/// A semi-honest garbler service; its address.
fn semi_honest(circuit: &Prepared) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (prepared, bits) = (circuit.clone(), zeros(circuit, Party::Garbler));
    std::thread::spawn(move || {
        let make =
            move |_: &_| -> Box<dyn InputSource + Send> { Box::new(FixedInputs(bits.clone())) };
        let _ = serve(
            listener,
            ServerSecurity::InsecurePlaintext,
            prepared,
            make,
            |_, _, _| {},
            ServiceConfig::default(),
        );
    });
    format!("localhost:{}", addr.port())
}

/// A dual-execution garbler side answering every connection in a thread
/// of its own; its address.
fn dual(circuit: &Prepared) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let prepared = circuit.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (prepared, bits) = (prepared.clone(), zeros(&prepared, Party::Garbler));
            std::thread::spawn(move || {
                let config = dualex::Config::default();
                let Ok(link) = ServerSecurity::InsecurePlaintext.accept(stream, config.limits)
                else {
                    return;
                };
                let mut inputs = FixedInputs(bits);
                let _ =
                    dualex::serve_link(link, "bench", &prepared, &mut inputs, &mut |_| {}, config);
            });
        }
    });
    format!("localhost:{}", addr.port())
}

fn compare(c: &mut Criterion, group: &str, circuit: Prepared, samples: usize) {
    let bits = zeros(&circuit, Party::Evaluator);
    let (semi, dual_addr) = (semi_honest(&circuit), dual(&circuit));
    let on_request = SessionConfig {
        ahead: protocol::Window::OFF,
        ..SessionConfig::default()
    };
    let mut g = c.benchmark_group(group);
    g.sample_size(samples);
    g.bench_function("semi_honest_one_shot", |b| {
        b.iter(|| {
            let mut s = Session::connect(&semi, &PLAIN, &circuit, on_request).expect("connect");
            s.evaluate(&bits).expect("evaluate");
            s.close().expect("close");
        })
    });
    g.bench_function("dual_execution_one_shot", |b| {
        b.iter(|| {
            let mut s =
                dualex::Session::connect(&dual_addr, &PLAIN, &circuit, dualex::Config::default())
                    .expect("connect");
            s.evaluate(&bits).expect("evaluate");
            s.close().expect("close");
        })
    });
    for (name, config) in [
        (
            "semi_honest_in_session_garbled_ahead",
            SessionConfig::default(),
        ),
        ("semi_honest_in_session_on_request", on_request),
    ] {
        let mut s = Session::connect(&semi, &PLAIN, &circuit, config).expect("connect");
        g.bench_function(name, |b| b.iter(|| s.evaluate(&bits).expect("evaluate")));
        s.close().expect("close");
    }
    let mut s = dualex::Session::connect(&dual_addr, &PLAIN, &circuit, dualex::Config::default())
        .expect("connect");
    g.bench_function("dual_execution_in_session", |b| {
        b.iter(|| s.evaluate(&bits).expect("evaluate"))
    });
    s.close().expect("close");
    g.finish();
}

fn aes(c: &mut Criterion) {
    let circuit = Prepared::new(
        bristol::read_file(&root("../../shared/bristol/aes_128.txt"), 1).expect("aes_128.txt"),
    )
    .expect("prepared");
    compare(c, "dual_aes128", circuit, 50);
}

fn vickrey(c: &mut Criterion) {
    let circuit = Prepared::new(
        compiler::compile_file(&root("../examples/vickrey_lean.mpc")).expect("vickrey_lean.mpc"),
    )
    .expect("prepared");
    compare(c, "dual_vickrey_lean", circuit, 30);
}

criterion_group!(benches, aes, vickrey);
criterion_main!(benches);
