//! Building circuits gate by gate, with constant folding and structural hashing.

use crate::{Circuit, Gate, GateKind, Input, Output, Party, Type, WireId};
use std::collections::HashMap;

/// The structural-hashing table: `(kind, a, b) -> out` with `a <= b`.
///
/// Open addressing with linear probing, the key stored next to the value,
/// and a home slot that grows with `b`, the newer input wire: gates are made
/// in wire order and mostly read recent wires, so successive lookups touch
/// neighbouring slots and stay in cache even when the table is far larger
/// than the cache (a hashed home slot costs one memory miss per gate, which
/// dominated compile time). The table keeps 1.5 slots per wire, and gates
/// that share `b` are spread over a window of 1024 slots. A wire read by very
/// many gates (the inputs of a wide multiplier) can still fill its
/// neighbourhood: a key that finds no free slot within `MAX_PROBE` of its home
/// goes to an ordinary hash map instead. Slots are never freed, so a lookup
/// that meets a free slot within `MAX_PROBE` knows the key is not in that map.
#[derive(Default)]
struct PairTable {
    /// `[a | kind << 31, b, out]`; `out == NO_WIRE` marks an empty slot.
    slots: Vec<[WireId; 3]>,
    overflow: HashMap<(WireId, WireId), WireId>,
}

const MAX_PROBE: usize = 64;
const SPREAD: usize = 1024;

impl PairTable {
    /// Home slot of a key; `ka` is `a | kind << 31`.
    fn home(ka: WireId, b: WireId) -> usize {
        let b = b as usize;
        let spread = (u64::from(ka).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 54) as usize;
        b + (b >> 1) + spread
    }

    /// The wire already recorded for `kind(a, b)` (`kind` 0 or 1), or records
    /// `out` and returns it. Wires from 2^31 on are not hashed (two billion
    /// gates is far beyond any memory budget anyway).
    fn get_or_insert(&mut self, kind: u32, a: WireId, b: WireId, out: WireId) -> WireId {
        if (a | b) >> 31 != 0 {
            return out;
        }
        let ka = a | (kind << 31);
        let home = PairTable::home(ka, b);
        if home + MAX_PROBE >= self.slots.len() {
            self.grow(home + SPREAD + MAX_PROBE);
        }
        for s in &mut self.slots[home..home + MAX_PROBE] {
            if s[2] == NO_WIRE {
                *s = [ka, b, out];
                return out;
            }
            if s[0] == ka && s[1] == b {
                return s[2];
            }
        }
        *self.overflow.entry((ka, b)).or_insert(out)
    }

    fn grow(&mut self, at_least: usize) {
        let cap = (self.slots.len() + self.slots.len() / 2)
            .max(at_least + at_least / 4)
            .max(4096);
        let old = std::mem::replace(&mut self.slots, vec![[0, 0, NO_WIRE]; cap]);
        // Overflowed keys are placed again too: a window that was full may
        // not be after the move, and then the key must be found in it.
        let spilled = std::mem::take(&mut self.overflow)
            .into_iter()
            .map(|((ka, b), out)| [ka, b, out]);
        let mut spilled: Vec<[WireId; 3]> = spilled.collect();
        // Deterministic placement whatever the map's iteration order.
        spilled.sort_unstable();
        'entries: for s in old.into_iter().filter(|s| s[2] != NO_WIRE).chain(spilled) {
            let home = PairTable::home(s[0], s[1]);
            for slot in &mut self.slots[home..home + MAX_PROBE] {
                if slot[2] == NO_WIRE {
                    *slot = s;
                    continue 'entries;
                }
            }
            self.overflow.insert((s[0], s[1]), s[2]);
        }
    }
}

/// No known inverse.
const NO_WIRE: WireId = WireId::MAX;

