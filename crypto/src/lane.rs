//! Wire labels as the CPU's 128-bit vector type, for the inner loops.
//!
//! A `u128` is two general-purpose registers to the compiler: it stores one
//! as two 8-byte writes, and the 16-byte vector load that reads it back soon
//! after cannot be forwarded from those writes, a stall of a dozen cycles on
//! every free gate. [`Lane`] keeps labels in SSE2 registers (baseline on
//! x86-64, so no run-time check), loaded and stored 16 bytes at a time.
#![allow(unsafe_code)]

use crate::Block;
use std::ops::{BitXor, BitXorAssign};

#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

#[cfg(all(target_arch = "x86_64", not(target_feature = "sse2")))]
compile_error!("x86-64 without SSE2 is not a target this crate supports");

#[cfg(target_arch = "x86_64")]
type Raw = __m128i;
#[cfg(not(target_arch = "x86_64"))]
type Raw = u128;

/// A 128-bit label in a vector register. Same size, alignment and byte
/// layout as [`Block`]. `Debug` is redacted.
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Lane(Raw);

const _: () = assert!(std::mem::size_of::<Lane>() == 16 && std::mem::align_of::<Lane>() == 16);

impl Lane {
    /// The all-zero lane.
    #[inline(always)]
    pub fn zero() -> Lane {
        Lane::from(Block::ZERO)
    }

    /// `self` if `bit`, else zero, without a branch.
    #[inline(always)]
    pub fn select(self, bit: bool) -> Lane {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of the x86-64 baseline (checked below).
            Lane(unsafe { _mm_and_si128(self.0, _mm_set1_epi64x(-(bit as i64))) })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Lane(self.0 & (bit as u128).wrapping_neg())
        }
    }

    /// The lowest bit: the permute bit of a label.
    #[inline(always)]
    pub fn lsb(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            unsafe { _mm_cvtsi128_si32(self.0) & 1 == 1 }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self.0 & 1 == 1
        }
    }

    /// Writes the 16 little-endian bytes of the lane (the same bytes as
    /// [`Block::to_bytes`]) to `out[..16]`.
    ///
    /// # Panics
    /// If `out` is shorter than 16 bytes.
    #[inline(always)]
    pub fn write_to(self, out: &mut [u8]) {
        let out = &mut out[..16];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `out` has exactly 16 writable bytes; the store is unaligned.
        unsafe {
            _mm_storeu_si128(out.as_mut_ptr().cast(), self.0)
        }
        #[cfg(not(target_arch = "x86_64"))]
        out.copy_from_slice(&self.0.to_le_bytes());
    }

    /// Reads a lane from the 16 little-endian bytes `bytes[..16]`.
    ///
    /// # Panics
    /// If `bytes` is shorter than 16 bytes.
    #[inline(always)]
    pub fn read_from(bytes: &[u8]) -> Lane {
        let bytes = &bytes[..16];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `bytes` has exactly 16 readable bytes; the load is unaligned.
        unsafe {
            Lane(_mm_loadu_si128(bytes.as_ptr().cast()))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let mut b = [0u8; 16];
            b.copy_from_slice(bytes);
            Lane(u128::from_le_bytes(b))
        }
    }

    /// Views lanes as blocks (same layout), e.g. to hash them in place.
    pub fn as_blocks_mut(lanes: &mut [Lane]) -> &mut [Block] {
        // SAFETY: `Lane` and `Block` are both 16 bytes, alignment 16, no
        // padding, every bit pattern valid, and the same little-endian byte
        // layout (checked by the tests below).
        unsafe { std::slice::from_raw_parts_mut(lanes.as_mut_ptr().cast(), lanes.len()) }
    }
}

impl From<Block> for Lane {
    #[inline(always)]
    fn from(b: Block) -> Lane {
        // SAFETY: both are 16 plain bytes with every bit pattern valid.
        Lane(unsafe { std::mem::transmute::<u128, Raw>(b.0) })
    }
}

impl From<Lane> for Block {
    #[inline(always)]
    fn from(l: Lane) -> Block {
        // SAFETY: as above.
        Block(unsafe { std::mem::transmute::<Raw, u128>(l.0) })
    }
}

impl BitXor for Lane {
    type Output = Lane;
    #[inline(always)]
    fn bitxor(self, rhs: Lane) -> Lane {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            Lane(unsafe { _mm_xor_si128(self.0, rhs.0) })
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Lane(self.0 ^ rhs.0)
        }
    }
}

impl BitXorAssign for Lane {
    #[inline(always)]
    fn bitxor_assign(&mut self, rhs: Lane) {
        *self = *self ^ rhs;
    }
}

