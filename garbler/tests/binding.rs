//! Sessions bound to a channel binding, in process over a socket pair: the
//! same binding on both sides runs and agrees on the transcript; different
//! bindings (two TLS connections joined by a relay) or a binding on one
//! side only end both sides in the handshake.

use circuits::bristol;
use evaluator::{EvalError, Prepared, Session, SessionConfig};
use garbler::{run_session_bound, FixedInputs, GarbleError, SessionConfig as ServiceConfig};
use std::os::unix::net::UnixStream;

/// out = x AND y, x from the garbler, y from the evaluator.
fn and_gate() -> Prepared {
    let circuit = bristol::parse("1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n", 1).expect("circuit");
    Prepared::new(circuit).expect("prepared")
}

type Outcome = (
    Result<protocol::SessionStats, GarbleError>,
    Result<(Vec<bool>, protocol::SessionStats), EvalError>,
);

fn run(garbler_binding: Option<[u8; 32]>, evaluator_binding: Option<[u8; 32]>) -> Outcome {
    let prepared = and_gate();
    let (ours, theirs) = UnixStream::pair().expect("socket pair");
    let garbler = {
        let prepared = prepared.clone();
        std::thread::spawn(move || {
            run_session_bound(
                theirs,
                garbler_binding,
                &prepared,
                &mut FixedInputs(vec![true]),
                &mut |_| {},
                ServiceConfig {
                    transcript: true,
                    ..ServiceConfig::default()
                },
            )
        })
    };
    let config = SessionConfig {
        transcript: true,
        ..SessionConfig::default()
    };
    let evaluated =
        Session::over_bound(ours, evaluator_binding, &prepared, config).and_then(|mut s| {
            let out = s.evaluate(&[true])?;
            Ok((out, s.close()?))
        });
    (garbler.join().expect("garbler thread"), evaluated)
}

#[test]
fn equal_bindings_run_and_agree_on_the_transcript() {
    let (g, e) = run(Some([9; 32]), Some([9; 32]));
    let g = g.expect("garbler");
    let (out, e) = e.expect("evaluator");
    assert_eq!(out, vec![true]);
    assert!(g.transcript.is_some());
    assert_eq!(g.transcript, e.transcript);
    // The binding opens the transcript: the same session unbound differs.
    let (g2, _) = run(None, None);
    assert_ne!(g2.expect("unbound").transcript, g.transcript);
}

#[test]
fn different_bindings_end_both_sides_in_the_handshake() {
    for (a, b) in [
        (Some([1; 32]), Some([2; 32])),
        (Some([1; 32]), None),
        (None, Some([2; 32])),
    ] {
        let (g, e) = run(a, b);
        let g = g.expect_err("garbler must fail").to_string();
        let e = e.expect_err("evaluator must fail").to_string();
        for msg in [&g, &e] {
            assert!(
                msg.contains("channel binding mismatch (a relay between two TLS connections?)"),
                "{msg}"
            );
        }
    }
}
