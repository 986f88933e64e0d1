//! The execution plan both parties derive from a circuit: gates regrouped so
//! that independent AND gates are hashed together, on a compact set of label
//! slots.
//!
//! A circuit's gate order is one topological order among many. For batching,
//! each gate gets its AND depth (AND gates add one, free gates add none) and
//! the gates of a segment run as: the AND gates of depth 1, the free gates of
//! depth 1, the AND gates of depth 2, ... (an as-soon-as-possible list
//! schedule). The AND gates of one depth are independent, so each such group
//! becomes one batch of hash calls, cut into windows of at most
//! [`MAX_BATCH`] gates. Segments of [`SEGMENT_GATES`] gates keep the extra
//! live wires this reordering creates bounded.
//!
//! Slots are then allocated afresh by liveness: a slot is reused once the
//! value in it is dead, and the outputs of an AND batch never share a slot
//! with an input of the same batch, so a batch may be processed in any split
//! (as chunks of tables arrive) without overwriting what it still reads.
//! Garbler and evaluator derive the same schedule from the same circuit,
//! which fixes the tweak of every AND gate.

use crate::CryptoError;
use circuits::{Circuit, GateKind, Party};

/// Stand-ins for the zero and Delta slots until their numbers are known.
const ZERO: u32 = u32::MAX;
const DELTA: u32 = u32::MAX - 1;

/// Most AND gates hashed in one batch: 4 x 16 bytes x 256 = 16 KiB of hash
/// inputs for the garbler, which stays in the L1 cache, and 1,024 blocks per
/// AES call, far past what the AES pipeline needs.
pub const MAX_BATCH: usize = 256;

/// Gates reordered together. Bounds the live wires the reordering adds.
pub const SEGMENT_GATES: usize = 1 << 17;

/// A free (hash-less) operation of the schedule, on slots, in one
/// branch-free form for both parties: `out = a ^ b ^ c`. XOR is
/// `(a, b, zero)`; INV is `(a, delta, zero)`; constant false is
/// `(zero, zero, zero)` and constant true `(zero, delta, zero)`, so the
/// public label 0 is the label of a constant's value. A free gate whose
/// value only one other free gate reads is folded into that gate's
/// operation (`(x ^ y) ^ z` becomes one `(x, y, z)`), so one operation may
/// stand for two gates: labels add, so the result is the same label.
/// `zero` is [`Schedule::zero_slot`] (always the all-zero label) and `delta`
/// is [`Schedule::delta_slot`] (Delta for the garbler, zero for the
/// evaluator). Free gates outnumber AND gates several times over, and one
/// form without a branch or a select keeps each to a few instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeOp {
    /// First input slot.
    pub a: u32,
    /// Second input slot.
    pub b: u32,
    /// Third input slot (the zero slot for a single gate).
    pub c: u32,
    /// Output slot.
    pub out: u32,
}

/// Runs free operations over a slot array of labels: `out = a ^ b ^ c`
/// for each op. The same code serves both parties: free-XOR (KS08) makes
/// XOR add labels, and INV and constants go through the zero and Delta
/// slots (Delta for the garbler, zero for the evaluator), so neither side
/// branches per gate.
#[inline]
pub fn run_free_ops(labels: &mut [crate::Lane], ops: &[FreeOp]) {
    for op in ops {
        labels[op.out as usize] =
            labels[op.a as usize] ^ labels[op.b as usize] ^ labels[op.c as usize];
    }
}

/// Most input terms of one [`FreeOp`].
const TERMS: usize = 3;

