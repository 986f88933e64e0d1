//! TLS between two threads on loopback: what succeeds, what is refused and
//! how each side says so.

use protocol::{Channel, Kind, Limits};
use std::io::{ErrorKind, IoSlice, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
use transport::rustls;
use transport::{
    ClientSecurity, Link, ServerSecurity, TlsAcceptor, TlsConfig, TlsConnector, TransportError,
};

fn limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(5),
        ..Limits::default()
    }
}

fn ca(name: &str) -> CertificateAuthority {
    CertificateAuthority::generate(name, Validity::days(1)).unwrap()
}

fn config(
    ca: &CertificateAuthority,
    signer: &CertificateAuthority,
    spec: CertificateSpec,
) -> TlsConfig {
    let cert = signer.issue(&spec).unwrap();
    TlsConfig::from_pem(
        cert.certificate_pem.as_bytes(),
        cert.key_pem().as_bytes(),
        ca.certificate_pem().as_bytes(),
        Path::new("my.pem"),
        Path::new("my.key"),
        Path::new("ca.pem"),
    )
    .unwrap()
}

fn spec(identity: &str, names: &[&str], usage: Usage) -> CertificateSpec {
    CertificateSpec {
        identity: identity.into(),
        names: names.iter().map(|n| n.to_string()).collect(),
        usage,
        validity: Validity::days(1),
    }
}

fn garbler_spec() -> CertificateSpec {
    spec("garbler", &["localhost", "127.0.0.1"], Usage::Server)
}

fn evaluator_spec() -> CertificateSpec {
    spec("evaluator", &[], Usage::Client)
}

fn expired(mut s: CertificateSpec) -> CertificateSpec {
    let now = SystemTime::now();
    s.validity = Validity {
        not_before: now - Duration::from_secs(10 * 86_400),
        not_after: now - Duration::from_secs(86_400),
    };
    s
}

fn server(ca: &CertificateAuthority) -> ServerSecurity {
    ServerSecurity::Tls(config(ca, ca, garbler_spec()).acceptor().unwrap())
}

fn client(ca: &CertificateAuthority) -> ClientSecurity {
    ClientSecurity::Tls(config(ca, ca, evaluator_spec()).connector().unwrap())
}

type Outcome<T> = Result<T, TransportError>;

/// One connection: the server side on a thread, the client side here;
/// each side's closure runs on its established link.
fn session<SR: Send + 'static, CR>(
    server: ServerSecurity,
    client: ClientSecurity,
    host: &str,
    on_server: impl FnOnce(Link) -> SR + Send + 'static,
    on_client: impl FnOnce(Link) -> CR,
) -> (Outcome<SR>, Outcome<CR>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        server.accept(stream, limits()).map(on_server)
    });
    let stream = TcpStream::connect(addr).unwrap();
    let c = client.connect(stream, host, limits()).map(on_client);
    (thread.join().unwrap(), c)
}

fn errors<A, B>(outcome: (Outcome<A>, Outcome<B>)) -> (String, String) {
    match outcome {
        (Err(s), Err(c)) => (s.to_string(), c.to_string()),
        (s, c) => panic!(
            "both sides must fail: server {:?}, client {:?}",
            s.err().map(|e| e.to_string()),
            c.err().map(|e| e.to_string())
        ),
    }
}

#[test]
fn good_certificates_connect_and_carry_bytes_both_ways() {
    let ca = ca("test CA");
    const BIG: usize = 8 << 20;
    let pattern = |i: usize| (i * 31 + i / 7) as u8;
    let (s, c) = session(
        server(&ca),
        client(&ca),
        "localhost",
        move |mut link| {
            let who = link.peer_identity().unwrap().to_string();
            let binding = link.channel_binding().unwrap();
            let mut got = vec![0u8; BIG];
            link.read_exact(&mut got).unwrap();
            let intact = got.iter().enumerate().all(|(i, &b)| b == pattern(i));
            let data: Vec<u8> = (0..BIG).map(|i| pattern(i + 1)).collect();
            link.write_all(&data).unwrap();
            link.close().unwrap();
            (who, binding, intact, link.cipher_suite())
        },
        move |mut link| {
            let who = link.peer_identity().unwrap().to_string();
            let binding = link.channel_binding().unwrap();
            let data: Vec<u8> = (0..BIG).map(pattern).collect();
            link.write_all(&data).unwrap();
            link.flush().unwrap();
            let mut got = vec![0u8; BIG];
            link.read_exact(&mut got).unwrap();
            let intact = got.iter().enumerate().all(|(i, &b)| b == pattern(i + 1));
            let mut rest = [0u8; 1];
            let end = link.read(&mut rest).unwrap();
            (who, binding, intact, end)
        },
    );
    let (s_who, s_binding, s_intact, suite) = s.unwrap();
    let (c_who, c_binding, c_intact, end) = c.unwrap();
    assert_eq!(s_who, "evaluator");
    assert_eq!(c_who, "garbler");
    assert!(s_intact && c_intact, "bytes changed in transit");
    assert_eq!(end, 0, "close_notify ends the stream cleanly");
    assert_eq!(s_binding, c_binding, "both ends derive the same binding");
    assert_eq!(suite.as_deref(), Some("TLS13_AES_128_GCM_SHA256"));
}

