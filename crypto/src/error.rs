//! The one error type of the `crypto` crate.

use thiserror::Error;

/// Everything that can go wrong in the shared garbling primitives. Messages
/// never contain a label, Delta, seed or input.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CryptoError {
    /// A block offered as Delta has its lowest (permute) bit clear.
    #[error("Delta must have its lowest bit set (the permute bit)")]
    DeltaLsbClear,
    /// The session's hash tweaks are used up; start a new session.
    #[error("the session has used all its hash tweaks; start a new session")]
    TweaksExhausted,
    /// The circuit to schedule breaks an invariant.
    #[error(transparent)]
    Circuit(#[from] circuits::CircuitError),
    /// The circuit is too large to schedule (more than 2^32 - 1 wires).
    #[error("circuit too large to schedule: {0}")]
    TooLarge(String),
    /// Output decoding bits of the wrong length.
    #[error("output decoding: expected {expected} bytes, got {got}")]
    DecodingLength {
        /// Bytes expected.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// Three-halves tables whose last control byte has padding bits set.
    #[error("garbled tables: padding bits of the last control byte are not zero")]
    ControlPadding,
    /// Output decoding bits with padding bits set.
    #[error("output decoding: padding bits of the last byte are not zero")]
    DecodingPadding,
}
