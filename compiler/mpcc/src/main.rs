//! `mpcc`: compile, run and inspect two-party circuits.
//!
//! A FILE ending in `.mpc` is compiled from source; any other file is read as
//! a compiled circuit or a Bristol Fashion circuit (`circuits::format::read_file`).

use circuits::{bristol, format, value, Circuit, CircuitError};
use clap::{Parser, Subcommand};
use compiler::CompileErrors;
use std::io::Write as _;
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
    /// Evaluate a program or circuit in plaintext on the given values and print the outputs.
    Run {
        /// A `.mpc` program, a compiled circuit or a Bristol Fashion circuit.
        circuit: PathBuf,
        /// One value per input, in order, as literals of the language; a
        /// negative value (`-5`, `-0x10`) needs no `--`.
        #[arg(allow_hyphen_values = true)]
        values: Vec<String>,
        /// How many of a Bristol circuit's input values are the garbler's
        /// (default 1, or 0 for a circuit without inputs).
        #[arg(long)]
        garbler_values: Option<usize>,
    },
    /// Print gate counts, AND depth and wires, one `name: value` per line.
    Stats {
        /// A `.mpc` program, a compiled circuit or a Bristol Fashion circuit.
        circuit: PathBuf,
        /// How many of a Bristol circuit's input values are the garbler's
        /// (default 1, or 0 for a circuit without inputs).
        #[arg(long)]
        garbler_values: Option<usize>,
    },
    /// Garble and evaluate a circuit in memory for a few seconds and print
    /// the AES path in use (`avx512`, `vaes256` or `portable`; the variable
    /// MPCC_AES_PATH caps it) and AND gates per second, on one thread and on
    /// all threads.
    Bench {
        /// A `.mpc` program, a compiled circuit or a Bristol Fashion circuit.
        circuit: PathBuf,
        /// Seconds to measure each figure.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// The garbling scheme to measure: half-gates or three-halves. The
        /// other is measured on one thread too, for the link speed below
        /// which three-halves is faster end to end.
        #[arg(long, default_value_t = crypto::Scheme::HalfGates)]
        scheme: crypto::Scheme,
    },
    /// List a `.mpc` program with the AND gates and AND depth each line
    /// costs, and the totals: where the cost of a program goes.
    Explain {
        /// The `.mpc` program.
        source: PathBuf,
    },
    /// Compile a `.mpc` program to the project's circuit format (and/or Bristol Fashion).
    Compile {
        /// The `.mpc` program.
        source: PathBuf,
        /// Where to write the compiled circuit.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Where to write the circuit as Bristol Fashion.
        #[arg(long)]
        bristol: Option<PathBuf>,
    },
    /// Write a development CA and a garbler and an evaluator TLS certificate
    /// into DIR (ca.pem, ca.key, garbler.pem, garbler.key, evaluator.pem,
    /// evaluator.key); never overwrites a file.
    Certs {
        /// The directory (created if missing).
        dir: PathBuf,
        /// A name the garbler is reached by: DNS name or IP address (repeat
        /// for several; default: localhost and 127.0.0.1).
        #[arg(long = "garbler-name", value_name = "NAME")]
        garbler_names: Vec<String>,
        /// The evaluator's identity, what the garbler's --allow lists.
        #[arg(long, value_name = "NAME", default_value = "evaluator")]
        evaluator_name: String,
        /// Days the certificates are valid.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
}

