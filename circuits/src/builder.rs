//! Building circuits gate by gate, with constant folding and structural hashing.

use crate::{Circuit, Gate, GateKind, Input, Output, Party, Type, WireId};
use std::collections::HashMap;

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
    outputs: Vec<(String, Type, Vec<WireId>)>,
    strash: HashMap<(GateKind, WireId, WireId), WireId>,
    /// `inverse[w]` is a wire known to hold `!w`.
    inverse: HashMap<WireId, WireId>,
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
        let input = Input { name: name.to_string(), party, ty, first_wire: 0 };
        self.inputs.push((input, wires.clone()));
        wires
    }

    /// Number of gates made so far (before dead-gate removal).
    pub fn gate_count(&self) -> usize {
        self.gates.len()
    }

    fn push(&mut self, kind: GateKind, a: WireId, b: WireId) -> WireId {
        let key = (kind, a.min(b), a.max(b));
        if let Some(&w) = self.strash.get(&key) {
            return w;
        }
        let out = self.next;
        self.next += 1;
        self.gates.push(Gate { kind, a, b, out });
        self.strash.insert(key, out);
        out
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
        if self.inverse.get(&a) == Some(&b) {
            return Builder::TRUE;
        }
        self.push(GateKind::Xor, a, b)
    }

    /// `!a` (free).
    pub fn not(&mut self, a: WireId) -> WireId {
        if let Some(v) = Builder::const_value(a) {
            return Builder::constant(!v);
        }
        if let Some(&w) = self.inverse.get(&a) {
            return w;
        }
        let out = self.push(GateKind::Inv, a, a);
        self.inverse.insert(a, out);
        self.inverse.insert(out, a);
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
        if self.inverse.get(&a) == Some(&b) {
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
        let d = self.xor(t, f);
        let m = self.and(s, d);
        self.xor(f, m)
    }

    /// Declares an output value made of `wires` (bit 0 first); outputs appear
    /// in declaration order.
    pub fn output(&mut self, name: &str, ty: Type, wires: &[WireId]) {
        self.outputs.push((name.to_string(), ty, wires.to_vec()));
    }

    /// The finished circuit: inputs on wires `0..n` in declaration order, gates
    /// that no output needs removed, one wire per remaining gate.
    pub fn finish(self) -> Circuit {
        let Builder { next, inputs, gates, outputs, .. } = self;
        // Backward pass: which provisional wires does an output need?
        let mut needed = vec![false; next as usize];
        for (_, _, ws) in &outputs {
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
        for g in gates {
            if needed[g.out as usize] {
                map[g.out as usize] = n;
                out_gates.push(Gate { kind: g.kind, a: map[g.a as usize], b: map[g.b as usize], out: n });
                n += 1;
            }
        }
        let mut const_wire = [None, None];
        let mut output_wires = Vec::new();
        let mut circuit_outputs = Vec::with_capacity(outputs.len());
        for (name, ty, ws) in outputs {
            circuit_outputs.push(Output { name, ty, first_bit: output_wires.len() });
            for w in ws {
                let wire = match Builder::const_value(w) {
                    Some(v) => *const_wire[v as usize].get_or_insert_with(|| {
                        out_gates.push(Gate::constant(v, n));
                        n += 1;
                        n - 1
                    }),
                    None => map[w as usize],
                };
                output_wires.push(wire);
            }
        }
        Circuit {
            num_wires: n,
            inputs: circuit_inputs,
            outputs: circuit_outputs,
            gates: out_gates,
            output_wires,
        }
    }
}
