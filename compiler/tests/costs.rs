//! AND counts of single operations, pinned to the cost model of LANGUAGE.md
//! (n = width): a regression in any gadget fails here.

fn ands(src: &str) -> usize {
    compiler::compile_source(src, "cost.mpc")
        .unwrap_or_else(|e| panic!("{e}"))
        .and_count()
}

fn binop(t: &str, ret: &str, body: &str) -> usize {
    ands(&format!(
        "fn main(garbler a: {t}, evaluator b: {t}) -> {ret} {{ {body} }}"
    ))
}

#[test]
fn issue_figures() {
    assert_eq!(binop("u64", "bool", "a < b"), 64);
    assert_eq!(binop("u64", "bool", "a == b"), 63);
    assert_eq!(binop("u32", "u32", "a + b"), 31);
    assert!(binop("u32", "u32", "a * b") <= 993);
    assert_eq!(binop("u32", "u32", "a.max(b)"), 64);
}

#[test]
fn cost_model_per_width() {
    for n in [1u32, 8, 13, 32, 64, 128] {
        let u = format!("u{n}");
        let i = format!("i{n}");
        let n = n as usize;
        assert_eq!(binop(&u, &u, "a + b"), n - 1, "add {n}");
        assert_eq!(binop(&u, &u, "a - b"), n - 1, "sub {n}");
        assert_eq!(binop(&u, "bool", "a == b"), n - 1, "eq {n}");
        assert_eq!(binop(&u, "bool", "a != b"), n - 1, "ne {n}");
        for op in ["<", ">", "<=", ">="] {
            assert_eq!(binop(&u, "bool", &format!("a {op} b")), n, "{op} u{n}");
            assert_eq!(binop(&i, "bool", &format!("a {op} b")), n, "{op} i{n}");
        }
        assert_eq!(binop(&u, &u, "a.max(b)"), 2 * n, "max {n}");
        assert_eq!(binop(&i, &i, "a.min(b)"), 2 * n, "min {n}");
        // min and max together share the comparison and the AND of the mux.
        assert_eq!(
            binop(&u, &format!("({u}, {u})"), "(a.min(b), a.max(b))"),
            2 * n,
            "min+max {n}"
        );
        assert!(binop(&u, &u, "a * b") <= n * n - n + 1, "mul {n}");
        assert_eq!(binop(&u, &u, "a & b"), n);
        assert_eq!(binop(&u, &u, "a ^ b"), 0);
        assert_eq!(binop(&u, &u, "!a ^ b"), 0);
        // A secret `if` merging an n-bit value: n.
        assert_eq!(ands(&format!("fn main(garbler c: bool, evaluator a: {u}, evaluator b: {u}) -> {u} {{ if c {{ a }} else {{ b }} }}")), n);
    }
}

#[test]
fn constants_make_things_cheaper() {
    for n in [8u32, 13, 32, 64] {
        let t = format!("u{n}");
        let n = n as usize;
        for k in [0u64, 1, 5, 100, (1u64 << (n.min(63) - 1)) + 3] {
            let k = k & if n == 64 { u64::MAX } else { (1 << n) - 1 };
            for op in ["<", "<=", ">", ">=", "==", "!="] {
                let c = ands(&format!("fn main(garbler a: {t}) -> bool {{ a {op} {k} }}"));
                assert!(c < n, "a {op} {k} on {t}: {c} ANDs");
            }
        }
        // Multiplying by a constant costs adders only for its set bits.
        assert!(ands(&format!("fn main(garbler a: {t}) -> {t} {{ a * 10 }}")) < 2 * n);
        assert_eq!(
            ands(&format!("fn main(garbler a: {t}) -> {t} {{ a * 8 }}")),
            0
        );
        assert_eq!(
            ands(&format!("fn main(garbler a: {t}) -> {t} {{ a + 0 }}")),
            0
        );
    }
    // Everything public is computed at compile time.
    assert_eq!(ands("const K: u32 = 7; fn main(garbler a: u32) -> u32 { let x: u32 = K * K / 3 % 5 + (K << 2); a ^ x }"), 0);
    assert_eq!(ands("fn main(garbler a: u32) -> u32 { let mut s: u32 = 0; for i in 0..100 { s += i * i; } a ^ s }"), 0);
}

#[test]
fn other_gadgets() {
    // Secret shift: n per stage below log2(n), then one stage (and an OR of
    // the high amount bits) that shifts everything out.
    assert!(binop("u32", "u32", "a << (b as u8)") <= 32 * 5 + 32 + 2);
    assert!(binop("u32", "u32", "a >> (b as u5)") <= 32 * 5);
    // Division: about n^2 + 2n, well below the 2n^2 of a plain restoring divider.
    let d = binop("u32", "u32", "a / b");
    assert!(d <= 32 * 32 + 3 * 32, "u32 / costs {d}");
    // Secret-index read of 8 u32: a 7-mux tree of 32 bits, plus the guard for index values past the end.
    assert_eq!(
        ands("fn main(garbler a: [u32; 8], evaluator i: u8) -> u32 { a[i] }"),
        7 * 32 + 32 + 4
    );
    // Exactly 3 index bits for 8 elements: no guard.
    assert_eq!(
        ands("fn main(garbler a: [u32; 8], evaluator i: u8) -> u32 { a[i & 7] }"),
        7 * 32
    );
    // Secret-index write: a decoder and one mux per element bit.
    let w = ands("fn main(garbler a: [u8; 4], evaluator i: u2, evaluator v: u8) -> [u8; 4] { let mut x = a; x[i] = v; x }");
    assert!(w <= 4 * 8 + 4 + 2, "write costs {w}");
    // A secret `if` merges only what changed.
    let m = ands(
        "fn main(garbler c: bool, evaluator a: u32, evaluator b: u32) -> (u32, u32) {
            let mut x = a; let mut y = b;
            if c { x = b; }
            (x, y)
        }",
    );
    assert_eq!(m, 32);
    // A swap through a secret `if` shares one multiplexer: compare-and-swap is 2n.
    let cas = ands(
        "fn main(evaluator a: u32, evaluator b: u32) -> [u32; 2] {
            let mut v = [a, b];
            if v[0] > v[1] { let t = v[0]; v[0] = v[1]; v[1] = t; }
            v
        }",
    );
    assert_eq!(cas, 64);
    let sort =
        compiler::compile_source(include_str!("../../examples/sort.mpc"), "sort.mpc").unwrap();
    assert_eq!(sort.and_count(), 120 * 64);
}

