//! `--security dual-execution` end to end with two real processes on
//! 127.0.0.1 (plaintext): known answers, party-tagged outputs, many
//! computations on one connection, and a mix of modes refused on both
//! sides. The deviations a cheating side could try are in dualex's tests.

mod common;

use common::{evaluator, example, finish, garbler, pair, shared, text};

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

#[test]
fn serve_refuses_dual_execution_with_a_reason() {
    let prog = example("millionaires.mpc");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_garbler"))
        .args(["--listen", "127.0.0.1:0", "--insecure-plaintext", "--serve"])
        .args(DUAL)
        .args(["--program", &prog, "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("--serve runs semi-honest sessions"), "{err}");
}
