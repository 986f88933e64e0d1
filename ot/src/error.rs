//! The one error type of the crate. Messages name the protocol phase and the
//! offending length or index; they never carry a key, label, Delta or choice.

/// Everything that can go wrong in base OT, OT extension or the driver.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtError {
    /// A message ended before all of its fields were read.
    #[error("{what}: message truncated (needed {needed} more bytes, {available} left)")]
    Truncated {
        /// Which message was being decoded.
        what: &'static str,
        /// Bytes the next field needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// A message had bytes left over after its last field.
    #[error("{what}: {extra} unexpected trailing bytes")]
    TrailingBytes {
        /// Which message was being decoded.
        what: &'static str,
        /// Number of bytes left over.
        extra: usize,
    },
    /// A message does not decode: it ends early, announces more than its
    /// size limit allows (refused before anything of that size is
    /// allocated), or holds an unknown tag.
    #[error("{what}: {reason}")]
    Decode {
        /// Which message was being decoded.
        what: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// A field held a value the protocol does not allow.
    #[error("{what}: {reason}")]
    Malformed {
        /// Which message was being decoded.
        what: &'static str,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A count or length exceeded its hard limit.
    #[error("{what}: length {len} exceeds the limit of {max}")]
    TooLarge {
        /// What was being sized.
        what: &'static str,
        /// The length that was asked for.
        len: u64,
        /// The largest length allowed.
        max: u64,
    },
    /// The peer sent bytes that do not decode to a Ristretto point.
    #[error("base OT: point {index} from the peer is not a valid Ristretto encoding")]
    InvalidPoint {
        /// Position of the point in its message (0 for the sender's point).
        index: usize,
    },
    /// The peer sent the identity point, which would make keys predictable.
    #[error("base OT: point {index} from the peer is the identity")]
    IdentityPoint {
        /// Position of the point in its message (0 for the sender's point).
        index: usize,
    },
    /// The two sides disagree on how many OTs a message carries.
    #[error("{what}: expected {expected} OTs, message carries {got}")]
    CountMismatch {
        /// Which step found the mismatch.
        what: &'static str,
        /// Count the caller asked for.
        expected: u64,
        /// Count found in the message.
        got: u64,
    },
    /// The receiver ran the extension in another security mode than the sender.
    #[error("OT extension: the peer uses another security mode")]
    SecurityMismatch,
    /// The receiver's consistency check failed: it deviated from the protocol.
    /// The sender refuses every later extension in this session.
    #[error(
        "OT extension: the receiver's consistency check failed in chunk {chunk}; session aborted"
    )]
    ConsistencyCheckFailed {
        /// Session-wide index of the failing chunk.
        chunk: u64,
    },
    /// An earlier consistency check failed; this session can no longer be used.
    #[error("OT extension: session was aborted after a failed consistency check")]
    Aborted,
    /// Reading or writing the channel failed.
    #[error("OT channel: {0}")]
    Io(#[from] std::io::Error),
}
