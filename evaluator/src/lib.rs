//! The evaluator of half-gates garbled circuits, and of three-halves ones
//! ([`EvaluatorSession::with_scheme`] with [`Scheme::ThreeHalves`], the
//! scheme the garbler's session runs: the two agree on it in the handshake;
//! tables then come in groups of 8 gates of 197 bytes, see
//! `crypto::threehalves`).
//!
//! Evaluation is a pure computation over gates, labels and the bytes the
//! garbler sends, done by the engine of crate `engine` (shared with the
//! garbler and dual execution, and re-exported here): no sockets there. An
//! [`EvaluatorSession`] lives as long as the connection to one garbler and
//! keeps the hash under the garbler's session key (sent in the handshake)
//! and the hash-tweak counter, which follows the garbler's (two tweaks per
//! AND gate, counted across every circuit of the session). For each run:
//!
//! 1. build the circuit's [`Schedule`] (the same one the garbler uses);
//! 2. [`EvaluatorSession::evaluate`] with the garbler's input labels (as
//!    received) and the evaluator's own labels (from OT);
//! 3. [`Evaluation::feed`] every chunk of garbled tables in order (any whole
//!    number of 32-byte tables; a chunk of another length or too many tables
//!    is an error, never a panic);
//! 4. [`Evaluation::finish`] with the garbler's [`OutputDecoding`] (read with
//!    [`OutputDecoding::from_bytes`]); a stream that ended early is an error.
//!    When some outputs are revealed to one party only, use
//!    [`Evaluation::finish_labels`] instead: decode the outputs the
//!    evaluator learns with [`decode`] and the decoding bits the garbler
//!    sends for them, and send the garbler the labels of the outputs it
//!    learns (what [`Session`] does).
//!
//! [`Session`] runs all of this against a garbler over TLS, in either
//! security mode ([`SessionConfig::security`]): semi-honest, or dual
//! execution (crate `dualex`), where this side also garbles and an equality
//! test on the output labels guards every result.
//!
//! Memory is one label per schedule slot (the live wires), whatever the gate
//! count; labels are zeroized when an evaluation is dropped, and no label
//! appears in any `Debug` output or error.
//!
//! ```
//! use circuits::bristol;
//! use crypto::{Block, HashKey, OutputDecoding, Schedule};
//! use evaluator::{EngineError, EvaluatorSession};
//!
//! // out = NOT x, x from the evaluator: no AND gates, so no tables.
//! let circuit = bristol::parse("1 2\n1 1\n1 1\n\n1 1 0 1 INV\n", 0).unwrap();
//! let schedule = Schedule::new(&circuit).unwrap();
//! // The garbler's session key, as received in the handshake.
//! let key = HashKey::random();
//! let mut session = EvaluatorSession::new(key);
//! let label = Block::random();
//! let mut run = session.evaluate(&schedule, &[], &[label]).unwrap();
//! assert!(matches!(run.feed(&[0u8; 31]), Err(EngineError::ChunkLength { len: 31, table: 32 })));
//! // The garbler's decoding bit says the label's permute bit means "true".
//! let decoding = OutputDecoding::from_bits(vec![!label.lsb()]);
//! assert_eq!(run.finish(&decoding).unwrap(), vec![true]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "async")]
mod async_session;
mod error;
mod remote;
mod session;

#[cfg(feature = "async")]
pub use async_session::{AsyncSession, PoolConfig, SessionPool};
pub use crypto::{Label, OutputDecoding, Schedule, Scheme};
pub use engine::{decode, EngineError, Evaluation, EvaluatorSession};
pub use error::EvalError;
pub use protocol::Prepared;
pub use remote::{ClientSecurity, SessionConfig};
pub use session::Session;
