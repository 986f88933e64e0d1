//! Parsing time is close to linear in the input, whatever the input: unclosed
//! brackets, braces and parentheses of any depth, up to and past the nesting
//! limit, end with a clear error at once, and well-formed nesting up to the
//! limit compiles quickly. The bounds are generous (a second), far above the
//! milliseconds these take, and far below the minutes an exponential parser
//! took at depth 28.

use std::time::{Duration, Instant};

const LIMIT: usize = 200;

fn timed(src: &str) -> (Result<circuits::Circuit, compiler::CompileErrors>, Duration) {
    let t = Instant::now();
    let r = compiler::compile_source(src, "n.mpc");
    (r, t.elapsed())
}

fn assert_fast_error(src: &str, what: &str) {
    let (r, took) = timed(src);
    let e = match r {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{what}: compiled"),
    };
    assert!(e.starts_with("n.mpc:"), "{what}: {e}");
    assert!(e.contains("error: "), "{what}: {e}");
    assert!(took < Duration::from_secs(1), "{what}: took {took:?}");
}

#[test]
fn unclosed_nesting_fails_fast() {
    for depth in (1..=LIMIT + 20).step_by(1) {
        let open = |c: &str| c.repeat(depth);
        let cases = [
            format!(
                "fn main(garbler a: [u8; 4]) -> u8 {{ let x: u8 = a{}; x }}",
                open("[")
            ),
            format!("fn main(garbler a: [u8; 4]) -> u8 {{ a{} }}", open("[")),
            format!(
                "fn main(garbler a: u8) -> u8 {{ let x: u8 = {}a; x }}",
                open("{")
            ),
            format!("fn main(garbler a: u8) -> u8 {{ {}a }}", open("{")),
            format!(
                "fn main(garbler a: u8) -> u8 {{ let x: u8 = {}a; x }}",
                open("(")
            ),
            format!("fn main(garbler a: u8) -> u8 {{ {}a }}", open("(")),
            format!("fn main(garbler a: u8) -> u8 {{ x = {}a; }}", open("[a + ")),
            format!("fn main(garbler a: u8) -> u8 {{ {} }}", open("if a {")),
            format!("fn main(garbler a: u8) -> u8 {{ {} }}", open("f(")),
            format!("fn main(garbler a: u8) -> u8 {{ {} }}", open("S { x: ")),
            format!("fn main(garbler a: u8) -> u8 {{ {} }}", open("a.min(")),
            format!("fn main(garbler a: u8) -> u8 {{ {} }}", open("a[{ a[")),
            format!(
                "fn main(garbler a: u8) -> [u8; 1] {{ let x: {} = a; }}",
                open("[")
            ),
            format!("const K: u8 = {};", open("[(")),
            format!("fn main(garbler a: u8) -> u8 {{ {} }}", open("E::V(")),
            format!("fn main(garbler a: u8) -> u8 {{ {} }}", open("E::V { f: ")),
            format!(
                "fn main(garbler a: u8) -> u8 {{ {} }}",
                open("match a { _ => ")
            ),
            format!(
                "fn main(garbler a: u8) -> u8 {{ match a {{ {} }} }}",
                open("(")
            ),
            format!(
                "fn main(garbler a: u8) -> u8 {{ match a {{ {} }} }}",
                open("E::V(")
            ),
            format!("fn main(garbler a: {}) -> u8 {{ 0 }}", open("Option<")),
            format!("fn main(garbler a: u8) -> {} {{ 0 }}", open("(evaluator ")),
            format!("enum E {{ V({}) }}", open("(")),
            format!("fn main(garbler a: u8) -> u8 {{ {}a }}", open("/* ")),
        ];
        for (k, src) in cases.iter().enumerate() {
            assert_fast_error(src, &format!("case {k} at depth {depth}"));
        }
    }
}

#[test]
fn deep_wellformed_nesting_compiles_quickly() {
    // Each kind of nesting, to one level under the limit (the function body's
    // braces count too), compiles quickly and gives its value.
    let d = LIMIT - 2;
    let parens = format!(
        "fn main(garbler a: u8) -> u8 {{ {}a{} }}",
        "(".repeat(d),
        ")".repeat(d)
    );
    let braces = format!(
        "fn main(garbler a: u8) -> u8 {{ {}a{} }}",
        "{".repeat(d),
        "}".repeat(d)
    );
    let arrays = format!(
        "fn main(garbler a: u8) -> u8 {{ let x = {}a{}; a }}",
        "[".repeat(d),
        "]".repeat(d)
    );
    let ifs = format!(
        "fn main(garbler a: u8) -> u8 {{ {}a{} }}",
        "if a > 1 { ".repeat(d / 2),
        " } else { 0 }".repeat(d / 2)
    );
    for src in [&parens, &braces, &arrays, &ifs] {
        let (r, took) = timed(src);
        let c = r.unwrap_or_else(|e| panic!("{e}"));
        assert!(took < Duration::from_secs(1), "took {took:?}");
        assert_eq!(c.inputs.len(), 1);
    }
    // One level deeper than the limit is refused with the limit named.
    let over = format!(
        "fn main(garbler a: u8) -> u8 {{ {}a{} }}",
        "(".repeat(LIMIT + 1),
        ")".repeat(LIMIT + 1)
    );
    let e = compiler::compile_source(&over, "n.mpc")
        .unwrap_err()
        .to_string();
    assert!(e.contains("nesting deeper than 200"), "{e}");
}

#[test]
fn parse_time_is_linear_in_length() {
    // Doubling a long program of nested and repeated constructs roughly
    // doubles the time: compare 4x the input with 1x, allowing a wide margin.
    let unit = "let x: u8 = [[a, (a + 1)], [{ a }, if a > 1 { a } else { 2 }]][1][0] + s.min(a);\n";
    let prog = |n: usize| {
        format!(
            "fn main(garbler a: u8) -> u8 {{ let s: u8 = a; {} a }}",
            unit.repeat(n)
        )
    };
    let small = prog(250);
    let large = prog(1000);
    // Warm up, then take the best of five for each size: the machine may be
    // shared, and only a gross departure from linear time should fail.
    let best = |s: &str| (0..5).map(|_| timed(s).1).min().unwrap_or_default();
    let _ = timed(&small);
    let (ts, tl) = (best(&small), best(&large));
    assert!(timed(&large).0.is_ok());
    assert!(
        tl < ts * 16 + Duration::from_millis(200),
        "4x the input took {tl:?} against {ts:?}"
    );
}
