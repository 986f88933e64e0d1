//! A hostile evaluator: a garbler session whose peer says the fuzzer's bytes
//! never panics and never allocates beyond its limits.
//!
//! Byte 0 picks the circuit (bits 0-1; circuit 1 has no evaluator inputs, so
//! no OT check stands between the fuzzer and garbling) and how much honest
//! opening goes before the fuzzer's bytes: bit 4 the evaluator's hello, bit 5
//! a valid base-OT opening; bit 6 records the transcript.
#![no_main]
use circuits::Party;
use garbler::{run_session, FixedInputs, SessionConfig};
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::{hostile_peer, limits, Peer};

fuzz_target!(|data: &[u8]| {
    let Some((mode, prepared, wire)) = hostile_peer(data, Party::Evaluator) else {
        return;
    };
    let config = SessionConfig {
        limits: limits(),
        // Bounds the garbling work one input can ask for; still more than
        // one group of copies side by side.
        max_computations: Some(300),
        transcript: mode & 0x40 != 0,
        ..SessionConfig::default()
    };
    let n = prepared.schedule.garbler_inputs().len();
    let mut inputs = FixedInputs((0..n).map(|i| (mode >> (i % 8)) & 1 == 1).collect());
    let mut results = 0u64;
    let outcome = run_session(
        Peer::new(&wire),
        prepared,
        &mut inputs,
        &mut |_| results += 1,
        config,
    );
    if let Ok(stats) = outcome {
        assert_eq!(stats.computations, results);
    }
});
