//! `mpcc certs`: the files it writes load as TLS material and connect.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use transport::{ClientSecurity, ServerSecurity, TlsConfig};

fn mpcc_certs(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mpcc"))
        .arg("certs")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn certs_writes_a_ca_and_two_certificates_that_connect() {
    let dir = std::env::temp_dir().join(format!("mpcc-certs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let out = mpcc_certs(&[
        d,
        "--garbler-name",
        "garbler.example",
        "--garbler-name",
        "10.0.0.2",
        "--evaluator-name",
        "alice",
        "--days",
        "30",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("names garbler.example, 10.0.0.2"),
        "{stdout}"
    );
    assert!(stdout.contains("identity alice"), "{stdout}");

    let file = |name: &str| dir.join(name);
    for name in [
        "ca.pem",
        "ca.key",
        "garbler.pem",
        "garbler.key",
        "evaluator.pem",
        "evaluator.key",
    ] {
        assert!(file(name).is_file(), "{name} written");
    }
    let load = |stem: &str| {
        TlsConfig::load(
            &file(&format!("{stem}.pem")),
            &file(&format!("{stem}.key")),
            &file("ca.pem"),
        )
        .unwrap()
    };
    let (garbler, evaluator) = (load("garbler"), load("evaluator"));
    assert_eq!(garbler.identity().unwrap().name(), "garbler");
    assert_eq!(evaluator.identity().unwrap().name(), "alice");

    // One session on loopback, the garbler's certificate checked against
    // the IP address it was issued for.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = ServerSecurity::Tls(garbler.acceptor().unwrap());
    let thread = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let link = server.accept(stream, protocol::Limits::default()).unwrap();
        link.peer_identity().unwrap().to_string()
    });
    let client = ClientSecurity::Tls(evaluator.connector().unwrap());
    let link = client
        .connect(
            TcpStream::connect(addr).unwrap(),
            "10.0.0.2",
            protocol::Limits::default(),
        )
        .unwrap();
    assert_eq!(link.peer_identity().unwrap().name(), "garbler");
    assert_eq!(thread.join().unwrap(), "alice");

    // A second run leaves the files alone and says why.
    let again = mpcc_certs(&[d]);
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.starts_with("mpcc: error: certs: cannot write ")
            && stderr.contains("exists already"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn certs_rejects_bad_options() {
    let dir = std::env::temp_dir().join(format!("mpcc-certs-bad-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    for (args, message) in [
        (
            vec![d, "--garbler-name", "not a host"],
            "\"not a host\" is neither an IP address nor a valid DNS name",
        ),
        (
            vec![d, "--days", "0"],
            "a validity of 0 days is not between 1 and 36500",
        ),
    ] {
        let out = mpcc_certs(&args);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
        assert!(!Path::new(d).exists(), "nothing written");
    }
}
