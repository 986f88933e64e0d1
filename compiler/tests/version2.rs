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

const SHAPES: &str = "enum Shape { Dot, Line(u8), Box(u8, u8) }
enum Sale { NoSale, Sold { winner: u8, price: u32 } }
fn area(s: Shape) -> u16 {
    match s {
        Shape::Dot => 0,
        Shape::Line(n) => n as u16,
        Shape::Box(w, h) => (w as u16) * (h as u16),
    }
}
";

#[test]
fn enums_and_match_on_secret_values() {
    let src = format!(
        "{SHAPES}
fn main(garbler a: u32, evaluator b: u32, evaluator s: Shape) -> (Sale, u16, u8) {{
    let sale = if a > b {{ Sale::Sold {{ winner: 1, price: b }} }} else {{ Sale::NoSale }};
    let class = match a {{
        0 => 0u8,
        1..=9 => 1,
        10..=99 => 2,
        _ => 3,
    }};
    (sale, area(s), class)
}}"
    );
    // The expected values follow the definitions by hand: 3 * 4 = 12, 50 is
    // in 10..=99, and 50 > 30 sells at 30.
    assert_eq!(
        run(&src, &["50", "30", "Shape::Box(3, 4)"]),
        "(Sale::Sold { winner: 1, price: 30 }, 12, 2)"
    );
    assert_eq!(
        run(&src, &["5", "30", "Shape::Line(9)"]),
        "(Sale::NoSale, 9, 1)"
    );
    assert_eq!(run(&src, &["0", "0", "Shape::Dot"]), "(Sale::NoSale, 0, 0)");
    assert_eq!(
        run(&src, &["4000000000", "1", "Shape::Box(255, 255)"]),
        "(Sale::Sold { winner: 1, price: 1 }, 65025, 3)"
    );
}

#[test]
fn arms_in_order_tuples_ranges_and_negative_literals() {
    let src = "fn main(garbler a: i8, evaluator b: bool) -> u8 {
        match (a, b) {
            (-128..=-1, true) => 1,
            (-128..=-1, false) => 2,
            (0, _) => 3,
            (_, true) => 4,
            (5..=9, _) => 5,
            _ => 6,
        }
    }";
    let want = |a: i8, b: bool| -> u8 {
        if a < 0 {
            if b {
                1
            } else {
                2
            }
        } else if a == 0 {
            3
        } else if b {
            4
        } else if (5..=9).contains(&a) {
            5
        } else {
            6
        }
    };
    for a in [-128i8, -5, -1, 0, 1, 5, 9, 10, 127] {
        for b in [false, true] {
            assert_eq!(
                run(src, &[&a.to_string(), &b.to_string()]),
                want(a, b).to_string(),
                "{a} {b}"
            );
        }
    }
}

#[test]
fn option_prelude() {
    let src = "fn first_even(v: [u8; 4]) -> Option<u8> {
        let mut r: Option<u8> = None;
        for i in 0..4 {
            let x = v[3 - i];
            if x % 2 == 0 { r = Some(x); }
        }
        r
    }
    fn main(garbler v: [u8; 4], evaluator o: Option<u16>) -> (Option<u8>, u16, Option<u16>, bool) {
        let e = first_even(v);
        let d = match o { Some(x) => x, None => 7 };
        let m: Option<u16> = match o { Some(x) => Some(x + 1), None => None };
        (e, d, m, e == None)
    }";
    assert_eq!(
        run(src, &["[1, 3, 4, 6]", "Some(41)"]),
        "(Some(4), 41, Some(42), false)"
    );
    assert_eq!(run(src, &["[1, 3, 5, 7]", "None"]), "(None, 7, None, true)");
    let e = error("fn main(garbler a: u8) -> u8 { let x = None; a }");
    assert!(e.contains("the type of `None` is not known here"), "{e}");
}

#[test]
fn public_scrutinee_compiles_only_the_matching_arm() {
    let src = format!(
        "{SHAPES}
fn main(garbler a: u16, evaluator b: u16) -> u16 {{
    let s = Shape::Box(2, 3);
    match s {{ Shape::Box(w, h) => a * b + (w * h) as u16, _ => a / b }}
}}"
    );
    let c = compiler::compile_source(&src, "t.mpc").unwrap();
    let mul = compiler::compile_source(
        "fn main(garbler a: u16, evaluator b: u16) -> u16 { a * b + 6 }",
        "t.mpc",
    )
    .unwrap();
    assert_eq!(c.and_count(), mul.and_count());
    // A secret scrutinee merges like an `if` per arm: with two arms of a
    // two-variant enum, one multiplexer of the result (16) and no tag test.
    let src = "fn main(garbler o: Option<u16>, evaluator b: u16) -> u16 {
        match o { Some(x) => x, None => b }
    }";
    let c = compiler::compile_source(src, "t.mpc").unwrap();
    assert_eq!(c.and_count(), 16);
}

