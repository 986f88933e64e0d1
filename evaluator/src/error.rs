//! The one error type of the `evaluator` crate.

use thiserror::Error;

/// Everything that can go wrong evaluating, most of it caused by peer data.
/// Messages name counts and phases, never a label or output bit.
#[derive(Debug, Error)]
pub enum EvalError {
    /// Wrong number of garbler input labels.
    #[error("the circuit takes {expected} garbler input labels, got {got}")]
    GarblerLabels {
        /// Labels the circuit takes.
        expected: usize,
        /// Labels received.
        got: usize,
    },
    /// Wrong number of evaluator input labels.
    #[error("the circuit takes {expected} evaluator input labels, got {got}")]
    EvaluatorLabels {
        /// Labels the circuit takes.
        expected: usize,
        /// Labels supplied.
        got: usize,
    },
    /// A chunk of garbled tables whose length is not a whole number of tables.
    #[error("garbled-table chunk of {len} bytes is not a multiple of {table} bytes")]
    ChunkLength {
        /// Length received.
        len: usize,
        /// Bytes per table.
        table: usize,
    },
    /// A chunk of three-halves tables whose length is not that of a whole
    /// number of gates (24 bytes each, then 5 bits each rounded up to bytes).
    #[error("garbled-table chunk of {len} bytes is not a whole number of three-halves tables (24 bytes and 5 bits each)")]
    ThreeHalvesChunkLength {
        /// Length received.
        len: usize,
    },
    /// More garbled tables than the circuit has AND gates left.
    #[error("received {got} garbled tables but only {remaining} remain in the circuit")]
    TooManyTables {
        /// Tables in the chunk.
        got: usize,
        /// Tables still expected.
        remaining: usize,
    },
    /// The stream of garbled tables ended early.
    #[error("garbled-table stream truncated: {missing} tables missing")]
    Truncated {
        /// Tables never received.
        missing: usize,
    },
    /// Output decoding for a different number of outputs.
    #[error("output decoding has {got} bits but the circuit has {expected} outputs")]
    DecodingLength {
        /// Output wires of the circuit.
        expected: usize,
        /// Decoding bits received.
        got: usize,
    },
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
    /// An error of the shared primitives (tweaks exhausted, bad circuit).
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
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
