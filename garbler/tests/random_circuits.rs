//! Property test: on random circuits (wire reuse, constants, both parties'
//! inputs, outputs anywhere), garble-then-evaluate equals plaintext
//! evaluation, however the table stream is cut.

mod common;

use circuits::GateKind;
use common::{build, run, run_with};
use crypto::Scheme;
use proptest::prelude::*;

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
