//! GF(2^128) with modulus x^128 + x^7 + x^2 + x + 1, bit `i` of a block being
//! the coefficient of x^i. Only the consistency check uses it, so both
//! parties just need the same field; this one reduces with shifts.

use crate::simd::{clmul_inner_product, Wide};
use crypto::Block;

/// Reduces a 256-bit carry-less product modulo x^128 + x^7 + x^2 + x + 1.
pub(crate) fn reduce((hi, lo): Wide) -> Block {
    // x^128 = x^7 + x^2 + x + 1; the bits that shift past x^127 fold once more
    // and land below x^14, so two folds finish the job.
    let over = (hi >> 127) ^ (hi >> 126) ^ (hi >> 121);
    let r = lo ^ hi ^ (hi << 1) ^ (hi << 2) ^ (hi << 7);
    Block(r ^ over ^ (over << 1) ^ (over << 2) ^ (over << 7))
}

/// Field product `a * b`.
pub(crate) fn mul(a: Block, b: Block) -> Block {
    reduce(clmul_inner_product(&[a], &[b]))
}

/// Field inner product: sum over `j` of `a[j] * b[j]`.
#[cfg(test)]
pub(crate) fn inner_product(a: &[Block], b: &[Block]) -> Block {
    reduce(clmul_inner_product(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_with_the_modulus() {
        assert_eq!(mul(Block(1 << 127), Block(2)), Block(0x87));
        assert_eq!(mul(Block(1), Block(12345)), Block(12345));
        // x^127 * x^127 = x^254 = x^126 * x^128 = x^126 (x^7 + x^2 + x + 1).
        let x126 = Block(1 << 126);
        assert_eq!(
            mul(Block(1 << 127), Block(1 << 127)),
            mul(x126, Block(0x87))
        );
    }

    #[test]
    fn field_laws() {
        let v: Vec<Block> = (1..40u128)
            .map(|i| Block(i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835) ^ (i << 120)))
            .collect();
        for w in v.windows(3) {
            let (a, b, c) = (w[0], w[1], w[2]);
            assert_eq!(mul(a, b), mul(b, a));
            assert_eq!(mul(a, b ^ c), mul(a, b) ^ mul(a, c));
            assert_eq!(mul(mul(a, b), c), mul(a, mul(b, c)));
        }
        let direct = v
            .iter()
            .zip(v.iter().rev())
            .fold(Block::ZERO, |acc, (a, b)| acc ^ mul(*a, *b));
        let rev: Vec<Block> = v.iter().rev().copied().collect();
        assert_eq!(inner_product(&v, &rev), direct);
    }
}
