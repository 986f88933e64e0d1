//! Three-halves garbling: 1.5 x 128 bits plus 5 control bits per AND gate,
//! with free XOR.
//!
//! The construction is that of Rosulek and Roy, "Three Halves Make a Whole?
//! Beating the Half-Gates Lower Bound for Garbled Circuits" (CRYPTO 2021,
//! ePrint 2021/749, sec. 5): wire labels are sliced into a left and a right
//! half of 64 bits, the output label is a linear function of the halves of
//! the input labels (the "dicing" matrix `R`), and the part of `R` that
//! would tell the evaluator the permute bits is randomized by two secret bits
//! per gate, which the evaluator learns for its own case only through five
//! garbled control bits.
//!
//! # Notation
//!
//! `Delta` has its lowest bit set, so the lowest bit of a label is its
//! colour. For an AND gate with input 0-labels `A0`, `B0` (colours
//! `alpha = lsb(A0)`, `beta = lsb(B0)`), write `A = A0 ^ alpha*Delta` and
//! `B = B0 ^ beta*Delta` for the input labels of colour 0. The evaluator
//! holds `X = A ^ i*Delta` and `Y = B ^ j*Delta`; it sees the colours
//! `(i, j)`, which say nothing of the values `a = i ^ alpha`, `b = j ^ beta`.
//!
//! # Hash calls: three tweaks per gate
//!
//! `H(x, t)` is the session's TCCR hash ([`crate::HalfGateHash`],
//! GKWY20 sec. 7.4); `h(x, t)` is its low 64 bits and `c(x, t)` its top bit.
//! The `k`-th AND gate of the session takes tweaks `tX = 3k`, `tY = 3k + 1`,
//! `tZ = 3k + 2` ([`TWEAKS_PER_GATE`] = 3, counted across the session like the
//! two of half-gates). The evaluator computes `H(X, tX)`, `H(Y, tY)`,
//! `H(X ^ Y, tZ)`: three hashes (six AES) per gate; the garbler computes the
//! same three at both labels of each position: six hashes (twelve AES).
//! Each position has its own tweak, so no hash input ever repeats under a
//! tweak of the session.
//!
//! # Garbled gate
//!
//! With `hX_i = h(A ^ i*Delta, tX)`, `hY_j = h(B ^ j*Delta, tY)`,
//! `hZ_k = h(A ^ B ^ k*Delta, tZ)` (and `cX_i`, `cY_j`, `cZ_k` the control
//! bits of the same hashes), the garbler sends three half ciphertexts and
//! five control bits:
//!
//! ```text
//! G0 = hX_0 ^ hX_1 ^ g0.v      z0 = r1 ^ cX_0 ^ cZ_0     z2 = u0 ^ cX_0 ^ cX_1
//! G1 = hY_0 ^ hY_1 ^ g1.v      z1 = r2 ^ cY_0 ^ cZ_0     z3 = u1 ^ cY_0 ^ cY_1
//! G2 = hZ_0 ^ hZ_1 ^ g2.v                                z4 = u2 ^ cZ_0 ^ cZ_1
//! ```
//!
//! where `v = (A_L, A_R, B_L, B_R, Delta_L, Delta_R)`, `g0..g2` are rows of
//! coefficients, `(r1, r2)` two fresh random bits of the gate and
//! `u = (!alpha, !beta, alpha ^ beta)`. The output 0-label is
//! `C0 = (hX_0 ^ hZ_0 ^ c0.v, hY_0 ^ hZ_0 ^ c1.v)`.
//!
//! The evaluator, in case `(i, j)`, recovers its two random bits
//! `r' = (z0 ^ i*z2 ^ (i^j)*z4 ^ cX ^ cZ, z1 ^ j*z3 ^ (i^j)*z4 ^ cY ^ cZ)`
//! (equal to `r ^ V_ij u`, uniform whatever the colours), forms the dicing
//! matrix `R = Rp_ij ^ r'_1 S1 ^ r'_2 S2` (2 x 4 bits, [`S1`], [`S2`],
//! [`RP`]) and computes
//!
//! ```text
//! C_L = hX ^ hZ ^ i*G0 ^ (i^j)*G2 ^ R[0].(X_L, X_R, Y_L, Y_R)
//! C_R = hY ^ hZ ^ j*G1 ^ (i^j)*G2 ^ R[1].(X_L, X_R, Y_L, Y_R)
//! ```
//!
//! which is `C0 ^ (a & b)*Delta`. The selector `V_ij` (rows `(i, 0, i^j)`
//! and `(0, j, i^j)`) makes the hashes of every case collapse to those of
//! case `(0, 0)`; what is left is linear in `v`, and the coefficient rows
//! `g0, g1, g2, c0, c1` ([`garbler_rows`]) solve it for all four cases at
//! once given `(alpha, beta, r)`. `S1` and `S2` are forced by that linear
//! system once `u` is chosen as in the paper; `RP` is one of its solutions
//! (we take `Rp_00 = 0`). The exhaustive test of this module checks every
//! `(alpha, beta, r, i, j)`.
//!
//! # Wire format
//!
//! Gates travel in groups of 8 ([`GROUP_BYTES`] = 197 bytes): the
//! ciphertexts `G0, G1, G2` of each gate (8 little-endian bytes each, gate
//! after gate), then the group's 40 control bits in 5 bytes, `z0..z4` of
//! its gate `g` at bits `5g..5g+4` (least significant bit first). The last
//! group of a run may hold fewer gates, its control bits rounded up to
//! whole bytes with the padding bits zero: [`wire_bytes`]. Streams may be
//! cut between groups, so chunks of whole groups can be concatenated or
//! split at group boundaries. The garbler produces, and the
//! evaluator consumes, fixed records of [`RECORD_BYTES`] per gate
//! (`G0, G1, G2`, then the five control bits in one byte); [`pack`] and
//! [`unpack`] convert between the two.

