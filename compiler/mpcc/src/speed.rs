//! In-memory speed test of garbling and evaluation (`mpcc bench CIRCUIT`).
//!
//! Garbles and evaluates a circuit repeatedly, in memory, and reports AND
//! gates per second on one thread and on all of rayon's threads (one
//! independent session per thread), like `openssl speed` reports ciphers.
//! Both parties run in one process here, which is why this lives beside
//! `mpcc` and the benchmarks and not in either party's library.

use circuits::Circuit;
use crypto::{Block, CryptoError, FixedKeyAes, HashKey, OutputDecoding, Schedule};
use evaluator::{EvalError, EvaluatorSession};
use garbler::{GarbleError, GarblerSession};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Why a speed test could not finish.
#[derive(Debug, thiserror::Error)]
pub enum SpeedError {
    /// The circuit cannot be scheduled for garbling.
    #[error(transparent)]
    Schedule(#[from] CryptoError),
    /// Garbling failed.
    #[error("garbling: {0}")]
    Garble(#[from] GarbleError),
    /// Evaluating the recorded garbling failed (a bug, reported not hidden).
    #[error("evaluation: {0}")]
    Evaluate(#[from] EvalError),
    /// Evaluating the same garbling twice gave different outputs (a bug).
    #[error("re-evaluation gave different outputs")]
    Mismatch,
    /// The one-thread pool of the one-thread figures could not start.
    #[error("cannot start a thread pool: {0}")]
    ThreadPool(String),
}

/// Throughputs of one speed test, in AND gates per second.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedReport {
    /// Garbling on one thread.
    pub garble: f64,
    /// Evaluation on one thread.
    pub evaluate: f64,
    /// Garbling on all threads together.
    pub garble_parallel: f64,
    /// Evaluation on all threads together.
    pub evaluate_parallel: f64,
    /// Threads used for the parallel figures.
    pub threads: usize,
    /// AND gates per run of the circuit.
    pub and_gates: usize,
}

impl fmt::Display for SpeedReport {
    /// Four lines: `garble: 123.4 M AND/s`, `evaluate:`, `garble_parallel:`,
    /// `evaluate_parallel:`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "garble: {:.1} M AND/s", self.garble / 1e6)?;
        writeln!(f, "evaluate: {:.1} M AND/s", self.evaluate / 1e6)?;
        writeln!(
            f,
            "garble_parallel: {:.1} M AND/s",
            self.garble_parallel / 1e6
        )?;
        writeln!(
            f,
            "evaluate_parallel: {:.1} M AND/s",
            self.evaluate_parallel / 1e6
        )
    }
}

/// A circuit prepared for repeated garbling and evaluation: its schedule,
/// random inputs, and one recorded garbling to evaluate again and again.
pub struct Workload {
    schedule: Schedule,
    garbler_bits: Vec<bool>,
    zero_labels: Vec<Block>,
    evaluator_labels: Vec<Block>,
    garbler_labels: Vec<Block>,
    chunks: Vec<Vec<u8>>,
    decoding: OutputDecoding,
    /// The hash key of the session that made the recorded garbling, its
    /// first run (so from tweak 0, where a new evaluator session starts).
    hash_key: HashKey,
}

impl Workload {
    /// Schedules `circuit`, picks random inputs and garbles it once.
    pub fn new(circuit: &Circuit) -> Result<Workload, SpeedError> {
        let schedule = Schedule::new(circuit)?;
        let garbler_bits: Vec<bool> = (0..schedule.garbler_inputs().len())
            .map(|_| Block::random().lsb())
            .collect();
        let zero_labels: Vec<Block> = (0..schedule.evaluator_inputs().len())
            .map(|_| Block::random())
            .collect();
        let mut session = GarblerSession::new();
        let delta = session.delta().block();
        let evaluator_labels = zero_labels
            .iter()
            .map(|&z| z ^ delta.select(Block::random().lsb()))
            .collect();
        let hash_key = session.hash_key();
        let mut garbling = session.garble(&schedule, &garbler_bits, &zero_labels)?;
        let garbler_labels = garbling.garbler_labels().to_vec();
        let mut chunks = Vec::new();
        while let Some(c) = garbling.next_chunk() {
            chunks.push(c.to_vec());
        }
        let decoding = garbling.finish()?.decoding_all();
        Ok(Workload {
            schedule,
            garbler_bits,
            zero_labels,
            evaluator_labels,
            garbler_labels,
            chunks,
            decoding,
            hash_key,
        })
    }