#[test]
fn channel_bindings_differ_across_connections() {
    let ca = ca("test CA");
    let binding = || {
        let (s, c) = session(
            server(&ca),
            client(&ca),
            "127.0.0.1",
            |l| l.channel_binding().unwrap(),
            |l| l.channel_binding().unwrap(),
        );
        let (s, c) = (s.unwrap(), c.unwrap());
        assert_eq!(s, c);
        s
    };
    assert_ne!(binding(), binding());
}

#[test]
fn a_client_certificate_from_another_ca_is_refused() {
    let (ca, other) = (ca("test CA"), ca("other CA"));
    let client = ClientSecurity::Tls(config(&ca, &other, evaluator_spec()).connector().unwrap());
    let (s, c) = errors(session(server(&ca), client, "localhost", |_| (), |_| ()));
    assert_eq!(
        s,
        "the peer's certificate does not chain to the CA in ca.pem"
    );
    assert_eq!(
        c,
        "the peer refused our certificate: it does not chain to the peer's CA"
    );
}

#[test]
fn a_server_certificate_from_another_ca_is_refused() {
    let (ca, other) = (ca("test CA"), ca("other CA"));
    let server = ServerSecurity::Tls(config(&ca, &other, garbler_spec()).acceptor().unwrap());
    let (s, c) = errors(session(server, client(&ca), "localhost", |_| (), |_| ()));
    assert_eq!(
        c,
        "the peer's certificate does not chain to the CA in ca.pem"
    );
    assert_eq!(
        s,
        "the peer refused our certificate: it does not chain to the peer's CA"
    );
}

#[test]
fn expired_certificates_are_refused() {
    let ca = ca("test CA");
    let client_expired = ClientSecurity::Tls(
        config(&ca, &ca, expired(evaluator_spec()))
            .connector()
            .unwrap(),
    );
    let (s, c) = errors(session(
        server(&ca),
        client_expired,
        "localhost",
        |_| (),
        |_| (),
    ));
    assert!(
        s.starts_with("the peer's certificate has expired (on 20"),
        "{s}"
    );
    assert!(s.ends_with(" UTC)"), "{s}");
    assert_eq!(
        c,
        "the peer refused our certificate: it has expired or is not valid yet"
    );

    let server_expired = ServerSecurity::Tls(
        config(&ca, &ca, expired(garbler_spec()))
            .acceptor()
            .unwrap(),
    );
    let (s, c) = errors(session(
        server_expired,
        client(&ca),
        "localhost",
        |_| (),
        |_| (),
    ));
    assert!(
        c.starts_with("the peer's certificate has expired (on 20"),
        "{c}"
    );
    assert_eq!(
        s,
        "the peer refused our certificate: it has expired or is not valid yet"
    );
}

