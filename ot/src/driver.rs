//! A thin blocking driver: moves the protocol's messages over any
//! `Read + Write` channel as frames of a u32 little-endian length and the
//! bytes. All cryptography stays in the sans-I/O types; this file only frames.

use crate::extension::{OtReceiver, OtSender, Security};
use crate::{BaseOtHello, BaseOtReply, ExtendMsg, OtError};
use crypto::Block;
use std::io::{Read, Write};

/// Largest frame the driver accepts: a full chunk message with room to spare.
pub const MAX_FRAME_BYTES: usize = 1 << 24;

/// OTs per streamed frame: one checked chunk.
const STREAM_OTS: usize = crate::extension::CHUNK_ROWS - 256;

/// Writes one frame and flushes.
pub fn write_frame<W: Write>(w: &mut W, bytes: &[u8]) -> Result<(), OtError> {
    if bytes.len() > MAX_FRAME_BYTES {
        return Err(OtError::TooLarge {
            what: "outgoing frame",
            len: bytes.len() as u64,
            max: MAX_FRAME_BYTES as u64,
        });
    }
    w.write_all(&(bytes.len() as u32).to_le_bytes())?;
    w.write_all(bytes)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame of at most `max` bytes. The buffer grows only as bytes
/// actually arrive, so a lying length prefix costs no allocation.
pub fn read_frame<R: Read>(r: &mut R, max: usize) -> Result<Vec<u8>, OtError> {
    let mut buf = Vec::new();
    read_frame_into(r, max, &mut buf)?;
    Ok(buf)
}

/// [`read_frame`] into a buffer the caller reuses from frame to frame.
pub fn read_frame_into<R: Read>(r: &mut R, max: usize, buf: &mut Vec<u8>) -> Result<(), OtError> {
    buf.clear();
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > max {
        return Err(OtError::TooLarge {
            what: "incoming frame",
            len: len as u64,
            max: max as u64,
        });
    }
    buf.reserve(len.min(1 << 16));
    r.take(len as u64).read_to_end(buf)?;
    if buf.len() != len {
        return Err(OtError::Truncated {
            what: "incoming frame",
            needed: len,
            available: buf.len(),
        });
    }
    Ok(())
}

/// Evaluator side of session set-up: runs the 128 base OTs.
pub fn setup_receiver<C: Read + Write>(
    chan: &mut C,
    security: Security,
) -> Result<OtReceiver, OtError> {
    let (setup, hello) = OtReceiver::setup(security);
    write_frame(chan, &hello.encode())?;
    let reply = BaseOtReply::decode(&read_frame(chan, MAX_FRAME_BYTES)?)?;
    setup.finish(&reply)
}

/// Garbler side of session set-up: runs the 128 base OTs with Delta's bits.
pub fn setup_sender<C: Read + Write>(
    chan: &mut C,
    delta: Block,
    security: Security,
) -> Result<OtSender, OtError> {
    let hello = BaseOtHello::decode(&read_frame(chan, MAX_FRAME_BYTES)?)?;
    let (sender, reply) = OtSender::setup(delta, security, &hello)?;
    write_frame(chan, &reply.encode())?;
    Ok(sender)
}

/// Evaluator: correlated OTs for `choices`, streamed one chunk per frame.
pub fn receive_correlated<C: Read + Write>(
    chan: &mut C,
    receiver: &mut OtReceiver,
    choices: &[bool],
) -> Result<Vec<Block>, OtError> {
    let mut labels = Vec::with_capacity(choices.len());
    let mut msg = ExtendMsg::new();
    for piece in choices.chunks(STREAM_OTS) {
        receiver.extend_append(piece, &mut msg, &mut labels)?;
        // The frame of `msg.encode()`, written without building it.
        let (head, body) = msg.encoded_parts();
        chan.write_all(&((head.len() + body.len()) as u32).to_le_bytes())?;
        chan.write_all(&head)?;
        chan.write_all(body)?;
        chan.flush()?;
    }
    Ok(labels)
}

/// Garbler: the zero-labels of `n` correlated OTs, read one chunk per frame;
/// every chunk is checked before its labels are kept, and nothing is returned
/// unless all of them pass.
pub fn send_correlated<C: Read + Write>(
    chan: &mut C,
    sender: &mut OtSender,
    n: usize,
) -> Result<Vec<Block>, OtError> {
    let mut labels = Vec::with_capacity(n.min(crate::extension::MAX_OTS_PER_MESSAGE as usize));
    let mut msg = ExtendMsg::new();
    let mut left = n;
    while left > 0 {
        let piece = left.min(STREAM_OTS);
        let step = read_extend_msg(chan, &mut msg)
            .and_then(|()| sender.extend_append(piece, &msg, &mut labels));
        if let Err(e) = step {
            labels.iter_mut().for_each(zeroize::Zeroize::zeroize);
            return Err(e);
        }
        left -= piece;
    }
    Ok(labels)
}

/// Reads one frame holding an [`ExtendMsg`] straight into `msg`'s buffer.
fn read_extend_msg<R: Read>(r: &mut R, msg: &mut ExtendMsg) -> Result<(), OtError> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME_BYTES {
        return Err(OtError::TooLarge {
            what: "incoming frame",
            len: len as u64,
            max: MAX_FRAME_BYTES as u64,
        });
    }
    let mut head = [0u8; ExtendMsg::HEADER_BYTES];
    if len < head.len() {
        return Err(OtError::Truncated {
            what: "OT extension message",
            needed: head.len(),
            available: len,
        });
    }
    r.read_exact(&mut head)?;
    msg.read_body(&head, len - head.len(), r)
}
