//! The AVX-512 back end: VAES rounds on 512-bit registers (four blocks per
//! instruction, 32 blocks in flight) and the half-gate arithmetic on whole
//! registers of four gates, with mask registers for the permute-bit selects.
//!
//! Every `unsafe` block of this back end is here. Each entry point is a safe
//! method of [`RoundKeys`], which exists only once [`detected`] has confirmed
//! AES-NI, VAES, AVX-512F and AVX-512VL, so the `#[target_feature]` functions
//! below are only ever called on CPUs that have those features.
//!
//! The kernels work on *quads* of four AND gates held transposed: one
//! register holds the `A0` labels of four gates, another their `B0` labels,
//! so the hash outputs come out as `[H(A0)]`, `[H(A1)]`, ... of four gates
//! and the half-gate formulas run on four gates per instruction, with no
//! shuffling between the AES passes and the arithmetic.
#![allow(unsafe_code)]

use crate::{AndOp, Block, Lane, MAX_BATCH};
use core::arch::x86_64::*;
use core::mem::MaybeUninit;
use core::ptr::write_volatile;
use std::sync::OnceLock;

/// Registers in flight per group: 8 zmm registers of four blocks each.
const REGS: usize = 8;
/// Blocks per group.
const GROUP: usize = 4 * REGS;

/// Whether AES-NI, VAES, AVX-512F and AVX-512VL are all present (probed
/// once per process).
pub(crate) fn detected() -> bool {
    static FLAG: OnceLock<bool> = OnceLock::new();
    *FLAG.get_or_init(|| {
        super::vaes::detected()
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512vl")
    })
}

/// The 11 AES-128 round keys.
#[derive(Clone)]
pub(crate) struct RoundKeys {
    rk: [[u8; 16]; 11],
}

impl Drop for RoundKeys {
    fn drop(&mut self) {
        // Keys of AES used as a PRG are secret; zeroize them.
        zeroize::Zeroize::zeroize(&mut self.rk);
    }
}

/// The round keys, each broadcast to the four lanes of a zmm register.
macro_rules! load_keys {
    ($rk:expr) => {{
        let mut k = [_mm512_setzero_si512(); 11];
        for (kk, r) in k.iter_mut().zip($rk.iter()) {
            *kk = _mm512_broadcast_i32x4(_mm_loadu_si128(r.as_ptr().cast()));
        }
        k
    }};
}

/// AES rounds 1 to 10 over an array of registers whose round-0 key is
/// already added, interleaved across the array so independent registers
/// fill the pipeline.
macro_rules! rounds {
    ($k:expr, $v:expr) => {{
        round!($k, $v, 1);
        round!($k, $v, 2);
        round!($k, $v, 3);
        round!($k, $v, 4);
        round!($k, $v, 5);
        round!($k, $v, 6);
        round!($k, $v, 7);
        round!($k, $v, 8);
        round!($k, $v, 9);
        for v in $v.iter_mut() {
            *v = _mm512_aesenclast_epi128(*v, $k[10]);
        }
    }};
}

/// AES round `r` (1 to 9) over an array of registers. Written out round by
/// round (no loop over `r`), so the registers never leave the register file.
macro_rules! round {
    ($k:expr, $v:expr, $r:literal) => {{
        for v in $v.iter_mut() {
            *v = _mm512_aesenc_epi128(*v, $k[$r]);
        }
    }};
}

/// `a ^ b ^ c` in one instruction.
#[inline(always)]
unsafe fn xor3(a: __m512i, b: __m512i, c: __m512i) -> __m512i {
    _mm512_ternarylogic_epi64::<0x96>(a, b, c)
}

/// Mask of the 64-bit elements of register `i` of a group that hold one of
/// the first `n` blocks (two elements per block, four blocks per register).
#[inline(always)]
fn reg_mask(n: usize, i: usize) -> __mmask8 {
    let c = n.saturating_sub(4 * i).min(4);
    ((1u32 << (2 * c)) - 1) as __mmask8
}

/// Loads register `i` (blocks `4i..4i+4`) of the group at `p`, of which only
/// the first `n` blocks exist (zeros for the rest; nothing read past them).
#[inline(always)]
unsafe fn load_reg(p: *const Block, n: usize, i: usize) -> __m512i {
    if n >= GROUP {
        _mm512_loadu_si512(p.add(4 * i).cast())
    } else {
        _mm512_maskz_loadu_epi64(reg_mask(n, i), p.add(4 * i).cast())
    }
}

