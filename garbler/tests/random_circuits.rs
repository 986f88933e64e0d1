//! Property test: on random circuits (wire reuse, constants, both parties'
//! inputs, outputs anywhere), garble-then-evaluate equals plaintext
//! evaluation, however the table stream is cut.

mod common;

use circuits::{Circuit, Gate, GateKind, Input, Output, Party, Type};
use common::{run, run_with};
use crypto::Scheme;
use proptest::prelude::*;

/// Builds a valid circuit from raw choices: each gate reads wires already
/// set and writes any wire slot (reusing slots freely).
fn build(
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn garbled_equals_plaintext(
        widths in proptest::collection::vec((1usize..6, any::<bool>()), 1..5),
        extra in 1u32..40,
        gates in proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u32>(), any::<u32>()), 0..300),
        outs in proptest::collection::vec(any::<u32>(), 1..20),
        input_seed in any::<u64>(),
        piece in 0usize..4,
    ) {
        let c = build(&widths, extra, &gates, &outs);
        let bits: Vec<bool> =
            (0..c.num_inputs()).map(|i| input_seed.rotate_left(i) & 1 == 1).collect();
        let want = c.eval_bits(&bits).unwrap();
        prop_assert_eq!(run(&c, &bits, piece), want.clone());
        prop_assert_eq!(run_with(Scheme::ThreeHalves, &c, &bits, piece), want);
    }
}

#[test]
fn wide_layers_larger_than_one_batch_and_one_chunk() {
    // 5,000 independent ANDs: more than a hash batch (256) and a chunk (2,048).
    let n = 5000u32;
    let gates: Vec<(u8, u32, u32, u32)> = (0..n)
        .map(|i| (3, i % 64, (i * 7 + 1) % 64, 64 + i))
        .collect();
    let outs: Vec<u32> = (0..200).map(|i| 64 + i * 25).collect();
    let c = build(&[(32, true), (32, false)], n, &gates, &outs);
    assert_eq!(
        c.gates.iter().filter(|g| g.kind == GateKind::And).count(),
        n as usize
    );
    // Chunks of 2,048 tables: wide enough for the parallel paths of both
    // parties; pieces of 3 or 1,000 tables: evaluated one thread at a time.
    for threads in [1usize, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            for piece in [0usize, 3, 1000, 2048] {
                let bits = common::random_bits(64);
                for scheme in Scheme::ALL {
                    assert_eq!(
                        run_with(scheme, &c, &bits, piece),
                        c.eval_bits(&bits).unwrap(),
                        "{scheme}"
                    );
                }
            }
        });
    }
}
