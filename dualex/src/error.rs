//! The crate's one error type.

use protocol::ProtocolError;

/// Why a dual-execution session ended. No message holds a label, Delta,
/// key, scalar or input.
#[derive(Debug, thiserror::Error)]
pub enum DualError {
    /// The equality test on the output labels failed: the two executions
    /// disagree, so one side garbled, fed or reported something other than
    /// the protocol says (or the link corrupted data). No output is
    /// released; the peer learns this one bit and nothing else.
    #[error("dual execution: the output equality check failed: the peer deviated from the protocol (or the link corrupted data); no output is released")]
    EqualityCheckFailed,
    /// The peer's equality-test message has the wrong length.
    #[error("dual execution: the output equality check failed: the peer's {what} is invalid; no output is released")]
    EqualityMessage {
        /// Which part of the message.
        what: &'static str,
    },
    /// The handshake, framing, limits or the peer's own error.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// Oblivious transfer, its consistency check included.
    #[error("oblivious transfer: {0}")]
    Ot(#[from] ot::OtError),
    /// This side's garbling, or its evaluation of the peer's garbling.
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    /// Connecting or securing the link.
    #[error(transparent)]
    Transport(#[from] transport::TransportError),
    /// The circuit could not be prepared.
    #[error("preparing the circuit: {0}")]
    Circuit(#[from] crypto::CryptoError),
    /// This side's input bits do not fit the circuit.
    #[error("this side has {got} input bits, the circuit takes {expected}")]
    Inputs {
        /// Input bits the circuit takes from this side.
        expected: usize,
        /// Input bits given.
        got: usize,
    },
    /// The garbler side will not run the computation: its input source gave
    /// no inputs, or refused (a budget, say); the message says why, and the
    /// peer reads it.
    #[error("{0}")]
    InputSource(String),
    /// The session already ran the most computations it may.
    #[error("the session ran its {0} computations")]
    MaxComputations(u64),
    /// The session is closed (after an error or a close).
    #[error("the session is closed")]
    Closed,
}
