//! A garbling session: Delta, the hash key, the tweak counter and the label
//! generator that persist across every circuit garbled on one connection.

use crate::{EngineError, Garbling};
use crypto::{Delta, HalfGateHash, HashKey, Prg, Schedule, Scheme, SlotPool, TweakCounter};

/// The garbler's state for one session (one connection, one evaluator).
///
/// Delta and the hash key are drawn fresh from the OS CSPRNG when the session
/// starts and stay fixed for it (the OT correlation is built on Delta; the
/// evaluator hashes under the garbler's key). The tweak counter moves on by
/// two per AND gate garbled (three with three-halves), so no hash tweak repeats across the circuits of
/// the session; garbler input labels come fresh from a PRG seeded by the OS
/// CSPRNG for every run.
#[derive(Debug)]
pub struct GarblerSession {
    pub(crate) delta: Delta,
    tweaks: TweakCounter,
    pub(crate) prg: Prg,
    pub(crate) hash: HalfGateHash,
    pub(crate) pool: SlotPool,
    pub(crate) scheme: Scheme,
}

impl GarblerSession {
    /// A half-gates session with a fresh random Delta and a fresh random
    /// hash key.
    pub fn new() -> GarblerSession {
        GarblerSession::with_scheme(Scheme::HalfGates)
    }

    /// A session garbling with `scheme`, with a fresh random Delta and a
    /// fresh random hash key. The evaluator's session must run the same
    /// scheme.
    pub fn with_scheme(scheme: Scheme) -> GarblerSession {
        GarblerSession {
            delta: Delta::random(),
            tweaks: TweakCounter::new(),
            prg: Prg::new(),
            hash: HalfGateHash::new(HashKey::random()),
            pool: SlotPool::new(),
            scheme,
        }
    }

    /// The session's garbling scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The session's Delta (secret: never send or log it). It is also the
    /// correlation of the session's OTs: pass it to `ot::OtSender::setup`.
    pub fn delta(&self) -> &Delta {
        &self.delta
    }

    /// The session's public hash key: send it to the evaluator, whose
    /// session must hash under it (`EvaluatorSession::new`).
    pub fn hash_key(&self) -> HashKey {
        self.hash.key()
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
    ) -> Result<Garbling<'a>, EngineError> {
        let expected = schedule.garbler_inputs().len();
        if garbler_bits.len() != expected {
            return Err(EngineError::GarblerInputs {
                expected,
                got: garbler_bits.len(),
            });
        }
        let expected = schedule.evaluator_inputs().len();
        if evaluator_zero_labels.len() != expected {
            return Err(EngineError::EvaluatorLabels {
                expected,
                got: evaluator_zero_labels.len(),
            });
        }
        let first_tweak = self
            .tweaks
            .reserve_for(self.scheme, schedule.and_count() as u64)?;
        Ok(Garbling::new(
            schedule,
            self,
            first_tweak,
            garbler_bits,
            evaluator_zero_labels,
        ))
    }

    /// Starts garbling one run of `schedule` ahead of its inputs: every
    /// input wire, the garbler's and the evaluator's, gets a fresh random
    /// 0-label from the session's PRG. Returns the garbling, whose
    /// [`Garbling::garbler_labels`] are then the 0-labels of the garbler's
    /// input wires (not active labels: never send them), and the 0-labels
    /// of the evaluator's input wires. Once the inputs are known, the
    /// garbler sends `L0 ^ x*Delta` for each of its bits `x`, and for each
    /// evaluator input the block `L0 ^ z` where `z` is the 0-label its
    /// spent random OT gave (`ot::SenderStock::spend`), which turns the
    /// evaluator's OT label into `L0 ^ y*Delta` for its real bit `y`.
    /// Reserves the run's tweaks.
    pub fn garble_ahead<'a>(
        &mut self,
        schedule: &'a Schedule,
        zero_bits: &[bool],
    ) -> Result<(Garbling<'a>, Vec<crypto::Label>), EngineError> {
        let mut evaluator_zero = vec![crypto::Block::ZERO; schedule.evaluator_inputs().len()];
        self.prg.fill(&mut evaluator_zero);
        let run = self.garble(schedule, zero_bits, &evaluator_zero)?;
        Ok((run, evaluator_zero))
    }
}

impl Default for GarblerSession {
    fn default() -> GarblerSession {
        GarblerSession::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_session_draws_its_own_delta_and_hash_key() {
        let (a, b) = (GarblerSession::new(), GarblerSession::new());
        assert_ne!(a.hash_key(), b.hash_key());
        assert_ne!(a.delta().block(), b.delta().block());
        assert!(a.delta().block().lsb() && b.delta().block().lsb());
        // The key the session reports is the one its hash runs under.
        assert_eq!(a.hash.key(), a.hash_key());
    }
}
