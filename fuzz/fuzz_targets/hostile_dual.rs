//! A hostile peer of a dual-execution session, on either side: whatever it
//! sends, the session never panics, never allocates beyond its limits and
//! never releases an output it did not check.
//!
//! Byte 0: bits 0-1 pick the fixture circuit; bit 2 the side under test
//! (clear: the garbler side, served; set: the evaluator side, asking for
//! two computations); bit 4 puts an honest dual-execution hello and hash key
//! of the peer in front, so the fuzzer's bytes reach the base OTs and later
//! phases.
#![no_main]
use circuits::Party;
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::{frame, limits, prepared, Peer};
use protocol::{Hello, Kind, Security, PROTOCOL_VERSION};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let prepared = prepared(mode & 3);
    let under_test = if mode & 4 == 0 {
        Party::Garbler
    } else {
        Party::Evaluator
    };
    let peer = match under_test {
        Party::Garbler => Party::Evaluator,
        Party::Evaluator => Party::Garbler,
    };
    let mut wire = Vec::new();
    if mode & 0x10 != 0 {
        let hello = Hello {
            version: PROTOCOL_VERSION,
            role: peer,
            circuit: (*prepared.summary).clone(),
            binding: None,
            scheme: crypto::Scheme::HalfGates,
            security: Security::DualExecution,
        };
        wire.extend(frame(Kind::Hello, &hello.encode()));
        wire.extend(frame(Kind::HashKey, &[7; 16]));
    }
    wire.extend_from_slice(rest);
    let config = dualex::Config {
        limits: limits(),
        max_computations: Some(4),
        ..dualex::Config::default()
    };
    let bits = |p: Party| vec![mode & 0x80 != 0; prepared.circuit.party_input_bits(p)];
    match under_test {
        Party::Garbler => {
            let mut inputs = garbler::FixedInputs(bits(Party::Garbler));
            let _ = dualex::serve_session(
                Peer::new(&wire),
                None,
                prepared,
                &mut inputs,
                &mut |_| panic!("an output released against a peer that sent no valid equality test"),
                config,
            );
        }
        Party::Evaluator => {
            if let Ok(mut s) = dualex::Session::over(Peer::new(&wire), None, prepared, config) {
                for _ in 0..2 {
                    assert!(
                        s.evaluate(&bits(Party::Evaluator)).is_err(),
                        "an output released against a peer that sent no valid equality test"
                    );
                }
            }
        }
    }
});

