//! The circuit: wires, gates in topological order, and typed inputs/outputs.

use crate::error::CircuitError;
use crate::types::Type;

/// Index of a wire in a [`Circuit`]. Wires `0..num_inputs` are the input bits.
pub type WireId = u32;

/// What a gate computes. XOR and INV are free under free-XOR garbling; AND
/// costs two ciphertexts. `Const` sets a wire to a public constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GateKind {
    /// `out = a ^ b`
    Xor,
    /// `out = a & b`
    And,
    /// `out = !a` (`b` is unused and equals `a`)
    Inv,
    /// `out = false` (`a` and `b` are unused and 0)
    ConstFalse,
    /// `out = true` (`a` and `b` are unused and 0)
    ConstTrue,
}

/// One gate: 16 bytes, so ten million gates fit in 160 MB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gate {
    /// What the gate computes.
    pub kind: GateKind,
    /// First input wire.
    pub a: WireId,
    /// Second input wire (equal to `a` for one-input gates).
    pub b: WireId,
    /// Output wire.
    pub out: WireId,
}

impl Gate {
    /// `out = a ^ b`.
    pub fn xor(a: WireId, b: WireId, out: WireId) -> Gate {
        Gate {
            kind: GateKind::Xor,
            a,
            b,
            out,
        }
    }
    /// `out = a & b`.
    pub fn and(a: WireId, b: WireId, out: WireId) -> Gate {
        Gate {
            kind: GateKind::And,
            a,
            b,
            out,
        }
    }
    /// `out = !a`.
    pub fn inv(a: WireId, out: WireId) -> Gate {
        Gate {
            kind: GateKind::Inv,
            a,
            b: a,
            out,
        }
    }
    /// `out = value`.
    pub fn constant(value: bool, out: WireId) -> Gate {
        let kind = if value {
            GateKind::ConstTrue
        } else {
            GateKind::ConstFalse
        };
        Gate {
            kind,
            a: 0,
            b: 0,
            out,
        }
    }
    /// The wires this gate reads (none for constants).
    pub fn inputs(&self) -> &'static [usize] {
        match self.kind {
            GateKind::Xor | GateKind::And => &[0, 1],
            GateKind::Inv => &[0],
            GateKind::ConstFalse | GateKind::ConstTrue => &[],
        }
    }
    /// Wire read by input `i` of [`Gate::inputs`].
    pub fn input(&self, i: usize) -> WireId {
        if i == 0 {
            self.a
        } else {
            self.b
        }
    }
}

/// Which party provides an input. Encoded with bincode in compiled
/// circuits and the handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, bincode::Encode, bincode::Decode)]
pub enum Party {
    /// The party that garbles the circuit.
    Garbler,
    /// The party that evaluates the garbled circuit.
    Evaluator,
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Party::Garbler => "garbler",
            Party::Evaluator => "evaluator",
        })
    }
}

/// A named, typed input value: `width` consecutive input wires starting at `first_wire`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Parameter name (`a`, or `input 1` for Bristol files).
    pub name: String,
    /// Who provides it.
    pub party: Party,
    /// Its type; its bit layout is [`Type::width`] bits.
    pub ty: Type,
    /// First input wire of this value; bit `i` of the value is wire `first_wire + i`.
    pub first_wire: WireId,
}

/// A named, typed output value: `ty.width()` consecutive entries of [`Circuit::output_wires`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Name (`result`, or `output 1` for Bristol files).
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Who learns it: one party, or both (`None`), as the program's return
    /// type says (`-> evaluator u32`, `-> (u8, garbler bool)`).
    pub party: Option<Party>,
    /// Index into [`Circuit::output_wires`] of bit 0.
    pub first_bit: usize,
}

/// A Boolean circuit. Gates are in topological order: every wire a gate reads is
/// an input wire or was written by an earlier gate. Wire ids may be reused
/// once dead (see [`Circuit::compact`]), so `num_wires` bounds the memory an
/// evaluator needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Circuit {
    /// Number of wire slots (inputs included).
    pub num_wires: u32,
    /// Input values, in parameter order. Their wires are `0..num_inputs()` in order.
    pub inputs: Vec<Input>,
    /// Output values, in order.
    pub outputs: Vec<Output>,
    /// The gates, in topological order.
    pub gates: Vec<Gate>,
    /// The wire holding each output bit, value by value.
    pub output_wires: Vec<WireId>,
}

