//! Random and mutated source never makes the compiler panic (a panic inside
//! would surface as "internal compiler error"), and hostile sizes are refused
//! with an error instead of memory or time.

use proptest::prelude::*;

const SEEDS: &[&str] = &[
    include_str!("../../examples/millionaires.mpc"),
    include_str!("../../examples/first_price.mpc"),
    include_str!("../../examples/lookup.mpc"),
    include_str!("../../examples/structs_and_consts.mpc"),
    include_str!("../../examples/helpers.mpc"),
    include_str!("../../examples/tuples.mpc"),
    include_str!("../../examples/arrays.mpc"),
    include_str!("../../examples/branches.mpc"),
    include_str!("../../examples/casts.mpc"),
    include_str!("../../examples/shifts.mpc"),
    include_str!("../../examples/logic.mpc"),
    include_str!("../../examples/enums.mpc"),
    include_str!("../../examples/vickrey_reserve.mpc"),
];

/// Compiles and checks that whatever happens is a clean answer.
fn no_panic(src: &str) {
    match compiler::compile_source(src, "fuzz.mpc") {
        Ok(c) => assert!(c.validate().is_ok()),
        Err(e) => {
            let text = e.to_string();
            assert!(
                !text.contains("internal compiler error"),
                "{text}\n--- source:\n{src}"
            );
            assert!(text.starts_with("fuzz.mpc:"), "{text}");
        }
    }
}

/// Fragments that mutations splice in: tokens of the language and junk.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    ":",
    ".",
    "..",
    "..=",
    "=",
    "==",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    ">>",
    "<",
    ">",
    "!",
    "&&",
    "||",
    "^",
    "&",
    "|",
    " as ",
    " u8 ",
    " i1 ",
    " u1024 ",
    " bool ",
    "let ",
    "mut ",
    "fn ",
    "if ",
    "else ",
    "for ",
    " in ",
    "struct ",
    "const ",
    "garbler ",
    "evaluator ",
    "main",
    "x",
    "a",
    "0",
    "1",
    "0x",
    "0b",
    "true",
    "false",
    ".len()",
    ".max(",
    ".min(",
    ".0",
    "/*",
    "*/",
    "//",
    "\n",
    "\u{e9}",
    "\t",
    "\"",
    "enum ",
    "match ",
    "=>",
    "::",
    "Some(",
    "None",
    "_",
    "Option<",
    ">",
    "u8>",
    "evaluator u8",
    "/* /*",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        no_panic(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_tokens(toks in proptest::collection::vec(0..FRAGMENTS.len(), 0..60)) {
        let src: String = toks.iter().map(|&i| FRAGMENTS[i]).collect();
        no_panic(&src);
    }

    #[test]
    fn mutated_examples(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), 0..3u8, 0..FRAGMENTS.len()), 1..4),
    ) {
        let mut src = SEEDS[seed].to_string();
        for (at, kind, frag) in edits {
            let mut i = at % (src.len() + 1);
            while !src.is_char_boundary(i) {
                i -= 1;
            }
            let end = (i + 1..=src.len()).find(|&j| src.is_char_boundary(j)).unwrap_or(src.len());
            match kind {
                0 => src.replace_range(i..end, ""),
                1 => {
                    // Insertions add no digits, so loop bounds cannot grow without bound.
                    let f = FRAGMENTS[frag];
                    if !f.bytes().any(|b| b.is_ascii_digit()) {
                        src.insert_str(i, f);
                    }
                }
                _ => src.replace_range(i..end, FRAGMENTS[frag].trim_matches(|c: char| c.is_ascii_digit())),
            }
        }
        no_panic(&src);
    }
}

#[test]
fn hostile_sizes_are_refused() {
    let deep = format!(
        "fn main() -> u8 {{ {}1{} }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let e = compiler::compile_source(&deep, "x.mpc")
        .unwrap_err()
        .to_string();
    assert!(e.contains("nesting deeper than"), "{e}");
    let nots = format!(
        "fn main(garbler a: bool) -> bool {{ {}a }}",
        "!".repeat(100_000)
    );
    assert!(compiler::compile_source(&nots, "x.mpc")
        .unwrap_err()
        .to_string()
        .contains("nesting deeper than"));
    // A long flat chain is fine: it is not nesting.
    let chain = format!(
        "fn main(garbler a: u8) -> u8 {{ a{} }}",
        " + a".repeat(15_000)
    );
    assert!(compiler::compile_source(&chain, "x.mpc").is_ok());
    let chain = format!(
        "fn main(garbler a: u8) -> u8 {{ a{} }}",
        " + a".repeat(100_000)
    );
    assert!(compiler::compile_source(&chain, "x.mpc")
        .unwrap_err()
        .to_string()
        .contains("nested too deeply"));
    let huge = "fn main(garbler a: [[u1024; 1000000]; 1000000]) -> u8 { 1 }";
    let e = compiler::compile_source(huge, "x.mpc")
        .unwrap_err()
        .to_string();
    assert!(e.contains("larger than the limit"), "{e}");
    let huge = "fn main() -> u8 { let x = [[0; 100000]; 100000]; 1 }";
    assert!(compiler::compile_source(huge, "x.mpc")
        .unwrap_err()
        .to_string()
        .contains("larger than the limit"));
    let big = "x".repeat(compiler::MAX_SOURCE_BYTES + 1);
    assert!(compiler::compile_source(&big, "x.mpc")
        .unwrap_err()
        .to_string()
        .contains("larger than the limit"));
    no_panic("fn main() -> u8 { 1 / 0 }");
    no_panic("fn main() -> u8 { 1 << 200 }");
    no_panic("fn main() -> i128 { -170141183460469231731687303715884105728 }");
    no_panic("fn main() -> u1024 { 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff }");
    no_panic("const A: u8 = B; const B: u8 = A; fn main() -> u8 { A }");
    no_panic("struct S { s: S } fn main() -> u8 { 1 }");
    no_panic("fn main(garbler a: [u8; 0]) -> [u8; 0] { a }");
}
