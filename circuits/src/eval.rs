//! Plaintext evaluation: the reference oracle for every other test.
//!
//! [`Circuit::eval_sliced`] runs 64 independent inputs at once, one per bit of a
//! `u64` (bit-slicing), so a gate costs one machine instruction for 64 runs.

use crate::{Circuit, CircuitError, GateKind};

impl Circuit {
    /// Evaluates 64 inputs at once: `inputs[w]` holds input wire `w` of run `j` in
    /// bit `j`. Returns one word per output wire, in the same layout.
    pub fn eval_sliced(&self, inputs: &[u64]) -> Result<Vec<u64>, CircuitError> {
        let n = self.num_inputs() as usize;
        if inputs.len() != n {
            return Err(CircuitError::Invalid(format!(
                "the circuit takes {n} input bits, {} given",
                inputs.len()
            )));
        }
        self.check_wire_range()?;
        let mut w = vec![0u64; self.num_wires as usize];
        w[..n].copy_from_slice(inputs);
        for g in &self.gates {
            let v = match g.kind {
                GateKind::Xor => w[g.a as usize] ^ w[g.b as usize],
                GateKind::And => w[g.a as usize] & w[g.b as usize],
                GateKind::Inv => !w[g.a as usize],
                GateKind::ConstFalse => 0,
                GateKind::ConstTrue => u64::MAX,
            };
            w[g.out as usize] = v;
        }
        Ok(self.output_wires.iter().map(|&o| w[o as usize]).collect())
    }

    /// Evaluates one input: bit `w` of `inputs` is input wire `w`. Returns the
    /// output bits in order.
    pub fn eval_bits(&self, inputs: &[bool]) -> Result<Vec<bool>, CircuitError> {
        let words: Vec<u64> = inputs.iter().map(|&b| b as u64).collect();
        Ok(self
            .eval_sliced(&words)?
            .into_iter()
            .map(|x| x & 1 == 1)
            .collect())
    }

    /// Every wire id in range, so evaluation cannot index out of bounds.
    fn check_wire_range(&self) -> Result<(), CircuitError> {
        let max = self
            .gates
            .iter()
            .map(|g| g.a.max(g.b).max(g.out))
            .chain(self.output_wires.iter().copied())
            .max();
        match max {
            Some(m) if m >= self.num_wires => Err(CircuitError::Invalid(format!(
                "wire {m} is beyond the circuit's {} wires",
                self.num_wires
            ))),
            _ => Ok(()),
        }
    }
}
