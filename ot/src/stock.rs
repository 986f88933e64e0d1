//! Random correlated OTs made ahead of use and spent with one correction bit
//! per choice (Beaver's derandomization of precomputed OT, Crypto '95).
//!
//! The receiver extends with random choice bits `r_j`, getting
//! `t_j = q_j ^ r_j * Delta` while the sender keeps `q_j`. To spend OT `j` on
//! a real choice `x`, the receiver sends `d = x ^ r_j`, which is a one-time
//! pad of `x` and so says nothing about it; the sender takes
//! `q_j ^ d * Delta` as the 0-label, and `t_j` is then exactly the label of
//! `x`. A small computation thus costs one bit on the wire per input instead
//! of an extension of its own, whose fixed cost (a chunk of 256 matrix rows
//! and, in malicious mode, 192 rows of padding and a check) dwarfs a few
//! dozen OTs. Both sides must spend the stock in the same order; each OT is
//! spent once and then forgotten.

use crate::{ExtendMsg, OtError, OtReceiver, OtSender};
use crypto::{Block, Prg};
use zeroize::Zeroize;

/// Most stocked OTs either side keeps: a receiver asking for more is refused
/// (16 bytes each, so 64 MiB at most per session, as much as one message
/// of the runtime may carry).
pub const MAX_STOCK: usize = 1 << 22;

/// The receiver's (evaluator's) stock: random choice bits and their labels.
#[derive(Default)]
pub struct ReceiverStock {
    bits: Vec<bool>,
    labels: Vec<Block>,
    used: usize,
}

/// The sender's (garbler's) stock: the 0-labels of the receiver's random OTs.
#[derive(Default)]
pub struct SenderStock {
    zeros: Vec<Block>,
    used: usize,
}

impl ReceiverStock {
    /// An empty stock.
    pub fn new() -> ReceiverStock {
        ReceiverStock::default()
    }

    /// OTs in stock.
    pub fn available(&self) -> usize {
        self.labels.len() - self.used
    }

    /// Makes `n` more random OTs; send the message to the sender, who adds
    /// them to its stock with [`SenderStock::refill`].
    pub fn refill(&mut self, ot: &mut OtReceiver, n: usize) -> Result<ExtendMsg, OtError> {
        let mut msg = ExtendMsg::new();
        self.refill_into(ot, n, &mut msg)?;
        Ok(msg)
    }

    /// [`refill`](Self::refill) into a message buffer the caller keeps, so
    /// that a session's refills reuse one allocation (fresh multi-megabyte
    /// buffers cost more in page faults than the OTs they carry).
    pub fn refill_into(
        &mut self,
        ot: &mut OtReceiver,
        n: usize,
        msg: &mut ExtendMsg,
    ) -> Result<(), OtError> {
        if self.available() + n > MAX_STOCK {
            return Err(OtError::TooLarge {
                what: "OT stock",
                len: (self.available() + n) as u64,
                max: MAX_STOCK as u64,
            });
        }
        self.compact();
        let mut random = vec![Block::ZERO; n.div_ceil(128)];
        Prg::new().fill(&mut random);
        let (start, labels_start) = (self.bits.len(), self.labels.len());
        self.bits
            .extend((0..n).map(|j| (random[j / 128].0 >> (j % 128)) & 1 == 1));
        random.zeroize();
        if let Err(e) = ot.extend_append(&self.bits[start..], msg, &mut self.labels) {
            self.bits.truncate(start);
            self.labels[labels_start..]
                .iter_mut()
                .for_each(Zeroize::zeroize);
            self.labels.truncate(labels_start);
            return Err(e);
        }
        Ok(())
    }

    /// Spends one stocked OT per choice: the correction bits to send (packed
    /// eight to a byte, first choice in the lowest bit) and the label of
    /// each choice. Fails, spending nothing, if the stock is short.
    pub fn spend(&mut self, choices: &[bool]) -> Result<(Vec<u8>, Vec<Block>), OtError> {
        let (mut corrections, mut labels) = (Vec::new(), Vec::new());
        self.spend_append(choices, &mut corrections, &mut labels)?;
        Ok((corrections, labels))
    }

