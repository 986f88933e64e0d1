//! Dual execution behind the garbler service, from the evaluator library:
//! `SessionConfig::security` on both sides, sessions at once choosing the
//! garbler's input by context, the service's budget refusing a peer past
//! its computations, a cheating evaluator side caught by the equality test
//! and counted in the metrics, and a mix of modes refused.

mod common;

use circuits::{typed, Party};
use common::{prepared, Mine, Sum};
use evaluator::{ClientSecurity, EvalError, Prepared, Session, SessionConfig};
use garbler::budget::Budget;
use garbler::metrics::Metrics;
use garbler::{serve, GarbleError, InputSource, PeerInfo, SessionConfig as ServiceConfig};
use protocol::{Security, SessionStats};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use transport::ServerSecurity;

/// What the service reported of one session: its outcome and results.
type Report = (Result<SessionStats, String>, Vec<Vec<bool>>);
type Reports = Arc<Mutex<Vec<Report>>>;

/// A dual-execution garbler service whose input is the context's first
/// byte; its address, what it reported per session, and its metrics.
fn service(prepared: &Prepared, budget: Budget) -> (String, Reports, Arc<Metrics>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let reports: Reports = Arc::default();
    let metrics = Arc::new(Metrics::new());
    let config = ServiceConfig {
        security: Security::DualExecution,
        budget: Some(Arc::new(budget)),
        metrics: Some(metrics.clone()),
        ..ServiceConfig::default()
    };
    let (p, r, circuit) = (prepared.clone(), reports.clone(), prepared.circuit.clone());
    std::thread::spawn(move || {
        let make = move |_: &PeerInfo| -> Box<dyn InputSource + Send> {
            let circuit = circuit.clone();
            Box::new(move |context: &[u8]| {
                let a = context.first().copied().unwrap_or(0);
                typed::encode_inputs(&circuit, Some(Party::Garbler), &a).map_err(|e| e.to_string())
            })
        };
        let report = move |_: &PeerInfo, outcome: Result<SessionStats, GarbleError>, results| {
            let outcome = outcome.map_err(|e| match e {
                GarbleError::Dual(dualex::DualError::EqualityCheckFailed) => "equality".into(),
                GarbleError::Budget(m) => format!("budget: {m}"),
                e => e.to_string(),
            });
            r.lock().unwrap().push((outcome, results));
        };
        let _ = serve(
            listener,
            ServerSecurity::InsecurePlaintext,
            p,
            make,
            report,
            config,
        );
    });
    (addr, reports, metrics)
}

fn dual() -> SessionConfig {
    SessionConfig {
        security: Security::DualExecution,
        ..SessionConfig::default()
    }
}

/// Waits until the service has reported `n` sessions.
fn reports(r: &Reports, n: usize) -> Vec<Report> {
    let start = Instant::now();
    loop {
        let got = r.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{got:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sessions_at_once_choose_the_garblers_input_by_context() {
    let prepared = prepared();
    let (addr, reports_of, metrics) = service(&prepared, Budget::new(None, None));
    let clients: Vec<_> = (0..3u8)
        .map(|k| {
            let (addr, prepared) = (addr.clone(), prepared.clone());
            std::thread::spawn(move || {
                let plain = ClientSecurity::InsecurePlaintext;
                let mut s = Session::connect(&addr, &plain, &prepared, dual()).unwrap();
                assert_eq!(s.security(), Security::DualExecution);
                let mut totals = Vec::new();
                for i in 0..4u8 {
                    let sum: Sum = s
                        .evaluate_typed_with_context(&[10 * k + i], &Mine { b: 100 })
                        .unwrap();
                    totals.push(sum.total);
                }
                // A batch: one equality test per computation, all returned.
                let batch: Vec<Sum> = s
                    .evaluate_typed_batch(&[Mine { b: 1 }, Mine { b: 2 }], &[[200u8], [201]])
                    .unwrap();
                assert_eq!(batch, [Sum { total: 201 }, Sum { total: 203 }]);
                let stats = s.close().unwrap();
                assert_eq!(stats.computations, 6);
                totals
            })
        })
        .collect();
    for (k, c) in clients.into_iter().enumerate() {
        let k = k as u16;
        assert_eq!(
            c.join().unwrap(),
            (0..4).map(|i| 100 + 10 * k + i).collect::<Vec<_>>()
        );
    }
    let got = reports(&reports_of, 3);
    for (outcome, results) in &got {
        assert_eq!(outcome.as_ref().unwrap().computations, 6);
        assert_eq!(results.len(), 6);
    }
    let text = metrics.encode();
    assert!(text.contains("garbler_computations_total 18\n"), "{text}");
}

#[test]
fn the_budget_refuses_a_peer_past_its_computations() {
    let prepared = prepared();
    let (addr, reports_of, metrics) = service(&prepared, Budget::new(Some(2), None));
    let plain = ClientSecurity::InsecurePlaintext;
    let mut s = Session::connect(&addr, &plain, &prepared, dual()).unwrap();
    for _ in 0..2 {
        s.evaluate_typed::<Sum>(&Mine { b: 1 }).unwrap();
    }
    let e = s.evaluate_typed::<Sum>(&Mine { b: 1 }).unwrap_err();
    assert!(matches!(e, EvalError::Dual(_)), "{e:?}");
    assert!(e.to_string().contains("budget"), "{e}");
    assert!(s.is_closed());
    let got = reports(&reports_of, 1);
    let (outcome, results) = &got[0];
    assert!(
        outcome.as_ref().unwrap_err().starts_with("budget: "),
        "{outcome:?}"
    );
    assert_eq!(results.len(), 2);
    let text = metrics.encode();
    assert!(text.contains("garbler_budget_refusals_total 1\n"), "{text}");
}

#[test]
fn a_cheating_evaluator_side_is_caught_and_counted() {
    let prepared = prepared();
    let (addr, reports_of, metrics) = service(&prepared, Budget::new(None, None));
    let config = dualex::Config {
        deviation: dualex::Deviation::FlipTableBits,
        ..dualex::Config::default()
    };
    let plain = ClientSecurity::InsecurePlaintext;
    let mut s = dualex::Session::connect(&addr, &plain, &prepared, config).unwrap();
    let bits = typed::encode_inputs(&prepared.circuit, Some(Party::Evaluator), &7u8).unwrap();
    let e = s.evaluate(&bits).unwrap_err();
    assert!(matches!(e, dualex::DualError::EqualityCheckFailed), "{e}");
    let got = reports(&reports_of, 1);
    let (outcome, results) = &got[0];
    assert_eq!(outcome.as_ref().unwrap_err(), "equality");
    assert!(results.is_empty(), "the honest side released {results:?}");
    let text = metrics.encode();
    assert!(
        text.contains("garbler_equality_check_failures_total 1\n"),
        "{text}"
    );
    assert!(text.contains("cause=\"equality\"} 1\n"), "{text}");
}

#[test]
fn a_semi_honest_evaluator_is_refused_by_a_dual_service() {
    let prepared = prepared();
    let (addr, _, _) = service(&prepared, Budget::new(None, None));
    let plain = ClientSecurity::InsecurePlaintext;
    let e = Session::connect(&addr, &plain, &prepared, SessionConfig::default())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("security modes differ"), "{e}");
    let three_halves = SessionConfig {
        scheme: crypto::Scheme::ThreeHalves,
        ..dual()
    };
    let e = Session::connect(&addr, &plain, &prepared, three_halves)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("dual execution runs half-gates"), "{e}");
}
