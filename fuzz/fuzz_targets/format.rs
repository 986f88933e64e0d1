//! The compiled circuit format: never a panic; what decodes encodes to bytes
//! no longer than the input (the encoding writes each number in its
//! shortest form) that decode to the same circuit and re-encode to
//! themselves, and it runs like its Bristol form.
#![no_main]
use circuits::{bristol, format};
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::assert_same_function;

fuzz_target!(|data: &[u8]| {
    let Ok(c) = format::from_bytes(data) else {
        return;
    };
    let bytes = format::to_bytes(&c);
    assert!(bytes.len() <= data.len(), "re-encoding grew the circuit");
    let again = format::from_bytes(&bytes).expect("an encoded circuit decodes");
    assert_eq!(again, c, "a decoded circuit re-encodes differently");
    assert_eq!(format::to_bytes(&again), bytes, "encoding is not deterministic");
    let garbler = c
        .inputs
        .iter()
        .take_while(|i| i.party == circuits::Party::Garbler)
        .count();
    let b = bristol::parse(&bristol::write(&c), garbler).expect("written Bristol re-reads");
    assert_same_function(&c, &b, data);
});