#[test]
fn match_errors() {
    let cases: &[(&str, &str)] = &[
        ("match o { Some(v) => v }", "`None` is not matched"),
        ("match o { None => 1u8 }", "`Some(_)` is not matched"),
        (
            "match a { 0..=9 => 1u8, 10..=200 => 2 }",
            "`201` is not matched",
        ),
        (
            "match (a, o) { (0, _) => 1u8, (_, None) => 2 }",
            "`(1, Some(_))` is not matched",
        ),
        (
            "match s { Shape::Dot => 1u8, Shape::Line(_) => 2 }",
            "`Shape::Box(_, _)` is not matched",
        ),
        (
            "match s { Dot => 1u8, _ => 2 }",
            "`Dot` is a variant: write `Shape::Dot`",
        ),
        (
            "match s { Shape::Box(x) => 1u8, _ => 2 }",
            "the variant is written `Shape::Box(_, _)`",
        ),
        (
            "match s { Shape::Circle => 1u8, _ => 2 }",
            "`Shape` has no variant `Circle`",
        ),
        (
            "match a { true => 1u8, _ => 2 }",
            "a `bool` pattern cannot match a value of type `u8`",
        ),
        (
            "match o { Some(300) => 1u8, _ => 2 }",
            "the pattern `300` does not fit in `u8`",
        ),
        (
            "match a { 9..=1 => 1u8, _ => 2 }",
            "the range 9..=1 is empty",
        ),
        ("match a { 0 => 1u8, _ => true }", "different types"),
        (
            "let t = Shape::Line; 0",
            "`Shape::Line` is written `Shape::Line(_)`",
        ),
        (
            "let t = Sale::Sold { winner: 1 }; 0",
            "missing the field `price` of `Sale::Sold`",
        ),
        (
            "let t = Shape::Square; 0",
            "`Shape` has no variant `Square`",
        ),
        ("let t = Color::Red; 0", "unknown enum `Color`"),
    ];
    for (body, want) in cases {
        let src = format!(
            "enum Shape {{ Dot, Line(u8), Box(u8, u8) }}\nenum Sale {{ NoSale, Sold {{ winner: u8, price: u32 }} }}\nfn main(garbler a: u8, evaluator o: Option<u8>, evaluator s: Shape) -> u8 {{\n    {body}\n}}"
        );
        let e = error(&src);
        assert!(e.contains(want), "{body}: {e}");
        assert!(e.starts_with("t.mpc:4:"), "{body}: {e}");
    }
    let e = error("enum E { A, A }\nfn main() -> u8 { 0 }");
    assert!(e.contains("the variant `A` is declared twice"), "{e}");
    let e = error("enum E { A(E) }\nfn main() -> u8 { 0 }");
    assert!(e.contains("contains itself"), "{e}");
    let e = error("enum E { }\nfn main() -> u8 { 0 }");
    assert!(e.contains("has no variants"), "{e}");
}

#[test]
fn who_learns_what() {
    use circuits::Party;
    let src = "fn main(garbler a: u8, evaluator b: u8) -> (u8, evaluator bool, garbler u16) {
        (a ^ b, a < b, (a as u16) * (b as u16))
    }";
    let c = compiler::compile_source(src, "t.mpc").unwrap();
    let parties: Vec<(String, Option<Party>)> = c
        .outputs
        .iter()
        .map(|o| (o.name.clone(), o.party))
        .collect();
    assert_eq!(
        parties,
        [
            ("result.0".to_string(), None),
            ("result.1".to_string(), Some(Party::Evaluator)),
            ("result.2".to_string(), Some(Party::Garbler)),
        ]
    );
    // The parties survive the compiled format.
    let again = circuits::format::from_bytes(&circuits::format::to_bytes(&c)).unwrap();
    assert_eq!(again, c);
    let bits = circuits::value::parse_inputs(&c, None, &["12".into(), "10".into()]).unwrap();
    let out = c.eval_bits(&bits).unwrap();
    use circuits::value::format_result;
    assert_eq!(format_result(&c, &out, None).unwrap(), "(6, false, 120)");
    assert_eq!(
        format_result(&c, &out, Some(Party::Evaluator)).unwrap(),
        "(6, false)"
    );
    assert_eq!(
        format_result(&c, &out, Some(Party::Garbler)).unwrap(),
        "(6, 120)"
    );

    let src = "fn main(garbler a: u8, evaluator b: u8) -> evaluator u8 { a + b }";
    let c = compiler::compile_source(src, "t.mpc").unwrap();
    assert_eq!(c.outputs[0].party, Some(Party::Evaluator));
    let bits = circuits::value::parse_inputs(&c, None, &["1".into(), "2".into()]).unwrap();
    let out = c.eval_bits(&bits).unwrap();
    assert_eq!(
        format_result(&c, &out, Some(Party::Evaluator)).unwrap(),
        "3"
    );
    assert_eq!(format_result(&c, &out, Some(Party::Garbler)), None);

    // No party: one output both learn, as in version 1.
    let c =
        compiler::compile_source("fn main(garbler a: u8) -> (u8, u8) { (a, a) }", "t.mpc").unwrap();
    assert_eq!(c.outputs.len(), 1);
    assert_eq!(c.outputs[0].party, None);

    let e = error("fn f(a: u8) -> evaluator u8 { a }\nfn main(garbler a: u8) -> u8 { f(a) }");
    assert!(e.contains("only `main`'s result says who learns it"), "{e}");
}