/// Builds a [`Circuit`]. Every gate is simplified as it is made: constants are
/// folded (`x & false` is `false`, `x ^ true` is `!x`), trivial identities
/// apply (`x ^ x`, `x & x`, `x & !x`, `!!x`), and a gate identical to an earlier
/// one (same kind, same inputs in either order) returns the earlier wire. So
/// operations on public values cost nothing. [`Builder::finish`] removes gates
/// that no output depends on.
///
/// ```
/// use circuits::{Builder, Party, Type};
/// let mut b = Builder::new();
/// let x = b.input("x", Party::Garbler, Type::Bool)[0];
/// let y = b.input("y", Party::Evaluator, Type::Bool)[0];
/// let t = b.and(x, y);
/// let t2 = b.and(y, x); // the same gate: no new AND
/// let z = b.xor(t, t2); // always false
/// let o = b.or(t, z);
/// b.output("out", Type::Bool, &[o]);
/// let c = b.finish();
/// assert_eq!(c.and_count(), 1);
/// ```
#[derive(Default)]
pub struct Builder {
    /// Provisional wire ids: inputs and gate outputs interleaved in creation order.
    next: WireId,
    /// Input declarations with their provisional wires.
    inputs: Vec<(Input, Vec<WireId>)>,
    gates: Vec<Gate>,
    outputs: Vec<(String, Type, Option<Party>, Vec<WireId>)>,
    /// Structural hashing: `(min, max)` input pair of each XOR and AND gate
    /// to its output wire.
    strash: PairTable,
    /// `inverse[w]` is a wire known to hold `!w`, or `NO_WIRE`: indexed by
    /// provisional wire, so no hashing for NOT gates.
    inverse: Vec<WireId>,
    /// Source tags, one per gate, when recording (see [`Builder::record_tags`]).
    tags: Option<Vec<u32>>,
    /// The tag given to the gates made now.
    tag: u32,
}

impl Builder {
    /// The public constant `false`; use it like any wire.
    pub const FALSE: WireId = WireId::MAX;
    /// The public constant `true`; use it like any wire.
    pub const TRUE: WireId = WireId::MAX - 1;

    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// The constant wire for `v`.
    pub fn constant(v: bool) -> WireId {
        if v {
            Builder::TRUE
        } else {
            Builder::FALSE
        }
    }

    /// `Some(v)` if `w` is the public constant `v`.
    pub fn const_value(w: WireId) -> Option<bool> {
        match w {
            Builder::FALSE => Some(false),
            Builder::TRUE => Some(true),
            _ => None,
        }
    }

    /// Declares an input value of `party`; returns its wires, bit 0 first.
    /// Inputs become wires `0..n` of the circuit in declaration order.
    pub fn input(&mut self, name: &str, party: Party, ty: Type) -> Vec<WireId> {
        let width = ty.width() as u32;
        let wires: Vec<WireId> = (self.next..self.next + width).collect();
        self.next += width;
        self.inverse.resize(self.next as usize, NO_WIRE);
        let input = Input {
            name: name.to_string(),
            party,
            ty,
            first_wire: 0,
        };
        self.inputs.push((input, wires.clone()));
        wires
    }

    /// Starts recording a tag for every gate made from now on (a compiler
    /// gives the source position it is lowering), for
    /// [`Builder::finish_tagged`].
    pub fn record_tags(&mut self) {
        if self.tags.is_none() {
            self.tags = Some(vec![u32::MAX; self.gates.len()]);
        }
    }

    /// Sets the tag of the gates made from now on; returns the previous one.
    pub fn set_tag(&mut self, tag: u32) -> u32 {
        std::mem::replace(&mut self.tag, tag)
    }

    /// Number of gates made so far (before dead-gate removal).
    pub fn gate_count(&self) -> usize {
        self.gates.len()
    }

    /// Makes gate `kind(a, b)`, or returns the wire of an identical earlier gate.
    fn push(&mut self, kind: GateKind, a: WireId, b: WireId) -> WireId {
        let next = self.next;
        let tag = match kind {
            GateKind::Xor => 0,
            GateKind::And => 1,
            _ => return self.new_gate(kind, a, b),
        };
        let out = self.strash.get_or_insert(tag, a.min(b), a.max(b), next);
        if out == next {
            self.new_gate(kind, a, b)
        } else {
            out
        }
    }

