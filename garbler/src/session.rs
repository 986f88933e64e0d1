//! A garbling session: Delta, the tweak counter and the label generator that
//! persist across every circuit garbled on one connection.

use crate::{GarbleError, Garbling};
use crypto::{Delta, HalfGateHash, Prg, Schedule, SlotPool, TweakCounter};

/// The garbler's state for one session (one connection, one evaluator).
///
/// Delta stays fixed for the session (the OT correlation is built on it);
/// the tweak counter moves on by two per AND gate garbled, so no hash tweak
/// repeats across the circuits of the session; garbler input labels come
/// fresh from a PRG seeded by the OS CSPRNG for every run.
#[derive(Debug)]
pub struct GarblerSession {
    pub(crate) delta: Delta,
    tweaks: TweakCounter,
    pub(crate) prg: Prg,
    pub(crate) hash: HalfGateHash,
    pub(crate) pool: SlotPool,
}

impl GarblerSession {
    /// A session with a fresh random Delta.
    pub fn new() -> GarblerSession {
        GarblerSession::with_delta(Delta::random())
    }

    /// A session with a Delta fixed elsewhere (the base-OT choice bits that
    /// make the evaluator's OT labels correlated by Delta).
    pub fn with_delta(delta: Delta) -> GarblerSession {
        GarblerSession {
            delta,
            tweaks: TweakCounter::new(),
            prg: Prg::new(),
            hash: HalfGateHash::new(),
            pool: SlotPool::new(),
        }
    }

    /// The session's Delta (secret: never send or log it).
    pub fn delta(&self) -> &Delta {
        &self.delta
    }

    /// The first tweak the next run will use. The evaluator's session must
    /// show the same value before each run.
    pub fn next_tweak(&self) -> u64 {
        self.tweaks.next()
    }

    /// Starts garbling one run of `schedule`.
    ///
    /// `garbler_bits` are the garbler's own input bits in wire order;
    /// `evaluator_zero_labels` are the 0-labels of the evaluator's input
    /// wires in wire order, as the correlated OT produced them (so the 1-label
    /// of each is the 0-label XOR Delta). Reserves the run's tweaks.
    pub fn garble<'a>(
        &mut self,
        schedule: &'a Schedule,
        garbler_bits: &[bool],
        evaluator_zero_labels: &[crypto::Label],
    ) -> Result<Garbling<'a>, GarbleError> {
        let expected = schedule.garbler_inputs().len();
        if garbler_bits.len() != expected {
            return Err(GarbleError::GarblerInputs {
                expected,
                got: garbler_bits.len(),
            });
        }
        let expected = schedule.evaluator_inputs().len();
        if evaluator_zero_labels.len() != expected {
            return Err(GarbleError::EvaluatorLabels {
                expected,
                got: evaluator_zero_labels.len(),
            });
        }
        let first_tweak = self.tweaks.reserve(schedule.and_count() as u64)?;
        Ok(Garbling::new(
            schedule,
            self,
            first_tweak,
            garbler_bits,
            evaluator_zero_labels,
        ))
    }
}

impl Default for GarblerSession {
    fn default() -> GarblerSession {
        GarblerSession::new()
    }
}
