//! A hostile garbler: an evaluator session whose peer says the fuzzer's bytes
//! never panics and never allocates beyond its limits.
//!
//! Byte 0 picks the circuit (bits 0-1) and how much honest opening goes
//! before the fuzzer's bytes, so they reach the later phases: bit 4 the
//! garbler's hello and hash key, bit 5 a valid base-OT reply; bit 6 records
//! the transcript; bit 7 asks for a batch of 3 computations instead of 1.
#![no_main]
use circuits::Party;
use evaluator::{Session, SessionConfig};
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::{hostile_peer, limits, Peer};

fuzz_target!(|data: &[u8]| {
    let Some((mode, prepared, wire)) = hostile_peer(data, Party::Garbler) else {
        return;
    };
    let config = SessionConfig {
        limits: limits(),
        transcript: mode & 0x40 != 0,
        ..SessionConfig::default()
    };
    let Ok(mut session) = Session::over(Peer::new(&wire), prepared, config) else {
        return;
    };
    let n = prepared.schedule.evaluator_inputs().len();
    let bits: Vec<bool> = (0..n).map(|i| (mode >> (i % 8)) & 1 == 1).collect();
    let copies = if mode & 0x80 != 0 { 3 } else { 1 };
    let batch = vec![bits; copies];
    if let Ok(out) = session.evaluate_batch(&batch) {
        assert_eq!(out.len(), copies);
        let _ = session.close();
    }
});
