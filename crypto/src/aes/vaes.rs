//! The x86-64 back end: AES-NI key schedule, 256-bit VAES rounds.
//!
//! Every `unsafe` block of the crate that touches intrinsics is here. Each
//! entry point is a safe method of [`RoundKeys`], which exists only once
//! [`detected`] has confirmed AES-NI, VAES and AVX2, so the
//! `#[target_feature]` functions below are only ever called on CPUs that have
//! those features.
#![allow(unsafe_code)]

use crate::Block;
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
unsafe fn expand(key: Block) -> [[u8; 16]; 11] {
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

/// TCCR of GKWY20 (sec. 7.3), `H(x, i) = pi(pi(x) ^ i) ^ pi(x)`, in place.
/// Block `k` gets tweak `first + k / per` (low 64 bits; high bits zero).
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
    let mut ys = core::mem::MaybeUninit::<[Block; TCCR_WINDOW]>::uninit();
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
            for t in tw.iter_mut() {
                *t = _mm256_add_epi64(*t, step);
            }
        }
        window[full..].copy_from_slice(&tail[..m - full]);
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
}
