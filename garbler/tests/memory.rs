//! Garbling memory grows with the live wires, not with the gate count: a
//! thousand SHA-256 garblings in a row in one session leave the peak
//! resident memory where the first few put it.

mod common;

use circuits::bristol;
use common::{bristol_dir, random_bits};
use crypto::{Block, Schedule, MAX_CHUNK_ANDS, TABLE_BYTES};
use garbler::GarblerSession;

/// Peak resident set size of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn garble_sha(session: &mut GarblerSession, s: &Schedule, zero: &[Block]) -> usize {
    let bits = random_bits(s.garbler_inputs().len());
    let mut g = session.garble(s, &bits, zero).unwrap();
    let mut tables = 0;
    while let Some(chunk) = g.next_chunk() {
        assert!(chunk.len() <= MAX_CHUNK_ANDS * TABLE_BYTES);
        tables += chunk.len() / TABLE_BYTES;
    }
    g.finish().unwrap();
    tables
}

#[test]
fn peak_memory_is_flat_over_a_thousand_sha256_garblings() {
    let c = bristol::read_file(&bristol_dir().join("sha256.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    // Live labels, not gates: the schedule's slots are a small fraction of
    // the circuit's wires.
    assert!(s.num_slots() < c.num_wires / 10, "{} slots", s.num_slots());
    let zero: Vec<Block> = (0..s.evaluator_inputs().len())
        .map(|_| Block::random())
        .collect();
    let mut session = GarblerSession::new();
    for _ in 0..10 {
        garble_sha(&mut session, &s, &zero);
    }
    let before = peak_rss_kib();
    let mut tables = 0;
    for _ in 0..1000 {
        tables += garble_sha(&mut session, &s, &zero);
    }
    assert_eq!(tables, 1000 * s.and_count());
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        // All tables of the thousand runs would be 720 MB; allow 2 MiB of noise.
        assert!(
            after <= before + 2048,
            "peak RSS grew from {before} KiB to {after} KiB"
        );
    }
}