    fn new_gate(&mut self, kind: GateKind, a: WireId, b: WireId) -> WireId {
        let out = self.next;
        self.next += 1;
        self.gates.push(Gate { kind, a, b, out });
        if let Some(t) = &mut self.tags {
            t.push(self.tag);
        }
        self.inverse.push(NO_WIRE);
        out
    }

    fn inverse_of(&self, w: WireId) -> WireId {
        self.inverse.get(w as usize).copied().unwrap_or(NO_WIRE)
    }

    /// `a ^ b` (free).
    pub fn xor(&mut self, a: WireId, b: WireId) -> WireId {
        match (Builder::const_value(a), Builder::const_value(b)) {
            (Some(x), Some(y)) => return Builder::constant(x ^ y),
            (Some(false), None) => return b,
            (None, Some(false)) => return a,
            (Some(true), None) => return self.not(b),
            (None, Some(true)) => return self.not(a),
            (None, None) => {}
        }
        if a == b {
            return Builder::FALSE;
        }
        if self.inverse_of(a) == b {
            return Builder::TRUE;
        }
        self.push(GateKind::Xor, a, b)
    }

    /// `!a` (free).
    pub fn not(&mut self, a: WireId) -> WireId {
        if let Some(v) = Builder::const_value(a) {
            return Builder::constant(!v);
        }
        let known = self.inverse_of(a);
        if known != NO_WIRE {
            return known;
        }
        let out = self.push(GateKind::Inv, a, a);
        if let Some(slot) = self.inverse.get_mut(a as usize) {
            *slot = out;
        }
        self.inverse[out as usize] = a;
        out
    }

    /// `a & b` (one AND gate unless folded).
    pub fn and(&mut self, a: WireId, b: WireId) -> WireId {
        match (Builder::const_value(a), Builder::const_value(b)) {
            (Some(x), Some(y)) => return Builder::constant(x & y),
            (Some(false), None) | (None, Some(false)) => return Builder::FALSE,
            (Some(true), None) => return b,
            (None, Some(true)) => return a,
            (None, None) => {}
        }
        if a == b {
            return a;
        }
        if self.inverse_of(a) == b {
            return Builder::FALSE;
        }
        self.push(GateKind::And, a, b)
    }

    /// `a | b` = `!(!a & !b)` (one AND).
    pub fn or(&mut self, a: WireId, b: WireId) -> WireId {
        let na = self.not(a);
        let nb = self.not(b);
        let t = self.and(na, nb);
        self.not(t)
    }

    /// `if s { t } else { f }` = `f ^ (s & (t ^ f))` (one AND).
    pub fn mux(&mut self, s: WireId, t: WireId, f: WireId) -> WireId {
        // A public select, or equal inputs, picks a wire without new gates
        // (the general form would leave `f ^ (t ^ f)`, a copy of `t` under
        // another name that structural hashing cannot see through).
        match Builder::const_value(s) {
            Some(true) => return t,
            Some(false) => return f,
            None if t == f => return t,
            None => {}
        }
        let d = self.xor(t, f);
        let m = self.and(s, d);
        self.xor(f, m)
    }

    /// Declares an output value made of `wires` (bit 0 first); outputs appear
    /// in declaration order.
    pub fn output(&mut self, name: &str, ty: Type, wires: &[WireId]) {
        self.output_to(name, ty, None, wires);
    }

    /// Declares an output value that only `party` learns (`None`: both).
    pub fn output_to(&mut self, name: &str, ty: Type, party: Option<Party>, wires: &[WireId]) {
        self.outputs
            .push((name.to_string(), ty, party, wires.to_vec()));
    }

    /// The finished circuit: inputs on wires `0..n` in declaration order, gates
    /// that no output needs removed, one wire per remaining gate.
    pub fn finish(self) -> Circuit {
        self.finish_tagged().0
    }

