//! Bristol Fashion text: never a panic; a circuit that parses writes back to
//! Bristol and to the compiled format, and both re-read as the same function.
#![no_main]
use circuits::{bristol, format};
use libfuzzer_sys::fuzz_target;
use mpcc_fuzz::assert_same_function;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(c) = bristol::parse(text, 0) else {
        return;
    };
    let n = c.inputs.len();
    // The garbler/evaluator split is the caller's and cannot make a valid file fail.
    let split = bristol::parse(text, n.div_ceil(2)).expect("any split up to the value count");
    assert_same_function(&c, &split, data);
    assert!(bristol::parse(text, n + 1).is_err());

    let again = bristol::parse(&bristol::write(&c), 0).expect("written Bristol re-reads");
    assert_same_function(&c, &again, data);
    let bytes = format::to_bytes(&c);
    assert_eq!(
        format::from_bytes(&bytes).expect("encoded circuit decodes"),
        c
    );
});
