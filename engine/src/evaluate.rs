//! One run of the streaming evaluator: garbled tables in, a chunk at a time;
//! only the labels of live wires held.

use crate::EngineError;
use crypto::{
    threehalves, AndOp, Block, HalfGateHash, Label, Lane, OutputDecoding, Schedule, Scheme,
    SlotPool, MAX_BATCH, TABLE_BYTES,
};
use rayon::prelude::*;
use zeroize::Zeroize;

/// One evaluation of a garbled circuit, produced by
/// [`crate::EvaluatorSession::evaluate`].
///
/// Feed it the garbler's chunks in order with [`Evaluation::feed`], then
/// call [`Evaluation::finish`] with the output decoding. Chunks may be cut
/// anywhere between tables (half-gates) or between groups of 8 tables
/// (three-halves): any whole number of them per call is accepted.
pub struct Evaluation<'a> {
    schedule: &'a Schedule,
    hash: HalfGateHash,
    first_tweak: u64,
    /// Active label of every live slot.
    labels: Vec<Lane>,
    /// Where `labels` goes back to when the run ends.
    pool: SlotPool,
    step: usize,
    free_done: bool,
    in_step: usize,
    free_pos: usize,
    and_pos: usize,
    /// The session's garbling scheme.
    scheme: Scheme,
    /// Three-halves: the records of the chunk being evaluated.
    records: Vec<u8>,
}