use crate::{AndOp, Block, CryptoError, HalfGateHash, MAX_BATCH};
use zeroize::Zeroize;

/// Hash tweaks one AND gate takes: `X`, `Y` and `X ^ Y`.
pub const TWEAKS_PER_GATE: u64 = 3;

/// Bytes of one gate's record in memory: `G0, G1, G2` (8 bytes each) and a
/// byte holding the control bits `z0..z4` in its low five bits.
pub const RECORD_BYTES: usize = 25;

/// Control bits per AND gate on the wire.
pub const CONTROL_BITS: usize = 5;

/// Gates per group on the wire.
pub const GROUP_GATES: usize = 8;

/// Bytes of a whole group of [`GROUP_GATES`] gates on the wire: 8 x 24
/// bytes of ciphertexts and 5 bytes of control bits.
pub const GROUP_BYTES: usize = 197;

/// Bytes on the wire of a group of `k <= 8` gates.
const fn group_bytes(k: usize) -> usize {
    24 * k + (CONTROL_BITS * k).div_ceil(8)
}

/// Bytes on the wire of a run of `n` garbled AND gates: whole groups of 8,
/// then the last, partial group.
pub const fn wire_bytes(n: usize) -> usize {
    GROUP_BYTES * (n / GROUP_GATES) + group_bytes(n % GROUP_GATES)
}

/// The number of gates a run of `len` wire bytes holds, if `len` is the
/// length of a whole number of gates ([`wire_bytes`] is strictly
/// increasing, so there is at most one).
pub fn gates_in(len: usize) -> Option<usize> {
    let (q, rem) = (len / GROUP_BYTES, len % GROUP_BYTES);
    (0..GROUP_GATES)
        .find(|&k| group_bytes(k) == rem)
        .map(|k| GROUP_GATES * q + k)
}

/// Packs `records` (a whole number of [`RECORD_BYTES`] records) into their
/// wire form, appended to `out`.
pub fn pack(records: &[u8], out: &mut Vec<u8>) {
    out.reserve(wire_bytes(records.len() / RECORD_BYTES));
    for group in records.chunks(GROUP_GATES * RECORD_BYTES) {
        for rec in group.chunks_exact(RECORD_BYTES) {
            out.extend_from_slice(&rec[..24]);
        }
        let mut bits = 0u64;
        for (g, rec) in group.chunks_exact(RECORD_BYTES).enumerate() {
            bits |= u64::from(rec[24] & 0x1f) << (CONTROL_BITS * g);
        }
        let k = group.len() / RECORD_BYTES;
        out.extend_from_slice(&bits.to_le_bytes()[..(CONTROL_BITS * k).div_ceil(8)]);
    }
}

