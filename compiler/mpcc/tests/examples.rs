//! Every program in `examples/` run through the real `mpcc` binary, with its
//! expected output; and the compile / run round trip through both file formats.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn mpcc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mpcc"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn run(name: &str, values: &[&str]) -> String {
    let path = example(name);
    let mut args = vec!["run", path.to_str().unwrap()];
    args.extend_from_slice(values);
    let (code, out, err) = mpcc(&args);
    assert_eq!(code, 0, "{name}: {err}");
    out.trim_end().to_string()
}

fn seq(from: u32, step: u32, n: u32) -> String {
    let items: Vec<String> = (0..n).map(|i| (from + i * step).to_string()).collect();
    format!("[{}]", items.join(", "))
}

#[test]
fn millionaires() {
    assert_eq!(run("millionaires.mpc", &["100", "99"]), "true");
    assert_eq!(run("millionaires.mpc", &["99", "100"]), "false");
    assert_eq!(
        run("millionaires.mpc", &["18446744073709551615", "0"]),
        "true"
    );
}

#[test]
fn equality() {
    assert_eq!(run("equality.mpc", &["0xdeadbeef", "3735928559"]), "true");
    assert_eq!(run("equality.mpc", &["5", "6"]), "false");
}

#[test]
fn first_price_auction_with_reserve() {
    let bids = "[10, 70, 30, 70, 5, 60, 1, 2]";
    assert_eq!(
        run("first_price.mpc", &["50", bids]),
        "Sale { sold: true, winner: 1, price: 70 }"
    );
    assert_eq!(
        run("first_price.mpc", &["70", bids]),
        "Sale { sold: true, winner: 1, price: 70 }"
    );
    assert_eq!(
        run("first_price.mpc", &["71", bids]),
        "Sale { sold: false, winner: 0, price: 0 }"
    );
}