/// An AND gate of the schedule, on slots. Its index among the schedule's AND
/// gates fixes its tweaks.
///
/// Each input is the sum of two slots: `labels[a] ^ labels[a2]` and
/// `labels[b] ^ labels[b2]`. A free gate whose value only this AND gate
/// reads and that adds at most two labels is folded into the input (its
/// operation, store and reload are saved, SHA-256 has 40k such gates); an
/// input of one label has the zero slot as its second slot. Every kernel
/// reads the inputs through [`AndOp::inputs`] or the same two loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AndOp {
    /// First input slot.
    pub a: u32,
    /// Second input slot.
    pub b: u32,
    /// Output slot.
    pub out: u32,
    /// Slot added to the first input.
    pub a2: u32,
    /// Slot added to the second input.
    pub b2: u32,
}

impl AndOp {
    /// A gate whose inputs are the single slots `a` and `b`; `zero` is a
    /// slot that holds the all-zero label.
    pub fn new(a: u32, b: u32, out: u32, zero: u32) -> AndOp {
        AndOp {
            a,
            b,
            out,
            a2: zero,
            b2: zero,
        }
    }

    /// The two input labels: `labels[a] ^ labels[a2]` and
    /// `labels[b] ^ labels[b2]`.
    ///
    /// # Panics
    /// If a slot is out of `labels`.
    #[inline(always)]
    pub fn inputs<T: Copy + std::ops::BitXor<Output = T>>(&self, labels: &[T]) -> (T, T) {
        (
            labels[self.a as usize] ^ labels[self.a2 as usize],
            labels[self.b as usize] ^ labels[self.b2 as usize],
        )
    }
}

/// One step: run `free` free gates in order, then `ands` independent AND
/// gates as one batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// Whether this step has no free gates and its AND gates are of the same
    /// depth as the previous step's (a wide layer cut at [`MAX_BATCH`]): it
    /// may then run together with the previous step, e.g. on other threads,
    /// provided all of their inputs are read before any output is written.
    pub continues: bool,
    /// Number of free gates, taken in order from [`Schedule::free_ops`].
    pub free: u32,
    /// Number of AND gates, taken in order from [`Schedule::and_ops`].
    pub ands: u32,
    /// Whether an AND gate of this step has a folded input (an `a2` or
    /// `b2` other than the zero slot, see [`AndOp`]). Many wide layers have
    /// none (AES-128: more than half of its AND gates), and the kernels
    /// then skip the second load of every input.
    pub folded: bool,
}

/// The plan for garbling or evaluating one circuit; build it once per
/// circuit and reuse it for every run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    num_slots: u32,
    garbler_inputs: Vec<u32>,
    evaluator_inputs: Vec<u32>,
    free: Vec<FreeOp>,
    /// `free` packed for the inner loop, when the slots fit.
    packed: Option<crate::lane::PackedFree>,
    ands: Vec<AndOp>,
    steps: Vec<Step>,
    outputs: Vec<u32>,
}