/// Stores register `i` of the group at `p`, of which only the first `n`
/// blocks exist (nothing written past them).
#[inline(always)]
unsafe fn store_reg(p: *mut Block, n: usize, i: usize, v: __m512i) {
    if n >= GROUP {
        _mm512_storeu_si512(p.add(4 * i).cast(), v)
    } else {
        _mm512_mask_storeu_epi64(p.add(4 * i).cast(), reg_mask(n, i), v)
    }
}

#[target_feature(enable = "aes,vaes,avx512f,avx512vl")]
unsafe fn encrypt(rk: &[[u8; 16]; 11], blocks: &mut [Block]) {
    let k = load_keys!(rk);
    for g in blocks.chunks_mut(GROUP) {
        let (n, p) = (g.len(), g.as_mut_ptr());
        let mut v = [_mm512_setzero_si512(); REGS];
        for (i, vv) in v.iter_mut().enumerate() {
            *vv = _mm512_xor_si512(load_reg(p, n, i), k[0]);
        }
        rounds!(k, v);
        for (i, vv) in v.iter().enumerate() {
            store_reg(p, n, i, *vv);
        }
    }
}

/// Blocks per two-pass window of the TCCR hash (16 KiB of first-pass
/// outputs, which stay in the L1 cache between the passes).
const TCCR_WINDOW: usize = 1024;

/// TCCR of GKWY20 (sec. 7.3), `H(x, i) = pi(pi(x) ^ i) ^ pi(x)`, in place.
/// Block `k` gets tweak `first + k / per` (low 64 bits; high bits zero).
#[target_feature(enable = "aes,vaes,avx512f,avx512vl")]
unsafe fn tccr(rk: &[[u8; 16]; 11], blocks: &mut [Block], first: u64, per: usize) {
    let k = load_keys!(rk);
    // Register i of a group holds blocks 4i..4i+4: tweaks first + 4i + 0..4
    // (per == 1, 32 per group) or first + 2i + [0, 0, 1, 1] (per == 2, 16
    // per group).
    let (offs, reg_step) = if per == 1 {
        ([0u64, 1, 2, 3], 4u64)
    } else {
        ([0, 0, 1, 1], 2)
    };
    let group_step = (reg_step * REGS as u64) as i64;
    let mut tw = [_mm512_setzero_si512(); REGS];
    for (i, t) in tw.iter_mut().enumerate() {
        let b = first.wrapping_add(reg_step * i as u64);
        let o = |j: usize| b.wrapping_add(offs[j]) as i64;
        *t = _mm512_set_epi64(0, o(3), 0, o(2), 0, o(1), 0, o(0));
    }
    let step = _mm512_set_epi64(0, group_step, 0, group_step, 0, group_step, 0, group_step);
    let mut ys = MaybeUninit::<[__m512i; TCCR_WINDOW / 4]>::uninit();
    let ysp = ys.as_mut_ptr().cast::<__m512i>();
    for window in blocks.chunks_mut(TCCR_WINDOW) {
        let m = window.len();
        let wp = window.as_mut_ptr();
        let groups = m.div_ceil(GROUP);
        for g in 0..groups {
            let (n, src) = (m - g * GROUP, wp.add(g * GROUP));
            let mut v = [_mm512_setzero_si512(); REGS];
            for (i, vv) in v.iter_mut().enumerate() {
                *vv = _mm512_xor_si512(load_reg(src, n, i), k[0]);
            }
            rounds!(k, v);
            for (i, vv) in v.iter().enumerate() {
                _mm512_store_si512(ysp.add(REGS * g + i), *vv);
            }
        }
        // Every register of `ys` read here was written by the first pass.
        for g in 0..groups {
            let (n, dst) = (m - g * GROUP, wp.add(g * GROUP));
            let y = ysp.add(REGS * g);
            let mut v = [_mm512_setzero_si512(); REGS];
            for (i, vv) in v.iter_mut().enumerate() {
                *vv = xor3(_mm512_load_si512(y.add(i)), tw[i], k[0]);
                tw[i] = _mm512_add_epi64(tw[i], step);
            }
            rounds!(k, v);
            for (i, vv) in v.iter().enumerate() {
                store_reg(
                    dst,
                    n,
                    i,
                    _mm512_xor_si512(*vv, _mm512_load_si512(y.add(i))),
                );
                // pi(x) of a secret x is secret: wipe it once used.
                write_volatile(y.add(i), _mm512_setzero_si512());
            }
        }
    }
}

