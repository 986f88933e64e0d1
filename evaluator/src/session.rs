//! An evaluation session: the tweak counter that follows the garbler's.

use crate::{EvalError, Evaluation};
use crypto::{HalfGateHash, Label, Schedule, SlotPool, TweakCounter};

/// The evaluator's state for one session (one connection, one garbler): the
/// hash-tweak counter, which moves on by two per AND gate evaluated exactly
/// as the garbler's does, so both use the same tweaks for every gate as long
/// as they run the same circuits in the same order.
#[derive(Debug, Default)]
pub struct EvaluatorSession {
    tweaks: TweakCounter,
    hash: HalfGateHash,
    pool: SlotPool,
}

impl EvaluatorSession {
    /// A session whose tweak counter starts at zero, like a new garbler's.
    pub fn new() -> EvaluatorSession {
        EvaluatorSession {
            tweaks: TweakCounter::new(),
            hash: HalfGateHash::new(),
            pool: SlotPool::new(),
        }
    }

    /// A session whose counter starts at `next_tweak`: for re-evaluating a
    /// run whose tables were kept (benchmarks), or resuming a session.
    pub fn with_next_tweak(next_tweak: u64) -> EvaluatorSession {
        let tweaks = TweakCounter::starting_at(next_tweak);
        EvaluatorSession {
            tweaks,
            hash: HalfGateHash::new(),
            pool: SlotPool::new(),
        }
    }

    /// The first tweak the next run will use; equal to the garbler's
    /// `next_tweak` when the sessions are in step.
    pub fn next_tweak(&self) -> u64 {
        self.tweaks.next()
    }

    /// Starts evaluating one run of `schedule` with the garbler's input
    /// labels (as received) and the evaluator's own input labels (from OT),
    /// each in wire order. Reserves the run's tweaks.
    pub fn evaluate<'a>(
        &mut self,
        schedule: &'a Schedule,
        garbler_labels: &[Label],
        evaluator_labels: &[Label],
    ) -> Result<Evaluation<'a>, EvalError> {
        let expected = schedule.garbler_inputs().len();
        if garbler_labels.len() != expected {
            return Err(EvalError::GarblerLabels {
                expected,
                got: garbler_labels.len(),
            });
        }
        let expected = schedule.evaluator_inputs().len();
        if evaluator_labels.len() != expected {
            return Err(EvalError::EvaluatorLabels {
                expected,
                got: evaluator_labels.len(),
            });
        }
        let first_tweak = self.tweaks.reserve(schedule.and_count() as u64)?;
        Ok(Evaluation::new(
            schedule,
            self.hash.clone(),
            first_tweak,
            self.pool.clone(),
            garbler_labels,
            evaluator_labels,
        ))
    }
}
