//! A corpus of wrong programs: each must give the contract's error format
//! (`FILE:LINE:COL: error: MESSAGE`, the source line, a caret under the span)
//! at the right place, several independent errors in one run, and no panic.

use std::process::Command;

/// Compiles `src` and returns the rendered errors.
fn errors(src: &str) -> String {
    match compiler::compile_source(src, "bad.mpc") {
        Ok(_) => panic!("compiled, but should not have:\n{src}"),
        Err(e) => e.to_string(),
    }
}

/// Asserts that an error `LINE:COL: error: ...MSG...` is reported, with the
/// offending source line and a caret at that column under it.
fn expect(src: &str, line: usize, col: usize, msg: &str) {
    let out = errors(src);
    let head = format!("bad.mpc:{line}:{col}: error: ");
    let lines: Vec<&str> = out.lines().collect();
    let k = lines
        .iter()
        .position(|l| l.starts_with(&head) && l.contains(msg))
        .unwrap_or_else(|| panic!("no `{head}...{msg}` in:\n{out}"));
    let src_line = src.lines().nth(line - 1).unwrap_or("");
    assert_eq!(lines[k + 1], format!("{line} | {src_line}"), "{out}");
    let caret = lines[k + 2];
    let gutter = format!("{} | ", " ".repeat(line.to_string().len()));
    assert!(caret.starts_with(&gutter), "{out}");
    let pos = caret[gutter.len()..].find('^').expect("a caret");
    assert_eq!(pos + 1, col, "caret under the wrong column:\n{out}");
}

#[test]
fn syntax_errors() {
    expect(
        "fn main(garbler a: u8) -> u8 {\n    let x = a +;\n    x\n}",
        2,
        16,
        "syntax error: expected an expression",
    );
    expect("fn main(garbler a: u8) -> u8 { a", 1, 33, "syntax error");
    expect(
        "fn main(garbler a: u8) -> u8 { a }\nstruct { }",
        2,
        8,
        "syntax error: expected a name",
    );
    expect(
        "fn main(garbler a: u8) -> u8 {\n  while a > 0 { }\n  a\n}",
        2,
        3,
        "`while` is not part of the language",
    );
    // A missing `;` is reported where it is missing, not on the next line.
    expect(
        "fn main(garbler a: u8) -> u8 {\n    let x = a + 1\n    let y = x;\n    y\n}",
        2,
        18,
        "syntax error: expected `;`",
    );
    expect(
        "fn main(garbler a: u8) -> u8 {\n    let mut x = a;\n    x = x + 1\n    x\n}",
        3,
        14,
        "syntax error: expected `;`",
    );
    expect(
        "const X: u8 = 1\nfn main() -> u8 { X }",
        2,
        1,
        "syntax error",
    );
}

#[test]
fn unknown_names() {
    let src = "fn main(garbler a: u8) -> u8 {\n    let x = y + 1;\n    foo(x) + z\n}";
    expect(src, 2, 13, "unknown variable `y`");
    expect(src, 3, 5, "unknown function `foo`");
    expect(src, 3, 14, "unknown variable `z`");
    expect(
        "fn main(garbler a: u9x) -> u8 { 1 }",
        1,
        20,
        "unknown type `u9x`",
    );
    expect(
        "fn main(garbler a: u2000) -> u8 { 1 }",
        1,
        20,
        "integer types have 1 to 1024 bits",
    );
    expect(
        "fn main(garbler a: u8) -> u8 { Q { x: 1 } }",
        1,
        32,
        "unknown struct `Q`",
    );
    expect(
        "fn main(garbler a: u8) -> u8 { a.foo() }",
        1,
        34,
        "unknown method `.foo()`",
    );
    // Keywords are whole words: `letx = 5;` assigns to an unknown `letx`.
    expect(
        "fn main(garbler a: u8) -> u8 {\n    letx = 5;\n    a\n}",
        2,
        5,
        "unknown variable `letx`",
    );
    expect(
        "fnmain(garbler a: u8) -> u8 { a }",
        1,
        1,
        "syntax error: unexpected `fnmain(garbler`",
    );
}

