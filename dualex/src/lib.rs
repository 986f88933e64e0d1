//! Dual execution: protection against a cheating garbler at about twice
//! the cost of one garbling.
//!
//! Both parties garble the circuit once and evaluate the other's garbling
//! (Mohassel-Franklin 2006; Huang-Katz-Evans, S&P 2012). The side that
//! listens (the "garbler side", the `garbler` binary) garbles first; the
//! side that connects (the "evaluator side") asks for computations. Before
//! either side releases an output, a secure equality test
//! ([`equality`]) compares, output bit by output bit, the labels of the two
//! garblings: for a bit a side learns, the value it read from the peer's
//! garbling must be the value its own garbling carries in the peer's
//! evaluation. On any difference both sides end with
//! [`DualError::EqualityCheckFailed`] and release nothing.
//!
//! # What it guarantees
//!
//! - Each side's input labels for the peer's garbling come by OT extension
//!   with the KOS consistency check (secure against a malicious receiver)
//!   in both directions, each direction bound to the channel binding.
//! - Inputs: a side's input *is* its OT choice bits in the execution it
//!   evaluates; those are extractable, and the honest side's outputs, once
//!   released, are the function of its own input and those bits. What a
//!   side feeds its own garbling as its input (the same bits, other bits,
//!   or a different circuit altogether) cannot change a released output:
//!   the honest side's garbling computes the function on the OT-bound input,
//!   and the equality test ties every value the honest side reads to it. A
//!   different input or circuit in the cheater's garbling can only make the
//!   test fail, which tells the cheater one bit.
//! - Party-tagged outputs: a part revealed to one side only is read only
//!   there (the other side never gets its decoding bits); the test compares
//!   it by labels, which the other side holds as random strings. The test
//!   reveals only equal or not: a side that knows both labels of an output
//!   wire cannot try the other side's possible values one by one.
//! - Leakage: a cheating side learns at most one bit more than its own
//!   outputs (whether the test passed, as a function of the honest side's
//!   input of the cheater's choice), and is caught whenever its deviation
//!   changes a result. It can also make the session end without output
//!   (no fairness): a side that holds the peer's tag may withhold its own.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod equality;
mod error;
mod session;

pub use error::DualError;
pub use session::{serve_channel, serve_link, serve_session, Config, Session};

/// A way for one side to deviate from the protocol, for the tests that
/// show what the honest side detects. Not for any other use.
#[doc(hidden)]
#[derive(Clone, Default)]
pub enum Deviation {
    /// Follows the protocol.
    #[default]
    None,
    /// Garbles this circuit instead of the agreed one (same inputs,
    /// outputs and AND gate count, so that only the equality test can tell).
    GarbleCircuit(circuits::Circuit),
    /// Flips one bit of every garbled table it sends (of its first half,
    /// which the evaluator uses for about half of the gates).
    FlipTableBits,
    /// Feeds these input bits to its own garbling, and its real ones to the
    /// OTs of the peer's garbling.
    GarbleWithInputs(Vec<bool>),
    /// Puts a random string into the equality test.
    LieInEquality,
    /// Stops once both garblings are exchanged, before the decoding bits.
    StopAfterGarbling,
}

/// The deviation's name only: no circuit, no input bits.
impl std::fmt::Debug for Deviation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Deviation::None => "None",
            Deviation::GarbleCircuit(_) => "GarbleCircuit(<circuit>)",
            Deviation::FlipTableBits => "FlipTableBits",
            Deviation::GarbleWithInputs(_) => "GarbleWithInputs(<redacted>)",
            Deviation::LieInEquality => "LieInEquality",
            Deviation::StopAfterGarbling => "StopAfterGarbling",
        })
    }
}
