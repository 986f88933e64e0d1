//! The compiled circuit format: never a panic; what decodes re-encodes to the
//! same bytes (the encoding is canonical) and runs like its Bristol form.
#![no_main]
use circuits::{bristol, format};
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::assert_same_function;

fuzz_target!(|data: &[u8]| {
    let Ok(c) = format::from_bytes(data) else {
        return;
    };
    assert_eq!(
        format::to_bytes(&c),
        data,
        "a decoded circuit re-encodes differently"
    );
    let garbler = c
        .inputs
        .iter()
        .take_while(|i| i.party == circuits::Party::Garbler)
        .count();
    let b = bristol::parse(&bristol::write(&c), garbler).expect("written Bristol re-reads");
    assert_same_function(&c, &b, data);
});
