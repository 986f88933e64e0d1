//! Base OT: Chou-Orlandi "simplest OT" (CO15) on the Ristretto group, as random
//! OT. The sender publishes `A = aG`; for choice `c` the receiver sends
//! `B = bG + cA`; the keys are `H(aB)` and `H(a(B - A))` for the sender and
//! `H(bA)` for the receiver. Two fixes over the paper: every key hashes the OT
//! index and the whole transcript (without them equal `B`s give equal keys
//! across OTs and sessions), and every peer point is decoded and rejected if
//! invalid or the identity.

use crate::{wire, OtError};
use bincode::{BorrowDecode, Encode};
use crypto::Block;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use rayon::prelude::*;
use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroize;

/// Most OTs one base-OT run may carry; bounds the receiver's reply.
pub const MAX_BASE_OTS: usize = 4096;

/// First message, sender to receiver: the sender's point `A`.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseOtHello {
    a: CompressedRistretto,
    point: RistrettoPoint,
}

/// Second message, receiver to sender: one point `B` per OT.
#[derive(Clone, PartialEq, Eq)]
pub struct BaseOtReply {
    bs: Vec<(CompressedRistretto, RistrettoPoint)>,
}

/// Base-OT sender between its two messages; holds the secret scalar `a`.
pub struct BaseOtSender {
    a: Scalar,
    hello: BaseOtHello,
    context: [u8; 32],
}

/// Base-OT receiver: a namespace for the receiver's one step.
#[derive(Debug)]
pub struct BaseOtReceiver;

fn random_scalar() -> Scalar {
    let mut wide = [0u8; 64];
    getrandom::getrandom(&mut wide).expect("the operating system's random source failed");
    let s = Scalar::from_bytes_mod_order_wide(&wide);
    wide.zeroize();
    s
}

fn decode_point(
    bytes: [u8; 32],
    index: usize,
) -> Result<(CompressedRistretto, RistrettoPoint), OtError> {
    let c = CompressedRistretto(bytes);
    let p = c.decompress().ok_or(OtError::InvalidPoint { index })?;
    if p == RistrettoPoint::identity() {
        return Err(OtError::IdentityPoint { index });
    }
    Ok((c, p))
}

/// Hash of the whole exchange and the caller's session context (for
/// instance the TLS channel binding of the connection); every key and the
/// extension session id derive from it, so two runs under different
/// contexts share no key.
fn transcript(
    context: &[u8; 32],
    hello: &BaseOtHello,
    reply: &[(CompressedRistretto, RistrettoPoint)],
) -> [u8; 32] {
    let mut h =
        blake3::Hasher::new_derive_key("ot 2024 base OT transcript (Chou-Orlandi, Ristretto)");
    h.update(context);
    h.update(hello.a.as_bytes());
    h.update(&(reply.len() as u64).to_le_bytes());
    for (c, _) in reply {
        h.update(c.as_bytes());
    }
    *h.finalize().as_bytes()
}

/// `H(transcript, i, 2P)`: the shared points are hashed through
/// `double_and_compress_batch` (one field inversion for all of them);
/// doubling is a bijection on the prime-order group, so `2P` identifies `P`.
/// Point `k` belongs to OT `k / per_ot`.
fn derive_keys(tr: &[u8; 32], per_ot: usize, points: &[RistrettoPoint]) -> Vec<Block> {
    let mut out = Vec::with_capacity(points.len());
    for (k, c) in RistrettoPoint::double_and_compress_batch(points)
        .iter()
        .enumerate()
    {
        let mut h = blake3::Hasher::new_derive_key("ot 2024 base OT key");
        h.update(tr);
        h.update(&((k / per_ot) as u64).to_le_bytes());
        h.update(c.as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&h.finalize().as_bytes()[..16]);
        out.push(Block::from_bytes(key));
    }
    out
}

impl BaseOtSender {
    /// Draws a fresh secret `a` and returns the sender with its first message.
    pub fn new() -> (BaseOtSender, BaseOtHello) {
        BaseOtSender::with_context([0; 32])
    }

    /// Like [`BaseOtSender::new`], every key bound to `context`, a value
    /// both sides know and no one else shares (the receiver passes the same
    /// one to [`BaseOtReceiver::receive_with_context`]).
    pub fn with_context(context: [u8; 32]) -> (BaseOtSender, BaseOtHello) {
        let a = random_scalar();
        let point = &a * RISTRETTO_BASEPOINT_TABLE;
        let hello = BaseOtHello {
            a: point.compress(),
            point,
        };
        (
            BaseOtSender {
                a,
                hello: hello.clone(),
                context,
            },
            hello,
        )
    }

    /// Consumes the receiver's reply: key pairs `[k0, k1]`, one per OT.
    pub fn finish(self, reply: &BaseOtReply) -> Result<Vec<[Block; 2]>, OtError> {
        Ok(self.finish_with_transcript(reply)?.0)
    }

