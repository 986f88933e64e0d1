//! Two real processes on 127.0.0.1 (plaintext): starting them, collecting
//! what they print, reading their `--stats` JSON.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn shared(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bristol")
        .join(name);
    p.to_string_lossy().into_owned()
}

pub fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    p.to_string_lossy().into_owned()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Starts a garbler on a free port; returns it, the address it listens on
/// and the thread that collects the rest of its standard error.
pub fn garbler(args: &[&str]) -> (Child, String, std::thread::JoinHandle<String>) {
    spawn_garbler(&[&["--insecure-plaintext"], args].concat(), false)
}

/// Starts the garbler binary listening on a free loopback port with `args`
/// (plaintext or TLS, as they say), its standard input piped if `stdin`:
/// the child, the address it listens on (read from its first line) and the
/// thread that collects the rest of its standard error.
pub fn spawn_garbler(
    args: &[&str],
    stdin: bool,
) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_garbler"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(if stdin {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("garbler starts");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("garbler: listening on ")
        .unwrap_or_else(|| panic!("garbler said {line:?}"))
        .to_string();
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    (child, addr, rest)
}

/// Waits (at most 60 s) for the garbler: exit code, stdout, stderr.
pub fn finish(
    mut child: Child,
    err: std::thread::JoinHandle<String>,
) -> (Option<i32>, String, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            if let Some(mut s) = child.stdout.take() {
                s.read_to_string(&mut out).unwrap();
            }
            return (status.code(), out, err.join().unwrap());
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the garbler did not exit within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn evaluator(addr: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evaluator"))
        .args(["--connect", addr, "--insecure-plaintext"])
        .args(args)
        .output()
        .expect("evaluator runs")
}

/// Runs both sides with `common` flags each, then their own values.
pub fn pair(common: &[&str], gvals: &[&str], evals: &[&str]) -> (String, String, String, String) {
    let mut gargs = common.to_vec();
    gargs.extend_from_slice(gvals);
    let (g, addr, gerr) = garbler(&gargs);
    let mut eargs = common.to_vec();
    eargs.extend_from_slice(evals);
    let e = evaluator(&addr, &eargs);
    let (code, gout, gerr) = finish(g, gerr);
    assert_eq!(code, Some(0), "garbler: {gerr}");
    assert!(e.status.success(), "evaluator: {}", text(&e.stderr));
    (gout, text(&e.stdout), gerr, text(&e.stderr))
}

/// The value of `"key":` in a line of JSON.
pub fn field(json: &str, key: &str) -> String {
    let rest = json
        .split(&format!("\"{key}\":"))
        .nth(1)
        .unwrap_or_else(|| panic!("{key} missing in {json}"));
    rest.split([',', '}'])
        .next()
        .unwrap()
        .trim_matches('"')
        .to_string()
}

pub fn json_line(s: &str) -> String {
    s.lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON in {s:?}"))
        .to_string()
}

/// The body of `GET /metrics` at `addr` (a garbler's `--metrics`).
pub fn scrape(addr: &str) -> String {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET /metrics HTTP/1.1\r\nHost: garbler\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    out
}

/// A free loopback address (for a metrics endpoint).
pub fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}