impl<'a> Evaluation<'a> {
    pub(crate) fn new(
        schedule: &'a Schedule,
        scheme: Scheme,
        hash: HalfGateHash,
        first_tweak: u64,
        pool: SlotPool,
        garbler_labels: &[Label],
        evaluator_labels: &[Label],
    ) -> Evaluation<'a> {
        let mut labels = pool.take(schedule.num_slots() as usize);
        for (&slot, &l) in schedule.garbler_inputs().iter().zip(garbler_labels) {
            labels[slot as usize] = Lane::from(l);
        }
        for (&slot, &l) in schedule.evaluator_inputs().iter().zip(evaluator_labels) {
            labels[slot as usize] = Lane::from(l);
        }
        Evaluation {
            schedule,
            hash,
            first_tweak,
            labels,
            pool,
            step: 0,
            free_done: false,
            in_step: 0,
            free_pos: 0,
            and_pos: 0,
            scheme,
            records: Vec::new(),
        }
    }

    /// The garbling scheme of this run (the session's).
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Bytes of one table as `run` reads it: the wire form for half-gates,
    /// the unpacked record for three-halves.
    fn stride(&self) -> usize {
        match self.scheme {
            Scheme::HalfGates => TABLE_BYTES,
            Scheme::ThreeHalves => threehalves::RECORD_BYTES,
        }
    }

    /// Garbled tables still expected.
    pub fn remaining_tables(&self) -> usize {
        self.schedule.and_count() - self.and_pos
    }

    /// Evaluates as far as the tables in `chunk` allow. The chunk must hold a
    /// whole number of tables ([`TABLE_BYTES`] bytes each with half-gates;
    /// with three-halves, whole groups of 8 gates of
    /// [`crypto::threehalves::GROUP_BYTES`], and a partial group only at the
    /// end of the run, padding bits zero), no more than remain; a chunk
    /// that breaks a rule is refused before anything is computed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), EngineError> {
        let Some(got) = self.scheme.gates_in(chunk.len()) else {
            return Err(match self.scheme {
                Scheme::HalfGates => EngineError::ChunkLength {
                    len: chunk.len(),
                    table: TABLE_BYTES,
                },
                Scheme::ThreeHalves => EngineError::ThreeHalvesChunkLength { len: chunk.len() },
            });
        };
        let remaining = self.remaining_tables();
        if got > remaining {
            return Err(EngineError::TooManyTables { got, remaining });
        }
        if self.scheme == Scheme::ThreeHalves
            && !got.is_multiple_of(threehalves::GROUP_GATES)
            && got != remaining
        {
            // A partial group ends the stream; mid-stream it would shift
            // every group after it.
            return Err(EngineError::ThreeHalvesChunkLength { len: chunk.len() });
        }
        match self.scheme {
            Scheme::HalfGates => self.run(chunk),
            Scheme::ThreeHalves => {
                let mut records = std::mem::take(&mut self.records);
                let unpacked = threehalves::unpack(chunk, got, &mut records);
                if unpacked.is_ok() {
                    self.run(&records);
                }
                self.records = records;
                unpacked?;
            }
        }
        Ok(())
    }

    /// Runs the schedule until the tables in `chunk` are used up or a step
    /// needs tables that have not arrived.
    fn run(&mut self, chunk: &[u8]) {
        let schedule = self.schedule;
        let mut tables = chunk;
        let stride = self.stride();
        let per_gate = self.scheme.tweaks_per_gate();
        // Asked once per call, not per step: the lookup is a call into
        // rayon's thread-local registry, and SHA-256 has 1.6k steps a run.
        let threads = rayon::current_num_threads();
        while self.step < schedule.steps().len() {
            let step = schedule.steps()[self.step];
            if !self.free_done {
                schedule.run_free(&mut self.labels, self.free_pos, step.free as usize);
                self.free_pos += step.free as usize;
                self.free_done = true;
            }
            let wide = match self.scheme {
                Scheme::HalfGates => self.wide_layer(tables.len() / TABLE_BYTES, threads),
                Scheme::ThreeHalves => None,
            };
            if let Some((n, steps)) = wide {
                let ands = &schedule.and_ops()[self.and_pos..][..n];
                let (now, later) = tables.split_at(n * TABLE_BYTES);
                let tweak = self.first_tweak + 2 * self.and_pos as u64;
                eval_parallel(&self.hash, &mut self.labels, ands, now, tweak);
                tables = later;
                self.and_pos += n;
                self.step += steps;
                self.free_done = false;
                self.in_step = 0;
                continue;
            }
            let left = step.ands as usize - self.in_step;
            if left > 0 {
                let n = left.min(tables.len() / stride);
                if n == 0 {
                    break;
                }
                let ands = &schedule.and_ops()[self.and_pos..][..n];
                let (now, later) = tables.split_at(n * stride);
                let tweak = self.first_tweak + per_gate * self.and_pos as u64;
                match self.scheme {
                    Scheme::HalfGates => {
                        self.hash
                            .eval_ands(&mut self.labels, ands, now, tweak, step.folded)
                    }
                    Scheme::ThreeHalves => self.hash.eval_ands_three_halves(
                        Lane::as_blocks_mut(&mut self.labels),
                        ands,
                        now,
                        tweak,
                    ),
                }
                tables = later;
                self.in_step += n;
                self.and_pos += n;
            }
            if self.in_step == step.ands as usize {
                self.step += 1;
                self.free_done = false;
                self.in_step = 0;
            }
        }
    }

    /// If the schedule is at a wide layer of at least [`PARALLEL_MIN_ANDS`]
    /// AND gates whose tables are all among the `available` ones, and more
    /// than one thread is available (`threads`, rayon's count): the number
    /// of AND gates and of steps.
    fn wide_layer(&self, available: usize, threads: usize) -> Option<(usize, usize)> {
        if threads < 2 {
            return None;
        }
        let (n, steps) = self.schedule.layer(self.step, self.in_step, available);
        (n >= PARALLEL_MIN_ANDS && n <= available).then_some((n, steps))
    }

    /// Ends the run and decodes the outputs: output bit `i` is the permute bit
    /// of the output label XOR decoding bit `i`. Fails if tables are missing
    /// (a truncated stream) or the decoding does not match the outputs.
    pub fn finish(mut self, decoding: &OutputDecoding) -> Result<Vec<bool>, EngineError> {
        let missing = self.remaining_tables();
        if missing > 0 {
            return Err(EngineError::Truncated { missing });
        }
        let outputs = self.schedule.output_slots();
        if decoding.bits().len() != outputs.len() {
            return Err(EngineError::DecodingLength {
                expected: outputs.len(),
                got: decoding.bits().len(),
            });
        }
        self.run(&[]);
        Ok(decode(&self.output_labels(), decoding))
    }

    /// Ends the run and returns the active label of every output wire, for
    /// decoding the outputs the evaluator learns and sending back those the
    /// garbler learns. Fails if tables are missing (a truncated stream).
    pub fn finish_labels(mut self) -> Result<Vec<Label>, EngineError> {
        let missing = self.remaining_tables();
        if missing > 0 {
            return Err(EngineError::Truncated { missing });
        }
        self.run(&[]);
        Ok(self.output_labels())
    }

    /// The active labels of the output wires (only meaningful once every
    /// table has been fed).
    pub fn output_labels(&self) -> Vec<Label> {
        self.schedule
            .output_slots()
            .iter()
            .map(|&s| Block::from(self.labels[s as usize]))
            .collect()
    }
}