#[test]
fn type_mismatches() {
    let src =
        "fn main(garbler a: u8, evaluator b: u16) -> u8 {\n    let c: bool = a;\n    a + b\n}";
    expect(src, 2, 19, "expected `bool`, found `u8`");
    expect(src, 3, 5, "mismatched types: `u8` + `u16`");
    expect(
        "fn main(garbler a: u8) -> u8 { if a { 1 } else { 2 } }",
        1,
        35,
        "the condition of `if` must be `bool`, found `u8`",
    );
    expect(
        "fn main(garbler a: u8) -> bool { a }",
        1,
        34,
        "expected `bool`, found `u8`",
    );
    expect(
        "fn main(garbler a: i8) -> i8 { a << a }",
        1,
        37,
        "shift amount must be an unsigned integer",
    );
    expect(
        "fn main(garbler a: [u8; 2]) -> u8 { a[true] }",
        1,
        39,
        "an array index must be an unsigned integer",
    );
    expect(
        "struct P { x: u8 }\nfn main(garbler a: u8) -> P { P { x: a, y: 1 } }",
        2,
        41,
        "the struct `P` has no field `y`",
    );
    expect(
        "struct P { x: u8, y: u8 }\nfn main(garbler a: u8) -> P { P { x: a } }",
        2,
        31,
        "missing field `y` in `P`",
    );
    expect(
        "fn main(garbler a: u8) -> u8 { a = 3; a }",
        1,
        32,
        "it is not mutable",
    );
    expect(
        "fn main(garbler a: u8) -> bool { a as bool }",
        1,
        34,
        "cannot cast `u8` as `bool`",
    );
    expect(
        "fn f(x: u8) -> u8 { x }\nfn main(garbler a: u8) -> u8 { f(a, a) }",
        2,
        32,
        "`f` takes 1 argument, 2 given",
    );
    expect(
        "fn main(garbler a: (u8, bool)) -> u8 { a.2 }",
        1,
        42,
        "has no field `2`",
    );
    expect(
        "fn main(garbler a: u8, evaluator c: bool) -> u8 { let x = if c { a } else { c }; x }",
        1,
        75,
        "different types",
    );
}

#[test]
fn literals_out_of_range() {
    expect(
        "fn main(garbler a: u8) -> u8 {\n    a + 300\n}",
        2,
        9,
        "the literal `300` does not fit in `u8`",
    );
    expect(
        "fn main() -> i8 { -129 }",
        1,
        19,
        "the literal `-129` does not fit in `i8`",
    );
    expect("fn main() -> u8 { -1 }", 1, 19, "does not fit in `u8`");
    expect(
        "fn main(garbler a: u1) -> u1 { a ^ 2 }",
        1,
        36,
        "does not fit in `u1`",
    );
    expect(
        "const X: u4 = 16;\nfn main() -> u4 { X }",
        1,
        15,
        "does not fit in `u4`",
    );
    // Fits exactly: no error.
    assert!(compiler::compile_source("fn main() -> (i8, u8) { (-128, 255) }", "ok.mpc").is_ok());
}

#[test]
fn recursion() {
    let src = "fn f(x: u8) -> u8 { g(x) }\nfn g(x: u8) -> u8 { f(x) + 1 }\nfn main(garbler a: u8) -> u8 { f(a) }";
    expect(src, 2, 21, "recursive call: `f` -> `g` -> `f`");
    expect(
        "fn f(x: u8) -> u8 { f(x) }\nfn main(garbler a: u8) -> u8 { a }",
        1,
        21,
        "recursive call: `f` -> `f`",
    );
}

#[test]
fn constants() {
    let src =
        "const A: u8 = B + 1;\nconst B: u8 = C + 1;\nconst C: u8 = A + 1;\nfn main() -> u8 { A }";
    expect(
        src,
        1,
        7,
        "the constants `A`, `B` and `C` are defined in terms of each other: `A` uses `B` uses `C` uses `A`",
    );
    expect(
        "const K: u8 = K;\nfn main() -> u8 { K }",
        1,
        7,
        "the constant `K` is defined in terms of itself",
    );
    expect(
        "const K: u8 = 3;\nfn main(garbler a: u8) -> u8 {\n    K = 4;\n    a + K\n}",
        3,
        5,
        "cannot assign to the constant `K`",
    );
}

