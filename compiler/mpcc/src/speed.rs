//! In-memory speed test of garbling and evaluation (`mpcc bench CIRCUIT`).
//!
//! Garbles and evaluates a circuit repeatedly, in memory, and reports AND
//! gates per second on one thread and on all of rayon's threads (one
//! independent session per thread), like `openssl speed` reports ciphers.
//! Both parties run in one process here, which is why this lives beside
//! `mpcc` and the benchmarks and not in either party's library.

use circuits::Circuit;
use crypto::{Block, CryptoError, FixedKeyAes, HashKey, OutputDecoding, Schedule, Scheme};
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
    /// The scheme measured.
    pub scheme: Scheme,
    /// Bytes of garbled tables the garbler emitted for one run, per AND
    /// gate (0 for a circuit without AND gates).
    pub bytes_per_and: f64,
}

impl SpeedReport {
    /// AND gates per second one garbler and one evaluator, one thread each,
    /// sustain together when nothing else limits them: the slower of the two.
    pub fn cpu_rate(&self) -> f64 {
        self.garble.min(self.evaluate)
    }

    /// AND gates per second end to end over a link of `bits_per_second`:
    /// the slower of the two parties and of the link carrying the tables.
    pub fn rate_over(&self, bits_per_second: f64) -> f64 {
        if self.bytes_per_and > 0.0 {
            self.cpu_rate()
                .min(bits_per_second / (8.0 * self.bytes_per_and))
        } else {
            self.cpu_rate()
        }
    }
}

/// The link speed, in bits per second, below which `three` (a three-halves
/// report) is faster end to end than `half` (half-gates) on the same
/// circuit; `None` when it is faster at every speed (its parties are no
/// slower) or at none (it sends no fewer bytes).
///
/// End to end, a scheme runs at the slowest of its garbler, its evaluator
/// and the link (`link / (8 * bytes_per_and)`). Over a slow link both are
/// link-bound and three-halves wins by its fewer bytes; it loses once the
/// link carries half-gates tables faster than the three-halves parties can
/// garble or evaluate: above `8 * bytes_per_and(half-gates) * cpu_rate(three-halves)`.
pub fn crossover_link_speed(half: &SpeedReport, three: &SpeedReport) -> Option<f64> {
    if three.bytes_per_and >= half.bytes_per_and || three.cpu_rate() >= half.cpu_rate() {
        return None;
    }
    Some(8.0 * half.bytes_per_and * three.cpu_rate())
}

impl fmt::Display for SpeedReport {
    /// Five lines: `garble: 123.4 M AND/s`, `evaluate:`, `garble_parallel:`,
    /// `evaluate_parallel:`, and `bytes_per_and: 32.00` (table bytes the
    /// garbler emitted per AND gate).
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
        )?;
        writeln!(f, "bytes_per_and: {:.2}", self.bytes_per_and)
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
    scheme: Scheme,
}

impl Workload {
    /// Schedules `circuit`, picks random inputs and garbles it once with
    /// half-gates.
    pub fn new(circuit: &Circuit) -> Result<Workload, SpeedError> {
        Workload::with_scheme(circuit, Scheme::HalfGates)
    }

    /// Schedules `circuit`, picks random inputs and garbles it once with
    /// `scheme`.
    pub fn with_scheme(circuit: &Circuit, scheme: Scheme) -> Result<Workload, SpeedError> {
        let schedule = Schedule::new(circuit)?;
        let garbler_bits: Vec<bool> = (0..schedule.garbler_inputs().len())
            .map(|_| Block::random().lsb())
            .collect();
        let zero_labels: Vec<Block> = (0..schedule.evaluator_inputs().len())
            .map(|_| Block::random())
            .collect();
        let mut session = GarblerSession::with_scheme(scheme);
        let delta = session.delta().block();
        let evaluator_labels = zero_labels
            .iter()
            .map(|&z| z ^ delta.select(Block::random().lsb()))
            .collect();
        let hash_key = session.hash_key();
        let mut garbling = session
            .garble(&schedule, &garbler_bits, &zero_labels)
            .map_err(GarbleError::from)?;
        let garbler_labels = garbling.garbler_labels().to_vec();
        let mut chunks = Vec::new();
        while let Some(c) = garbling.next_chunk() {
            chunks.push(c.to_vec());
        }
        let decoding = garbling.finish().map_err(GarbleError::from)?.decoding_all();
        Ok(Workload {
            schedule,
            garbler_bits,
            zero_labels,
            evaluator_labels,
            garbler_labels,
            chunks,
            decoding,
            hash_key,
            scheme,
        })
    }

