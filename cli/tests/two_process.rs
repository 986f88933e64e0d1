//! End to end with two real processes on 127.0.0.1 (in plaintext, see
//! tls.rs for TLS): every known answer of ../shared/bristol/README.md, and
//! the failures a production service meets.

mod common;

use common::spawn_garbler;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn shared(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bristol")
        .join(name);
    p.to_string_lossy().into_owned()
}

/// A garbler process and the address it listens on.
struct Garbler {
    child: Child,
    addr: String,
}

impl Garbler {
    fn start(args: &[&str]) -> Garbler {
        let (child, addr, rest) = spawn_garbler(&[&["--insecure-plaintext"], args].concat(), true);
        // Keep draining stderr into a buffer the test reads at the end.
        STDERR.with(|m| m.borrow_mut().push(rest));
        Garbler { child, addr }
    }

    /// Waits for the process (at most `limit`) and returns its status code,
    /// stdout and stderr.
    fn finish(mut self, limit: Duration) -> (Option<i32>, String, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut out = String::new();
                if let Some(mut stdout) = self.child.stdout.take() {
                    stdout.read_to_string(&mut out).unwrap();
                }
                let err = STDERR
                    .with(|m| m.borrow_mut().pop())
                    .map(|h| h.join().unwrap())
                    .unwrap_or_default();
                return (status.code(), out, err);
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                panic!("the garbler did not exit within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

thread_local! {
    static STDERR: std::cell::RefCell<Vec<std::thread::JoinHandle<String>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn evaluator(addr: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evaluator"))
        .args(["--connect", addr, "--insecure-plaintext"])
        .args(args)
        .output()
        .expect("evaluator runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs one computation: the garbler's values first, the evaluator's after.
fn run_pair(
    file: &str,
    garbler_values: &[&str],
    evaluator_values: &[&str],
    extra: &[&str],
) -> (String, String) {
    let path = shared(file);
    let mut gargs = vec!["--circuit", path.as_str()];
    gargs.extend_from_slice(extra);
    gargs.extend_from_slice(garbler_values);
    let g = Garbler::start(&gargs);
    let mut eargs = vec!["--circuit", path.as_str()];
    eargs.extend_from_slice(extra);
    eargs.extend_from_slice(evaluator_values);
    let e = evaluator(&g.addr, &eargs);
    let (code, gout, gerr) = g.finish(Duration::from_secs(30));
    assert_eq!(code, Some(0), "garbler on {file}: {gerr}");
    assert!(
        e.status.success(),
        "evaluator on {file}: {}",
        text(&e.stderr)
    );
    (gout, text(&e.stdout))
}

/// File, garbler values, evaluator values, `--garbler-values`, expected output.
type KnownAnswer<'a> = (&'a str, Vec<&'a str>, Vec<&'a str>, &'a str, String);

#[test]
fn every_known_answer_over_two_processes() {
    let sha_block = "0x61626380000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000018";
    let sha_iv = "0x6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19";
    let p = format!("0x8{}1", "0".repeat(126));
    let b = format!("0x1{}", "0".repeat(125));
    let sum = format!("0x001{}5\n", "0".repeat(124));
    let cases: Vec<KnownAnswer> = vec![
        (
            "aes_128.txt",
            vec!["0x000102030405060708090a0b0c0d0e0f"],
            vec!["0x00112233445566778899aabbccddeeff"],
            "1",
            "0x69c4e0d86a7b0430d8cdb78070b4c55a\n".into(),
        ),
        (
            "aes_128.txt",
            vec!["0x2b7e151628aed2a6abf7158809cf4f3c"],
            vec!["0x6bc1bee22e409f96e93d7e117393172a"],
            "1",
            "0x3ad77bb40d7a3660a89ecaf32466ef97\n".into(),
        ),
        (
            "aes_128.txt",
            vec!["0"],
            vec!["0"],
            "1",
            "0x66e94bd4ef8a2c3b884cfa59ca342b2e\n".into(),
        ),
        (
            "sha256.txt",
            vec![sha_block],
            vec![sha_iv],
            "1",
            "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n".into(),
        ),
        (
            "adder64.txt",
            vec!["18446744073709551615"],
            vec!["2"],
            "1",
            "0x0000000000000001\n".into(),
        ),
        (
            "sub64.txt",
            vec!["5"],
            vec!["7"],
            "1",
            "0xfffffffffffffffe\n".into(),
        ),
        (
            "mult64.txt",
            vec!["0xfedcba9876543210"],
            vec!["0x0123456789abcdef"],
            "1",
            "0x2236d88fe5618cf0\n".into(),
        ),
        (
            "mult2_64.txt",
            vec!["0xfedcba9876543210"],
            vec!["0x0123456789abcdef"],
            "1",
            "0x0121fa00ad77d742\n0x2236d88fe5618cf0\n".into(),
        ),
        (
            "divide64.txt",
            vec!["0xfffffffffff0bdbd"],
            vec!["77"],
            "1",
            "0xffffffffffffcd45\n".into(),
        ),
        (
            "udivide64.txt",
            vec!["1000003"],
            vec!["77"],
            "1",
            "0x00000000000032bb\n".into(),
        ),
        (
            "neg64.txt",
            vec![],
            vec!["1"],
            "0",
            "0xffffffffffffffff\n".into(),
        ),
        ("zero_equal.txt", vec!["0"], vec![], "1", "0x1\n".into()),
        ("ModAdd512.txt", vec!["5", &b], vec![&p], "2", sum),
    ];
    for (file, gv, ev, n, want) in cases {
        let (g, e) = run_pair(file, &gv, &ev, &["--garbler-values", n]);
        assert_eq!(e, want, "evaluator on {file}");
        assert_eq!(g, want, "garbler on {file}");
    }
}

#[test]
fn a_session_of_many_computations_and_the_stats() {
    let aes = shared("aes_128.txt");
    let g = Garbler::start(&["--circuit", &aes, "--stats", "0"]);
    let e = evaluator(
        &g.addr,
        &["--circuit", &aes, "--repeat", "20", "--stats", "0"],
    );
    let (code, gout, gerr) = g.finish(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{gerr}");
    let eout = text(&e.stdout);
    assert_eq!(eout.lines().count(), 20);
    assert!(eout
        .lines()
        .all(|l| l == "0x66e94bd4ef8a2c3b884cfa59ca342b2e"));
    assert_eq!(gout, eout);
    let json = |s: &str| {
        s.lines()
            .find(|l| l.starts_with('{'))
            .unwrap_or_else(|| panic!("no JSON in {s:?}"))
            .to_string()
    };
    let (gj, ej) = (json(&gerr), json(&text(&e.stderr)));
    for key in [
        "\"bytes_sent\":",
        "\"rounds\":",
        "\"computations\":20",
        "\"and_gates\":128000",
        "\"base_ot\":",
        "\"garbling\":",
        "\"and_gates_per_second\":",
    ] {
        assert!(
            gj.contains(key) && ej.contains(key),
            "{key} missing in {gj} / {ej}"
        );
    }
    let digest = |j: &str| j.split("\"transcript\":\"").nth(1).unwrap()[..64].to_string();
    assert_eq!(digest(&gj), digest(&ej), "transcript digests differ");
}

#[test]
fn values_from_stdin_one_line_per_computation() {
    let add = shared("adder64.txt");
    let mut g = Garbler::start(&["--circuit", &add, "--stdin"]);
    g.child
        .stdin
        .take()
        .unwrap()
        .write_all(b"1\n0x10\n")
        .unwrap();
    let mut e = Command::new(env!("CARGO_BIN_EXE_evaluator"))
        .args([
            "--connect",
            &g.addr,
            "--insecure-plaintext",
            "--circuit",
            &add,
            "--stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    e.stdin.take().unwrap().write_all(b"2\n\n3\n").unwrap();
    let e = e.wait_with_output().unwrap();
    let (code, gout, gerr) = g.finish(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{gerr}");
    assert!(e.status.success(), "{}", text(&e.stderr));
    assert_eq!(text(&e.stdout), "0x0000000000000003\n0x0000000000000013\n");
    assert_eq!(gout, text(&e.stdout));
}

#[test]
fn garbler_values_change_per_computation_garbled_ahead_or_not() {
    let add = shared("adder64.txt");
    for (garbler_window, evaluator_window) in [("1", "16"), ("16", "0"), ("3", "2")] {
        let mut g = Garbler::start(&["--circuit", &add, "--stdin", "--pregarble", garbler_window]);
        g.child
            .stdin
            .take()
            .unwrap()
            .write_all(b"1\n0x10\n100\n7\n")
            .unwrap();
        let mut e = Command::new(env!("CARGO_BIN_EXE_evaluator"))
            .args([
                "--connect",
                &g.addr,
                "--insecure-plaintext",
                "--circuit",
                &add,
                "--stdin",
                "--pregarble",
                evaluator_window,
                "--pregarble-bytes",
                "100000",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        e.stdin.take().unwrap().write_all(b"2\n3\n5\n0\n").unwrap();
        let e = e.wait_with_output().unwrap();
        let (code, gout, gerr) = g.finish(Duration::from_secs(30));
        assert_eq!(code, Some(0), "{gerr}");
        assert!(e.status.success(), "{}", text(&e.stderr));
        assert_eq!(
            text(&e.stdout),
            "0x0000000000000003\n0x0000000000000013\n0x0000000000000069\n0x0000000000000007\n"
        );
        assert_eq!(gout, text(&e.stdout));
    }
}

#[test]
fn different_circuits_fail_the_handshake_naming_the_difference() {
    let g = Garbler::start(&["--circuit", &shared("aes_128.txt"), "0"]);
    let e = evaluator(&g.addr, &["--circuit", &shared("sha256.txt"), "0"]);
    let (code, _, gerr) = g.finish(Duration::from_secs(30));
    let eerr = text(&e.stderr);
    assert_eq!(code, Some(1));
    assert_eq!(e.status.code(), Some(1));
    assert!(
        gerr.contains("handshake") && gerr.contains("input layouts differ"),
        "{gerr}"
    );
    assert!(
        eerr.contains("handshake") && eerr.contains("input layouts differ"),
        "{eerr}"
    );

    // Same layout, different gates: adder and subtractor.
    let g = Garbler::start(&["--circuit", &shared("adder64.txt"), "0"]);
    let e = evaluator(&g.addr, &["--circuit", &shared("sub64.txt"), "0"]);
    let (code, _, gerr) = g.finish(Duration::from_secs(30));
    assert_eq!((code, e.status.code()), (Some(1), Some(1)));
    assert!(gerr.contains("circuits differ"), "{gerr}");
    assert!(
        text(&e.stderr).contains("circuits differ"),
        "{}",
        text(&e.stderr)
    );
}

#[test]
fn an_evaluator_killed_mid_run_ends_the_garbler_with_an_error() {
    let sha = shared("sha256.txt");
    let g = Garbler::start(&["--circuit", &sha, "--timeout", "3", "0"]);
    let mut e = Command::new(env!("CARGO_BIN_EXE_evaluator"))
        .args([
            "--connect",
            &g.addr,
            "--insecure-plaintext",
            "--circuit",
            &sha,
            "--repeat",
            "100000000",
            "0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    e.kill().unwrap();
    let _ = e.wait();
    let start = Instant::now();
    let (code, _, gerr) = g.finish(Duration::from_secs(10));
    assert_eq!(code, Some(1), "{gerr}");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        gerr.contains("garbler: error:")
            && (gerr.contains("closed the connection") || gerr.contains("timeout")),
        "{gerr}"
    );
    assert!(!gerr.contains("panicked"), "{gerr}");
}

#[test]
fn a_silent_peer_times_out_naming_the_phase() {
    let g = Garbler::start(&["--circuit", &shared("adder64.txt"), "--timeout", "1", "0"]);
    let _silent = TcpStream::connect(&g.addr).unwrap();
    let (code, _, gerr) = g.finish(Duration::from_secs(10));
    assert_eq!(code, Some(1));
    assert!(
        gerr.contains("handshake: the peer sent nothing for 1 s"),
        "{gerr}"
    );
}

/// Sends raw bytes as a fake evaluator and returns the garbler's verdict.
fn hostile(bytes: &[u8]) -> String {
    let g = Garbler::start(&["--circuit", &shared("adder64.txt"), "--timeout", "2", "0"]);
    let mut s = TcpStream::connect(&g.addr).unwrap();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let (code, _, gerr) = g.finish(Duration::from_secs(10));
    assert_eq!(code, Some(1), "{gerr}");
    assert!(!gerr.contains("panicked"), "{gerr}");
    gerr
}

#[test]
fn garbage_truncated_and_oversized_messages_are_errors() {
    assert!(hostile(b"GET / HTTP/1.1\r\n\r\n").contains("unknown message kind"));
    assert!(hostile(&[1, 0xff, 0xff, 0xff, 0xff]).contains("over the"));
    assert!(hostile(&[1, 100, 0, 0, 0, 1, 2, 3]).contains("closed the connection"));
    assert!(hostile(&[1, 3, 0, 0, 0, 1, 2, 3]).contains("malformed"));
    assert!(hostile(&[7, 0, 0, 0, 0]).contains("expected a Hello"));
}

#[test]
fn a_serving_garbler_keeps_serving_while_one_peer_misbehaves() {
    let aes = shared("aes_128.txt");
    let g = Garbler::start(&["--circuit", &aes, "--serve", "--timeout", "2", "0"]);
    // One peer holds a connection open and says nothing; another sends garbage.
    let _silent = TcpStream::connect(&g.addr).unwrap();
    let mut junk = TcpStream::connect(&g.addr).unwrap();
    junk.write_all(&[42; 64]).unwrap();
    // Meanwhile real evaluators get their answers, several at once.
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let (addr, aes) = (g.addr.clone(), aes.clone());
            std::thread::spawn(move || evaluator(&addr, &["--circuit", &aes, "--repeat", "2", "0"]))
        })
        .collect();
    for r in runs {
        let e = r.join().unwrap();
        assert!(e.status.success(), "{}", text(&e.stderr));
        assert_eq!(
            text(&e.stdout),
            "0x66e94bd4ef8a2c3b884cfa59ca342b2e\n".repeat(2)
        );
    }
    // A serving garbler prints a session's results when the session ends,
    // just after its evaluator's goodbye: wait for all six lines.
    let mut g = g;
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stdout = BufReader::new(g.child.stdout.take().unwrap());
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let start = Instant::now();
    while lines.lock().unwrap().len() < 6 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    g.child.kill().unwrap();
    let (_, _, err) = g.finish(Duration::from_secs(5));
    let out = lines.lock().unwrap().clone();
    assert_eq!(out.len(), 6, "{out:?}");
    assert!(
        out.iter()
            .all(|l| l == "0x66e94bd4ef8a2c3b884cfa59ca342b2e"),
        "{out:?}"
    );
    assert!(err.contains("unknown message kind 42"), "{err}");
}

#[test]
fn a_serving_garbler_at_its_session_limit_says_it_is_busy() {
    let aes = shared("aes_128.txt");
    let g = Garbler::start(&[
        "--circuit",
        &aes,
        "--serve",
        "--max-sessions",
        "1",
        "--timeout",
        "20",
        "0",
    ]);
    // An evaluator that connected and waits for values on its standard
    // input holds the only session.
    let hold = || {
        Command::new(env!("CARGO_BIN_EXE_evaluator"))
            .args(["--connect", &g.addr, "--insecure-plaintext", "--stdin"])
            .args(["--circuit", &aes])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut holder = hold();
    let start = Instant::now();
    loop {
        let e = evaluator(&g.addr, &["--circuit", &aes, "0"]);
        if !e.status.success() {
            assert!(text(&e.stderr).contains("busy"), "{}", text(&e.stderr));
            break;
        }
        // The holder had not connected yet: this one ran instead. If the
        // holder came while this one held the slot, it was told the garbler
        // is busy and left: start another.
        if holder.try_wait().unwrap().is_some() {
            holder = hold();
        }
        assert!(start.elapsed() < Duration::from_secs(20), "never busy");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Once it is done, its session ends and the slot is free again.
    drop(holder.stdin.take());
    let held = holder.wait_with_output().unwrap();
    assert!(held.status.success(), "{}", text(&held.stderr));
    let start = Instant::now();
    loop {
        let e = evaluator(&g.addr, &["--circuit", &aes, "0"]);
        if e.status.success() {
            assert_eq!(text(&e.stdout), "0x66e94bd4ef8a2c3b884cfa59ca342b2e\n");
            break;
        }
        assert!(text(&e.stderr).contains("busy"), "{}", text(&e.stderr));
        assert!(start.elapsed() < Duration::from_secs(15), "never freed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut g = g;
    g.child.kill().unwrap();
    g.finish(Duration::from_secs(5));
}

#[test]
fn silent_connections_hold_no_session_slot_and_are_cut_at_the_handshake_timeout() {
    let aes = shared("aes_128.txt");
    let maddr = format!("127.0.0.1:{}", free_port());
    let g = Garbler::start(&[
        "--circuit",
        &aes,
        "--serve",
        "--max-sessions",
        "2",
        "--handshake-timeout",
        "1",
        "--timeout",
        "30",
        "--metrics",
        &maddr,
        "0",
    ]);
    // More silent connections than there are session slots.
    let mut silent: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(&g.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    let e = evaluator(&g.addr, &["--circuit", &aes, "0"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    assert_eq!(text(&e.stdout), "0x66e94bd4ef8a2c3b884cfa59ca342b2e\n");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // Each silent connection is closed by the garbler once its second is up.
    for s in &mut silent {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut b = [0u8; 1];
        assert!(matches!(s.read(&mut b), Ok(0) | Err(_)));
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(500),
        "cut too early: {took:?}"
    );
    assert!(took < Duration::from_secs(4), "cut too late: {took:?}");
    let start = Instant::now();
    let s = loop {
        let s = scrape(&maddr);
        if sample(
            &s,
            "garbler_sessions_failed_total",
            &[("phase", "handshake"), ("cause", "timeout")],
        ) == 5.0
            && sample(&s, "garbler_handshakes_pending", &[]) == 0.0
        {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", s.samples);
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(sample(&s, "garbler_sessions_finished_total", &[]), 1.0);
    assert_eq!(sample(&s, "garbler_busy_refusals_total", &[]), 0.0);
    let mut g = g;
    g.child.kill().unwrap();
    g.finish(Duration::from_secs(5));
}

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    p.to_string_lossy().into_owned()
}

#[test]
fn programs_and_compiled_circuits_run_end_to_end() {
    // A .mpc program compiled by both sides: the first-price auction.
    let prog = example("first_price.mpc");
    let g = Garbler::start(&["--program", &prog, "500"]);
    let e = evaluator(
        &g.addr,
        &["--program", &prog, "[10, 700, 3, 900, 900, 20, 0, 499]"],
    );
    let (code, gout, gerr) = g.finish(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{gerr}");
    assert!(e.status.success(), "{}", text(&e.stderr));
    assert_eq!(
        text(&e.stdout),
        "Sale { sold: true, winner: 3, price: 900 }\n"
    );
    assert_eq!(gout, text(&e.stdout));

    // A circuit compiled once to the project's format, read by both sides.
    let dir = std::env::temp_dir().join(format!("two-process-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let circ = dir.join("millionaires.circ");
    let c = compiler::compile_file(std::path::Path::new(&example("millionaires.mpc"))).unwrap();
    std::fs::write(&circ, circuits::format::to_bytes(&c)).unwrap();
    let circ = circ.to_string_lossy().into_owned();
    let g = Garbler::start(&["--circuit", &circ, "1000000"]);
    let e = evaluator(&g.addr, &["--circuit", &circ, "999999"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    let (code, gout, gerr) = g.finish(Duration::from_secs(30));
    assert_eq!(code, Some(0), "{gerr}");
    assert_eq!(
        (text(&e.stdout).as_str(), gout.as_str()),
        ("true\n", "true\n")
    );
    let _ = std::fs::remove_dir_all(&dir);

    // A value that does not fit names the parameter, and nothing runs.
    let g = Garbler::start(&["--program", &prog, "500"]);
    let e = evaluator(&g.addr, &["--program", &prog, "[1, 2, 3]"]);
    assert_eq!(e.status.code(), Some(1));
    assert!(text(&e.stderr).contains("bids"), "{}", text(&e.stderr));
    let mut g = g;
    let _ = g.child.kill();
    let _ = g.finish(Duration::from_secs(5));
}

#[test]
fn each_binary_prints_only_what_its_party_learns() {
    // -> (bool, evaluator u32, garbler u8): both learn a < b, the evaluator
    // a + b, the garbler a ^ (b as u8).
    let prog = example("who_learns.mpc");
    for (a, b) in [(200u32, 300u32), (7, 5)] {
        let g = Garbler::start(&["--program", &prog, &a.to_string()]);
        let e = evaluator(&g.addr, &["--program", &prog, &b.to_string()]);
        let (code, gout, gerr) = g.finish(Duration::from_secs(30));
        assert_eq!(code, Some(0), "{gerr}");
        assert!(e.status.success(), "{}", text(&e.stderr));
        assert_eq!(text(&e.stdout), format!("({}, {})\n", a < b, a + b));
        assert_eq!(gout, format!("({}, {})\n", a < b, (a ^ b) & 0xff));
    }
}

#[test]
fn a_serving_garbler_refuses_a_peer_past_its_budget() {
    let prog = example("millionaires.mpc");
    let g = Garbler::start(&[
        "--program",
        &prog,
        "--serve",
        "--max-computations-per-peer",
        "3",
        "1000",
    ]);
    let e = evaluator(&g.addr, &["--program", &prog, "--repeat", "3", "5"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    assert_eq!(text(&e.stdout), "true\n".repeat(3));
    // The fourth computation of the same peer (address) is refused.
    let e = evaluator(&g.addr, &["--program", &prog, "5"]);
    assert_eq!(e.status.code(), Some(1));
    let err = text(&e.stderr);
    assert!(
        err.contains("budget exhausted: peer 127.0.0.1 has used its 3 computations"),
        "{err}"
    );
    assert_eq!(text(&e.stdout), "");
    let mut g = g;
    g.child.kill().unwrap();
    let (_, _, gerr) = g.finish(Duration::from_secs(5));
    assert!(gerr.contains("at most 3 computations per peer"), "{gerr}");
}

#[test]
fn a_serving_garbler_with_fixed_values_has_a_finite_budget_by_default() {
    let prog = example("millionaires.mpc");
    let g = Garbler::start(&["--program", &prog, "--serve", "1000"]);
    let e = evaluator(&g.addr, &["--program", &prog, "5"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    let mut g = g;
    g.child.kill().unwrap();
    let (_, _, gerr) = g.finish(Duration::from_secs(5));
    assert!(
        gerr.contains("budget: at most 1000 computations per peer"),
        "{gerr}"
    );
}

#[test]
fn forged_output_labels_end_the_garbler_binary_with_exit_status_1() {
    let prog = example("who_learns.mpc");
    let g = Garbler::start(&["--program", &prog, "7"]);
    let c = compiler::compile_file(std::path::Path::new(&prog)).unwrap();
    let prepared = evaluator::Prepared::new(c).unwrap();
    let mut session = evaluator::Session::connect(
        g.addr.as_str(),
        &evaluator::ClientSecurity::InsecurePlaintext,
        &prepared,
        Default::default(),
    )
    .unwrap();
    session.corrupt_output_labels(true);
    // The evaluator's own parts still decode; the garbler checks its own.
    let _ = session.evaluate_values(&["5".to_string()]);
    let _ = session.close();
    let (code, gout, gerr) = g.finish(Duration::from_secs(30));
    assert_eq!(code, Some(1), "{gerr}");
    assert!(gerr.contains("output verification failed"), "{gerr}");
    assert_eq!(gout, "");
}

/// A port on 127.0.0.1 free a moment ago, for a listener of the garbler's.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` over HTTP/1.1: the status code and the body.
fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: garbler\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {out:?}"));
    (code, body.to_string())
}

/// The metrics at `addr`, parsed with a Prometheus text parser.
fn scrape(addr: &str) -> prometheus_parse::Scrape {
    let (code, body) = http_get(addr, "/metrics");
    assert_eq!(code, 200, "{body}");
    prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).unwrap()
}

/// The value of the sample `name` whose labels include `labels`, 0 if none.
fn sample(s: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    use prometheus_parse::Value;
    s.samples
        .iter()
        .filter(|x| x.metric == name && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match &x.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(h) => h.iter().map(|b| b.count).fold(0.0, f64::max),
            Value::Summary(_) => panic!("{name} is a summary"),
        })
        .sum()
}

#[test]
fn the_metrics_endpoint_counts_every_session_and_why_it_failed() {
    let prog = example("millionaires.mpc");
    let maddr = format!("127.0.0.1:{}", free_port());
    let g = Garbler::start(&[
        "--program",
        &prog,
        "--serve",
        "--max-computations-per-peer",
        "3",
        "--metrics",
        &maddr,
        "1000",
    ]);
    assert_eq!(http_get(&maddr, "/healthz").0, 200);
    assert_eq!(http_get(&maddr, "/readyz").0, 200);
    assert_eq!(http_get(&maddr, "/elsewhere").0, 404);
    let e = evaluator(&g.addr, &["--program", &prog, "--repeat", "2", "5"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    let e = evaluator(&g.addr, &["--program", &prog, "7"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    // The fourth computation of the same peer is past its budget.
    let e = evaluator(&g.addr, &["--program", &prog, "9"]);
    assert_eq!(e.status.code(), Some(1));
    // A peer that is not an evaluator at all.
    hostile_to(&g.addr, b"GET / HTTP/1.1\r\n\r\n");
    // The sessions' threads end just after their peers: wait until all
    // four are counted.
    let start = Instant::now();
    let s = loop {
        let s = scrape(&maddr);
        let ended = sample(&s, "garbler_sessions_finished_total", &[])
            + sample(&s, "garbler_sessions_failed_total", &[]);
        if ended == 4.0 && sample(&s, "garbler_active_sessions", &[]) == 0.0 {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", s.samples);
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(sample(&s, "garbler_sessions_started_total", &[]), 4.0);
    assert_eq!(sample(&s, "garbler_sessions_finished_total", &[]), 2.0);
    let failed = |phase, cause| {
        sample(
            &s,
            "garbler_sessions_failed_total",
            &[("phase", phase), ("cause", cause)],
        )
    };
    assert_eq!(failed("ot_extension", "budget"), 1.0);
    assert_eq!(failed("handshake", "protocol"), 1.0);
    assert_eq!(sample(&s, "garbler_budget_refusals_total", &[]), 1.0);
    assert_eq!(sample(&s, "garbler_computations_total", &[]), 3.0);
    assert_eq!(sample(&s, "garbler_computation_seconds", &[]), 3.0);
    assert_eq!(sample(&s, "garbler_session_seconds", &[]), 4.0);
    assert_eq!(sample(&s, "garbler_tls_handshake_failures_total", &[]), 0.0);
    assert_eq!(
        sample(&s, "garbler_output_verification_failures_total", &[]),
        0.0
    );
    let and_gates = sample(&s, "garbler_and_gates_total", &[]);
    assert!(and_gates > 0.0 && and_gates % 3.0 == 0.0, "{and_gates}");
    assert!(sample(&s, "garbler_bytes_sent_total", &[]) > 0.0);
    assert!(sample(&s, "garbler_bytes_received_total", &[]) > 0.0);
    let mut g = g;
    g.child.kill().unwrap();
    g.finish(Duration::from_secs(5));
}

/// Sends raw bytes as a fake evaluator to a serving garbler and waits for
/// it to close the connection.
fn hostile_to(addr: &str, bytes: &[u8]) {
    let mut s = TcpStream::connect(addr).unwrap();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let _ = s.read_to_end(&mut Vec::new());
}

/// Sends SIGTERM to `child`.
fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// An evaluator reading its values from a pipe, one line per computation:
/// its session stays open until the pipe closes.
fn piped_evaluator(addr: &str, prog: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_evaluator"))
        .args(["--connect", addr, "--insecure-plaintext", "--program", prog])
        .arg("--stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("evaluator starts")
}

#[test]
fn sigterm_drains_running_sessions_refuses_new_ones_and_exits_0() {
    let prog = example("millionaires.mpc");
    let maddr = format!("127.0.0.1:{}", free_port());
    let g = Garbler::start(&["--program", &prog, "--serve", "--metrics", &maddr, "1000"]);
    let mut e = piped_evaluator(&g.addr, &prog);
    let mut input = e.stdin.take().unwrap();
    let mut output = BufReader::new(e.stdout.take().unwrap());
    input.write_all(b"5\n").unwrap();
    let mut line = String::new();
    output.read_line(&mut line).unwrap();
    assert_eq!(line, "true\n");
    // Mid-session: the evaluator waits for its next line.
    assert_eq!(http_get(&maddr, "/readyz").0, 200);
    terminate(&g.child);
    let start = Instant::now();
    while http_get(&maddr, "/readyz").0 != 503 {
        assert!(start.elapsed() < Duration::from_secs(10), "still ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The listener closes: a new evaluator cannot connect.
    while TcpStream::connect(&g.addr).is_ok() {
        assert!(start.elapsed() < Duration::from_secs(10), "still accepting");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The running session goes on to its end.
    input.write_all(b"2000\n").unwrap();
    drop(input);
    let mut rest = String::new();
    output.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "false\n");
    let status = e.wait().unwrap();
    assert!(status.success());
    let (code, _, gerr) = g.finish(Duration::from_secs(20));
    assert_eq!(code, Some(0), "{gerr}");
    assert!(gerr.contains("garbler: drained"), "{gerr}");
    assert!(!gerr.contains("error"), "{gerr}");
}

#[test]
fn a_session_still_running_at_the_drain_timeout_is_cut_off_and_the_garbler_exits_0() {
    let prog = example("millionaires.mpc");
    let g = Garbler::start(&[
        "--program",
        &prog,
        "--serve",
        "--drain-timeout",
        "1",
        "1000",
    ]);
    let mut e = piped_evaluator(&g.addr, &prog);
    let mut input = e.stdin.take().unwrap();
    let mut output = BufReader::new(e.stdout.take().unwrap());
    input.write_all(b"5\n").unwrap();
    let mut line = String::new();
    output.read_line(&mut line).unwrap();
    assert_eq!(line, "true\n");
    terminate(&g.child);
    let (code, _, gerr) = g.finish(Duration::from_secs(20));
    assert_eq!(code, Some(0), "{gerr}");
    assert!(gerr.contains("drain timeout: 1 sessions cut off"), "{gerr}");
    drop(input);
    let _ = e.kill();
    let _ = e.wait();
}

#[test]
fn json_logs_hold_one_span_per_session_and_no_input() {
    let prog = example("millionaires.mpc");
    let g = Garbler::start(&[
        "--program",
        &prog,
        "--serve",
        "--log-format",
        "json",
        "--log-level",
        "debug",
        "987654321",
    ]);
    let e = evaluator(&g.addr, &["--program", &prog, "--repeat", "2", "123456789"]);
    assert!(e.status.success(), "{}", text(&e.stderr));
    hostile_to(&g.addr, b"GET / HTTP/1.1\r\n\r\n");
    terminate(&g.child);
    let (code, _, gerr) = g.finish(Duration::from_secs(20));
    assert_eq!(code, Some(0), "{gerr}");
    let logs: Vec<&str> = gerr.lines().filter(|l| l.starts_with('{')).collect();
    let finished: Vec<&&str> = logs
        .iter()
        .filter(|l| l.contains("\"message\":\"session finished\""))
        .collect();
    assert_eq!(finished.len(), 1, "{gerr}");
    assert!(finished[0].contains("\"computations\":2"), "{gerr}");
    assert!(finished[0].contains("\"name\":\"session\""), "{gerr}");
    assert!(finished[0].contains("\"id\":1"), "{gerr}");
    let failed: Vec<&&str> = logs
        .iter()
        .filter(|l| l.contains("\"message\":\"session failed\""))
        .collect();
    assert_eq!(failed.len(), 1, "{gerr}");
    assert!(failed[0].contains("\"id\":2"), "{gerr}");
    assert!(failed[0].contains("\"cause\":\"protocol\""), "{gerr}");
    assert!(
        logs.iter().any(|l| l.contains("\"message\":\"draining\"")),
        "{gerr}"
    );
    assert!(
        !gerr.contains("987654321") && !gerr.contains("123456789"),
        "{gerr}"
    );
}
