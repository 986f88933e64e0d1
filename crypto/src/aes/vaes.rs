//! The x86-64 back end: AES-NI key schedule, 256-bit VAES rounds.
//!
//! Every `unsafe` block of the crate that touches intrinsics is here. Each
//! entry point is a safe method of [`RoundKeys`], which exists only once
//! [`detected`] has confirmed AES-NI, VAES and AVX2, so the
//! `#[target_feature]` functions below are only ever called on CPUs that have
//! those features.
#![allow(unsafe_code)]

use crate::{AndOp, Block, Lane, MAX_BATCH};
use core::arch::x86_64::*;
use std::sync::OnceLock;

/// Blocks in flight per group: 8 ymm registers of two blocks each. AES round
/// latency on current cores is 4 cycles at 2 rounds a cycle, so 8 independent
/// registers keep both units busy.
const LANES: usize = 16;

/// Whether AES-NI, VAES and AVX2 are all present (probed once per process).
pub(crate) fn detected() -> bool {
    static FLAG: OnceLock<bool> = OnceLock::new();
    *FLAG.get_or_init(|| {
        is_x86_feature_detected!("aes")
            && is_x86_feature_detected!("vaes")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("sse2")
    })
}

/// The 11 AES-128 round keys, each broadcast to both halves of a ymm register.
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

macro_rules! expand_round {
    ($k:expr, $rcon:literal) => {{
        let k = $k;
        let t = _mm_shuffle_epi32::<0xff>(_mm_aeskeygenassist_si128::<$rcon>(k));
        let k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        let k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        let k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        _mm_xor_si128(k, t)
    }};
}

#[target_feature(enable = "aes,sse2")]
pub(super) unsafe fn expand(key: Block) -> [[u8; 16]; 11] {
    let mut out = [[0u8; 16]; 11];
    let k0 = _mm_loadu_si128(key.to_bytes().as_ptr().cast());
    let k1 = expand_round!(k0, 0x01);
    let k2 = expand_round!(k1, 0x02);
    let k3 = expand_round!(k2, 0x04);
    let k4 = expand_round!(k3, 0x08);
    let k5 = expand_round!(k4, 0x10);
    let k6 = expand_round!(k5, 0x20);
    let k7 = expand_round!(k6, 0x40);
    let k8 = expand_round!(k7, 0x80);
    let k9 = expand_round!(k8, 0x1b);
    let k10 = expand_round!(k9, 0x36);
    for (o, k) in out
        .iter_mut()
        .zip([k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10])
    {
        _mm_storeu_si128(o.as_mut_ptr().cast(), k);
    }
    out
}

/// Loads the round keys into ymm registers (both halves).
macro_rules! load_keys {
    ($rk:expr) => {{
        let mut k = [_mm256_setzero_si256(); 11];
        for (i, kk) in k.iter_mut().enumerate() {
            *kk = _mm256_broadcastsi128_si256(_mm_loadu_si128($rk[i].as_ptr().cast()));
        }
        k
    }};
}

/// Full AES-128 over an array of ymm registers, rounds interleaved across
/// the array so independent registers fill the pipeline.
macro_rules! aes_all {
    ($k:expr, $v:expr) => {{
        for v in $v.iter_mut() {
            *v = _mm256_xor_si256(*v, $k[0]);
        }
        for r in 1..10 {
            for v in $v.iter_mut() {
                *v = _mm256_aesenc_epi128(*v, $k[r]);
            }
        }
        for v in $v.iter_mut() {
            *v = _mm256_aesenclast_epi128(*v, $k[10]);
        }
    }};
}

