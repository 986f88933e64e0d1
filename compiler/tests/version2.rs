//! Version 2 of the language (LANGUAGE.md): each feature compiled and run,
//! with the expected values worked out by hand or in Rust here, and the
//! errors each one can give.

fn run(src: &str, args: &[&str]) -> String {
    let c = compiler::compile_source(src, "t.mpc").unwrap_or_else(|e| panic!("{e}"));
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let bits = circuits::value::parse_inputs(&c, None, &args).unwrap();
    circuits::value::format_outputs(&c, &c.eval_bits(&bits).unwrap()).join(" ")
}

fn error(src: &str) -> String {
    match compiler::compile_source(src, "t.mpc") {
        Ok(_) => panic!("compiled, but should not have:\n{src}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn nested_comments() {
    let src = "/* outer /* inner */ still a comment */
        // line comment with /* inside
        fn main(garbler a: u8) -> u8 { a /* + 1 /* + 2 */ */ + 1 }";
    assert_eq!(run(src, &["4"]), "5");
    // Brackets inside comments do not count towards the nesting limit.
    let deep = format!(
        "// {}\nfn main(garbler a: u8) -> u8 {{ a }}",
        "(".repeat(500)
    );
    assert_eq!(run(&deep, &["4"]), "4");
    let e = error("fn main(garbler a: u8) -> u8 { a } /* /* */");
    assert!(
        e.contains("t.mpc:1:36: error: this comment is never closed"),
        "{e}"
    );
}

#[test]
fn literal_suffixes() {
    let src = "fn main(garbler a: u8) -> (u8, i16, u64, i8, u128, bool) {
        let k = 200u8;
        (a + k, -3i16 * 2, 0xffu64 << 8u8, -128i8, 1_000u128, 0b1u1 == 1)
    }";
    assert_eq!(run(src, &["100"]), "(44, -6, 65280, -128, 1000, true)");
    let e = error("fn main() -> u8 { 300u8 }");
    assert!(e.contains("the literal `300` does not fit in `u8`"), "{e}");
    let e = error("fn main(garbler a: u16) -> u16 { a + 5u8 }");
    assert!(e.contains("u8"), "{e}");
    let e = error("fn main() -> u8 { 5u7x }");
    assert!(e.contains("syntax error"), "{e}");
}

#[test]
fn field_shorthand_and_mut_parameters() {
    let src = "struct P { x: u8, y: u8 }
        fn bump(mut v: u8, by: u8) -> u8 { v += by; v }
        fn main(garbler mut a: u8, evaluator y: u8) -> P {
            a = a * 2;
            let x = bump(a, 1);
            P { x, y }
        }";
    assert_eq!(run(src, &["20", "7"]), "P { x: 41, y: 7 }");
    let e = error("fn f(v: u8) -> u8 { v += 1; v }\nfn main(garbler a: u8) -> u8 { f(a) }");
    assert!(e.contains("cannot assign to `v`: it is not mutable"), "{e}");
    let e = error("struct P { x: u8 }\nfn main(garbler a: u8) -> P { P { x } }");
    assert!(e.contains("unknown variable `x`"), "{e}");
}

#[test]
fn for_over_an_array() {
    let src = "fn main(garbler a: [u8; 5], evaluator b: [[u8; 2]; 3]) -> (u8, u8, u8) {
        let mut sum = 0u8;
        let mut best = 0u8;
        for x in a { sum += x; best = best.max(x); }
        let mut inner = 0u8;
        for row in b { for v in row { inner ^= v; } }
        for k in [1u8, 2, 3] { sum += k; }
        (sum, best, inner)
    }";
    // 1+2+3+4+250 = 260 = 4 (mod 256), + 6 = 10; 1^2^4^8^16^32 = 63.
    assert_eq!(
        run(src, &["[1, 2, 3, 4, 250]", "[[1, 2], [4, 8], [16, 32]]"]),
        "(10, 250, 63)"
    );
    let e = error("fn main(garbler a: u8) -> u8 { for x in a { } a }");
    assert!(
        e.contains("`for x in ...` goes over an array, found `u8`"),
        "{e}"
    );
    let e = error("fn main(garbler a: [u8; 2]) -> u8 { for x in a { x = 1; } 0 }");
    assert!(e.contains("cannot assign to `x`"), "{e}");
}
