//! The one error type of the `circuits` crate.

use thiserror::Error;

/// Everything that can go wrong reading, checking or running a circuit.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CircuitError {
    /// A Bristol Fashion file is malformed; `line` is 1-based.
    #[error("line {line}: {msg}")]
    Bristol {
        /// Line of the file at fault.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {msg}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        msg: String,
    },
    /// A circuit breaks an invariant of [`crate::Circuit`].
    #[error("invalid circuit: {0}")]
    Invalid(String),
    /// A command-line value does not match its parameter.
    #[error("parameter `{param}` ({ty}): {msg}")]
    Value {
        /// Parameter name.
        param: String,
        /// Parameter type, as the language writes it.
        ty: String,
        /// What is wrong.
        msg: String,
    },
    /// Wrong number of values for a circuit.
    #[error("expected {expected} values ({names}), got {got}")]
    ValueCount {
        /// Number expected.
        expected: usize,
        /// Number given.
        got: usize,
        /// The parameters' names, for the message.
        names: String,
    },
    /// A Rust value does not match the declared type of a parameter or
    /// output (see [`crate::typed`]).
    #[error("{subject}: {msg}")]
    Typed {
        /// What the value is for: "parameter `bids`", "output `result`".
        subject: String,
        /// What is wrong, with the path inside the value ("element 3: ...").
        msg: String,
    },
}
