//! `.mpc` programs: the compiler never panics (a panic in its worker thread
//! aborts the process here, libFuzzer's panic hook), errors render with their
//! source line, and what compiles is a valid circuit, compiled the same way
//! twice, whose every AND gate `explain` attributes to a line. Run it with
//! `-timeout=10`: a slow input is a failure too.
#![no_main]
use circuits::format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match compiler::compile_source(src, "fuzz.mpc") {
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.starts_with("fuzz.mpc:"), "{shown}");
            assert!(!shown.contains("internal compiler error"), "{shown}");
        }
        Ok(c) => {
            c.validate().expect("compiled circuits are valid");
            let bytes = format::to_bytes(&c);
            assert_eq!(format::from_bytes(&bytes).expect("decodes"), c);
            let again = compiler::compile_source(src, "fuzz.mpc").expect("compiles twice");
            assert_eq!(again, c, "compilation is not deterministic");
            // `mpcc explain` gives the same circuit and accounts for every AND gate.
            let ex = compiler::explain_source(src, "fuzz.mpc").expect("explains");
            assert_eq!(ex.circuit, c, "explain compiles differently");
            let sum: usize = ex.lines.iter().map(|l| l.ands).sum();
            assert_eq!(sum, c.and_count(), "explain misses AND gates");
            let _ = ex.render(src);
        }
    }
});
