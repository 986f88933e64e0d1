//! A pseudorandom generator: AES-128 in counter mode under a secret seed.

use crate::{Block, FixedKeyAes};

/// AES-128-CTR under a secret seed. Used for the garbler's fresh input labels:
/// one call to the OS CSPRNG per session instead of one per label.
pub struct Prg {
    aes: FixedKeyAes,
    counter: u128,
}

impl Prg {
    /// A generator seeded from the operating system's CSPRNG.
    pub fn new() -> Prg {
        Prg::from_seed(Block::random())
    }

    /// A generator with a given seed (deterministic; for tests and protocols
    /// that share a seed).
    pub fn from_seed(seed: Block) -> Prg {
        Prg {
            aes: FixedKeyAes::new(seed),
            counter: 0,
        }
    }

    /// Fills `out` with pseudorandom blocks.
    pub fn fill(&mut self, out: &mut [Block]) {
        for b in out.iter_mut() {
            *b = Block(self.counter);
            self.counter = self.counter.wrapping_add(1);
        }
        self.aes.encrypt_blocks(out);
    }

    /// One pseudorandom block.
    pub fn block(&mut self) -> Block {
        let mut one = [Block::ZERO];
        self.fill(&mut one);
        one[0]
    }
}

impl Default for Prg {
    fn default() -> Prg {
        Prg::new()
    }
}

impl std::fmt::Debug for Prg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prg(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_no_repeats() {
        let mut a = Prg::from_seed(Block(9));
        let mut b = Prg::from_seed(Block(9));
        let mut xs = vec![Block::ZERO; 100];
        a.fill(&mut xs);
        let ys: Vec<Block> = (0..100).map(|_| b.block()).collect();
        assert_eq!(xs, ys);
        let set: std::collections::HashSet<_> = xs.iter().collect();
        assert_eq!(set.len(), 100);
    }

    #[test]
    fn os_seeded_generators_differ() {
        assert_ne!(Prg::new().block(), Prg::new().block());
    }
}
