//! `mpcc run` and `mpcc stats` on the reference Bristol circuits, through the
//! real binary: the known answers and gate counts of ../shared/bristol/README.md.

use std::path::PathBuf;
use std::process::Command;

fn shared(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/bristol")
        .join(name);
    p.to_string_lossy().into_owned()
}

fn mpcc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mpcc"))
        .args(args)
        .output()
        .expect("mpcc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_ok(file: &str, values: &[&str]) -> String {
    let path = shared(file);
    let mut args = vec!["run", path.as_str()];
    args.extend_from_slice(values);
    let (code, out, err) = mpcc(&args);
    assert_eq!(code, 0, "{file}: {err}");
    out
}

#[test]
fn known_answers_from_the_command_line() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("aes_128.txt", &["0x000102030405060708090a0b0c0d0e0f", "0x00112233445566778899aabbccddeeff"], "0x69c4e0d86a7b0430d8cdb78070b4c55a\n"),
        ("aes_128.txt", &["0x2b7e151628aed2a6abf7158809cf4f3c", "0x6bc1bee22e409f96e93d7e117393172a"], "0x3ad77bb40d7a3660a89ecaf32466ef97\n"),
        ("aes_128.txt", &["0", "0"], "0x66e94bd4ef8a2c3b884cfa59ca342b2e\n"),
        (
            "sha256.txt",
            &[
                "0x61626380000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000018",
                "0x6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19",
            ],
            "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n",
        ),
        ("adder64.txt", &["18446744073709551615", "2"], "0x0000000000000001\n"),
        ("sub64.txt", &["5", "7"], "0xfffffffffffffffe\n"),
        ("mult64.txt", &["0xfedcba9876543210", "0x0123456789abcdef"], "0x2236d88fe5618cf0\n"),
        ("mult2_64.txt", &["0xfedcba9876543210", "0x0123456789abcdef"], "0x0121fa00ad77d742\n0x2236d88fe5618cf0\n"),
        ("divide64.txt", &["0xfffffffffff0bdbd", "77"], "0xffffffffffffcd45\n"),
        ("udivide64.txt", &["1000003", "77"], "0x00000000000032bb\n"),
        ("neg64.txt", &["1"], "0xffffffffffffffff\n"),
        ("zero_equal.txt", &["0"], "0x1\n"),
        ("zero_equal.txt", &["0x100"], "0x0\n"),
    ];
    for (file, values, want) in cases {
        assert_eq!(run_ok(file, values), *want, "{file} {values:?}");
    }
    let p = format!("0x8{}1", "0".repeat(126));
    let b = format!("0x1{}", "0".repeat(125));
    let want = format!("0x001{}5\n", "0".repeat(124));
    assert_eq!(run_ok("ModAdd512.txt", &["5", &b, &p]), want);
}

#[test]
fn stats_give_the_reference_gate_counts() {
    let expected = [
        ("adder64.txt", 63, 313, 0),
        ("sub64.txt", 63, 313, 63),
        ("neg64.txt", 62, 63, 64),
        ("mult64.txt", 4033, 9642, 0),
        ("mult2_64.txt", 8128, 19904, 0),
        ("divide64.txt", 4664, 24817, 445),
        ("udivide64.txt", 4094, 24063, 127),
        ("zero_equal.txt", 63, 0, 64),
        ("aes_128.txt", 6400, 28176, 2087),
        ("sha256.txt", 22573, 110644, 1856),
    ];
    for (file, and, xor, inv) in expected {
        let (code, out, err) = mpcc(&["stats", &shared(file)]);
        assert_eq!(code, 0, "{err}");
        let field = |name: &str| -> usize {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_else(|| panic!("{file}: no `{name}:` line in {out}"))
                .parse()
                .unwrap()
        };
        assert_eq!(
            (field("and"), field("xor"), field("inv")),
            (and, xor, inv),
            "{file}"
        );
        assert!(field("and_depth") > 0 && field("wires") > 0, "{file}");
    }
}

