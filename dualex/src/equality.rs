//! The secure equality test on the output labels, by oblivious transfer
//! from the session's random-OT stocks, sans-I/O.
//!
//! Each side hashes its string to a [`TEST_BITS`]-bit digest `h` and spends
//! that many random OTs of each direction on it:
//!
//! - as receiver, it spends OTs of its own stock with `h` as the choice
//!   bits and sends the correction bits (a one-time pad of `h` under its
//!   random choices, so they say nothing of it); it holds one label per bit,
//!   `t_j = z_j ^ h_j*Delta'` under the peer's Delta';
//! - as sender, it takes the peer's corrections and forms the labels of its
//!   own digest's path, `z_j ^ h_j*Delta`: it knows both labels of each OT,
//!   so it can take any path.
//!
//! Both sides then know the labels of the path `h` in both directions when
//! their digests are equal, and put them, the direction where the garbler
//! side sends first, into a tag: `H(role, context, labels)`. Each sends the
//! tag under its own role and checks the peer's against the one it expects
//! under the peer's role.
//!
//! Why this is secure, and leaks one bit at most. In the direction where a
//! side is receiver, it holds one label per OT and the other needs the
//! peer's Delta; the labels of any path other than its choice `c` are
//! therefore unknown to it, and so is every tag on such a path (random
//! oracle). Its choice `c` is fixed by the corrections it sends before it
//! sees anything that depends on the peer's digest (the peer's corrections
//! are uniformly random to it). So the peer's tag tells a side whether the
//! peer's digest is `c` and nothing else, unlike a plain exchange of hashes,
//! which a side that knows both labels of its own output wires could test
//! against every value the other side might have read; and a side can
//! produce the tag the peer expects only if the peer's digest is `c`: what
//! the peer accepts is the same bit, unless the cheater chooses to make it
//! abort. The roles in the tags stop a side from returning the peer's tag
//! as its own. Each OT is spent once; the context binds the tags to the
//! session and the computation.
//!
//! The idea is the OT-based private equality test of the private set
//! intersection literature (Pinkas-Schneider-Zohner, USENIX Security 2014),
//! on OTs the session makes anyway: two small messages each way and a few
//! hashes, where a Diffie-Hellman comparison costs three scalar
//! multiplications and two round trips.

use crate::DualError;
use circuits::Party;
use crypto::Block;
use ot::{OtSender, ReceiverStock, SenderStock};
use zeroize::Zeroize;

/// Bits of a string's digest, and random OTs spent in each direction by
/// one test.
pub const TEST_BITS: usize = 128;

/// Bytes of the correction message.
pub const CORRECTION_BYTES: usize = TEST_BITS / 8;

/// Bytes of a tag.
pub const TAG_BYTES: usize = 32;

/// The digest of a side's string under a context both sides share (the
/// session's and the computation's): the choice bits it spends.
fn digest(context: &[u8; 32], string: &[u8]) -> [bool; TEST_BITS] {
    let mut h = blake3::Hasher::new_derive_key("mpcc dual execution equality digest v1");
    h.update(context);
    h.update(&(string.len() as u64).to_le_bytes());
    h.update(string);
    let bytes = h.finalize();
    let mut bits = [false; TEST_BITS];
    for (j, b) in bits.iter_mut().enumerate() {
        *b = (bytes.as_bytes()[j / 8] >> (j % 8)) & 1 == 1;
    }
    bits
}

/// A side that has sent its corrections and waits for the peer's.
pub struct Test {
    context: [u8; 32],
    digest: [bool; TEST_BITS],
    /// The labels of its choices in the direction where it receives.
    received: Vec<Block>,
}

/// A side that has sent its tag and waits for the peer's.
pub struct Expect {
    tag: blake3::Hash,
}

/// The tag `sender` sends on the `labels` of both directions.
fn tag(sender: Party, context: &[u8; 32], labels: &[Block]) -> blake3::Hash {
    let mut h = blake3::Hasher::new_derive_key("mpcc dual execution equality tag v1");
    h.update(&[match sender {
        Party::Garbler => 0,
        Party::Evaluator => 1,
    }]);
    h.update(context);
    for l in labels {
        h.update(&l.to_bytes());
    }
    h.finalize()
}

