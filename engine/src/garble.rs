//! One run of the streaming garbler: labels of live wires in, garbled tables
//! out, a bounded chunk at a time.

use crate::{EngineError, GarblerSession, OutputCheck};
use crypto::{
    threehalves, AndOp, Block, HalfGateHash, Label, Lane, Prg, Schedule, Scheme, SlotPool,
    MAX_BATCH, MAX_CHUNK_ANDS, TABLE_BYTES,
};
use rayon::prelude::*;
use std::ops::Range;
use zeroize::Zeroize;

/// One garbling of a circuit, produced by [`crate::GarblerSession::garble`].
///
/// Pull the garbled tables with [`Garbling::next_chunk`] until it returns
/// `None`, then call [`Garbling::finish`] for the output labels' check.
/// Memory is one label per schedule slot plus one chunk buffer, whatever the
/// gate count.
pub struct Garbling<'a> {
    schedule: &'a Schedule,
    delta: Lane,
    hash: HalfGateHash,
    first_tweak: u64,
    /// 0-label of every live slot.
    labels: Vec<Lane>,
    /// Where `labels` goes back to when the run ends.
    pool: SlotPool,
    /// Active labels of the garbler's input wires, to send to the evaluator.
    garbler_labels: Vec<Label>,
    cursor: Cursor,
    chunk: Vec<u8>,
    /// The session's garbling scheme.
    scheme: Scheme,
    /// Three-halves: the records of the chunk being built, packed into
    /// `chunk` once it is complete.
    records: Vec<u8>,
    /// Three-halves: the secret random bits of each gate.
    prg: Prg,
}

/// Where a run stands in its schedule.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Cursor {
    step: usize,
    free_done: bool,
    /// AND gates of the current step already done.
    in_step: usize,
    /// Free gates done in all.
    free_pos: usize,
    /// AND gates done in all.
    and_pos: usize,
}