    pub(crate) fn finish_with_transcript(
        self,
        reply: &BaseOtReply,
    ) -> Result<(Vec<[Block; 2]>, [u8; 32]), OtError> {
        let tr = transcript(&self.context, &self.hello, &reply.bs);
        let a_a = self.a * self.hello.point;
        // The scalar multiplications are independent: spread them over the
        // cores (the peer waits on this step, so it is pure latency).
        let a = &self.a;
        let mut shared: Vec<RistrettoPoint> = reply
            .bs
            .par_iter()
            .flat_map_iter(|(_, b)| {
                let ab = a * b;
                [ab, ab - a_a]
            })
            .collect();
        // Both keys of OT i hash index i; their points tell them apart.
        let mut keys = derive_keys(&tr, 2, &shared);
        shared.zeroize();
        let pairs = keys.chunks_exact(2).map(|k| [k[0], k[1]]).collect();
        keys.zeroize();
        Ok((pairs, tr))
    }
}

impl BaseOtReceiver {
    /// Answers `hello` for the given choices: the key of each chosen message
    /// and the reply for the sender.
    pub fn receive(
        hello: &BaseOtHello,
        choices: &[bool],
    ) -> Result<(Vec<Block>, BaseOtReply), OtError> {
        Self::receive_with_context(hello, choices, &[0; 32])
    }

    /// Like [`BaseOtReceiver::receive`], every key bound to `context` (the
    /// sender's [`BaseOtSender::with_context`]).
    pub fn receive_with_context(
        hello: &BaseOtHello,
        choices: &[bool],
        context: &[u8; 32],
    ) -> Result<(Vec<Block>, BaseOtReply), OtError> {
        let (keys, reply, _) = Self::receive_with_transcript(hello, choices, context)?;
        Ok((keys, reply))
    }

    pub(crate) fn receive_with_transcript(
        hello: &BaseOtHello,
        choices: &[bool],
        context: &[u8; 32],
    ) -> Result<(Vec<Block>, BaseOtReply, [u8; 32]), OtError> {
        if choices.len() > MAX_BASE_OTS {
            return Err(OtError::TooLarge {
                what: "base OT count",
                len: choices.len() as u64,
                max: MAX_BASE_OTS as u64,
            });
        }
        let a_table = RistrettoBasepointTable::create(&hello.point);
        // Independent per OT: spread over the cores (the peer waits on it).
        let (bs, mut shared): (Vec<_>, Vec<_>) = choices
            .par_iter()
            .map(|&c| {
                let mut b = random_scalar();
                let bg = &b * RISTRETTO_BASEPOINT_TABLE;
                let big_b = RistrettoPoint::conditional_select(
                    &bg,
                    &(bg + hello.point),
                    Choice::from(c as u8),
                );
                let shared = &b * &a_table;
                b.zeroize();
                ((big_b.compress(), big_b), shared)
            })
            .unzip();
        let tr = transcript(context, hello, &bs);
        let keys = derive_keys(&tr, 1, &shared);
        shared.zeroize();
        Ok((keys, BaseOtReply { bs }, tr))
    }
}

/// [`BaseOtHello`] on the wire.
#[derive(Encode, BorrowDecode)]
struct HelloWire {
    point: [u8; 32],
}

/// [`BaseOtReply`] on the wire.
#[derive(Encode, BorrowDecode)]
struct ReplyWire {
    points: Vec<[u8; 32]>,
}

/// Most bytes a decoded reply may take: [`MAX_BASE_OTS`] points and its count.
const REPLY_LIMIT: usize = 32 * MAX_BASE_OTS + 64;

impl BaseOtHello {
    /// Wire form: the 32-byte compressed point.
    pub fn encode(&self) -> Vec<u8> {
        wire::encode(HelloWire {
            point: self.a.to_bytes(),
        })
    }

    /// Parses and validates the sender's point.
    pub fn decode(bytes: &[u8]) -> Result<BaseOtHello, OtError> {
        let hello: HelloWire = wire::decode::<_, 32>(bytes, "base OT hello")?;
        let (a, point) = decode_point(hello.point, 0)?;
        Ok(BaseOtHello { a, point })
    }
}

impl BaseOtReply {
    /// Number of OTs the reply answers.
    pub fn len(&self) -> usize {
        self.bs.len()
    }

    /// True when the reply carries no OT.
    pub fn is_empty(&self) -> bool {
        self.bs.is_empty()
    }

    /// Wire form: a u64 count, then one 32-byte compressed point per OT.
    pub fn encode(&self) -> Vec<u8> {
        wire::encode(ReplyWire {
            points: self.bs.iter().map(|(c, _)| c.to_bytes()).collect(),
        })
    }