    /// [`Builder::finish`], with the tag of each gate of the circuit (in
    /// order; `u32::MAX` for gates made before recording started and for
    /// constants of outputs). Empty when tags were not recorded.
    pub fn finish_tagged(self) -> (Circuit, Vec<u32>) {
        let Builder {
            next,
            inputs,
            gates,
            outputs,
            strash,
            inverse,
            tags,
            tag: _,
        } = self;
        let recording = tags.is_some();
        let tags = tags.unwrap_or_default();
        let mut out_tags = Vec::new();
        // The hashing table is the bulk of the memory: free it first.
        drop((strash, inverse));
        // Backward pass: which provisional wires does an output need?
        let mut needed = vec![false; next as usize];
        for (_, _, _, ws) in &outputs {
            for &w in ws {
                if Builder::const_value(w).is_none() {
                    needed[w as usize] = true;
                }
            }
        }
        for g in gates.iter().rev() {
            if needed[g.out as usize] {
                needed[g.a as usize] = true;
                needed[g.b as usize] = true;
            }
        }
        let mut map = vec![WireId::MAX; next as usize];
        let mut n: WireId = 0;
        let mut circuit_inputs = Vec::with_capacity(inputs.len());
        for (mut input, ws) in inputs {
            input.first_wire = n;
            for w in ws {
                map[w as usize] = n;
                n += 1;
            }
            circuit_inputs.push(input);
        }
        let mut out_gates = Vec::with_capacity(gates.len());
        for (k, g) in gates.into_iter().enumerate() {
            if needed[g.out as usize] {
                if recording {
                    out_tags.push(tags.get(k).copied().unwrap_or(u32::MAX));
                }
                map[g.out as usize] = n;
                out_gates.push(Gate {
                    kind: g.kind,
                    a: map[g.a as usize],
                    b: map[g.b as usize],
                    out: n,
                });
                n += 1;
            }
        }
        let mut const_wire = [None, None];
        let mut output_wires = Vec::new();
        let mut circuit_outputs = Vec::with_capacity(outputs.len());
        for (name, ty, party, ws) in outputs {
            circuit_outputs.push(Output {
                name,
                ty,
                party,
                first_bit: output_wires.len(),
            });
            for w in ws {
                let wire = match Builder::const_value(w) {
                    Some(v) => *const_wire[v as usize].get_or_insert_with(|| {
                        out_gates.push(Gate::constant(v, n));
                        if recording {
                            out_tags.push(u32::MAX);
                        }
                        n += 1;
                        n - 1
                    }),
                    None => map[w as usize],
                };
                output_wires.push(wire);
            }
        }
        let c = Circuit {
            num_wires: n,
            inputs: circuit_inputs,
            outputs: circuit_outputs,
            gates: out_gates,
            output_wires,
        };
        (c, out_tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structural_hashing_survives_table_growth() {
        let mut b = Builder::new();
        let x = b.input("x", Party::Garbler, Type::Unsigned(64));
        let mut made = Vec::new();
        let mut w = x[0];
        for i in 0..200_000 {
            let y = x[1 + i % 63];
            let a = b.and(w, y);
            let o = b.xor(a, y);
            made.push((w, y, a, o));
            w = o;
        }
        let count = b.gate_count();
        // Every gate again, far apart in time and with operands swapped: no new gate.
        for &(w, y, a, o) in made.iter().rev() {
            assert_eq!(b.and(y, w), a);
            assert_eq!(b.xor(y, a), o);
        }
        assert_eq!(b.gate_count(), count);
        // Same inputs, other kind: a new gate.
        let (w0, y0, a0, _) = made[0];
        let x0 = b.xor(w0, y0);
        assert_ne!(x0, a0);
        assert_eq!(b.gate_count(), count + 1);
        // Many gates sharing one input (a multiplier row) stay distinct and found.
        let s = b.not(x[5]);
        let row: Vec<WireId> = made
            .iter()
            .take(5000)
            .map(|&(_, _, a, _)| b.and(s, a))
            .collect();
        let again: Vec<WireId> = made
            .iter()
            .take(5000)
            .map(|&(_, _, a, _)| b.and(a, s))
            .collect();
        assert_eq!(row, again);
        let mut sorted = row.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), row.len());
    }
}
