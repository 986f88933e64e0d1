//! Untyped integers: literals take their type from context, and literals
//! merged by a secret `if` stay untyped (with their range) until a use gives
//! them a type, as Rust's inference would.

fn run(src: &str, args: &[&str]) -> String {
    let c = compiler::compile_source(src, "t.mpc").unwrap_or_else(|e| panic!("{e}"));
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let bits = circuits::value::parse_inputs(&c, None, &args).unwrap();
    circuits::value::format_outputs(&c, &c.eval_bits(&bits).unwrap()).remove(0)
}

#[test]
fn secret_merge_of_literals_takes_its_type_later() {
    let src = "fn main(garbler a: u8, evaluator b: u8) -> u8 {
        let mut r = 0;
        if a > b { r = 1; } else if a == b { r = 2; } else { r = 3; }
        let x = { let y = r * 2; y + 1 };
        x
    }";
    assert_eq!(run(src, &["5", "3"]), "3");
    assert_eq!(run(src, &["3", "3"]), "5");
    assert_eq!(run(src, &["1", "3"]), "7");
    // The 128-bit intermediate costs nothing once truncated to u8: 8 + 7 for
    // the comparisons, the rest folds or is dead.
    let c = compiler::compile_source(src, "t.mpc").unwrap();
    assert!(c.and_count() <= 8 + 7 + 2 * 8, "{} ANDs", c.and_count());

    let src = "fn main(garbler a: u8, evaluator b: u8) -> (bool, u8, i16) {
        let mut r = 0;
        if a > b { r = 100; } else { r = -100; }
        let t = r * 3 - 1;
        (r < 0, a + (r + 100) as u8, t)
    }";
    assert_eq!(run(src, &["5", "3"]), "(false, 205, 299)");
    assert_eq!(run(src, &["1", "3"]), "(true, 1, -301)");
}

#[test]
fn ranges_are_checked_when_the_type_arrives() {
    let src = "fn main(garbler a: u8, evaluator b: u8) -> u8 {\n    let mut r = 0;\n    if a > b { r = 300; }\n    r\n}";
    let e = compiler::compile_source(src, "t.mpc")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "t.mpc:4:5: error: this integer may be any of 0..=300, which does not fit in `u8`"
        ),
        "{e}"
    );
}

#[test]
fn literals_adapt_to_context() {
    let src = "const K: u16 = 1000;
    fn main(garbler a: u16) -> (u16, i64, u8) {
        let k = 5;
        let mut n = 0;
        for i in 0..3 { n = n + a; }
        let neg: i64 = -k;
        (n + k + K, neg, (a as u8) << 1)
    }";
    assert_eq!(run(src, &["7"]), "(1026, -5, 14)");
}

/// A typed literal may be any value of its type, down to the minimum of a
/// wide signed type (beyond the 128-bit range of untyped integers).
#[test]
fn wide_negative_literals() {
    let min200 = format!(
        "-{}",
        "803469022129495137770981046170581301261101496891396417650688"
    );
    let src = format!(
        "const K: i200 = {min200};
         const M: i200 = -0x80000000000000000000000000000000000000000000000000;
         const L: i129 = -340282366920938463463374607431768211456;
         fn main(garbler a: i200) -> (i200, bool, i129, i128) {{
             (K, a == M, L, -170141183460469231731687303715884105728)
         }}"
    );
    assert_eq!(
        run(&src, &[&min200]),
        format!("({min200}, true, -340282366920938463463374607431768211456, -170141183460469231731687303715884105728)")
    );
    // One below the minimum does not fit, and says so.
    let src = "const K: i200 = -803469022129495137770981046170581301261101496891396417650689;
               fn main() -> i200 { K }";
    let e = compiler::compile_source(src, "t.mpc")
        .unwrap_err()
        .to_string();
    assert!(e.contains("does not fit in `i200`"), "{e}");
}