/// Errors `mpcc` reports before exiting with status 1.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Compile(CompileErrors),
    #[error("{path}: {source}")]
    Circuit { path: String, source: CircuitError },
    #[error("{0}")]
    Values(CircuitError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("nothing to write: give `-o OUT` and/or `--bristol OUT`")]
    NoOutput,
    #[error("bench: {0}")]
    Bench(String),
    #[error("certs: {0}")]
    Certs(transport::TransportError),
    #[error("{0}")]
    Flag(&'static str),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Compile(e)) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("mpcc: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run {
            circuit,
            values,
            garbler_values,
        } => {
            let (values, garbler_values) = flags_among_values(values, garbler_values)?;
            run_values(&circuit, &values, garbler_values)
        }
        Command::Explain { source } => {
            let text = std::fs::read_to_string(&source).map_err(|e| CliError::Read {
                path: source.display().to_string(),
                source: e,
            })?;
            let name = source.display().to_string();
            let ex = compiler::explain_source(&text, &name).map_err(CliError::Compile)?;
            print_lines(&[ex.render(&text)])
        }
        Command::Stats {
            circuit,
            garbler_values,
        } => {
            let stats = load(&circuit, garbler_values)?.stats().to_string();
            print_lines(&[stats])
        }
        Command::Compile {
            source,
            output,
            bristol,
        } => compile(&source, output.as_deref(), bristol.as_deref()),
        Command::Bench {
            circuit,
            seconds,
            scheme,
        } => {
            let c = load(&circuit, None)?;
            if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
                return Err(CliError::Bench(format!(
                    "--seconds {seconds} is not between 0 and 3600"
                )));
            }
            let time = std::time::Duration::from_secs_f64(seconds);
            let bench = |s, parallel| {
                mpcc::speed::run_scheme(&c, s, time, parallel)
                    .map_err(|e| CliError::Bench(e.to_string()))
            };
            let report = bench(scheme, true)?;
            let other = match scheme {
                crypto::Scheme::HalfGates => crypto::Scheme::ThreeHalves,
                crypto::Scheme::ThreeHalves => crypto::Scheme::HalfGates,
            };
            let other = bench(other, false)?;
            let (half, three) = match scheme {
                crypto::Scheme::HalfGates => (&report, &other),
                crypto::Scheme::ThreeHalves => (&other, &report),
            };
            let advice = match mpcc::speed::crossover_link_speed(half, three) {
                Some(bps) => format!(
                    "three_halves_faster_below: {:.2} Gbit/s (end to end, one thread each side: three-halves {:.1} M AND/s at {:.2} bytes/AND, half-gates {:.1} M AND/s at {:.2} bytes/AND)",
                    bps / 1e9,
                    three.cpu_rate() / 1e6,
                    three.bytes_per_and,
                    half.cpu_rate() / 1e6,
                    half.bytes_per_and
                ),
                None if three.bytes_per_and < half.bytes_per_and => {
                    "three_halves_faster_below: any link speed (its parties are no slower here)"
                        .to_string()
                }
                None => "three_halves_faster_below: none (no AND gates)".to_string(),
            };
            // The hardware ceiling in the same run: raw fixed-key AES on one
            // thread, divided by the AES calls per AND gate (each TCCR hash
            // is two: half-gates hashes 4 times to garble and 2 to evaluate,
            // three-halves 6 and 3).
            let raw = mpcc::speed::raw_aes_blocks_per_second(time);
            let (g_calls, e_calls) = match scheme {
                crypto::Scheme::HalfGates => (8.0, 4.0),
                crypto::Scheme::ThreeHalves => (12.0, 6.0),
            };
            let of = |rate: f64, calls: f64| if raw > 0.0 { rate * calls / raw } else { 0.0 };
            print_lines(&[
                format!("path: {}", crypto::aes_path()),
                format!("scheme: {scheme}"),
                report.to_string().trim_end().to_string(),
                advice,
                format!("raw_aes: {:.1} M blocks/s", raw / 1e6),
                format!(
                    "of_ceiling: garble {:.2}, evaluate {:.2} (raw AES / {g_calls} and / {e_calls})",
                    of(report.garble, g_calls),
                    of(report.evaluate, e_calls)
                ),
            ])
        }
        Command::Certs {
            dir,
            garbler_names,
            evaluator_name,
            days,
        } => certs(&dir, garbler_names, evaluator_name, days),
    }
}

