//! The protocol's one error type.

use std::fmt;
use thiserror::Error;

/// A step of a session, named in errors and timed in statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Connecting and agreeing on version and circuit.
    Handshake,
    /// The base OTs, once per session.
    BaseOt,
    /// OT extension for the evaluator's input labels.
    OtExtension,
    /// Garbling or evaluating, with the garbled tables on the wire.
    Garbling,
    /// Output decoding and the result message.
    Output,
}

impl Phase {
    /// All phases, in protocol order.
    pub const ALL: [Phase; 5] = [
        Phase::Handshake,
        Phase::BaseOt,
        Phase::OtExtension,
        Phase::Garbling,
        Phase::Output,
    ];

    /// The phase's name in errors and statistics.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Handshake => "handshake",
            Phase::BaseOt => "base_ot",
            Phase::OtExtension => "ot_extension",
            Phase::Garbling => "garbling",
            Phase::Output => "output",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that ends a session. Messages never contain labels, Delta,
/// seeds or inputs.
#[derive(Debug, Error)]
pub enum ProtocolError {
    /// The peer said nothing for longer than the timeout.
    #[error("{phase}: the peer sent nothing for {secs} s (timeout)")]
    Timeout {
        /// Where the session was.
        phase: Phase,
        /// The timeout in seconds.
        secs: u64,
    },
    /// The peer closed the connection.
    #[error("{phase}: the peer closed the connection")]
    Closed {
        /// Where the session was.
        phase: Phase,
    },
    /// Any other I/O failure.
    #[error("{phase}: {source}")]
    Io {
        /// Where the session was.
        phase: Phase,
        /// The failure.
        source: std::io::Error,
    },
    /// A message longer than the limit was announced; nothing was allocated.
    #[error("{phase}: the peer announced a {len}-byte message, over the {limit}-byte limit")]
    TooLarge {
        /// Where the session was.
        phase: Phase,
        /// Announced length.
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// A message that does not decode, or comes out of turn.
    #[error("{phase}: malformed message from the peer: {msg}")]
    Malformed {
        /// Where the session was.
        phase: Phase,
        /// What is wrong.
        msg: String,
    },
    /// The two sides run different protocols or circuits.
    #[error("handshake: {0}")]
    Mismatch(String),
    /// A computation's public context is longer than [`crate::MAX_CONTEXT`]
    /// bytes (refused before anything is sent).
    #[error(
        "a computation's context of {len} bytes is too long (at most {} bytes)",
        crate::MAX_CONTEXT
    )]
    ContextTooLong {
        /// Its length.
        len: usize,
    },
    /// The peer reported an error and ended the session.
    #[error("{phase}: the peer reported: {msg}")]
    Peer {
        /// Where the session was.
        phase: Phase,
        /// The peer's message.
        msg: String,
    },
}