#[target_feature(enable = "aes,vaes,avx2")]
unsafe fn encrypt_vaes(rk: &[[u8; 16]; 11], blocks: &mut [Block]) {
    let k = load_keys!(rk);
    let mut groups = blocks.chunks_exact_mut(LANES);
    for g in &mut groups {
        let p = g.as_mut_ptr().cast::<__m256i>();
        let mut v = [_mm256_setzero_si256(); LANES / 2];
        for (i, vv) in v.iter_mut().enumerate() {
            *vv = _mm256_loadu_si256(p.add(i));
        }
        aes_all!(k, v);
        for (i, vv) in v.iter().enumerate() {
            _mm256_storeu_si256(p.add(i), *vv);
        }
    }
    let rest = groups.into_remainder();
    if !rest.is_empty() {
        let mut buf = [Block::ZERO; LANES];
        buf[..rest.len()].copy_from_slice(rest);
        let p = buf.as_mut_ptr().cast::<__m256i>();
        let mut v = [_mm256_setzero_si256(); LANES / 2];
        for (i, vv) in v.iter_mut().enumerate() {
            *vv = _mm256_loadu_si256(p.add(i));
        }
        aes_all!(k, v);
        for (i, vv) in v.iter().enumerate() {
            _mm256_storeu_si256(p.add(i), *vv);
        }
        rest.copy_from_slice(&buf[..rest.len()]);
        // The blocks may be secret (a PRG's output).
        wipe_blocks(&mut buf[..rest.len()]);
    }
}

/// Blocks per two-pass window of the TCCR hash: the first AES call runs
/// over the whole window, then the second. Each pass is a long run of
/// independent blocks, so neither waits on the other's results; 256 blocks
/// of first-call outputs (4 KiB) stay in the L1 cache between passes.
const TCCR_WINDOW: usize = 256;

/// Loads the 8 registers of one group of 16 blocks at `p`.
macro_rules! load_group {
    ($p:expr) => {{
        let p = $p;
        let mut v = [_mm256_setzero_si256(); LANES / 2];
        for (i, vv) in v.iter_mut().enumerate() {
            *vv = _mm256_loadu_si256(p.add(i));
        }
        v
    }};
}

/// TCCR of GKWY20 (sec. 7.4), `H(x, i) = pi(pi(x) ^ i) ^ pi(x)`, in place.
/// Block `k` gets tweak `first + k / per` (low 64 bits; high bits zero).
///
/// The scratch `ys` holds `pi(x)` between the passes. The key is public, so
/// `pi(x)` gives `x` back; each group of it is wiped as soon as the second
/// pass has read it for the last time, while the AES units work on the next
/// group, so the wipe costs stores only.
#[target_feature(enable = "aes,vaes,avx2")]
unsafe fn tccr_vaes(rk: &[[u8; 16]; 11], blocks: &mut [Block], first: u64, per: usize) {
    let k = load_keys!(rk);
    // Tweaks of register i of a group: blocks 2i and 2i+1. With per == 1 they
    // are first + 2i and first + 2i + 1, stepping by 16 per group; with
    // per == 2 both are first + i, stepping by 8 per group.
    let (t0, t1, reg_step) = if per == 1 {
        (0u64, 1u64, 2u64)
    } else {
        (0, 0, 1)
    };
    let group_step = reg_step * (LANES as u64 / 2);
    let mut tw = [_mm256_setzero_si256(); LANES / 2];
    for (i, t) in tw.iter_mut().enumerate() {
        let base = first.wrapping_add(reg_step * i as u64);
        *t = _mm256_set_epi64x(
            0,
            base.wrapping_add(t1) as i64,
            0,
            base.wrapping_add(t0) as i64,
        );
    }
    let step = _mm256_set_epi64x(0, group_step as i64, 0, group_step as i64);
    // Every group of `ys` read in the second pass was written in the first.
    // Declared as registers so that every group is 32-byte aligned, as the
    // volatile stores of `wipe_group` require.
    let mut ys = core::mem::MaybeUninit::<[__m256i; TCCR_WINDOW / 2]>::uninit();
    let ysp = ys.as_mut_ptr().cast::<Block>();
    for window in blocks.chunks_mut(TCCR_WINDOW) {
        let m = window.len();
        let full = m / LANES * LANES;
        // A last partial group is padded in `tail` and copied back.
        let mut tail = [Block::ZERO; LANES];
        tail[..m - full].copy_from_slice(&window[full..]);
        let groups = m.div_ceil(LANES);
        let wp = window.as_mut_ptr();
        for g in 0..groups {
            let src = if g * LANES < full {
                wp.add(g * LANES)
            } else {
                tail.as_mut_ptr()
            };
            let mut v = load_group!(src.cast::<__m256i>());
            aes_all!(k, v);
            let y = ysp.add(g * LANES).cast::<__m256i>();
            for (i, vv) in v.iter().enumerate() {
                _mm256_storeu_si256(y.add(i), *vv);
            }
        }
        for g in 0..groups {
            let y = ysp.add(g * LANES).cast::<__m256i>();
            let mut v = load_group!(y);
            for (vv, t) in v.iter_mut().zip(tw.iter()) {
                *vv = _mm256_xor_si256(*vv, *t);
            }
            aes_all!(k, v);
            let dst = if g * LANES < full {
                wp.add(g * LANES)
            } else {
                tail.as_mut_ptr()
            };
            let dst = dst.cast::<__m256i>();
            for (i, vv) in v.iter().enumerate() {
                _mm256_storeu_si256(
                    dst.add(i),
                    _mm256_xor_si256(*vv, _mm256_loadu_si256(y.add(i))),
                );
            }
            wipe_group(y);
            for t in tw.iter_mut() {
                *t = _mm256_add_epi64(*t, step);
            }
        }
        if full < m {
            window[full..].copy_from_slice(&tail[..m - full]);
            wipe_blocks(&mut tail[..m - full]);
        }
    }
}

