//! AES-128 in counter mode as the PRG that stretches base-OT keys into the
//! IKNP matrix columns and the check challenges. The counter is the caller's:
//! both parties advance it by the same amount per chunk, so the streams stay
//! aligned across every extension of a session.

use crypto::{Block, FixedKeyAes};

/// AES-128-CTR: block `i` of the stream is `AES_key(i)`. Built on
/// `crypto::FixedKeyAes`, whose batched back end is the fastest AES here.
#[derive(Clone)]
pub(crate) struct AesCtr {
    cipher: FixedKeyAes,
}

impl AesCtr {
    pub(crate) fn new(key: Block) -> Self {
        AesCtr {
            cipher: FixedKeyAes::new(key),
        }
    }

    /// Writes blocks `start, start+1, ...` of the key stream over `out`.
    pub(crate) fn fill_blocks(&self, start: u64, out: &mut [Block]) {
        for (k, o) in out.iter_mut().enumerate() {
            *o = Block(start as u128 + k as u128);
        }
        self.cipher.encrypt_blocks(out);
    }
}

impl std::fmt::Debug for AesCtr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesCtr(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_continues_across_calls() {
        let prg = AesCtr::new(Block(0x1234));
        let mut blocks = vec![Block::ZERO; 100];
        prg.fill_blocks(5, &mut blocks);
        let mut tail = vec![Block::ZERO; 60];
        prg.fill_blocks(45, &mut tail);
        assert_eq!(&tail[..], &blocks[40..]);
        assert_ne!(blocks[0], blocks[1]);
    }

    #[test]
    fn matches_aes_of_the_counter() {
        let key = Block(77);
        let prg = AesCtr::new(key);
        let mut out = [Block::ZERO; 3];
        prg.fill_blocks(9, &mut out);
        let aes = crypto::FixedKeyAes::new(key);
        assert_eq!(out[2], aes.encrypt(Block(11)));
    }
}
