//! Development certificates on disk, and loading certificate files.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use transport::certs::{write_dev_certificates, DevCertificates};
use transport::{ClientSecurity, ServerSecurity, TlsConfig};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("transport-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn dev_certificates_load_and_connect() {
    let dir = temp_dir("dev");
    let files = write_dev_certificates(&dir, &DevCertificates::default()).unwrap();
    #[cfg(unix)]
    for key in [&files.ca_key, &files.garbler_key, &files.evaluator_key] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", key.display());
    }
    let garbler = TlsConfig::load(&files.garbler_cert, &files.garbler_key, &files.ca_cert).unwrap();
    let evaluator =
        TlsConfig::load(&files.evaluator_cert, &files.evaluator_key, &files.ca_cert).unwrap();
    assert_eq!(garbler.identity().unwrap().name(), "garbler");
    assert_eq!(evaluator.identity().unwrap().name(), "evaluator");

    let server = ServerSecurity::Tls(garbler.acceptor().unwrap());
    let client = ClientSecurity::Tls(evaluator.connector().unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let link = server.accept(stream, protocol::Limits::default()).unwrap();
        link.peer_identity().unwrap().to_string()
    });
    // Dialled by IP address: the certificate names 127.0.0.1 too.
    let link = client
        .dial(&addr.to_string(), protocol::Limits::default())
        .unwrap();
    assert_eq!(link.peer_identity().unwrap().name(), "garbler");
    assert_eq!(thread.join().unwrap(), "evaluator");

    // Nothing is overwritten.
    let e = write_dev_certificates(&dir, &DevCertificates::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("ca.pem") && e.contains("exists already"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_errors_name_the_file() {
    let dir = temp_dir("errors");
    let files = write_dev_certificates(&dir, &DevCertificates::default()).unwrap();
    let load = |cert: &Path, key: &Path, ca: &Path| {
        TlsConfig::load(cert, key, ca).unwrap_err().to_string()
    };

    let missing = dir.join("missing.pem");
    let e = load(&missing, &files.garbler_key, &files.ca_cert);
    assert!(
        e.starts_with(&format!("{}: cannot open:", missing.display())),
        "{e}"
    );

    // A key where the certificate should be, a certificate where the key
    // should be.
    let e = load(&files.garbler_key, &files.garbler_key, &files.ca_cert);
    assert_eq!(
        e,
        format!(
            "{}: no certificate in it (expected a PEM block \"BEGIN CERTIFICATE\")",
            files.garbler_key.display()
        )
    );
    let e = load(&files.garbler_cert, &files.garbler_cert, &files.ca_cert);
    assert!(
        e.starts_with(&format!(
            "{}: no private key in it",
            files.garbler_cert.display()
        )),
        "{e}"
    );

    // The evaluator's key with the garbler's certificate.
    let e = load(&files.garbler_cert, &files.evaluator_key, &files.ca_cert);
    assert_eq!(
        e,
        format!(
            "TLS configuration: the key in {} does not belong to the certificate in {}",
            files.evaluator_key.display(),
            files.garbler_cert.display()
        )
    );

    let garbage = dir.join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let e = load(&files.garbler_cert, &files.garbler_key, &garbage);
    assert!(
        e.starts_with(&format!("{}: bad PEM: invalid base64", garbage.display())),
        "{e}"
    );

    let huge = dir.join("huge.pem");
    std::fs::write(&huge, vec![b'A'; 2 << 20]).unwrap();
    let e = load(&files.garbler_cert, &files.garbler_key, &huge);
    assert!(e.contains("larger than 1024 KiB"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dev_certificate_options_are_checked() {
    let dir = temp_dir("options");
    let e = write_dev_certificates(
        &dir,
        &DevCertificates {
            days: 0,
            ..DevCertificates::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "certificate generation: a validity of 0 days is not between 1 and 36500"
    );
    let e = write_dev_certificates(
        &dir,
        &DevCertificates {
            garbler_names: vec!["bad name".into()],
            ..DevCertificates::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("\"bad name\" is neither an IP address nor a valid DNS name"),
        "{e}"
    );
    assert!(!dir.exists(), "nothing written on failure");
    // A connection to a name the certificate does not hold fails, one to a
    // name it holds succeeds.
    let files = write_dev_certificates(
        &dir,
        &DevCertificates {
            garbler_names: vec!["garbler.example".into()],
            evaluator_identity: "alice".into(),
            ..DevCertificates::default()
        },
    )
    .unwrap();
    let evaluator =
        TlsConfig::load(&files.evaluator_cert, &files.evaluator_key, &files.ca_cert).unwrap();
    assert_eq!(evaluator.identity().unwrap().name(), "alice");
    let garbler = TlsConfig::load(&files.garbler_cert, &files.garbler_key, &files.ca_cert).unwrap();
    for (name, ok) in [("garbler.example", true), ("localhost", false)] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ServerSecurity::Tls(garbler.acceptor().unwrap());
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            server.accept(stream, protocol::Limits::default()).is_ok()
        });
        let client = ClientSecurity::Tls(evaluator.connector().unwrap());
        let stream = TcpStream::connect(addr).unwrap();
        let got = client.connect(stream, name, protocol::Limits::default());
        assert_eq!(got.is_ok(), ok, "{name}");
        assert_eq!(thread.join().unwrap(), ok, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
