//! Message framing: a channel reading the fuzzer's bytes never panics, never
//! counts more bytes than it was given, and the messages it accepts, sent
//! again, are exactly the bytes it consumed. The first byte sets the size limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::Peer;
use protocol::{Channel, Limits};
use std::io::Cursor;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Some((&limit, wire)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_message: u64::from(limit) * 64,
        timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let mut rx = Channel::new(Peer::new(wire), limits);
    let mut tx = Channel::new(Cursor::new(Vec::new()), limits);
    let mut buf = Vec::new();
    while let Ok(kind) = rx.recv_into(&mut buf) {
        tx.send(kind, &buf).expect("within the limit it accepted");
    }
    tx.flush().expect("flush to memory");
    let stats = rx.stats();
    assert!(stats.bytes_received <= wire.len() as u64);
    let sent = tx.get_ref().get_ref();
    assert_eq!(sent.as_slice(), &wire[..sent.len()]);
    assert_eq!(sent.len() as u64, tx.stats().bytes_sent);
});