/// The exhaustiveness check stays fast on wide tuples (2^24 and 256^16
/// values here); past a step limit it would ask for a `_` arm instead.
#[test]
fn exhaustiveness_is_bounded() {
    let pats = |n: usize, at: usize, p: &str| {
        let v: Vec<&str> = (0..n).map(|i| if i == at { p } else { "_" }).collect();
        format!("({})", v.join(", "))
    };
    let n = 24;
    let mut arms: Vec<String> = (0..n)
        .map(|i| format!("{} => {i}u8,", pats(n, i, "true")))
        .collect();
    arms.push(format!("({}) => 99u8,", vec!["false"; n].join(", ")));
    let src = format!(
        "fn main(garbler t: ({})) -> u8 {{ match t {{ {} }} }}",
        vec!["bool"; n].join(", "),
        arms.join(" ")
    );
    let start = std::time::Instant::now();
    let c = compiler::compile_source(&src, "t.mpc").unwrap();
    assert!(c.and_count() > 0);
    let n = 16;
    let mut arms: Vec<String> = (0..n)
        .map(|i| format!("{} => {i}u8,", pats(n, i, "0")))
        .collect();
    arms.push(format!("({}) => 99u8,", vec!["1..=255"; n].join(", ")));
    let src = format!(
        "fn main(garbler t: ({})) -> u8 {{ match t {{ {} }} }}",
        vec!["u8"; n].join(", "),
        arms.join(" ")
    );
    assert!(compiler::compile_source(&src, "t.mpc").is_ok());
    // Without the last arm, the missing case is named.
    let last = format!("({}) => 99u8,", vec!["1..=255"; n].join(", "));
    let e = error(&src.replace(&last, ""));
    let missing = format!("`({})` is not matched", vec!["1"; n].join(", "));
    assert!(e.contains(&missing), "{e}");
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// The circuit digest (what the parties compare before they run) covers who
/// learns each output and the whole shape of enum types.
#[test]
fn digest_covers_parties_and_enum_shapes() {
    let d = |src: &str| compiler::compile_source(src, "t.mpc").unwrap().digest();
    let a = d("fn main(garbler a: u8, evaluator b: u8) -> (u8, evaluator u8) { (a, b) }");
    let b = d("fn main(garbler a: u8, evaluator b: u8) -> (u8, garbler u8) { (a, b) }");
    let c = d("fn main(garbler a: u8, evaluator b: u8) -> (u8, u8) { (a, b) }");
    assert_ne!(a, b);
    assert_ne!(a, c);
    let e1 = d("enum E { A, B(u8) }\nfn main(garbler a: E) -> E { a }");
    let e2 = d("enum E { A, C(u8) }\nfn main(garbler a: E) -> E { a }");
    assert_ne!(e1, e2);
}

/// An assignment may end a block without `;`, as in Rust; elsewhere the
/// missing `;` is reported where it is missing.
#[test]
fn assignment_at_the_end_of_a_block() {
    let src = "fn main(garbler a: u8, evaluator c: bool) -> u8 {
        let mut x = 0u8;
        if c { x = a } else { x = a + 1 }
        for i in 0..2 { x += 1 }
        x
    }";
    assert_eq!(run(src, &["5", "true"]), "7");
    assert_eq!(run(src, &["5", "false"]), "8");
    let e = error("fn main(garbler a: u8) -> u8 { let mut x = a; x = 1 x }");
    assert!(
        e.contains("t.mpc:1:52: error: syntax error: expected `;`"),
        "{e}"
    );
}
