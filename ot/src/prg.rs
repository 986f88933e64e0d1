//! AES-128 in counter mode as the PRG that stretches base-OT keys into the
//! IKNP matrix columns and the check challenges. The counter is the caller's:
//! both parties advance it by the same amount per chunk, so the streams stay
//! aligned across every extension of a session.

use crypto::{Block, FixedKeyAes};

/// Blocks per `encrypt_blocks` call: enough for the VAES back end of
/// `FixedKeyAes` to keep 16 or more blocks in flight, small enough for L1.
const BATCH: usize = 64;

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

    /// Writes blocks `start, start+1, ...` of the key stream over `out`,
    /// whose length must be a multiple of 16.
    pub(crate) fn fill_bytes(&self, start: u64, out: &mut [u8]) {
        debug_assert_eq!(out.len() % 16, 0);
        let mut buf = [Block::ZERO; BATCH];
        let mut ctr = start;
        for chunk in out.chunks_mut(16 * BATCH) {
            let buf = &mut buf[..chunk.len() / 16];
            self.fill_blocks(ctr, buf);
            for (o, b) in chunk.chunks_exact_mut(16).zip(buf.iter()) {
                o.copy_from_slice(&b.to_bytes());
            }
            ctr += buf.len() as u64;
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
