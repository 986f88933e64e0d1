//! Half-gates garbling and evaluation in AND gates per second (AES-128 and
//! SHA-256, one thread and all threads), next to the raw fixed-key AES block
//! rate and the batched TCCR hash rate of the same machine in the same run.
//!
//! Per AND gate the garbler hashes four labels and the evaluator two, at two
//! AES calls per hash: garbling at G AND/s uses 8G AES blocks/s, evaluating
//! at E AND/s uses 4E; compare with `raw_aes` for the fraction of the
//! hardware limit.

use circuits::bristol;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crypto::{AesPath, AndOp, Block, Delta, FixedKeyAes, HalfGateHash, HashKey, Lane, TABLE_BYTES};
use garbler::GarblerSession;
use mpcc::speed::Workload;
use std::cell::RefCell;
use std::hint::black_box;
use std::path::PathBuf;

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bristol")
        .join(name)
}

fn aes(c: &mut Criterion) {
    let mut g = c.benchmark_group("aes");
    let n = 1024;
    g.throughput(Throughput::Elements(n as u64));
    let mut blocks = vec![Block::random(); n];
    // Every AES path this CPU runs: avx512 keeps 32 blocks in flight on
    // zmm registers, vaes256 16 on ymm registers.
    for path in AesPath::ALL {
        let Some(pi) = FixedKeyAes::on_path(path, Block::random()) else {
            eprintln!(
                "raw_aes/{}: skipped, this CPU lacks its features",
                path.name()
            );
            continue;
        };
        g.bench_function(format!("raw_aes/{}_1024", path.name()), |b| {
            b.iter(|| pi.encrypt_blocks(black_box(&mut blocks)))
        });
    }
    // One TCCR hash is two AES blocks: elements here are hashes.
    let h = HalfGateHash::new(HashKey::random());
    g.bench_function("tccr_hashes/1024", |b| {
        b.iter(|| h.hash_garbler(black_box(&mut blocks), 0))
    });
    g.finish();
}

/// The half-gates kernels alone, on every AES path: one window of
/// `MAX_BATCH` independent AND gates whose labels sit in scattered slots,
/// garbled or evaluated in place (no free gates, no table transport).
/// Compare with `raw_aes` of the same path: the ceiling is raw / 8 for
/// garbling and raw / 4 for evaluation.
fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("half_gates_window");
    let n = crypto::MAX_BATCH;
    g.throughput(Throughput::Elements(n as u64));
    // Inputs in 0..2n, outputs in 2n..3n, slot 3n the zero label.
    let slots = 3 * n as u32 + 1;
    let ands: Vec<AndOp> = (0..n as u32)
        .map(|i| {
            AndOp::new(
                (i * 7) % (2 * n as u32),
                (i * 13 + 1) % (2 * n as u32),
                2 * n as u32 + i,
                3 * n as u32,
            )
        })
        .collect();
    let delta = Lane::from(Delta::random().block());
    for path in AesPath::ALL {
        let Some(h) = HalfGateHash::on_path(path, HashKey::random()) else {
            continue;
        };
        let mut labels: Vec<Lane> = (0..slots).map(|_| Lane::from(Block::random())).collect();
        labels[3 * n] = Lane::zero();
        let mut tables = vec![0u8; n * TABLE_BYTES];
        g.bench_function(format!("{}/garble", path.name()), |b| {
            b.iter(|| h.garble_ands(&mut labels, &ands, delta, 0, black_box(&mut tables), false))
        });
        g.bench_function(format!("{}/evaluate", path.name()), |b| {
            b.iter(|| h.eval_ands(&mut labels, &ands, black_box(&tables), 0, false))
        });
    }
    g.finish();
}

thread_local! {
    static SESSION: RefCell<GarblerSession> = RefCell::new(GarblerSession::new());
}

fn garbling(c: &mut Criterion) {
    let threads = rayon::current_num_threads();
    let mut g = c.benchmark_group("garble");
    for name in ["aes_128", "sha256"] {
        let circuit = bristol::read_file(&shared(&format!("{name}.txt")), 1).expect("circuit");
        let work = Workload::new(&circuit).expect("workload");
        let ands = work.and_gates() as u64;

        // One thread: inside a one-thread pool, so wide layers stay on it.
        g.throughput(Throughput::Elements(ands));
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let mut session = GarblerSession::new();
        g.bench_function(format!("{name}/garble/1_thread"), |b| {
            one.install(|| b.iter(|| work.garble_once(&mut session).unwrap()))
        });
        g.bench_function(format!("{name}/evaluate/1_thread"), |b| {
            one.install(|| b.iter(|| work.evaluate_once().unwrap()))
        });

        // All threads: one independent garbling (or evaluation) per thread.
        g.throughput(Throughput::Elements(ands * threads as u64));
        g.bench_function(format!("{name}/garble/{threads}_threads"), |b| {
            b.iter(|| {
                rayon::broadcast(|_| {
                    SESSION.with(|s| work.garble_once(&mut s.borrow_mut()).unwrap())
                })
            })
        });
        g.bench_function(format!("{name}/evaluate/{threads}_threads"), |b| {
            b.iter(|| rayon::broadcast(|_| work.evaluate_once().unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, aes, kernels, garbling);
criterion_main!(benches);