/// Nonzero digits of `c` (an n-bit pattern) in non-adjacent form, computed
/// here independently of the compiler: the signed value's NAF weight.
fn naf_weight(c: i128) -> u32 {
    let mut k = c;
    let mut d = 0;
    while k != 0 {
        if k & 1 == 1 {
            let digit = 2 - (k & 3); // 1 or -1
            k -= digit;
            d += 1;
        }
        k >>= 1;
    }
    d
}

fn eval_u64(c: &circuits::Circuit, x: u64, n: usize) -> u64 {
    let bits: Vec<bool> = (0..n).map(|i| x >> i & 1 == 1).collect();
    let out = c.eval_bits(&bits).unwrap();
    out.iter()
        .enumerate()
        .fold(0, |acc, (i, &b)| acc | (b as u64) << i)
}

#[test]
fn constant_multiplication() {
    // The contract's examples, below n-1 ANDs (one subtraction whose
    // first carry folds): 465, 345 and 77 ANDs before signed digits.
    assert_eq!(ands("fn main(garbler x: i32) -> i32 { x * -1 }"), 30);
    assert_eq!(ands("fn main(garbler x: i32) -> i32 { x * 0xffff }"), 30);
    assert_eq!(ands("fn main(garbler x: u16) -> u16 { x * 255 }"), 14);
    assert_eq!(ands("fn main(garbler x: u32) -> u32 { x * 7 }"), 30);
    assert_eq!(ands("fn main(garbler x: u32) -> u32 { x * 10 }"), 28);
    assert_eq!(ands("fn main(garbler x: u32) -> u32 { x * 0 }"), 0);
    assert_eq!(ands("fn main(garbler x: u32) -> u32 { 1024 * x }"), 0);
    // Every constant within the contract's bound (d-1)(n-1) for c > 0 and
    // d(n-1) for c < 0, and the product right on sample values.
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for n in [4usize, 8, 13, 16, 32, 63] {
        let mask = (1u64 << n) - 1;
        let mut consts: Vec<i128> =
            vec![1, 2, 3, 5, 7, 9, 15, 17, 85, 170, 255, -1, -2, -3, -7, -85];
        consts.extend((0..12).map(|_| (next() & mask) as i128));
        for signed in [false, true] {
            let t = format!("{}{n}", if signed { 'i' } else { 'u' });
            let (lo, hi) = if signed {
                (-(1i128 << (n - 1)), (1i128 << (n - 1)) - 1)
            } else {
                (0, (1i128 << n) - 1)
            };
            for &k in &consts {
                // The same bit pattern, as a literal of the type.
                let k = if k < lo || k > hi {
                    let p = k.rem_euclid(1i128 << n);
                    if p > hi {
                        p - (1i128 << n)
                    } else {
                        p
                    }
                } else {
                    k
                };
                if k == 0 {
                    continue;
                }
                let c = compiler::compile_source(
                    &format!("fn main(garbler x: {t}) -> {t} {{ x * {k} }}"),
                    "k.mpc",
                )
                .unwrap();
                let d = naf_weight(k) as usize;
                let bound = if k > 0 {
                    (d - 1) * (n - 1)
                } else {
                    d * (n - 1)
                };
                assert!(
                    c.and_count() <= bound,
                    "x * {k} on {t}: {} > {bound}",
                    c.and_count()
                );
                for _ in 0..8 {
                    let x = next() & mask;
                    let want = (x as u128).wrapping_mul(k as u128) as u64 & mask;
                    assert_eq!(eval_u64(&c, x, n), want, "{x} * {k} on {t}");
                }
            }
        }
    }
}

/// `explain` attributes every AND gate of every example to a source line,
/// and gives the same circuit as `compile_source`.
#[test]
fn explain_accounts_for_every_and_gate() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("mpc") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let ex = compiler::explain_source(&src, &name).unwrap();
        let c = compiler::compile_source(&src, &name).unwrap();
        assert_eq!(ex.circuit, c, "{name}");
        let sum: usize = ex.lines.iter().map(|l| l.ands).sum();
        assert_eq!(sum, c.and_count(), "{name}");
        // A line with gates has depth at least 1, and none deeper than the circuit.
        let depth = c.stats().and_depth;
        for l in &ex.lines {
            assert_eq!(l.ands > 0, l.depth > 0, "{name}");
            assert!(l.depth <= depth, "{name}");
        }
        seen += 1;
    }
    assert!(seen >= 10);
}