impl Default for Lane {
    fn default() -> Lane {
        Lane::zero()
    }
}

impl std::fmt::Debug for Lane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lane(<redacted>)")
    }
}

/// Free operations in a packed form: each op is four byte offsets into the
/// label array (slot times 16) of its three inputs and its output, 16 bits
/// each when every slot fits (at most 4,096 slots, 64 KiB of labels) and 32
/// bits otherwise. No bounds check in the loop: each term is one load and
/// one XOR, after at most a shift or a zero-extension of its offset.
///
/// Only a [`crate::Schedule`] builds one, from its own slots, all below its
/// `num_slots`; running it checks once that the label array is that long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PackedFree {
    ops: PackedOps,
    /// Every offset is below `16 * slots`.
    slots: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PackedOps {
    /// `[a | b << 16, c | out << 16]`, read as one 32-bit load for `a` and
    /// `b` and 16-bit loads for `c` and `out`. Where ops are independent
    /// (AES-128) the loop is bound by loads, and fewer offset loads win;
    /// where an op often reads the one just before (SHA-256), it is bound
    /// by latency, and `out` and `c` loaded directly, with no shift on the
    /// way to their addresses, win. This mix measured best on both: four
    /// 16-bit loads were 10% slower on AES-128, two 32-bit loads 4% slower
    /// on SHA-256.
    Short(Vec<[u32; 2]>),
    Long(Vec<[u32; 4]>),
}

/// Runs `op` on each of `ops` in order, four per loop iteration: free ops
/// are a handful of instructions each, and the loop's own counter, compare
/// and branch measured several percent of them.
#[inline(always)]
fn unrolled<T>(ops: &[T], mut op: impl FnMut(&T)) {
    let mut fours = ops.chunks_exact(4);
    for f in &mut fours {
        op(&f[0]);
        op(&f[1]);
        op(&f[2]);
        op(&f[3]);
    }
    fours.remainder().iter().for_each(op);
}

/// `out = a ^ b ^ c` on `labels` at byte offsets `a`, `b`, `c`, `out`.
///
/// # Safety
/// Every offset must be a multiple of 16 below `16 * labels.len()`, and
/// `base` must be `labels.as_mut_ptr()` cast to bytes.
#[inline(always)]
unsafe fn xor3_at(base: *mut u8, a: u32, b: u32, c: u32, out: u32) {
    let at = |o: u32| base.add(o as usize).cast::<Lane>();
    // SAFETY: the caller's promise makes each offset an aligned `Lane`
    // inside the labels. All reads happen before the write, so `out` may
    // equal an input, and each op reads what the ops before it wrote.
    let x = *at(a) ^ *at(b) ^ *at(c);
    *at(out) = x;
}

/// `out = a ^ b ^ c` for each op `[a | b << 16, c | out << 16]` of 16-bit
/// byte offsets (see [`PackedOps::Short`]).
///
/// # Safety
/// Every offset must be a multiple of 16 below `16 * labels.len()`.
#[inline(always)]
unsafe fn run_short(labels: &mut [Lane], ops: &[[u32; 2]]) {
    let base = labels.as_mut_ptr().cast::<u8>();
    // SAFETY: the caller vouches for every offset of `ops`. An op is 8
    // bytes, aligned to 4, and its second word holds `c` and `out` in its
    // low and high 16 bits (little-endian, the only byte order this crate
    // builds for), so halves 2 and 3 of it are `c` and `out`.
    unrolled(ops, |op| unsafe {
        let ab = op[0];
        let half = op.as_ptr().cast::<u16>();
        let (c, out) = (u32::from(*half.add(2)), u32::from(*half.add(3)));
        xor3_at(base, ab & 0xffff, ab >> 16, c, out)
    });
}

/// `out = a ^ b ^ c` for each op `[a, b, c, out]` of 32-bit byte offsets.
///
/// # Safety
/// Every offset must be a multiple of 16 below `16 * labels.len()`.
#[inline(always)]
unsafe fn run_long(labels: &mut [Lane], ops: &[[u32; 4]]) {
    let base = labels.as_mut_ptr().cast::<u8>();
    // SAFETY: the caller vouches for every offset of `ops`.
    unrolled(ops, |&[a, b, c, out]| unsafe {
        xor3_at(base, a, b, c, out)
    });
}