    /// AND gates per run.
    pub fn and_gates(&self) -> usize {
        self.schedule.and_count()
    }

    /// The scheme of this workload.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// A new garbler session of this workload's scheme, for
    /// [`Workload::garble_once`].
    pub fn session(&self) -> GarblerSession {
        GarblerSession::with_scheme(self.scheme)
    }

    /// The recorded garbling's tables, chunk by chunk, as the garbler
    /// emitted them.
    pub fn chunks(&self) -> &[Vec<u8>] {
        &self.chunks
    }

    /// Bytes of garbled tables the garbler emitted for one run.
    pub fn table_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Table bytes per AND gate, measured from what the garbler emitted (0
    /// without AND gates).
    pub fn bytes_per_and(&self) -> f64 {
        if self.and_gates() == 0 {
            0.0
        } else {
            self.table_bytes() as f64 / self.and_gates() as f64
        }
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
        let mut session = EvaluatorSession::with_scheme(self.hash_key, self.scheme);
        let mut evaluation =
            session.evaluate(&self.schedule, &self.garbler_labels, &self.evaluator_labels)?;
        for chunk in &self.chunks {
            evaluation.feed(chunk)?;
        }
        Ok(evaluation.finish(&self.decoding)?)
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

/// Garbles and evaluates `circuit` in memory with half-gates, each of the
/// four figures measured for `time_per_figure`, and checks every evaluation
/// against the first.
pub fn run(circuit: &Circuit, time_per_figure: Duration) -> Result<SpeedReport, SpeedError> {
    run_scheme(circuit, Scheme::HalfGates, time_per_figure, true)
}

/// Like [`run`] with `scheme`; without `parallel`, only the one-thread
/// figures are measured (the parallel ones are 0, `threads` 1).
pub fn run_scheme(
    circuit: &Circuit,
    scheme: Scheme,
    time_per_figure: Duration,
    parallel: bool,
) -> Result<SpeedReport, SpeedError> {
    let work = Workload::with_scheme(circuit, scheme)?;
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
        let mut session = work.session();
        let garble = rate(time_per_figure, || work.garble_once(&mut session).map(drop))? * ands;
        let evaluate = rate(time_per_figure, &check)? * ands;
        Ok((garble, evaluate))
    })?;
    let (mut gp, mut ep, mut threads) = (0.0, 0.0, 1);
    if parallel {
        (gp, threads) = rate_parallel(time_per_figure, || {
            thread_local! {
                static SESSIONS: std::cell::RefCell<Vec<GarblerSession>> =
                    const { std::cell::RefCell::new(Vec::new()) };
            }
            SESSIONS
                .with(|s| {
                    let mut s = s.borrow_mut();
                    if let Some(i) = s.iter().position(|x| x.scheme() == work.scheme()) {
                        work.garble_once(&mut s[i]).map(drop)
                    } else {
                        s.push(work.session());
                        let last = s.len() - 1;
                        work.garble_once(&mut s[last]).map(drop)
                    }
                })
                .map_err(SpeedError::from)
        })?;
        (ep, _) = rate_parallel(time_per_figure, check)?;
    }
    Ok(SpeedReport {
        garble,
        evaluate,
        garble_parallel: gp * ands,
        evaluate_parallel: ep * ands,
        threads,
        and_gates: work.and_gates(),
        scheme,
        bytes_per_and: work.bytes_per_and(),
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
