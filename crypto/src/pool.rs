//! Label arrays kept from one run to the next within a session.

use crate::Lane;
use std::sync::{Arc, Mutex};
use zeroize::Zeroize;

/// Most arrays a pool keeps (a session runs one computation at a time; a
/// few more cover runs held side by side).
const KEEP: usize = 4;

/// A session's spare label arrays. A run takes one ([`SlotPool::take`]) and
/// gives it back zeroized when it ends ([`SlotPool::give`]), so a session of
/// many small computations reuses warm memory instead of mapping, faulting
/// in and unmapping fresh pages for every run. Clones share the pool.
#[derive(Clone, Default)]
pub struct SlotPool(Arc<Mutex<Vec<Vec<Lane>>>>);

impl SlotPool {
    /// An empty pool.
    pub fn new() -> SlotPool {
        SlotPool::default()
    }

    /// An array of `len` zero labels, reused if the pool has one.
    pub fn take(&self, len: usize) -> Vec<Lane> {
        let mut v = match self.0.lock() {
            Ok(mut spare) => spare.pop().unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        v.clear();
        v.resize(len, Lane::zero());
        v
    }

    /// Zeroizes `labels` and keeps the array for a later run.
    pub fn give(&self, mut labels: Vec<Lane>) {
        labels.zeroize();
        if let Ok(mut spare) = self.0.lock() {
            if spare.len() < KEEP {
                spare.push(labels);
            }
        }
    }
}

impl std::fmt::Debug for SlotPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let spare = self.0.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("SlotPool").field("spare", &spare).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_come_back_zeroed_and_sized() {
        let pool = SlotPool::new();
        let mut a = pool.take(10);
        assert_eq!(a.len(), 10);
        a[3] = Lane::from(crate::Block(99));
        let ptr = a.as_ptr();
        pool.give(a);
        let b = pool.take(8);
        assert_eq!(b.as_ptr(), ptr, "the array is reused");
        assert!(b
            .iter()
            .all(|&l| crate::Block::from(l) == crate::Block::ZERO));
        assert_eq!(b.len(), 8);
    }
}
