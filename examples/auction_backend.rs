//! An auction backend: many sealed-bid (Vickrey) auctions against one
//! long-running garbler service, through the evaluator library.
//!
//! Each bid is XOR-shared by its bidder: one share goes to the garbler
//! service, the other to this backend, so neither party alone learns any bid;
//! only the winner and the price (the second-highest bid) are revealed.
//!
//! The auctions run twice: semi-honest (the service garbles, the backend
//! evaluates: private against a cheating backend), then under dual
//! execution (both garble and evaluate, and an equality test guards every
//! outcome: a service that garbled something else to learn the bids would
//! learn one bit at most, and be caught). The same code serves both; only
//! `security` in the two session configurations differs.
//!
//! The garbler service runs in a thread of this process so the example is
//! self-contained; in production it is `garbler --serve` on another machine,
//! fed its shares by the bidders. The two talk TLS 1.3 with mutual
//! authentication, with certificates made here for the run (in production:
//! files from your CA, or `mpcc certs DIR`).
//!
//! ```sh
//! cargo run --release -p evaluator --example auction_backend
//! ```

use circuits::{typed, Party};
use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
use garbler::{serve, InputSource, PeerInfo, SessionConfig as ServiceConfig};
use protocol::Security;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
use transport::{ServerSecurity, TlsConfig};

const AUCTIONS: usize = 200;
const BIDDERS: usize = 64;

/// The evaluator's parameter of `vickrey_lean.mpc`, by name: its shares.
#[derive(Serialize)]
struct BackendShares {
    b: Vec<u32>,
}

/// The garbler's parameter: the other shares.
#[derive(Serialize)]
struct ServiceShares {
    a: Vec<u32>,
}

/// The program's result, `struct Outcome { winner: u8, price: u32 }`.
#[derive(Deserialize, Debug, PartialEq)]
struct Outcome {
    winner: u8,
    price: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/vickrey_lean.mpc");
    let circuit = compiler::compile_file(&program).map_err(|e| e.to_string())?;
    println!(
        "vickrey_lean.mpc: {} bidders, {} AND gates",
        BIDDERS,
        circuit.and_count()
    );
    // Both sides prepare the circuit once (schedule and digest).
    let prepared = Prepared::new(circuit)?;
    for security in [Security::SemiHonest, Security::DualExecution] {
        println!("-- {}", security.name());
        auctions(&prepared, security)?;
    }
    Ok(())
}

