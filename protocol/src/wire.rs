//! How message payloads are written: bincode with fixed-width
//! little-endian integers (so each message has exactly one encoding, and a
//! field keeps its place and size whatever values it holds), a size limit on
//! every decode, and no byte left over. Garbled tables, labels and bit
//! strings travel as raw byte chunks.

use crate::{Phase, ProtocolError, MAX_BATCH, MAX_CONTEXT};
use bincode::config::{Configuration, Fixint, Limit, LittleEndian};
use bincode::error::DecodeError;
use bincode::{BorrowDecode, Encode};

/// Most bytes a payload may announce: its frame's length field is 4 bytes.
pub(crate) const FRAME_LIMIT: usize = u32::MAX as usize;

/// The payloads' encoding, decoding into at most `LIMIT` bytes.
pub(crate) fn config<const LIMIT: usize>() -> Configuration<LittleEndian, Fixint, Limit<LIMIT>> {
    bincode::config::standard()
        .with_fixed_int_encoding()
        .with_limit::<LIMIT>()
}

/// Encodes a payload.
pub(crate) fn encode(value: impl Encode) -> Vec<u8> {
    // Writing to memory has no I/O to fail, and the messages' fields all encode.
    bincode::encode_to_vec(value, config::<FRAME_LIMIT>())
        .expect("encoding a message into memory cannot fail")
}

/// [`encode`], appended to `out` (a buffer the caller reuses).
pub(crate) fn encode_append(value: impl Encode, out: &mut Vec<u8>) {
    bincode::encode_into_std_write(value, out, config::<FRAME_LIMIT>())
        .expect("encoding a message into memory cannot fail");
}

/// Decodes a `T` from the start of `payload` within `LIMIT` bytes; returns
/// it and the bytes it took.
pub(crate) fn decode_prefix<'a, T: BorrowDecode<'a, ()>, const LIMIT: usize>(
    payload: &'a [u8],
    phase: Phase,
    what: &str,
) -> Result<(T, usize), ProtocolError> {
    bincode::borrow_decode_from_slice(payload, config::<LIMIT>()).map_err(|e| {
        ProtocolError::Malformed {
            phase,
            msg: format!("{what}: {}", describe::<LIMIT>(e)),
        }
    })
}

/// Decodes a `T` that must take all of `payload`, within `LIMIT` bytes.
pub(crate) fn decode<'a, T: BorrowDecode<'a, ()>, const LIMIT: usize>(
    payload: &'a [u8],
    phase: Phase,
    what: &str,
) -> Result<T, ProtocolError> {
    let (value, used) = decode_prefix::<T, LIMIT>(payload, phase, what)?;
    if used != payload.len() {
        return Err(ProtocolError::Malformed {
            phase,
            msg: format!("{what}: {} unexpected trailing bytes", payload.len() - used),
        });
    }
    Ok(value)
}

/// What a bincode error means in a message.
fn describe<const LIMIT: usize>(e: DecodeError) -> String {
    match e {
        DecodeError::UnexpectedEnd { additional } => {
            format!("the message ends {additional} bytes short")
        }
        DecodeError::LimitExceeded => {
            format!("it announces more than the {LIMIT} bytes it may take")
        }
        DecodeError::UnexpectedVariant { found, .. } => format!("unknown tag {found}"),
        other => other.to_string(),
    }
}

/// A request for a batch of computations, evaluator to garbler
/// ([`crate::Kind::Compute`]): their count, a refill of the garbler's stock
/// of random OTs if the evaluator's ran short, one correction bit per
/// evaluator input bit of the batch, and each computation's public context
/// (an auction id, say: what the garbler looks its inputs up by). The
/// request is part of the transcript, its contexts included.
#[derive(Clone, Copy, PartialEq, Eq, Encode, BorrowDecode)]
pub struct Compute<'a> {
    /// How many computations, 1 to [`MAX_BATCH`].
    pub count: u32,
    /// How many random OTs `extension` makes (0: no refill).
    pub refill: u32,
    /// The OT extension message of the refill (an `ot::ExtendMsg`), empty
    /// without one.
    pub extension: &'a [u8],
    /// The correction bits, packed ([`pack_bits`]).
    pub corrections: &'a [u8],
    /// One public context per computation, in order, each at most
    /// [`MAX_CONTEXT`] bytes, packed by [`pack_contexts`] (read them with
    /// [`Compute::contexts`]).
    pub contexts: &'a [u8],
}