    /// Parses and validates every point; a count beyond [`MAX_BASE_OTS`] is
    /// refused before anything of its size is allocated.
    pub fn decode(bytes: &[u8]) -> Result<BaseOtReply, OtError> {
        let reply: ReplyWire = wire::decode::<_, REPLY_LIMIT>(bytes, "base OT reply")?;
        let raw = reply.points;
        if raw.len() > MAX_BASE_OTS {
            return Err(OtError::TooLarge {
                what: "base OT reply count",
                len: raw.len() as u64,
                max: MAX_BASE_OTS as u64,
            });
        }
        // Decompression costs a field inversion per point: done on all cores.
        let bs = raw
            .par_iter()
            .enumerate()
            .map(|(i, &bytes)| decode_point(bytes, i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BaseOtReply { bs })
    }
}

impl std::fmt::Debug for BaseOtSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BaseOtSender(<redacted>)")
    }
}

impl std::fmt::Debug for BaseOtHello {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BaseOtHello")
    }
}

impl std::fmt::Debug for BaseOtReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BaseOtReply({} points)", self.bs.len())
    }
}

impl Drop for BaseOtSender {
    fn drop(&mut self) {
        self.a.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receiver_gets_the_chosen_key_only() {
        let choices: Vec<bool> = (0..37).map(|i| (i * 7) % 3 == 0).collect();
        let (sender, hello) = BaseOtSender::new();
        let hello = BaseOtHello::decode(&hello.encode()).unwrap();
        let (keys, reply) = BaseOtReceiver::receive(&hello, &choices).unwrap();
        let reply = BaseOtReply::decode(&reply.encode()).unwrap();
        let pairs = sender.finish(&reply).unwrap();
        assert_eq!(pairs.len(), choices.len());
        for ((pair, key), &c) in pairs.iter().zip(&keys).zip(&choices) {
            assert_eq!(pair[c as usize], *key);
            assert_ne!(pair[!c as usize], *key);
        }
        // Distinct indices give distinct keys even for equal choices.
        assert_ne!(pairs[1][0], pairs[2][0]);
    }

    #[test]
    fn keys_depend_on_the_context() {
        let choices = [true, false, true];
        let (sender, hello) = BaseOtSender::with_context([7; 32]);
        let (keys, reply) =
            BaseOtReceiver::receive_with_context(&hello, &choices, &[8; 32]).unwrap();
        let pairs = sender.finish(&reply).unwrap();
        for ((pair, key), &c) in pairs.iter().zip(&keys).zip(&choices) {
            assert_ne!(pair[c as usize], *key);
        }
        let (sender, hello) = BaseOtSender::with_context([7; 32]);
        let (keys, reply) =
            BaseOtReceiver::receive_with_context(&hello, &choices, &[7; 32]).unwrap();
        let pairs = sender.finish(&reply).unwrap();
        for ((pair, key), &c) in pairs.iter().zip(&keys).zip(&choices) {
            assert_eq!(pair[c as usize], *key);
        }
    }

    #[test]
    fn rejects_identity_and_invalid_points() {
        let id = RistrettoPoint::identity().compress().to_bytes();
        assert!(matches!(
            BaseOtHello::decode(&id),
            Err(OtError::IdentityPoint { index: 0 })
        ));
        assert!(matches!(
            BaseOtHello::decode(&[0xff; 32]),
            Err(OtError::InvalidPoint { index: 0 })
        ));
        assert!(matches!(
            BaseOtHello::decode(&[1; 31]),
            Err(OtError::Decode { .. })
        ));
        let (_, hello) = BaseOtSender::new();
        let (_, reply) = BaseOtReceiver::receive(&hello, &[true, false, true]).unwrap();
        let mut bytes = reply.encode();
        bytes[8 + 32..8 + 64].copy_from_slice(&id);
        assert!(matches!(
            BaseOtReply::decode(&bytes),
            Err(OtError::IdentityPoint { index: 1 })
        ));
        bytes[8 + 32..8 + 64].copy_from_slice(&[0xff; 32]);
        assert!(matches!(
            BaseOtReply::decode(&bytes),
            Err(OtError::InvalidPoint { index: 1 })
        ));
    }

    #[test]
    fn rejects_oversized_counts() {
        let mut bytes = u64::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0; 64]);
        assert!(matches!(
            BaseOtReply::decode(&bytes),
            Err(OtError::Decode { reason, .. }) if reason.contains("announces more than")
        ));
        let mut bytes = (MAX_BASE_OTS as u64 + 1).to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0; 32 * (MAX_BASE_OTS + 1)]);
        assert!(matches!(
            BaseOtReply::decode(&bytes),
            Err(OtError::TooLarge { .. })
        ));
        let (_, hello) = BaseOtSender::new();
        let too_many = vec![false; MAX_BASE_OTS + 1];
        assert!(matches!(
            BaseOtReceiver::receive(&hello, &too_many),
            Err(OtError::TooLarge { .. })
        ));
    }
}
