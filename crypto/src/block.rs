//! 128-bit blocks: wire labels, OT messages, AES states.

use std::ops::{BitAnd, BitAndAssign, BitOr, BitXor, BitXorAssign};

/// A 128-bit value. Its `Debug` output is redacted: blocks are labels, keys and
/// seeds, and none of those may reach a log.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Block(pub u128);

impl Block {
    /// The all-zero block.
    pub const ZERO: Block = Block(0);
    /// The all-one block.
    pub const ONES: Block = Block(u128::MAX);

    /// Builds a block from 16 little-endian bytes.
    pub fn from_bytes(b: [u8; 16]) -> Block {
        Block(u128::from_le_bytes(b))
    }
    /// The 16 little-endian bytes of the block.
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }
    /// Lowest bit: the permute (point-and-permute) bit of a label.
    pub fn lsb(self) -> bool {
        self.0 & 1 == 1
    }
    /// A fresh uniformly random block from the operating system's CSPRNG.
    pub fn random() -> Block {
        let mut b = [0u8; 16];
        getrandom::getrandom(&mut b).expect("the operating system's random source failed");
        Block::from_bytes(b)
    }
    /// `self` if `bit` else zero, without a branch.
    pub fn select(self, bit: bool) -> Block {
        Block(self.0 & (bit as u128).wrapping_neg())
    }
}

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Block(<redacted>)")
    }
}

impl BitXor for Block {
    type Output = Block;
    fn bitxor(self, rhs: Block) -> Block {
        Block(self.0 ^ rhs.0)
    }
}
impl BitXorAssign for Block {
    fn bitxor_assign(&mut self, rhs: Block) {
        self.0 ^= rhs.0;
    }
}
impl BitOr for Block {
    type Output = Block;
    fn bitor(self, rhs: Block) -> Block {
        Block(self.0 | rhs.0)
    }
}
impl BitAnd for Block {
    type Output = Block;
    fn bitand(self, rhs: Block) -> Block {
        Block(self.0 & rhs.0)
    }
}
impl BitAndAssign for Block {
    fn bitand_assign(&mut self, rhs: Block) {
        self.0 &= rhs.0;
    }
}

impl zeroize::Zeroize for Block {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}
