//! Bit-level arithmetic on [`Builder`] wires: the gadgets every operator of the
//! language lowers to. Integers are slices of wires, least significant bit
//! first. The AND cost of each gadget (n = width) is written next to it and
//! pinned by the tests in `tests/costs.rs`; XOR and NOT are free (free-XOR,
//! Kolesnikov-Schneider 2008). Constants fold in the builder, so a gadget fed
//! public bits costs nothing and one fed a public constant costs less.

use circuits::{Builder, WireId};

const F: WireId = Builder::FALSE;
const T: WireId = Builder::TRUE;

/// The carry out of `a + b + c` with one AND: `c ^ ((a ^ c) & (b ^ c))`
/// (the majority function; Boyar-Peralta style 1-AND full adder).
fn carry(b: &mut Builder, x: WireId, y: WireId, c: WireId) -> WireId {
    let xc = b.xor(x, c);
    let yc = b.xor(y, c);
    let t = b.and(xc, yc);
    b.xor(c, t)
}

/// `x + y + cin` modulo 2^n. n-1 ANDs (the last carry is never computed).
pub fn add(b: &mut Builder, x: &[WireId], y: &[WireId], cin: WireId) -> Vec<WireId> {
    let n = x.len();
    let mut out = Vec::with_capacity(n);
    let mut c = cin;
    for i in 0..n {
        let s = b.xor(x[i], y[i]);
        out.push(b.xor(s, c));
        if i + 1 < n {
            c = carry(b, x[i], y[i], c);
        }
    }
    out
}

/// `x - y` modulo 2^n = `x + !y + 1`. n-1 ANDs.
pub fn sub(b: &mut Builder, x: &[WireId], y: &[WireId]) -> Vec<WireId> {
    let ny: Vec<WireId> = y.iter().map(|&w| b.not(w)).collect();
    add(b, x, &ny, T)
}

/// `-x` modulo 2^n. n-1 ANDs (an incrementer of `!x`).
pub fn neg(b: &mut Builder, x: &[WireId]) -> Vec<WireId> {
    let zero = vec![F; x.len()];
    sub(b, &zero, x)
}

/// `x >= y` unsigned: the carry out of `x + !y + 1`. n ANDs; against a
/// public constant the first carry folds, so at most n-1.
pub fn ge_unsigned(b: &mut Builder, x: &[WireId], y: &[WireId]) -> WireId {
    let mut c = T;
    for i in 0..x.len() {
        let ny = b.not(y[i]);
        c = carry(b, x[i], ny, c);
    }
    c
}

/// `x < y`, signed or unsigned. n ANDs (signed: flip the sign bits, then unsigned).
pub fn lt(b: &mut Builder, x: &[WireId], y: &[WireId], signed: bool) -> WireId {
    let ge = if signed {
        let (xf, yf) = flip_sign(b, x, y);
        ge_unsigned(b, &xf, &yf)
    } else {
        ge_unsigned(b, x, y)
    };
    b.not(ge)
}

fn flip_sign(b: &mut Builder, x: &[WireId], y: &[WireId]) -> (Vec<WireId>, Vec<WireId>) {
    let mut xf = x.to_vec();
    let mut yf = y.to_vec();
    if let (Some(xs), Some(ys)) = (xf.last_mut(), yf.last_mut()) {
        *xs = b.not(*xs);
        *ys = b.not(*ys);
    }
    (xf, yf)
}

/// `x == y` for bit strings of equal length: XNOR each bit, then an AND tree. n-1 ANDs.
pub fn eq(b: &mut Builder, x: &[WireId], y: &[WireId]) -> WireId {
    let bits: Vec<WireId> = x
        .iter()
        .zip(y)
        .map(|(&p, &q)| {
            let d = b.xor(p, q);
            b.not(d)
        })
        .collect();
    and_all(b, &bits)
}

/// AND of all bits, as a balanced tree (n-1 ANDs, depth log n).
pub fn and_all(b: &mut Builder, bits: &[WireId]) -> WireId {
    let mut layer: Vec<WireId> = bits.to_vec();
    if layer.is_empty() {
        return T;
    }
    while layer.len() > 1 {
        let mut next = Vec::with_capacity(layer.len().div_ceil(2));
        for pair in layer.chunks(2) {
            next.push(if pair.len() == 2 {
                b.and(pair[0], pair[1])
            } else {
                pair[0]
            });
        }
        layer = next;
    }
    layer[0]
}

/// OR of all bits (n-1 ANDs).
pub fn or_all(b: &mut Builder, bits: &[WireId]) -> WireId {
    let inv: Vec<WireId> = bits.iter().map(|&w| b.not(w)).collect();
    let all = and_all(b, &inv);
    b.not(all)
}

/// `if s { t } else { f }` bit by bit. n ANDs; bits equal in both are free.
pub fn mux(b: &mut Builder, s: WireId, t: &[WireId], f: &[WireId]) -> Vec<WireId> {
    t.iter().zip(f).map(|(&x, &y)| b.mux(s, x, y)).collect()
}

