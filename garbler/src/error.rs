//! The one error type of the `garbler` crate.

use thiserror::Error;

/// Everything that can go wrong garbling. Messages name counts and phases,
/// never a label, Delta or input bit.
#[derive(Debug, Error)]
pub enum GarbleError {
    /// The garbling engine failed: input bits or labels of the wrong
    /// number, a garbling finished early, or an output label from the
    /// evaluator that is neither of its wire's two
    /// ([`engine::EngineError::OutputVerification`]: the evaluator cheated
    /// or is broken, and its result is not to be trusted).
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
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
    /// The computation budget does not allow the batch (see
    /// [`crate::budget::Budget`]).
    #[error("{0}")]
    Budget(String),
    /// An error of the shared primitives (a circuit that cannot be
    /// scheduled).
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    /// A dual-execution session failed: its output equality check (the
    /// peer deviated), its protocol, or its input source; the message names
    /// which. No output of the computation was released.
    #[error(transparent)]
    Dual(#[from] dualex::DualError),
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