/// The label in slot `s` (bounds-checked, as in the VAES back end: the
/// schedule only names slots below the label array's length, and a check
/// per load keeps this sound for any input).
#[inline(always)]
unsafe fn load_label(labels: &[Lane], s: u32) -> __m128i {
    _mm_load_si128((&labels[s as usize] as *const Lane).cast())
}

/// The input label `labels[s] ^ labels[s2]` of an AND gate (see
/// [`AndOp`]); just `labels[s]` without `FOLDED`, where the caller knows
/// `s2` is the zero slot.
#[inline(always)]
unsafe fn load_input<const FOLDED: bool>(labels: &[Lane], s: u32, s2: u32) -> __m128i {
    if FOLDED {
        _mm_xor_si128(load_label(labels, s), load_label(labels, s2))
    } else {
        load_label(labels, s)
    }
}

#[inline(always)]
unsafe fn store_label(labels: &mut [Lane], s: u32, v: __m128i) {
    _mm_store_si128((&mut labels[s as usize] as *mut Lane).cast(), v)
}

/// Four labels in the four lanes of a register.
#[inline(always)]
unsafe fn lanes4(x: [__m128i; 4]) -> __m512i {
    let v = _mm512_castsi128_si512(x[0]);
    let v = _mm512_inserti32x4::<1>(v, x[1]);
    let v = _mm512_inserti32x4::<2>(v, x[2]);
    _mm512_inserti32x4::<3>(v, x[3])
}

/// The `a` and `b` input labels of up to four gates, transposed: lane `j`
/// of each register belongs to gate `j` (zero for missing gates). Without
/// `FOLDED` only the first slot of each input is read (see
/// [`load_input`]).
#[inline(always)]
unsafe fn gather<const FOLDED: bool>(labels: &[Lane], ops: &[AndOp]) -> (__m512i, __m512i) {
    if let [o0, o1, o2, o3] = ops {
        (
            lanes4([
                load_input::<FOLDED>(labels, o0.a, o0.a2),
                load_input::<FOLDED>(labels, o1.a, o1.a2),
                load_input::<FOLDED>(labels, o2.a, o2.a2),
                load_input::<FOLDED>(labels, o3.a, o3.a2),
            ]),
            lanes4([
                load_input::<FOLDED>(labels, o0.b, o0.b2),
                load_input::<FOLDED>(labels, o1.b, o1.b2),
                load_input::<FOLDED>(labels, o2.b, o2.b2),
                load_input::<FOLDED>(labels, o3.b, o3.b2),
            ]),
        )
    } else {
        let (mut a, mut b) = ([_mm_setzero_si128(); 4], [_mm_setzero_si128(); 4]);
        for (j, op) in ops.iter().enumerate() {
            a[j] = load_input::<FOLDED>(labels, op.a, op.a2);
            b[j] = load_input::<FOLDED>(labels, op.b, op.b2);
        }
        (lanes4(a), lanes4(b))
    }
}

/// Stores lane `j` of `v` to the output slot of gate `j` of `ops`.
#[inline(always)]
unsafe fn scatter(labels: &mut [Lane], ops: &[AndOp], v: __m512i) {
    let x = [
        _mm512_castsi512_si128(v),
        _mm512_extracti32x4_epi32::<1>(v),
        _mm512_extracti32x4_epi32::<2>(v),
        _mm512_extracti32x4_epi32::<3>(v),
    ];
    for (op, x) in ops.iter().zip(x) {
        store_label(labels, op.out, x);
    }
}

/// Mask register selecting both 64-bit halves of each lane of `x` whose
/// lowest bit (a label's permute bit) is set.
#[inline(always)]
unsafe fn lsb_mask(x: __m512i) -> __mmask8 {
    // Copy each lane's low half over its high half, then test bit 0.
    _mm512_test_epi64_mask(_mm512_shuffle_epi32::<0x44>(x), _mm512_set1_epi64(1))
}

/// Qword indices interleaving `[TG]` and `[TE]` of four gates into the
/// table layout `TG0 TE0 TG1 TE1 | TG2 TE2 TG3 TE3`, and back.
#[inline(always)]
unsafe fn table_indices() -> (__m512i, __m512i, __m512i, __m512i) {
    (
        _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0),
        _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4),
        _mm512_set_epi64(13, 12, 9, 8, 5, 4, 1, 0),
        _mm512_set_epi64(15, 14, 11, 10, 7, 6, 3, 2),
    )
}

