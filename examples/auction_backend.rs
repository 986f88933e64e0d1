//! An auction backend: many sealed-bid (Vickrey) auctions against one
//! long-running garbler service, through the evaluator library.
//!
//! Each bid is XOR-shared by its bidder: one share goes to the garbler
//! service, the other to this backend, so neither party alone learns any bid;
//! only the winner and the price (the second-highest bid) are revealed.
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

use circuits::{value, Party};
use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
use garbler::{serve, InputSource, PeerInfo, SessionConfig as ServiceConfig};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use transport::certs::{CertificateAuthority, CertificateSpec, Usage, Validity};
use transport::{ServerSecurity, TlsConfig};

const AUCTIONS: usize = 200;
const BIDDERS: usize = 64;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/vickrey_lean.mpc");
    let circuit = compiler::compile_file(&program).map_err(|e| e.to_string())?;
    println!(
        "vickrey_lean.mpc: {} bidders, {} AND gates",
        BIDDERS,
        circuit.and_count()
    );

    // The garbler service: its shares arrive on a queue, one auction each.
    let (to_garbler, shares) = mpsc::channel::<Vec<bool>>();
    let shares = Arc::new(Mutex::new(shares));
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    // Both sides prepare the circuit once (schedule and digest).
    let prepared = Prepared::new(circuit.clone())?;
    let service_prepared = prepared.clone();
    let (service_security, backend_security) = tls_for_this_run()?;
    std::thread::spawn(move || {
        let make_inputs = move |_: &PeerInfo| -> Box<dyn InputSource + Send> {
            let shares = shares.clone();
            Box::new(move || {
                shares
                    .lock()
                    .map_err(|_| "share queue poisoned".to_string())?
                    .recv()
                    .map_err(|_| "no more auctions".to_string())
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
            ServiceConfig::default(),
        );
    });

    // The backend: one session, base OTs once, then auction after auction.
    let mut session = Session::connect(
        &format!("localhost:{}", addr.port()),
        &backend_security,
        &prepared,
        SessionConfig {
            transcript: true,
            ..SessionConfig::default()
        },
    )?;
    let mut rng = Rng::new();
    let mut backend_shares = Vec::new();
    let mut expected = Vec::new();
    for _ in 0..AUCTIONS {
        let bids: Vec<u32> = (0..BIDDERS)
            .map(|_| rng.next() as u32 % 1_000_000)
            .collect();
        let masks: Vec<u32> = (0..BIDDERS)
            .map(|_| crypto::Block::random().0 as u32)
            .collect();
        let list = |v: &[u32]| {
            format!(
                "[{}]",
                v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            )
        };
        let theirs = value::parse_inputs(&circuit, Some(Party::Garbler), &[list(&masks)])?;
        let ours: Vec<u32> = bids.iter().zip(&masks).map(|(b, m)| b ^ m).collect();
        to_garbler.send(theirs)?;
        backend_shares.push(value::parse_inputs(
            &circuit,
            Some(Party::Evaluator),
            &[list(&ours)],
        )?);
        expected.push(vickrey(&bids));
    }
    // One request for all the auctions: about one round trip in all.
    let start = std::time::Instant::now();
    let outcomes = session.evaluate_batch(&backend_shares)?;
    let elapsed = start.elapsed();
    for (i, (out, (winner, price))) in outcomes.iter().zip(&expected).enumerate() {
        let line = value::format_outputs(&circuit, out).join(" ");
        assert_eq!(
            line,
            format!("Outcome {{ winner: {winner}, price: {price} }}"),
            "auction {i}"
        );
        if i < 5 || i + 1 == AUCTIONS {
            println!("auction {:>3}: {line}", i + 1);
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