impl<'a> Compute<'a> {
    /// Encodes the message payload.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// [`encode`](Self::encode), into `out` (cleared first; a buffer the
    /// caller reuses from request to request).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.clear();
        encode_append(self, out);
    }

    /// Decodes a payload (borrowing its byte strings), checking the count.
    pub fn decode(payload: &'a [u8]) -> Result<Compute<'a>, ProtocolError> {
        let phase = Phase::OtExtension;
        let c: Compute = decode::<_, FRAME_LIMIT>(payload, phase, "compute request")?;
        if c.count == 0 || u64::from(c.count) > MAX_BATCH {
            return Err(ProtocolError::Malformed {
                phase,
                msg: format!(
                    "a batch of {} computations (1 to {MAX_BATCH} allowed)",
                    c.count
                ),
            });
        }
        c.contexts()?;
        Ok(c)
    }

    /// The computations' contexts, one per computation, checked: exactly
    /// `count` of them, each at most [`MAX_CONTEXT`] bytes, nothing after.
    pub fn contexts(&self) -> Result<Vec<&'a [u8]>, ProtocolError> {
        let malformed = |msg: String| ProtocolError::Malformed {
            phase: Phase::OtExtension,
            msg: format!("compute request: {msg}"),
        };
        // Each context takes at least its 2-byte length: what is allocated
        // follows the bytes received, not the count announced.
        let mut out = Vec::with_capacity((self.count as usize).min(self.contexts.len() / 2));
        let mut rest = self.contexts;
        for i in 0..self.count {
            let (len, tail) = match rest {
                [a, b, tail @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), tail),
                _ => {
                    return Err(malformed(format!(
                        "the context of computation {i} is missing"
                    )))
                }
            };
            if len > MAX_CONTEXT {
                return Err(malformed(format!(
                    "a context of {len} bytes (at most {MAX_CONTEXT})"
                )));
            }
            if tail.len() < len {
                return Err(malformed(format!(
                    "the context of computation {i} is cut short"
                )));
            }
            out.push(&tail[..len]);
            rest = &tail[len..];
        }
        if !rest.is_empty() {
            return Err(malformed(format!(
                "{} bytes after the last context",
                rest.len()
            )));
        }
        Ok(out)
    }
}

/// Packs the contexts of a batch for [`Compute::contexts`]: each one a
/// 2-byte little-endian length, then its bytes. A context longer than
/// [`MAX_CONTEXT`] bytes is refused, with an error that says so.
pub fn pack_contexts<C: AsRef<[u8]>>(contexts: &[C]) -> Result<Vec<u8>, ProtocolError> {
    let mut out = Vec::with_capacity(contexts.iter().map(|c| 2 + c.as_ref().len()).sum());
    for c in contexts {
        let c = c.as_ref();
        if c.len() > MAX_CONTEXT {
            return Err(ProtocolError::ContextTooLong { len: c.len() });
        }
        out.extend_from_slice(&(c.len() as u16).to_le_bytes());
        out.extend_from_slice(c);
    }
    Ok(out)
}

impl std::fmt::Debug for Compute<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compute")
            .field("count", &self.count)
            .field("refill", &self.refill)
            .field("extension_bytes", &self.extension.len())
            .field("correction_bytes", &self.corrections.len())
            .field("context_bytes", &self.contexts.len())
            .finish()
    }
}

/// Most computations a garbler may garble ahead of requests in one session
/// (a [`Window`] beyond it is refused).
pub const MAX_AHEAD: u32 = 1 << 12;

/// How far the garbler garbles ahead of the evaluator's requests
/// ([`crate::Kind::Window`]): at most `computations` computations whose
/// garbled tables, all together, take at most `bytes` bytes. The evaluator
/// states what it accepts; the garbler answers with what it will do, within
/// both sides' bounds, and keeps exactly that many computations garbled
/// ahead whenever it waits for a request. A garbler that sends more is a
/// protocol error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, BorrowDecode)]
pub struct Window {
    /// Computations garbled ahead (0: none, every computation is garbled
    /// on request).
    pub computations: u32,
    /// Bytes of garbled tables held ahead, all computations together.
    pub bytes: u64,
}