/// Scratch registers per garbled quad: the first-pass outputs of `A0`,
/// `A1`, `B0`, `B1`, then the `A0` and `B0` labels.
const G_SCRATCH: usize = 6;

/// Half-gates garbling (ZRE15 sec. 3) of up to [`MAX_BATCH`] independent
/// AND gates, fused with the TCCR hash, on quads of four gates: the first
/// AES pass runs on `[A0]`, `[A0 ^ Delta]`, `[B0]`, `[B0 ^ Delta]` of two
/// quads at once (8 registers); the second finishes the hash, and the
/// arithmetic of the previous two quads is spread over its rounds. Same
/// tweaks, tables and output labels as the other back ends.
///
/// No output slot of `ands` is an input slot of `ands` (the schedule's
/// batch rule), so writing outputs while later gates still read is safe.
#[target_feature(enable = "aes,vaes,avx512f,avx512vl")]
unsafe fn garble<const FOLDED: bool>(
    rk: &[[u8; 16]; 11],
    labels: &mut [Lane],
    ands: &[AndOp],
    delta: __m128i,
    first: u64,
    tables: &mut [u8],
) {
    assert!(ands.len() <= MAX_BATCH && tables.len() >= ands.len() * 32);
    let k = load_keys!(rk);
    let d = _mm512_broadcast_i32x4(delta);
    let k0d = _mm512_xor_si512(k[0], d);
    let nq = ands.len().div_ceil(4);
    let quad = |q: usize| &ands[4 * q..(4 * q + 4).min(ands.len())];
    let mut sc = MaybeUninit::<[__m512i; G_SCRATCH * MAX_BATCH / 4]>::uninit();
    let scp = sc.as_mut_ptr().cast::<__m512i>();
    // Pass 1, two quads per group.
    for g in 0..nq.div_ceil(2) {
        let mut v = [_mm512_setzero_si512(); REGS];
        let mut ab = [_mm512_setzero_si512(); 4];
        for q in 0..2 {
            if 2 * g + q < nq {
                let (a, b) = gather::<FOLDED>(labels, quad(2 * g + q));
                ab[2 * q] = a;
                ab[2 * q + 1] = b;
                v[4 * q] = _mm512_xor_si512(a, k[0]);
                v[4 * q + 1] = _mm512_xor_si512(a, k0d);
                v[4 * q + 2] = _mm512_xor_si512(b, k[0]);
                v[4 * q + 3] = _mm512_xor_si512(b, k0d);
            }
        }
        rounds!(k, v);
        for q in 0..2 {
            if 2 * g + q < nq {
                let s = scp.add(G_SCRATCH * (2 * g + q));
                for i in 0..4 {
                    _mm512_store_si512(s.add(i), v[4 * q + i]);
                }
                _mm512_store_si512(s.add(4), ab[2 * q]);
                _mm512_store_si512(s.add(5), ab[2 * q + 1]);
            }
        }
    }
    // Gate j of quad q hashes its A labels under first + 8q + 2j and its B
    // labels under that plus one.
    let mut ta = [
        _mm512_set_epi64(0, 6, 0, 4, 0, 2, 0, 0),
        _mm512_set_epi64(0, 14, 0, 12, 0, 10, 0, 8),
    ];
    let base = _mm512_set1_epi64(first as i64);
    let lo = _mm512_set_epi64(0, -1, 0, -1, 0, -1, 0, -1);
    for t in ta.iter_mut() {
        *t = _mm512_add_epi64(*t, _mm512_and_si512(base, lo));
    }
    let one = _mm512_set_epi64(0, 1, 0, 1, 0, 1, 0, 1);
    let step = _mm512_set_epi64(0, 16, 0, 16, 0, 16, 0, 16);
    let (i0, i1, _, _) = table_indices();
    let tp = tables.as_mut_ptr();
    // Pass 2, software-pipelined: the quads of group g-1 are finished
    // during the rounds of group g.
    let groups = nq.div_ceil(2);
    let mut prev = [_mm512_setzero_si512(); REGS];
    for g in 0..=groups {
        macro_rules! finish {
            ($q:expr) => {
                let qi = 2 * (g - 1) + $q;
                if qi < nq {
                    let s = scp.add(G_SCRATCH * qi);
                    let (a0, b0) = (_mm512_load_si512(s.add(4)), _mm512_load_si512(s.add(5)));
                    write_volatile(s.add(4), _mm512_setzero_si512());
                    write_volatile(s.add(5), _mm512_setzero_si512());
                    let (ha0, ha1, hb0, hb1) = (
                        prev[4 * $q],
                        prev[4 * $q + 1],
                        prev[4 * $q + 2],
                        prev[4 * $q + 3],
                    );
                    let (ka, kb) = (lsb_mask(a0), lsb_mask(b0));
                    let hax = _mm512_xor_si512(ha0, ha1);
                    let tg = _mm512_mask_xor_epi64(hax, kb, hax, d);
                    let wg0 = _mm512_mask_xor_epi64(ha0, ka, ha0, tg);
                    let hbx = _mm512_xor_si512(hb0, hb1);
                    let te = _mm512_xor_si512(hbx, a0);
                    let c = _mm512_mask_xor_epi64(_mm512_xor_si512(wg0, hb0), kb, wg0, hb1);
                    let ops = quad(qi);
                    scatter(labels, ops, c);
                    let t = tp.add(128 * qi).cast::<Block>();
                    let n = 2 * ops.len();
                    let t0 = _mm512_permutex2var_epi64(tg, i0, te);
                    let t1 = _mm512_permutex2var_epi64(tg, i1, te);
                    if n == 8 {
                        _mm512_storeu_si512(t.cast(), t0);
                        _mm512_storeu_si512(t.add(4).cast(), t1);
                    } else {
                        _mm512_mask_storeu_epi64(t.cast(), reg_mask(n, 0), t0);
                        _mm512_mask_storeu_epi64(t.add(4).cast(), reg_mask(n, 1), t1);
                    }
                }
            };
        }
        if g == groups {
            if g > 0 {
                finish!(0);
                finish!(1);
            }
            break;
        }
        let mut v = [_mm512_setzero_si512(); REGS];
        for q in 0..2 {
            if 2 * g + q < nq {
                let s = scp.add(G_SCRATCH * (2 * g + q));
                let tb = _mm512_add_epi64(ta[q], one);
                for (i, t) in [ta[q], ta[q], tb, tb].into_iter().enumerate() {
                    v[4 * q + i] = xor3(_mm512_load_si512(s.add(i)), t, k[0]);
                }
            }
            ta[q] = _mm512_add_epi64(ta[q], step);
        }
        round!(k, v, 1);
        round!(k, v, 2);
        round!(k, v, 3);
        if g > 0 {
            finish!(0);
        }
        round!(k, v, 4);
        round!(k, v, 5);
        round!(k, v, 6);
        round!(k, v, 7);
        if g > 0 {
            finish!(1);
        }
        round!(k, v, 8);
        round!(k, v, 9);
        for q in 0..2 {
            if 2 * g + q < nq {
                let s = scp.add(G_SCRATCH * (2 * g + q));
                for i in 0..4 {
                    let y = _mm512_load_si512(s.add(i));
                    write_volatile(s.add(i), _mm512_setzero_si512());
                    v[4 * q + i] =
                        _mm512_xor_si512(_mm512_aesenclast_epi128(v[4 * q + i], k[10]), y);
                }
            }
        }
        prev = v;
    }
}