impl Test {
    /// Starts the test on this side's `string`: spends [`TEST_BITS`] OTs of
    /// `stock` (where it receives) on the string's digest. Returns the state
    /// and the correction bits to send.
    pub fn start(
        stock: &mut ReceiverStock,
        context: &[u8; 32],
        string: &[u8],
    ) -> Result<(Test, Vec<u8>), DualError> {
        let digest = digest(context, string);
        let (corrections, received) = stock.spend(&digest)?;
        Ok((
            Test {
                context: *context,
                digest,
                received,
            },
            corrections,
        ))
    }

    /// Takes the peer's corrections: spends [`TEST_BITS`] OTs of `stock`
    /// (where this side, `me`, sends with `ot`). Returns the state and the
    /// tag to send.
    pub fn respond(
        mut self,
        me: Party,
        ot: &OtSender,
        stock: &mut SenderStock,
        corrections: &[u8],
    ) -> Result<(Expect, [u8; TAG_BYTES]), DualError> {
        if corrections.len() != CORRECTION_BYTES {
            return Err(DualError::EqualityMessage {
                what: "correction message",
            });
        }
        let mut path = stock.spend(ot, TEST_BITS, corrections)?;
        let delta = ot.delta();
        for (z, &bit) in path.iter_mut().zip(&self.digest) {
            *z ^= delta.select(bit);
        }
        // The direction where the garbler side sends, then the other.
        let mut labels = match me {
            Party::Garbler => [path, std::mem::take(&mut self.received)].concat(),
            Party::Evaluator => [std::mem::take(&mut self.received), path].concat(),
        };
        let peer = match me {
            Party::Garbler => Party::Evaluator,
            Party::Evaluator => Party::Garbler,
        };
        let mine = tag(me, &self.context, &labels);
        let expected = tag(peer, &self.context, &labels);
        labels.zeroize();
        Ok((Expect { tag: expected }, *mine.as_bytes()))
    }
}

impl Drop for Test {
    fn drop(&mut self) {
        self.received.zeroize();
        self.digest.zeroize();
    }
}

