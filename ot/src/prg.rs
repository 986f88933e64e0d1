//! AES-128 in counter mode as the PRG that stretches base-OT keys into the
//! IKNP matrix columns and the check challenges. The counter is the caller's:
//! both parties advance it by the same amount per chunk, so the streams stay
//! aligned across every extension of a session.

use aes::cipher::{BlockEncrypt, KeyInit};
use crypto::Block;

/// Blocks encrypted per `encrypt_blocks` call: enough for the AES-NI back end
/// to keep 8 blocks in flight, small enough to stay in L1.
const BATCH: usize = 32;

#[derive(Clone)]
pub(crate) struct AesCtr {
    cipher: aes::Aes128Enc,
}

impl AesCtr {
    pub(crate) fn new(key: Block) -> Self {
        AesCtr {
            cipher: aes::Aes128Enc::new(&key.to_bytes().into()),
        }
    }

    /// Writes blocks `start, start+1, ...` of the key stream over `out`,
    /// whose length must be a multiple of 16.
    pub(crate) fn fill_bytes(&self, start: u64, out: &mut [u8]) {
        debug_assert_eq!(out.len() % 16, 0);
        let mut buf = [aes::Block::default(); BATCH];
        let mut ctr = start as u128;
        for chunk in out.chunks_mut(16 * BATCH) {
            let nb = chunk.len() / 16;
            for (k, b) in buf[..nb].iter_mut().enumerate() {
                *b = (ctr + k as u128).to_le_bytes().into();
            }
            self.cipher.encrypt_blocks(&mut buf[..nb]);
            for (o, b) in chunk.chunks_exact_mut(16).zip(&buf[..nb]) {
                o.copy_from_slice(b);
            }
            ctr += nb as u128;
        }
    }

    /// Writes blocks `start, start+1, ...` of the key stream over `out`.
    pub(crate) fn fill_blocks(&self, start: u64, out: &mut [Block]) {
        let mut buf = [aes::Block::default(); BATCH];
        let mut ctr = start as u128;
        for chunk in out.chunks_mut(BATCH) {
            let nb = chunk.len();
            for (k, b) in buf[..nb].iter_mut().enumerate() {
                *b = (ctr + k as u128).to_le_bytes().into();
            }
            self.cipher.encrypt_blocks(&mut buf[..nb]);
            for (o, b) in chunk.iter_mut().zip(&buf[..nb]) {
                *o = Block::from_bytes((*b).into());
            }
            ctr += nb as u128;
        }
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
    fn bytes_and_blocks_agree_and_counter_continues() {
        let prg = AesCtr::new(Block(0x1234));
        let mut bytes = vec![0u8; 16 * 100];
        prg.fill_bytes(5, &mut bytes);
        let mut blocks = vec![Block::ZERO; 100];
        prg.fill_blocks(5, &mut blocks);
        for (c, b) in bytes.chunks_exact(16).zip(&blocks) {
            assert_eq!(Block::from_bytes(c.try_into().unwrap()), *b);
        }
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