/// Decodes output labels: the value of a label is its permute bit XOR the
/// decoding bit of its wire. The other label of the same wire (the label
/// XOR Delta, with the lowest bit of Delta set) decodes to the other value.
pub fn decode(labels: &[Label], decoding: &OutputDecoding) -> Vec<bool> {
    labels
        .iter()
        .zip(decoding.bits())
        .map(|(l, &d)| l.lsb() ^ d)
        .collect()
}

impl Drop for Evaluation<'_> {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.labels));
    }
}

impl std::fmt::Debug for Evaluation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluation")
            .field("tables", &self.schedule.and_count())
            .field("remaining_tables", &self.remaining_tables())
            .field("labels", &"<redacted>")
            .finish()
    }
}

/// Fewest AND gates worth spreading over threads: below this, forking and
/// joining costs more than the hashing it spreads.
const PARALLEL_MIN_ANDS: usize = 1024;

/// Evaluates the independent AND gates of a wide layer on all threads; the
/// output labels are stored once every thread has read its inputs, since a
/// step that continues another may reuse the slots of the other's inputs.
fn eval_parallel(
    hash: &HalfGateHash,
    labels: &mut [Lane],
    ands: &[AndOp],
    tables: &[u8],
    first_tweak: u64,
) {
    let piece = ands
        .len()
        .div_ceil(rayon::current_num_threads())
        .next_multiple_of(16);
    let read: &[Lane] = labels;
    let mut outs: Vec<Vec<Lane>> = ands
        .par_chunks(piece)
        .zip(tables.par_chunks(piece * TABLE_BYTES))
        .enumerate()
        .map(|(i, (ands, tables))| {
            let mut scratch = vec![Lane::zero(); 2 * MAX_BATCH];
            let mut outs = Vec::with_capacity(ands.len());
            let tweak = first_tweak + 2 * (i * piece) as u64;
            for (w, (ands, tables)) in ands
                .chunks(MAX_BATCH)
                .zip(tables.chunks(MAX_BATCH * TABLE_BYTES))
                .enumerate()
            {
                let h = &mut scratch[..2 * ands.len()];
                for (g, op) in h.chunks_exact_mut(2).zip(ands) {
                    (g[0], g[1]) = op.inputs(read);
                }
                hash.hash_evaluator(Lane::as_blocks_mut(h), tweak + 2 * (w * MAX_BATCH) as u64);
                for ((g, op), table) in h
                    .chunks_exact(2)
                    .zip(ands)
                    .zip(tables.chunks_exact(TABLE_BYTES))
                {
                    let (wa, wb) = op.inputs(read);
                    outs.push(half_gate(g, wa, wb, table));
                }
            }
            scratch.zeroize();
            outs
        })
        .collect();
    for (op, &c) in ands.iter().zip(outs.iter().flatten()) {
        labels[op.out as usize] = c;
    }
    outs.iter_mut().for_each(|o| o.zeroize());
}

/// One AND gate from the active input labels, their hashes `[H(Wa, j),
/// H(Wb, j')]` and the table `(TG, TE)` (ZRE15 fig. 2): the output label.
#[inline(always)]
fn half_gate(h: &[Lane], wa: Lane, wb: Lane, table: &[u8]) -> Lane {
    let (tg, te) = (Lane::read_from(&table[..16]), Lane::read_from(&table[16..]));
    let wg = h[0] ^ tg.select(wa.lsb());
    let we = h[1] ^ (te ^ wa).select(wb.lsb());
    wg ^ we
}
