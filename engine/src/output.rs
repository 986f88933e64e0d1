//! What the garbler keeps of a garbling's outputs: the 0-label of every
//! output wire and Delta, to hand the evaluator decoding bits for the
//! outputs it may read, and to check the labels the evaluator sends back
//! for the outputs the garbler learns.

use crate::EngineError;
use crypto::{Block, Label, OutputDecoding};
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

/// The output 0-labels of one garbling and its Delta, from
/// [`crate::Garbling::finish`]. Wiped when dropped; never printed.
///
/// An output wire is revealed to the evaluator by sending its decoding bit
/// ([`OutputCheck::decoding`]), and to the garbler by the evaluator sending
/// back its active label, which [`OutputCheck::verify`] decodes: the
/// evaluator cannot forge the other label of a wire without Delta, so a
/// label that is neither of the wire's two is proof of a cheating or broken
/// evaluator, not a value. A wire whose decoding bit is never sent stays
/// hidden from the evaluator: its label alone is a random string to it.
pub struct OutputCheck {
    zero: Vec<Block>,
    delta: Block,
}

impl OutputCheck {
    pub(crate) fn new(zero: Vec<Block>, delta: Block) -> OutputCheck {
        OutputCheck { zero, delta }
    }

    /// Output wires of the garbling, in `Circuit::output_wires` order.
    pub fn len(&self) -> usize {
        self.zero.len()
    }

    /// Whether the garbling has no output wires.
    pub fn is_empty(&self) -> bool {
        self.zero.is_empty()
    }

    /// The decoding bits (permute bit of the 0-label) of the output wires at
    /// `wires` (indices into the outputs, in the order given): what lets the
    /// evaluator read those wires and no other. Fails on an index out of
    /// range.
    pub fn decoding(&self, wires: &[usize]) -> Result<OutputDecoding, EngineError> {
        let bits = wires
            .iter()
            .map(|&w| self.zero.get(w).map(|z| z.lsb()))
            .collect::<Option<Vec<bool>>>()
            .ok_or(EngineError::OutputWires {
                outputs: self.zero.len(),
            })?;
        Ok(OutputDecoding::from_bits(bits))
    }

    /// A check of the output wires at `wires` alone (in the order given,
    /// renumbered from 0): what the garbler keeps while it waits for the
    /// evaluator's labels of those wires. Fails on an index out of range.
    pub fn keep(&self, wires: &[usize]) -> Result<OutputCheck, EngineError> {
        let zero = wires
            .iter()
            .map(|&w| self.zero.get(w).copied())
            .collect::<Option<Vec<Block>>>()
            .ok_or(EngineError::OutputWires {
                outputs: self.zero.len(),
            })?;
        Ok(OutputCheck::new(zero, self.delta))
    }

    /// The label of value `bit` on output wire `wire` (secret: never send
    /// it). Dual execution compares it, hashed, with the label the peer
    /// evaluated. `None` for a wire out of range.
    pub fn label(&self, wire: usize, bit: bool) -> Option<Label> {
        self.zero.get(wire).map(|&z| z ^ self.delta.select(bit))
    }

    /// The decoding bits of every output wire.
    pub fn decoding_all(&self) -> OutputDecoding {
        OutputDecoding::from_bits(self.zero.iter().map(|z| z.lsb()).collect())
    }

    /// Decodes the evaluator's active labels of the output wires at `wires`
    /// (one label per index, in the order given): a label equal to the
    /// wire's 0-label is `false`, one equal to the 0-label XOR Delta is
    /// `true`, and anything else fails with
    /// [`EngineError::OutputVerification`]. Every label is compared with
    /// both candidates in constant time, and the verdict is taken once all
    /// labels are compared, so the time taken does not depend on the labels.
    pub fn verify(&self, wires: &[usize], labels: &[Label]) -> Result<Vec<bool>, EngineError> {
        if wires.len() != labels.len() || wires.iter().any(|&w| w >= self.zero.len()) {
            return Err(EngineError::OutputWires {
                outputs: self.zero.len(),
            });
        }
        let mut valid = Choice::from(1);
        let mut bits = Vec::with_capacity(labels.len());
        for (&w, label) in wires.iter().zip(labels) {
            let mut got = label.to_bytes();
            let mut zero = self.zero[w].to_bytes();
            let mut one = (self.zero[w] ^ self.delta).to_bytes();
            let is_zero = got.ct_eq(&zero);
            let is_one = got.ct_eq(&one);
            valid &= is_zero | is_one;
            bits.push(bool::from(is_one));
            got.zeroize();
            zero.zeroize();
            one.zeroize();
        }
        if bool::from(valid) {
            Ok(bits)
        } else {
            Err(EngineError::OutputVerification)
        }
    }
}

impl Drop for OutputCheck {
    fn drop(&mut self) {
        self.zero.zeroize();
        self.delta.zeroize();
    }
}

impl std::fmt::Debug for OutputCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputCheck")
            .field("outputs", &self.zero.len())
            .field("labels", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(n: usize) -> OutputCheck {
        let delta = Block::random() | Block(1);
        OutputCheck::new((0..n).map(|_| Block::random()).collect(), delta)
    }

    #[test]
    fn verify_decodes_either_label_and_rejects_any_other() {
        let c = check(3);
        let labels = [c.zero[0], c.zero[1] ^ c.delta, c.zero[2] ^ c.delta];
        assert_eq!(
            c.verify(&[0, 1, 2], &labels).unwrap(),
            vec![false, true, true]
        );
        // A subset, in another order.
        assert_eq!(
            c.verify(&[2, 0], &[labels[2], labels[0]]).unwrap(),
            vec![true, false]
        );
        // A flipped bit, a label of another wire, a zero block.
        for bad in [labels[1] ^ Block(2), labels[0], Block::ZERO] {
            let e = c.verify(&[0, 1, 2], &[labels[0], bad, labels[2]]);
            let e = e.unwrap_err().to_string();
            assert!(e.contains("output verification failed"), "{e}");
        }
        assert!(c.verify(&[0, 3], &[labels[0], labels[0]]).is_err());
        assert!(c.verify(&[0], &[]).is_err());
    }

    #[test]
    fn decoding_reveals_the_chosen_wires_only() {
        let c = check(4);
        let d = c.decoding(&[1, 3]).unwrap();
        assert_eq!(d.bits(), &[c.zero[1].lsb(), c.zero[3].lsb()]);
        assert_eq!(c.decoding_all().bits().len(), 4);
        assert!(c.decoding(&[4]).is_err());
        assert!(!format!("{c:?}").contains(&format!("{:?}", c.zero[0])));
    }
}
