//! Compile throughput of the `.mpc` compiler, in gates per second: parsing,
//! checking, unrolling, lowering through the structurally hashing builder,
//! dead-gate removal and wire-slot compaction, all included.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

/// A program that unrolls `rounds * 64` multiply-accumulate steps on u32
/// (about 3,400 gates each); with the Vickrey auction of LANGUAGE.md for a
/// small program. The 10M-gate case is the scale target of the compiler.
fn mac_program(rounds: u32) -> String {
    format!(
        "const R: u32 = {rounds};
fn main(garbler a: [u32; 64], evaluator b: [u32; 64]) -> u32 {{
    let mut acc: u32 = 0;
    for r in 0..R {{
        for i in 0..64 {{
            acc = (acc ^ a[i]) * b[(i + r) % 64] + r;
        }}
    }}
    acc
}}"
    )
}

const VICKREY: &str = include_str!("../../examples/vickrey.mpc");

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for (name, src) in [
        ("vickrey64", VICKREY.to_string()),
        ("mac_1M", mac_program(5)),
        ("mac_4M", mac_program(20)),
        ("mac_10M", mac_program(48)),
    ] {
        let gates = compiler::compile_source(&src, "bench.mpc")
            .expect("the benchmark program compiles")
            .gates
            .len();
        group.throughput(Throughput::Elements(gates as u64));
        group.bench_with_input(
            BenchmarkId::new("gates", format!("{name}_{gates}")),
            &src,
            |b, src| {
                b.iter(|| {
                    compiler::compile_source(black_box(src), "bench.mpc").map(|c| c.gates.len())
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_compile);
criterion_main!(benches);
