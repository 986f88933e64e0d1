//! Circuit statistics, liveness, dead-gate removal and wire compaction.

use crate::{Circuit, Gate, GateKind, WireId};
use std::fmt;

/// What a circuit costs: gate counts by kind, AND depth and wires.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Stats {
    /// AND gates (each costs 32 bytes garbled).
    pub and: usize,
    /// XOR gates (free).
    pub xor: usize,
    /// INV gates (free).
    pub inv: usize,
    /// Constant gates.
    pub constants: usize,
    /// Longest chain of AND gates from an input to an output.
    pub and_depth: u32,
    /// Wire slots of the circuit as stored.
    pub wires: u32,
    /// Most values alive at once while evaluating in order (inputs included):
    /// the label memory a streaming evaluator needs.
    pub peak_live_wires: usize,
    /// Input bits.
    pub input_bits: u32,
    /// Output bits.
    pub output_bits: usize,
}

impl fmt::Display for Stats {
    /// One `name: value` per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "and: {}", self.and)?;
        writeln!(f, "xor: {}", self.xor)?;
        writeln!(f, "inv: {}", self.inv)?;
        writeln!(f, "and_depth: {}", self.and_depth)?;
        writeln!(f, "wires: {}", self.wires)?;
        writeln!(f, "peak_live_wires: {}", self.peak_live_wires)?;
        writeln!(f, "constants: {}", self.constants)?;
        writeln!(f, "input_bits: {}", self.input_bits)?;
        write!(f, "output_bits: {}", self.output_bits)
    }
}

/// Per gate, from a backward pass: is its output ever used, and is each input
/// read the last read of that value.
struct Liveness {
    out_live: Vec<bool>,
    last_a: Vec<bool>,
    last_b: Vec<bool>,
    /// Input wires never read by a live gate nor output.
    dead_inputs: usize,
}

fn liveness(c: &Circuit) -> Liveness {
    let n = c.gates.len();
    let mut read_later = vec![false; c.num_wires as usize];
    for &w in &c.output_wires {
        read_later[w as usize] = true;
    }
    let (mut out_live, mut last_a, mut last_b) = (vec![false; n], vec![false; n], vec![false; n]);
    for (i, g) in c.gates.iter().enumerate().rev() {
        let live = std::mem::replace(&mut read_later[g.out as usize], false);
        out_live[i] = live;
        if !live {
            continue;
        }
        let ins = g.inputs();
        if !ins.is_empty() {
            last_a[i] = !read_later[g.a as usize];
            read_later[g.a as usize] = true;
        }
        if ins.len() == 2 {
            // `a == b` reads one value once.
            last_b[i] = g.b != g.a && !read_later[g.b as usize];
            read_later[g.b as usize] = true;
        }
    }
    let dead_inputs = (0..c.num_inputs() as usize)
        .filter(|&w| !read_later[w])
        .count();
    Liveness {
        out_live,
        last_a,
        last_b,
        dead_inputs,
    }
}

impl Circuit {
    /// Gate counts, AND depth, wires and peak live wires.
    pub fn stats(&self) -> Stats {
        let mut s = Stats {
            wires: self.num_wires,
            input_bits: self.num_inputs(),
            output_bits: self.output_wires.len(),
            ..Stats::default()
        };
        let mut depth = vec![0u32; self.num_wires as usize];
        for g in &self.gates {
            let d = match g.kind {
                GateKind::And => {
                    s.and += 1;
                    depth[g.a as usize].max(depth[g.b as usize]) + 1
                }
                GateKind::Xor => {
                    s.xor += 1;
                    depth[g.a as usize].max(depth[g.b as usize])
                }
                GateKind::Inv => {
                    s.inv += 1;
                    depth[g.a as usize]
                }
                GateKind::ConstFalse | GateKind::ConstTrue => {
                    s.constants += 1;
                    0
                }
            };
            depth[g.out as usize] = d;
        }
        s.and_depth = self
            .output_wires
            .iter()
            .map(|&w| depth[w as usize])
            .max()
            .unwrap_or(0);
        let l = liveness(self);
        let mut live = self.num_inputs() as usize - l.dead_inputs;
        let mut peak = live;
        for i in 0..self.gates.len() {
            if !l.out_live[i] {
                continue;
            }
            // The output may take the slot of an input read for the last time.
            live -= l.last_a[i] as usize + l.last_b[i] as usize;
            live += 1;
            peak = peak.max(live);
        }
        s.peak_live_wires = peak;
        s
    }

    /// The same function with dead gates removed and wire slots reused once
    /// their value is dead, so `num_wires` becomes the peak number of live
    /// values: the memory a streaming garbler or evaluator needs. Inputs keep
    /// wires `0..num_inputs()`.
    pub fn compact(&self) -> Circuit {
        let l = liveness(self);
        let n_in = self.num_inputs();
        let mut slot: Vec<WireId> = (0..self.num_wires).collect();
        let mut free: Vec<WireId> = Vec::new();
        let mut next = n_in;
        // Inputs nobody reads free their slot at once.
        let mut read = vec![false; n_in as usize];
        for (i, g) in self.gates.iter().enumerate() {
            if l.out_live[i] {
                for &k in g.inputs() {
                    if let Some(r) = read.get_mut(g.input(k) as usize) {
                        *r = true;
                    }
                }
            }
        }
        for &w in &self.output_wires {
            if let Some(r) = read.get_mut(w as usize) {
                *r = true;
            }
        }
        free.extend((0..n_in).filter(|&w| !read[w as usize]).rev());
        let mut gates = Vec::with_capacity(self.gates.len());
        for (i, g) in self.gates.iter().enumerate() {
            if !l.out_live[i] {
                continue;
            }
            let a = slot[g.a as usize];
            let b = slot[g.b as usize];
            if l.last_a[i] {
                free.push(a);
            }
            if l.last_b[i] {
                free.push(b);
            }
            let out = free.pop().unwrap_or_else(|| {
                next += 1;
                next - 1
            });
            slot[g.out as usize] = out;
            let (a, b) = if g.inputs().is_empty() {
                (0, 0)
            } else {
                (a, b)
            };
            gates.push(Gate {
                kind: g.kind,
                a,
                b,
                out,
            });
        }
        Circuit {
            num_wires: next,
            inputs: self.inputs.clone(),
            outputs: self.outputs.clone(),
            gates,
            output_wires: self
                .output_wires
                .iter()
                .map(|&w| slot[w as usize])
                .collect(),
        }
    }
}
