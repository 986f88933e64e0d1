//! The secure equality test on the output labels: a Diffie-Hellman
//! comparison on Ristretto with a commitment, sans-I/O.
//!
//! Each side hashes its string to a group element `P`. The first side
//! sends `X1 = a·P1`; the second answers `X2 = b·P2` and a commitment to
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

/// Bytes of the first side's messages (`X1`, then `Y1`).
pub const FIRST_BYTES: usize = POINT_BYTES;

/// Bytes of the second side's answer (`X2`, commitment) and of its
/// opening (`Y2`, randomness).
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
}

/// The first side, after sending `Y1`: waits for the opening.
pub struct FirstOpen {
    y1: [u8; POINT_BYTES],
    commitment: [u8; 32],
}

impl First {
    /// Starts the test on `point` (from [`point_of`]): returns the state
    /// and `X1`.
    pub fn start(point: &RistrettoPoint) -> (First, [u8; FIRST_BYTES]) {
        let a = random_scalar();
        let x1 = (a * point).compress().to_bytes();
        (First { a }, x1)
    }

    /// Takes the second side's answer (`X2`, commitment): returns the state
    /// and `Y1`.
    pub fn answer(mut self, msg: &[u8]) -> Result<(FirstOpen, [u8; FIRST_BYTES]), DualError> {
        if msg.len() != SECOND_BYTES {
            return Err(DualError::EqualityMessage {
                what: "answer length",
            });
        }
        let x2 = peer_point(&msg[..POINT_BYTES], "group element")?;
        let y1 = (self.a * x2).compress().to_bytes();
        self.a.zeroize();
        let commitment = msg[POINT_BYTES..].try_into().expect("32 bytes");
        Ok((FirstOpen { y1, commitment }, y1))
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

/// The second side, after answering: holds `Y2` and its opening.
pub struct Second {
    y2: [u8; POINT_BYTES],
    r: [u8; POINT_BYTES],
}

impl Second {
    /// Answers `X1` for `point`: returns the state and the answer (`X2`,
    /// commitment to `Y2`).
    pub fn respond(
        point: &RistrettoPoint,
        x1: &[u8],
    ) -> Result<(Second, [u8; SECOND_BYTES]), DualError> {
        let x1 = peer_point(x1, "group element")?;
        let mut b = random_scalar();
        let x2 = (b * point).compress().to_bytes();
        let y2 = (b * x1).compress().to_bytes();
        b.zeroize();
        let mut r = [0u8; POINT_BYTES];
        getrandom::getrandom(&mut r).expect("the OS random number generator failed");
        let mut out = [0u8; SECOND_BYTES];
        out[..POINT_BYTES].copy_from_slice(&x2);
        out[POINT_BYTES..].copy_from_slice(&commitment(&y2, &r));
        Ok((Second { y2, r }, out))
    }

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
        let (first, x1) = First::start(&point_of(&ctx, s1));
        let (second, answer) = Second::respond(&point_of(&ctx, s2), &x1).unwrap();
        let (open, y1) = first.answer(&answer).unwrap();
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
        assert!(Second::respond(&p, &id).is_err());
        assert!(Second::respond(&p, &[0xff; 32]).is_err());
        assert!(Second::respond(&p, &[1; 5]).is_err());
        let (first, _) = First::start(&p);
        let mut answer = [0u8; SECOND_BYTES];
        answer[..32].copy_from_slice(&id);
        let e = first.answer(&answer).err().unwrap().to_string();
        assert!(e.contains("group element is invalid"), "{e}");
    }

    #[test]
    fn an_echo_or_a_forged_opening_does_not_pass() {
        let ctx = [3u8; 32];
        // The first side echoing X1 back as Y1 (or any value it can form
        // without b) does not match Y2.
        let (first, x1) = First::start(&point_of(&ctx, b"a"));
        let (second, answer) = Second::respond(&point_of(&ctx, b"b"), &x1).unwrap();
        let (v2, _) = second.finish(&x1);
        assert!(!v2);
        // An opening to another value than committed is refused.
        let (open, y1) = first.answer(&answer).unwrap();
        let mut forged = [0u8; SECOND_BYTES];
        forged[..32].copy_from_slice(&y1);
        let e = open.finish(&forged).unwrap_err().to_string();
        assert!(e.contains("opening is invalid"), "{e}");
    }
}