/// Unpacks the wire form of `n` gates (exactly [`wire_bytes`]`(n)` bytes)
/// into records, replacing the contents of `out`. Fails if a padding bit
/// of the last, partial group's control bits is set.
pub fn unpack(wire: &[u8], n: usize, out: &mut Vec<u8>) -> Result<(), CryptoError> {
    debug_assert_eq!(wire.len(), wire_bytes(n));
    out.clear();
    out.reserve(n * RECORD_BYTES);
    let mut left = n;
    for group in wire.chunks(GROUP_BYTES) {
        let k = left.min(GROUP_GATES);
        left -= k;
        let (halves, control) = group.split_at(24 * k);
        let mut bytes = [0u8; 8];
        bytes[..control.len()].copy_from_slice(control);
        let bits = u64::from_le_bytes(bytes);
        if bits >> (CONTROL_BITS * k) != 0 {
            return Err(CryptoError::ControlPadding);
        }
        for (g, h) in halves.chunks_exact(24).enumerate() {
            out.extend_from_slice(h);
            out.push((bits >> (CONTROL_BITS * g)) as u8 & 0x1f);
        }
    }
    Ok(())
}

/// A 2 x 4 matrix over GF(2): bit `4*row + col`. Rows are the left and
/// right output halves, columns `X_L, X_R, Y_L, Y_R`.
type Mat = u8;

/// The dicing matrix that the evaluator's first random bit adds (RR21's
/// `S1` for `u = (!alpha, !beta, alpha ^ beta)`).
pub const S1: u8 = 0b1001_0111;
/// The dicing matrix that the evaluator's second random bit adds.
pub const S2: u8 = 0b1110_1001;
/// The public part of the dicing matrix in case `(i, j)`, at `2i + j`.
pub const RP: [u8; 4] = [0b0000_0000, 0b0001_1100, 0b1100_0100, 0b1101_1000];

const fn row0(m: Mat) -> u8 {
    m & 0xf
}

const fn row1(m: Mat) -> u8 {
    m >> 4
}

/// The columns of a row that multiply `X`, as the coefficients of
/// `(Delta_L, Delta_R)` they give when `X` carries Delta.
const fn p(row: u8) -> u8 {
    row & 0b11
}

/// The columns of a row that multiply `Y`, likewise.
const fn q(row: u8) -> u8 {
    (row >> 2) & 0b11
}

const fn bit(x: u8, k: u32) -> u8 {
    (x >> k) & 1
}

/// The dicing matrix of case `(i, j)` with random bits `(r1, r2)`.
const fn dicing(i: u8, j: u8, r1: u8, r2: u8) -> Mat {
    RP[(2 * i + j) as usize] ^ (S1 * r1) ^ (S2 * r2)
}

/// The garbler's coefficient rows for colours `(alpha, beta)` and random
/// bits `(r1, r2)`: `[c0, c1, g0, g1, g2]`, each six bits over
/// `(A_L, A_R, B_L, B_R, Delta_L, Delta_R)` (bit 0 first). Derived from the
/// evaluator's equations case by case (see the module docs):
///
/// - case `(0, 0)` fixes `C0`: `c = R_00 . (A, B) ^ (alpha & beta) Delta`;
/// - cases `(1, 1)` and `(1, 0)` fix the `(A, B)` part of `g`:
///   `g0 = (R_11 ^ R_00)[0]`, `g1 = (R_11 ^ R_00)[1]`, `g2 = (R_10 ^ R_00)[1]`;
/// - the `Delta` part of `g` comes from the columns of `R` that multiply
///   `Delta` in each case and the change `e_ij = t_00 ^ t_ij` of the output
///   value `t_ij = (i ^ alpha)(j ^ beta)` between cases.
pub const fn garbler_rows(alpha: u8, beta: u8, r1: u8, r2: u8) -> [u8; 5] {
    let u0 = 1 ^ alpha;
    let u1 = 1 ^ beta;
    let u2 = alpha ^ beta;
    // The evaluator's random bits in each case: r ^ V_ij u.
    let r00 = dicing(0, 0, r1, r2);
    let r10 = dicing(1, 0, r1 ^ u0 ^ u2, r2 ^ u2);
    let r11 = dicing(1, 1, r1 ^ u0, r2 ^ u1);
    let t00 = alpha & beta;
    let t10 = (1 ^ alpha) & beta;
    let t11 = (1 ^ alpha) & (1 ^ beta);
    let (e10, e11) = (t00 ^ t10, t00 ^ t11);
    let c0 = row0(r00) | (t00 << 4);
    let c1 = row1(r00) | (t00 << 5);
    let d11 = r11 ^ r00;
    let d10 = r10 ^ r00;
    let g0 = row0(d11) | ((p(row0(r11)) ^ q(row0(r11)) ^ e11) << 4);
    let g1 = row1(d11) | ((p(row1(r11)) ^ q(row1(r11)) ^ (e11 << 1)) << 4);
    let g2 = row1(d10) | ((p(row1(r10)) ^ (e10 << 1)) << 4);
    [c0, c1, g0, g1, g2]
}