/// `x * y` modulo 2^n, schoolbook with truncated rows: n(n+1)/2 partial
/// products plus adders of n-1, n-2, ... bits: n^2-n+1 ANDs at most. Rows of a
/// public multiplier that are zero fold away, and partial products of
/// public bits cost nothing.
pub fn mul(b: &mut Builder, x: &[WireId], y: &[WireId]) -> Vec<WireId> {
    let n = x.len();
    // Put the operand with more public bits in `y` (its rows fold).
    let public = |v: &[WireId]| {
        v.iter()
            .filter(|&&w| Builder::const_value(w).is_some())
            .count()
    };
    let (x, y) = if public(x) > public(y) {
        (y, x)
    } else {
        (x, y)
    };
    let mut acc: Vec<WireId> = x.iter().map(|&xi| b.and(xi, y[0])).collect();
    for j in 1..n {
        if y[j] == F {
            continue;
        }
        let row: Vec<WireId> = (0..n - j).map(|i| b.and(x[i], y[j])).collect();
        let high = add(b, &acc[j..], &row, F);
        acc.splice(j.., high);
    }
    acc
}

/// The nonzero digits of `c` (bits, least significant first) in
/// non-adjacent form, as (position, negative) pairs, modulo 2^n (digits at
/// or above `c.len()` are dropped): `255` is `2^8 - 2^0`, all ones is `-1`.
pub fn naf_digits(c: &[bool]) -> Vec<(usize, bool)> {
    let n = c.len();
    let mut digits = Vec::new();
    let mut carry = 0u8;
    for i in 0..n {
        let cur = u8::from(c[i]) + carry;
        match cur {
            1 => {
                let next = c.get(i + 1).copied().unwrap_or(false);
                if next {
                    digits.push((i, true));
                    carry = 1;
                } else {
                    digits.push((i, false));
                    carry = 0;
                }
            }
            2 => carry = 1,
            _ => carry = 0,
        }
    }
    digits
}

/// `x * c` modulo 2^n for a public constant `c` (its bits): the sum of
/// `±(x << i)` over the signed digits of `c` (non-adjacent form). The first
/// positive digit is free; every other digit at position i costs an adder
/// of n-i bits (n-i-1 ANDs), so at most (d-1)(n-1) ANDs with a positive
/// digit and d(n-1) without, d the number of digits: `x * 255` and `x * -1`
/// are one subtraction.
pub fn mul_const(b: &mut Builder, x: &[WireId], c: &[bool]) -> Vec<WireId> {
    let n = x.len();
    let digits = naf_digits(c);
    let start = digits.iter().position(|&(_, neg)| !neg);
    let mut acc = match start {
        Some(k) => shl_const(x, digits[k].0 as u64),
        None => vec![F; n],
    };
    for (k, &(i, negative)) in digits.iter().enumerate() {
        if Some(k) == start {
            continue;
        }
        // Bits below i of `x << i` are zero: only acc[i..] changes.
        let high = if negative {
            sub(b, &acc[i..], &x[..n - i])
        } else {
            add(b, &acc[i..], &x[..n - i], F)
        };
        acc.splice(i.., high);
    }
    acc
}

/// Unsigned `x / y` and `x % y` by restoring division (quotient all ones and
/// remainder `x` when `y` is 0, as the contract wants). Step k compares only
/// the k+1 low bits of the partial remainder, guarded by "the divisor's higher
/// bits are all zero" (shared prefix ORs), so about n^2 + 2n ANDs for `/` and
/// `%` together instead of 2n^2.
pub fn divmod_unsigned(b: &mut Builder, x: &[WireId], y: &[WireId]) -> (Vec<WireId>, Vec<WireId>) {
    let n = x.len();
    // hi_zero[k] = y[k+1..] all zero.
    let mut hi_zero = vec![T; n];
    let mut acc = T;
    for k in (0..n).rev() {
        hi_zero[k] = acc;
        let nz = b.not(y[k]);
        acc = b.and(acc, nz);
    }
    let mut q = vec![F; n];
    let mut r: Vec<WireId> = Vec::with_capacity(n);
    for k in 0..n {
        // Bring down bit n-1-k: r = (r << 1) | x[n-1-k], now k+1 bits.
        r.insert(0, x[n - 1 - k]);
        let d = &y[..k + 1];
        let nd: Vec<WireId> = d.iter().map(|&w| b.not(w)).collect();
        let mut c = T;
        let mut diff = Vec::with_capacity(k + 1);
        for i in 0..=k {
            let s = b.xor(r[i], nd[i]);
            diff.push(b.xor(s, c));
            c = carry(b, r[i], nd[i], c);
        }
        let qk = b.and(c, hi_zero[k]);
        q[n - 1 - k] = qk;
        r = mux(b, qk, &diff, &r);
    }
    (q, r)
}

