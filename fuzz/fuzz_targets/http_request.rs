//! The metrics endpoint's request line: never a panic; a path comes only
//! from a `GET` line and holds no whitespace and no query string.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(path) = garbler::metrics::request_path(data) {
        assert!(!path.contains('?') && !path.contains(char::is_whitespace));
        let line = data.split(|&b| b == b'\n').next().unwrap_or(&[]);
        assert!(String::from_utf8_lossy(line).split_whitespace().next() == Some("GET"));
    }
});
