//! Every operator of the language, for every width class (1, 8, 13, 64, 128,
//! 512 bits; signed and unsigned), compiled and evaluated on random and edge
//! inputs, against a reference computed in Rust. The reference works on
//! 64-bit limbs and is itself checked against native `u128`/`i128`
//! arithmetic for widths up to 128.

use circuits::Circuit;

const WIDTHS: [usize; 6] = [1, 8, 13, 64, 128, 512];

/// A value of `n` bits as little-endian limbs, bits above `n` zero.
type Num = Vec<u64>;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
}

fn limbs(n: usize) -> usize {
    n.div_ceil(64)
}
fn mask(mut v: Num, n: usize) -> Num {
    v.resize(limbs(n), 0);
    if n & 63 != 0 {
        let last = limbs(n) - 1;
        v[last] &= (1u64 << (n % 64)) - 1;
    }
    v
}
fn bit(v: &Num, i: usize) -> bool {
    v[i / 64] >> (i % 64) & 1 == 1
}
fn set(v: &mut Num, i: usize, b: bool) {
    if b {
        v[i / 64] |= 1 << (i % 64);
    } else {
        v[i / 64] &= !(1 << (i % 64));
    }
}
fn from_u128(x: u128, n: usize) -> Num {
    mask(vec![x as u64, (x >> 64) as u64], n)
}
fn to_u128(v: &Num) -> u128 {
    v[0] as u128 | (v.get(1).copied().unwrap_or(0) as u128) << 64
}
fn zero(n: usize) -> Num {
    vec![0; limbs(n)]
}
fn ones(n: usize) -> Num {
    mask(vec![u64::MAX; limbs(n)], n)
}
fn add(a: &Num, b: &Num, n: usize) -> Num {
    let mut out = zero(n);
    let mut c = 0u128;
    for i in 0..limbs(n) {
        let s = a[i] as u128 + b[i] as u128 + c;
        out[i] = s as u64;
        c = s >> 64;
    }
    mask(out, n)
}
fn not(a: &Num, n: usize) -> Num {
    mask(a.iter().map(|x| !x).collect(), n)
}
fn neg(a: &Num, n: usize) -> Num {
    let mut one = zero(n);
    set(&mut one, 0, true);
    add(&not(a, n), &one, n)
}
fn sub(a: &Num, b: &Num, n: usize) -> Num {
    add(a, &neg(b, n), n)
}
fn mul(a: &Num, b: &Num, n: usize) -> Num {
    let l = limbs(n);
    let mut out = vec![0u64; l];
    for i in 0..l {
        let mut c = 0u128;
        for j in 0..l - i {
            let t = out[i + j] as u128 + a[i] as u128 * b[j] as u128 + c;
            out[i + j] = t as u64;
            c = t >> 64;
        }
    }
    mask(out, n)
}
fn ult(a: &Num, b: &Num) -> bool {
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}
fn flip_top(a: &Num, n: usize) -> Num {
    let mut v = a.clone();
    let t = !bit(&v, n - 1);
    set(&mut v, n - 1, t);
    v
}
fn slt(a: &Num, b: &Num, n: usize) -> bool {
    ult(&flip_top(a, n), &flip_top(b, n))
}
fn udivmod(a: &Num, b: &Num, n: usize) -> (Num, Num) {
    let mut q = zero(n);
    let mut r = zero(n + 1);
    for i in (0..n).rev() {
        // r = r << 1 | a_i, on n+1 bits
        let mut carry = bit(a, i) as u64;
        for limb in r.iter_mut() {
            let next = *limb >> 63;
            *limb = *limb << 1 | carry;
            carry = next;
        }
        r = mask(r, n + 1);
        let bb = mask(b.clone(), n + 1);
        if !ult(&r, &bb) {
            r = sub(&r, &bb, n + 1);
            set(&mut q, i, true);
        }
    }
    (q, mask(r, n))
}
fn sdivmod(a: &Num, b: &Num, n: usize) -> (Num, Num) {
    if b.iter().all(|&x| x == 0) {
        return (ones(n), a.clone());
    }
    let (sa, sb) = (bit(a, n - 1), bit(b, n - 1));
    let aa = if sa { neg(a, n) } else { a.clone() };
    let ab = if sb { neg(b, n) } else { b.clone() };
    let (q, r) = udivmod(&aa, &ab, n);
    (
        if sa != sb { neg(&q, n) } else { q },
        if sa { neg(&r, n) } else { r },
    )
}
fn shift(a: &Num, k: u64, n: usize, left: bool, fill: bool) -> Num {
    let mut out = zero(n);
    for i in 0..n {
        let src = if left {
            (i as u64).checked_sub(k)
        } else {
            (i as u64).checked_add(k).filter(|&s| s < n as u64)
        };
        let b = match src {
            Some(s) => bit(a, s as usize),
            None => !left && fill,
        };
        set(&mut out, i, b);
    }
    out
}
fn resize(a: &Num, from: usize, to: usize, signed: bool) -> Num {
    let mut out = zero(to);
    for i in 0..to {
        set(
            &mut out,
            i,
            if i < from {
                bit(a, i)
            } else {
                signed && bit(a, from - 1)
            },
        );
    }
    out
}

