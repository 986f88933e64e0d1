//! `share-holder`: the garbler's side of the auction service. Bidders post
//! its share of their bids on `POST /auctions/{id}/shares`
//! (`{"bidder": K, "share": X}`); the garbler service on `--garbler` answers
//! the auction-house, looking its shares up by the auction id each
//! computation carries as its context. Each auction is computed at most
//! once: its shares are given to one computation only (a second one, with
//! other evaluator shares, would let the auction-house learn more than the
//! outcome).
//!
//! ```sh
//! share-holder --http 127.0.0.1:8001 --garbler 127.0.0.1:7000 --insecure-plaintext
//! ```

use auction_service::{announce, check_id, parse_share, program, ApiError, Book, GarblerShares};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use circuits::{typed, Party};
use clap::Parser;
use garbler::{serve, InputSource, PeerInfo, SessionConfig};
use protocol::Prepared;
use std::io::{BufRead, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// The garbler's side of the sealed-bid auction service.
#[derive(Parser)]
#[command(name = "share-holder", version)]
struct Args {
    /// Address of the HTTP endpoint for bidders' shares.
    #[arg(long, value_name = "ADDR")]
    http: String,
    /// Address the garbler service listens on, for the auction-house.
    #[arg(long, value_name = "ADDR")]
    garbler: String,
    /// Bidders per auction.
    #[arg(long, default_value_t = auction_service::DEFAULT_BIDDERS)]
    bidders: usize,
    /// Keep the shares and which auctions were computed in this file
    /// (appended to, read back at start), so that a restart loses nothing.
    /// It holds shares of bids: keep it as private as the service.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    #[command(flatten)]
    tls: transport::cli::ServerTlsArgs,
}

/// The book of shares and where it is kept.
struct Shares {
    book: Book,
    log: Option<std::fs::File>,
}

/// One line of the state file.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Event {
    /// A share was posted.
    Share {
        auction: String,
        bidder: u64,
        share: u32,
    },
    /// The auction's shares went to a computation.
    Computed { auction: String },
}

impl Shares {
    /// Appends an event to the state file, if there is one.
    fn record(&mut self, event: &Event) -> Result<(), String> {
        if let Some(f) = self.log.as_mut() {
            let mut line = serde_json::to_vec(event).map_err(|e| e.to_string())?;
            line.push(b'\n');
            f.write_all(&line)
                .and_then(|()| f.flush())
                .map_err(|e| format!("writing the state file: {e}"))?;
        }
        Ok(())
    }
}

type Shared = Arc<Mutex<Shares>>;

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("share-holder: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Reads the state file back into a book.
fn load(path: &std::path::Path, bidders: usize) -> Result<(Book, std::fs::File), String> {
    let mut book = Book::new(bidders);
    if let Ok(f) = std::fs::File::open(path) {
        for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
            let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let event: Event = serde_json::from_str(&line)
                .map_err(|_| format!("{}: line {} is not a state event", path.display(), n + 1))?;
            match event {
                Event::Share {
                    auction,
                    bidder,
                    share,
                } => book
                    .add(&auction, auction_service::Share { bidder, share })
                    .map_err(|e| format!("{}: line {}: {}", path.display(), n + 1, e.message))?,
                Event::Computed { auction } => {
                    if let Some(a) = book.get_mut(&auction) {
                        a.closed = true;
                    }
                }
            }
        }
    }
    // It holds shares of bids: readable by the service's user only, from
    // its creation on.
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let log = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((book, log))
}