/// Overwrites `blocks` with zeros, one 16-byte volatile store each (the
/// optimizer may not drop them, though nothing reads the blocks again).
#[inline(always)]
unsafe fn wipe_blocks(blocks: &mut [Block]) {
    for b in blocks {
        // `Block` is 16 bytes with alignment 16, as `__m128i` needs.
        core::ptr::write_volatile((b as *mut Block).cast::<__m128i>(), core::mem::zeroed());
    }
}

/// Overwrites the 8 registers' worth of memory at `p` (one group of 16
/// blocks, 32-byte aligned) with zeros. Volatile stores: the optimizer may
/// not drop them, though nothing reads the memory again.
#[inline(always)]
unsafe fn wipe_group(p: *mut __m256i) {
    for i in 0..LANES / 2 {
        core::ptr::write_volatile(p.add(i), core::mem::zeroed());
    }
}

/// The lowest bit of each 128-bit half of `x`, spread to all of that half.
#[inline(always)]
unsafe fn lsb_mask256(x: __m256i) -> __m256i {
    _mm256_srai_epi32::<31>(_mm256_slli_epi32::<31>(_mm256_shuffle_epi32::<0>(x)))
}

/// The 128-bit label in slot `s` (bounds-checked: the slot numbers come
/// from a [`crate::Schedule`], which only names slots below its
/// `num_slots`, the length of every label array, but a check per load is
/// cheap and keeps this function sound for any input).
#[inline(always)]
unsafe fn load_label(labels: &[Lane], s: u32) -> __m128i {
    _mm_load_si128((&labels[s as usize] as *const Lane).cast())
}

/// The input label `labels[s] ^ labels[s2]` of an AND gate (see
/// [`AndOp`]).
#[inline(always)]
unsafe fn load_input(labels: &[Lane], s: u32, s2: u32) -> __m128i {
    _mm_xor_si128(load_label(labels, s), load_label(labels, s2))
}

#[inline(always)]
unsafe fn store_label(labels: &mut [Lane], s: u32, v: __m128i) {
    _mm_store_si128((&mut labels[s as usize] as *mut Lane).cast(), v)
}

