//! The secure equality test on the output labels: a Diffie-Hellman
//! comparison on Ristretto with a commitment, sans-I/O.
//!
//! Each side hashes its string to a group element `P`. The second side
//! sends `X2 = b·P2` (with the message before, as it does not depend on the
//! first side's); the first sends `X1 = a·P1`; the second commits to
//! `Y2 = b·X1 = ab·P1`; the first sends `Y1 = a·X2 = ab·P2`; the second
//! compares `Y1` with `Y2` and opens its commitment; the first checks the
//! opening and compares too. Equal strings give equal values.
//!
//! What each side learns is whether the strings are equal and nothing else
//! (decisional Diffie-Hellman in the random-oracle model): seeing `b·P2`
//! and `ab·P1`, the first side can test one string, the one it put in
//! `X1`, and not a list of guesses, which a plain exchange of hashes would
//! allow (a side that knows both labels of an output wire could try every
//! value the other side might have evaluated). Neither side can make the
//! other accept unequal strings: the second side commits to `Y2` before it
//! sees `Y1`, and `Y1 = ab·P2` needs `a`; the identity, the one point that
//! would make both products known, is refused. The second side learns the
//! verdict first and could withhold the opening: the first side then ends
//! without an output (dual execution is not fair, and does not claim to be).

use crate::DualError;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use zeroize::Zeroize;

/// Bytes of a compressed group element.
pub const POINT_BYTES: usize = 32;

/// Bytes of the second side's opening (`Y2`, randomness).
pub const SECOND_BYTES: usize = 2 * POINT_BYTES;

/// The group element a side's string hashes to, under a context both sides
/// share (the session's and the computation's).
pub fn point_of(context: &[u8; 32], string: &[u8]) -> RistrettoPoint {
    let mut h = blake3::Hasher::new_derive_key("mpcc dual execution equality point v1");
    h.update(context);
    h.update(&(string.len() as u64).to_le_bytes());
    h.update(string);
    let mut wide = [0u8; 64];
    h.finalize_xof().fill(&mut wide);
    let p = RistrettoPoint::from_uniform_bytes(&wide);
    wide.zeroize();
    p
}

fn random_scalar() -> Scalar {
    let mut wide = [0u8; 64];
    getrandom::getrandom(&mut wide).expect("the OS random number generator failed");
    let s = Scalar::from_bytes_mod_order_wide(&wide);
    wide.zeroize();
    s
}

/// A peer's group element: it must decode and must not be the identity.
fn peer_point(bytes: &[u8], what: &'static str) -> Result<RistrettoPoint, DualError> {
    let bytes: [u8; POINT_BYTES] = bytes
        .try_into()
        .map_err(|_| DualError::EqualityMessage { what })?;
    let p = CompressedRistretto(bytes)
        .decompress()
        .ok_or(DualError::EqualityMessage { what })?;
    if p == RistrettoPoint::identity() {
        return Err(DualError::EqualityMessage { what });
    }
    Ok(p)
}

fn commitment(y: &[u8; POINT_BYTES], r: &[u8; POINT_BYTES]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key("mpcc dual execution equality commitment v1");
    h.update(y);
    h.update(r);
    *h.finalize().as_bytes()
}

/// The first side, after sending `X1`.
pub struct First {
    a: Scalar,
    x2: RistrettoPoint,
}

/// The first side, after sending `Y1`: waits for the opening.
pub struct FirstOpen {
    y1: [u8; POINT_BYTES],
    commitment: [u8; 32],
}

impl First {
    /// Starts the test on `point` (from [`point_of`]) once the second
    /// side's `X2` is in: returns the state and `X1`.
    pub fn start(
        point: &RistrettoPoint,
        x2: &[u8],
    ) -> Result<(First, [u8; POINT_BYTES]), DualError> {
        let x2 = peer_point(x2, "group element")?;
        let a = random_scalar();
        let x1 = (a * point).compress().to_bytes();
        Ok((First { a, x2 }, x1))
    }

    /// `Y1 = a·X2`, to send once the second side's commitment is in (it
    /// may be computed while the second side computes its own).
    pub fn y1(mut self) -> (FirstCommitted, [u8; POINT_BYTES]) {
        let y1 = (self.a * self.x2).compress().to_bytes();
        self.a.zeroize();
        (FirstCommitted { y1 }, y1)
    }
}

/// The first side with `Y1` computed.
pub struct FirstCommitted {
    y1: [u8; POINT_BYTES],
}

impl FirstCommitted {
    /// Takes the second side's commitment (before `Y1` goes out).
    pub fn commitment(self, msg: &[u8]) -> Result<FirstOpen, DualError> {
        let commitment = msg.try_into().map_err(|_| DualError::EqualityMessage {
            what: "commitment length",
        })?;
        Ok(FirstOpen {
            y1: self.y1,
            commitment,
        })
    }
}

