//! The one error type of the `garbler` crate.

use thiserror::Error;

/// Everything that can go wrong garbling. Messages name counts and phases,
/// never a label, Delta or input bit.
#[derive(Debug, Error)]
pub enum GarbleError {
    /// The garbler supplied the wrong number of input bits.
    #[error("the circuit takes {expected} garbler input bits, got {got}")]
    GarblerInputs {
        /// Bits the circuit takes.
        expected: usize,
        /// Bits supplied.
        got: usize,
    },
    /// Wrong number of evaluator input 0-labels (from OT).
    #[error("the circuit takes {expected} evaluator input labels, got {got}")]
    EvaluatorLabels {
        /// Labels the circuit takes.
        expected: usize,
        /// Labels supplied.
        got: usize,
    },
    /// `finish` was called while garbled tables were still to be pulled.
    #[error("garbling finished early: {remaining} garbled tables were never pulled")]
    Unfinished {
        /// Tables not yet produced.
        remaining: usize,
    },
    /// The session protocol failed: the peer went silent, closed the
    /// connection, sent a malformed or oversized message, or runs another
    /// protocol version or circuit. The message names the phase.
    #[error(transparent)]
    Protocol(#[from] protocol::ProtocolError),
    /// Oblivious transfer failed (a peer message that does not decode, a
    /// receiver that failed the consistency check).
    #[error("{phase}: {source}")]
    Ot {
        /// Where the session was.
        phase: protocol::Phase,
        /// What failed.
        source: ot::OtError,
    },
    /// The garbler will not run a computation (its inputs ran out, or the
    /// session's limit is reached).
    #[error("{0}")]
    Refused(String),
    /// An output label from the evaluator is neither label of its wire: the
    /// evaluator cheated or is broken, and its result is not to be trusted.
    #[error("output verification failed: the evaluator sent an output label that is neither label of its wire")]
    OutputVerification,
    /// Output wire indices or labels that do not fit the garbling's outputs.
    #[error("output labels or wires that do not match the garbling's {outputs} output wires")]
    OutputWires {
        /// Output wires of the garbling.
        outputs: usize,
    },
    /// The computation budget does not allow the batch (see
    /// [`crate::budget::Budget`]).
    #[error("{0}")]
    Budget(String),
    /// An error of the shared primitives (tweaks exhausted, bad circuit).
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    /// The connection could not be secured: the TLS handshake failed (a
    /// certificate from another CA, an expired one, none, a plaintext
    /// peer) or the peer is not allowed. Nothing of the session was sent.
    #[error("TLS handshake: {0}")]
    Transport(#[from] transport::TransportError),
}

impl GarbleError {
    /// An OT failure in `phase`.
    pub fn ot(phase: protocol::Phase, source: ot::OtError) -> GarbleError {
        GarbleError::Ot { phase, source }
    }
}