/// Half-gates garbling (ZRE15 sec. 3) of up to [`MAX_BATCH`] independent
/// AND gates, fused with the TCCR hash: the first AES pass gathers
/// `[A0, A0^Delta]` and `[B0, B0^Delta]` of 4 gates straight from the label
/// slots into 8 registers; the second pass finishes the hash and forms each
/// gate's `TG`, `TE` (one 32-byte store) and output 0-label at once. The
/// tweaks are those of `tccr_vaes(.., per = 2)` on `[A0, A1, B0, B1]`.
///
/// No output slot of `ands` is an input slot of `ands` (the schedule's
/// batch rule), so writing outputs while later gates still read is safe.
///
/// The scratch `ys` of the first pass holds `pi(A0), pi(A1)` of each gate;
/// with the key public they give `A0 ^ A1 = Delta`, so each group is wiped
/// once the second pass has read it.
#[target_feature(enable = "aes,vaes,avx2")]
unsafe fn garble_vaes(
    rk: &[[u8; 16]; 11],
    labels: &mut [Lane],
    ands: &[AndOp],
    delta: __m128i,
    first: u64,
    tables: &mut [u8],
) {
    assert!(ands.len() <= MAX_BATCH && tables.len() >= ands.len() * 32);
    let k = load_keys!(rk);
    let dmask = _mm256_inserti128_si256::<1>(_mm256_setzero_si256(), delta);
    let mut ys = core::mem::MaybeUninit::<[__m256i; 2 * MAX_BATCH]>::uninit();
    let ysp = ys.as_mut_ptr().cast::<__m256i>();
    for (g, quad) in ands.chunks(4).enumerate() {
        let mut v = [_mm256_setzero_si256(); LANES / 2];
        for (j, op) in quad.iter().enumerate() {
            let a0 = _mm256_broadcastsi128_si256(load_input(labels, op.a, op.a2));
            let b0 = _mm256_broadcastsi128_si256(load_input(labels, op.b, op.b2));
            v[2 * j] = _mm256_xor_si256(a0, dmask);
            v[2 * j + 1] = _mm256_xor_si256(b0, dmask);
        }
        aes_all!(k, v);
        for (i, vv) in v.iter().enumerate() {
            _mm256_store_si256(ysp.add(8 * g + i), *vv);
        }
    }
    // Register i of group g: tweak first + 8g + i in both halves.
    let mut tw = [_mm256_setzero_si256(); LANES / 2];
    for (i, t) in tw.iter_mut().enumerate() {
        let x = first.wrapping_add(i as u64) as i64;
        *t = _mm256_set_epi64x(0, x, 0, x);
    }
    let step = _mm256_set_epi64x(0, 8, 0, 8);
    let tp = tables.as_mut_ptr().cast::<__m256i>();
    // Software-pipelined: the half-gate arithmetic of group g-1 is spread
    // over the AES rounds of group g, one gate every other round, so the AES
    // units keep working while it runs.
    let n_groups = ands.len().div_ceil(4);
    let mut prev = [_mm256_setzero_si256(); LANES / 2];
    let mut prev_ops: &[AndOp] = &[];
    for g in 0..=n_groups {
        macro_rules! finish {
            ($j:expr) => {
                if let Some(op) = prev_ops.get($j) {
                    garble_gate(
                        labels,
                        op,
                        prev[2 * $j],
                        prev[2 * $j + 1],
                        delta,
                        tp.add(4 * (g - 1) + $j),
                    );
                }
            };
        }
        if g == n_groups {
            for j in 0..4 {
                finish!(j);
            }
            break;
        }
        let y = ysp.add(8 * g);
        let mut v = [_mm256_setzero_si256(); LANES / 2];
        for (i, vv) in v.iter_mut().enumerate() {
            *vv = _mm256_xor_si256(_mm256_xor_si256(_mm256_load_si256(y.add(i)), tw[i]), k[0]);
            tw[i] = _mm256_add_epi64(tw[i], step);
        }
        for r in 1..10 {
            for vv in v.iter_mut() {
                *vv = _mm256_aesenc_epi128(*vv, k[r]);
            }
            if r % 2 == 0 {
                finish!(r / 2 - 1);
            }
        }
        for (i, vv) in v.iter_mut().enumerate() {
            *vv = _mm256_xor_si256(
                _mm256_aesenclast_epi128(*vv, k[10]),
                _mm256_load_si256(y.add(i)),
            );
        }
        // `[pi(A0), pi(A1)]` give `A0` and `A1`, so Delta: wiped now, while
        // the AES units start on the next group.
        wipe_group(y);
        prev = v;
        prev_ops = &ands[4 * g..(4 * g + 4).min(ands.len())];
    }
}