impl Expect {
    /// Takes the peer's tag: whether the strings are equal (compared in
    /// constant time). A tag of the wrong length is an error.
    pub fn finish(self, msg: &[u8]) -> Result<bool, DualError> {
        let theirs: [u8; TAG_BYTES] = msg
            .try_into()
            .map_err(|_| DualError::EqualityMessage { what: "tag" })?;
        Ok(self.tag == blake3::Hash::from(theirs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ot::{OtReceiver, Security};

    /// One direction's OTs: the receiver's stock and the sender with its
    /// stock, `n` random OTs made.
    fn direction(n: usize) -> (ReceiverStock, OtSender, SenderStock) {
        let ctx = [9u8; 32];
        let (setup, hello) = OtReceiver::setup_with_context(Security::Malicious, ctx);
        let delta = crypto::Delta::random().block();
        let (mut sender, reply) =
            OtSender::setup_with_context(delta, Security::Malicious, &hello, ctx).unwrap();
        let mut receiver = setup.finish(&reply).unwrap();
        let (mut rs, mut ss) = (ReceiverStock::new(), SenderStock::new());
        let msg = rs.refill(&mut receiver, n).unwrap();
        ss.refill(&mut sender, n, &msg).unwrap();
        (rs, sender, ss)
    }

    /// Both sides' OTs: the garbler side's (receiver stock where it
    /// receives, sender where it sends) and the evaluator side's.
    struct Sides {
        g_recv: ReceiverStock,
        g_ot: OtSender,
        g_send: SenderStock,
        e_recv: ReceiverStock,
        e_ot: OtSender,
        e_send: SenderStock,
    }

    fn sides() -> Sides {
        // Garbler side sends to the evaluator side, and the other way.
        let (e_recv, g_ot, g_send) = direction(4 * TEST_BITS);
        let (g_recv, e_ot, e_send) = direction(4 * TEST_BITS);
        Sides {
            g_recv,
            g_ot,
            g_send,
            e_recv,
            e_ot,
            e_send,
        }
    }

    const CTX: [u8; 32] = [7; 32];

    /// One honest test: (garbler side's verdict, evaluator side's).
    fn run(s: &mut Sides, g: &[u8], e: &[u8]) -> (bool, bool) {
        let (tg, cg) = Test::start(&mut s.g_recv, &CTX, g).unwrap();
        let (te, ce) = Test::start(&mut s.e_recv, &CTX, e).unwrap();
        let (xg, tag_g) = tg
            .respond(Party::Garbler, &s.g_ot, &mut s.g_send, &ce)
            .unwrap();
        let (xe, tag_e) = te
            .respond(Party::Evaluator, &s.e_ot, &mut s.e_send, &cg)
            .unwrap();
        (xg.finish(&tag_e).unwrap(), xe.finish(&tag_g).unwrap())
    }

    #[test]
    fn equal_strings_pass_and_unequal_fail_on_both_sides() {
        let mut s = sides();
        assert_eq!(run(&mut s, b"same labels", b"same labels"), (true, true));
        assert_eq!(run(&mut s, b"same labels", b"same labelz"), (false, false));
        assert_eq!(run(&mut s, b"", b""), (true, true));
        // Another context is another digest.
        assert_ne!(digest(&[1; 32], b"x"), digest(&[2; 32], b"x"));
    }

    #[test]
    fn an_echoed_tag_or_a_bad_message_does_not_pass() {
        let mut s = sides();
        let (tg, cg) = Test::start(&mut s.g_recv, &CTX, b"a").unwrap();
        let (te, ce) = Test::start(&mut s.e_recv, &CTX, b"a").unwrap();
        let (xg, _) = tg
            .respond(Party::Garbler, &s.g_ot, &mut s.g_send, &ce)
            .unwrap();
        let (xe, tag_e) = te
            .respond(Party::Evaluator, &s.e_ot, &mut s.e_send, &cg)
            .unwrap();
        // The garbler side returning the evaluator side's own tag: the
        // strings are equal, yet the echo does not pass.
        assert!(!xe.finish(&tag_e).unwrap());
        let e = xg.finish(&tag_e[..5]).unwrap_err().to_string();
        assert!(e.contains("tag is invalid"), "{e}");
        let (t, _) = Test::start(&mut s.g_recv, &CTX, b"b").unwrap();
        let e = t
            .respond(Party::Garbler, &s.g_ot, &mut s.g_send, &[0; 3])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("correction message is invalid"), "{e}");
    }

    /// A side that knows both labels of every OT where it sends, and its
    /// chosen ones where it receives, cannot form the tag of a digest other
    /// than its choice: trying the peer's actual string after committing to
    /// another choice fails, so the peer's tag answers one guess only.
    #[test]
    fn a_side_can_test_only_the_digest_it_chose() {
        let mut s = sides();
        let honest = b"the evaluator side's labels";
        // The garbler side chooses the digest of "guess one".
        let (tg, cg) = Test::start(&mut s.g_recv, &CTX, b"guess one").unwrap();
        let (te, ce) = Test::start(&mut s.e_recv, &CTX, honest).unwrap();
        // It knows its own path for any digest, but holds the received
        // labels of "guess one" only: its tag on the honest digest.
        let forged = Test {
            context: CTX,
            digest: digest(&CTX, honest),
            received: tg.received.clone(),
        };
        drop(tg);
        let (_, tag_e_expected_from_g) = forged
            .respond(Party::Garbler, &s.g_ot, &mut s.g_send, &ce)
            .unwrap();
        let (xe, _) = te
            .respond(Party::Evaluator, &s.e_ot, &mut s.e_send, &cg)
            .unwrap();
        assert!(!xe.finish(&tag_e_expected_from_g).unwrap());
    }

    #[test]
    fn a_short_stock_is_an_error_not_a_panic() {
        let (mut rs, _, _) = direction(TEST_BITS - 1);
        assert!(Test::start(&mut rs, &CTX, b"x").is_err());
    }
}
