//! An evaluation session: the garbler's hash key and the tweak counter that
//! follows the garbler's.

use crate::{EngineError, Evaluation};
use crypto::{HalfGateHash, HashKey, Label, Schedule, Scheme, SlotPool, TweakCounter};

/// The evaluator's state for one session (one connection, one garbler): the
/// hash under the garbler's session key, and the hash-tweak counter, which
/// moves on by two per AND gate evaluated (three with three-halves) exactly as the garbler's does, so
/// both use the same tweaks for every gate as long as they run the same
/// circuits in the same order.
#[derive(Debug)]
pub struct EvaluatorSession {
    tweaks: TweakCounter,
    hash: HalfGateHash,
    pool: SlotPool,
    scheme: Scheme,
}

impl EvaluatorSession {
    /// A session hashing under `hash_key`, the key the garbler drew for its
    /// session and sent in the handshake, with the tweak counter at zero like
    /// a new garbler's. The AES key schedule is computed here, once.
    pub fn new(hash_key: HashKey) -> EvaluatorSession {
        EvaluatorSession::with_scheme(hash_key, Scheme::HalfGates)
    }

    /// A session like [`EvaluatorSession::new`] evaluating circuits garbled
    /// with `scheme`, the scheme agreed with the garbler in the handshake.
    pub fn with_scheme(hash_key: HashKey, scheme: Scheme) -> EvaluatorSession {
        EvaluatorSession {
            tweaks: TweakCounter::new(),
            hash: HalfGateHash::new(hash_key),
            pool: SlotPool::new(),
            scheme,
        }
    }

    /// The session's garbling scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The key this session hashes under.
    pub fn hash_key(&self) -> HashKey {
        self.hash.key()
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
    ) -> Result<Evaluation<'a>, EngineError> {
        let expected = schedule.garbler_inputs().len();
        if garbler_labels.len() != expected {
            return Err(EngineError::GarblerLabels {
                expected,
                got: garbler_labels.len(),
            });
        }
        let expected = schedule.evaluator_inputs().len();
        if evaluator_labels.len() != expected {
            return Err(EngineError::EvaluatorLabels {
                expected,
                got: evaluator_labels.len(),
            });
        }
        let first_tweak = self
            .tweaks
            .reserve_for(self.scheme, schedule.and_count() as u64)?;
        self.evaluate_reserved(schedule, first_tweak, garbler_labels, evaluator_labels)
    }

    /// Reserves the tweaks of one run of a circuit of `and_gates` AND
    /// gates, in the order the garbler garbled it: for a circuit garbled
    /// ahead, whose tables arrive before its inputs and other runs may be
    /// evaluated in between. Returns the first tweak, for
    /// [`EvaluatorSession::evaluate_reserved`].
    pub fn reserve(&mut self, and_gates: usize) -> Result<u64, EngineError> {
        Ok(self.tweaks.reserve_for(self.scheme, and_gates as u64)?)
    }

    /// Like [`EvaluatorSession::evaluate`], with tweaks reserved earlier by
    /// [`EvaluatorSession::reserve`] (from `first_tweak` on).
    pub fn evaluate_reserved<'a>(
        &self,
        schedule: &'a Schedule,
        first_tweak: u64,
        garbler_labels: &[Label],
        evaluator_labels: &[Label],
    ) -> Result<Evaluation<'a>, EngineError> {
        let expected = schedule.garbler_inputs().len();
        if garbler_labels.len() != expected {
            return Err(EngineError::GarblerLabels {
                expected,
                got: garbler_labels.len(),
            });
        }
        let expected = schedule.evaluator_inputs().len();
        if evaluator_labels.len() != expected {
            return Err(EngineError::EvaluatorLabels {
                expected,
                got: evaluator_labels.len(),
            });
        }
        Ok(Evaluation::new(
            schedule,
            self.scheme,
            self.hash.clone(),
            first_tweak,
            self.pool.clone(),
            garbler_labels,
            evaluator_labels,
        ))
    }
}
