//! A session with Rust data in and out: the evaluator's inputs as a Rust
//! value, what it learns as a Rust value, against a garbler over a socket pair.

use circuits::{typed, Party};
use evaluator::{EvalError, Prepared, Session, SessionConfig};
use garbler::{run_session, FixedInputs, SessionConfig as GarblerConfig};
use std::os::unix::net::UnixStream;

#[test]
fn evaluate_typed_round_trip() {
    let src = "fn main(garbler a: [u8; 4], evaluator i: u8, evaluator k: u16) \
               -> (Option<u8>, evaluator u16, garbler bool) {\n\
               let mut hit: Option<u8> = None;\n\
               for j in 0..4 { if (j as u8) == i { hit = Some(a[j]); } }\n\
               (hit, k + (a[0] as u16), a[1] > a[2])\n}";
    let circuit = compiler::compile_source(src, "typed.mpc").unwrap_or_else(|e| panic!("{e:?}"));
    let prepared = Prepared::new(circuit.clone()).unwrap();
    let garbler_bits =
        typed::encode_inputs(&circuit, Some(Party::Garbler), &[10u8, 20, 30, 40]).unwrap();
    let (g_end, e_end) = UnixStream::pair().unwrap();
    let g_prepared = prepared.clone();
    let garbler = std::thread::spawn(move || {
        let mut inputs = FixedInputs(garbler_bits);
        run_session(
            g_end,
            &g_prepared,
            &mut inputs,
            &mut |_| {},
            GarblerConfig::default(),
        )
    });
    let mut session = Session::over(e_end, &prepared, SessionConfig::default()).unwrap();
    // Parameters by position, and the two parts the evaluator learns.
    let got: (Option<u8>, u16) = session.evaluate_typed(&(2u8, 1000u16)).unwrap();
    assert_eq!(got, (Some(30), 1010));
    let got: (Option<u8>, u16) = session.evaluate_typed(&(7u8, 0u16)).unwrap();
    assert_eq!(got, (None, 10));
    // A mismatch is caught before anything is sent, naming the parameter,
    // and the session goes on.
    let err = session
        .evaluate_typed::<(Option<u8>, u16)>(&(1u8, 70000u32))
        .unwrap_err();
    assert!(matches!(err, EvalError::Circuit(_)), "{err}");
    assert!(
        err.to_string()
            .contains("parameter `k`: the value does not fit u16"),
        "{err}"
    );
    let got: (Option<u8>, u16) = session.evaluate_typed(&(0u8, 5u16)).unwrap();
    assert_eq!(got, (Some(10), 15));
    session.close().unwrap();
    garbler.join().unwrap().unwrap();
}
