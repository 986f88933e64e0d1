//! The crate's only `unsafe`: SSE2/AVX2 bit-matrix transpose (tiles streamed
//! out with non-temporal stores), PCLMULQDQ/VPCLMULQDQ carry-less products
//! for the KOS check, and the zero-copy byte view of a block slice, each
//! beside a portable twin that the tests hold it to. SSE2 is part of the
//! x86-64 baseline; everything else is detected at run time.
#![allow(unsafe_code)]

use crypto::Block;

/// Transposes 128 bit rows of `row_bytes` bytes each (row `i` at
/// `rows[i*row_bytes..]`, bit `j` of a row is bit `j%8` of its byte `j/8`) and
/// appends the `8*row_bytes` results to `out`: bit `i` of the `j`-th appended
/// block is bit `j` of row `i`. Writes straight into spare capacity, so the
/// output is never zero-filled first.
pub(crate) fn transpose_128_append(rows: &[u8], row_bytes: usize, out: &mut Vec<Block>) {
    transpose_128_append_each(rows, row_bytes, out, |_, _| {});
}

/// [`transpose_128_append`], calling `each(k, tile)` as soon as the 128
/// output blocks `128k..128k+128` of tile `k` are written, so a pass over
/// them (the KOS check) finds them in L1 instead of re-reading the chunk.
pub(crate) fn transpose_128_append_each(
    rows: &[u8],
    row_bytes: usize,
    out: &mut Vec<Block>,
    mut each: impl FnMut(usize, &[Block]),
) {
    assert_eq!(row_bytes % 16, 0, "rows are whole blocks");
    assert_eq!(rows.len(), 128 * row_bytes);
    let m = 8 * row_bytes;
    out.reserve(m);
    // Each tile is transposed into an L1 buffer, handed to `each`, then
    // streamed to `out` with non-temporal stores: the kernel's scattered
    // 4-byte writes stay in L1, and the output (megabytes, not read again
    // here) costs no read-for-ownership of its cache lines.
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_sfence, _mm_stream_si128};
        let avx2 = std::arch::is_x86_feature_detected!("avx2");
        let mut tile = [Block::ZERO; 128];
        for k in 0..row_bytes / 16 {
            let dst = tile.as_mut_ptr() as *mut u8;
            if avx2 {
                // SAFETY: AVX2 was detected; the asserts bound every load of
                // tile `k`, and the kernel writes the 128 blocks of `tile`.
                unsafe { transpose_tile_avx2(rows, row_bytes, k, dst) }
            } else {
                // SAFETY: SSE2 is baseline on x86-64; bounds as above.
                unsafe { transpose_tile_sse2(rows, row_bytes, k, dst) }
            }
            each(k, &tile);
            let start = out.len();
            let spare = out.spare_capacity_mut()[..128].as_mut_ptr() as *mut __m128i;
            if (spare as usize) & 15 == 0 {
                for (j, b) in tile.iter().enumerate() {
                    // SAFETY: SSE2 is baseline; `spare` is 16-byte aligned and
                    // the 128 blocks after `len` are reserved capacity.
                    unsafe {
                        _mm_stream_si128(
                            spare.add(j),
                            _mm_loadu_si128(b as *const Block as *const __m128i),
                        )
                    }
                }
            } else {
                for (j, b) in tile.iter().enumerate() {
                    // SAFETY: as above, without the alignment.
                    unsafe { (spare.add(j) as *mut Block).write_unaligned(*b) }
                }
            }
            // SAFETY: the 128 blocks after `len` were written just above.
            unsafe { out.set_len(start + 128) }
        }
        // SAFETY: SSE2 is baseline; orders the streamed stores before any
        // later access to `out`.
        unsafe { _mm_sfence() };
        tile.iter_mut().for_each(zeroize::Zeroize::zeroize);
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let start = out.len();
        out.resize(start + m, Block::ZERO);
        transpose_128_portable(rows, row_bytes, &mut out[start..]);
        for k in 0..row_bytes / 16 {
            each(k, &out[start + 128 * k..start + 128 * (k + 1)]);
        }
    }
}