impl<'a> Garbling<'a> {
    pub(crate) fn new(
        schedule: &'a Schedule,
        session: &mut GarblerSession,
        first_tweak: u64,
        garbler_bits: &[bool],
        evaluator_zero_labels: &[Label],
    ) -> Garbling<'a> {
        let delta = session.delta.block();
        let scheme = session.scheme;
        let (hash, pool, prg) = (session.hash.clone(), session.pool.clone(), &mut session.prg);
        let gate_prg = Prg::from_seed(prg.block());
        let mut labels = pool.take(schedule.num_slots() as usize);
        let mut zero = vec![Block::ZERO; garbler_bits.len()];
        prg.fill(&mut zero);
        let mut garbler_labels = Vec::with_capacity(garbler_bits.len());
        for ((&slot, &z), &bit) in schedule
            .garbler_inputs()
            .iter()
            .zip(&zero)
            .zip(garbler_bits)
        {
            labels[slot as usize] = Lane::from(z);
            garbler_labels.push(z ^ delta.select(bit));
        }
        zero.zeroize();
        labels[schedule.delta_slot() as usize] = Lane::from(delta);
        for (&slot, &z) in schedule
            .evaluator_inputs()
            .iter()
            .zip(evaluator_zero_labels)
        {
            labels[slot as usize] = Lane::from(z);
        }
        Garbling {
            schedule,
            delta: Lane::from(delta),
            hash,
            first_tweak,
            labels,
            pool,
            garbler_labels,
            cursor: Cursor::default(),
            chunk: Vec::with_capacity(scheme.wire_bytes(MAX_CHUNK_ANDS)),
            scheme,
            records: Vec::new(),
            prg: gate_prg,
        }
    }

    /// The labels of the garbler's own input bits (the label of each actual
    /// bit, 16 bytes each, in wire order): send them to the evaluator. They
    /// reveal nothing about the bits.
    pub fn garbler_labels(&self) -> &[Label] {
        &self.garbler_labels
    }

    /// The tweaks this run hashes with: two per AND gate with half-gates,
    /// three with three-halves, reserved from the session when the run
    /// started.
    pub fn tweak_range(&self) -> Range<u64> {
        let per_gate = self.scheme.tweaks_per_gate();
        self.first_tweak..self.first_tweak + per_gate * self.schedule.and_count() as u64
    }

    /// The garbling scheme of this run (the session's).
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Garbled tables not yet produced.
    pub fn remaining_tables(&self) -> usize {
        self.schedule.and_count() - self.cursor.and_pos
    }

    /// The next chunk of garbled tables, in schedule order: at most
    /// [`MAX_CHUNK_ANDS`] tables, [`Scheme::wire_bytes`] of them in all
    /// (half-gates: [`TABLE_BYTES`] bytes each; three-halves: the packed
    /// form of [`crypto::threehalves`], every chunk but the last of a run
    /// a multiple of 8 gates). `None` once every table has been produced.
    pub fn next_chunk(&mut self) -> Option<&[u8]> {
        self.chunk.clear();
        self.records.clear();
        let mut room = MAX_CHUNK_ANDS;
        let schedule = self.schedule;
        let per_gate = self.scheme.tweaks_per_gate();
        let three_halves = self.scheme == Scheme::ThreeHalves;
        // Asked once per call, not per step: the lookup is a call into
        // rayon's thread-local registry, and SHA-256 has 1.6k steps a run.
        let threads = rayon::current_num_threads();
        while room > 0 && self.cursor.step < schedule.steps().len() {
            let step = schedule.steps()[self.cursor.step];
            if !self.cursor.free_done {
                schedule.run_free(&mut self.labels, self.cursor.free_pos, step.free as usize);
                self.cursor.free_pos += step.free as usize;
                self.cursor.free_done = true;
            }
            if let Some((n, steps)) =
                wide_layer(schedule, &self.cursor, room, threads).filter(|_| !three_halves)
            {
                let ands = &schedule.and_ops()[self.cursor.and_pos..][..n];
                let tweak = self.first_tweak + 2 * self.cursor.and_pos as u64;
                garble_parallel(
                    &self.hash,
                    &mut self.labels,
                    &mut self.chunk,
                    ands,
                    self.delta,
                    tweak,
                );
                self.cursor = Cursor {
                    step: self.cursor.step + steps,
                    free_done: false,
                    in_step: 0,
                    free_pos: self.cursor.free_pos,
                    and_pos: self.cursor.and_pos + n,
                };
                room -= n;
                continue;
            }
            let n = (step.ands as usize - self.cursor.in_step).min(room);
            if n > 0 {
                let ands = &schedule.and_ops()[self.cursor.and_pos..][..n];
                let tweak = self.first_tweak + per_gate * self.cursor.and_pos as u64;
                if three_halves {
                    garble_batch_three_halves(
                        &self.hash,
                        &mut self.prg,
                        &mut self.labels,
                        &mut self.records,
                        ands,
                        self.delta,
                        tweak,
                    );
                } else {
                    garble_batch(
                        &self.hash,
                        &mut self.labels,
                        &mut self.chunk,
                        ands,
                        self.delta,
                        tweak,
                        step.folded,
                    );
                }
                self.cursor.in_step += n;
                self.cursor.and_pos += n;
                room -= n;
            }
            if self.cursor.in_step == step.ands as usize {
                self.cursor = Cursor {
                    step: self.cursor.step + 1,
                    free_done: false,
                    in_step: 0,
                    ..self.cursor
                };
            }
        }
        if three_halves {
            threehalves::pack(&self.records, &mut self.chunk);
            self.records.zeroize();
        }
        if self.chunk.is_empty() {
            None
        } else {
            Some(&self.chunk)
        }
    }

    /// Ends the run: computes the remaining free gates and returns the
    /// output 0-labels with Delta, from which the decoding bits for the
    /// evaluator ([`OutputCheck::decoding`]) and the check of the labels it
    /// sends back ([`OutputCheck::verify`]) come. Fails if garbled tables
    /// remain to be pulled.
    pub fn finish(mut self) -> Result<OutputCheck, EngineError> {
        let remaining = self.remaining_tables();
        if remaining > 0 {
            return Err(EngineError::Unfinished { remaining });
        }
        // Only free gates are left; next_chunk runs them and yields nothing.
        let none = self.next_chunk().is_none();
        debug_assert!(none);
        let zero = self
            .schedule
            .output_slots()
            .iter()
            .map(|&s| Block::from(self.labels[s as usize]))
            .collect();
        Ok(OutputCheck::new(zero, Block::from(self.delta)))
    }
}

impl Drop for Garbling<'_> {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.labels));
        self.garbler_labels.zeroize();
        self.delta.zeroize();
    }
}

impl std::fmt::Debug for Garbling<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Garbling")
            .field("tables", &self.schedule.and_count())
            .field("remaining_tables", &self.remaining_tables())
            .field("labels", &"<redacted>")
            .finish()
    }
}

/// Half-gates garbling of independent AND gates (ZRE15 sec. 3), appending
/// their tables to `out`; the hash, the tables and the output labels are
/// formed by [`HalfGateHash::garble_ands`] in one fused pass per window.
/// `folded`: whether an input of `ands` is folded ([`crypto::Step::folded`]).
fn garble_batch(
    hash: &HalfGateHash,
    labels: &mut [Lane],
    out: &mut Vec<u8>,
    ands: &[AndOp],
    delta: Lane,
    first_tweak: u64,
    folded: bool,
) {
    let start = out.len();
    out.resize(start + ands.len() * TABLE_BYTES, 0);
    hash.garble_ands(labels, ands, delta, first_tweak, &mut out[start..], folded);
}

