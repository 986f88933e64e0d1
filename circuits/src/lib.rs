//! The circuit representation every crate of the workspace speaks.
//!
//! A [`Circuit`] is a list of XOR, AND, INV and constant gates in topological
//! order over numbered wires, with typed, named inputs (each owned by a
//! [`Party`]) and outputs. This crate builds circuits ([`Builder`]), evaluates
//! them in plaintext (one input or 64 at once, bit-sliced), computes their
//! statistics, and reads and writes Bristol Fashion files.
//!
//! ```
//! use circuits::{bristol, Party};
//! let text = "1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n";
//! let c = bristol::parse(text, 1).unwrap();
//! assert_eq!(c.inputs[0].party, Party::Garbler);
//! assert_eq!(c.eval_bits(&[true, true]).unwrap(), vec![true]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bristol;
mod builder;
mod circuit;
mod error;
mod eval;
pub mod format;
mod stats;
pub mod typed;
mod types;
pub mod value;

pub use builder::Builder;
pub use circuit::{Circuit, Gate, GateKind, Input, Output, Party, WireId};
pub use error::CircuitError;
pub use stats::Stats;
pub use types::{tag_bits, Type, Variant, VariantFields, MAX_INT_WIDTH};
