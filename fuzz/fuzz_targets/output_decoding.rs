//! Output decoding bits: never a panic; what decodes has the asked-for number
//! of bits and re-encodes to the same bytes. The first two bytes give the
//! output count.
#![no_main]
use crypto::OutputDecoding;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let n = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let body = &data[2..];
    if let Ok(d) = OutputDecoding::from_bytes(body, n) {
        assert_eq!(d.to_bytes(), body);
        assert_eq!(body.len(), n.div_ceil(8));
    }
});