/// Scratch registers per evaluated quad: the first-pass outputs of `Wa`
/// and `Wb`, then the `Wa` and `Wb` labels.
const E_SCRATCH: usize = 4;

/// Half-gates evaluation (ZRE15 sec. 3) of up to [`MAX_BATCH`] independent
/// AND gates, fused with the TCCR hash, on quads of four gates: the first
/// AES pass runs on `[Wa]` and `[Wb]` of four quads at once (8 registers),
/// the second finishes the hash, and
/// `Wc = H(Wa) ^ sa*TG ^ H(Wb) ^ sb*(TE ^ Wa)` of the previous four quads
/// is spread over its rounds. Same tweaks and tables as the other back ends.
#[target_feature(enable = "aes,vaes,avx512f,avx512vl")]
unsafe fn evaluate<const FOLDED: bool>(
    rk: &[[u8; 16]; 11],
    labels: &mut [Lane],
    ands: &[AndOp],
    tables: &[u8],
    first: u64,
) {
    assert!(ands.len() <= MAX_BATCH && tables.len() >= ands.len() * 32);
    let k = load_keys!(rk);
    let nq = ands.len().div_ceil(4);
    let quad = |q: usize| &ands[4 * q..(4 * q + 4).min(ands.len())];
    let mut sc = MaybeUninit::<[__m512i; E_SCRATCH * MAX_BATCH / 4]>::uninit();
    let scp = sc.as_mut_ptr().cast::<__m512i>();
    const QUADS: usize = REGS / 2;
    let groups = nq.div_ceil(QUADS);
    for g in 0..groups {
        let mut v = [_mm512_setzero_si512(); REGS];
        for q in 0..QUADS {
            let qi = QUADS * g + q;
            if qi < nq {
                let (a, b) = gather::<FOLDED>(labels, quad(qi));
                let s = scp.add(E_SCRATCH * qi);
                _mm512_store_si512(s.add(2), a);
                _mm512_store_si512(s.add(3), b);
                v[2 * q] = _mm512_xor_si512(a, k[0]);
                v[2 * q + 1] = _mm512_xor_si512(b, k[0]);
            }
        }
        rounds!(k, v);
        for q in 0..QUADS {
            let qi = QUADS * g + q;
            if qi < nq {
                let s = scp.add(E_SCRATCH * qi);
                _mm512_store_si512(s, v[2 * q]);
                _mm512_store_si512(s.add(1), v[2 * q + 1]);
            }
        }
    }
    // Gate j of quad q hashes Wa under first + 8q + 2j and Wb under that
    // plus one.
    let lo = _mm512_set_epi64(0, -1, 0, -1, 0, -1, 0, -1);
    let base = _mm512_and_si512(_mm512_set1_epi64(first as i64), lo);
    let mut ta = [_mm512_setzero_si512(); QUADS];
    for (q, t) in ta.iter_mut().enumerate() {
        let o = 8 * q as i64;
        *t = _mm512_add_epi64(base, _mm512_set_epi64(0, o + 6, 0, o + 4, 0, o + 2, 0, o));
    }
    let one = _mm512_set_epi64(0, 1, 0, 1, 0, 1, 0, 1);
    let s32 = (8 * QUADS) as i64;
    let step = _mm512_set_epi64(0, s32, 0, s32, 0, s32, 0, s32);
    let (_, _, ig, ie) = table_indices();
    let tp = tables.as_ptr();
    let mut prev = [_mm512_setzero_si512(); REGS];
    for g in 0..=groups {
        macro_rules! finish {
            ($q:expr) => {
                let qi = QUADS * (g - 1) + $q;
                if qi < nq {
                    let s = scp.add(E_SCRATCH * qi);
                    let (wa, wb) = (_mm512_load_si512(s.add(2)), _mm512_load_si512(s.add(3)));
                    write_volatile(s.add(2), _mm512_setzero_si512());
                    write_volatile(s.add(3), _mm512_setzero_si512());
                    let ops = quad(qi);
                    let t = tp.add(128 * qi).cast::<Block>();
                    let n = 2 * ops.len();
                    let (t0, t1) = if n == 8 {
                        (
                            _mm512_loadu_si512(t.cast()),
                            _mm512_loadu_si512(t.add(4).cast()),
                        )
                    } else {
                        (
                            _mm512_maskz_loadu_epi64(reg_mask(n, 0), t.cast()),
                            _mm512_maskz_loadu_epi64(reg_mask(n, 1), t.add(4).cast()),
                        )
                    };
                    let tg = _mm512_permutex2var_epi64(t0, ig, t1);
                    let te = _mm512_permutex2var_epi64(t0, ie, t1);
                    let (ka, kb) = (lsb_mask(wa), lsb_mask(wb));
                    let (ha, hb) = (prev[2 * $q], prev[2 * $q + 1]);
                    let x = _mm512_xor_si512(ha, hb);
                    let x = _mm512_mask_xor_epi64(x, ka, x, tg);
                    let c = _mm512_mask_ternarylogic_epi64::<0x96>(x, kb, te, wa);
                    scatter(labels, ops, c);
                }
            };
        }
        if g == groups {
            if g > 0 {
                finish!(0);
                finish!(1);
                finish!(2);
                finish!(3);
            }
            break;
        }
        let mut v = [_mm512_setzero_si512(); REGS];
        for (q, t) in ta.iter_mut().enumerate() {
            let qi = QUADS * g + q;
            if qi < nq {
                let s = scp.add(E_SCRATCH * qi);
                v[2 * q] = xor3(_mm512_load_si512(s), *t, k[0]);
                v[2 * q + 1] = xor3(_mm512_load_si512(s.add(1)), _mm512_add_epi64(*t, one), k[0]);
            }
            *t = _mm512_add_epi64(*t, step);
        }
        round!(k, v, 1);
        if g > 0 {
            finish!(0);
        }
        round!(k, v, 2);
        round!(k, v, 3);
        if g > 0 {
            finish!(1);
        }
        round!(k, v, 4);
        round!(k, v, 5);
        if g > 0 {
            finish!(2);
        }
        round!(k, v, 6);
        round!(k, v, 7);
        if g > 0 {
            finish!(3);
        }
        round!(k, v, 8);
        round!(k, v, 9);
        for q in 0..QUADS {
            let qi = QUADS * g + q;
            if qi < nq {
                let s = scp.add(E_SCRATCH * qi);
                for i in 0..2 {
                    let y = _mm512_load_si512(s.add(i));
                    write_volatile(s.add(i), _mm512_setzero_si512());
                    v[2 * q + i] =
                        _mm512_xor_si512(_mm512_aesenclast_epi128(v[2 * q + i], k[10]), y);
                }
            }
        }
        prev = v;
    }
}

