//! A circuit made ready for sessions: its schedule and handshake summary,
//! computed once and shared by every session that runs it.

use crate::Summary;
use circuits::Circuit;
use crypto::{CryptoError, Schedule};
use std::sync::{Arc, OnceLock};

/// Average AND gates per depth level that a batch of computations should
/// offer the hash: below it, the AES pipeline waits on each gate's latency.
const WANT_LEVEL_WIDTH: usize = 128;

/// Most wires and gates, all copies together, of a side-by-side circuit: it
/// stays within one reordering segment of the schedule and its messages
/// (16-byte labels per garbler input bit) stay small.
const MAX_COPIES_SIZE: usize = 1 << 17;

/// Most copies of a circuit garbled side by side.
const MAX_COPIES: usize = 256;

/// A circuit with its garbling schedule and handshake summary. Building the
/// schedule and the digest costs milliseconds for large circuits, so a
/// service or backend prepares a circuit once; clones are cheap.
///
/// A narrow circuit (few AND gates per depth level, like a comparator, a
/// chain of single AND gates) is also run in groups: a batch of
/// computations is garbled as copies side by side
/// ([`Circuit::side_by_side`]), so that each level hashes as many gates as
/// there are copies. Both parties derive the same groups from the same
/// circuit ([`Prepared::groups`]).
#[derive(Clone)]
pub struct Prepared {
    /// The circuit.
    pub circuit: Arc<Circuit>,
    /// Its batched garbling schedule.
    pub schedule: Arc<Schedule>,
    /// What the handshake states about it.
    pub summary: Arc<Summary>,
    copies: Arc<Copies>,
    /// The circuit with the parties' inputs swapped, prepared on first use.
    swapped: Arc<OnceLock<Result<Prepared, String>>>,
}

/// The group sizes of a circuit (powers of two, largest first, down to 2)
/// and their schedules, built on first use.
struct Copies {
    sizes: Vec<usize>,
    schedules: Vec<OnceLock<Result<Arc<Schedule>, String>>>,
}

impl Prepared {
    /// Prepares `circuit` (checks it, builds its schedule and digest).
    pub fn new(circuit: Circuit) -> Result<Prepared, CryptoError> {
        let schedule = Schedule::new(&circuit)?;
        let summary = Summary::of(&circuit);
        let sizes = group_sizes(&circuit);
        let copies = Copies {
            schedules: sizes.iter().map(|_| OnceLock::new()).collect(),
            sizes,
        };
        Ok(Prepared {
            circuit: Arc::new(circuit),
            schedule: Arc::new(schedule),
            summary: Arc::new(summary),
            copies: Arc::new(copies),
            swapped: Arc::new(OnceLock::new()),
        })
    }

    /// How `count` computations in one request are run: a list of group
    /// sizes summing to `count`, each group garbled as one circuit of that
    /// many copies side by side (1: the circuit alone). Largest groups first.
    pub fn groups(&self, count: usize) -> Vec<usize> {
        let mut left = count;
        let mut out = Vec::new();
        for &k in &self.copies.sizes {
            while left >= k {
                out.push(k);
                left -= k;
            }
        }
        out.extend(std::iter::repeat_n(1, left));
        out
    }