/// The bytes of `blocks` in wire order (each block's `to_bytes`): borrowed on
/// little-endian targets, where that is the memory layout of `Block`.
pub(crate) fn wire_bytes(blocks: &[Block]) -> std::borrow::Cow<'_, [u8]> {
    #[cfg(target_endian = "little")]
    {
        // SAFETY: `Block` is `repr(transparent)` over `u128`, which has no
        // padding and whose little-endian memory is exactly `to_bytes`; the
        // slice covers the same memory for the same lifetime.
        std::borrow::Cow::Borrowed(unsafe {
            std::slice::from_raw_parts(blocks.as_ptr() as *const u8, 16 * blocks.len())
        })
    }
    #[cfg(not(target_endian = "little"))]
    {
        std::borrow::Cow::Owned(blocks.iter().flat_map(|b| b.to_bytes()).collect())
    }
}

/// Bit-by-bit reference transpose; the fallback off x86-64.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(crate) fn transpose_128_portable(rows: &[u8], row_bytes: usize, out: &mut [Block]) {
    for o in out.iter_mut() {
        *o = Block::ZERO;
    }
    for i in 0..128 {
        let row = &rows[i * row_bytes..(i + 1) * row_bytes];
        for (jb, byte) in row.iter().enumerate() {
            for bit in 0..8 {
                out[8 * jb + bit].0 |= (((byte >> bit) & 1) as u128) << i;
            }
        }
    }
}

/// 16 rows are loaded 16 bytes at a time, a 16x16 byte transpose (four rounds
/// of unpack) puts byte `c` of the 16 rows in one register, and `movemask`
/// then peels off one output row's 16 bits per bit position.
/// Tile `k` (input bytes `16k..16k+16` of every row) to the 128 blocks at
/// `outp`.
#[cfg(target_arch = "x86_64")]
unsafe fn transpose_tile_sse2(rows: &[u8], row_bytes: usize, k: usize, outp: *mut u8) {
    use std::arch::x86_64::*;
    let inp = rows.as_ptr();
    for g in 0..8 {
        let mut v = [_mm_setzero_si128(); 16];
        for (r, vr) in v.iter_mut().enumerate() {
            *vr = _mm_loadu_si128(inp.add((16 * g + r) * row_bytes + 16 * k) as *const __m128i);
        }
        // Round 1: pairs of rows interleaved byte by byte.
        let mut s = [_mm_setzero_si128(); 16];
        for p in 0..8 {
            s[p] = _mm_unpacklo_epi8(v[2 * p], v[2 * p + 1]);
            s[p + 8] = _mm_unpackhi_epi8(v[2 * p], v[2 * p + 1]);
        }
        // Round 2: groups of 4 rows; t[4q+p] holds bytes 4q..4q+3 of rows 4p..4p+3.
        let mut t = [_mm_setzero_si128(); 16];
        for p in 0..4 {
            t[p] = _mm_unpacklo_epi16(s[2 * p], s[2 * p + 1]);
            t[p + 4] = _mm_unpackhi_epi16(s[2 * p], s[2 * p + 1]);
            t[p + 8] = _mm_unpacklo_epi16(s[8 + 2 * p], s[8 + 2 * p + 1]);
            t[p + 12] = _mm_unpackhi_epi16(s[8 + 2 * p], s[8 + 2 * p + 1]);
        }
        // Round 3: u[4q+2h+p] holds bytes 4q+2h, 4q+2h+1 of rows 8p..8p+7.
        let mut u = [_mm_setzero_si128(); 16];
        for q in 0..4 {
            for p in 0..2 {
                u[4 * q + p] = _mm_unpacklo_epi32(t[4 * q + 2 * p], t[4 * q + 2 * p + 1]);
                u[4 * q + 2 + p] = _mm_unpackhi_epi32(t[4 * q + 2 * p], t[4 * q + 2 * p + 1]);
            }
        }
        // Round 4: w[c] holds byte c of all 16 rows.
        let mut w = [_mm_setzero_si128(); 16];
        for q in 0..4 {
            for h in 0..2 {
                w[4 * q + 2 * h] = _mm_unpacklo_epi64(u[4 * q + 2 * h], u[4 * q + 2 * h + 1]);
                w[4 * q + 2 * h + 1] = _mm_unpackhi_epi64(u[4 * q + 2 * h], u[4 * q + 2 * h + 1]);
            }
        }
        for (c, wc) in w.iter().enumerate() {
            let mut x = *wc;
            for bit in (0..8).rev() {
                let mask = _mm_movemask_epi8(x) as u16;
                let row = 8 * c + bit;
                (outp.add(16 * row + 2 * g) as *mut u16).write_unaligned(mask.to_le());
                x = _mm_slli_epi64(x, 1);
            }
        }
    }
}

