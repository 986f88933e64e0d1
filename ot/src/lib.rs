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
//! has `encode` and a bounded, total `decode`. [`driver`] frames them over any
//! `Read + Write` channel.
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
#![deny(missing_docs, unsafe_code, unreachable_pub)]

mod base;
pub mod driver;
mod error;
mod extension;
mod gf128;
mod hash;
mod prg;
mod simd;
mod wire;

pub use base::{BaseOtHello, BaseOtReceiver, BaseOtReply, BaseOtSender, MAX_BASE_OTS};
pub use error::OtError;
pub use extension::{
    ChosenMsg, ExtendMsg, OtReceiver, OtSender, RandomOts, ReceiverSetup, Security, CHUNK_ROWS,
    MAX_OTS_PER_MESSAGE,
};
