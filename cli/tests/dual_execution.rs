//! `--security dual-execution` end to end with two real processes on
//! 127.0.0.1 (plaintext): known answers, party-tagged outputs, many
//! computations on one connection, and a mix of modes refused on both
//! sides. The deviations a cheating side could try are in dualex's tests.

mod common;

use common::{evaluator, example, finish, free_addr, garbler, pair, scrape, shared, text};
use std::time::{Duration, Instant};

const DUAL: [&str; 2] = ["--security", "dual-execution"];

#[test]
fn known_answers_and_tagged_outputs() {
    let aes = shared("aes_128.txt");
    let (g, e, _, _) = pair(
        &[&DUAL[..], &["--circuit", &aes]].concat(),
        &["0x000102030405060708090a0b0c0d0e0f"],
        &["0x00112233445566778899aabbccddeeff", "--repeat", "3"],
    );
    assert_eq!(e, "0x69c4e0d86a7b0430d8cdb78070b4c55a\n".repeat(3));
    assert_eq!(g, e);
    let prog = example("first_price.mpc");
    let (g, e, _, _) = pair(
        &[&DUAL[..], &["--program", &prog]].concat(),
        &["500"],
        &["[10, 700, 3, 900, 900, 20, 0, 499]"],
    );
    assert_eq!(e, "Sale { sold: true, winner: 3, price: 900 }\n");
    assert_eq!(g, e);
    // Each side prints only the parts revealed to it.
    let prog = example("who_learns.mpc");
    let (g, e, _, _) = pair(
        &[&DUAL[..], &["--program", &prog]].concat(),
        &["200"],
        &["300"],
    );
    assert_eq!(e, "(true, 500)\n");
    assert_eq!(g, format!("({}, {})\n", true, 200 ^ (300 & 0xff)));
}

#[test]
fn a_mix_of_modes_is_refused_on_both_sides() {
    let prog = example("millionaires.mpc");
    for (g_mode, e_mode) in [(&DUAL[..], &[][..]), (&[][..], &DUAL[..])] {
        let (g, addr, gerr) = garbler(&[g_mode, &["--program", &prog, "5"]].concat());
        let e = evaluator(&addr, &[e_mode, &["--program", &prog, "7"]].concat());
        let (code, gout, gerr) = finish(g, gerr);
        let eerr = text(&e.stderr);
        assert_eq!(code, Some(1), "{gerr}");
        assert_eq!(e.status.code(), Some(1), "{eerr}");
        for err in [&gerr, &eerr] {
            assert!(err.contains("security modes differ"), "{err}");
            assert!(
                err.contains("use the same --security on both sides"),
                "{err}"
            );
        }
        assert!(gout.is_empty() && e.stdout.is_empty());
    }
}

/// `garbler --serve` runs dual-execution sessions under the service's
/// budget and metrics: sessions one after another against one fixed input,
/// the budget refusing the peer past its computations with a message both
/// sides print, every computation and refusal counted.
#[test]
fn serve_runs_dual_execution_under_budgets_and_metrics() {
    let prog = example("millionaires.mpc");
    let maddr = free_addr();
    let (mut g, addr, gerr) = garbler(
        &[
            &DUAL[..],
            &["--serve", "--program", &prog, "--metrics", &maddr],
            &["--max-computations-per-peer", "3", "1000"],
        ]
        .concat(),
    );
    let run = |args: &[&str]| evaluator(&addr, &[&DUAL[..], &["--program", &prog], args].concat());
    let e = run(&["--repeat", "2", "5"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    assert_eq!(text(&e.stdout), "true\ntrue\n");
    let e = run(&["2000"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    assert_eq!(text(&e.stdout), "false\n");
    // The fourth computation of this peer is past its budget.
    let e = run(&["7"]);
    assert_eq!(e.status.code(), Some(1));
    assert!(e.stdout.is_empty());
    let err = text(&e.stderr);
    assert!(err.contains("budget"), "{err}");
    let start = Instant::now();
    let metrics = loop {
        let m = scrape(&maddr);
        if m.contains("garbler_active_sessions 0\n")
            && m.contains("garbler_budget_refusals_total 1\n")
        {
            break m;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{m}");
        std::thread::sleep(Duration::from_millis(50));
    };
    for line in [
        "garbler_computations_total 3\n",
        "garbler_sessions_finished_total 2\n",
        "garbler_equality_check_failures_total 0\n",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    assert!(metrics.contains("cause=\"budget\"} 1\n"), "{metrics}");
    let _ = g.kill();
    let (_, gout, gerr) = finish(g, gerr);
    // The garbler prints what it learns of each computation that passed.
    assert_eq!(gout, "true\ntrue\nfalse\n", "{gerr}");
}

#[test]
fn dual_execution_runs_half_gates_only() {
    let prog = example("millionaires.mpc");
    for (bin, at) in [
        (env!("CARGO_BIN_EXE_garbler"), "--listen"),
        (env!("CARGO_BIN_EXE_evaluator"), "--connect"),
    ] {
        let out = std::process::Command::new(bin)
            .args([at, "127.0.0.1:0"])
            .args(["--insecure-plaintext", "--scheme", "three-halves"])
            .args(DUAL)
            .args(["--program", &prog, "5"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(
            err.contains("--security dual-execution runs half-gates, not --scheme three-halves"),
            "{err}"
        );
    }
}