/// Most AND gates [`evaluate_narrow`] takes: two per register, 16
/// registers.
const NARROW_MAX: usize = 32;

/// Half-gates evaluation of a narrow batch, `2R - 1` or `2R` independent
/// AND gates (at most [`NARROW_MAX`]), on exactly `R` registers held in
/// table order: register `i` holds `[Wa, Wb]` of gates `2i` and `2i + 1`,
/// the layout of their 64 bytes of table `[TG, TE, TG, TE]` and of their
/// tweaks `first + 4i + 0..4`. Circuits with a long AND depth (SHA-256: 22k
/// AND gates over 1.6k layers, most of 9 to 21 gates) run almost only such
/// batches; the quad kernel would round whole groups of 32 blocks for them,
/// this one rounds `2n` blocks rounded up to 4, with both passes and the
/// combining step in registers. Same tweaks, tables and outputs as the
/// other back ends.
///
/// Per register, with `x = H ^ sel(lsb(W), T ^ [0, Wa])` (lanes of gate `g`:
/// `H(Wa) ^ sa*TG` and `H(Wb) ^ sb*(TE ^ Wa)`), the output label of a gate
/// is the XOR of its two lanes of `x`.
#[target_feature(enable = "aes,vaes,avx512f,avx512vl")]
unsafe fn evaluate_narrow<const R: usize>(
    rk: &[[u8; 16]; 11],
    labels: &mut [Lane],
    ands: &[AndOp],
    tables: &[u8],
    first: u64,
) {
    let n = ands.len();
    assert!(n.div_ceil(2) == R && tables.len() >= n * 32);
    // The last register holds one gate when `n` is odd.
    let pair = |i: usize| i + 1 < R || n == 2 * R;
    let k = load_keys!(rk);
    let mut w = [_mm512_setzero_si512(); R];
    for (i, wi) in w.iter_mut().enumerate() {
        let g = &ands[2 * i];
        let lo = _mm256_inserti128_si256::<1>(
            _mm256_castsi128_si256(load_input::<true>(labels, g.a, g.a2)),
            load_input::<true>(labels, g.b, g.b2),
        );
        let lo = _mm512_zextsi256_si512(lo);
        *wi = if pair(i) {
            let g = &ands[2 * i + 1];
            let hi = _mm256_inserti128_si256::<1>(
                _mm256_castsi128_si256(load_input::<true>(labels, g.a, g.a2)),
                load_input::<true>(labels, g.b, g.b2),
            );
            _mm512_inserti64x4::<1>(lo, hi)
        } else {
            lo
        };
    }
    let mut y = [_mm512_setzero_si512(); R];
    for (yi, wi) in y.iter_mut().zip(w.iter()) {
        *yi = _mm512_xor_si512(*wi, k[0]);
    }
    rounds!(k, y);
    // Lane j of register i: tweak first + 4i + j (low 64 bits only).
    let lo = _mm512_set_epi64(0, -1, 0, -1, 0, -1, 0, -1);
    let mut t = _mm512_add_epi64(
        _mm512_and_si512(_mm512_set1_epi64(first as i64), lo),
        _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0),
    );
    let step = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
    let mut v = [_mm512_setzero_si512(); R];
    for (vi, yi) in v.iter_mut().zip(y.iter()) {
        *vi = xor3(*yi, t, k[0]);
        t = _mm512_add_epi64(t, step);
    }
    rounds!(k, v);
    let tp = tables.as_ptr();
    for i in 0..R {
        let h = _mm512_xor_si512(v[i], y[i]);
        let tab = if pair(i) {
            _mm512_loadu_si512(tp.add(64 * i).cast())
        } else {
            _mm512_maskz_loadu_epi64(0x0f, tp.add(64 * i).cast())
        };
        // [Wa, Wa] of each gate, to add Wa to its TE lane.
        let wa = _mm512_shuffle_i64x2::<0xa0>(w[i], w[i]);
        let te = _mm512_mask_xor_epi64(tab, 0xcc, tab, wa);
        let x = _mm512_mask_xor_epi64(h, lsb_mask(w[i]), h, te);
        let c = _mm512_xor_si512(x, _mm512_shuffle_i64x2::<0xb1>(x, x));
        store_label(labels, ands[2 * i].out, _mm512_castsi512_si128(c));
        if pair(i) {
            store_label(
                labels,
                ands[2 * i + 1].out,
                _mm512_extracti32x4_epi32::<2>(c),
            );
        }
    }
}

