//! `Circuit::side_by_side`: k copies in one circuit compute what k separate
//! runs compute, with each party's bits and the outputs copy after copy.

use circuits::{bristol, Circuit, Party};
use std::path::PathBuf;

fn load(name: &str) -> Circuit {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bristol")
        .join(name);
    bristol::read_file(&path, 1).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Deterministic pseudo-random bits (xorshift64*).
fn bits(n: usize, seed: &mut u64) -> Vec<bool> {
    (0..n)
        .map(|_| {
            *seed ^= *seed >> 12;
            *seed ^= *seed << 25;
            *seed ^= *seed >> 27;
            (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 63) == 1
        })
        .collect()
}

fn check(c: &Circuit, k: usize, seed: &mut u64) {
    let wide = c.side_by_side(k).expect("fits");
    wide.validate().expect("valid");
    assert_eq!(wide.and_count(), k * c.and_count());
    for party in [Party::Garbler, Party::Evaluator] {
        assert_eq!(wide.party_input_bits(party), k * c.party_input_bits(party));
    }
    let copies: Vec<Vec<bool>> = (0..k)
        .map(|_| bits(c.num_inputs() as usize, seed))
        .collect();
    let expected: Vec<bool> = copies
        .iter()
        .flat_map(|x| c.eval_bits(x).expect("eval"))
        .collect();
    assert_eq!(wide.eval_bits(&copies.concat()).expect("eval"), expected);
    // Each party's bits, in wire order, are the copies' bits in turn.
    let garbler: Vec<bool> = wide
        .inputs
        .iter()
        .filter(|i| i.party == Party::Garbler)
        .flat_map(|i| {
            let w = i.first_wire as usize;
            copies.concat()[w..w + i.ty.width()].to_vec()
        })
        .collect();
    let per_copy: Vec<bool> = copies
        .iter()
        .flat_map(|x| {
            c.inputs
                .iter()
                .filter(|i| i.party == Party::Garbler)
                .flat_map(|i| {
                    let w = i.first_wire as usize;
                    x[w..w + i.ty.width()].to_vec()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(garbler, per_copy);
}

#[test]
fn copies_compute_what_separate_runs_compute() {
    let mut seed = 0x9e37_79b9_7f4a_7c15;
    for name in ["adder64.txt", "aes_128.txt", "zero_equal.txt", "neg64.txt"] {
        let c = load(name);
        for k in [1, 2, 5] {
            check(&c, k, &mut seed);
            // Compacted circuits reuse wire slots; copies must not share them.
            check(&c.compact(), k, &mut seed);
        }
    }
}

#[test]
fn too_many_copies_is_refused() {
    let c = load("adder64.txt");
    assert!(c.side_by_side(usize::MAX).is_none());
    assert!(c.side_by_side(1 << 30).is_none());
}