/// The SSE2 kernel twice over: groups `g` and `g+1` ride in the two 128-bit
/// lanes (every unpack works within a lane), and one 256-bit `movemask` yields
/// 32 bits of an output row.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn transpose_tile_avx2(rows: &[u8], row_bytes: usize, k: usize, outp: *mut u8) {
    use std::arch::x86_64::*;
    let inp = rows.as_ptr();
    for g in (0..8).step_by(2) {
        let mut v = [_mm256_setzero_si256(); 16];
        for (r, vr) in v.iter_mut().enumerate() {
            let lo = inp.add((16 * g + r) * row_bytes + 16 * k) as *const __m128i;
            let hi = inp.add((16 * (g + 1) + r) * row_bytes + 16 * k) as *const __m128i;
            *vr = _mm256_loadu2_m128i(hi, lo);
        }
        let mut s = [_mm256_setzero_si256(); 16];
        for p in 0..8 {
            s[p] = _mm256_unpacklo_epi8(v[2 * p], v[2 * p + 1]);
            s[p + 8] = _mm256_unpackhi_epi8(v[2 * p], v[2 * p + 1]);
        }
        let mut t = [_mm256_setzero_si256(); 16];
        for p in 0..4 {
            t[p] = _mm256_unpacklo_epi16(s[2 * p], s[2 * p + 1]);
            t[p + 4] = _mm256_unpackhi_epi16(s[2 * p], s[2 * p + 1]);
            t[p + 8] = _mm256_unpacklo_epi16(s[8 + 2 * p], s[8 + 2 * p + 1]);
            t[p + 12] = _mm256_unpackhi_epi16(s[8 + 2 * p], s[8 + 2 * p + 1]);
        }
        let mut u = [_mm256_setzero_si256(); 16];
        for q in 0..4 {
            for p in 0..2 {
                u[4 * q + p] = _mm256_unpacklo_epi32(t[4 * q + 2 * p], t[4 * q + 2 * p + 1]);
                u[4 * q + 2 + p] = _mm256_unpackhi_epi32(t[4 * q + 2 * p], t[4 * q + 2 * p + 1]);
            }
        }
        let mut w = [_mm256_setzero_si256(); 16];
        for q in 0..4 {
            for h in 0..2 {
                w[4 * q + 2 * h] = _mm256_unpacklo_epi64(u[4 * q + 2 * h], u[4 * q + 2 * h + 1]);
                w[4 * q + 2 * h + 1] =
                    _mm256_unpackhi_epi64(u[4 * q + 2 * h], u[4 * q + 2 * h + 1]);
            }
        }
        for (c, wc) in w.iter().enumerate() {
            let mut x = *wc;
            for bit in (0..8).rev() {
                let mask = _mm256_movemask_epi8(x) as u32;
                let row = 8 * c + bit;
                (outp.add(16 * row + 2 * g) as *mut u32).write_unaligned(mask.to_le());
                x = _mm256_slli_epi64(x, 1);
            }
        }
    }
}

/// Unreduced sum of carry-less products, `(high, low)` halves of 256 bits.
pub(crate) type Wide = (u128, u128);

/// Sum over `j` of `a[j] * b[j]` as 256-bit carry-less products, unreduced:
/// reduction is linear, so one reduction at the end serves the whole sum.
pub(crate) fn clmul_inner_product(a: &[Block], b: &[Block]) -> Wide {
    assert_eq!(a.len(), b.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("vpclmulqdq")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            // SAFETY: all three features the function enables were detected
            // just above; lengths are equal.
            return unsafe { clmul_inner_product_vpclmul(a, b) };
        }
        if std::arch::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the feature was detected just above; lengths are equal.
            return unsafe { clmul_inner_product_pclmul(a, b) };
        }
    }
    clmul_inner_product_portable(a, b)
}

/// Branch-free 64x64 carry-less product, constant time in both operands.
fn clmul64(a: u64, b: u64) -> u128 {
    let mut r = 0u128;
    for i in 0..64 {
        let mask = (((b >> i) & 1) as u128).wrapping_neg();
        r ^= ((a as u128) << i) & mask;
    }
    r
}

