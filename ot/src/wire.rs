//! How the OT messages are written: bincode with fixed-width little-endian
//! integers (so each message has exactly one encoding, and an extension
//! message's header has a fixed size), a size limit on every decode, and no
//! byte left over. The IKNP matrix and the chosen-message ciphertexts are
//! raw byte chunks.

use crate::OtError;
use bincode::config::{Configuration, Fixint, LittleEndian};
use bincode::error::DecodeError;
use bincode::{BorrowDecode, Encode};

/// The messages' encoding.
fn config() -> Configuration<LittleEndian, Fixint> {
    bincode::config::standard().with_fixed_int_encoding()
}

/// Encodes a message.
pub(crate) fn encode(value: impl Encode) -> Vec<u8> {
    // Writing to memory has no I/O to fail, and the messages' fields all encode.
    bincode::encode_to_vec(value, config()).expect("encoding into memory cannot fail")
}

/// Encodes a fixed-size value into `out`, which it fills exactly.
pub(crate) fn encode_into(value: impl Encode, out: &mut [u8]) {
    let written = bincode::encode_into_slice(value, out, config())
        .expect("the value fits the slice made for it");
    debug_assert_eq!(written, out.len());
}

/// Decodes a `T` from the start of `bytes` within `LIMIT` bytes; returns it
/// and the bytes it took.
pub(crate) fn decode_prefix<'a, T: BorrowDecode<'a, ()>, const LIMIT: usize>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<(T, usize), OtError> {
    bincode::borrow_decode_from_slice(bytes, config().with_limit::<LIMIT>()).map_err(|e| {
        OtError::Decode {
            what,
            reason: match e {
                DecodeError::UnexpectedEnd { additional } => {
                    format!("the message ends at least {additional} bytes short")
                }
                DecodeError::LimitExceeded => {
                    format!("it announces more than the {LIMIT} bytes it may take")
                }
                other => other.to_string(),
            },
        }
    })
}

/// Decodes a `T` that must take all of `bytes`, within `LIMIT` bytes.
pub(crate) fn decode<'a, T: BorrowDecode<'a, ()>, const LIMIT: usize>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<T, OtError> {
    let (value, used) = decode_prefix::<T, LIMIT>(bytes, what)?;
    if used != bytes.len() {
        return Err(OtError::TrailingBytes {
            what,
            extra: bytes.len() - used,
        });
    }
    Ok(value)
}