#[test]
fn vickrey_auction() {
    // Both formulations, the contract's and the lean one, agree everywhere.
    for program in ["vickrey.mpc", "vickrey_lean.mpc"] {
        // Bids 1..=64 shared as (bid, 0): bidder 63 wins and pays 63.
        assert_eq!(
            run(program, &[&seq(1, 1, 64), "[0; 64]"]),
            "Outcome { winner: 63, price: 63 }"
        );
        // Shares that XOR to bids: bid i = (i * 37 + 11) % 101 (ties
        // included; the first of equal highest bidders wins).
        for step in [37u32, 5, 0] {
            let bids: Vec<u32> = (0..64).map(|i| (i * step + 11) % 101).collect();
            let mask: Vec<u32> = (0..64).map(|i| i * 0x01010101 + 7).collect();
            let a: Vec<String> = bids
                .iter()
                .zip(&mask)
                .map(|(b, m)| (b ^ m).to_string())
                .collect();
            let b: Vec<String> = mask.iter().map(|m| m.to_string()).collect();
            let mut sorted: Vec<(u32, usize)> =
                bids.iter().enumerate().map(|(i, &v)| (v, i)).collect();
            sorted.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            let want = format!(
                "Outcome {{ winner: {}, price: {} }}",
                sorted[0].1, sorted[1].0
            );
            let (a, b) = (format!("[{}]", a.join(", ")), format!("[{}]", b.join(", ")));
            assert_eq!(run(program, &[&a, &b]), want, "{program}, step {step}");
        }
    }
    // 4n+8 AND gates per 32-bit bid instead of 5n+8.
    let and = |program: &str| {
        let path = example(program);
        let (code, out, err) = mpcc(&["stats", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .find(|l| l.starts_with("and: "))
            .unwrap()
            .to_string()
    };
    assert_eq!(and("vickrey.mpc"), "and: 10458");
    assert_eq!(and("vickrey_lean.mpc"), "and: 8505");
}

#[test]
fn secret_index_lookup() {
    let table = seq(100, 10, 10);
    for i in 0..10u32 {
        assert_eq!(
            run("lookup.mpc", &[&table, &i.to_string()]),
            (100 + 10 * i).to_string()
        );
    }
    assert_eq!(run("lookup.mpc", &[&table, "10"]), "0");
    assert_eq!(run("lookup.mpc", &[&table, "255"]), "0");
}

#[test]
fn one_program_per_feature() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "structs_and_consts.mpc",
            &["Point { x: 1, y: 2 }", "Point { x: 5, y: 7 }"],
            "Segment { from: Point { x: 1, y: 33 }, to: Point { x: 15, y: 7 } }",
        ),
        ("helpers.mpc", &["(1, 2)", "(4, 6)"], "25"),
        ("helpers.mpc", &["(10, 0)", "(4, 8)"], "100"),
        (
            "tuples.mpc",
            &["(7, true)", "((3, 4), true)"],
            "((true, 7), 8, (true,))",
        ),
        (
            "arrays.mpc",
            &["[1, 2, 3, 4, 5, 6]", "2", "6"],
            "([1, 2, 6, 4, 5, 6], 2, [1, 0, 18])",
        ),
        (
            "arrays.mpc",
            &["[1, 2, 3, 4, 5, 6]", "9", "6"],
            "([1, 2, 3, 4, 5, 6], 1, [1, 0, 18])",
        ),
        (
            "arrays.mpc",
            &["[1, 2, 3, 4, 5, 6]", "5", "9"],
            "([1, 2, 3, 4, 5, 9], 1, [1, 0, 27])",
        ),
        ("loops.mpc", &["1000", "7"], "[1990, 197568, 568, 55]"),
        ("branches.mpc", &["5", "-300"], "(5, 100, true)"),
        ("branches.mpc", &["-5", "3"], "(3, -8, false)"),
        ("casts.mpc", &["-3", "2000"], "(253, -3, 4294967293, 0, 2)"),
        ("who_learns.mpc", &["200", "300"], "(true, 500, 228)"),
        (
            "shifts.mpc",
            &["0x80000001", "-64", "3"],
            "(16, 8, -8, 268435456, 0)",
        ),
        (
            "shifts.mpc",
            &["0x80000001", "-64", "200"],
            "(16, 0, -1, 0, 0)",
        ),
        (
            "signed.mpc",
            &["-2147483648", "-1"],
            "(2147483647, -2147483648, -2147483648, 0, true, -2147483648)",
        ),
        ("signed.mpc", &["7", "0"], "(7, 0, -1, 7, false, -7)"),
        ("signed.mpc", &["-7", "2"], "(-5, -14, -3, -1, true, 7)"),
        (
            "wide.mpc",
            &["1", "2"],
            "(340282366920938463463374607431768211458, false, 3)",
        ),
        (
            "logic.mpc",
            &["[true, false, false]", "[false, false, true]"],
            "(true, true, true)",
        ),
        (
            "logic.mpc",
            &["[false, false, false]", "[false, false, false]"],
            "(false, false, false)",
        ),
        (
            "sort.mpc",
            &[
                "[5, 3, 99, 1, 0, 7, 7, 4000000000]",
                "[8, 2, 6, 1, 5, 5, 12, 11]",
            ],
            "[0, 1, 1, 2, 3, 5, 5, 5, 6, 7, 7, 8, 11, 12, 99, 4000000000]",
        ),
    ];
    for (name, values, want) in cases {
        assert_eq!(run(name, values), *want, "{name} {values:?}");
    }
}

#[test]
fn every_example_is_tested() {
    let src = include_str!("examples.rs");
    for entry in std::fs::read_dir(example("")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".mpc") {
            assert!(
                src.contains(&format!("\"{name}\"")),
                "examples/{name} has no expected output here"
            );
        }
    }
}