pub(crate) fn clmul_inner_product_portable(a: &[Block], b: &[Block]) -> Wide {
    let (mut lo, mut mid, mut hi) = (0u128, 0u128, 0u128);
    for (x, y) in a.iter().zip(b) {
        let (x0, x1) = (x.0 as u64, (x.0 >> 64) as u64);
        let (y0, y1) = (y.0 as u64, (y.0 >> 64) as u64);
        lo ^= clmul64(x0, y0);
        hi ^= clmul64(x1, y1);
        mid ^= clmul64(x0, y1) ^ clmul64(x1, y0);
    }
    (hi ^ (mid >> 64), lo ^ (mid << 64))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
unsafe fn clmul_inner_product_pclmul(a: &[Block], b: &[Block]) -> Wide {
    use std::arch::x86_64::*;
    let mut lo = _mm_setzero_si128();
    let mut mid = _mm_setzero_si128();
    let mut hi = _mm_setzero_si128();
    for (x, y) in a.iter().zip(b) {
        let x = _mm_loadu_si128(x as *const Block as *const __m128i);
        let y = _mm_loadu_si128(y as *const Block as *const __m128i);
        lo = _mm_xor_si128(lo, _mm_clmulepi64_si128::<0x00>(x, y));
        hi = _mm_xor_si128(hi, _mm_clmulepi64_si128::<0x11>(x, y));
        mid = _mm_xor_si128(mid, _mm_clmulepi64_si128::<0x01>(x, y));
        mid = _mm_xor_si128(mid, _mm_clmulepi64_si128::<0x10>(x, y));
    }
    let lo: u128 = std::mem::transmute(lo);
    let mid: u128 = std::mem::transmute(mid);
    let hi: u128 = std::mem::transmute(hi);
    (hi ^ (mid >> 64), lo ^ (mid << 64))
}

/// Two products per instruction (one per 128-bit lane) and Karatsuba's three
/// multiplications instead of four; the middle term is corrected once at the
/// end, since `(a0+a1)(b0+b1) = a0b0 + a1b1 + middle` sums term by term.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "vpclmulqdq,avx2,pclmulqdq")]
unsafe fn clmul_inner_product_vpclmul(a: &[Block], b: &[Block]) -> Wide {
    use std::arch::x86_64::*;
    let pairs = a.len() / 2;
    let mut lo = _mm256_setzero_si256();
    let mut hi = _mm256_setzero_si256();
    let mut kara = _mm256_setzero_si256();
    let (pa, pb) = (a.as_ptr() as *const __m256i, b.as_ptr() as *const __m256i);
    for k in 0..pairs {
        let x = _mm256_loadu_si256(pa.add(k));
        let y = _mm256_loadu_si256(pb.add(k));
        lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128::<0x00>(x, y));
        hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128::<0x11>(x, y));
        let xs = _mm256_xor_si256(x, _mm256_shuffle_epi32::<0x4E>(x));
        let ys = _mm256_xor_si256(y, _mm256_shuffle_epi32::<0x4E>(y));
        kara = _mm256_xor_si256(kara, _mm256_clmulepi64_epi128::<0x00>(xs, ys));
    }
    let (lo, hi, kara) = (fold256(lo), fold256(hi), fold256(kara));
    let mid = kara ^ lo ^ hi;
    let (mut h, mut l) = (hi ^ (mid >> 64), lo ^ (mid << 64));
    if a.len() % 2 == 1 {
        let (th, tl) = clmul_inner_product_pclmul(&a[a.len() - 1..], &b[b.len() - 1..]);
        h ^= th;
        l ^= tl;
    }
    (h, l)
}

