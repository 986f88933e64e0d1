//! The one error type of the `engine` crate.

use thiserror::Error;

/// Everything that can go wrong garbling or evaluating, most of it inputs
/// or peer data of the wrong size. Messages name counts, never a label,
/// Delta, input or output bit.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The garbler supplied the wrong number of input bits.
    #[error("the circuit takes {expected} garbler input bits, got {got}")]
    GarblerInputs {
        /// Bits the circuit takes.
        expected: usize,
        /// Bits supplied.
        got: usize,
    },
    /// Wrong number of garbler input labels given to an evaluation.
    #[error("the circuit takes {expected} garbler input labels, got {got}")]
    GarblerLabels {
        /// Labels the circuit takes.
        expected: usize,
        /// Labels received.
        got: usize,
    },
    /// Wrong number of evaluator input labels: the 0-labels from OT given
    /// to a garbling, or the active labels given to an evaluation.
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
    /// A chunk of garbled tables whose length is not a whole number of tables.
    #[error("garbled-table chunk of {len} bytes is not a multiple of {table} bytes")]
    ChunkLength {
        /// Length received.
        len: usize,
        /// Bytes per table.
        table: usize,
    },
    /// A chunk of three-halves tables whose length is not that of a whole
    /// number of gates (24 bytes each, then 5 bits each rounded up to bytes).
    #[error("garbled-table chunk of {len} bytes is not a whole number of three-halves tables (24 bytes and 5 bits each)")]
    ThreeHalvesChunkLength {
        /// Length received.
        len: usize,
    },
    /// More garbled tables than the circuit has AND gates left.
    #[error("received {got} garbled tables but only {remaining} remain in the circuit")]
    TooManyTables {
        /// Tables in the chunk.
        got: usize,
        /// Tables still expected.
        remaining: usize,
    },
    /// The stream of garbled tables ended early.
    #[error("garbled-table stream truncated: {missing} tables missing")]
    Truncated {
        /// Tables never received.
        missing: usize,
    },
    /// Output decoding for a different number of outputs.
    #[error("output decoding has {got} bits but the circuit has {expected} outputs")]
    DecodingLength {
        /// Output wires of the circuit.
        expected: usize,
        /// Decoding bits received.
        got: usize,
    },
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
    /// An error of the shared primitives (tweaks exhausted, a malformed
    /// three-halves chunk).
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
}