impl Circuit {
    /// Total number of input bits.
    pub fn num_inputs(&self) -> u32 {
        self.inputs.iter().map(|i| i.ty.width()).sum::<usize>() as u32
    }

    /// Number of input bits provided by `party`.
    pub fn party_input_bits(&self, party: Party) -> usize {
        self.inputs
            .iter()
            .filter(|i| i.party == party)
            .map(|i| i.ty.width())
            .sum()
    }

    /// Number of AND gates.
    pub fn and_count(&self) -> usize {
        self.gates
            .iter()
            .filter(|g| g.kind == GateKind::And)
            .count()
    }

    /// Checks the invariants every consumer relies on: input groups laid out
    /// consecutively from wire 0, wire ids in range, every wire written before
    /// it is read, outputs written, output groups covering `output_wires`.
    pub fn validate(&self) -> Result<(), CircuitError> {
        let mut next = 0u64;
        for input in &self.inputs {
            if u64::from(input.first_wire) != next {
                return Err(CircuitError::Invalid(format!(
                    "input `{}` starts at wire {} but should start at wire {next}",
                    input.name, input.first_wire
                )));
            }
            next += input.ty.width() as u64;
        }
        if next > u64::from(self.num_wires) {
            return Err(CircuitError::Invalid(format!(
                "{next} input bits do not fit in {} wires",
                self.num_wires
            )));
        }
        let mut set = vec![false; self.num_wires as usize];
        set[..next as usize].iter_mut().for_each(|s| *s = true);
        for (i, g) in self.gates.iter().enumerate() {
            for &k in g.inputs() {
                let w = g.input(k);
                if w >= self.num_wires {
                    return Err(CircuitError::Invalid(format!(
                        "gate {i} reads wire {w}, beyond the {} wires",
                        self.num_wires
                    )));
                }
                if !set[w as usize] {
                    return Err(CircuitError::Invalid(format!(
                        "gate {i} reads wire {w} before it is set"
                    )));
                }
            }
            if g.out >= self.num_wires {
                return Err(CircuitError::Invalid(format!(
                    "gate {i} writes wire {}, beyond the {} wires",
                    g.out, self.num_wires
                )));
            }
            set[g.out as usize] = true;
        }
        for &w in &self.output_wires {
            if w >= self.num_wires || !set[w as usize] {
                return Err(CircuitError::Invalid(format!(
                    "output wire {w} is never set"
                )));
            }
        }
        let mut bit = 0usize;
        for out in &self.outputs {
            if out.first_bit != bit {
                return Err(CircuitError::Invalid(format!(
                    "output `{}` starts at bit {} but should start at bit {bit}",
                    out.name, out.first_bit
                )));
            }
            bit += out.ty.width();
        }
        if bit != self.output_wires.len() {
            return Err(CircuitError::Invalid(format!(
                "outputs cover {bit} bits but the circuit has {} output wires",
                self.output_wires.len()
            )));
        }
        Ok(())
    }

