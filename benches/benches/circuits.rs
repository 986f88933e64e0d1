//! Parsing Bristol files, writing and reading the compiled format, and
//! plaintext evaluation (the test oracle).

use circuits::{bristol, format};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bristol")
        .join(name)
}

fn parse(c: &mut Criterion) {
    let text = std::fs::read_to_string(shared("sha256.txt")).expect("sha256.txt");
    let mut g = c.benchmark_group("bristol_parse");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("sha256", |b| {
        b.iter(|| bristol::parse(black_box(&text), 1).unwrap())
    });
    g.finish();
}

/// The compiled-circuit format both ways, in gates per second.
fn compiled_format(c: &mut Criterion) {
    let circ = bristol::read_file(&shared("sha256.txt"), 1).expect("sha256.txt");
    let bytes = format::to_bytes(&circ);
    let mut g = c.benchmark_group("compiled_format");
    g.throughput(Throughput::Elements(circ.gates.len() as u64));
    g.bench_function("sha256/write", |b| {
        b.iter(|| format::to_bytes(black_box(&circ)))
    });
    g.bench_function("sha256/read", |b| {
        b.iter(|| format::from_bytes(black_box(&bytes)).unwrap())
    });
    g.finish();
}

fn eval(c: &mut Criterion) {
    let mut g = c.benchmark_group("plaintext_eval");
    for name in ["aes_128.txt", "sha256.txt"] {
        let circ = bristol::read_file(&shared(name), 1).expect("reference circuit");
        let gates = circ.gates.len() as u64;
        let words: Vec<u64> = (0..circ.num_inputs() as u64)
            .map(|i| i.wrapping_mul(0x9e3779b97f4a7c15))
            .collect();
        let bits: Vec<bool> = words.iter().map(|w| w & 1 == 1).collect();
        // One input at a time: gates per second.
        g.throughput(Throughput::Elements(gates));
        g.bench_function(format!("{name}/one_input"), |b| {
            b.iter(|| circ.eval_bits(black_box(&bits)).unwrap())
        });
        // 64 inputs bit-sliced in one pass: gate evaluations per second.
        g.throughput(Throughput::Elements(gates * 64));
        g.bench_function(format!("{name}/sliced_64"), |b| {
            b.iter(|| circ.eval_sliced(black_box(&words)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, parse, compiled_format, eval);
criterion_main!(benches);