fn run(args: Args) -> Result<(), String> {
    let security = args.tls.security().map_err(|e| e.to_string())?;
    let circuit = program(args.bidders)?;
    let prepared = Prepared::new(circuit).map_err(|e| e.to_string())?;
    let (book, log) = match &args.state {
        Some(path) => {
            let (book, log) = load(path, args.bidders)?;
            (book, Some(log))
        }
        None => (Book::new(args.bidders), None),
    };
    let shares: Shared = Arc::new(Mutex::new(Shares { book, log }));

    let garbler = TcpListener::bind(&args.garbler)
        .map_err(|e| format!("cannot listen on {}: {e}", args.garbler))?;
    let http = std::net::TcpListener::bind(&args.http)
        .map_err(|e| format!("cannot listen on {}: {e}", args.http))?;
    http.set_nonblocking(true).map_err(|e| e.to_string())?;
    announce(
        "share-holder",
        "garbler service",
        garbler.local_addr().map_err(|e| e.to_string())?,
    );
    announce(
        "share-holder",
        "http",
        http.local_addr().map_err(|e| e.to_string())?,
    );

    // The garbler service, on threads of its own.
    let (s, circuit) = (shares.clone(), prepared.circuit.clone());
    std::thread::spawn(move || {
        let make_inputs = move |_: &PeerInfo| -> Box<dyn InputSource + Send> {
            let (s, circuit) = (s.clone(), circuit.clone());
            Box::new(move |context: &[u8]| inputs_for(&s, &circuit, context))
        };
        let report = |peer: &PeerInfo, outcome: Result<_, garbler::GarbleError>, _| {
            if let Err(e) = outcome {
                eprintln!("share-holder: session with {peer}: {e}");
            }
        };
        if let Err(e) = serve(
            garbler,
            security,
            prepared,
            make_inputs,
            report,
            SessionConfig::default(),
        ) {
            eprintln!("share-holder: garbler service: {e}");
            std::process::exit(1);
        }
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let app = Router::new()
            .route("/auctions/{id}/shares", post(post_share))
            .with_state(shares);
        let listener = tokio::net::TcpListener::from_std(http).map_err(|e| e.to_string())?;
        axum::serve(listener, app)
            .await
            .map_err(|e| format!("http: {e}"))
    })
}

/// The garbler's shares of the auction whose id is `context`, for its one
/// computation; or why not, which the auction-house reads.
fn inputs_for(
    shares: &Shared,
    circuit: &circuits::Circuit,
    context: &[u8],
) -> Result<Vec<bool>, String> {
    let id = std::str::from_utf8(context)
        .map_err(|_| "share-holder: an auction id that is not UTF-8".to_string())?;
    let mut s = shares.lock().unwrap_or_else(|e| e.into_inner());
    let auction = s
        .book
        .get(id)
        .ok_or_else(|| format!("share-holder: no share of auction {id:?} was posted"))?;
    if auction.closed {
        return Err(format!(
            "share-holder: auction {id:?} was computed already (each auction is computed once)"
        ));
    }
    if let Some(missing) = auction.missing() {
        return Err(format!(
            "share-holder: auction {id:?} has no share from {missing} yet"
        ));
    }
    let all = auction.all().unwrap_or_default();
    let bits = typed::encode_inputs(circuit, Some(Party::Garbler), &GarblerShares { a: &all })
        .map_err(|e| format!("share-holder: {e}"))?;
    s.record(&Event::Computed {
        auction: id.to_string(),
    })?;
    if let Some(a) = s.book.get_mut(id) {
        a.closed = true;
    }
    Ok(bits)
}

/// `POST /auctions/{id}/shares`.
async fn post_share(
    State(shares): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    check_id(&id)?;
    let mut s = shares.lock().unwrap_or_else(|e| e.into_inner());
    let share = parse_share(&body, s.book.bidders())?;
    s.book.add(&id, share)?;
    if let Err(e) = s.record(&Event::Share {
        auction: id.clone(),
        bidder: share.bidder,
        share: share.share,
    }) {
        // Not kept: take it back, so that a retry can succeed.
        if let Some(a) = s.book.get_mut(&id) {
            a.shares[share.bidder as usize] = None;
        }
        return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e));
    }
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "auction": id, "bidder": share.bidder })),
    ))
}
