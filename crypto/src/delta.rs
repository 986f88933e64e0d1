//! The free-XOR global offset Delta (KS08), with its permute bit.

use crate::{Block, CryptoError};
use zeroize::Zeroize;

/// The free-XOR offset of a garbling session: every wire's 1-label is its
/// 0-label XOR Delta. Its lowest bit is always set, so the two labels of a
/// wire have different permute bits (point-and-permute).
///
/// `Debug` is redacted and the value is zeroized on drop: Delta is the
/// garbler's master secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Delta(Block);

impl Delta {
    /// A fresh Delta from the operating system's CSPRNG, lowest bit set.
    pub fn random() -> Delta {
        Delta(Block::random() | Block(1))
    }

    /// A Delta chosen elsewhere (the choice bits of the base OTs that make the
    /// OT correlation equal Delta). The lowest bit must be set: a block with
    /// it clear is refused, since forcing the bit would silently break the
    /// correlation the caller set up.
    pub fn from_block(b: Block) -> Result<Delta, CryptoError> {
        if b.lsb() {
            Ok(Delta(b))
        } else {
            Err(CryptoError::DeltaLsbClear)
        }
    }

    /// The block value. Handle with care: whoever holds it can open every
    /// wire of the session.
    pub fn block(&self) -> Block {
        self.0
    }
}

impl std::fmt::Debug for Delta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Delta(<redacted>)")
    }
}

impl Drop for Delta {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_delta_has_its_lowest_bit_set() {
        for _ in 0..1000 {
            assert!(Delta::random().block().lsb());
        }
    }

    #[test]
    fn random_deltas_differ() {
        assert_ne!(Delta::random(), Delta::random());
    }

    #[test]
    fn from_block_requires_the_lowest_bit() {
        assert_eq!(Delta::from_block(Block(6)), Err(CryptoError::DeltaLsbClear));
        assert_eq!(Delta::from_block(Block(7)).map(|d| d.block()), Ok(Block(7)));
    }

    #[test]
    fn debug_is_redacted() {
        let d = Delta::from_block(Block(0xdead_beef_1357_9bdf)).unwrap();
        let s = format!("{d:?}");
        assert!(
            !s.contains("dead") && !s.contains("beef") && !s.contains("1357"),
            "{s}"
        );
        assert!(!s.chars().any(|c| c.is_ascii_digit()), "{s}");
    }
}