#[test]
fn a_client_without_certificate_is_refused() {
    let ca = ca("test CA");
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    roots
        .add(
            rustls::pki_types::CertificateDer::from_pem_slice(ca.certificate_pem().as_bytes())
                .unwrap(),
        )
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(transport::crypto_provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let anonymous = ClientSecurity::Tls(TlsConnector::new(Arc::new(config), "ca.pem".into()));
    let (s, c) = errors(session(server(&ca), anonymous, "localhost", |_| (), |_| ()));
    assert_eq!(s, "the peer sent no client certificate");
    assert_eq!(
        c,
        "the peer refused our certificate: we sent none and the peer requires one"
    );
}

#[test]
fn a_server_not_named_as_dialled_is_refused() {
    let ca = ca("test CA");
    let (s, c) = errors(session(
        server(&ca),
        client(&ca),
        "garbler.example",
        |_| (),
        |_| (),
    ));
    assert_eq!(
        c,
        "the peer's certificate is not valid for \"garbler.example\" \
         (it names localhost, 127.0.0.1)"
    );
    assert_eq!(
        s,
        "the peer refused our certificate: it reports a bad certificate \
         (one that does not name the host it dialled, for instance)"
    );

    // The name checked can differ from the address dialled.
    let connector = config(&ca, &ca, evaluator_spec())
        .connector()
        .unwrap()
        .server_name("localhost".into())
        .unwrap();
    let (s, c) = session(
        server(&ca),
        ClientSecurity::Tls(connector),
        "garbler.example",
        |_| (),
        |_| (),
    );
    assert!(s.is_ok() && c.is_ok());
}

#[test]
fn the_allow_list_admits_only_its_identities() {
    let ca = ca("test CA");
    let acceptor = |names: &[&str]| -> TlsAcceptor {
        config(&ca, &ca, garbler_spec())
            .acceptor()
            .unwrap()
            .allow(names.iter().map(|n| n.to_string()).collect())
    };
    let (s, c) = errors(session(
        ServerSecurity::Tls(acceptor(&["alice", "bob"])),
        client(&ca),
        "localhost",
        |_| (),
        |_| (),
    ));
    assert_eq!(
        s,
        "the peer \"evaluator\" is not allowed to connect (allowed: alice, bob)"
    );
    assert_eq!(
        c,
        "the peer refused the connection: its identity \"evaluator\" is not allowed"
    );

    let (s, c) = session(
        ServerSecurity::Tls(acceptor(&["alice", "Evaluator"])),
        client(&ca),
        "localhost",
        |l| l.peer_identity().unwrap().to_string(),
        |_| (),
    );
    assert_eq!(s.unwrap(), "evaluator");
    assert!(c.is_ok());
}

#[test]
fn a_plaintext_client_against_a_tls_server_fails_on_both_sides() {
    let ca = ca("test CA");
    let (s, c) = session(
        server(&ca),
        ClientSecurity::InsecurePlaintext,
        "localhost",
        |_| (),
        |link| {
            // What an evaluator sends first: a session hello.
            let mut ch = Channel::new(link, limits());
            ch.send(Kind::Hello, b"a plaintext hello").unwrap();
            ch.recv().map(|_| ()).unwrap_err().to_string()
        },
    );
    assert_eq!(
        s.unwrap_err().to_string(),
        TransportError::NotTls.to_string()
    );
    assert_eq!(
        c.unwrap(),
        format!("handshake: {}", TransportError::PeerSpeaksTls)
    );
}

#[test]
fn a_tls_client_against_a_plaintext_server_fails_on_both_sides() {
    let ca = ca("test CA");
    let (s, c) = session(
        ServerSecurity::InsecurePlaintext,
        client(&ca),
        "localhost",
        |link| {
            // What a garbler does with a message it cannot read.
            let mut ch = Channel::new(link, limits());
            let e = ch.recv().map(|_| ()).unwrap_err().to_string();
            ch.send_error(&e);
            e
        },
        |_| (),
    );
    assert_eq!(
        s.unwrap(),
        format!("handshake: {}", TransportError::PeerSpeaksTls)
    );
    assert_eq!(
        c.unwrap_err().to_string(),
        TransportError::NotTls.to_string()
    );
}

#[test]
fn a_silent_server_times_out_the_handshake() {
    let ca = ca("test CA");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let _held = listener.accept().unwrap();
    let short = Limits {
        timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let start = Instant::now();
    let e = client(&ca)
        .connect(stream, "localhost", short)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "the TLS handshake timed out after 300 ms");
    assert!(start.elapsed() < Duration::from_secs(3), "no hang");
}

#[test]
fn a_link_dropped_without_close_notify_reads_as_an_unexpected_end() {
    let ca = ca("test CA");
    let (s, c) = session(
        server(&ca),
        client(&ca),
        "localhost",
        |mut link| {
            link.write_all(b"partial").unwrap();
            link.flush().unwrap();
            drop(link);
        },
        |mut link| {
            let mut got = [0u8; 7];
            link.read_exact(&mut got).unwrap();
            (got, link.read(&mut [0u8; 1]).unwrap_err().kind())
        },
    );
    s.unwrap();
    assert_eq!(c.unwrap(), (*b"partial", ErrorKind::UnexpectedEof));
}

/// Counts what reaches the socket.
struct Counting {
    inner: TcpStream,
    written: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> std::io::Result<usize> {
        let n = self.inner.write_vectored(bufs)?;
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[test]
fn a_vectored_header_and_payload_share_records() {
    let ca = ca("test CA");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = config(&ca, &ca, garbler_spec()).acceptor().unwrap();
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let counting = Counting {
            inner: stream,
            written: counter.clone(),
        };
        let mut link = acceptor.accept(counting, Duration::from_secs(5)).unwrap();
        let before = counter.load(Ordering::Relaxed);
        let header = [9u8; 5];
        let payload = vec![7u8; 64 << 10];
        let mut bufs = [IoSlice::new(&header), IoSlice::new(&payload)];
        let mut slices = &mut bufs[..];
        while !slices.is_empty() {
            let n = link.write_vectored(slices).unwrap();
            IoSlice::advance_slices(&mut slices, n);
        }
        link.flush().unwrap();
        counter.load(Ordering::Relaxed) - before
    });
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let connector = config(&ca, &ca, evaluator_spec()).connector().unwrap();
    let mut link = connector
        .connect(stream, "localhost", Duration::from_secs(5))
        .unwrap();
    let mut got = vec![0u8; 5 + (64 << 10)];
    link.read_exact(&mut got).unwrap();
    assert_eq!(&got[..5], &[9u8; 5]);
    assert!(got[5..].iter().all(|&b| b == 7));
    let wire = server.join().unwrap();
    // 65,541 bytes fill five 16 KiB records (22 bytes of header, content
    // type and tag each); a record of its own for the header would be a
    // sixth.
    let plain = 5 + (64u64 << 10);
    assert_eq!(wire, plain + 5 * 22, "records on the wire");
}
