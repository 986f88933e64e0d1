//! Bounded little-endian reading of peer messages: every read checks the bytes
//! left first, so a short or lying message is an error, never a panic.

use crate::OtError;

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, what }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], OtError> {
        if self.buf.len() < n {
            return Err(OtError::Truncated {
                what: self.what,
                needed: n,
                available: self.buf.len(),
            });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], OtError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, OtError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, OtError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, OtError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn finish(self) -> Result<(), OtError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(OtError::TrailingBytes {
                what: self.what,
                extra: self.buf.len(),
            })
        }
    }
}
