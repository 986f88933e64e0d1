//! How many computations a garbler's input may take part in.
//!
//! A garbler that answers with the same input for every computation is an
//! oracle: each computation tells the evaluator one output of the function
//! on the garbler's input and an input of the evaluator's choosing, and a
//! few dozen well chosen computations can pin the garbler's input down (a
//! binary search over a reserve price takes one per bit). A [`Budget`]
//! bounds that: computations per peer identity, for the life of the
//! service, and computations of all peers together. It is checked before
//! anything of a batch is garbled, so a refused batch learns nothing.

use std::collections::HashMap;
use std::sync::Mutex;

/// Computation counts shared by every session of a service, keyed by the
/// peer's identity (its certificate name, or its address without TLS).
/// Thread-safe: share it with an `Arc`.
#[derive(Debug)]
pub struct Budget {
    per_peer: Option<u64>,
    total: Option<u64>,
    used: Mutex<Used>,
}

#[derive(Debug, Default)]
struct Used {
    by_peer: HashMap<String, u64>,
    total: u64,
}

impl Budget {
    /// A budget of at most `per_peer` computations for each identity and
    /// `total` for all together (`None`: no limit of that kind).
    pub fn new(per_peer: Option<u64>, total: Option<u64>) -> Budget {
        Budget {
            per_peer,
            total,
            used: Mutex::new(Used::default()),
        }
    }

    /// The per-identity limit.
    pub fn per_peer(&self) -> Option<u64> {
        self.per_peer
    }

    /// The limit for all identities together.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Takes `count` computations for `peer`, all or none: fails with a
    /// message for the peer if either limit would be passed, and then
    /// counts nothing.
    pub fn spend(&self, peer: &str, count: u64) -> Result<(), String> {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let mine = used.by_peer.get(peer).copied().unwrap_or(0);
        if let Some(limit) = self.per_peer {
            if mine.saturating_add(count) > limit {
                return Err(if mine >= limit {
                    format!("budget exhausted: peer {peer} has used its {limit} computations")
                } else {
                    format!(
                        "budget exhausted: peer {peer} has {} of its {limit} computations left, \
                         and asked for {count}",
                        limit - mine
                    )
                });
            }
        }
        if let Some(limit) = self.total {
            if used.total.saturating_add(count) > limit {
                return Err(format!(
                    "budget exhausted: the service's budget of {limit} computations is spent"
                ));
            }
        }
        used.total = used.total.saturating_add(count);
        // Peers are remembered only where a per-peer limit needs them, so a
        // stream of new identities (addresses) costs no memory otherwise.
        if self.per_peer.is_some() {
            let mine = used.by_peer.entry(peer.to_string()).or_insert(0);
            *mine = mine.saturating_add(count);
        }
        Ok(())
    }

    /// Computations `peer` has taken so far (counted only under a per-peer
    /// limit).
    pub fn used_by(&self, peer: &str) -> u64 {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.by_peer.get(peer).copied().unwrap_or(0)
    }

    /// Computations all peers have taken so far.
    pub fn used_total(&self) -> u64 {
        self.used.lock().unwrap_or_else(|e| e.into_inner()).total
    }

    /// A line stating the limits, for the service's start-up message.
    pub fn describe(&self) -> String {
        let peer = match self.per_peer {
            Some(n) => format!("at most {n} computations per peer"),
            None => "no limit per peer".to_string(),
        };
        let total = match self.total {
            Some(n) => format!("at most {n} in all"),
            None => "no limit in all".to_string(),
        };
        format!("budget: {peer}, {total}, for the life of the service")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_peer_has_its_own_budget_within_the_total() {
        let b = Budget::new(Some(3), Some(5));
        assert!(b.spend("alice", 2).is_ok());
        assert!(b.spend("alice", 1).is_ok());
        let e = b.spend("alice", 1).unwrap_err();
        assert!(e.contains("peer alice has used its 3 computations"), "{e}");
        assert!(b.spend("bob", 2).is_ok());
        let e = b.spend("bob", 2).unwrap_err();
        assert!(e.contains("has 1 of its 3 computations left"), "{e}");
        assert_eq!(b.used_by("bob"), 2);
        let e = b.spend("carol", 1).unwrap_err();
        assert!(e.contains("the service's budget of 5"), "{e}");
        assert_eq!(b.used_total(), 5);
        assert_eq!(b.used_by("carol"), 0);
    }

    #[test]
    fn no_limits_count_without_refusing() {
        let b = Budget::new(None, None);
        assert!(b.spend("x", u64::MAX / 2).is_ok());
        assert!(b.spend("x", 1).is_ok());
        assert!(b.describe().contains("no limit per peer"));
    }
}