/// One stretch of the KOS check (KOS15 sec. 4): `sum chi_j * rows_j` as an
/// unreduced 256-bit sum and, when the choice bits are given (receiver side,
/// bit `j` of `bits` is the choice of row `j`), `sum chi_j * r_j`. Both in one
/// pass, so each row is read once while it is still in L1.
pub(crate) fn check_terms(chi: &[Block], rows: &[Block], bits: Option<&[u8]>) -> (Wide, Block) {
    assert_eq!(chi.len(), rows.len());
    assert_eq!(rows.len() % 8, 0, "whole bytes of choice bits");
    if let Some(b) = bits {
        assert_eq!(b.len(), rows.len() / 8);
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("vpclmulqdq")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            // SAFETY: all three features the function enables were detected
            // just above; the asserts bound every load (pairs of rows, one
            // bit byte per 8 rows).
            return unsafe {
                match bits {
                    Some(b) => check_terms_vpclmul::<true>(chi, rows, b),
                    None => check_terms_vpclmul::<false>(chi, rows, &[]),
                }
            };
        }
        if std::arch::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the feature was detected just above; lengths are equal.
            let wide = unsafe { clmul_inner_product_pclmul(chi, rows) };
            return (wide, bits.map_or(Block::ZERO, |b| select_sum(chi, b)));
        }
    }
    check_terms_portable(chi, rows, bits)
}

/// `sum chi_j * r_j` with `r_j` bit `j` of `bits`, without branching on it.
fn select_sum(chi: &[Block], bits: &[u8]) -> Block {
    chi.iter().enumerate().fold(Block::ZERO, |x, (j, c)| {
        x ^ c.select((bits[j / 8] >> (j % 8)) & 1 == 1)
    })
}

pub(crate) fn check_terms_portable(
    chi: &[Block],
    rows: &[Block],
    bits: Option<&[u8]>,
) -> (Wide, Block) {
    (
        clmul_inner_product_portable(chi, rows),
        bits.map_or(Block::ZERO, |b| select_sum(chi, b)),
    )
}

/// XOR of the two 128-bit lanes. Folding with vector instructions (rather
/// than transmuting the register to `[u128; 2]`) keeps the accumulators of
/// the loops above in registers: with the transmute, LLVM turned them into
/// eight scalar XOR chains and the loops ran at half speed.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fold256(v: std::arch::x86_64::__m256i) -> u128 {
    use std::arch::x86_64::*;
    let x = _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
    let mut out = [0u8; 16];
    _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, x);
    u128::from_le_bytes(out)
}