impl Schedule {
    /// Validates `circuit` and plans it.
    pub fn new(circuit: &Circuit) -> Result<Schedule, CryptoError> {
        circuit.validate()?;
        let n_in = circuit.num_inputs() as usize;
        let n_gates = circuit.gates.len();
        let n_values = n_in
            .checked_add(n_gates)
            .filter(|&n| n < u32::MAX as usize)
            .ok_or_else(|| CryptoError::TooLarge(format!("{n_gates} gates")))?;

        // Single assignment: value ids are inputs, then one per gate.
        let mut current: Vec<u32> = (0..circuit.num_wires).collect();
        let mut reads: Vec<[u32; 2]> = Vec::with_capacity(n_gates);
        let mut depth: Vec<u32> = vec![0; n_values];
        // Longest chain of free gates of the same AND depth ending here: free
        // gates are then ordered by it, so neighbours rarely depend on each
        // other and the CPU overlaps them instead of waiting on each store.
        let mut chain: Vec<u32> = vec![0; n_values];
        let mut uses: Vec<u32> = vec![0; n_values];
        for (i, g) in circuit.gates.iter().enumerate() {
            let v = (n_in + i) as u32;
            let (a, b) = (current[g.a as usize], current[g.b as usize]);
            let d = match g.kind {
                GateKind::And => depth[a as usize].max(depth[b as usize]) + 1,
                GateKind::Xor => depth[a as usize].max(depth[b as usize]),
                GateKind::Inv => depth[a as usize],
                GateKind::ConstFalse | GateKind::ConstTrue => 0,
            };
            depth[v as usize] = d;
            if g.kind != GateKind::And {
                let link = |u: u32| {
                    if u as usize >= n_in && depth[u as usize] == d {
                        chain[u as usize] + 1
                    } else {
                        1
                    }
                };
                chain[v as usize] = match g.kind {
                    GateKind::Xor => link(a).max(link(b)),
                    GateKind::Inv => link(a),
                    _ => 1,
                };
            }
            match g.kind {
                GateKind::And | GateKind::Xor => {
                    uses[a as usize] += 1;
                    uses[b as usize] += 1;
                }
                GateKind::Inv => uses[a as usize] += 1,
                GateKind::ConstFalse | GateKind::ConstTrue => {}
            }
            reads.push([a, b]);
            current[g.out as usize] = v;
        }
        let out_values: Vec<u32> = circuit
            .output_wires
            .iter()
            .map(|&w| current[w as usize])
            .collect();
        drop(current);
        const PINNED: u32 = u32::MAX;
        for &v in &out_values {
            uses[v as usize] = PINNED;
        }

        // Folding: the terms each free gate adds, its inputs with the free
        // gates it absorbs replaced by their own terms, at most `TERMS`. A
        // gate is absorbed when it is an XOR or INV that exactly one gate
        // reads, that gate is a free one and the terms fit. An absorbed gate
        // gets no operation and no slot; the reads of its inputs pass to
        // the absorbing gate, so the use counts stay as they are. Depths
        // and chains stay those of the circuit: the absorbing gate is no
        // earlier than the gates it absorbs, and its inputs are theirs.
        let is_free_xor = |v: u32| {
            (v as usize) >= n_in
                && matches!(
                    circuit.gates[v as usize - n_in].kind,
                    GateKind::Xor | GateKind::Inv
                )
        };
        let mut terms: Vec<[u32; TERMS]> = vec![[ZERO; TERMS]; n_values];
        let mut n_terms: Vec<u8> = vec![0; n_values];
        let mut folded: Vec<bool> = vec![false; n_values];
        // The input values of each AND gate, as `[a, a2, b, b2]`: a free
        // gate that only this AND gate reads and that adds at most two
        // labels is absorbed into the input the same way.
        let mut and_terms: Vec<[u32; 4]> = vec![[ZERO; 4]; n_gates];
        for (i, g) in circuit.gates.iter().enumerate() {
            let v = n_in + i;
            let [a, b] = reads[i];
            let inputs = match g.kind {
                GateKind::Xor => [a, b],
                GateKind::Inv => [a, DELTA],
                GateKind::And => {
                    for (k, x) in [a, b].into_iter().enumerate() {
                        let t = &mut and_terms[i][2 * k..2 * k + 2];
                        if is_free_xor(x) && uses[x as usize] == 1 && n_terms[x as usize] <= 2 {
                            folded[x as usize] = true;
                            t.copy_from_slice(&terms[x as usize][..2]);
                        } else {
                            t[0] = x;
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            let mut t = [ZERO; TERMS];
            let mut n = 0usize;
            for (k, &x) in inputs.iter().enumerate() {
                let rest = inputs.len() - k - 1;
                let xn = if x != DELTA && is_free_xor(x) && uses[x as usize] == 1 {
                    n_terms[x as usize] as usize
                } else {
                    usize::MAX
                };
                if xn != usize::MAX && n + xn + rest <= TERMS {
                    folded[x as usize] = true;
                    t[n..n + xn].copy_from_slice(&terms[x as usize][..xn]);
                    n += xn;
                } else {
                    t[n] = x;
                    n += 1;
                }
            }
            terms[v] = t;
            n_terms[v] = n as u8;
        }

        let mut alloc = SlotAllocator::new(n_in as u32);
        let mut slot_of: Vec<u32> = vec![u32::MAX; n_values];
        for (v, s) in slot_of.iter_mut().enumerate().take(n_in) {
            *s = v as u32;
        }
        let release = |v: u32, uses: &mut [u32], alloc: &mut SlotAllocator, slot_of: &[u32]| {
            let u = &mut uses[v as usize];
            if *u != PINNED {
                *u -= 1;
                if *u == 0 {
                    alloc.release(slot_of[v as usize]);
                }
            }
        };
        // Inputs no gate reads and no output names are dead from the start.
        for (v, &u) in uses.iter().enumerate().take(n_in) {
            if u == 0 {
                alloc.release(v as u32);
            }
        }

        let mut free = Vec::new();
        let mut ands = Vec::new();
        let mut steps = Vec::new();
        let mut order: Vec<(u64, u32, u32)> = Vec::new();
        for seg_start in (0..n_gates).step_by(SEGMENT_GATES) {
            let seg_end = (seg_start + SEGMENT_GATES).min(n_gates);
            order.clear();
            order.extend((seg_start..seg_end).map(|i| {
                let d = u64::from(depth[n_in + i]);
                let is_free = u64::from(circuit.gates[i].kind != GateKind::And);
                (2 * d + is_free, chain[n_in + i], i as u32)
            }));
            order.sort_unstable();

            let mut pending = Step::default();
            let mut batch_depth = u32::MAX;
            let mut batch_outs: Vec<u32> = Vec::new();
            let mut flush = |pending: &mut Step,
                             batch_outs: &mut Vec<u32>,
                             ands: &mut Vec<AndOp>,
                             uses: &mut [u32],
                             alloc: &mut SlotAllocator,
                             slot_of: &mut [u32]| {
                if pending.free == 0 && pending.ands == 0 {
                    return;
                }
                // Outputs are allocated before the batch's inputs are
                // released, so no output shares a slot with a batch input.
                let first = ands.len() - pending.ands as usize;
                pending.folded = ands[first..]
                    .iter()
                    .any(|op| op.a2 != ZERO || op.b2 != ZERO);
                for (op, &v) in ands[first..].iter_mut().zip(batch_outs.iter()) {
                    let s = alloc.take();
                    slot_of[v as usize] = s;
                    op.out = s;
                }
                for op in &mut ands[first..] {
                    for s in [&mut op.a, &mut op.a2, &mut op.b, &mut op.b2] {
                        if *s != ZERO && *s != DELTA {
                            release(*s, uses, alloc, slot_of);
                            *s = slot_of[*s as usize];
                        }
                    }
                }
                for &v in batch_outs.iter() {
                    if uses[v as usize] == 0 {
                        alloc.release(slot_of[v as usize]);
                    }
                }
                batch_outs.clear();
                steps.push(*pending);
                *pending = Step::default();
            };
            for &(_, _, i) in &order {
                let g = circuit.gates[i as usize];
                let v = n_in as u32 + i;
                if folded[v as usize] {
                    continue;
                }
                if g.kind == GateKind::And {
                    let d = depth[v as usize];
                    if pending.ands as usize == MAX_BATCH || (pending.ands > 0 && d != batch_depth)
                    {
                        let continues = pending.ands as usize == MAX_BATCH && d == batch_depth;
                        flush(
                            &mut pending,
                            &mut batch_outs,
                            &mut ands,
                            &mut uses,
                            &mut alloc,
                            &mut slot_of,
                        );
                        pending.continues = continues;
                    }
                    batch_depth = d;
                    // Input values for now; turned into slots when flushed.
                    let [a, a2, b, b2] = and_terms[i as usize];
                    ands.push(AndOp {
                        a,
                        b,
                        out: 0,
                        a2,
                        b2,
                    });
                    batch_outs.push(v);
                    pending.ands += 1;
                } else {
                    if pending.ands > 0 {
                        flush(
                            &mut pending,
                            &mut batch_outs,
                            &mut ands,
                            &mut uses,
                            &mut alloc,
                            &mut slot_of,
                        );
                    }
                    let t = match g.kind {
                        GateKind::Xor | GateKind::Inv => {
                            let t = &terms[v as usize][..n_terms[v as usize] as usize];
                            let mut s = [ZERO; TERMS];
                            for (s, &x) in s.iter_mut().zip(t) {
                                *s = if x == DELTA {
                                    DELTA
                                } else {
                                    slot_of[x as usize]
                                };
                            }
                            for &x in t.iter().filter(|&&x| x != DELTA) {
                                release(x, &mut uses, &mut alloc, &slot_of);
                            }
                            s
                        }
                        GateKind::ConstTrue => [ZERO, DELTA, ZERO],
                        _ => [ZERO; TERMS],
                    };
                    // A free gate reads before it writes, so its output may
                    // take the slot one of its inputs just gave up.
                    let out = alloc.take();
                    slot_of[v as usize] = out;
                    if uses[v as usize] == 0 {
                        alloc.release(out);
                    }
                    free.push(FreeOp {
                        a: t[0],
                        b: t[1],
                        c: t[2],
                        out,
                    });
                    pending.free += 1;
                }
            }
            flush(
                &mut pending,
                &mut batch_outs,
                &mut ands,
                &mut uses,
                &mut alloc,
                &mut slot_of,
            );
        }

        let mut garbler_inputs = Vec::new();
        let mut evaluator_inputs = Vec::new();
        for input in &circuit.inputs {
            let wires = input.first_wire..input.first_wire + input.ty.width() as u32;
            match input.party {
                Party::Garbler => garbler_inputs.extend(wires),
                Party::Evaluator => evaluator_inputs.extend(wires),
            }
        }
        let outputs = out_values.iter().map(|&v| slot_of[v as usize]).collect();
        let zero_slot = alloc.high_water;
        let fixed = |s: &mut u32| {
            if *s == ZERO {
                *s = zero_slot;
            } else if *s == DELTA {
                *s = zero_slot + 1;
            }
        };
        for op in &mut free {
            [&mut op.a, &mut op.b, &mut op.c]
                .into_iter()
                .for_each(fixed);
        }
        for op in &mut ands {
            [&mut op.a, &mut op.a2, &mut op.b, &mut op.b2]
                .into_iter()
                .for_each(fixed);
        }
        let packed = crate::lane::PackedFree::new(&free, zero_slot + 2);
        Ok(Schedule {
            num_slots: zero_slot + 2,
            garbler_inputs,
            evaluator_inputs,
            free,
            packed,
            ands,
            steps,
            outputs,
        })
    }

    /// Label slots a party needs: its memory is 16 bytes times this.
    pub fn num_slots(&self) -> u32 {
        self.num_slots
    }

    /// The slot that always holds the all-zero label; no gate writes it.
    pub fn zero_slot(&self) -> u32 {
        self.num_slots - 2
    }

    /// The slot the garbler fills with Delta and the evaluator leaves zero
    /// (the last one); no gate writes it.
    pub fn delta_slot(&self) -> u32 {
        self.num_slots - 1
    }

    /// Slots of the garbler's input bits, in wire order.
    pub fn garbler_inputs(&self) -> &[u32] {
        &self.garbler_inputs
    }

    /// Slots of the evaluator's input bits, in wire order.
    pub fn evaluator_inputs(&self) -> &[u32] {
        &self.evaluator_inputs
    }

    /// Free gates in execution order.
    pub fn free_ops(&self) -> &[FreeOp] {
        &self.free
    }

    /// Runs free gates `start..start + n` (in [`Schedule::free_ops`] order)
    /// on `labels`, an array of [`Schedule::num_slots`] labels, in the
    /// fastest form this schedule has.
    ///
    /// # Panics
    /// If `labels` is shorter than [`Schedule::num_slots`] or the range is
    /// out of bounds.
    pub fn run_free(&self, labels: &mut [crate::Lane], start: usize, n: usize) {
        match &self.packed {
            Some(p) => p.run(labels, start..start + n),
            None => run_free_ops(labels, &self.free[start..start + n]),
        }
    }

    /// AND gates in execution order; the `k`-th uses tweaks `first + 2k` and
    /// `first + 2k + 1` of the run's reserved range.
    pub fn and_ops(&self) -> &[AndOp] {
        &self.ands
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Slot of each output bit, in `Circuit::output_wires` order.
    pub fn output_slots(&self) -> &[u32] {
        &self.outputs
    }

    /// The independent AND gates from step `step` (of which `done` are
    /// done) through the steps that continue it, stopping before `max` would
    /// be exceeded: the number of AND gates and of steps (at least one). A
    /// caller may run them all at once if it reads all their inputs before
    /// writing any output.
    pub fn layer(&self, step: usize, done: usize, max: usize) -> (usize, usize) {
        let mut n = self.steps[step].ands as usize - done;
        let mut k = step + 1;
        while k < self.steps.len()
            && self.steps[k].continues
            && n + self.steps[k].ands as usize <= max
        {
            n += self.steps[k].ands as usize;
            k += 1;
        }
        (n, k - step)
    }

    /// Number of AND gates (garbled tables) of one run.
    pub fn and_count(&self) -> usize {
        self.ands.len()
    }
}

/// Slots handed out lowest-recently-freed first.
struct SlotAllocator {
    free: Vec<u32>,
    high_water: u32,
}

impl SlotAllocator {
    fn new(reserved: u32) -> SlotAllocator {
        SlotAllocator {
            free: Vec::new(),
            high_water: reserved,
        }
    }
    fn take(&mut self) -> u32 {
        self.free.pop().unwrap_or_else(|| {
            self.high_water += 1;
            self.high_water - 1
        })
    }
    fn release(&mut self, s: u32) {
        self.free.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use circuits::{Gate, Input, Output, Type};
    use proptest::prelude::*;

    /// A random valid circuit: gates read set wires and write any slot.
    fn circuit(n_in: u32, extra: u32, raw: &[(u8, u32, u32, u32)], outs: &[u32]) -> Circuit {
        let num_wires = n_in + extra;
        let mut set: Vec<u32> = (0..n_in).collect();
        let mut gates = Vec::new();
        for &(k, a, b, out) in raw {
            let out = out % num_wires;
            let pick = |x: u32| set[x as usize % set.len()];
            gates.push(match k % 8 {
                0..=2 => Gate::xor(pick(a), pick(b), out),
                3..=5 => Gate::and(pick(a), pick(b), out),
                6 => Gate::inv(pick(a), out),
                _ => Gate::constant(a % 2 == 0, out),
            });
            if !set.contains(&out) {
                set.push(out);
            }
        }
        let output_wires: Vec<u32> = outs.iter().map(|&o| set[o as usize % set.len()]).collect();
        let outputs = vec![Output {
            party: None,
            name: "o".into(),
            ty: Type::Bits(output_wires.len() as u32),
            first_bit: 0,
        }];
        let inputs = vec![Input {
            name: "x".into(),
            party: Party::Garbler,
            ty: Type::Bits(n_in),
            first_wire: 0,
        }];
        Circuit {
            num_wires,
            inputs,
            outputs,
            gates,
            output_wires,
        }
    }

    /// Runs the schedule on plain bits, checking its invariants on the way:
    /// the result must equal the circuit's plaintext evaluation.
    fn run_plain(s: &Schedule, inputs: &[bool]) -> Vec<bool> {
        let mut v = vec![false; s.num_slots() as usize];
        v[..inputs.len()].copy_from_slice(inputs);
        // In plain bits the Delta slot is "true": INV and constant true flip.
        v[s.delta_slot() as usize] = true;
        let (mut f, mut a) = (0usize, 0usize);
        for (i, step) in s.steps().iter().enumerate() {
            if step.continues {
                assert!(i > 0 && step.free == 0, "a continuing step has free gates");
            }
            assert!(step.ands as usize <= MAX_BATCH);
            for op in &s.free_ops()[f..f + step.free as usize] {
                assert!(op.out != s.zero_slot() && op.out != s.delta_slot());
                v[op.out as usize] = v[op.a as usize] ^ v[op.b as usize] ^ v[op.c as usize];
            }
            f += step.free as usize;
            // A wide layer runs read-all-then-write: no AND of it may read a
            // slot another of it writes.
            let (n, _) = s.layer(i, 0, usize::MAX);
            let layer = &s.and_ops()[a..a + n];
            for op in layer {
                for other in layer {
                    assert!(
                        [op.a, op.a2, op.b, op.b2].iter().all(|&s| s != other.out),
                        "batch output aliases input"
                    );
                }
            }
            let ands = &s.and_ops()[a..a + step.ands as usize];
            if !step.folded {
                let z = s.zero_slot();
                assert!(ands.iter().all(|op| op.a2 == z && op.b2 == z));
            }
            let outs: Vec<bool> = ands
                .iter()
                .map(|op| {
                    let (x, y) = op.inputs(&v);
                    x & y
                })
                .collect();
            for (op, o) in ands.iter().zip(outs) {
                v[op.out as usize] = o;
            }
            a += step.ands as usize;
        }
        assert_eq!((f, a), (s.free_ops().len(), s.and_count()));
        assert!(!v[s.zero_slot() as usize]);
        s.output_slots().iter().map(|&o| v[o as usize]).collect()
    }

    proptest! {
        #[test]
        fn schedule_computes_the_circuit(
            n_in in 1u32..10,
            extra in 1u32..30,
            raw in proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u32>(), any::<u32>()), 0..400),
            outs in proptest::collection::vec(any::<u32>(), 1..10),
            seed in any::<u64>(),
        ) {
            let c = circuit(n_in, extra, &raw, &outs);
            let s = Schedule::new(&c).unwrap();
            let bits: Vec<bool> = (0..n_in).map(|i| seed >> i & 1 == 1).collect();
            prop_assert_eq!(run_plain(&s, &bits), c.eval_bits(&bits).unwrap());
        }
    }

    #[test]
    fn wide_layers_are_cut_into_continuing_steps() {
        let raw: Vec<(u8, u32, u32, u32)> = (0..1000).map(|i| (3, i, i + 1, 0)).collect();
        let mut c = circuit(16, 1000, &raw, &[0]);
        for (i, g) in c.gates.iter_mut().enumerate() {
            g.out = 16 + i as u32;
        }
        c.output_wires = (16..1016).collect();
        c.outputs[0].ty = Type::Bits(1000);
        let s = Schedule::new(&c).unwrap();
        let sizes: Vec<(u32, bool)> = s
            .steps()
            .iter()
            .filter(|st| st.ands > 0)
            .map(|st| (st.ands, st.continues))
            .collect();
        assert_eq!(
            sizes,
            vec![(256, false), (256, true), (256, true), (232, true)]
        );
        assert_eq!(s.layer(0, 0, usize::MAX), (1000, s.steps().len()));
        assert_eq!(s.layer(0, 10, 600), (502, 2));
    }

    #[test]
    fn invalid_circuits_are_refused() {
        let mut c = circuit(2, 2, &[(3, 0, 1, 2)], &[0]);
        c.gates[0].a = 77;
        assert!(matches!(Schedule::new(&c), Err(CryptoError::Circuit(_))));
    }
}
