//! A circuit made ready for sessions: its schedule and handshake summary,
//! computed once and shared by every session that runs it.

use crate::Summary;
use circuits::Circuit;
use crypto::{CryptoError, Schedule};
use std::sync::Arc;

/// A circuit with its garbling schedule and handshake summary. Building the
/// schedule and the digest costs milliseconds for large circuits, so a
/// service or backend prepares a circuit once; clones are cheap.
#[derive(Clone)]
pub struct Prepared {
    /// The circuit.
    pub circuit: Arc<Circuit>,
    /// Its batched garbling schedule.
    pub schedule: Arc<Schedule>,
    /// What the handshake states about it.
    pub summary: Arc<Summary>,
}

impl Prepared {
    /// Prepares `circuit` (checks it, builds its schedule and digest).
    pub fn new(circuit: Circuit) -> Result<Prepared, CryptoError> {
        let schedule = Schedule::new(&circuit)?;
        let summary = Summary::of(&circuit);
        Ok(Prepared {
            circuit: Arc::new(circuit),
            schedule: Arc::new(schedule),
            summary: Arc::new(summary),
        })
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("gates", &self.circuit.gates.len())
            .field("and_gates", &self.schedule.and_count())
            .finish()
    }
}