#[test]
fn compile_then_run_both_formats() {
    let dir = std::env::temp_dir().join(format!("mpcc-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = example("first_price.mpc");
    let (compiled, bristol) = (dir.join("fp.mpcc"), dir.join("fp.txt"));
    let (code, _, err) = mpcc(&[
        "compile",
        src.to_str().unwrap(),
        "-o",
        compiled.to_str().unwrap(),
        "--bristol",
        bristol.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let bids = "[10, 70, 30, 70, 5, 60, 1, 2]";
    let (code, out, err) = mpcc(&["run", compiled.to_str().unwrap(), "50", bids]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim_end(), "Sale { sold: true, winner: 1, price: 70 }");
    // The same source compiles to the same bytes every time.
    let again = dir.join("fp2.mpcc");
    mpcc(&[
        "compile",
        src.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&compiled).unwrap(),
        std::fs::read(&again).unwrap()
    );
    // Bristol keeps the function: reserve 50 as one value, 8 bids as 8 values of 32 bits.
    let c = circuits::format::read_file(&bristol, 1).unwrap();
    assert_eq!(c.inputs.len(), 2);
    let bid_values: [u128; 8] = [10, 70, 30, 70, 5, 60, 1, 2];
    let packed: Vec<String> = bid_values
        .iter()
        .rev()
        .map(|b| format!("{b:08x}"))
        .collect();
    let packed = format!("0x{}", packed.concat());
    let (code, out, err) = mpcc(&["run", bristol.to_str().unwrap(), "50", &packed]);
    assert_eq!(code, 0, "{err}");
    // Sale { sold: 1 (bit 0), winner: 1 (bits 1..9), price: 70 (bits 9..41) } as 41-bit hex.
    assert_eq!(out.trim_end(), format!("0x{:011x}", 1 | 1 << 1 | 70 << 9));
    let (code, stats, _) = mpcc(&["stats", compiled.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (_, stats_src, _) = mpcc(&["stats", src.to_str().unwrap()]);
    assert_eq!(stats, stats_src);
    assert!(stats.starts_with("and: "));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The Vickrey auction with a reserve price and an enum outcome, against a
/// reference written here in Rust.
#[test]
fn vickrey_with_reserve_and_enum_outcome() {
    fn reference(bids: &[u32], reserve: u32) -> String {
        let (mut first, mut second, mut winner) = (0u32, 0u32, 0usize);
        for (i, &b) in bids.iter().enumerate() {
            if b > first {
                second = first;
                first = b;
                winner = i;
            } else if b > second {
                second = b;
            }
        }
        if first < reserve {
            "Sale::NoSale".to_string()
        } else {
            format!(
                "Sale::Sold {{ winner: {winner}, price: {} }}",
                second.max(reserve)
            )
        }
    }
    let show = |v: &[u32]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let cases: &[([u32; 8], [u32; 8], u32)] = &[
        ([10, 70, 30, 65, 5, 60, 1, 2], [0; 8], 50),
        ([10, 70, 30, 65, 5, 60, 1, 2], [0; 8], 68),
        ([10, 70, 30, 65, 5, 60, 1, 2], [0; 8], 71),
        ([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 255], 0),
        (
            [0xdead, 7, 0xbeef, 9, 1, 1, 1, 1],
            [0xffff, 3, 0x1234, 9, 1, 0, 0, 0],
            100,
        ),
        ([9, 9, 9, 9, 9, 9, 9, 9], [0; 8], 9),
    ];
    for (a, b, reserve) in cases {
        let bids: Vec<u32> = a.iter().zip(b).map(|(x, y)| x ^ y).collect();
        assert_eq!(
            run(
                "vickrey_reserve.mpc",
                &[&show(a), &show(b), &reserve.to_string()]
            ),
            reference(&bids, *reserve),
            "{a:?} {b:?} {reserve}"
        );
    }
}

/// `mpcc explain` lists every line with its cost, and the lines add up to
/// the circuit's total.
#[test]
fn explain_lists_the_cost_of_each_line() {
    let path = example("vickrey_lean.mpc");
    let (code, out, err) = mpcc(&["explain", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let src = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), src.lines().count() + 2, "{out}");
    let mut sum = 0;
    for (l, s) in lines[1..lines.len() - 1].iter().zip(src.lines()) {
        assert!(l.ends_with(&format!("| {s}")), "{l}");
        if let Some(n) = l
            .split_whitespace()
            .next()
            .and_then(|x| x.parse::<usize>().ok())
        {
            sum += n;
        }
    }
    assert_eq!(sum, 8505);
    assert!(out.contains("        let leads = bid > first;"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("   2047    32 |         let leads = bid > first;")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("   4095") && l.contains("second.max(loser)")),
        "{out}"
    );
    assert!(
        lines.last().unwrap().starts_with("total: 8505 AND gates"),
        "{out}"
    );
}

#[test]
fn enums_match_and_option() {
    let run4 = |bids: &str, limit: &str| run("enums.mpc", &[bids, limit]);
    assert_eq!(
        run4(
            "[Bid::Amount(120), Bid::Missing, Bid::Amount(300), Bid::Amount(7)]",
            "500"
        ),
        "(Some(300), Band::Mid { price: 300 })"
    );
    assert_eq!(
        run4(
            "[Bid::Missing, Bid::Missing, Bid::Missing, Bid::Missing]",
            "500"
        ),
        "(None, Band::Low)"
    );
    assert_eq!(
        run4(
            "[Bid::Amount(50), Bid::Missing, Bid::Missing, Bid::Amount(99)]",
            "5"
        ),
        "(Some(99), Band::Low)"
    );
    assert_eq!(
        run4(
            "[Bid::Amount(500), Bid::Missing, Bid::Missing, Bid::Amount(99)]",
            "500"
        ),
        "(Some(500), Band::High(500, true))"
    );
    assert_eq!(
        run4(
            "[Bid::Amount(65535), Bid::Amount(1), Bid::Missing, Bid::Amount(2)]",
            "100"
        ),
        "(Some(65535), Band::High(65535, false))"
    );
}
