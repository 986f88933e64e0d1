//! `mpcc`: compile, run, inspect and benchmark circuits.

use circuits::{bristol, value, Circuit, CircuitError};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Compile, run and inspect two-party Boolean circuits.
#[derive(Parser)]
#[command(name = "mpcc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a circuit in plaintext on the given values and print the outputs.
    Run {
        /// A Bristol Fashion circuit.
        circuit: PathBuf,
        /// One value per input, in order (decimal, or 0x/0b prefixed).
        #[arg(allow_hyphen_values = true)]
        values: Vec<String>,
        /// How many of a Bristol circuit's input values are the garbler's.
        #[arg(long, default_value_t = 1)]
        garbler_values: usize,
    },
    /// Print gate counts, AND depth and wires, one `name: value` per line.
    Stats {
        /// A Bristol Fashion circuit.
        circuit: PathBuf,
    },
}

/// Errors `mpcc` reports before exiting with status 1.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{path}: {source}")]
    Circuit { path: String, source: CircuitError },
    #[error("{0}")]
    Values(CircuitError),
}

fn load(path: &Path, garbler_values: usize) -> Result<Circuit, CliError> {
    bristol::read_file(path, garbler_values)
        .map_err(|source| CliError::Circuit { path: path.display().to_string(), source })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mpcc: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run { circuit, values, garbler_values } => {
            let c = load(&circuit, garbler_values)?;
            let bits = value::parse_inputs(&c, None, &values).map_err(CliError::Values)?;
            let out = c.eval_bits(&bits).map_err(CliError::Values)?;
            for line in value::format_outputs(&c, &out) {
                println!("{line}");
            }
        }
        Command::Stats { circuit } => {
            let c = load(&circuit, 1)?;
            println!("{}", c.stats());
        }
    }
    Ok(())
}
