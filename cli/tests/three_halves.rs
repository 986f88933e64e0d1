//! The three-halves scheme end to end with two real processes on 127.0.0.1
//! (plaintext): known answers, the bytes per AND gate in `--stats`, and a
//! scheme mismatch refused at the handshake on both sides.

mod common;

use common::{evaluator, example, field, finish, garbler, json_line, pair, shared, text};

#[test]
fn known_answers_with_three_halves() {
    let aes = shared("aes_128.txt");
    let (g, e, _, _) = pair(
        &["--scheme", "three-halves", "--circuit", &aes],
        &["0x000102030405060708090a0b0c0d0e0f"],
        &["0x00112233445566778899aabbccddeeff"],
    );
    assert_eq!(e, "0x69c4e0d86a7b0430d8cdb78070b4c55a\n");
    assert_eq!(g, e);
    let sha = shared("sha256.txt");
    let (g, e, _, _) = pair(
        &["--scheme", "three-halves", "--circuit", &sha],
        &["0x61626380000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000018"],
        &["0x6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19"],
    );
    assert_eq!(
        e,
        "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
    );
    assert_eq!(g, e);
    let prog = example("first_price.mpc");
    let (g, e, _, _) = pair(
        &["--scheme", "three-halves", "--program", &prog],
        &["500"],
        &["[10, 700, 3, 900, 900, 20, 0, 499]"],
    );
    assert_eq!(e, "Sale { sold: true, winner: 3, price: 900 }\n");
    assert_eq!(g, e);
}

#[test]
fn stats_show_under_25_bytes_per_and_gate() {
    // 40,960 AND gates for 64 input bits: the tables are nearly all the
    // traffic.
    let dir = std::env::temp_dir().join(format!("three-halves-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let prog = dir.join("chain.mpc");
    std::fs::write(
        &prog,
        "fn main(garbler a: u32, evaluator b: u32) -> u32 {\n    let mut x: u32 = a;\n    for i in 0..40 {\n        x = x * b + a;\n    }\n    x\n}\n",
    )
    .unwrap();
    let prog = prog.to_string_lossy().into_owned();
    let want = {
        let mut x: u32 = 3;
        for _ in 0..40 {
            x = x.wrapping_mul(5).wrapping_add(3);
        }
        format!("{x}\n")
    };
    let mut per_and = Vec::new();
    for scheme in ["half-gates", "three-halves"] {
        let (g, e, gerr, eerr) = pair(
            &["--scheme", scheme, "--program", &prog, "--stats"],
            &["3"],
            // Garbling on request: the bytes of the scheme alone, without
            // the computation the garbler keeps garbled ahead at the end.
            &["5", "--repeat", "4", "--pregarble", "0"],
        );
        assert_eq!(e, want.repeat(4));
        assert_eq!(g, e);
        let (gj, ej) = (json_line(&gerr), json_line(&eerr));
        for j in [&gj, &ej] {
            assert_eq!(field(j, "scheme"), scheme, "{j}");
            assert_eq!(field(j, "and_gates"), "163840", "{j}");
        }
        let tables: f64 = field(&gj, "table_bytes_per_and").parse().unwrap();
        let all: f64 = field(&gj, "bytes_per_and").parse().unwrap();
        assert_eq!(
            field(&ej, "table_bytes_per_and"),
            field(&gj, "table_bytes_per_and")
        );
        per_and.push((tables, all));
    }
    let ((hg_tables, hg_all), (th_tables, th_all)) = (per_and[0], per_and[1]);
    assert_eq!(hg_tables, 32.0);
    assert!(th_tables <= 24.63, "{th_tables}");
    assert!(
        th_all <= 25.0,
        "three-halves sends {th_all} bytes per AND gate in all"
    );
    assert!(hg_all > 32.0 && hg_all < 32.5, "{hg_all}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn different_schemes_fail_the_handshake_naming_both() {
    let aes = shared("aes_128.txt");
    let (g, addr, gerr) = garbler(&["--circuit", &aes, "--scheme", "three-halves", "0"]);
    let e = evaluator(&addr, &["--circuit", &aes, "0"]);
    let (code, _, gerr) = finish(g, gerr);
    let eerr = text(&e.stderr);
    assert_eq!((code, e.status.code()), (Some(1), Some(1)));
    assert!(
        gerr.contains("handshake")
            && gerr.contains("this side runs three-halves, the peer runs half-gates"),
        "{gerr}"
    );
    assert!(
        eerr.contains("handshake")
            && eerr.contains("this side runs half-gates, the peer runs three-halves"),
        "{eerr}"
    );
    // An unknown name is refused before anything starts.
    let e = evaluator(
        &addr,
        &["--circuit", &aes, "--scheme", "quarter-gates", "0"],
    );
    assert_eq!(e.status.code(), Some(2));
    assert!(
        text(&e.stderr).contains("quarter-gates"),
        "{}",
        text(&e.stderr)
    );
}
