//! The AVX-512 back end: VAES rounds on 512-bit registers (four blocks per
//! instruction, 32 blocks in flight).
//!
//! Every `unsafe` block of this back end is here. Each entry point is a safe
//! method of [`RoundKeys`], which exists only once [`detected`] has confirmed
//! AES-NI, VAES, AVX-512F and AVX-512VL, so the `#[target_feature]` functions
//! below are only ever called on CPUs that have those features.
#![allow(unsafe_code)]

use crate::Block;
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
        for r in 1..10 {
            for v in $v.iter_mut() {
                *v = _mm512_aesenc_epi128(*v, $k[r]);
            }
        }
        for v in $v.iter_mut() {
            *v = _mm512_aesenclast_epi128(*v, $k[10]);
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
}
