//! Tweakable correlation-robust hash for random and chosen-message OT outputs:
//! `H(x, i) = pi(pi(x) ^ i) ^ pi(x)` with fixed-key AES `pi` (the TCCR hash of
//! Guo-Katz-Wang-Yu, GKWY20 sec. 7.4). Fixed-key AES rather than blake3 because it
//! hashes 16-byte inputs in batches at AES-NI speed, and TCCR is exactly the
//! property IKNP needs: `H(q_j ^ Delta, j)` stays pseudorandom given `q_j`. The
//! tweak is the session-wide OT index, so no two OTs of a session share one.
//! The key of `pi` is public but differs per session: it is derived from the
//! base-OT transcript (see `session_keys` in the extension), so OTs of other
//! sessions tell an attacker nothing about this session's permutation.

use crypto::{Block, FixedKeyAes};

const BATCH: usize = 64;

/// Replaces each `xs[k]` by `H(xs[k] ^ offset, first_tweak + k)`.
pub(crate) fn tccr(pi: &FixedKeyAes, first_tweak: u64, offset: Block, xs: &mut [Block]) {
    let mut y = [Block::ZERO; BATCH];
    let mut z = [Block::ZERO; BATCH];
    for (c, chunk) in xs.chunks_mut(BATCH).enumerate() {
        let n = chunk.len();
        for (yk, x) in y[..n].iter_mut().zip(chunk.iter()) {
            *yk = *x ^ offset;
        }
        pi.encrypt_blocks(&mut y[..n]);
        let base = first_tweak as u128 + (c * BATCH) as u128;
        for (k, (zk, yk)) in z[..n].iter_mut().zip(&y[..n]).enumerate() {
            *zk = *yk ^ Block(base + k as u128);
        }
        pi.encrypt_blocks(&mut z[..n]);
        for ((x, zk), yk) in chunk.iter_mut().zip(&z[..n]).zip(&y[..n]) {
            *x = *zk ^ *yk;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_definition_and_separates_tweaks() {
        let pi = FixedKeyAes::new(Block(99));
        let mut xs: Vec<Block> = (0..150u128).map(|i| Block(i * 31 + 7)).collect();
        let orig = xs.clone();
        tccr(&pi, 1000, Block(5), &mut xs);
        for (k, (h, x)) in xs.iter().zip(&orig).enumerate() {
            let y = pi.encrypt(*x ^ Block(5));
            assert_eq!(*h, pi.encrypt(y ^ Block(1000 + k as u128)) ^ y);
        }
        let mut same = vec![Block(42); 2];
        tccr(&pi, 0, Block::ZERO, &mut same);
        assert_ne!(same[0], same[1]);
    }
}