    /// [`spend`](Self::spend), appending the correction bytes to
    /// `corrections` and the labels to `labels`: buffers the caller keeps
    /// from request to request. `corrections` must hold whole bytes already
    /// (the first choice lands in the lowest bit of a new byte).
    pub fn spend_append(
        &mut self,
        choices: &[bool],
        corrections: &mut Vec<u8>,
        labels: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        if choices.len() > self.available() {
            return Err(OtError::CountMismatch {
                what: "OT stock",
                expected: choices.len() as u64,
                got: self.available() as u64,
            });
        }
        let range = self.used..self.used + choices.len();
        let at = corrections.len();
        corrections.resize(at + choices.len().div_ceil(8), 0);
        let out = &mut corrections[at..];
        for (j, (&x, &r)) in choices.iter().zip(&self.bits[range.clone()]).enumerate() {
            out[j / 8] |= ((x ^ r) as u8) << (j % 8);
        }
        labels.extend_from_slice(&self.labels[range.clone()]);
        self.bits[range.clone()].zeroize();
        self.labels[range].iter_mut().for_each(Zeroize::zeroize);
        self.used += choices.len();
        Ok(())
    }

    /// Drops the spent OTs once they are most of the buffers.
    fn compact(&mut self) {
        if self.used > 0 && self.used >= self.labels.len() / 2 {
            self.bits.drain(..self.used);
            self.labels.drain(..self.used);
            self.used = 0;
        }
    }
}

impl SenderStock {
    /// An empty stock.
    pub fn new() -> SenderStock {
        SenderStock::default()
    }

    /// OTs in stock.
    pub fn available(&self) -> usize {
        self.zeros.len() - self.used
    }

    /// Adds the `n` OTs of the receiver's refill message `msg` (checked
    /// first in malicious mode, as [`OtSender::extend`] does).
    pub fn refill(&mut self, ot: &mut OtSender, n: usize, msg: &ExtendMsg) -> Result<(), OtError> {
        if self.available() + n > MAX_STOCK {
            return Err(OtError::TooLarge {
                what: "OT stock",
                len: (self.available() + n) as u64,
                max: MAX_STOCK as u64,
            });
        }
        if self.used > 0 && self.used >= self.zeros.len() / 2 {
            self.zeros.drain(..self.used);
            self.used = 0;
        }
        let start = self.zeros.len();
        if let Err(e) = ot.extend_append(n, msg, &mut self.zeros) {
            self.zeros[start..].iter_mut().for_each(Zeroize::zeroize);
            self.zeros.truncate(start);
            return Err(e);
        }
        Ok(())
    }

    /// The 0-labels of `n` choices from the receiver's correction bits
    /// (packed as [`ReceiverStock::spend`] packs them): `q_j ^ d_j * Delta`.
    /// Fails, spending nothing, if the stock is short or `corrections` is not
    /// exactly `n` bits (unused high bits of the last byte must be zero).
    pub fn spend(
        &mut self,
        ot: &OtSender,
        n: usize,
        corrections: &[u8],
    ) -> Result<Vec<Block>, OtError> {
        let mut out = Vec::new();
        self.spend_append(ot, n, corrections, &mut out)?;
        Ok(out)
    }

    /// [`spend`](Self::spend), appending the 0-labels to `out`: a buffer the
    /// caller keeps from request to request.
    pub fn spend_append(
        &mut self,
        ot: &OtSender,
        n: usize,
        corrections: &[u8],
        out: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        if n > self.available() {
            return Err(OtError::CountMismatch {
                what: "OT stock",
                expected: n as u64,
                got: self.available() as u64,
            });
        }
        if corrections.len() != n.div_ceil(8) {
            return Err(OtError::Malformed {
                what: "OT corrections",
                reason: "wrong number of correction bytes for the inputs",
            });
        }
        if !n.is_multiple_of(8) && corrections[n / 8] >> (n % 8) != 0 {
            return Err(OtError::Malformed {
                what: "OT corrections",
                reason: "padding bits of the last byte are not zero",
            });
        }
        let delta = ot.delta();
        let range = self.used..self.used + n;
        out.extend(
            self.zeros[range.clone()]
                .iter()
                .enumerate()
                .map(|(j, &q)| q ^ delta.select((corrections[j / 8] >> (j % 8)) & 1 == 1)),
        );
        self.zeros[range].iter_mut().for_each(Zeroize::zeroize);
        self.used += n;
        Ok(())
    }
}

impl Drop for ReceiverStock {
    fn drop(&mut self) {
        self.bits.zeroize();
        self.labels.zeroize();
    }
}

impl Drop for SenderStock {
    fn drop(&mut self) {
        self.zeros.zeroize();
    }
}

impl std::fmt::Debug for ReceiverStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverStock")
            .field("available", &self.available())
            .finish()
    }
}

impl std::fmt::Debug for SenderStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderStock")
            .field("available", &self.available())
            .finish()
    }
}