impl Default for Window {
    /// 16 computations within 1 MiB: a session of small computations (a
    /// comparison is 2 KiB of tables, a 64-bid auction 270 KiB) always finds
    /// its next computation garbled, while a large circuit (SHA-256 is 720
    /// KiB) keeps at most one ahead, so that batches of it stay pipelined
    /// (the garbler garbling while the evaluator evaluates) and the tables
    /// ahead fit in the sockets' buffers.
    fn default() -> Window {
        Window {
            computations: 16,
            bytes: 1 << 20,
        }
    }
}

impl Window {
    /// No garbling ahead.
    pub const OFF: Window = Window {
        computations: 0,
        bytes: 0,
    };

    /// Encodes the message payload.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes a payload, refusing more than [`MAX_AHEAD`] computations.
    pub fn decode(payload: &[u8]) -> Result<Window, ProtocolError> {
        let w: Window = decode::<_, 64>(payload, Phase::Handshake, "window")?;
        if w.computations > MAX_AHEAD {
            return Err(ProtocolError::Malformed {
                phase: Phase::Handshake,
                msg: format!(
                    "a window of {} computations (at most {MAX_AHEAD})",
                    w.computations
                ),
            });
        }
        Ok(w)
    }

    /// What the garbler does, given its own bound (`self`), the
    /// evaluator's (`peer`) and the bytes of garbled tables per
    /// computation: as many computations as both allow, their tables within
    /// both byte bounds.
    pub fn agree(&self, peer: &Window, table_bytes: u64) -> Window {
        let bytes = self.bytes.min(peer.bytes);
        let mut n = self.computations.min(peer.computations).min(MAX_AHEAD);
        if let Some(fit) = bytes.checked_div(table_bytes) {
            n = n.min(fit.min(u64::from(MAX_AHEAD)) as u32);
        }
        Window {
            computations: n,
            bytes: u64::from(n) * table_bytes,
        }
    }

    /// Whether `offer` (the garbler's answer) stays within this bound for
    /// computations of `table_bytes` bytes of tables each.
    pub fn admits(&self, offer: &Window, table_bytes: u64) -> bool {
        offer.computations <= self.computations
            && offer.bytes == u64::from(offer.computations) * table_bytes
            && offer.bytes <= self.bytes
    }
}

/// A refill of the random-OT stock sent ahead of need, between
/// computations ([`crate::Kind::Refill`]): how many OTs and the OT
/// extension message that makes them.
#[derive(Clone, Copy, PartialEq, Eq, Encode, BorrowDecode)]
pub struct Refill<'a> {
    /// How many random OTs `extension` makes, at least 1.
    pub count: u32,
    /// The OT extension message (an `ot::ExtendMsg`).
    pub extension: &'a [u8],
}

impl<'a> Refill<'a> {
    /// Encodes the message payload.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// [`encode`](Self::encode), into `out` (cleared first; a buffer the
    /// caller reuses from request to request).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.clear();
        encode_append(self, out);
    }

    /// Decodes a payload (borrowing the extension), checking the count.
    pub fn decode(payload: &'a [u8]) -> Result<Refill<'a>, ProtocolError> {
        let phase = Phase::OtExtension;
        let r: Refill = decode::<_, FRAME_LIMIT>(payload, phase, "OT refill")?;
        if r.count == 0 {
            return Err(ProtocolError::Malformed {
                phase,
                msg: "an OT refill of 0 OTs".into(),
            });
        }
        Ok(r)
    }
}