/// [`garbler_rows`] for every `(alpha, beta, r1, r2)`, at
/// `8 alpha + 4 beta + 2 r1 + r2`.
const GARBLER_ROWS: [[u8; 5]; 16] = {
    let mut t = [[0u8; 5]; 16];
    let mut k = 0;
    while k < 16 {
        let k8 = k as u8;
        t[k] = garbler_rows(bit(k8, 3), bit(k8, 2), bit(k8, 1), bit(k8, 0));
        k += 1;
    }
    t
};

/// Every dicing matrix, at `8 i + 4 j + 2 r1 + r2`.
const DICING: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut k = 0;
    while k < 16 {
        let k8 = k as u8;
        t[k] = dicing(bit(k8, 3), bit(k8, 2), bit(k8, 1), bit(k8, 0));
        k += 1;
    }
    t
};

thread_local! {
    /// The hash inputs and outputs of one window, per thread: allocated once
    /// rather than zeroed on the stack for every call (many calls hash a
    /// few gates only); the part a call uses is wiped before it returns.
    static SCRATCH: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[inline(always)]
fn mask(x: u8, k: u32) -> u64 {
    0u64.wrapping_sub(u64::from((x >> k) & 1))
}

/// The inner product of a coefficient row (bit `k` for `v[k]`) with `v`.
#[inline(always)]
fn combine<const N: usize>(row: u8, v: &[u64; N]) -> u64 {
    let mut acc = 0;
    for (k, &x) in v.iter().enumerate() {
        acc ^= mask(row, k as u32) & x;
    }
    acc
}

#[inline(always)]
fn halves(b: Block) -> (u64, u64) {
    (b.0 as u64, (b.0 >> 64) as u64)
}

#[inline(always)]
fn top(b: Block) -> u8 {
    (b.0 >> 127) as u8
}

impl HalfGateHash {
    /// Garbles independent AND gates with the three-halves scheme (see
    /// [`crate::threehalves`]): reads the 0-labels of each gate's input
    /// slots in `labels`, writes its output 0-label to its output slot and
    /// its [`RECORD_BYTES`]-byte record to `records`. Gate `g` takes tweaks
    /// `first_tweak + 3g .. first_tweak + 3g + 3`; `random` supplies the two
    /// secret random bits of each gate (bits `2(g % 64)` and `2(g % 64) + 1`
    /// of block `g / 64`, so at least `ceil(n / 64)` blocks). The six hashes of a window of gates are one
    /// batched call. No gate may read a slot another gate of `ands` writes.
    ///
    /// # Panics
    /// If `records` or `random` is too short or a slot is out of `labels`.
    pub fn garble_ands_three_halves(
        &self,
        labels: &mut [Block],
        ands: &[AndOp],
        delta: Block,
        first_tweak: u64,
        random: &[Block],
        records: &mut [u8],
    ) {
        assert!(records.len() >= ands.len() * RECORD_BYTES);
        assert!(random.len() * 64 >= ands.len());
        let (dl, dr) = halves(delta);
        let dd = [0, dl, dr, dl ^ dr];
        SCRATCH.with_borrow_mut(|h| {
            h.resize(6 * MAX_BATCH, Block::ZERO);
            for (w, (ands, records)) in ands
                .chunks(MAX_BATCH)
                .zip(records.chunks_mut(MAX_BATCH * RECORD_BYTES))
                .enumerate()
            {
                let tweak = first_tweak.wrapping_add(TWEAKS_PER_GATE * (w * MAX_BATCH) as u64);
                let h = &mut h[..6 * ands.len()];
                for (g, op) in h.chunks_exact_mut(6).zip(ands) {
                    let (a0, b0) = op.inputs(labels);
                    let a = a0 ^ delta.select(a0.lsb());
                    let b = b0 ^ delta.select(b0.lsb());
                    g.copy_from_slice(&[a, a ^ delta, b, b ^ delta, a ^ b, a ^ b ^ delta]);
                }
                self.pi.tccr_seq(h, tweak, 2);
                for (k, ((hs, op), rec)) in h
                    .chunks_exact(6)
                    .zip(ands)
                    .zip(records.chunks_exact_mut(RECORD_BYTES))
                    .enumerate()
                {
                    let gate = w * MAX_BATCH + k;
                    let (a0, b0) = op.inputs(labels);
                    let (alpha, beta) = (u8::from(a0.lsb()), u8::from(b0.lsb()));
                    let a = a0 ^ delta.select(a0.lsb());
                    let b = b0 ^ delta.select(b0.lsb());
                    let (al, ar) = halves(a);
                    let (bl, br) = halves(b);
                    let r = (random[gate / 64].0 >> (2 * (gate % 64))) as u8 & 0b11;
                    let (r1, r2) = (r >> 1, r & 1);
                    let rows = GARBLER_ROWS[usize::from(8 * alpha + 4 * beta + r)];
                    // Every combination of the input halves, then one lookup
                    // per row for them and one for the halves of Delta.
                    let mut ab = [0u64; 16];
                    ab[1] = al;
                    ab[2] = ar;
                    ab[3] = al ^ ar;
                    for k in 0..4 {
                        ab[4 + k] = ab[k] ^ bl;
                    }
                    for k in 0..8 {
                        ab[8 + k] = ab[k] ^ br;
                    }
                    let lin = |row: u8| ab[usize::from(row & 0xf)] ^ dd[usize::from(row >> 4)];
                    let hl = |x: Block| x.0 as u64;
                    let cl = hl(hs[0]) ^ hl(hs[4]) ^ lin(rows[0]);
                    let cr = hl(hs[2]) ^ hl(hs[4]) ^ lin(rows[1]);
                    let g0 = hl(hs[0]) ^ hl(hs[1]) ^ lin(rows[2]);
                    let g1 = hl(hs[2]) ^ hl(hs[3]) ^ lin(rows[3]);
                    let g2 = hl(hs[4]) ^ hl(hs[5]) ^ lin(rows[4]);
                    let (u0, u1, u2) = (1 ^ alpha, 1 ^ beta, alpha ^ beta);
                    let z0 = r1 ^ top(hs[0]) ^ top(hs[4]);
                    let z1 = r2 ^ top(hs[2]) ^ top(hs[4]);
                    let z2 = u0 ^ top(hs[0]) ^ top(hs[1]);
                    let z3 = u1 ^ top(hs[2]) ^ top(hs[3]);
                    let z4 = u2 ^ top(hs[4]) ^ top(hs[5]);
                    labels[op.out as usize] = Block(u128::from(cl) | (u128::from(cr) << 64));
                    rec[..8].copy_from_slice(&g0.to_le_bytes());
                    rec[8..16].copy_from_slice(&g1.to_le_bytes());
                    rec[16..24].copy_from_slice(&g2.to_le_bytes());
                    rec[24] = z0 | (z1 << 1) | (z2 << 2) | (z3 << 3) | (z4 << 4);
                }
                h.iter_mut().for_each(Zeroize::zeroize);
            }
        });
    }

    /// Evaluates independent AND gates garbled with the three-halves scheme:
    /// reads the active labels of each gate's input slots and its
    /// [`RECORD_BYTES`]-byte record from `records`, writes the output label
    /// to its output slot. Same tweaks and rules as
    /// [`HalfGateHash::garble_ands_three_halves`]; three hashes per gate,
    /// one batched call per window.
    ///
    /// # Panics
    /// If `records` is too short or a slot is out of `labels`.
    pub fn eval_ands_three_halves(
        &self,
        labels: &mut [Block],
        ands: &[AndOp],
        records: &[u8],
        first_tweak: u64,
    ) {
        assert!(records.len() >= ands.len() * RECORD_BYTES);
        SCRATCH.with_borrow_mut(|h| {
            h.resize(6 * MAX_BATCH, Block::ZERO);
            for (w, (ands, records)) in ands
                .chunks(MAX_BATCH)
                .zip(records.chunks(MAX_BATCH * RECORD_BYTES))
                .enumerate()
            {
                let tweak = first_tweak.wrapping_add(TWEAKS_PER_GATE * (w * MAX_BATCH) as u64);
                let h = &mut h[..3 * ands.len()];
                for (g, op) in h.chunks_exact_mut(3).zip(ands) {
                    let (x, y) = op.inputs(labels);
                    g.copy_from_slice(&[x, y, x ^ y]);
                }
                self.pi.tccr_seq(h, tweak, 1);
                for ((hs, op), rec) in h
                    .chunks_exact(3)
                    .zip(ands)
                    .zip(records.chunks_exact(RECORD_BYTES))
                {
                    let (x, y) = op.inputs(labels);
                    let (i, j) = (u8::from(x.lsb()), u8::from(y.lsb()));
                    let z = rec[24];
                    let zb = |k: u32| (z >> k) & 1;
                    let r1 = zb(0) ^ (i & zb(2)) ^ ((i ^ j) & zb(4)) ^ top(hs[0]) ^ top(hs[2]);
                    let r2 = zb(1) ^ (j & zb(3)) ^ ((i ^ j) & zb(4)) ^ top(hs[1]) ^ top(hs[2]);
                    let dice = DICING[usize::from(8 * i + 4 * j + 2 * r1 + r2)];
                    let (xl, xr) = halves(x);
                    let (yl, yr) = halves(y);
                    let v = [xl, xr, yl, yr];
                    let word =
                        |k: usize| u64::from_le_bytes(rec[8 * k..8 * k + 8].try_into().unwrap());
                    let (g0, g1, g2) = (word(0), word(1), word(2));
                    let (mi, mj, mij) = (
                        0u64.wrapping_sub(u64::from(i)),
                        0u64.wrapping_sub(u64::from(j)),
                        0u64.wrapping_sub(u64::from(i ^ j)),
                    );
                    let hl = |x: Block| x.0 as u64;
                    let cl =
                        hl(hs[0]) ^ hl(hs[2]) ^ (mi & g0) ^ (mij & g2) ^ combine(dice & 0xf, &v);
                    let cr =
                        hl(hs[1]) ^ hl(hs[2]) ^ (mj & g1) ^ (mij & g2) ^ combine(dice >> 4, &v);
                    labels[op.out as usize] = Block(u128::from(cl) | (u128::from(cr) << 64));
                }
                h.iter_mut().for_each(Zeroize::zeroize);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Delta, HashKey};
    use proptest::prelude::*;

    /// Every colour pair, every pair of random bits and every input value
    /// pair of one AND gate: the evaluator's label is the right one.
    #[test]
    fn one_gate_every_case_decodes_to_the_and() {
        let hash = HalfGateHash::new_portable(HashKey::random());
        for trial in 0..64u64 {
            let delta = Delta::random().block();
            for (alpha, beta, r) in
                (0..2).flat_map(|a| (0..2).flat_map(move |b| (0..4).map(move |r| (a, b, r))))
            {
                let mut a0 = Block::random();
                let mut b0 = Block::random();
                if a0.lsb() != (alpha == 1) {
                    a0 ^= Block(1);
                }
                if b0.lsb() != (beta == 1) {
                    b0 ^= Block(1);
                }
                let ands = [AndOp::new(0, 1, 2, 3)];
                let mut labels = vec![a0, b0, Block::ZERO, Block::ZERO];
                let mut rec = [0u8; RECORD_BYTES];
                let tweak = 1000 + 3 * trial;
                hash.garble_ands_three_halves(
                    &mut labels,
                    &ands,
                    delta,
                    tweak,
                    &[Block(r as u128)],
                    &mut rec,
                );
                let c0 = labels[2];
                for (x, y) in [(false, false), (false, true), (true, false), (true, true)] {
                    let mut active = vec![
                        a0 ^ delta.select(x),
                        b0 ^ delta.select(y),
                        Block::ZERO,
                        Block::ZERO,
                    ];
                    hash.eval_ands_three_halves(&mut active, &ands, &rec, tweak);
                    assert_eq!(
                        active[2],
                        c0 ^ delta.select(x & y),
                        "alpha {alpha} beta {beta} r {r} x {x} y {y}"
                    );
                    // The wrong output label of the gate is never produced.
                    assert_ne!(active[2], c0 ^ delta.select(!(x & y)));
                }
            }
        }
    }

    /// The coefficient table checked symbolically: for every
    /// `(alpha, beta, r, i, j)` the evaluator's linear part equals the
    /// garbler's plus `(i ^ alpha)(j ^ beta) Delta`, over the basis
    /// `(A_L, A_R, B_L, B_R, Delta_L, Delta_R)`.
    #[test]
    fn linear_parts_agree_in_every_case() {
        for k in 0..16u8 {
            let (alpha, beta, r1, r2) = (bit(k, 3), bit(k, 2), bit(k, 1), bit(k, 0));
            let rows = garbler_rows(alpha, beta, r1, r2);
            let (u0, u1, u2) = (1 ^ alpha, 1 ^ beta, alpha ^ beta);
            for (i, j) in [(0u8, 0u8), (0, 1), (1, 0), (1, 1)] {
                let e1 = r1 ^ (i & u0) ^ ((i ^ j) & u2);
                let e2 = r2 ^ (j & u1) ^ ((i ^ j) & u2);
                let m = dicing(i, j, e1, e2);
                let t = (i ^ alpha) & (j ^ beta);
                for row in 0..2u32 {
                    let rr = (m >> (4 * row)) & 0xf;
                    // R . (A ^ i Delta, B ^ j Delta) over the basis.
                    let dl = (i & bit(rr, 0)) ^ (j & bit(rr, 2));
                    let dr = (i & bit(rr, 1)) ^ (j & bit(rr, 3));
                    let mut lhs = rr | (dl << 4) | (dr << 5);
                    let own = if row == 0 { i } else { j };
                    if own == 1 {
                        lhs ^= rows[2 + row as usize];
                    }
                    if i ^ j == 1 {
                        lhs ^= rows[4];
                    }
                    let rhs = rows[row as usize] ^ (t << (4 + row));
                    assert_eq!(
                        lhs, rhs,
                        "alpha {alpha} beta {beta} r {r1}{r2} case {i}{j} row {row}"
                    );
                }
            }
        }
    }

    #[test]
    fn wire_lengths_decode_to_gate_counts() {
        for n in 0..5000 {
            assert_eq!(gates_in(wire_bytes(n)), Some(n));
            if n > 0 {
                assert_eq!(gates_in(wire_bytes(n) - 1), None);
            }
        }
        assert_eq!(wire_bytes(8), 197);
        assert_eq!(wire_bytes(9), 222);
        assert_eq!(gates_in(26), None);
        // Whole groups concatenate: two packed runs of 16 and 3 gates are
        // the packed run of 19.
        let records: Vec<u8> = (0..19 * RECORD_BYTES)
            .map(|k| {
                if k % RECORD_BYTES == 24 {
                    (k % 31) as u8
                } else {
                    k as u8
                }
            })
            .collect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        pack(&records[..16 * RECORD_BYTES], &mut a);
        pack(&records[16 * RECORD_BYTES..], &mut a);
        pack(&records, &mut b);
        assert_eq!(a, b);
    }

    proptest! {
        #[test]
        fn pack_round_trips(n in 0usize..40, seed in any::<u64>()) {
            let mut records = vec![0u8; n * RECORD_BYTES];
            let mut s = seed;
            for (k, b) in records.iter_mut().enumerate() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *b = (s >> 33) as u8;
                if k % RECORD_BYTES == 24 {
                    *b &= 0x1f;
                }
            }
            let mut wire = Vec::new();
            pack(&records, &mut wire);
            prop_assert_eq!(wire.len(), wire_bytes(n));
            let mut back = Vec::new();
            unpack(&wire, n, &mut back).unwrap();
            prop_assert_eq!(back, records);
        }

        #[test]
        fn unpack_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Some(n) = gates_in(bytes.len()) {
                let mut out = Vec::new();
                if unpack(&bytes, n, &mut out).is_ok() {
                    prop_assert_eq!(out.len(), n * RECORD_BYTES);
                }
            }
        }
    }

    #[test]
    fn set_padding_bits_are_refused() {
        let mut wire = vec![0u8; wire_bytes(1)];
        wire[24] = 0x20;
        assert_eq!(
            unpack(&wire, 1, &mut Vec::new()),
            Err(CryptoError::ControlPadding)
        );
    }

    #[test]
    fn garbling_uses_three_tweaks_per_gate() {
        let hash = HalfGateHash::new(HashKey::random());
        let delta = Delta::random().block();
        let n = 300;
        let mut labels: Vec<Block> = (0..3 * n).map(|_| Block::random()).collect();
        labels.push(Block::ZERO);
        let ands: Vec<AndOp> = (0..n as u32)
            .map(|g| AndOp::new(2 * g, 2 * g + 1, 2 * n as u32 + g, 3 * n as u32))
            .collect();
        let random = vec![Block(0x5a5a_5a5a_5a5a_5a5a_5a5a_5a5a_5a5a_5a5a); n];
        let first = 77;
        let mut records = vec![0u8; n * RECORD_BYTES];
        let mut l = labels.clone();
        hash.garble_ands_three_halves(&mut l, &ands, delta, first, &random, &mut records);
        for (g, op) in ands.iter().enumerate() {
            let (a0, b0) = op.inputs(&labels);
            let a = a0 ^ delta.select(a0.lsb());
            let b = b0 ^ delta.select(b0.lsb());
            let t = first + 3 * g as u64;
            let low = |x: Block| x.0 as u64;
            let rec = &records[g * RECORD_BYTES..];
            let word = |k: usize| u64::from_le_bytes(rec[8 * k..8 * k + 8].try_into().unwrap());
            // The hash parts of the ciphertexts, at the documented tweaks.
            let v = {
                let (al, ar) = halves(a);
                let (bl, br) = halves(b);
                let (dl, dr) = halves(delta);
                [al, ar, bl, br, dl, dr]
            };
            let r = (random[g / 64].0 >> (2 * (g % 64))) as u8 & 3;
            let rows = garbler_rows(u8::from(a0.lsb()), u8::from(b0.lsb()), r >> 1, r & 1);
            assert_eq!(
                word(0) ^ combine(rows[2], &v),
                low(hash.hash_one(a, t)) ^ low(hash.hash_one(a ^ delta, t))
            );
            assert_eq!(
                word(1) ^ combine(rows[3], &v),
                low(hash.hash_one(b, t + 1)) ^ low(hash.hash_one(b ^ delta, t + 1))
            );
            assert_eq!(
                word(2) ^ combine(rows[4], &v),
                low(hash.hash_one(a ^ b, t + 2)) ^ low(hash.hash_one(a ^ b ^ delta, t + 2))
            );
        }
    }

    #[test]
    fn portable_and_vaes_agree() {
        let key = HashKey::random();
        let (fast, slow) = (HalfGateHash::new(key), HalfGateHash::new_portable(key));
        let delta = Delta::random().block();
        for n in [1usize, 7, 255, 256, 257, 600] {
            // Inputs in 0..2n, outputs in 2n..3n; some inputs add a second
            // label (from 3n..4n), the others the zero label of slot 4n.
            let mut labels: Vec<Block> = (0..4 * n).map(|_| Block::random()).collect();
            labels.push(Block::ZERO);
            let n32 = n as u32;
            let ands: Vec<AndOp> = (0..n32)
                .map(|g| AndOp {
                    a: 2 * g,
                    b: 2 * g + 1,
                    out: 2 * n32 + g,
                    a2: if g % 2 == 0 { 3 * n32 + g } else { 4 * n32 },
                    b2: if g % 3 == 0 { 3 * n32 + g } else { 4 * n32 },
                })
                .collect();
            let random: Vec<Block> = (0..n).map(|_| Block::random()).collect();
            let mut out = Vec::new();
            for h in [&fast, &slow] {
                let mut l = labels.clone();
                let mut rec = vec![0u8; n * RECORD_BYTES];
                h.garble_ands_three_halves(&mut l, &ands, delta, 5, &random, &mut rec);
                let mut e: Vec<Block> = labels
                    .iter()
                    .enumerate()
                    .map(|(k, &x)| if k % 3 == 0 { x ^ delta } else { x })
                    .collect();
                h.eval_ands_three_halves(&mut e, &ands, &rec, 5);
                out.push((l, rec, e));
            }
            assert!(out[0] == out[1], "{n} gates");
        }
    }
}
