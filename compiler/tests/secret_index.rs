//! Every place where a secret value is widened or narrowed, checked against
//! plaintext semantics: secret array indexing (read, write, compound
//! assignment, nested arrays, index expressions) over array lengths 1 to 300
//! and index widths 1 to 16 bits, shifts by a secret amount, and casts.
//!
//! Each circuit is evaluated bit-sliced ([`circuits::Circuit::eval_sliced`]),
//! 64 runs at once; the index values cover 0, the last element, the first
//! out-of-range index, the largest index of the type and random values in
//! between (every value when the type has at most 64).

use circuits::Circuit;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
}

fn compile(src: &str) -> Circuit {
    compiler::compile_source(src, "t.mpc").unwrap_or_else(|e| panic!("{e}\n{src}"))
}

/// Builds the bit-sliced input words: `values[r]` lists, for run `r`, each
/// input value as (bits, width) in parameter order.
fn slice_inputs(c: &Circuit, runs: &[Vec<(u64, usize)>]) -> Vec<u64> {
    let mut words = vec![0u64; c.num_inputs() as usize];
    for (r, vals) in runs.iter().enumerate() {
        let mut pos = 0;
        for &(v, w) in vals {
            for i in 0..w {
                if i < 64 && v >> i & 1 == 1 {
                    words[pos + i] |= 1 << r;
                }
            }
            pos += w;
        }
        assert_eq!(pos, words.len());
    }
    words
}

/// Reads `w` output bits starting at `pos` of run `r`.
fn out_bits(out: &[u64], r: usize, pos: usize, w: usize) -> u64 {
    (0..w).fold(0, |acc, i| acc | ((out[pos + i] >> r) & 1) << i)
}

/// Index values to try for an index type of `width` bits and an array of `len`.
fn index_samples(width: usize, len: usize, rng: &mut Rng) -> Vec<u64> {
    let max = (1u64 << width) - 1;
    if max < 64 {
        return (0..=max).collect();
    }
    let mut v: Vec<u64> = [
        0,
        1,
        len as u64 - 1,
        len as u64,
        len as u64 + 1,
        max,
        max - 1,
    ]
    .into_iter()
    .filter(|&k| k <= max)
    .collect();
    while v.len() < 64 {
        // Half in range, half anywhere in the type.
        let k = if v.len().is_multiple_of(2) {
            rng.next() % (len as u64 + 2)
        } else {
            rng.next() & max
        };
        v.push(k.min(max));
    }
    v
}

const LENGTHS: [usize; 22] = [
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 256, 300,
];

#[test]
fn secret_index_matrix() {
    let mut rng = Rng(7);
    for &len in &LENGTHS {
        for iw in 1..=16usize {
            check_index(len, iw, &mut rng);
        }
    }
}

/// One program per (length, index width) exercising every kind of secret
/// index, each result compared with the plaintext answer.
fn check_index(len: usize, iw: usize, rng: &mut Rng) {
    let src = format!(
        "fn main(garbler t: [u16; {len}], garbler m: [[u8; 3]; {len}], evaluator j: u{iw}, evaluator x: u16) \
         -> (u16, [u16; {len}], [u16; {len}], u8, u16, [[u8; 3]; {len}], u16) {{
            let r = t[j];
            let mut w = t;
            w[j] = x;
            let mut c = t;
            c[j] += x;
            let n = m[j][1];
            let e = t[j + 1];
            let mut mm = m;
            mm[j][2] = x as u8;
            let mut s = 0u16;
            s = t[j] ^ t[j >> 1];
            (r, w, c, n, e, mm, s)
        }}"
    );
    let src = src.replace("0u16", "0");
    let c = compile(&src);
    let t: Vec<u64> = (0..len).map(|i| (i as u64 * 7919 + 13) & 0xffff).collect();
    let m: Vec<[u64; 3]> = (0..len)
        .map(|i| {
            [
                (i as u64 * 3) & 0xff,
                (i as u64 * 5 + 1) & 0xff,
                (i as u64 * 11 + 2) & 0xff,
            ]
        })
        .collect();
    let js = index_samples(iw, len, rng);
    let xs: Vec<u64> = js.iter().map(|_| rng.next() & 0xffff).collect();
    let runs: Vec<Vec<(u64, usize)>> = js
        .iter()
        .zip(&xs)
        .map(|(&j, &x)| {
            let mut v: Vec<(u64, usize)> = t.iter().map(|&e| (e, 16)).collect();
            for row in &m {
                v.extend(row.iter().map(|&e| (e, 8)));
            }
            v.push((j, iw));
            v.push((x, 16));
            v
        })
        .collect();
    let out = c.eval_sliced(&slice_inputs(&c, &runs)).unwrap();
    let mask = (1u64 << iw) - 1;
    let get = |k: u64| t.get(k as usize).copied().unwrap_or(0);
    for (r, (&j, &x)) in js.iter().zip(&xs).enumerate() {
        let ctx = format!("len {len}, index u{iw} = {j}");
        let mut pos = 0;
        assert_eq!(out_bits(&out, r, pos, 16), get(j), "read, {ctx}");
        pos += 16;
        for (i, &e) in t.iter().enumerate() {
            let want = if i as u64 == j { x } else { e };
            assert_eq!(out_bits(&out, r, pos, 16), want, "write [{i}], {ctx}");
            pos += 16;
        }
        for (i, &e) in t.iter().enumerate() {
            let want = if i as u64 == j { (e + x) & 0xffff } else { e };
            assert_eq!(out_bits(&out, r, pos, 16), want, "compound [{i}], {ctx}");
            pos += 16;
        }
        let n = m.get(j as usize).map_or(0, |row| row[1]);
        assert_eq!(out_bits(&out, r, pos, 8), n, "nested read, {ctx}");
        pos += 8;
        assert_eq!(
            out_bits(&out, r, pos, 16),
            get((j + 1) & mask),
            "t[j + 1], {ctx}"
        );
        pos += 16;
        for (i, row) in m.iter().enumerate() {
            for (k, &e) in row.iter().enumerate() {
                let want = if i as u64 == j && k == 2 { x & 0xff } else { e };
                assert_eq!(
                    out_bits(&out, r, pos, 8),
                    want,
                    "nested write [{i}][{k}], {ctx}"
                );
                pos += 8;
            }
        }
        assert_eq!(
            out_bits(&out, r, pos, 16),
            get(j) ^ get(j >> 1),
            "t[j] ^ t[j >> 1], {ctx}"
        );
    }
}