impl std::fmt::Debug for Refill<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refill")
            .field("count", &self.count)
            .field("extension_bytes", &self.extension.len())
            .finish()
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
    fn compute_round_trips_and_checks_its_count() {
        let c = Compute {
            count: 3,
            refill: 256,
            extension: &[7; 40],
            corrections: &[1, 2],
            contexts: &[0, 0, 1, 0, 7, 2, 0, b'a', b'b'],
        };
        let bytes = c.encode();
        assert_eq!(c.contexts().unwrap(), [&b""[..], &[7], b"ab"]);
        assert_eq!(Compute::decode(&bytes).unwrap(), c);
        let zero = Compute { count: 0, ..c }.encode();
        assert!(Compute::decode(&zero)
            .unwrap_err()
            .to_string()
            .contains("a batch of 0"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Compute::decode(&longer)
            .unwrap_err()
            .to_string()
            .contains("trailing"));
        for n in 0..bytes.len() {
            assert!(Compute::decode(&bytes[..n]).is_err(), "cut to {n} bytes");
        }
    }

    #[test]
    fn contexts_are_counted_and_bounded() {
        let packed = pack_contexts(&[&b"auction-1"[..], b""]).unwrap();
        let c = Compute {
            count: 2,
            refill: 0,
            extension: &[],
            corrections: &[],
            contexts: &packed,
        };
        let bytes = c.encode();
        let back = Compute::decode(&bytes).unwrap();
        assert_eq!(back.contexts().unwrap(), [&b"auction-1"[..], b""]);
        // One context too few, one too many, trailing bytes.
        for (count, contexts) in [(3u32, &packed[..]), (1, &packed[..]), (2, &[0, 0][..])] {
            let bad = Compute {
                count,
                contexts,
                ..c
            }
            .encode();
            assert!(Compute::decode(&bad).is_err(), "{count}");
        }
        // Too long: refused when packing and when decoding.
        let long = vec![b'x'; crate::MAX_CONTEXT + 1];
        let e = pack_contexts(&[&long]).unwrap_err().to_string();
        assert!(e.contains("at most 256 bytes"), "{e}");
        let mut raw = ((long.len()) as u16).to_le_bytes().to_vec();
        raw.extend_from_slice(&long);
        let bad = Compute {
            count: 1,
            contexts: &raw,
            ..c
        }
        .encode();
        let e = Compute::decode(&bad).unwrap_err().to_string();
        assert!(e.contains("a context of 257 bytes (at most 256)"), "{e}");
        assert!(pack_contexts(&[vec![b'y'; crate::MAX_CONTEXT]]).is_ok());
    }

    #[test]
    fn a_huge_announced_length_is_refused() {
        // count, refill, then an extension of 2^62 bytes.
        let bytes = encode((1u32, 1u32, 1u64 << 62));
        let e = Compute::decode(&bytes).unwrap_err().to_string();
        assert!(e.contains("announces more than"), "{e}");
    }

    #[test]
    fn windows_agree_within_both_bounds() {
        let ours = Window {
            computations: 16,
            bytes: 1 << 20,
        };
        let theirs = Window {
            computations: 8,
            bytes: 10_000,
        };
        let w = ours.agree(&theirs, 2048);
        assert_eq!(
            w,
            Window {
                computations: 4,
                bytes: 8192
            }
        );
        assert!(theirs.admits(&w, 2048) && ours.admits(&w, 2048));
        assert!(!theirs.admits(
            &Window {
                computations: 5,
                bytes: 10_240
            },
            2048
        ));
        assert!(!theirs.admits(
            &Window {
                computations: 4,
                bytes: 0
            },
            2048
        ));
        // No tables: only the counts bound it.
        assert_eq!(ours.agree(&theirs, 0).computations, 8);
        assert_eq!(ours.agree(&Window::OFF, 64).computations, 0);
        assert_eq!(Window::decode(&w.encode()).unwrap(), w);
        let huge = Window {
            computations: MAX_AHEAD + 1,
            bytes: 0,
        };
        assert!(Window::decode(&huge.encode()).is_err());
        let r = Refill {
            count: 9,
            extension: &[1, 2, 3],
        };
        assert_eq!(Refill::decode(&r.encode()).unwrap(), r);
        assert!(Refill::decode(&Refill { count: 0, ..r }.encode()).is_err());
    }

    #[test]
    fn bits_round_trip_and_reject_bad_padding() {
        let bits = [true, false, true, true, false, false, false, true, true];
        assert_eq!(unpack_bits(&pack_bits(&bits), 9).unwrap(), bits);
        assert_eq!(unpack_bits(&[0, 2], 9), None);
        assert_eq!(unpack_bits(&[0], 9), None);
        assert_eq!(unpack_bits(&[], 0), Some(vec![]));
    }
}
