//! Command-line glue shared by the `garbler` and `evaluator` binaries:
//! loading (or compiling) the circuit, reading values, printing outputs.
//!
//! The binaries live in this package, not in the `garbler` and `evaluator`
//! libraries, so that neither party's library nor the wire protocol links
//! the compiler.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use circuits::{value, Circuit, Party};
use protocol::{Limits, Window, DEFAULT_SPIN};
use std::path::{Path, PathBuf};

/// The flags both binaries take to name their circuit.
#[derive(clap::Args, Debug)]
pub struct CircuitArgs {
    /// A .mpc program to compile and run.
    #[arg(long, conflicts_with = "circuit")]
    pub program: Option<PathBuf>,
    /// A Bristol Fashion or compiled circuit file.
    #[arg(long)]
    pub circuit: Option<PathBuf>,
    /// How many of a Bristol circuit's input values are the garbler's.
    #[arg(long, default_value_t = 1)]
    pub garbler_values: usize,
    /// Seconds to wait for a silent peer before ending the session.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Print session statistics as one JSON object on standard error.
    #[arg(long)]
    pub stats: bool,
    /// Microseconds to poll for the peer's next message before sleeping:
    /// spends CPU to save the wake-up of a sleeping thread (0: never poll).
    #[arg(long, default_value_t = DEFAULT_SPIN.as_micros() as u64)]
    pub spin_us: u64,
    /// The garbling scheme: half-gates (32 bytes per AND gate) or
    /// three-halves (about 24.6 bytes per AND gate, more hashing). Both
    /// sides must name the same one.
    #[arg(long, default_value_t = garbler::Scheme::HalfGates)]
    pub scheme: garbler::Scheme,
    /// Computations the garbler garbles ahead of requests, at most (the
    /// smaller of the two sides' values holds; 0: garble on request only).
    #[arg(long, default_value_t = Window::default().computations)]
    pub pregarble: u32,
    /// Bytes of garbled tables held ahead, at most, all computations
    /// garbled ahead together.
    #[arg(long, default_value_t = Window::default().bytes)]
    pub pregarble_bytes: u64,
    /// semi-honest (one garbling, the garbler's) or dual-execution (each
    /// side garbles once and evaluates the other's, and an equality test
    /// must pass before any output is released: a cheating side learns at
    /// most one bit). Both sides must name the same one.
    #[arg(long, default_value_t = protocol::Security::SemiHonest)]
    pub security: protocol::Security,
}

impl CircuitArgs {
    /// Loads (or compiles) the circuit the flags name, once the flags are
    /// known to fit together (dual execution garbles half-gates).
    pub fn load(&self) -> Result<Circuit, String> {
        if self.security == protocol::Security::DualExecution
            && self.scheme != garbler::Scheme::HalfGates
        {
            return Err(format!(
                "--security dual-execution runs half-gates, not --scheme {}",
                self.scheme.name()
            ));
        }
        load_circuit(
            self.program.as_deref(),
            self.circuit.as_deref(),
            self.garbler_values,
        )
    }

    /// The window of garbling ahead these flags ask for.
    pub fn window(&self) -> Window {
        Window {
            computations: self.pregarble.min(protocol::MAX_AHEAD),
            bytes: self.pregarble_bytes,
        }
    }

    /// The limits these flags ask for.
    pub fn limits(&self) -> Limits {
        Limits {
            timeout: std::time::Duration::from_secs(self.timeout.max(1)),
            spin: std::time::Duration::from_micros(self.spin_us.min(1_000_000)),
            ..Limits::default()
        }
    }
}

/// Loads the circuit a binary runs: `program` (a `.mpc` file, compiled here)
/// or `circuit` (a Bristol Fashion file or a compiled circuit), exactly one.
/// Errors are ready to print: compile errors in the contract's format.
pub fn load_circuit(
    program: Option<&Path>,
    circuit: Option<&Path>,
    garbler_values: usize,
) -> Result<Circuit, String> {
    match (program, circuit) {
        (Some(p), None) => {
            compiler::compile_file(p).map_err(|e| e.to_string().trim_end().to_string())
        }
        (None, Some(c)) => circuits::format::read_file(c, garbler_values).map_err(|e| match e {
            circuits::CircuitError::Read { .. } => e.to_string(),
            _ => format!("{}: {e}", c.display()),
        }),
        _ => Err("give exactly one of --program FILE.mpc and --circuit FILE".into()),
    }
}

/// Splits one line of values into literals: whitespace separates values
/// except inside brackets, and a struct name stays with its `{ ... }`.
pub fn split_values(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in line.chars() {
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth -= 1,
            _ => {}
        }
        if c.is_whitespace() && depth <= 0 {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c == '{' && depth == 1 && cur.is_empty() {
            // `Name {`: the brace opens the previous word's struct literal.
            if let Some(prev) = out.pop() {
                cur = prev + " ";
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Parses `party`'s values (one literal per parameter of that party) into
/// input bits, with an error naming the parameter.
pub fn party_bits(circuit: &Circuit, party: Party, values: &[String]) -> Result<Vec<bool>, String> {
    value::parse_inputs(circuit, Some(party), values).map_err(|e| e.to_string())
}

/// What `party` prints of one computation, from the output bits it learns
/// (see `Circuit::output_bits_of`): with no output tagged with a party (a
/// Bristol circuit, a version 1 program) every output, one per line; else
/// the parts revealed to `party`, one bare and several as a tuple, and
/// `None` when it learns nothing.
pub fn learned_lines(circuit: &Circuit, party: Party, bits: &[bool]) -> Option<String> {
    if circuit.outputs.iter().all(|o| o.party.is_none()) {
        Some(value::format_learned_parts(circuit, party, bits).join("\n"))
    } else {
        value::format_learned(circuit, party, bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_on_top_level_whitespace() {
        assert_eq!(
            split_values("  1 0x2  [1, 2, 3] (4, true) "),
            vec!["1", "0x2", "[1, 2, 3]", "(4, true)"]
        );
        assert_eq!(
            split_values("Outcome { winner: 3, price: 90 } 7"),
            vec!["Outcome { winner: 3, price: 90 }", "7"]
        );
        assert!(split_values("   ").is_empty());
    }
}