/// A secret index read from an array of arrays, both indices secret and of
/// different widths.
#[test]
fn two_secret_indices() {
    let mut rng = Rng(11);
    for (rows, cols) in [(1, 1), (3, 5), (5, 3), (4, 4), (9, 2), (17, 6)] {
        for (iw, kw) in [(1, 1), (1, 3), (2, 2), (3, 1), (5, 4), (8, 8)] {
            let src = format!(
                "fn main(garbler g: [[u8; {cols}]; {rows}], evaluator i: u{iw}, evaluator k: u{kw}, evaluator x: u8) \
                 -> (u8, [[u8; {cols}]; {rows}]) {{
                    let mut h = g;
                    h[i][k] ^= x;
                    (g[i][k], h)
                }}"
            );
            let c = compile(&src);
            let g: Vec<u64> = (0..rows * cols)
                .map(|v| (v as u64 * 37 + 5) & 0xff)
                .collect();
            let cases: Vec<(u64, u64, u64)> = (0..64)
                .map(|_| {
                    (
                        rng.next() % (1 << iw),
                        rng.next() % (1 << kw),
                        rng.next() & 0xff,
                    )
                })
                .collect();
            let runs: Vec<Vec<(u64, usize)>> = cases
                .iter()
                .map(|&(i, k, x)| {
                    let mut v: Vec<(u64, usize)> = g.iter().map(|&e| (e, 8)).collect();
                    v.extend([(i, iw), (k, kw), (x, 8)]);
                    v
                })
                .collect();
            let out = c.eval_sliced(&slice_inputs(&c, &runs)).unwrap();
            for (r, &(i, k, x)) in cases.iter().enumerate() {
                let inside = (i as usize) < rows && (k as usize) < cols;
                let at = i as usize * cols + k as usize;
                let want = if inside { g[at] } else { 0 };
                let ctx = format!("[{rows}][{cols}], i: u{iw} = {i}, k: u{kw} = {k}");
                assert_eq!(out_bits(&out, r, 0, 8), want, "read {ctx}");
                for (p, &e) in g.iter().enumerate() {
                    let want = if inside && p == at { e ^ x } else { e };
                    assert_eq!(out_bits(&out, r, 8 + 8 * p, 8), want, "write [{p}] {ctx}");
                }
            }
        }
    }
}

fn sign_extend(v: u64, w: usize) -> i64 {
    ((v << (64 - w)) as i64) >> (64 - w)
}

