//! The one error type of the `evaluator` crate.

use thiserror::Error;

/// Everything that can go wrong evaluating, most of it caused by peer data.
/// Messages name counts and phases, never a label or output bit.
#[derive(Debug, Error)]
pub enum EvalError {
    /// The evaluation engine refused the garbler's data or this side's
    /// labels: labels of the wrong number, a chunk of garbled tables of the
    /// wrong size or one too many, a truncated stream, a decoding of the
    /// wrong length.
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    /// Wrong number of evaluator input bits for a computation.
    #[error("the circuit takes {expected} evaluator input bits, got {got}")]
    EvaluatorInputs {
        /// Bits the circuit takes.
        expected: usize,
        /// Bits supplied.
        got: usize,
    },
    /// A [`crate::SessionPool`] could not connect to its garbler service
    /// (refused, timed out, TLS or handshake failure); it tries again after
    /// a backoff.
    #[error("garbler service at {addr} unreachable: {msg}")]
    Unreachable {
        /// The service's address.
        addr: String,
        /// What the last attempt said.
        msg: String,
    },
    /// A batch with another number of contexts than computations.
    #[error("a batch of {computations} computations with {contexts} contexts (one each)")]
    Contexts {
        /// Computations in the batch.
        computations: usize,
        /// Contexts given.
        contexts: usize,
    },
    /// The session protocol failed: the peer went silent, closed the
    /// connection, sent a malformed or oversized message, or runs another
    /// protocol version or circuit. The message names the phase.
    #[error(transparent)]
    Protocol(#[from] protocol::ProtocolError),
    /// Oblivious transfer failed.
    #[error("{phase}: {source}")]
    Ot {
        /// Where the session was.
        phase: protocol::Phase,
        /// What failed.
        source: ot::OtError,
    },
    /// A value or circuit given to the session is wrong.
    #[error(transparent)]
    Circuit(#[from] circuits::CircuitError),
    /// An earlier error closed the session.
    #[error("the session is closed after an earlier error")]
    SessionClosed,
    /// An error of the shared primitives (a circuit that cannot be
    /// scheduled, a malformed output decoding).
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    /// A dual-execution session failed: its output equality check (the
    /// garbler deviated), its protocol, or the garbler's refusal; the
    /// message names which. Nothing of the computation was returned.
    #[error(transparent)]
    Dual(#[from] dualex::DualError),
    /// A session configuration this side cannot run.
    #[error("session configuration: {0}")]
    Config(String),
    /// No secured connection to the garbler: it could not be reached, the
    /// TLS handshake failed (its certificate does not chain to our CA, has
    /// expired, names another host; it refused ours) or it did not admit
    /// us. Nothing of the session was sent.
    #[error("{0}")]
    Transport(#[from] transport::TransportError),
}

impl EvalError {
    /// An OT failure in `phase`.
    pub fn ot(phase: protocol::Phase, source: ot::OtError) -> EvalError {
        EvalError::Ot { phase, source }
    }
}
