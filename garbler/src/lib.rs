//! The garbler of half-gates garbled circuits, and of three-halves ones
//! ([`GarblerSession::with_scheme`] with [`Scheme::ThreeHalves`]: 24 bytes
//! and 5 bits per AND gate instead of 32, three tweaks per gate instead of
//! two, the construction of Rosulek-Roy, CRYPTO 2021, in
//! `crypto::threehalves`). Everything below holds for both schemes.
//!
//! Garbling is a pure computation over gates and labels, done by the
//! engine of crate `engine` (shared with the evaluator and dual execution,
//! and re-exported here): no sockets there. A [`GarblerSession`] lives as
//! long as the connection to one evaluator and holds what must persist
//! across every circuit garbled on it: Delta (fresh from the OS CSPRNG,
//! lowest bit always set; the base-OT choice bits are set from it), the
//! public hash key (fresh from the OS CSPRNG, sent to the evaluator in the
//! handshake), the hash-tweak counter (two tweaks per AND gate, never
//! reused in the session) and the PRG for fresh garbler input labels. For
//! each run:
//!
//! 1. build a [`Schedule`] for the circuit, once, and reuse it;
//! 2. [`GarblerSession::garble`] with the garbler's input bits and the
//!    evaluator's input 0-labels from correlated OT (whose correlation is
//!    Delta, so the garbler cannot pick them);
//! 3. send [`Garbling::garbler_labels`] (16 bytes per garbler input bit);
//! 4. send every chunk from [`Garbling::next_chunk`] (at most 64 KiB each)
//!    until it returns `None`;
//! 5. [`Garbling::finish`] gives an [`OutputCheck`]: send its
//!    [`OutputDecoding`] for the output wires the evaluator learns (one bit
//!    per wire: the permute bit of its 0-label), and decode the labels the
//!    evaluator sends back for the wires the garbler learns with
//!    [`OutputCheck::verify`], which refuses any label that is neither of
//!    its wire's two.
//!
//! [`GarblerSession::garble_ahead`] garbles a run before its inputs are
//! known, with random input 0-labels; [`service`] describes how a session
//! uses it to answer each request in one round trip.
//!
//! The evaluator (crate `evaluator`) mirrors this; its session's tweak
//! counter follows this one as long as both run the same circuits in the
//! same order.
//!
//! Many runs under one Delta are safe because no hash input repeats under a
//! tweak: every run takes fresh tweaks, and fresh garbler input labels from
//! the PRG. The evaluator's input 0-labels must likewise be fresh for every
//! run (new correlated OTs): handing the same 0-labels to two runs in which
//! the evaluator chose differently would give it both labels of a wire, and
//! so Delta.
//!
//! Independent AND gates (one AND depth of the circuit) are hashed together
//! in windows of up to 256 gates; layers wider than 1,024 gates are spread
//! over rayon's threads, narrower ones stay on the calling thread. For
//! throughput on many small circuits, run one session per thread (what
//! `mpcc bench` measures as `garble_parallel`).
//!
//! Construction: free-XOR (KS08), half-gates (ZRE15 sec. 3) with two
//! ciphertexts per AND gate, hashed with the TCCR hash of Guo-Katz-Wang-Yu
//! (S&P 2020, sec. 7.4) on AES-128 under a public key drawn fresh for each
//! session, so that gates collected from many sessions do not add up against
//! one permutation (Guo-Katz-Wang-Weng-Yu, CRYPTO 2020; see
//! `crypto::HalfGateHash`). Independent AND gates are hashed in batches on
//! 256-bit VAES when the CPU has it (see `crypto`).
//!
//! No label, Delta or input bit appears in any `Debug` output or error.
//!
//! ```
//! use circuits::{bristol, Party};
//! use crypto::{Block, Schedule};
//! use evaluator::EvaluatorSession;
//! use garbler::GarblerSession;
//!
//! // out = x AND y, x from the garbler, y from the evaluator.
//! let circuit = bristol::parse("1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n", 1).unwrap();
//! assert_eq!(circuit.inputs[1].party, Party::Evaluator);
//! let schedule = Schedule::new(&circuit).unwrap();
//!
//! let mut g = GarblerSession::new();
//! // The evaluator hashes under the key the garbler sends in the handshake.
//! let mut e = EvaluatorSession::new(g.hash_key());
//! // What correlated OT would deliver: the garbler gets the 0-label q, the
//! // evaluator with choice bit y gets q ^ y*Delta.
//! let q = Block::random();
//! let y = true;
//! let evaluator_label = q ^ g.delta().block().select(y);
//!
//! let mut garbling = g.garble(&schedule, &[true], &[q]).unwrap();
//! let mut evaluation =
//!     e.evaluate(&schedule, garbling.garbler_labels(), &[evaluator_label]).unwrap();
//! while let Some(chunk) = garbling.next_chunk() {
//!     evaluation.feed(chunk).unwrap();
//! }
//! let check = garbling.finish().unwrap();
//! let labels = evaluation.output_labels();
//! assert_eq!(evaluation.finish(&check.decoding_all()).unwrap(), vec![true]);
//! // The garbler reads the same output from the evaluator's label.
//! assert_eq!(check.verify(&[0], &labels).unwrap(), vec![true]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod budget;
mod error;
pub mod metrics;
pub mod service;

pub use crypto::{Delta, Label, OutputDecoding, Schedule, Scheme};
pub use engine::{EngineError, GarblerSession, Garbling, OutputCheck};
pub use error::GarbleError;
pub use protocol::Prepared;
pub use service::{
    run_link, run_session, run_session_bound, serve, Drain, FixedInputs, InputSource, PeerInfo,
    SessionConfig, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_HANDSHAKES, DEFAULT_MAX_SESSIONS,
};
