//! The handshake message: never a panic; what decodes re-encodes to the same
//! bytes, and a summary never differs from itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::Hello;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = Hello::decode(data) {
        assert_eq!(h.encode(), data);
        assert_eq!(h.circuit.difference(&h.circuit), None);
    }
});
