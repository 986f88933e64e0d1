//! TLS between two real processes: good certificates run; a certificate
//! from another CA, an expired one, none, a plaintext peer on either side
//! and an identity left off `--allow` each end both sides with a clear
//! error and exit 1, in the TLS handshake, before any garbled table.

mod common;

use common::{scrape, spawn_garbler};
use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};
use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
use transport::rustls::pki_types::{pem::PemObject, CertificateDer};

/// Certificate files in a directory of their own, removed at the end.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    /// A CA (`ca.pem`), the garbler's certificate (`garbler`, for
    /// localhost and 127.0.0.1), the evaluator's (`evaluator`, identity
    /// `evaluator`), an expired evaluator certificate (`expired`), and a
    /// second CA (`other-ca.pem`) with an evaluator certificate of its own
    /// (`stranger`), and a third CA of the same name as the first with an
    /// evaluator certificate (`twin`).
    fn new(test: &str) -> Certs {
        let dir = std::env::temp_dir().join(format!("mpcc-tls-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let day = Validity::days(1);
        let issue = |ca: &CertificateAuthority, stem: &str, identity: &str, usage, validity| {
            let names = match usage {
                Usage::Server => vec!["localhost".to_string(), "127.0.0.1".to_string()],
                Usage::Client => vec![],
            };
            ca.issue(&CertificateSpec {
                identity: identity.into(),
                names,
                usage,
                validity,
            })
            .unwrap()
            .write(&dir, stem)
            .unwrap();
        };
        let ca = CertificateAuthority::generate("test CA", day).unwrap();
        std::fs::write(dir.join("ca.pem"), ca.certificate_pem()).unwrap();
        issue(&ca, "garbler", "garbler", Usage::Server, day);
        issue(&ca, "evaluator", "evaluator", Usage::Client, day);
        let now = SystemTime::now();
        let past = Validity {
            not_before: now - Duration::from_secs(3 * 86_400),
            not_after: now - Duration::from_secs(86_400),
        };
        issue(&ca, "expired", "evaluator", Usage::Client, past);
        let other = CertificateAuthority::generate("another CA", day).unwrap();
        std::fs::write(dir.join("other-ca.pem"), other.certificate_pem()).unwrap();
        issue(&other, "stranger", "evaluator", Usage::Client, day);
        let twin = CertificateAuthority::generate("test CA", day).unwrap();
        std::fs::write(dir.join("twin-ca.pem"), twin.certificate_pem()).unwrap();
        issue(&twin, "twin", "evaluator", Usage::Client, day);
        Certs { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// `--tls-cert STEM.pem --tls-key STEM.key --tls-ca CA`.
    fn flags(&self, stem: &str, ca: &str) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.path(&format!("{stem}.pem")),
            "--tls-key".into(),
            self.path(&format!("{stem}.key")),
            "--tls-ca".into(),
            self.path(ca),
        ]
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn adder() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bristol/adder64.txt")
        .to_string_lossy()
        .into_owned()
}

/// A garbler process running one session of the 64-bit adder, its port,
/// and a thread collecting its standard error.
struct Garbler {
    child: Child,
    port: String,
    stderr: std::thread::JoinHandle<String>,
}

impl Garbler {
    fn start(flags: &[String]) -> Garbler {
        let adder = adder();
        let mut args = vec!["--timeout", "3", "--stats", "--circuit", &adder];
        args.extend(flags.iter().map(String::as_str));
        args.push("5");
        let (child, addr, stderr) = spawn_garbler(&args, false);
        let port = addr
            .strip_prefix("127.0.0.1:")
            .unwrap_or_else(|| panic!("garbler listens on {addr}"))
            .to_string();
        Garbler {
            child,
            port,
            stderr,
        }
    }

    /// Exit code, stdout and stderr, within three seconds.
    fn finish(mut self) -> (Option<i32>, String, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > Duration::from_secs(3) {
                let _ = self.child.kill();
                panic!("the garbler did not exit within 3 s");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        (status.code(), out, self.stderr.join().unwrap())
    }
}

fn evaluator(port: &str, flags: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evaluator"))
        .args(["--connect", &format!("localhost:{port}"), "--timeout", "3"])
        .args(["--stats", "--circuit", &adder()])
        .args(flags)
        .arg("7")
        .output()
        .expect("evaluator runs")
}

/// Runs a pair that must fail: both exit 1, the garbler's error names the
/// TLS handshake and `garbler_says`, the evaluator's names
/// `evaluator_says`, and neither printed statistics (no session ran).
fn both_refuse(
    garbler_flags: &[String],
    evaluator_flags: &[String],
    garbler_says: &str,
    evaluator_says: &str,
) {
    let g = Garbler::start(garbler_flags);
    let e = evaluator(&g.port, evaluator_flags);
    let (code, gout, gerr) = g.finish();
    let eerr = String::from_utf8_lossy(&e.stderr);
    assert_eq!(code, Some(1), "garbler: {gerr}");
    assert_eq!(e.status.code(), Some(1), "evaluator: {eerr}");
    assert!(
        gerr.contains("garbler: error:") && gerr.contains(garbler_says),
        "garbler: {gerr}"
    );
    assert!(
        eerr.contains("evaluator: error:") && eerr.contains(evaluator_says),
        "evaluator: {eerr}"
    );
    for (who, err) in [("garbler", gerr.as_str()), ("evaluator", &*eerr)] {
        assert!(!err.contains("\"role\""), "{who} ran a session: {err}");
    }
    assert!(gout.is_empty() && e.stdout.is_empty());
}

/// Runs a pair with good certificates and `extra` flags on both sides:
/// both succeed, print the sum and name each other. Their standard errors.
fn good_pair(test: &str, extra: &[&str]) -> (String, String) {
    let c = Certs::new(test);
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    let g = Garbler::start(&[c.flags("garbler", "ca.pem"), extra.clone()].concat());
    let e = evaluator(&g.port, &[c.flags("evaluator", "ca.pem"), extra].concat());
    let (code, gout, gerr) = g.finish();
    let eerr = String::from_utf8_lossy(&e.stderr).into_owned();
    assert_eq!(code, Some(0), "{gerr}");
    assert!(e.status.success(), "{eerr}");
    assert_eq!(gout, "0x000000000000000c\n");
    assert_eq!(String::from_utf8_lossy(&e.stdout), gout);
    assert!(gerr.contains("\"peer\":\"evaluator\""), "{gerr}");
    assert!(eerr.contains("\"peer\":\"garbler\""), "{eerr}");
    (gerr, eerr)
}

#[test]
fn good_certificates_compute_and_name_each_other() {
    let (gerr, eerr) = good_pair("good", &[]);
    let digest = |s: &str| {
        let at = s.find("\"transcript\":\"").expect("transcript") + 14;
        s[at..at + 64].to_string()
    };
    assert_eq!(digest(&gerr), digest(&eerr));
}

#[test]
fn a_certificate_from_another_ca_is_refused() {
    let c = Certs::new("other-ca");
    both_refuse(
        &c.flags("garbler", "ca.pem"),
        &c.flags("stranger", "other-ca.pem"),
        "TLS handshake",
        "does not chain to the CA in",
    );
    // The evaluator trusts the right CA but holds a stranger's certificate.
    both_refuse(
        &c.flags("garbler", "ca.pem"),
        &[
            c.flags("stranger", "ca.pem")[..4].to_vec(),
            vec!["--tls-ca".into(), c.path("ca.pem")],
        ]
        .concat(),
        "does not chain to the CA in",
        "refused our certificate",
    );
    // Another CA of the same name (`mpcc certs` run twice), on both sides.
    both_refuse(
        &c.flags("garbler", "ca.pem"),
        &c.flags("twin", "twin-ca.pem"),
        "refused our certificate",
        "does not chain to the CA in",
    );
    both_refuse(
        &c.flags("garbler", "ca.pem"),
        &[
            c.flags("twin", "ca.pem")[..4].to_vec(),
            vec!["--tls-ca".into(), c.path("ca.pem")],
        ]
        .concat(),
        "does not chain to the CA in",
        "refused our certificate",
    );
}

#[test]
fn an_expired_certificate_is_refused() {
    let c = Certs::new("expired");
    both_refuse(
        &c.flags("garbler", "ca.pem"),
        &c.flags("expired", "ca.pem"),
        "has expired",
        "refused our certificate: it has expired",
    );
}

#[test]
fn an_identity_left_off_allow_is_refused() {
    let c = Certs::new("allow");
    let mut flags = c.flags("garbler", "ca.pem");
    flags.extend(["--allow".into(), "alice".into()]);
    both_refuse(
        &flags,
        &c.flags("evaluator", "ca.pem"),
        "\"evaluator\" is not allowed to connect",
        "refused the connection: its identity \"evaluator\" is not allowed",
    );
}

#[test]
fn plaintext_against_tls_fails_on_both_sides() {
    let c = Certs::new("plain");
    let plain = vec!["--insecure-plaintext".to_string()];
    both_refuse(
        &c.flags("garbler", "ca.pem"),
        &plain,
        "does not speak TLS",
        "the peer speaks TLS",
    );
    both_refuse(
        &plain,
        &c.flags("evaluator", "ca.pem"),
        "the peer speaks TLS",
        "does not speak TLS",
    );
}

#[test]
fn a_client_without_a_certificate_is_refused() {
    let c = Certs::new("no-client-cert");
    let g = Garbler::start(&c.flags("garbler", "ca.pem"));
    // A TLS client that trusts the CA but has no certificate to show: the
    // evaluator binary always presents one, so this side is built here.
    let ca = std::fs::read(c.path("ca.pem")).unwrap();
    let mut roots = transport::rustls::RootCertStore::empty();
    for cert in <CertificateDer as PemObject>::pem_slice_iter(&ca) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config =
        transport::rustls::ClientConfig::builder_with_provider(transport::crypto_provider())
            .with_protocol_versions(&[&transport::rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let connector =
        transport::TlsConnector::new(std::sync::Arc::new(config), Path::new("ca.pem").into());
    let stream = TcpStream::connect(format!("127.0.0.1:{}", g.port)).unwrap();
    let link = transport::ClientSecurity::Tls(connector).connect(
        stream,
        "localhost",
        protocol::Limits {
            timeout: Duration::from_secs(3),
            ..protocol::Limits::default()
        },
    );
    let e = link.expect_err("the garbler must refuse").to_string();
    assert!(e.contains("we sent none"), "{e}");
    let (code, gout, gerr) = g.finish();
    assert_eq!(code, Some(1), "{gerr}");
    assert!(
        gerr.contains("TLS handshake: the peer sent no client certificate"),
        "{gerr}"
    );
    assert!(gout.is_empty() && !gerr.contains("\"role\""));
}

#[test]
fn a_busy_garbler_says_so_inside_tls() {
    let c = Certs::new("busy");
    let mut flags = c.flags("garbler", "ca.pem");
    flags.extend(["--serve".into(), "--max-sessions".into(), "1".into()]);
    let mut g = Garbler::start(&flags);
    // The first evaluator holds the one session: it connected and waits
    // for values on its standard input.
    let mut holder = Command::new(env!("CARGO_BIN_EXE_evaluator"))
        .args(["--connect", &format!("localhost:{}", g.port), "--stdin"])
        .args(["--circuit", &adder()])
        .args(c.flags("evaluator", "ca.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Time for the holder to connect first (a later check retries if not).
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    let busy = loop {
        let e = evaluator(&g.port, &c.flags("evaluator", "ca.pem"));
        let err = String::from_utf8_lossy(&e.stderr).into_owned();
        if err.contains("busy") || start.elapsed() > Duration::from_secs(3) {
            break (e.status.code(), err);
        }
        // The holder may not have connected yet: this one ran instead.
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(holder.stdin.take());
    let held = holder.wait_with_output().unwrap();
    let _ = g.child.kill();
    let _ = g.child.wait();
    assert_eq!(busy.0, Some(1), "{}", busy.1);
    assert!(
        busy.1
            .contains("the garbler is busy: 1 sessions are running"),
        "{}",
        busy.1
    );
    assert!(
        held.status.success(),
        "{}",
        String::from_utf8_lossy(&held.stderr)
    );
}

#[test]
fn a_failed_tls_handshake_is_counted_in_the_metrics() {
    let c = Certs::new("metrics");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maddr = format!("127.0.0.1:{port}");
    let mut flags = c.flags("garbler", "ca.pem");
    flags.extend(["--serve".into(), "--metrics".into(), maddr.clone()]);
    let mut g = Garbler::start(&flags);
    let e = evaluator(&g.port, &c.flags("evaluator", "ca.pem"));
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let e = evaluator(&g.port, &c.flags("stranger", "other-ca.pem"));
    assert_eq!(e.status.code(), Some(1));
    let start = Instant::now();
    let text = loop {
        let text = scrape(&maddr);
        if text.contains("garbler_active_sessions 0\n")
            && text.contains("garbler_sessions_finished_total 1\n")
            && text.contains("garbler_tls_handshake_failures_total 1\n")
        {
            break text;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{text}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        text.contains("garbler_sessions_started_total 2\n"),
        "{text}"
    );
    assert!(
        text.contains("garbler_sessions_failed_total{phase=\"handshake\",cause=\"tls\"} 1\n"),
        "{text}"
    );
    let _ = g.child.kill();
    let _ = g.child.wait();
}

#[test]
fn unfinished_tls_handshakes_hold_no_session_slot_and_time_out() {
    let c = Certs::new("handshakes");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maddr = format!("127.0.0.1:{port}");
    let mut flags = c.flags("garbler", "ca.pem");
    flags.extend(
        [
            "--serve",
            "--max-sessions",
            "1",
            "--handshake-timeout",
            "1",
            "--metrics",
            &maddr,
        ]
        .map(String::from),
    );
    let mut g = Garbler::start(&flags);
    let addr = format!("127.0.0.1:{}", g.port);
    // Silent connections, and one that starts a TLS record and stops.
    let mut stalled: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    let mut partial = TcpStream::connect(&addr).unwrap();
    use std::io::Write;
    partial.write_all(&[22, 3, 1, 2, 0, 1]).unwrap();
    stalled.push(partial);
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    let e = evaluator(&g.port, &c.flags("evaluator", "ca.pem"));
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    for s in &mut stalled {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut sink = Vec::new();
        // Cut: the garbler closes (after an alert, for the partial one).
        let _ = s.read_to_end(&mut sink);
    }
    let took = start.elapsed();
    assert!(took < Duration::from_secs(4), "cut too late: {took:?}");
    let start = Instant::now();
    let text = loop {
        let text = scrape(&maddr);
        if text.contains("garbler_sessions_failed_total{phase=\"handshake\",cause=\"timeout\"} 4\n")
            && text.contains("garbler_handshakes_pending 0\n")
        {
            break text;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{text}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        text.contains("garbler_tls_handshake_failures_total 4\n"),
        "{text}"
    );
    assert!(
        text.contains("garbler_sessions_finished_total 1\n"),
        "{text}"
    );
    assert!(text.contains("garbler_busy_refusals_total 0\n"), "{text}");
    let _ = g.child.kill();
    let _ = g.child.wait();
}

#[test]
fn dual_execution_runs_over_tls() {
    good_pair("dual", &["--security", "dual-execution"]);
}
