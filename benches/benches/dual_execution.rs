//! Dual execution against semi-honest over loopback TCP, in one run:
//! AES-128 and `examples/vickrey_lean.mpc`, one-shot (connection, base OTs
//! and one computation) and one computation at a time in a session. The
//! semi-honest figures are given twice: with the garbler garbling ahead of
//! requests (its default) and garbling on request, which is what dual
//! execution does for both of its garblings. Both modes run the same
//! garbler service and evaluator library, `SessionConfig::security` apart.

use circuits::{bristol, Party};
use criterion::{criterion_group, criterion_main, Criterion};
use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
use garbler::{serve, FixedInputs, InputSource, SessionConfig as ServiceConfig};
use protocol::Security;
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

/// A garbler service in `security` mode (the library's service: the
/// binaries' `--serve`); its address.
fn service(circuit: &Prepared, security: Security) -> String {
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
            ServiceConfig {
                security,
                ..ServiceConfig::default()
            },
        );
    });
    format!("localhost:{}", addr.port())
}

fn compare(c: &mut Criterion, group: &str, circuit: Prepared, samples: usize) {
    let bits = zeros(&circuit, Party::Evaluator);
    let semi = service(&circuit, Security::SemiHonest);
    let dual_addr = service(&circuit, Security::DualExecution);
    let on_request = SessionConfig {
        ahead: protocol::Window::OFF,
        ..SessionConfig::default()
    };
    let dual = SessionConfig {
        security: Security::DualExecution,
        ..SessionConfig::default()
    };
    let mut g = c.benchmark_group(group);
    g.sample_size(samples);
    for (name, addr, config) in [
        ("semi_honest_one_shot", &semi, on_request),
        ("dual_execution_one_shot", &dual_addr, dual),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut s = Session::connect(addr, &PLAIN, &circuit, config).expect("connect");
                s.evaluate(&bits).expect("evaluate");
                s.close().expect("close");
            })
        });
    }
    for (name, addr, config) in [
        (
            "semi_honest_in_session_garbled_ahead",
            &semi,
            SessionConfig::default(),
        ),
        ("semi_honest_in_session_on_request", &semi, on_request),
        ("dual_execution_in_session", &dual_addr, dual),
    ] {
        let mut s = Session::connect(addr, &PLAIN, &circuit, config).expect("connect");
        g.bench_function(name, |b| b.iter(|| s.evaluate(&bits).expect("evaluate")));
        s.close().expect("close");
    }
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