/// Random values with edge cases mixed in: 0, 1, all ones, MIN, MAX, small.
fn values(rng: &mut Rng, n: usize, count: usize) -> Vec<Num> {
    (0..count)
        .map(|i| {
            let mut v: Num = (0..limbs(n)).map(|_| rng.next()).collect();
            match (i + rng.next() as usize % 3) % 9 {
                0 => v = zero(n),
                1 => v = mask(vec![1], n),
                2 => v = ones(n),
                3 => {
                    v = zero(n);
                    set(&mut v, n - 1, true)
                }
                4 => v = flip_top(&ones(n), n),
                5 => v = mask(vec![rng.next() % 8], n),
                _ => {}
            }
            mask(v, n)
        })
        .collect()
}

/// Evaluates `c` on 64 runs; `inputs[j]` is the concatenated input values of run j.
fn eval64(c: &Circuit, inputs: &[Vec<(Num, usize)>]) -> Vec<Num> {
    let nbits = c.num_inputs() as usize;
    let mut words = vec![0u64; nbits];
    for (j, vals) in inputs.iter().enumerate() {
        let mut at = 0;
        for (v, w) in vals {
            for i in 0..*w {
                if bit(v, i) {
                    words[at + i] |= 1 << j;
                }
            }
            at += w;
        }
        assert_eq!(at, nbits);
    }
    let out = c.eval_sliced(&words).unwrap();
    (0..inputs.len())
        .map(|j| {
            let mut v = zero(out.len().max(1));
            for (i, w) in out.iter().enumerate() {
                set(&mut v, i, w >> j & 1 == 1);
            }
            v
        })
        .collect()
}

fn compile(src: &str) -> Circuit {
    compiler::compile_source(src, "test.mpc").unwrap_or_else(|e| panic!("{e}\n{src}"))
}