    /// The same circuit with the parties' inputs swapped (the garbler's
    /// parameters become the evaluator's and the other way round; gates and
    /// outputs unchanged), prepared once, on first use, and kept: what the
    /// evaluator side garbles in dual execution.
    pub fn swapped(&self) -> Result<Prepared, CryptoError> {
        self.swapped
            .get_or_init(|| {
                let mut c = (*self.circuit).clone();
                for i in &mut c.inputs {
                    i.party = match i.party {
                        circuits::Party::Garbler => circuits::Party::Evaluator,
                        circuits::Party::Evaluator => circuits::Party::Garbler,
                    };
                }
                Prepared::new(c).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(CryptoError::TooLarge)
    }

    /// The schedule of a group of `copies` computations (one of the sizes
    /// [`Prepared::groups`] returns). Built once, on first use.
    pub fn group_schedule(&self, copies: usize) -> Result<Arc<Schedule>, CryptoError> {
        if copies == 1 {
            return Ok(self.schedule.clone());
        }
        let i = self
            .copies
            .sizes
            .iter()
            .position(|&k| k == copies)
            .ok_or_else(|| CryptoError::TooLarge(format!("a group of {copies} copies")))?;
        self.copies.schedules[i]
            .get_or_init(|| {
                let wide = self
                    .circuit
                    .side_by_side(copies)
                    .ok_or_else(|| format!("{copies} copies of the circuit"))?;
                Schedule::new(&wide)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(CryptoError::TooLarge)
    }
}

/// Group sizes for `circuit`: none for a circuit whose levels are already
/// wide, else powers of two from the number of copies that fills a level
/// (within the size bound) down to 2.
fn group_sizes(circuit: &Circuit) -> Vec<usize> {
    let size = circuit.gates.len() + circuit.num_wires as usize;
    let fit = (MAX_COPIES_SIZE / size.max(1)).min(MAX_COPIES);
    // Too large for two copies: skip the pass over the circuit that the
    // depth takes (large circuits are where it costs).
    if fit < 2 {
        return Vec::new();
    }
    let ands = circuit.and_count();
    let depth = circuit.stats().and_depth as usize;
    let width = if depth == 0 { 1 } else { ands.div_ceil(depth) };
    let most = WANT_LEVEL_WIDTH.div_ceil(width.max(1)).min(fit);
    if most < 2 {
        return Vec::new();
    }
    let top = 1usize << most.ilog2();
    (1..=top.ilog2()).rev().map(|e| 1usize << e).collect()
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("gates", &self.circuit.gates.len())
            .field("and_gates", &self.schedule.and_count())
            .field("group_sizes", &self.copies.sizes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use circuits::{Builder, Party, Type};

    fn chain(bits: u32) -> Circuit {
        let mut b = Builder::new();
        let x = b.input("x", Party::Garbler, Type::Unsigned(bits));
        let y = b.input("y", Party::Evaluator, Type::Unsigned(bits));
        let mut acc = b.and(x[0], y[0]);
        for i in 1..bits as usize {
            let t = b.xor(x[i], y[i]);
            acc = b.and(acc, t);
        }
        b.output("r", Type::Bool, &[acc]);
        b.finish()
    }

    #[test]
    fn narrow_circuits_run_in_groups_that_sum_to_the_batch() {
        let p = Prepared::new(chain(64)).unwrap();
        assert_eq!(p.copies.sizes.first(), Some(&128));
        for count in [0, 1, 2, 3, 127, 128, 129, 10_000] {
            let g = p.groups(count);
            assert_eq!(g.iter().sum::<usize>(), count);
            assert!(g.windows(2).all(|w| w[0] >= w[1]));
            // At most one group of each size below the largest.
            let small: Vec<_> = g.iter().filter(|&&k| k < 128).collect();
            let mut dedup = small.clone();
            dedup.dedup();
            assert_eq!(small, dedup);
        }
        let s = p.group_schedule(4).unwrap();
        assert_eq!(s.and_count(), 4 * p.schedule.and_count());
        assert_eq!(s.evaluator_inputs().len(), 4 * 64);
        assert!(p.group_schedule(3).is_err());
    }

    #[test]
    fn wide_circuits_run_alone() {
        let mut b = Builder::new();
        let x = b.input("x", Party::Garbler, Type::Unsigned(256));
        let y = b.input("y", Party::Evaluator, Type::Unsigned(256));
        let z: Vec<_> = x.iter().zip(&y).map(|(&p, &q)| b.and(p, q)).collect();
        b.output("z", Type::Unsigned(256), &z);
        let p = Prepared::new(b.finish()).unwrap();
        assert_eq!(p.groups(5), vec![1; 5]);
    }
}
