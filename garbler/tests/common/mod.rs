//! Helpers shared by the end-to-end tests: run garbler and evaluator
//! together in memory the way the network layer would.

#![allow(dead_code)]

use circuits::{Circuit, Gate, Input, Output, Party, Type};
use crypto::{threehalves, Block, Schedule, Scheme};
use evaluator::EvaluatorSession;
use garbler::GarblerSession;

/// Splits input bits (in wire order) into the garbler's and the evaluator's.
pub fn split_inputs(c: &Circuit, bits: &[bool]) -> (Vec<bool>, Vec<bool>) {
    let (mut g, mut e) = (Vec::new(), Vec::new());
    for input in &c.inputs {
        let w = input.first_wire as usize;
        let bits = &bits[w..w + input.ty.width()];
        match input.party {
            Party::Garbler => g.extend_from_slice(bits),
            Party::Evaluator => e.extend_from_slice(bits),
        }
    }
    (g, e)
}

/// Garbles and evaluates one run in the given sessions, re-cutting the
/// garbler's chunks into pieces of `piece_tables` tables (0: as produced).
pub fn run_in(
    gs: &mut GarblerSession,
    es: &mut EvaluatorSession,
    c: &Circuit,
    schedule: &Schedule,
    bits: &[bool],
    piece_tables: usize,
) -> Vec<bool> {
    let (gbits, ebits) = split_inputs(c, bits);
    let zero: Vec<Block> = ebits.iter().map(|_| Block::random()).collect();
    let delta = gs.delta().block();
    let active: Vec<Block> = zero
        .iter()
        .zip(&ebits)
        .map(|(&z, &b)| z ^ delta.select(b))
        .collect();
    assert_eq!(gs.next_tweak(), es.next_tweak());
    let mut garbling = gs.garble(schedule, &gbits, &zero).unwrap();
    let mut evaluation = es
        .evaluate(schedule, garbling.garbler_labels(), &active)
        .unwrap();
    let scheme = gs.scheme();
    assert_eq!(scheme, es.scheme());
    while let Some(chunk) = garbling.next_chunk() {
        if piece_tables == 0 {
            evaluation.feed(chunk).unwrap();
        } else if scheme == Scheme::HalfGates {
            for piece in chunk.chunks(piece_tables * crypto::TABLE_BYTES) {
                evaluation.feed(piece).unwrap();
            }
        } else {
            // Three-halves streams are cut between groups of 8 gates.
            let groups = piece_tables.div_ceil(threehalves::GROUP_GATES);
            for piece in chunk.chunks(groups * threehalves::GROUP_BYTES) {
                evaluation.feed(piece).unwrap();
            }
        }
    }
    let decoding = garbling.finish().unwrap().decoding_all();
    let bytes = decoding.to_bytes();
    let decoding = crypto::OutputDecoding::from_bytes(&bytes, c.output_wires.len()).unwrap();
    evaluation.finish(&decoding).unwrap()
}

/// One half-gates run in fresh sessions.
pub fn run(c: &Circuit, bits: &[bool], piece_tables: usize) -> Vec<bool> {
    run_with(Scheme::HalfGates, c, bits, piece_tables)
}

/// One run of `scheme` in fresh sessions.
pub fn run_with(scheme: Scheme, c: &Circuit, bits: &[bool], piece_tables: usize) -> Vec<bool> {
    let schedule = Schedule::new(c).unwrap();
    let mut gs = GarblerSession::with_scheme(scheme);
    let mut es = EvaluatorSession::with_scheme(gs.hash_key(), scheme);
    run_in(&mut gs, &mut es, c, &schedule, bits, piece_tables)
}

/// Random bits from the OS CSPRNG.
pub fn random_bits(n: usize) -> Vec<bool> {
    (0..n).map(|_| Block::random().lsb()).collect()
}

/// The reference circuits directory.
pub fn bristol_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bristol")
}

/// Builds a valid circuit from raw choices: each gate reads wires already
/// set and writes any wire slot (reusing slots freely).
pub fn build(
    widths: &[(usize, bool)],
    extra_wires: u32,
    raw_gates: &[(u8, u32, u32, u32)],
    raw_outputs: &[u32],
) -> Circuit {
    let mut inputs = Vec::new();
    let mut next = 0u32;
    for (i, &(w, garbler)) in widths.iter().enumerate() {
        inputs.push(Input {
            name: format!("in{i}"),
            party: if garbler {
                Party::Garbler
            } else {
                Party::Evaluator
            },
            ty: Type::Unsigned(w as u32),
            first_wire: next,
        });
        next += w as u32;
    }
    let num_wires = next + extra_wires;
    let mut set: Vec<u32> = (0..next).collect();
    let mut is_set = vec![false; num_wires as usize];
    is_set[..next as usize].iter_mut().for_each(|s| *s = true);
    let mut gates = Vec::new();
    for &(k, a, b, out) in raw_gates {
        let out = out % num_wires;
        let pick = |x: u32| set[x as usize % set.len()];
        let g = match k % 8 {
            0..=2 => Gate::xor(pick(a), pick(b), out),
            3..=5 => Gate::and(pick(a), pick(b), out),
            6 => Gate::inv(pick(a), out),
            _ => Gate::constant(a % 2 == 1, out),
        };
        if !is_set[out as usize] {
            is_set[out as usize] = true;
            set.push(out);
        }
        gates.push(g);
    }
    let output_wires: Vec<u32> = raw_outputs
        .iter()
        .map(|&o| set[o as usize % set.len()])
        .collect();
    let outputs = vec![Output {
        party: None,
        name: "out".into(),
        ty: Type::Bits(output_wires.len() as u32),
        first_bit: 0,
    }];
    let c = Circuit {
        num_wires,
        inputs,
        outputs,
        gates,
        output_wires,
    };
    c.validate().unwrap();
    c
}

/// Every chunk of garbled tables of a run, concatenated.
pub fn all_tables(g: &mut garbler::Garbling<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(c) = g.next_chunk() {
        out.extend_from_slice(c);
    }
    out
}

/// Garbles AES-128 and `small` (two evaluator inputs) three times each in
/// `session`, checks that each run takes `tweaks_per_gate` tweaks per AND
/// gate, and that no two of those runs' tweak ranges and `earlier` overlap.
pub fn assert_tweak_ranges_never_overlap(
    session: &mut GarblerSession,
    small: &Schedule,
    mut ranges: Vec<std::ops::Range<u64>>,
    tweaks_per_gate: u64,
) {
    let aes = circuits::bristol::read_file(&bristol_dir().join("aes_128.txt"), 1).unwrap();
    let sa = Schedule::new(&aes).unwrap();
    for _ in 0..3 {
        for (sch, e) in [(&sa, 128usize), (small, 2)] {
            let zero: Vec<Block> = (0..e).map(|_| Block::random()).collect();
            let bits = random_bits(sch.garbler_inputs().len());
            let g = session.garble(sch, &bits, &zero).unwrap();
            assert_eq!(
                g.tweak_range().end - g.tweak_range().start,
                tweaks_per_gate * sch.and_count() as u64
            );
            ranges.push(g.tweak_range());
        }
    }
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[..i] {
            assert!(
                a.start >= b.end || b.start >= a.end,
                "tweak ranges {a:?} and {b:?} overlap"
            );
        }
    }
}