/// Three-halves garbling of independent AND gates (RR21, see
/// [`crypto::threehalves`]), appending their records to `records`; two
/// fresh random bits per gate from the run's PRG.
fn garble_batch_three_halves(
    hash: &HalfGateHash,
    prg: &mut Prg,
    labels: &mut [Lane],
    records: &mut Vec<u8>,
    ands: &[AndOp],
    delta: Lane,
    first_tweak: u64,
) {
    let start = records.len();
    records.resize(start + ands.len() * threehalves::RECORD_BYTES, 0);
    let delta = Block::from(delta);
    let labels = Lane::as_blocks_mut(labels);
    // Two secret random bits per gate: 64 gates per block.
    let mut random = [Block::ZERO; MAX_BATCH / 64];
    for (w, ands) in ands.chunks(MAX_BATCH).enumerate() {
        let random = &mut random[..ands.len().div_ceil(64)];
        prg.fill(random);
        let at = start + w * MAX_BATCH * threehalves::RECORD_BYTES;
        hash.garble_ands_three_halves(
            labels,
            ands,
            delta,
            first_tweak + threehalves::TWEAKS_PER_GATE * (w * MAX_BATCH) as u64,
            random,
            &mut records[at..],
        );
    }
    random.iter_mut().for_each(Zeroize::zeroize);
}

/// One AND gate from its input 0-labels and the hashes
/// `[H(A0, j), H(A1, j), H(B0, j'), H(B1, j')]` (ZRE15 fig. 2): the
/// generator half `TG`, the evaluator half `TE` and the output 0-label.
#[inline(always)]
fn half_gate(h: &[Lane], a0: Lane, b0: Lane, delta: Lane) -> (Lane, Lane, Lane) {
    let (pa, pb) = (a0.lsb(), b0.lsb());
    let tg = h[0] ^ h[1] ^ delta.select(pb);
    let wg0 = h[0] ^ tg.select(pa);
    let te = h[2] ^ h[3] ^ a0;
    let we0 = h[2] ^ (te ^ a0).select(pb);
    (tg, te, wg0 ^ we0)
}

/// Fewest AND gates worth spreading over threads: below this, forking and
/// joining costs more than the hashing it spreads.
const PARALLEL_MIN_ANDS: usize = 1024;

/// If the schedule is at a wide layer of at least [`PARALLEL_MIN_ANDS`] AND
/// gates that fit in `room`, and more than one thread is available
/// (`threads`, rayon's count): the number of AND gates and of steps it
/// spans.
fn wide_layer(s: &Schedule, c: &Cursor, room: usize, threads: usize) -> Option<(usize, usize)> {
    if threads < 2 {
        return None;
    }
    let (n, steps) = s.layer(c.step, c.in_step, room);
    (n >= PARALLEL_MIN_ANDS && n <= room).then_some((n, steps))
}

/// Garbles the independent AND gates of a wide layer on all threads: every
/// thread reads input labels and writes its own tables and output labels;
/// the output labels are stored once all threads are done, since a step
/// that continues another may reuse the slots of the other's inputs.
fn garble_parallel(
    hash: &HalfGateHash,
    labels: &mut [Lane],
    out: &mut Vec<u8>,
    ands: &[AndOp],
    delta: Lane,
    first_tweak: u64,
) {
    let n = ands.len();
    let start = out.len();
    out.resize(start + n * TABLE_BYTES, 0);
    let piece = n
        .div_ceil(rayon::current_num_threads())
        .next_multiple_of(16);
    let read: &[Lane] = labels;
    let mut outs: Vec<Vec<Lane>> = out[start..]
        .par_chunks_mut(piece * TABLE_BYTES)
        .zip(ands.par_chunks(piece))
        .enumerate()
        .map(|(i, (tables, ands))| {
            let mut scratch = vec![Lane::zero(); 4 * MAX_BATCH];
            let mut outs = Vec::with_capacity(ands.len());
            let tweak = first_tweak + 2 * (i * piece) as u64;
            for (w, (ands, tables)) in ands
                .chunks(MAX_BATCH)
                .zip(tables.chunks_mut(MAX_BATCH * TABLE_BYTES))
                .enumerate()
            {
                let h = &mut scratch[..4 * ands.len()];
                for (g, op) in h.chunks_exact_mut(4).zip(ands) {
                    let (a0, b0) = op.inputs(read);
                    g.copy_from_slice(&[a0, a0 ^ delta, b0, b0 ^ delta]);
                }
                hash.hash_garbler(Lane::as_blocks_mut(h), tweak + 2 * (w * MAX_BATCH) as u64);
                for ((g, op), table) in h
                    .chunks_exact(4)
                    .zip(ands)
                    .zip(tables.chunks_exact_mut(TABLE_BYTES))
                {
                    let (a0, b0) = op.inputs(read);
                    let (tg, te, c0) = half_gate(g, a0, b0, delta);
                    outs.push(c0);
                    tg.write_to(&mut table[..16]);
                    te.write_to(&mut table[16..]);
                }
            }
            scratch.zeroize();
            outs
        })
        .collect();
    for (op, &c0) in ands.iter().zip(outs.iter().flatten()) {
        labels[op.out as usize] = c0;
    }
    outs.iter_mut().for_each(|o| o.zeroize());
}