/// Runs [`evaluate_narrow`] with the register count `ands` needs (1 to
/// [`NARROW_MAX`] gates).
#[target_feature(enable = "aes,vaes,avx512f,avx512vl")]
unsafe fn evaluate_narrow_any(
    rk: &[[u8; 16]; 11],
    labels: &mut [Lane],
    ands: &[AndOp],
    tables: &[u8],
    first: u64,
) {
    macro_rules! by_regs {
        ($($r:literal)*) => {
            match ands.len().div_ceil(2) {
                $($r => evaluate_narrow::<$r>(rk, labels, ands, tables, first),)*
                _ => unreachable!("narrow batches hold 1 to {NARROW_MAX} gates"),
            }
        };
    }
    by_regs!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

impl RoundKeys {
    /// The expanded key, or `None` when this CPU lacks the features.
    pub(crate) fn new(key: Block) -> Option<RoundKeys> {
        if !detected() {
            return None;
        }
        // SAFETY: AES-NI and SSE2 were detected just above.
        Some(RoundKeys {
            rk: unsafe { super::vaes::expand(key) },
        })
    }

    pub(crate) fn encrypt_blocks(&self, blocks: &mut [Block]) {
        // SAFETY: a `RoundKeys` exists only where `detected()` held; every
        // load and store is within `blocks` (masked at a last partial group).
        unsafe { encrypt(&self.rk, blocks) }
    }

    pub(crate) fn tccr_seq(&self, blocks: &mut [Block], first: u64, per: usize) {
        // SAFETY: as in `encrypt_blocks`; scratch accesses stay within the
        // groups the first pass wrote.
        unsafe { tccr(&self.rk, blocks, first, per) }
    }

    /// Garbles `ands` (at most [`MAX_BATCH`]) in place on `labels`, writing
    /// 32 bytes of table per gate to `tables`; without `folded`, every
    /// second input slot is the zero slot and is not read.
    pub(crate) fn garble_ands(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        delta: Lane,
        first: u64,
        tables: &mut [u8],
        folded: bool,
    ) {
        // SAFETY: a `RoundKeys` exists only where `detected()` held; label
        // accesses are bounds-checked, table stores stay within the
        // `32 * ands.len()` bytes asserted on entry (masked for a last
        // partial quad), scratch accesses within the quads the first pass
        // wrote.
        unsafe {
            let delta = std::mem::transmute::<Lane, __m128i>(delta);
            if folded {
                garble::<true>(&self.rk, labels, ands, delta, first, tables)
            } else {
                garble::<false>(&self.rk, labels, ands, delta, first, tables)
            }
        }
    }

    /// Evaluates `ands` (at most [`MAX_BATCH`]) in place on `labels`,
    /// reading 32 bytes of table per gate from `tables`; without `folded`,
    /// every second input slot is the zero slot and is not read (by the
    /// wide kernel: narrow batches are short, and nearly all of them have
    /// folded inputs).
    pub(crate) fn eval_ands(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        tables: &[u8],
        first: u64,
        folded: bool,
    ) {
        // SAFETY: as in `garble_ands`, with table loads in place of stores
        // (the narrow kernel's masked for a last register of one gate).
        unsafe {
            match ands.len() {
                0 => {}
                1..=NARROW_MAX => evaluate_narrow_any(&self.rk, labels, ands, tables, first),
                _ if folded => evaluate::<true>(&self.rk, labels, ands, tables, first),
                _ => evaluate::<false>(&self.rk, labels, ands, tables, first),
            }
        }
    }
}
