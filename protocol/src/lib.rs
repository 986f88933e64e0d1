//! The session protocol between the `garbler` and the `evaluator`.
//!
//! This crate holds what both sides must agree on byte for byte: message
//! framing ([`Channel`], a 1-byte kind and a 4-byte length before every
//! payload, with a hard size limit checked before anything is allocated), the
//! handshake ([`Hello`]: protocol version and the circuit's digest and
//! layout, so a mismatch is reported as what differs), the request for a
//! batch of computations ([`Compute`]) and where the serving side's inputs
//! for each come from ([`InputSource`]), per-phase statistics and the
//! transcript digest. The cryptography lives in `ot` and `engine`; this
//! crate only moves and checks bytes.
//!
//! Messages with fields are bincode, with fixed-width little-endian
//! integers and a size limit on every decode; garbled tables, labels and
//! bit strings travel as raw byte chunks (see [`Kind`]).
//!
//! ```
//! use protocol::{Channel, Kind, Limits};
//! use std::io::Cursor;
//! let mut tx = Channel::new(Cursor::new(Vec::new()), Limits::default());
//! tx.send(Kind::Bye, b"").unwrap();
//! tx.flush().unwrap();
//! let sent = tx.stats().bytes_sent;
//! let wire = tx.get_ref().get_ref().clone();
//! let mut rx = Channel::new(Cursor::new(wire), Limits::default());
//! let (kind, payload) = rx.recv().unwrap();
//! assert_eq!((kind, payload.len(), sent), (Kind::Bye, 0, 5));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod channel;
mod error;
mod hello;
mod inputs;
mod link;
mod prepared;
mod security;
mod stats;
mod wire;

pub use channel::{Channel, ChannelStats, Kind, Limits};
pub use error::{Phase, ProtocolError};
pub use hello::{binding_tag, decode_hash_key, ot_context, Hello, Summary, PROTOCOL_VERSION};
pub use inputs::{FixedInputs, InputSource};
pub use link::{TcpLink, DEFAULT_SPIN};
pub use prepared::Prepared;
pub use security::Security;
pub use stats::{Latencies, PhaseTimer, SessionStats};
pub use wire::{pack_bits, pack_contexts, unpack_bits, Compute, Refill, Window, MAX_AHEAD};

/// Most computations one `Compute` request may ask for.
pub const MAX_BATCH: u64 = 1 << 16;

/// Most evaluator input bits (OTs) one `Compute` request may carry, so that
/// the request stays well under [`Limits::max_message`].
pub const MAX_BATCH_BITS: usize = 1 << 20;

/// Most output labels the garbler learns that one `Compute` request of more
/// than one computation may produce (16 bytes each): both sides hold them
/// until the batch's results are sent, after every garbled circuit of it.
pub const MAX_BATCH_LABELS: usize = 1 << 20;

/// Most bytes of the public context of one computation (an auction id,
/// say), sent with its request and given to the garbler's input source.
pub const MAX_CONTEXT: usize = 256;