    /// A blake3 digest of the whole circuit: gates, wires and the typed
    /// input/output layout. Two parties with equal digests run the same function
    /// with the same interface.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(b"mpcc circuit v1");
        h.update(&self.num_wires.to_le_bytes());
        h.update(&(self.inputs.len() as u64).to_le_bytes());
        for i in &self.inputs {
            hash_str(&mut h, &i.name);
            h.update(&[matches!(i.party, Party::Evaluator) as u8]);
            hash_str(&mut h, &i.ty.to_string());
            h.update(&i.first_wire.to_le_bytes());
        }
        h.update(&(self.outputs.len() as u64).to_le_bytes());
        for o in &self.outputs {
            hash_str(&mut h, &o.name);
            hash_str(&mut h, &o.ty.to_string());
            h.update(&(o.first_bit as u64).to_le_bytes());
        }
        h.update(&(self.output_wires.len() as u64).to_le_bytes());
        for w in &self.output_wires {
            h.update(&w.to_le_bytes());
        }
        h.update(&(self.gates.len() as u64).to_le_bytes());
        // Gates are hashed in large slices: blake3 is several times faster
        // on long inputs than on one 13-byte update per gate.
        let mut buf = Vec::with_capacity(13 * 4096);
        for chunk in self.gates.chunks(4096) {
            buf.clear();
            for g in chunk {
                buf.push(g.kind as u8);
                buf.extend_from_slice(&g.a.to_le_bytes());
                buf.extend_from_slice(&g.b.to_le_bytes());
                buf.extend_from_slice(&g.out.to_le_bytes());
            }
            h.update(&buf);
        }
        // Who learns each output, when a program says so (absent otherwise,
        // so the digests of circuits without parties do not change).
        if self.outputs.iter().any(|o| o.party.is_some()) {
            h.update(b"output parties");
            for o in &self.outputs {
                h.update(&[match o.party {
                    None => 0,
                    Some(Party::Garbler) => 1,
                    Some(Party::Evaluator) => 2,
                }]);
            }
        }
        *h.finalize().as_bytes()
    }

    /// Indices into [`Circuit::output_wires`] of the bits `party` learns:
    /// those of the outputs revealed to it or to both, in order. Bristol
    /// circuits and untagged outputs reveal every bit to both parties.
    pub fn output_bits_of(&self, party: Party) -> Vec<usize> {
        self.outputs
            .iter()
            .filter(|o| o.party.is_none_or(|p| p == party))
            .flat_map(|o| o.first_bit..o.first_bit + o.ty.width())
            .collect()
    }

    /// `k` independent copies of this circuit side by side, as one circuit:
    /// the inputs of copy 0, then those of copy 1, and so on (so each
    /// party's input bits come copy after copy), and likewise the outputs.
    /// The copies' AND gates of equal depth are independent of each other,
    /// which is what lets a garbler hash `k` gates at once where one copy
    /// would offer one (a comparator is a chain of single AND gates).
    ///
    /// Returns `None` if the copies would need more than `u32::MAX` wires.
    pub fn side_by_side(&self, k: usize) -> Option<Circuit> {
        let n_in = self.num_inputs();
        let inner = self.num_wires - n_in;
        let num_wires = u32::try_from(k)
            .ok()?
            .checked_mul(self.num_wires)
            .filter(|&n| n < u32::MAX)?;
        let k32 = k as u32;
        // Wire `w` of copy `i`: inputs first, copy after copy, then the
        // other wires of each copy.
        let map = |i: u32, w: WireId| {
            if w < n_in {
                i * n_in + w
            } else {
                k32 * n_in + i * inner + (w - n_in)
            }
        };
        let mut inputs = Vec::with_capacity(k * self.inputs.len());
        let mut outputs = Vec::with_capacity(k * self.outputs.len());
        let mut gates = Vec::with_capacity(k * self.gates.len());
        let mut output_wires = Vec::with_capacity(k * self.output_wires.len());
        for i in 0..k32 {
            inputs.extend(self.inputs.iter().map(|x| Input {
                name: format!("{} (copy {i})", x.name),
                party: x.party,
                ty: x.ty.clone(),
                first_wire: map(i, x.first_wire),
            }));
            outputs.extend(self.outputs.iter().map(|o| Output {
                name: format!("{} (copy {i})", o.name),
                ty: o.ty.clone(),
                party: o.party,
                first_bit: i as usize * self.output_wires.len() + o.first_bit,
            }));
            output_wires.extend(self.output_wires.iter().map(|&w| map(i, w)));
        }
        // Gate by gate, each gate in every copy: the copies of a gate stay
        // close in the order, so a schedule that reorders the gates segment
        // by segment sees all copies of a level together.
        for g in &self.gates {
            gates.extend((0..k32).map(|i| match g.kind {
                GateKind::ConstFalse | GateKind::ConstTrue => Gate {
                    out: map(i, g.out),
                    ..*g
                },
                _ => Gate {
                    kind: g.kind,
                    a: map(i, g.a),
                    b: map(i, g.b),
                    out: map(i, g.out),
                },
            }));
        }
        Some(Circuit {
            num_wires,
            inputs,
            outputs,
            gates,
            output_wires,
        })
    }
}

fn hash_str(h: &mut blake3::Hasher, s: &str) {
    h.update(&(s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}
