//! Oblivious transfer for the garbled-circuit runtime.
//!
//! The garbler is the OT *sender* and holds the session's garbling `Delta`;
//! the evaluator is the *receiver*. Once per session, 128 base OTs
//! (Chou-Orlandi on Ristretto) seed an IKNP extension whose correlation is
//! `Delta`; after that, each evaluator input bit costs one correlated OT: the
//! garbler gets the input's 0-label `q_j`, the evaluator gets
//! `t_j = q_j ^ r_j * Delta`, the label of its bit `r_j`. In
//! [`Security::Malicious`] mode each chunk carries a KOS consistency check
//! (challenge by Fiat-Shamir, so no extra round trip) that the sender verifies
//! before it returns any label; a failed check aborts the session.
//!
//! The protocol does no I/O: it turns messages into messages. Every message
//! has `encode` and a bounded, total `decode` (bincode with fixed-width
//! integers and a size limit; the IKNP matrix travels as raw bytes).
//! [`driver`] frames them over any `Read + Write` channel.
//!
//! No key, label, Delta, seed or choice bit appears in any `Debug` output or
//! error message.
//!
//! ```
//! use crypto::Block;
//! use ot::{BaseOtHello, BaseOtReply, ExtendMsg, OtReceiver, OtSender, Security};
//!
//! // Session set-up (once): evaluator speaks first, garbler answers.
//! let delta = Block(Block::random().0 | 1);
//! let (setup, hello) = OtReceiver::setup(Security::Malicious);
//! let hello = BaseOtHello::decode(&hello.encode())?;
//! let (mut garbler, reply) = OtSender::setup(delta, Security::Malicious, &hello)?;
//! let mut evaluator = setup.finish(&BaseOtReply::decode(&reply.encode())?)?;
//!
//! // Per computation: the evaluator's input bits.
//! let bits = [true, false, true];
//! let (msg, labels) = evaluator.extend(&bits)?;
//! let zero_labels = garbler.extend(bits.len(), &ExtendMsg::decode(&msg.encode())?)?;
//! for ((q, t), b) in zero_labels.iter().zip(&labels).zip(bits) {
//!     assert_eq!(*t, *q ^ delta.select(b));
//! }
//! # Ok::<(), ot::OtError>(())
//! ```
//!
//! # The API in one page
//!
//! | step | evaluator ([`OtReceiver`]) | garbler ([`OtSender`]) |
//! |---|---|---|
//! | set-up, once per session | [`OtReceiver::setup`] `-> (ReceiverSetup, BaseOtHello)` | |
//! | | | [`OtSender::setup`]`(delta, security, &hello) -> Result<(OtSender, BaseOtReply)>` |
//! | | [`ReceiverSetup::finish`]`(&reply) -> Result<OtReceiver>` | |
//! | per batch of input bits | [`OtReceiver::extend`]`(&[bool]) -> Result<(ExtendMsg, Vec<Block>)>` | |
//! | | | [`OtSender::extend`]`(n, &msg) -> Result<Vec<Block>>` (the 0-labels) |
//!
//! | stock ahead, in refills | [`ReceiverStock::refill`]`(&mut ot, n) -> Result<ExtendMsg>` | [`SenderStock::refill`]`(&mut ot, n, &msg)` |
//! | per computation, from stock | [`ReceiverStock::spend`]`(&[bool]) -> Result<(corrections, labels)>` | [`SenderStock::spend`]`(&ot, n, &corrections) -> Result<Vec<Block>>` |
//!
//! The stock (random choice bits, spent with one correction bit per real
//! choice) is what the runtime uses: a computation with a few dozen input
//! bits then costs bytes of OT traffic instead of an extension of its own.
//! Both `extend`s have an `extend_into` twin that reuses the caller's buffers,
//! worth it for large batches. Random OT ([`OtReceiver::receive_random`],
//! [`OtSender::send_random`]) and chosen-message OT ([`OtSender::send_chosen`],
//! [`RandomOts::decrypt`]) run on the same session. The base OT is usable alone
//! ([`BaseOtSender`], [`BaseOtReceiver`]). [`driver`] runs set-up and
//! extension over a blocking channel, one frame per chunk of
//! [`CHUNK_ROWS`] OTs, so the message side never holds more than a chunk.
//!
//! Calls must alternate in the same order on both sides: each side advances
//! its PRG streams, chunk counter and OT counter by what it processed, and a
//! sender that missed a message no longer agrees with the receiver (the check
//! then fails). After any [`OtError::ConsistencyCheckFailed`] the sender
//! answers [`OtError::Aborted`] for the rest of the session.
//!
//! # Security notes
//!
//! - Base OT: Chou-Orlandi (CO15) on Ristretto; each key hashes the OT index
//!   and the whole transcript, and peer points are rejected if they do not
//!   decode or are the identity.
//! - Extension: IKNP (IKNP03) with the garbler's base-OT choice string equal to
//!   `Delta`, so outputs are correlated OTs with `Delta` as the correlation.
//!   `Delta`'s lowest bit is the public point-and-permute bit; the other 127
//!   bits stay secret.
//! - Malicious receiver: the KOS15 check over GF(2^128), padded with 192
//!   random OTs per chunk, in the form whose proof Roy22 (SoftSpoken sec. 5)
//!   repairs. The challenge is a hash of `U`, the session and the chunk index
//!   (Fiat-Shamir): the check is public-coin and only needs a challenge that
//!   cannot be predicted once `U` is fixed. The check leaks one bit of `Delta`
//!   per cheated column with probability 1/2, the inherent KOS bound.
//! - Correlated outputs are not hashed: the garbler's labels need the
//!   correlation. Random and chosen-message OT hash each output with a TCCR
//!   hash of AES (GKWY20) under a public key derived per session from the
//!   base-OT transcript, tweaked by the session-wide OT index.
//! - The KOS check is compared in constant time; the PCLMULQDQ and VPCLMULQDQ
//!   paths run only where every feature they enable was detected.
//! - Fresh secrets per session come from the OS CSPRNG; keys, `Delta` and
//!   scratch matrices are zeroized when dropped or used up.
#![deny(missing_docs, unsafe_code, unreachable_pub)]

mod base;
pub mod driver;
mod error;
mod extension;
mod gf128;
mod hash;
mod prg;
mod simd;
mod stock;
mod wire;

pub use base::{BaseOtHello, BaseOtReceiver, BaseOtReply, BaseOtSender, MAX_BASE_OTS};
pub use error::OtError;
pub use extension::{
    ChosenMsg, ExtendMsg, OtReceiver, OtSender, RandomOts, ReceiverSetup, Security, CHUNK_ROWS,
    MAX_OTS_PER_MESSAGE,
};
pub use stock::{ReceiverStock, SenderStock, MAX_STOCK};