impl FirstOpen {
    /// Takes the opening: whether the strings are equal. An opening that
    /// does not match the commitment is an error.
    pub fn finish(self, msg: &[u8]) -> Result<bool, DualError> {
        if msg.len() != SECOND_BYTES {
            return Err(DualError::EqualityMessage {
                what: "opening length",
            });
        }
        let y2: [u8; POINT_BYTES] = msg[..POINT_BYTES].try_into().expect("32 bytes");
        let r: [u8; POINT_BYTES] = msg[POINT_BYTES..].try_into().expect("32 bytes");
        if commitment(&y2, &r) != self.commitment {
            return Err(DualError::EqualityMessage { what: "opening" });
        }
        Ok(y2 == self.y1)
    }
}

/// The second side, after sending `X2`.
pub struct Second {
    b: Scalar,
}

/// The second side, after committing to `Y2`.
pub struct SecondCommitted {
    y2: [u8; POINT_BYTES],
    r: [u8; POINT_BYTES],
}

impl Second {
    /// Starts the test on `point`: returns the state and `X2`, which goes
    /// first (it does not depend on the first side's message).
    pub fn start(point: &RistrettoPoint) -> (Second, [u8; POINT_BYTES]) {
        let b = random_scalar();
        let x2 = (b * point).compress().to_bytes();
        (Second { b }, x2)
    }

    /// Takes `X1`: returns the state and the commitment to `Y2 = b·X1`.
    pub fn commit(mut self, x1: &[u8]) -> Result<(SecondCommitted, [u8; 32]), DualError> {
        let x1 = peer_point(x1, "group element")?;
        let y2 = (self.b * x1).compress().to_bytes();
        self.b.zeroize();
        let mut r = [0u8; POINT_BYTES];
        getrandom::getrandom(&mut r).expect("the OS random number generator failed");
        let c = commitment(&y2, &r);
        Ok((SecondCommitted { y2, r }, c))
    }
}

impl SecondCommitted {
    /// Takes `Y1`: whether the strings are equal, and the opening to send
    /// (sent whatever the verdict, so that the first side learns it too).
    pub fn finish(self, y1: &[u8]) -> (bool, [u8; SECOND_BYTES]) {
        let mut out = [0u8; SECOND_BYTES];
        out[..POINT_BYTES].copy_from_slice(&self.y2);
        out[POINT_BYTES..].copy_from_slice(&self.r);
        (y1 == self.y2, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s1: &[u8], s2: &[u8]) -> (bool, bool) {
        let ctx = [7u8; 32];
        let (second, x2) = Second::start(&point_of(&ctx, s2));
        let (first, x1) = First::start(&point_of(&ctx, s1), &x2).unwrap();
        let (first, y1) = first.y1();
        let (second, c) = second.commit(&x1).unwrap();
        let open = first.commitment(&c).unwrap();
        let (v2, opening) = second.finish(&y1);
        (open.finish(&opening).unwrap(), v2)
    }

    #[test]
    fn equal_strings_pass_and_unequal_fail_on_both_sides() {
        assert_eq!(run(b"same labels", b"same labels"), (true, true));
        assert_eq!(run(b"same labels", b"same labelz"), (false, false));
        assert_eq!(run(b"", b""), (true, true));
        // The context separates sessions: the same string under another
        // context is another point.
        assert_ne!(point_of(&[1; 32], b"x"), point_of(&[2; 32], b"x"));
    }

    #[test]
    fn the_identity_and_bad_encodings_are_refused() {
        let id = RistrettoPoint::identity().compress().to_bytes();
        let p = point_of(&[0; 32], b"s");
        for bad in [&id[..], &[0xff; 32], &[1; 5]] {
            let (second, _) = Second::start(&p);
            assert!(second.commit(bad).is_err());
            let e = First::start(&p, bad).err().unwrap().to_string();
            assert!(e.contains("group element is invalid"), "{e}");
        }
    }

    #[test]
    fn an_echo_or_a_forged_opening_does_not_pass() {
        let ctx = [3u8; 32];
        // The first side sending X1 again as Y1 (or any value it can form
        // without b) does not match Y2.
        let (second, x2) = Second::start(&point_of(&ctx, b"b"));
        let (first, x1) = First::start(&point_of(&ctx, b"a"), &x2).unwrap();
        let (committed, c) = second.commit(&x1).unwrap();
        let (v2, _) = committed.finish(&x1);
        assert!(!v2);
        // An opening to another value than committed is refused.
        let (first, y1) = first.y1();
        let open = first.commitment(&c).unwrap();
        let mut forged = [0u8; SECOND_BYTES];
        forged[..32].copy_from_slice(&y1);
        let e = open.finish(&forged).unwrap_err().to_string();
        assert!(e.contains("opening is invalid"), "{e}");
    }
}