/// Schoolbook products, two rows per instruction, plus the choice sum: the
/// byte of 8 choice bits is broadcast and compared against one bit per
/// 128-bit lane, giving an all-ones or all-zero mask for each `chi_j`.
/// Four `VPCLMULQDQ` per pair of rows and no shuffles measured twice as fast
/// here as Karatsuba's three plus the shuffles and XORs that feed it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "vpclmulqdq,avx2,pclmulqdq")]
unsafe fn check_terms_vpclmul<const BITS: bool>(
    chi: &[Block],
    rows: &[Block],
    bits: &[u8],
) -> (Wide, Block) {
    use std::arch::x86_64::*;
    let mut lo = _mm256_setzero_si256();
    let mut hi = _mm256_setzero_si256();
    let mut mid0 = _mm256_setzero_si256();
    let mut mid1 = _mm256_setzero_si256();
    let mut x = _mm256_setzero_si256();
    // Pair `p` of a byte: rows 2p (low lane) and 2p+1 (high lane).
    let sel: [__m256i; 4] = std::array::from_fn(|p| {
        let (l, h) = (1i64 << (2 * p), 1i64 << (2 * p + 1));
        _mm256_set_epi64x(h, h, l, l)
    });
    let (pa, pb) = (
        chi.as_ptr() as *const __m256i,
        rows.as_ptr() as *const __m256i,
    );
    for k in 0..rows.len() / 2 {
        let a = _mm256_loadu_si256(pa.add(k));
        let b = _mm256_loadu_si256(pb.add(k));
        lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128::<0x00>(a, b));
        hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128::<0x11>(a, b));
        mid0 = _mm256_xor_si256(mid0, _mm256_clmulepi64_epi128::<0x01>(a, b));
        mid1 = _mm256_xor_si256(mid1, _mm256_clmulepi64_epi128::<0x10>(a, b));
        if BITS {
            let bv = _mm256_set1_epi64x(*bits.get_unchecked(k / 4) as i64);
            let sp = sel[k % 4];
            let mask = _mm256_cmpeq_epi64(_mm256_and_si256(bv, sp), sp);
            x = _mm256_xor_si256(x, _mm256_and_si256(mask, a));
        }
    }
    let (lo, hi, mid) = (
        fold256(lo),
        fold256(hi),
        fold256(_mm256_xor_si256(mid0, mid1)),
    );
    ((hi ^ (mid >> 64), lo ^ (mid << 64)), Block(fold256(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn transpose_matches_reference() {
        for row_bytes in [16, 32, 48, 256] {
            let rows = pseudo_random(128 * row_bytes, row_bytes as u64);
            let mut fast = vec![Block(5)];
            let mut slow = vec![Block::ZERO; 8 * row_bytes];
            transpose_128_append(&rows, row_bytes, &mut fast);
            transpose_128_portable(&rows, row_bytes, &mut slow);
            assert_eq!(fast[0], Block(5));
            assert_eq!(&fast[1..], &slow[..]);
            #[cfg(target_arch = "x86_64")]
            {
                let mut sse = vec![Block::ZERO; 8 * row_bytes];
                for k in 0..row_bytes / 16 {
                    let dst = sse[128 * k..].as_mut_ptr() as *mut u8;
                    // SAFETY: SSE2 is baseline on x86-64; `sse` holds 128
                    // blocks from `dst` on.
                    unsafe { transpose_tile_sse2(&rows, row_bytes, k, dst) };
                }
                assert_eq!(sse, slow);
            }
            // Spot-check the definition itself.
            let (i, j) = (77, 8 * row_bytes - 3);
            let bit = (rows[i * row_bytes + j / 8] >> (j % 8)) & 1;
            assert_eq!(((slow[j].0 >> i) & 1) as u8, bit);
        }
    }

    #[test]
    fn pclmul_matches_portable() {
        let bytes = pseudo_random(16 * 200, 5);
        let blocks: Vec<Block> = bytes
            .chunks_exact(16)
            .map(|c| Block::from_bytes(c.try_into().unwrap()))
            .collect();
        let (a, b) = blocks.split_at(100);
        assert_eq!(
            clmul_inner_product(a, b),
            clmul_inner_product_portable(a, b)
        );
        for len in [0, 1, 2, 3, 64, 99] {
            let want = clmul_inner_product_portable(&a[..len], &b[..len]);
            assert_eq!(clmul_inner_product(&a[..len], &b[..len]), want);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("pclmulqdq") {
                // SAFETY: feature detected; equal lengths.
                assert_eq!(
                    unsafe { clmul_inner_product_pclmul(&a[..len], &b[..len]) },
                    want
                );
            }
        }
    }

    #[test]
    fn clmul_small_values() {
        // (x + 1)^2 = x^2 + 1 and x^127 * x^127 = x^254, carry-less.
        assert_eq!(clmul_inner_product(&[Block(3)], &[Block(3)]), (0, 5));
        let top = Block(1 << 127);
        assert_eq!(clmul_inner_product(&[top], &[top]), (1 << 126, 0));
    }

    #[test]
    fn check_terms_match_portable() {
        let bytes = pseudo_random(16 * 512 + 32, 11);
        let blocks: Vec<Block> = bytes
            .chunks_exact(16)
            .map(|c| Block::from_bytes(c.try_into().unwrap()))
            .collect();
        let (chi, rows) = blocks.split_at(256);
        let bits = &bytes[16 * 512..];
        for len in [0, 8, 16, 128, 256] {
            let (c, r, b) = (&chi[..len], &rows[..len], &bits[..len / 8]);
            assert_eq!(check_terms(c, r, None), check_terms_portable(c, r, None));
            assert_eq!(
                check_terms(c, r, Some(b)),
                check_terms_portable(c, r, Some(b))
            );
            assert_eq!(
                check_terms(c, r, None).0,
                clmul_inner_product_portable(c, r)
            );
        }
        // The choice sum picks exactly the rows whose bit is set.
        let (_, x) = check_terms(&chi[..8], &rows[..8], Some(&[0b1000_0101]));
        assert_eq!(x, chi[0] ^ chi[2] ^ chi[7]);
    }

    #[test]
    fn wire_bytes_are_to_bytes() {
        let blocks = [Block(0x0102_0304), Block(u128::MAX - 5)];
        let want: Vec<u8> = blocks.iter().flat_map(|b| b.to_bytes()).collect();
        assert_eq!(&*wire_bytes(&blocks), &want[..]);
    }
}