/// Signed division truncating toward zero; `/ 0` is all ones, `% 0` the
/// dividend, `MIN / -1` is `MIN`.
pub fn divmod_signed(b: &mut Builder, x: &[WireId], y: &[WireId]) -> (Vec<WireId>, Vec<WireId>) {
    let n = x.len();
    let sx = x[n - 1];
    let sy = y[n - 1];
    let nx = neg(b, x);
    let ny = neg(b, y);
    let ax = mux(b, sx, &nx, x);
    let ay = mux(b, sy, &ny, y);
    let (q, r) = divmod_unsigned(b, &ax, &ay);
    let sq = b.xor(sx, sy);
    let nq = neg(b, &q);
    let q = mux(b, sq, &nq, &q);
    let nr = neg(b, &r);
    let r = mux(b, sx, &nr, &r);
    // y == 0: the unsigned quotient is all ones; keep it all ones whatever x's sign.
    let yz = {
        let nz: Vec<WireId> = y.iter().map(|&w| b.not(w)).collect();
        and_all(b, &nz)
    };
    let ones = vec![T; n];
    let q = mux(b, yz, &ones, &q);
    (q, r)
}

/// `x << k` for a public k.
pub fn shl_const(x: &[WireId], k: u64) -> Vec<WireId> {
    let n = x.len();
    (0..n)
        .map(|i| if (i as u64) < k { F } else { x[i - k as usize] })
        .collect()
}

/// `x >> k` for a public k, filling with `fill` (0, or the sign bit).
pub fn shr_const(x: &[WireId], k: u64, fill: WireId) -> Vec<WireId> {
    let n = x.len();
    (0..n)
        .map(|i| {
            if (i as u64) + k < n as u64 {
                x[i + k as usize]
            } else {
                fill
            }
        })
        .collect()
}

/// Barrel shifter by a secret amount `s` (unsigned, any width): one stage of
/// n muxes per amount bit below log2(n), then one stage that shifts
/// everything out if any higher bit is set.
pub fn shift(b: &mut Builder, x: &[WireId], s: &[WireId], left: bool, fill: WireId) -> Vec<WireId> {
    let n = x.len();
    let mut v = x.to_vec();
    let mut stage = 0usize;
    while stage < s.len() && (1u64 << stage.min(63)) < n as u64 && stage < 63 {
        let k = 1u64 << stage;
        let shifted = if left {
            shl_const(&v, k)
        } else {
            shr_const(&v, k, fill)
        };
        v = mux(b, s[stage], &shifted, &v);
        stage += 1;
    }
    if stage < s.len() {
        let big = or_all(b, &s[stage..]);
        let out = vec![if left { F } else { fill }; n];
        v = mux(b, big, &out, &v);
    }
    v
}

/// `x` resized to `width` bits: truncate, or extend with zeros or the sign bit.
pub fn resize(x: &[WireId], width: usize, signed: bool) -> Vec<WireId> {
    let fill = if signed { *x.last().unwrap_or(&F) } else { F };
    (0..width)
        .map(|i| x.get(i).copied().unwrap_or(fill))
        .collect()
}

/// Reads element `idx` (a secret unsigned index) of `elems`, each `w` bits,
/// through a multiplexer tree: (len-1) * w ANDs, plus w when the index type
/// can name elements past the end (those read zero).
pub fn read_index(b: &mut Builder, elems: &[WireId], w: usize, idx: &[WireId]) -> Vec<WireId> {
    let Some(len) = elems.len().checked_div(w) else {
        return Vec::new();
    };
    let mut layer: Vec<Vec<WireId>> = (0..len)
        .map(|i| elems[i * w..(i + 1) * w].to_vec())
        .collect();
    let zero = vec![F; w];
    let mut k = 0;
    while layer.len() > 1 && k < idx.len() {
        let mut next = Vec::with_capacity(layer.len().div_ceil(2));
        for pair in layer.chunks(2) {
            let hi = pair.get(1).unwrap_or(&zero);
            next.push(mux(b, idx[k], hi, &pair[0]));
        }
        layer = next;
        k += 1;
    }
    // When the index has fewer bits than the tree has levels, the index
    // cannot name the elements past 2^bits: the unused higher levels select
    // their first (lowest) entry, which is `layer[0]`.
    let mut v = layer.into_iter().next().unwrap_or(zero);
    // Index bits not used by the tree must be zero, or the read is out of range.
    if k < idx.len() {
        let any = or_all(b, &idx[k..]);
        let ok = b.not(any);
        v = v.iter().map(|&x| b.and(x, ok)).collect();
    }
    v
}

/// The decoder for a secret-index write: `sel[i]` is `idx == i` for every
/// `i < len`. Built bit by bit from the low end, so entries share their
/// prefixes: about 2 * len ANDs, plus a guard that the unused high bits are 0.
pub fn decode(b: &mut Builder, idx: &[WireId], len: usize) -> Vec<WireId> {
    let mut sel = vec![T];
    let mut k = 0;
    while sel.len() < len && k < idx.len() {
        let bit = idx[k];
        let nbit = b.not(bit);
        let half = sel.len();
        let size = (half * 2).min(len);
        let mut next = Vec::with_capacity(size);
        for j in 0..size {
            let s = if j < half { nbit } else { bit };
            next.push(b.and(sel[j % half], s));
        }
        sel = next;
        k += 1;
    }
    sel.truncate(len);
    if k < idx.len() {
        let any = or_all(b, &idx[k..]);
        let ok = b.not(any);
        sel = sel.iter().map(|&s| b.and(s, ok)).collect();
    }
    sel
}
