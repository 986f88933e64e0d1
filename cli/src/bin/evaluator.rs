//! `evaluator`: the evaluating party of a two-party computation over TLS
//! (or, with `--insecure-plaintext`, plain TCP).

use circuits::Party;
use clap::Parser;
use evaluator::{Prepared, Session, SessionConfig};
use std::io::BufRead;
use std::process::ExitCode;

/// Connect to a garbler, evaluate the garbled circuit on this party's
/// private values, and print the result.
#[derive(Parser)]
#[command(name = "evaluator", version)]
struct Args {
    /// The garbler's address, e.g. 127.0.0.1:7000.
    #[arg(long)]
    connect: String,
    #[command(flatten)]
    common: cli::CircuitArgs,
    #[command(flatten)]
    tls: transport::cli::ClientTlsArgs,
    /// Run this many computations on one connection (base OTs paid once).
    #[arg(long, default_value_t = 1)]
    repeat: u64,
    /// Read this party's values from standard input, one line per computation.
    #[arg(long, conflicts_with_all = ["values", "repeat"])]
    stdin: bool,
    /// The evaluator's values, one per evaluator parameter, in declaration order.
    #[arg(allow_negative_numbers = true)]
    values: Vec<String>,
}

/// Computations per request when `--repeat` asks for many.
const REPEAT_BATCH: u64 = 1000;

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("evaluator: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let security = args.tls.security().map_err(|e| e.to_string())?;
    let circuit = args.common.load()?;
    let fixed = if args.stdin {
        None
    } else {
        Some(cli::party_bits(&circuit, Party::Evaluator, &args.values)?)
    };
    let config = SessionConfig {
        limits: args.common.limits(),
        transcript: args.common.stats,
        scheme: args.common.scheme,
        ahead: args.common.window(),
        security: args.common.security,
    };
    let mut session = Session::connect(
        args.connect.as_str(),
        &security,
        &Prepared::new(circuit).map_err(|e| e.to_string())?,
        config,
    )
    .map_err(|e| e.to_string())?;
    let one = |session: &mut Session, bits: &[bool]| -> Result<(), String> {
        let out = session.evaluate(bits).map_err(|e| e.to_string())?;
        if let Some(line) = cli::learned_lines(session.circuit(), Party::Evaluator, &out) {
            println!("{line}");
        }
        Ok(())
    };
    match fixed {
        Some(bits) => {
            // Repeated computations go in batches: one request and about one
            // round trip per batch (under dual execution, one equality test
            // per computation still).
            let mut left = args.repeat;
            while left > 0 {
                let n = left.min(REPEAT_BATCH);
                let batch = vec![bits.as_slice(); n as usize];
                let outs = session.evaluate_batch(&batch).map_err(|e| e.to_string())?;
                let mut text = String::new();
                for out in &outs {
                    if let Some(line) = cli::learned_lines(session.circuit(), Party::Evaluator, out)
                    {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
                print!("{text}");
                left -= n;
            }
        }
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(|e| format!("reading values: {e}"))?;
                if line.trim().is_empty() {
                    continue;
                }
                let bits = cli::party_bits(
                    session.circuit(),
                    Party::Evaluator,
                    &cli::split_values(&line),
                )?;
                one(&mut session, &bits)?;
            }
        }
    }
    let stats = session.close().map_err(|e| e.to_string())?;
    if args.common.stats {
        eprintln!("{}", stats.to_json());
    }
    Ok(())
}
