//! What TLS costs a session link on loopback: a new connection with its
//! handshake and a first byte each way, against a plain TCP connection;
//! the handshake's computation alone (both sides in one thread, no
//! sockets); and bulk throughput of 64 KiB writes through TLS against plain
//! TCP.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use protocol::Limits;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
use transport::rustls::pki_types::ServerName;
use transport::rustls::{ClientConnection, ConnectionCommon, ServerConnection};
use transport::{ClientSecurity, ServerSecurity, TlsConfig};

/// Bytes per throughput iteration.
const BULK: usize = 64 << 20;
/// Size of one write.
const WRITE: usize = 64 << 10;

/// The garbler's and the evaluator's TLS material, from fresh certificates.
fn configs() -> (TlsConfig, TlsConfig) {
    let ca = CertificateAuthority::generate("bench CA", Validity::days(1)).expect("CA");
    let config = |identity: &str, names: &[&str], usage| {
        let c = ca
            .issue(&CertificateSpec {
                identity: identity.into(),
                names: names.iter().map(|n| n.to_string()).collect(),
                usage,
                validity: Validity::days(1),
            })
            .expect("issue");
        TlsConfig::from_pem(
            c.certificate_pem.as_bytes(),
            c.key_pem().as_bytes(),
            ca.certificate_pem().as_bytes(),
            Path::new("cert.pem"),
            Path::new("key.pem"),
            Path::new("ca.pem"),
        )
        .expect("config")
    };
    (
        config("garbler", &["localhost"], Usage::Server),
        config("evaluator", &[], Usage::Client),
    )
}

/// A garbler-side and an evaluator-side security from fresh certificates.
fn securities() -> (ServerSecurity, ClientSecurity) {
    let (server, client) = configs();
    (
        ServerSecurity::Tls(server.acceptor().expect("acceptor")),
        ClientSecurity::Tls(client.connector().expect("connector")),
    )
}

/// Feeds what `from` has queued to `to`.
fn pass<A, B>(from: &mut ConnectionCommon<A>, to: &mut ConnectionCommon<B>) {
    let mut wire = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut wire).expect("write_tls");
    }
    let mut rd = &wire[..];
    while !rd.is_empty() {
        to.read_tls(&mut rd).expect("read_tls");
        to.process_new_packets().expect("handshake");
    }
}

fn handshake_computation(c: &mut Criterion) {
    let (server, client) = configs();
    let (server, client) = (
        server.server_config().expect("server"),
        client.client_config().expect("client"),
    );
    let mut g = c.benchmark_group("tls_handshake_computation");
    g.bench_function("both_sides_in_memory", |b| {
        b.iter(|| {
            let name = ServerName::try_from("localhost").expect("name");
            let mut c = ClientConnection::new(client.clone(), name).expect("client");
            let mut s = ServerConnection::new(server.clone()).expect("server");
            while c.is_handshaking() || s.is_handshaking() {
                pass(&mut c, &mut s);
                pass(&mut s, &mut c);
            }
        })
    });
    g.finish();
}

/// A server that answers each connection's first byte with one byte.
fn echo_once(security: ServerSecurity) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if let Ok(mut link) = security.accept(stream, Limits::default()) {
                let mut b = [0u8; 1];
                if link.read_exact(&mut b).is_ok() {
                    let _ = link.write_all(&b).and_then(|()| link.flush());
                }
                let _ = link.close();
            }
        }
    });
    addr
}

fn connect(c: &mut Criterion) {
    let (server, client) = securities();
    let mut g = c.benchmark_group("link_connect_first_byte");
    for (name, server, client) in [
        (
            "plain",
            ServerSecurity::InsecurePlaintext,
            ClientSecurity::InsecurePlaintext,
        ),
        ("tls", server, client),
    ] {
        let addr = echo_once(server);
        g.bench_function(name, |b| {
            b.iter(|| {
                let stream = TcpStream::connect(addr).expect("connect");
                let mut link = client
                    .connect(stream, "localhost", Limits::default())
                    .expect("link");
                link.write_all(&[7]).expect("write");
                link.flush().expect("flush");
                let mut back = [0u8; 1];
                link.read_exact(&mut back).expect("read");
                link.close().expect("close");
            })
        });
    }
    g.finish();
}

/// A server that reads [`BULK`] bytes per round and acknowledges each
/// round with one byte.
fn sink(security: ServerSecurity) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let Ok(mut link) = security.accept(stream, Limits::default()) else {
                continue;
            };
            let mut buf = vec![0u8; WRITE];
            'rounds: loop {
                let mut left = BULK;
                while left > 0 {
                    match link.read(&mut buf[..left.min(WRITE)]) {
                        Ok(0) | Err(_) => break 'rounds,
                        Ok(n) => left -= n,
                    }
                }
                if link.write_all(&[1]).and_then(|()| link.flush()).is_err() {
                    break;
                }
            }
        }
    });
    addr
}

fn throughput(c: &mut Criterion) {
    let (server, client) = securities();
    let mut g = c.benchmark_group("link_bulk_64k_writes");
    g.throughput(Throughput::Bytes(BULK as u64));
    g.sample_size(10);
    for (name, server, client) in [
        (
            "plain",
            ServerSecurity::InsecurePlaintext,
            ClientSecurity::InsecurePlaintext,
        ),
        ("tls", server, client),
    ] {
        let addr = sink(server);
        let stream = TcpStream::connect(addr).expect("connect");
        let mut link = client
            .connect(stream, "localhost", Limits::default())
            .expect("link");
        let data = vec![0x5au8; WRITE];
        g.bench_function(name, |b| {
            b.iter(|| {
                for _ in 0..BULK / WRITE {
                    link.write_all(&data).expect("write");
                }
                link.flush().expect("flush");
                let mut ack = [0u8; 1];
                link.read_exact(&mut ack).expect("ack");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, connect, handshake_computation, throughput);
criterion_main!(benches);