/// One garbled AND gate (ZRE15 fig. 2) from `ha = [H(A0), H(A1)]` and
/// `hb = [H(B0), H(B1)]`: stores `[TG, TE]` at `t` and the output 0-label.
#[inline(always)]
unsafe fn garble_gate(
    labels: &mut [Lane],
    op: &AndOp,
    ha: __m256i,
    hb: __m256i,
    delta: __m128i,
    t: *mut __m256i,
) {
    let a0 = load_input(labels, op.a, op.a2);
    let b0 = load_input(labels, op.b, op.b2);
    // [pa, pb] masks from the permute bits.
    let m = lsb_mask256(_mm256_inserti128_si256::<1>(_mm256_castsi128_si256(a0), b0));
    let (ma, mb) = (_mm256_castsi256_si128(m), _mm256_extracti128_si256::<1>(m));
    let (ha0, ha1) = (
        _mm256_castsi256_si128(ha),
        _mm256_extracti128_si256::<1>(ha),
    );
    let (hb0, hb1) = (
        _mm256_castsi256_si128(hb),
        _mm256_extracti128_si256::<1>(hb),
    );
    let hbx = _mm_xor_si128(hb0, hb1);
    let tg = _mm_xor_si128(_mm_xor_si128(ha0, ha1), _mm_and_si128(delta, mb));
    let wg0 = _mm_xor_si128(ha0, _mm_and_si128(tg, ma));
    let te = _mm_xor_si128(hbx, a0);
    let we0 = _mm_xor_si128(hb0, _mm_and_si128(hbx, mb));
    store_label(labels, op.out, _mm_xor_si128(wg0, we0));
    _mm256_storeu_si256(
        t,
        _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(tg), te),
    );
}

impl RoundKeys {
    /// The expanded key, or `None` when this CPU lacks the features.
    pub(crate) fn new(key: Block) -> Option<RoundKeys> {
        if !detected() {
            return None;
        }
        // SAFETY: AES-NI and SSE2 were detected just above.
        Some(RoundKeys {
            rk: unsafe { expand(key) },
        })
    }

    pub(crate) fn encrypt_blocks(&self, blocks: &mut [Block]) {
        // SAFETY: a `RoundKeys` exists only where `detected()` held; pointer
        // accesses stay within `blocks` or the local buffer (whole groups of
        // 16 blocks = 8 ymm registers, unaligned loads and stores).
        unsafe { encrypt_vaes(&self.rk, blocks) }
    }

    pub(crate) fn tccr_seq(&self, blocks: &mut [Block], first: u64, per: usize) {
        // SAFETY: as in `encrypt_blocks`.
        unsafe { tccr_vaes(&self.rk, blocks, first, per) }
    }

    /// Garbles `ands` (at most [`MAX_BATCH`]) in place on `labels`, writing
    /// 32 bytes of table per gate to `tables`.
    pub(crate) fn garble_ands(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        delta: Lane,
        first: u64,
        tables: &mut [u8],
    ) {
        // SAFETY: a `RoundKeys` exists only where `detected()` held; label
        // accesses are bounds-checked, table stores stay within the
        // `32 * ands.len()` bytes asserted on entry, scratch accesses within
        // the groups written by the first pass.
        unsafe {
            garble_vaes(
                &self.rk,
                labels,
                ands,
                std::mem::transmute::<Lane, __m128i>(delta),
                first,
                tables,
            )
        }
    }
}
