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
        ProtocolError::Malformed {
            phase: self.phase,
            msg: msg.into(),
        }
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
            return Err(self.error(format!(
                "{what}: {n} items announced, the message is too short"
            )));
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
            Err(self.error(format!(
                "{what}: {} unexpected trailing bytes",
                self.buf.len()
            )))
        }
    }
}

/// Packs bits least significant first into bytes (results, decoding bits).
pub fn pack_bits(bits: &[bool]) -> Vec<u8> {
    let mut out = vec![0u8; bits.len().div_ceil(8)];
    for (i, &b) in bits.iter().enumerate() {
        out[i / 8] |= (b as u8) << (i % 8);
    }
    out
}

/// Unpacks exactly `n` bits packed by [`pack_bits`]; `None` if the length is
/// wrong or a padding bit is set.
pub fn unpack_bits(bytes: &[u8], n: usize) -> Option<Vec<bool>> {
    if bytes.len() != n.div_ceil(8) || (!n.is_multiple_of(8) && bytes[n / 8] >> (n % 8) != 0) {
        return None;
    }
    Some((0..n).map(|i| bytes[i / 8] >> (i % 8) & 1 == 1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_and_reject_bad_padding() {
        let bits = [true, false, true, true, false, false, false, true, true];
        assert_eq!(unpack_bits(&pack_bits(&bits), 9).unwrap(), bits);
        assert_eq!(unpack_bits(&[0, 2], 9), None);
        assert_eq!(unpack_bits(&[0], 9), None);
        assert_eq!(unpack_bits(&[], 0), Some(vec![]));
    }
}
