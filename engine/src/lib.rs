//! The garbling and evaluation engines that both parties use: pure
//! computation over circuits, labels and garbled tables, with no I/O (no
//! sockets, no messages, no OT). The `garbler` and `evaluator` crates wrap
//! them in their sides of a session, and dual execution (`dualex`) runs
//! both in each party; all three re-export what they use from here.
//!
//! Both engines run half-gates (ZRE15) or three-halves (Rosulek-Roy,
//! CRYPTO 2021) garbling, the [`Scheme`](crypto::Scheme) of their session,
//! on a circuit's [`Schedule`](crypto::Schedule):
//!
//! - [`GarblerSession`] holds what the garbler keeps for one session
//!   (Delta, the public hash key, the hash-tweak counter, the PRG of fresh
//!   input labels); each [`GarblerSession::garble`] is a [`Garbling`] that
//!   yields the garbled tables a bounded chunk at a time and ends in an
//!   [`OutputCheck`]: the decoding bits the garbler may hand out, and the
//!   check of the output labels the evaluator sends back.
//! - [`EvaluatorSession`] holds the hash under the garbler's key and the
//!   tweak counter that follows the garbler's; each
//!   [`EvaluatorSession::evaluate`] is an [`Evaluation`] that consumes
//!   those chunks in order, holds only the labels of live wires, and ends
//!   in output bits or output labels ([`decode`] reads the latter).
//!
//! Every failure is an [`EngineError`], caused by inputs or peer data of
//! the wrong size (never a panic); no label, Delta or input bit appears in
//! any `Debug` output or error, and labels are wiped when a run ends.
//!
//! ```
//! use circuits::bristol;
//! use crypto::{Block, Schedule};
//! use engine::{EvaluatorSession, GarblerSession};
//!
//! // out = x AND y, x from the garbler, y from the evaluator.
//! let circuit = bristol::parse("1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n", 1).unwrap();
//! let schedule = Schedule::new(&circuit).unwrap();
//! let mut g = GarblerSession::new();
//! let mut e = EvaluatorSession::new(g.hash_key());
//! // What correlated OT would deliver for the evaluator's bit y = 1.
//! let q = Block::random();
//! let evaluator_label = q ^ g.delta().block().select(true);
//!
//! let mut garbling = g.garble(&schedule, &[true], &[q]).unwrap();
//! let mut evaluation =
//!     e.evaluate(&schedule, garbling.garbler_labels(), &[evaluator_label]).unwrap();
//! while let Some(chunk) = garbling.next_chunk() {
//!     evaluation.feed(chunk).unwrap();
//! }
//! let check = garbling.finish().unwrap();
//! let labels = evaluation.finish_labels().unwrap();
//! assert_eq!(engine::decode(&labels, &check.decoding_all()), vec![true]);
//! assert_eq!(check.verify(&[0], &labels).unwrap(), vec![true]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod evaluate;
mod evaluator_session;
mod garble;
mod garbler_session;
mod output;

pub use error::EngineError;
pub use evaluate::{decode, Evaluation};
pub use evaluator_session::EvaluatorSession;
pub use garble::Garbling;
pub use garbler_session::GarblerSession;
pub use output::OutputCheck;