/// Shifts by a secret amount of every width 1 to 10 (and 16), on values of
/// widths 1 to 40, signed and unsigned, against plaintext shifts.
#[test]
fn shifts_by_secret_amount() {
    let mut rng = Rng(5);
    for n in [1usize, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 32, 33, 40] {
        for aw in [1usize, 2, 3, 4, 5, 6, 7, 8, 10, 16] {
            for signed in [false, true] {
                let ty = format!("{}{n}", if signed { 'i' } else { 'u' });
                let src = format!(
                    "fn main(garbler x: {ty}, evaluator s: u{aw}) -> ({ty}, {ty}) {{ (x << s, x >> s) }}"
                );
                let c = compile(&src);
                let amax = (1u64 << aw) - 1;
                let cases: Vec<(u64, u64)> = (0..64)
                    .map(|r| {
                        let s = if amax < 64 {
                            r as u64 & amax
                        } else if r < 48 {
                            r as u64
                        } else {
                            rng.next() & amax
                        };
                        (rng.next() & ((1u64 << n) - 1), s)
                    })
                    .collect();
                let runs: Vec<Vec<(u64, usize)>> =
                    cases.iter().map(|&(x, s)| vec![(x, n), (s, aw)]).collect();
                let out = c.eval_sliced(&slice_inputs(&c, &runs)).unwrap();
                let mask = (1u64 << n) - 1;
                for (r, &(x, s)) in cases.iter().enumerate() {
                    let shl = if s >= n as u64 { 0 } else { (x << s) & mask };
                    let shr = if signed {
                        let v = sign_extend(x, n);
                        (v >> s.min(63)) as u64 & mask
                    } else if s >= n as u64 {
                        0
                    } else {
                        x >> s
                    };
                    let ctx = format!("{ty} {x} by u{aw} {s}");
                    assert_eq!(out_bits(&out, r, 0, n), shl, "<< {ctx}");
                    assert_eq!(out_bits(&out, r, n, n), shr, ">> {ctx}");
                }
            }
        }
    }
}

/// Casts of secret values between every pair of widths 1 to 16 and 33, 64,
/// signed and unsigned, and from `bool`.
#[test]
fn casts_between_widths() {
    let mut rng = Rng(3);
    let widths = [1usize, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 33, 64];
    for &from in &widths {
        for fs in [false, true] {
            let fty = format!("{}{from}", if fs { 'i' } else { 'u' });
            let targets: Vec<String> = widths
                .iter()
                .flat_map(|&to| [format!("u{to}"), format!("i{to}")])
                .collect();
            let body: Vec<String> = targets.iter().map(|t| format!("x as {t}")).collect();
            let src = format!(
                "fn main(garbler x: {fty}, evaluator b: bool) -> ({}, u8, i8) {{ ({}, b as u8, b as i8) }}",
                targets.join(", "),
                body.join(", ")
            );
            let c = compile(&src);
            let fmask = if from == 64 {
                u64::MAX
            } else {
                (1u64 << from) - 1
            };
            let cases: Vec<(u64, bool)> = (0..64)
                .map(|r| {
                    let x = match r {
                        0 => 0,
                        1 => fmask,
                        2 => fmask >> 1,
                        3 => (fmask >> 1) + 1,
                        _ => rng.next() & fmask,
                    };
                    (x & fmask, r % 2 == 1)
                })
                .collect();
            let runs: Vec<Vec<(u64, usize)>> = cases
                .iter()
                .map(|&(x, b)| vec![(x, from), (b as u64, 1)])
                .collect();
            let out = c.eval_sliced(&slice_inputs(&c, &runs)).unwrap();
            for (r, &(x, b)) in cases.iter().enumerate() {
                let wide: i128 = if fs {
                    sign_extend(x, from) as i128
                } else {
                    x as i128
                };
                let mut pos = 0;
                for &to in &widths {
                    for _signed_target in [false, true] {
                        let tmask = if to == 64 { u64::MAX } else { (1u64 << to) - 1 };
                        let want = (wide as u64) & tmask;
                        assert_eq!(out_bits(&out, r, pos, to), want, "{fty} {x} as {to} bits");
                        pos += to;
                    }
                }
                assert_eq!(out_bits(&out, r, pos, 8), b as u64, "bool as u8");
                assert_eq!(out_bits(&out, r, pos + 8, 8), b as u64, "bool as i8");
            }
        }
    }
}

fn run(src: &str, args: &[&str]) -> Vec<String> {
    let c = compile(src);
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let bits = circuits::value::parse_inputs(&c, None, &args).unwrap();
    let out = c.eval_bits(&bits).unwrap();
    circuits::value::format_outputs(&c, &out)
}

/// The reported cases: a one-bit index into five elements, and an untyped
/// secret index (literals merged by a secret `if`) past the end.
#[test]
fn narrow_and_untyped_indices() {
    let src = "fn main(garbler t: [u8; 5], evaluator j: u1) -> u8 { t[j] }";
    assert_eq!(run(src, &["[10, 20, 30, 40, 50]", "0"]), ["10"]);
    assert_eq!(run(src, &["[10, 20, 30, 40, 50]", "1"]), ["20"]);
    let src = "fn main(garbler t: [u8; 5], evaluator c: bool) -> (u8, [u8; 5], u8) {
        let mut k = 3;
        if c { k = 7; }
        let mut w = t;
        w[k] = 99;
        (t[k], w, t[1] << k)
    }";
    assert_eq!(
        run(src, &["[10, 20, 30, 40, 50]", "false"]),
        ["(40, [10, 20, 30, 99, 50], 160)"]
    );
    assert_eq!(
        run(src, &["[10, 20, 30, 40, 50]", "true"]),
        ["(0, [10, 20, 30, 40, 50], 0)"]
    );
}