impl PackedFree {
    /// Packs `ops` on `slots` slots, or `None` if an offset needs more than
    /// 32 bits.
    pub(crate) fn new(ops: &[crate::FreeOp], slots: u32) -> Option<PackedFree> {
        let span = u64::from(slots) * 16;
        if span > 1 << 32 {
            return None;
        }
        let offsets = |op: &crate::FreeOp| {
            assert!(op.a < slots && op.b < slots && op.c < slots && op.out < slots);
            [op.a, op.b, op.c, op.out].map(|s| s * 16)
        };
        let ops = if span <= 1 << 16 {
            PackedOps::Short(
                ops.iter()
                    .map(|op| {
                        let [a, b, c, out] = offsets(op);
                        [a | b << 16, c | out << 16]
                    })
                    .collect(),
            )
        } else {
            PackedOps::Long(ops.iter().map(offsets).collect())
        };
        Some(PackedFree {
            ops,
            slots: slots as usize,
        })
    }

    /// Runs ops `range`: `out = a ^ b ^ c` on `labels`.
    ///
    /// # Panics
    /// If `labels` is shorter than the slot count the ops were packed for.
    pub(crate) fn run(&self, labels: &mut [Lane], range: std::ops::Range<usize>) {
        assert!(labels.len() >= self.slots, "label array too short");
        // SAFETY: `new` checked every slot against `slots`, so each offset
        // is a multiple of 16 below `16 * slots <= 16 * labels.len()`.
        unsafe {
            match &self.ops {
                PackedOps::Short(ops) => run_short(labels, &ops[range]),
                PackedOps::Long(ops) => run_long(labels, &ops[range]),
            }
        }
    }
}

impl zeroize::Zeroize for Lane {
    fn zeroize(&mut self) {
        // A volatile write the optimizer keeps, through the Block view.
        Lane::as_blocks_mut(std::slice::from_mut(self))[0].zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_and_blocks_agree() {
        for _ in 0..100 {
            let (a, b) = (Block::random(), Block::random());
            let (la, lb) = (Lane::from(a), Lane::from(b));
            assert_eq!(Block::from(la ^ lb), a ^ b);
            assert_eq!(la.lsb(), a.lsb());
            assert_eq!(Block::from(la.select(true)), a);
            assert_eq!(Block::from(la.select(false)), Block::ZERO);
            let mut bytes = [0u8; 20];
            la.write_to(&mut bytes[3..]);
            assert_eq!(bytes[3..19], a.to_bytes());
            assert_eq!(Block::from(Lane::read_from(&bytes[3..])), a);
            let mut v = [la, lb];
            assert_eq!(Lane::as_blocks_mut(&mut v), &[a, b]);
        }
    }

    #[test]
    fn packed_free_gates_match_the_plain_loop() {
        use crate::FreeOp;
        for slots in [64u32, 4096, 4097] {
            let ops: Vec<FreeOp> = (0..500u32)
                .map(|i| FreeOp {
                    a: (i * 7) % slots,
                    b: (i * 13 + 5) % slots,
                    c: (i * 11 + 2) % 64,
                    out: (i * 3 + 1) % 64,
                })
                .collect();
            let start: Vec<Lane> = (0..slots as u128)
                .map(|i| Lane::from(Block(i * 0x9e37_79b9 + 1)))
                .collect();
            let (mut x, mut y) = (start.clone(), start);
            crate::run_free_ops(&mut x, &ops);
            let p = PackedFree::new(&ops, slots).unwrap();
            assert_eq!(matches!(p.ops, PackedOps::Short(_)), slots <= 4096);
            p.run(&mut y, 0..200);
            p.run(&mut y, 200..500);
            assert_eq!(Lane::as_blocks_mut(&mut x), Lane::as_blocks_mut(&mut y));
        }
        let ops = [FreeOp {
            a: 0,
            b: 1,
            c: 2,
            out: 3,
        }];
        assert!(PackedFree::new(&ops, 1 << 28).is_some());
        assert!(PackedFree::new(&ops, (1 << 28) + 1).is_none());
    }

    #[test]
    #[should_panic(expected = "label array too short")]
    fn packed_free_gates_refuse_a_short_array() {
        let ops = [crate::FreeOp {
            a: 0,
            b: 1,
            c: 2,
            out: 9,
        }];
        PackedFree::new(&ops, 10)
            .unwrap()
            .run(&mut [Lane::zero(); 9], 0..1);
    }

    #[test]
    fn zeroize_clears_and_debug_is_redacted() {
        let mut l = Lane::from(Block(0xabcdef));
        assert_eq!(format!("{l:?}"), "Lane(<redacted>)");
        zeroize::Zeroize::zeroize(&mut l);
        assert_eq!(Block::from(l), Block::ZERO);
    }
}