/// A garbler service and the backend in `security` mode: [`AUCTIONS`]
/// auctions, each outcome checked against the plaintext auction.
fn auctions(prepared: &Prepared, security: Security) -> Result<(), Box<dyn std::error::Error>> {
    let circuit = prepared.circuit.clone();
    // The garbler service: its shares of each auction, by auction id (the
    // computation's public context), as bidders would have posted them.
    let book: Arc<Mutex<HashMap<Vec<u8>, Vec<bool>>>> = Arc::default();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let service_prepared = prepared.clone();
    let (service_security, backend_security) = tls_for_this_run()?;
    let service_book = book.clone();
    std::thread::spawn(move || {
        let make_inputs = move |_: &PeerInfo| -> Box<dyn InputSource + Send> {
            let book = service_book.clone();
            Box::new(move |auction: &[u8]| {
                book.lock()
                    .map_err(|_| "share book poisoned".to_string())?
                    .remove(auction)
                    .ok_or_else(|| {
                        format!("no shares for auction {}", String::from_utf8_lossy(auction))
                    })
            })
        };
        let report = |peer: &PeerInfo, outcome: Result<_, garbler::GarbleError>, _results| {
            if let Err(e) = outcome {
                eprintln!("garbler service: session with {peer}: {e}");
            }
        };
        let _ = serve(
            listener,
            service_security,
            service_prepared,
            make_inputs,
            report,
            ServiceConfig {
                security,
                ..ServiceConfig::default()
            },
        );
    });

    // The backend: one session, base OTs once, then auction after auction.
    let mut session = Session::connect(
        &format!("localhost:{}", addr.port()),
        &backend_security,
        prepared,
        SessionConfig {
            transcript: true,
            security,
            ..SessionConfig::default()
        },
    )?;
    let mut rng = Rng::new();
    let mut ids = Vec::new();
    let mut backend_shares = Vec::new();
    let mut expected = Vec::new();
    for n in 0..AUCTIONS {
        let bids: Vec<u32> = (0..BIDDERS)
            .map(|_| rng.next() as u32 % 1_000_000)
            .collect();
        // Each bid split in two XOR shares, one for each side.
        let masks: Vec<u32> = (0..BIDDERS)
            .map(|_| crypto::Block::random().0 as u32)
            .collect();
        let ours: Vec<u32> = bids.iter().zip(&masks).map(|(b, m)| b ^ m).collect();
        let id = format!("auction-{n}").into_bytes();
        let theirs =
            typed::encode_inputs(&circuit, Some(Party::Garbler), &ServiceShares { a: masks })?;
        book.lock()
            .map_err(|_| "share book poisoned")?
            .insert(id.clone(), theirs);
        ids.push(id);
        backend_shares.push(BackendShares { b: ours });
        expected.push(vickrey(&bids));
    }
    // One call for all the auctions (semi-honest: one request, about one
    // round trip in all; dual execution: one after another, each with its
    // equality test). The garbler finds its shares of each by the
    // auction's id.
    let start = std::time::Instant::now();
    let outcomes: Vec<Outcome> = session.evaluate_typed_batch(&backend_shares, &ids)?;
    let elapsed = start.elapsed();
    for (i, (out, (winner, price))) in outcomes.iter().zip(&expected).enumerate() {
        assert_eq!(
            (usize::from(out.winner), out.price),
            (*winner, *price),
            "auction {i}"
        );
        if i < 5 || i + 1 == AUCTIONS {
            println!(
                "auction {:>3}: winner {:>2}, price {:>6}",
                i + 1,
                out.winner,
                out.price
            );
        } else if i == 5 {
            println!("...");
        }
    }
    println!("{AUCTIONS} auctions in {:.1} ms, {:.0} us each; every outcome checked against the plaintext auction", elapsed.as_secs_f64() * 1e3, elapsed.as_secs_f64() * 1e6 / AUCTIONS as f64);
    let stats = session.close()?;
    println!("{}", stats.to_json());
    Ok(())
}

/// A CA and a certificate for each side, made for this run: the service is
/// `localhost`, the backend `auction-backend`.
fn tls_for_this_run() -> Result<(ServerSecurity, ClientSecurity), transport::TransportError> {
    let ca = CertificateAuthority::generate("auction example CA", Validity::days(1))?;
    let config = |identity: &str, names: &[&str], usage| {
        let c = ca.issue(&CertificateSpec {
            identity: identity.into(),
            names: names.iter().map(|n| n.to_string()).collect(),
            usage,
            validity: Validity::days(1),
        })?;
        TlsConfig::from_pem(
            c.certificate_pem.as_bytes(),
            c.key_pem().as_bytes(),
            ca.certificate_pem().as_bytes(),
            Path::new("garbler.pem"),
            Path::new("garbler.key"),
            Path::new("ca.pem"),
        )
    };
    let service = config("garbler", &["localhost"], Usage::Server)?.acceptor()?;
    let backend = config("auction-backend", &[], Usage::Client)?.connector()?;
    Ok((
        ServerSecurity::Tls(service.allow(vec!["auction-backend".into()])),
        ClientSecurity::Tls(backend),
    ))
}

/// The plaintext Vickrey auction: the first highest bidder wins and pays
/// the second-highest bid.
fn vickrey(bids: &[u32]) -> (usize, u32) {
    let (mut first, mut second, mut winner) = (0u32, 0u32, 0usize);
    for (i, &b) in bids.iter().enumerate() {
        if b > first {
            second = first;
            first = b;
            winner = i;
        } else if b > second {
            second = b;
        }
    }
    (winner, second)
}

/// Bids and masks for the demo (xorshift seeded from the OS).
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        Rng(crypto::Block::random().0 as u64 | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