fn certs(
    dir: &Path,
    garbler_names: Vec<String>,
    evaluator_identity: String,
    days: u32,
) -> Result<(), CliError> {
    let mut spec = transport::certs::DevCertificates {
        evaluator_identity,
        days,
        ..Default::default()
    };
    if !garbler_names.is_empty() {
        spec.garbler_names = garbler_names;
    }
    let files = transport::certs::write_dev_certificates(dir, &spec).map_err(CliError::Certs)?;
    let show = |p: &Path| p.display().to_string();
    print_lines(&[
        format!(
            "CA:        {} (key {})",
            show(&files.ca_cert),
            show(&files.ca_key)
        ),
        format!(
            "garbler:   {} (key {}), names {}",
            show(&files.garbler_cert),
            show(&files.garbler_key),
            spec.garbler_names.join(", ")
        ),
        format!(
            "evaluator: {} (key {}), identity {}",
            show(&files.evaluator_cert),
            show(&files.evaluator_key),
            spec.evaluator_identity
        ),
        format!("valid for {} days", spec.days),
    ])
}

/// Compiles a `.mpc` file, or reads any other file as a circuit.
fn load(path: &Path, garbler_values: Option<usize>) -> Result<Circuit, CliError> {
    if path.extension().is_some_and(|e| e == "mpc") {
        return compiler::compile_file(path).map_err(CliError::Compile);
    }
    let first = format::read_file(path, garbler_values.unwrap_or(1));
    if let (Err(_), None) = (&first, garbler_values) {
        // The default split asks for one garbler value; a Bristol circuit
        // without inputs (as `mpcc compile --bristol` writes for a program
        // without parameters) has none.
        if let Ok(c) = format::read_file(path, 0) {
            if c.inputs.is_empty() {
                return Ok(c);
            }
        }
    }
    first.map_err(|source| match source {
        // The error already names the file.
        CircuitError::Read { .. } => CliError::Values(source),
        _ => CliError::Circuit {
            path: path.display().to_string(),
            source,
        },
    })
}

fn run_values(
    path: &Path,
    values: &[String],
    garbler_values: Option<usize>,
) -> Result<(), CliError> {
    let c = load(path, garbler_values)?;
    let bits = value::parse_inputs(&c, None, values).map_err(CliError::Values)?;
    let out = c.eval_bits(&bits).map_err(CliError::Values)?;
    if c.outputs.iter().any(|o| o.party.is_some()) {
        // A result split between the parties: everything, on one line.
        let all = value::format_result(&c, &out, None).unwrap_or_default();
        return print_lines(&[all]);
    }
    print_lines(&value::format_outputs(&c, &out))
}

/// The values of `run` take anything that starts with `-` (a negative
/// literal such as `-0x10` needs no `--`), so `--garbler-values N` written
/// after them arrives among them: take it out here.
fn flags_among_values(
    values: Vec<String>,
    mut garbler_values: Option<usize>,
) -> Result<(Vec<String>, Option<usize>), CliError> {
    let mut out = Vec::with_capacity(values.len());
    let mut it = values.into_iter();
    let parse = |v: Option<String>| {
        v.as_deref()
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or(CliError::Flag("--garbler-values needs a number"))
    };
    while let Some(v) = it.next() {
        if v == "--garbler-values" {
            garbler_values = Some(parse(it.next())?);
        } else if let Some(n) = v.strip_prefix("--garbler-values=") {
            garbler_values = Some(parse(Some(n.to_string()))?);
        } else if v == "--" {
            out.extend(it.by_ref());
        } else {
            out.push(v);
        }
    }
    Ok((out, garbler_values))
}

/// Prints to stdout; a closed pipe is an error to report, not a panic.
fn print_lines(lines: &[String]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}").map_err(|source| CliError::Write {
            path: "stdout".into(),
            source,
        })?;
    }
    out.flush().map_err(|source| CliError::Write {
        path: "stdout".into(),
        source,
    })
}

fn compile(
    source: &Path,
    output: Option<&Path>,
    bristol_out: Option<&Path>,
) -> Result<(), CliError> {
    if output.is_none() && bristol_out.is_none() {
        return Err(CliError::NoOutput);
    }
    let c = compiler::compile_file(source).map_err(CliError::Compile)?;
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| CliError::Write {
            path: path.display().to_string(),
            source: e,
        })
    };
    if let Some(path) = output {
        write(path, &format::to_bytes(&c))?;
    }
    if let Some(path) = bristol_out {
        write(path, bristol::write(&c).as_bytes())?;
    }
    Ok(())
}