    /// AND gates per run.
    pub fn and_gates(&self) -> usize {
        self.schedule.and_count()
    }

    /// Garbles the circuit once in `session`, dropping the tables.
    pub fn garble_once(&self, session: &mut GarblerSession) -> Result<OutputDecoding, GarbleError> {
        let mut garbling = session.garble(&self.schedule, &self.garbler_bits, &self.zero_labels)?;
        while let Some(chunk) = garbling.next_chunk() {
            std::hint::black_box(chunk);
        }
        Ok(garbling.finish()?.decoding_all())
    }

    /// Evaluates the recorded garbling once, returning the outputs.
    pub fn evaluate_once(&self) -> Result<Vec<bool>, EvalError> {
        let mut session = EvaluatorSession::new(self.hash_key);
        let mut evaluation =
            session.evaluate(&self.schedule, &self.garbler_labels, &self.evaluator_labels)?;
        for chunk in &self.chunks {
            evaluation.feed(chunk)?;
        }
        evaluation.finish(&self.decoding)
    }
}

/// Runs `f` repeatedly for at least `time` (and at least once); returns the
/// runs per second.
fn rate<E>(time: Duration, mut f: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
    let start = Instant::now();
    let mut runs = 0u64;
    loop {
        f()?;
        runs += 1;
        let elapsed = start.elapsed();
        if elapsed >= time {
            return Ok(runs as f64 / elapsed.as_secs_f64());
        }
    }
}

/// Runs `f` on every rayon thread for `time`; returns total runs per second.
fn rate_parallel(
    time: Duration,
    f: impl Fn() -> Result<(), SpeedError> + Sync,
) -> Result<(f64, usize), SpeedError> {
    let runs = AtomicU64::new(0);
    let start = Instant::now();
    let results = rayon::broadcast(|_| -> Result<(), SpeedError> {
        while start.elapsed() < time {
            f()?;
            runs.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    let threads = results.len();
    results.into_iter().collect::<Result<Vec<()>, _>>()?;
    Ok((
        runs.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64(),
        threads,
    ))
}

/// Garbles and evaluates `circuit` in memory, each of the four figures
/// measured for `time_per_figure`, and checks every evaluation against the
/// first.
pub fn run(circuit: &Circuit, time_per_figure: Duration) -> Result<SpeedReport, SpeedError> {
    let work = Workload::new(circuit)?;
    let ands = work.and_gates() as f64;
    let expected = work.evaluate_once()?;
    let check = || -> Result<(), SpeedError> {
        if work.evaluate_once()? == expected {
            Ok(())
        } else {
            Err(SpeedError::Mismatch)
        }
    };
    // The one-thread figures run in a one-thread pool, so that wide layers
    // do not fan out to other threads.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| SpeedError::ThreadPool(e.to_string()))?;
    let (garble, evaluate) = one.install(|| -> Result<(f64, f64), SpeedError> {
        let mut session = GarblerSession::new();
        let garble = rate(time_per_figure, || work.garble_once(&mut session).map(drop))? * ands;
        let evaluate = rate(time_per_figure, &check)? * ands;
        Ok((garble, evaluate))
    })?;
    let (gp, threads) = rate_parallel(time_per_figure, || {
        thread_local! {
            static SESSION: std::cell::RefCell<GarblerSession> = std::cell::RefCell::new(GarblerSession::new());
        }
        SESSION
            .with(|s| work.garble_once(&mut s.borrow_mut()).map(drop))
            .map_err(SpeedError::from)
    })?;
    let (ep, _) = rate_parallel(time_per_figure, check)?;
    Ok(SpeedReport {
        garble,
        evaluate,
        garble_parallel: gp * ands,
        evaluate_parallel: ep * ands,
        threads,
        and_gates: work.and_gates(),
    })
}

/// Raw fixed-key AES-128 blocks per second on one thread, in long batches on
/// the fastest back end (1,024 blocks, 16 KiB, so the loop stays in the L1
/// cache): the hardware ceiling the figures above compare to.
pub fn raw_aes_blocks_per_second(time: Duration) -> f64 {
    let aes = FixedKeyAes::new(Block::random());
    let mut blocks = vec![Block::ZERO; 1024];
    let per_second = rate::<()>(time, || {
        aes.encrypt_blocks(&mut blocks);
        Ok(())
    });
    std::hint::black_box(&blocks);
    per_second.unwrap_or(0.0) * blocks.len() as f64
}