#[test]
fn bad_input_is_a_clear_error_with_exit_1() {
    let aes = shared("aes_128.txt");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["run", &aes, "0"], "expected 2 values"),
        (vec!["run", &aes, "0", "0", "0"], "expected 2 values"),
        (
            vec!["run", &aes, "0", "0x1ffffffffffffffffffffffffffffffff"],
            "does not fit in 128 bits",
        ),
        (vec!["run", &aes, "0", "-1"], "negative"),
        (vec!["run", &aes, "0", "12z"], "bad digit"),
        (vec!["run", "/nonexistent/circuit.txt", "0"], "cannot read"),
        (vec!["stats", "/nonexistent/circuit.txt"], "cannot read"),
    ];
    for (args, needle) in cases {
        let (code, out, err) = mpcc(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // A truncated file names the line.
    let dir = std::env::temp_dir().join(format!("mpcc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(&aes).unwrap();
    let cut = dir.join("cut.txt");
    let half = text[..text.len() / 2].rfind('\n').unwrap();
    std::fs::write(&cut, &text[..=half]).unwrap();
    let (code, _, err) = mpcc(&["stats", cut.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("truncated file") && err.contains("line"),
        "{err}"
    );
    std::fs::write(&cut, format!("{}2 1 0 1", &text[..=half])).unwrap();
    let (code, _, err) = mpcc(&["stats", cut.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("truncated gate line"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_prints_its_aes_path_throughputs_bytes_per_and_and_the_crossover() {
    for (scheme, max_bytes) in [("half-gates", 32.0), ("three-halves", 25.0)] {
        let (code, out, err) = mpcc(&[
            "bench",
            &shared("adder64.txt"),
            "--seconds",
            "0.05",
            "--scheme",
            scheme,
        ]);
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            ["path: avx512", "path: vaes256", "path: portable"].contains(&lines[0]),
            "{out}"
        );
        assert_eq!(lines[1], format!("scheme: {scheme}"));
        let names: Vec<&str> = lines[2..]
            .iter()
            .map(|l| l.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(
            names,
            [
                "garble",
                "evaluate",
                "garble_parallel",
                "evaluate_parallel",
                "bytes_per_and",
                "three_halves_faster_below",
                "raw_aes",
                "of_ceiling"
            ]
        );
        assert!(lines[8].ends_with(" M blocks/s"), "{out}");
        let ratio: f64 = lines[9]
            .split_whitespace()
            .nth(2)
            .unwrap()
            .trim_end_matches(',')
            .parse()
            .unwrap();
        assert!(ratio > 0.0 && ratio < 2.0, "{out}");
        for line in &lines[2..6] {
            let rate: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
            assert!(rate > 0.0 && line.ends_with(" M AND/s"), "{line}");
        }
        let bytes: f64 = lines[6].split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(bytes > 24.0 && bytes <= max_bytes, "{out}");
        assert!(
            lines[7].contains("Gbit/s") || lines[7].contains("any link"),
            "{out}"
        );
    }
    let (code, _, err) = mpcc(&["bench", &shared("adder64.txt"), "--seconds", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("--seconds"), "{err}");
}

#[test]
fn flags_after_values_are_flags() {
    let (code, out, err) = mpcc(&[
        "run",
        &shared("adder64.txt"),
        "1",
        "2",
        "--garbler-values",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "0x0000000000000003\n");
}

/// A parameter and a result of 0 bits: what `mpcc compile --bristol` writes,
/// `mpcc run` reads back, with the same answer as the program itself.
#[test]
fn zero_bit_values_round_trip_through_bristol() {
    let dir = std::env::temp_dir().join(format!("mpcc-zero-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("z.mpc");
    std::fs::write(
        &src,
        "fn main(garbler a: [u8; 0], evaluator b: u8) -> ([u8; 0], u8) { (a, b + 1) }",
    )
    .unwrap();
    let src = src.to_string_lossy().into_owned();
    let (code, out, err) = mpcc(&["run", &src, "[]", "41"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "([], 42)\n");
    let bristol = dir.join("z.txt").to_string_lossy().into_owned();
    let (code, _, err) = mpcc(&["compile", &src, "--bristol", &bristol]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = mpcc(&["run", &bristol, "0", "41"]);
    assert_eq!(code, 0, "{err}");
    // One output value: the result tuple, of 8 bits.
    assert_eq!(out, "0x2a\n");
    // A program without parameters: its Bristol form has no input values,
    // and runs without a --garbler-values.
    let src = dir.join("k.mpc");
    std::fs::write(&src, "fn main() -> u8 { 5 }").unwrap();
    let src = src.to_string_lossy().into_owned();
    let bristol = dir.join("k.txt").to_string_lossy().into_owned();
    let (code, _, err) = mpcc(&["compile", &src, "--bristol", &bristol]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = mpcc(&["run", &bristol]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "0x05\n");
    let (code, _, err) = mpcc(&["run", &bristol, "--garbler-values", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("1 garbler values requested"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Negative values are ordinary arguments, with no `--`, in decimal and in
/// hex, also in arrays; flags after them are still flags.
#[test]
fn negative_values_need_no_double_dash() {
    let dir = std::env::temp_dir().join(format!("mpcc-neg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("n.mpc");
    std::fs::write(
        &src,
        "fn main(garbler a: i16, evaluator b: i16, evaluator c: [i8; 2]) -> i16 { a + b + (c[0] as i16) }",
    )
    .unwrap();
    let src = src.to_string_lossy().into_owned();
    let (code, out, err) = mpcc(&["run", &src, "-0x10", "-5", "[-1, 2]"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "-22\n");
    let (code, out, err) = mpcc(&["run", &src, "-3", "-5", "[-7, 0]", "--garbler-values", "1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "-15\n");
    let (code, out, err) = mpcc(&["run", &src, "--", "-3", "-5", "[0, 0]"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "-8\n");
    let (code, _, err) = mpcc(&["run", &src, "1", "2", "[0, 0]", "--garbler-values"]);
    assert_eq!(code, 1);
    assert!(err.contains("--garbler-values needs a number"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