#[test]
fn non_constant_loop_bound() {
    let src = "fn main(garbler a: u8) -> u8 {\n    let mut s: u8 = 0;\n    for i in 0..a { s += 1; }\n    s\n}";
    expect(src, 3, 17, "a loop bound must be public");
    expect(
        "fn main(garbler a: u8) -> u8 { let mut s = a; for i in a..4 { s += 1; } s }",
        1,
        56,
        "must be public",
    );
}

#[test]
fn out_of_range_public_index() {
    expect(
        "fn main(garbler a: [u8; 4]) -> u8 {\n    a[4]\n}",
        2,
        7,
        "index 4 is out of range for an array of length 4",
    );
    expect(
        "const N: u32 = 9;\nfn main(garbler a: [u8; 4]) -> u8 { a[N - 1] }",
        2,
        39,
        "index 8 is out of range",
    );
    expect(
        "fn main(garbler a: [u8; 4]) -> [u8; 4] { let mut b = a; b[7] = 1; b }",
        1,
        59,
        "index 7 is out of range",
    );
    // A secret index out of range is no error: it reads zero.
    assert!(compiler::compile_source(
        "fn main(garbler a: [u8; 4], evaluator i: u8) -> u8 { a[i] }",
        "ok.mpc"
    )
    .is_ok());
}

#[test]
fn wrong_parameter_party() {
    let src =
        "fn main(garbler a: u8, b: u8, alice c: u8) -> u8 { a }\nfn h(garbler x: u8) -> u8 { x }";
    expect(src, 1, 24, "the parameter `b` of `main` needs a party");
    expect(src, 1, 31, "unknown party `alice`");
    expect(src, 2, 6, "only the parameters of `main` belong to a party");
    expect(
        "fn main(garbler a: u8) { }",
        1,
        4,
        "`main` must return a value",
    );
    expect("fn f() -> u8 { 1 }", 1, 1, "no `fn main`");
}

#[test]
fn several_independent_errors_in_one_run() {
    let src = "struct P { x: u8 }\nfn main(garbler a: u8) -> u8 {\n    let p = P { x: a, y: 1 };\n    let q: u8 = true;\n    a = 3;\n    a + nothing\n}";
    let out = errors(src);
    assert_eq!(out.matches(": error: ").count(), 4, "{out}");
    expect(src, 3, 23, "no field `y`");
    expect(src, 4, 17, "expected `u8`, found `bool`");
    expect(src, 5, 5, "not mutable");
    expect(src, 6, 9, "unknown variable `nothing`");
    // Errors inside a loop body are reported once, not once per iteration.
    let out = errors("fn main(garbler a: u8) -> u8 { for i in 0..100 { let x: bool = a; } a }");
    assert_eq!(out.matches(": error: ").count(), 1, "{out}");
}

#[test]
fn the_binary_prints_errors_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("mpcc-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wrong.mpc");
    std::fs::write(&file, "fn main(garbler a: u8) -> u8 {\n    a + 300\n}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mpcc"))
        .arg("run")
        .arg(&file)
        .arg("1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let name = file.display().to_string();
    assert_eq!(
        err,
        format!("{name}:2:9: error: the literal `300` does not fit in `u8`\n2 |     a + 300\n  |         ^^^\n")
    );
    assert!(out.stdout.is_empty());
    let out = Command::new(env!("CARGO_BIN_EXE_mpcc"))
        .arg("compile")
        .arg(&file)
        .arg("-o")
        .arg(dir.join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.join("x").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dead_branches_are_type_checked() {
    // A branch that a public condition never takes is still checked for types...
    let src = "const DEBUG: bool = false;\nfn main(garbler a: u8) -> u8 {\n    let mut s = a;\n    if DEBUG { s = true; }\n    s\n}";
    expect(src, 4, 20, "expected `u8`, found `bool`");
    // ...but not for errors that only its own guard rules out.
    let src = "const N: u32 = 3;
fn main(garbler a: [u8; N]) -> u8 {
    let mut s: u8 = 0;
    for i in 0..N {
        if i + 1 < N { s += a[i + 1]; }
    }
    if N > 4 { s += a[4]; }
    s
}";
    let c = compiler::compile_source(src, "ok.mpc").unwrap();
    let bits = circuits::value::parse_inputs(&c, None, &["[1, 2, 3]".into()]).unwrap();
    assert_eq!(
        circuits::value::format_outputs(&c, &c.eval_bits(&bits).unwrap()),
        vec!["5"]
    );
}
