//! Decoding payloads without trusting them.

use crate::{Phase, ProtocolError};

/// Reads fixed-size fields from a payload; every read is bounds-checked and a
/// short payload is an error naming what was being read.
pub struct Reader<'a> {
    buf: &'a [u8],
    phase: Phase,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, for errors in `phase`.
    pub fn new(buf: &'a [u8], phase: Phase) -> Reader<'a> {
        Reader { buf, phase }
    }

    /// A malformed-message error in this reader's phase.
    pub fn error(&self, msg: impl Into<String>) -> ProtocolError {
        ProtocolError::Malformed { phase: self.phase, msg: msg.into() }
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], ProtocolError> {
        if self.buf.len() < n {
            return Err(self.error(format!("{what}: need {n} bytes, {} left", self.buf.len())));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    /// A little-endian u32.
    pub fn u32(&mut self, what: &str) -> Result<u32, ProtocolError> {
        let b = self.bytes(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A little-endian u64.
    pub fn u64(&mut self, what: &str) -> Result<u64, ProtocolError> {
        let b = self.bytes(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// A count of items of `item_size` bytes each, checked against what is left
    /// so that a hostile count cannot cause a large allocation.
    pub fn count(&mut self, item_size: usize, what: &str) -> Result<usize, ProtocolError> {
        let n = self.u32(what)? as usize;
        if n.saturating_mul(item_size.max(1)) > self.buf.len() {
            return Err(self.error(format!("{what}: {n} items announced, the message is too short")));
        }
        Ok(n)
    }

    /// Bytes left unread.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Checks nothing is left over.
    pub fn finish(self, what: &str) -> Result<(), ProtocolError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("{what}: {} unexpected trailing bytes", self.buf.len())))
        }
    }
}