fn ty(n: usize, signed: bool) -> String {
    format!("{}{n}", if signed { 'i' } else { 'u' })
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Bin(&'static str),
    Cmp(&'static str),
    Method(&'static str),
}

fn reference(op: Op, a: &Num, b: &Num, n: usize, s: bool) -> Num {
    let bool_num = |x: bool| mask(vec![x as u64], 1);
    match op {
        Op::Bin(o) => match o {
            "+" => add(a, b, n),
            "-" => sub(a, b, n),
            "*" => mul(a, b, n),
            "/" => {
                if s {
                    sdivmod(a, b, n).0
                } else {
                    udivmod(a, b, n).0
                }
            }
            "%" => {
                if s {
                    sdivmod(a, b, n).1
                } else {
                    udivmod(a, b, n).1
                }
            }
            "&" => a.iter().zip(b).map(|(x, y)| x & y).collect(),
            "|" => a.iter().zip(b).map(|(x, y)| x | y).collect(),
            "^" => a.iter().zip(b).map(|(x, y)| x ^ y).collect(),
            _ => unreachable!(),
        },
        Op::Cmp(o) => bool_num(match o {
            "==" => a == b,
            "!=" => a != b,
            "<" => {
                if s {
                    slt(a, b, n)
                } else {
                    ult(a, b)
                }
            }
            ">" => {
                if s {
                    slt(b, a, n)
                } else {
                    ult(b, a)
                }
            }
            "<=" => !if s { slt(b, a, n) } else { ult(b, a) },
            ">=" => !if s { slt(a, b, n) } else { ult(a, b) },
            _ => unreachable!(),
        }),
        Op::Method(m) => {
            let lt = if s { slt(a, b, n) } else { ult(a, b) };
            let max = if lt { b.clone() } else { a.clone() };
            let min = if lt { a.clone() } else { b.clone() };
            if m == "max" {
                max
            } else {
                min
            }
        }
    }
}

const OPS: [Op; 16] = [
    Op::Bin("+"),
    Op::Bin("-"),
    Op::Bin("*"),
    Op::Bin("/"),
    Op::Bin("%"),
    Op::Bin("&"),
    Op::Bin("|"),
    Op::Bin("^"),
    Op::Cmp("=="),
    Op::Cmp("!="),
    Op::Cmp("<"),
    Op::Cmp(">"),
    Op::Cmp("<="),
    Op::Cmp(">="),
    Op::Method("min"),
    Op::Method("max"),
];

#[test]
fn reference_matches_native_arithmetic() {
    let mut rng = Rng(7);
    for &n in &[1usize, 8, 13, 64, 128] {
        let m: u128 = if n == 128 {
            u128::MAX
        } else {
            (1u128 << n) - 1
        };
        let sx = |x: u128| -> i128 {
            if n < 128 && x >> (n - 1) & 1 == 1 {
                (x | !m) as i128
            } else {
                x as i128
            }
        };
        for _ in 0..300 {
            let (x, y) = (
                values(&mut rng, n, 1).remove(0),
                values(&mut rng, n, 1).remove(0),
            );
            let (a, b) = (to_u128(&x), to_u128(&y));
            assert_eq!(to_u128(&add(&x, &y, n)), a.wrapping_add(b) & m);
            assert_eq!(to_u128(&sub(&x, &y, n)), a.wrapping_sub(b) & m);
            assert_eq!(to_u128(&mul(&x, &y, n)), a.wrapping_mul(b) & m);
            assert_eq!(ult(&x, &y), a < b);
            assert_eq!(slt(&x, &y, n), sx(a) < sx(b));
            if let (Some(nq), Some(nr)) = (a.checked_div(b), a.checked_rem(b)) {
                let (q, r) = udivmod(&x, &y, n);
                assert_eq!((to_u128(&q), to_u128(&r)), (nq, nr));
                let (q, r) = sdivmod(&x, &y, n);
                let (sa, sb) = (sx(a), sx(b));
                assert_eq!(
                    to_u128(&q),
                    (sa.wrapping_div(sb) as u128) & m,
                    "{sa} / {sb} on {n} bits"
                );
                assert_eq!(to_u128(&r), (sa.wrapping_rem(sb) as u128) & m);
            }
            let k = y[0] % (n as u64 + 3);
            let expect_shl = if k >= n as u64 { 0 } else { (a << k) & m };
            assert_eq!(to_u128(&shift(&x, k, n, true, false)), expect_shl);
            assert_eq!(to_u128(&from_u128(a, n)), a);
        }
    }
}

#[test]
fn binary_operators_all_widths() {
    let mut rng = Rng(1);
    for &n in &WIDTHS {
        for signed in [false, true] {
            let t = ty(n, signed);
            for op in OPS {
                if n == 512 && matches!(op, Op::Bin("*" | "/" | "%")) && signed {
                    // The unsigned 512-bit versions cover the wide gadgets; keep the suite quick.
                    continue;
                }
                let (body, ret) = match op {
                    Op::Bin(o) => (format!("a {o} b"), t.clone()),
                    Op::Cmp(o) => (format!("a {o} b"), "bool".to_string()),
                    Op::Method(m) => (format!("a.{m}(b)"), t.clone()),
                };
                let src =
                    format!("fn main(garbler a: {t}, evaluator b: {t}) -> {ret} {{ {body} }}");
                let c = compile(&src);
                let xs = values(&mut rng, n, 64);
                let ys = values(&mut rng, n, 64);
                let runs: Vec<Vec<(Num, usize)>> = xs
                    .iter()
                    .zip(&ys)
                    .map(|(x, y)| vec![(x.clone(), n), (y.clone(), n)])
                    .collect();
                let got = eval64(&c, &runs);
                let out_w = if matches!(op, Op::Cmp(_)) { 1 } else { n };
                for j in 0..64 {
                    let want = reference(op, &xs[j], &ys[j], n, signed);
                    assert_eq!(
                        mask(got[j].clone(), out_w),
                        mask(want, out_w),
                        "{src} on {:x?} {:x?}",
                        xs[j],
                        ys[j]
                    );
                }
            }
        }
    }
}

#[test]
fn unary_operators_and_casts() {
    let mut rng = Rng(2);
    for &n in &WIDTHS {
        for signed in [false, true] {
            let t = ty(n, signed);
            for (body, f) in [("-a", 0), ("!a", 1)] {
                let c = compile(&format!("fn main(garbler a: {t}) -> {t} {{ {body} }}"));
                let xs = values(&mut rng, n, 64);
                let got = eval64(
                    &c,
                    &xs.iter().map(|x| vec![(x.clone(), n)]).collect::<Vec<_>>(),
                );
                for j in 0..64 {
                    let want = if f == 0 {
                        neg(&xs[j], n)
                    } else {
                        not(&xs[j], n)
                    };
                    assert_eq!(mask(got[j].clone(), n), want, "{body} on {t}");
                }
            }
            for &m in &WIDTHS {
                for to_signed in [false, true] {
                    let u = ty(m, to_signed);
                    let c = compile(&format!("fn main(garbler a: {t}) -> {u} {{ a as {u} }}"));
                    let xs = values(&mut rng, n, 64);
                    let got = eval64(
                        &c,
                        &xs.iter().map(|x| vec![(x.clone(), n)]).collect::<Vec<_>>(),
                    );
                    for j in 0..64 {
                        assert_eq!(
                            mask(got[j].clone(), m),
                            resize(&xs[j], n, m, signed),
                            "{t} as {u}"
                        );
                    }
                }
            }
        }
    }
    // bool casts
    let c = compile("fn main(garbler a: bool) -> (u8, i8, bool) { (a as u8, a as i8, a as bool) }");
    let got = eval64(&c, &[vec![(vec![1], 1)], vec![(vec![0], 1)]]);
    assert_eq!(got[0][0], 1 | 1 << 8 | 1 << 16);
    assert_eq!(got[1][0], 0);
}

#[test]
fn shifts_secret_and_public_amounts() {
    let mut rng = Rng(3);
    for &n in &WIDTHS {
        for signed in [false, true] {
            let t = ty(n, signed);
            for (op, left) in [("<<", true), (">>", false)] {
                // Secret amount: a u16 covers amounts well past the width.
                let c = compile(&format!(
                    "fn main(garbler a: {t}, evaluator k: u16) -> {t} {{ a {op} k }}"
                ));
                let xs = values(&mut rng, n, 64);
                let ks: Vec<u64> = (0..64)
                    .map(|j| match j % 4 {
                        0 => rng.next() % (n as u64 + 1),
                        1 => n as u64 - 1,
                        2 => n as u64 + rng.next() % 1000,
                        _ => rng.next() % 65536,
                    })
                    .collect();
                let runs: Vec<_> = xs
                    .iter()
                    .zip(&ks)
                    .map(|(x, &k)| vec![(x.clone(), n), (vec![k], 16)])
                    .collect();
                let got = eval64(&c, &runs);
                for j in 0..64 {
                    let fill = signed && bit(&xs[j], n - 1);
                    assert_eq!(
                        mask(got[j].clone(), n),
                        shift(&xs[j], ks[j], n, left, fill),
                        "{t} {op} {}",
                        ks[j]
                    );
                }
                // Public amounts, including the width and beyond: no gates.
                for k in [0, 1, n as u64 - 1, n as u64, n as u64 + 5] {
                    let c = compile(&format!("fn main(garbler a: {t}) -> {t} {{ a {op} {k} }}"));
                    assert_eq!(c.and_count(), 0);
                    let got = eval64(
                        &c,
                        &xs.iter().map(|x| vec![(x.clone(), n)]).collect::<Vec<_>>(),
                    );
                    for j in 0..64 {
                        let fill = signed && bit(&xs[j], n - 1);
                        assert_eq!(mask(got[j].clone(), n), shift(&xs[j], k, n, left, fill));
                    }
                }
            }
        }
    }
}

#[test]
fn division_edge_cases_signed() {
    // MIN / -1 = MIN, MIN % -1 = 0, x / 0 = all ones (-1), x % 0 = x.
    let c = compile("fn main(garbler a: i8, evaluator b: i8) -> (i8, i8) { (a / b, a % b) }");
    let run = |a: &str, b: &str| {
        let bits = circuits::value::parse_inputs(&c, None, &[a.into(), b.into()]).unwrap();
        circuits::value::format_outputs(&c, &c.eval_bits(&bits).unwrap()).remove(0)
    };
    assert_eq!(run("-128", "-1"), "(-128, 0)");
    assert_eq!(run("-7", "0"), "(-1, -7)");
    assert_eq!(run("7", "0"), "(-1, 7)");
    assert_eq!(run("-7", "2"), "(-3, -1)");
    assert_eq!(run("7", "-2"), "(-3, 1)");
    let c = compile("fn main(garbler a: u8, evaluator b: u8) -> (u8, u8) { (a / b, a % b) }");
    let bits = circuits::value::parse_inputs(&c, None, &["200".into(), "0".into()]).unwrap();
    assert_eq!(
        circuits::value::format_outputs(&c, &c.eval_bits(&bits).unwrap()),
        vec!["(255, 200)"]
    );
}

#[test]
fn logic_on_bools() {
    let c = compile(
        "fn main(garbler a: bool, evaluator b: bool) -> [bool; 8] { [a && b, a || b, a ^ b, a & b, a | b, !a, a == b, a != b] }",
    );
    let runs: Vec<_> = (0..4u64)
        .map(|j| vec![(vec![j & 1], 1), (vec![j >> 1], 1)])
        .collect();
    let got = eval64(&c, &runs);
    for j in 0..4u64 {
        let (a, b) = (j & 1 == 1, j >> 1 == 1);
        let want = [a && b, a || b, a ^ b, a & b, a | b, !a, a == b, a != b];
        let w: u64 = want.iter().enumerate().map(|(i, &x)| (x as u64) << i).sum();
        assert_eq!(got[j as usize][0], w);
    }
}
