//! Every example program, compiled by the compiler crate, garbled and
//! evaluated in memory with both schemes on random inputs, equals its
//! plaintext evaluation.

use circuits::Party;
use crypto::{Block, Schedule, Scheme};
use evaluator::EvaluatorSession;
use garbler::GarblerSession;
use std::path::PathBuf;

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mpc"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_example_garbles_to_its_plaintext_value_with_both_schemes() {
    let files = examples();
    assert!(files.len() >= 15, "{files:?}");
    for path in files {
        let c = compiler::compile_file(&path).unwrap();
        let schedule = Schedule::new(&c).unwrap();
        for scheme in Scheme::ALL {
            let mut gs = GarblerSession::with_scheme(scheme);
            let mut es = EvaluatorSession::with_scheme(gs.hash_key(), scheme);
            for _ in 0..2 {
                let bits: Vec<bool> = (0..c.num_inputs()).map(|_| Block::random().lsb()).collect();
                let (mut gbits, mut ebits) = (Vec::new(), Vec::new());
                for input in &c.inputs {
                    let w = input.first_wire as usize;
                    let b = &bits[w..w + input.ty.width()];
                    match input.party {
                        Party::Garbler => gbits.extend_from_slice(b),
                        Party::Evaluator => ebits.extend_from_slice(b),
                    }
                }
                let zero: Vec<Block> = ebits.iter().map(|_| Block::random()).collect();
                let d = gs.delta().block();
                let active: Vec<Block> = zero
                    .iter()
                    .zip(&ebits)
                    .map(|(&z, &b)| z ^ d.select(b))
                    .collect();
                let mut g = gs.garble(&schedule, &gbits, &zero).unwrap();
                let mut e = es.evaluate(&schedule, g.garbler_labels(), &active).unwrap();
                while let Some(chunk) = g.next_chunk() {
                    e.feed(chunk).unwrap();
                }
                let decoding = g.finish().unwrap().decoding_all();
                assert_eq!(
                    e.finish(&decoding).unwrap(),
                    c.eval_bits(&bits).unwrap(),
                    "{} with {scheme}",
                    path.display()
                );
            }
        }
    }
}
