//! `auction-house`: the evaluator's side of the auction service. Bidders
//! post its share of their bids on `POST /auctions/{id}/bids`
//! (`{"bidder": K, "share": X}`); `POST /auctions/{id}/close` runs the
//! Vickrey computation with the share-holder's garbler service (through a
//! pool of evaluator sessions, the auction id as the computation's
//! context) and answers `{"winner": K, "price": P}`. The outcome is kept:
//! closing again answers the same outcome, computed once.
//!
//! ```sh
//! auction-house --http 127.0.0.1:8002 --garbler 127.0.0.1:7000 --insecure-plaintext
//! ```

use auction_service::{
    announce, check_id, parse_share, program, ApiError, Book, EvaluatorShares, Outcome,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use clap::Parser;
use evaluator::{EvalError, PoolConfig, Prepared, SessionConfig, SessionPool};
use protocol::{Limits, ProtocolError};
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The evaluator's side of the sealed-bid auction service.
#[derive(Parser)]
#[command(name = "auction-house", version)]
struct Args {
    /// Address of the HTTP API for bidders and sellers.
    #[arg(long, value_name = "ADDR")]
    http: String,
    /// Address of the share-holder's garbler service (HOST:PORT).
    #[arg(long, value_name = "ADDR")]
    garbler: String,
    /// Bidders per auction (the same as the share-holder's).
    #[arg(long, default_value_t = auction_service::DEFAULT_BIDDERS)]
    bidders: usize,
    /// Most sessions with the garbler service at once.
    #[arg(long, default_value_t = 4)]
    sessions: usize,
    /// Seconds to wait for the garbler service before an error.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    #[command(flatten)]
    tls: transport::cli::ClientTlsArgs,
}

/// What the API keeps.
struct House {
    bids: Mutex<Book>,
    /// Each closed auction's outcome, or `None` while it is computed.
    outcomes: Mutex<HashMap<String, Option<Outcome>>>,
    pool: SessionPool,
}

type Shared = Arc<House>;

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("auction-house: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let security = args.tls.security().map_err(|e| e.to_string())?;
    let prepared = Prepared::new(program(args.bidders)?).map_err(|e| e.to_string())?;
    let pool = SessionPool::new(
        args.garbler.clone(),
        security,
        prepared,
        PoolConfig {
            size: args.sessions.max(1),
            session: SessionConfig {
                limits: Limits {
                    timeout: Duration::from_secs(args.timeout.max(1)),
                    ..Limits::default()
                },
                ..SessionConfig::default()
            },
            ..PoolConfig::default()
        },
    );
    let house = Arc::new(House {
        bids: Mutex::new(Book::new(args.bidders)),
        outcomes: Mutex::new(HashMap::new()),
        pool,
    });
    let http = std::net::TcpListener::bind(&args.http)
        .map_err(|e| format!("cannot listen on {}: {e}", args.http))?;
    http.set_nonblocking(true).map_err(|e| e.to_string())?;
    announce(
        "auction-house",
        "http",
        http.local_addr().map_err(|e| e.to_string())?,
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let app = Router::new()
            .route("/auctions/{id}/bids", post(post_bid))
            .route("/auctions/{id}/close", post(close))
            .with_state(house);
        let listener = tokio::net::TcpListener::from_std(http).map_err(|e| e.to_string())?;
        axum::serve(listener, app)
            .await
            .map_err(|e| format!("http: {e}"))
    })
}

/// `POST /auctions/{id}/bids`.
async fn post_bid(
    State(house): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    check_id(&id)?;
    let mut book = house.bids.lock().unwrap_or_else(|e| e.into_inner());
    let share = parse_share(&body, book.bidders())?;
    book.add(&id, share)?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "auction": id, "bidder": share.bidder })),
    ))
}

/// `POST /auctions/{id}/close`: the outcome, computed once.
async fn close(
    State(house): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Outcome>, ApiError> {
    check_id(&id)?;
    // Taken under the locks: the shares, and the right to compute.
    let shares = {
        let mut book = house.bids.lock().unwrap_or_else(|e| e.into_inner());
        let mut outcomes = house.outcomes.lock().unwrap_or_else(|e| e.into_inner());
        match outcomes.get(&id) {
            Some(Some(outcome)) => return Ok(Json(*outcome)),
            Some(None) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("auction {id:?} is being closed: ask again for its outcome"),
                ))
            }
            None => {}
        }
        let auction = book.get_mut(&id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no auction {id:?}: no bid was posted for it"),
            )
        })?;
        if let Some(missing) = auction.missing() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("auction {id:?} cannot close: no bid from {missing} yet"),
            ));
        }
        auction.closed = true;
        outcomes.insert(id.clone(), None);
        auction.all().unwrap_or_default()
    };
    let result = house
        .pool
        .evaluate_typed_with_context::<Outcome>(id.as_bytes(), &EvaluatorShares { b: &shares })
        .await;
    // The locks in the order taken above: the bids, then the outcomes.
    let mut book = house.bids.lock().unwrap_or_else(|e| e.into_inner());
    let mut outcomes = house.outcomes.lock().unwrap_or_else(|e| e.into_inner());
    match result {
        Ok(outcome) => {
            outcomes.insert(id, Some(outcome));
            Ok(Json(outcome))
        }
        Err(e) => {
            // Not computed: the auction may be closed again later.
            outcomes.remove(&id);
            if let Some(a) = book.get_mut(&id) {
                a.closed = false;
            }
            Err(failure(&house.pool, &e))
        }
    }
}

/// What a failed computation answers: 409 when the share-holder refused
/// (its shares missing, say), 503 when its garbler service cannot be
/// reached, 502 for any other failure of the session.
fn failure(pool: &SessionPool, e: &EvalError) -> ApiError {
    match e {
        EvalError::Protocol(ProtocolError::Peer { msg, .. }) => ApiError::new(
            StatusCode::CONFLICT,
            format!("the share-holder refused: {msg}"),
        ),
        EvalError::Unreachable { .. } => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
        }
        other => ApiError::new(
            StatusCode::BAD_GATEWAY,
            format!(
                "the computation with the garbler service at {} failed: {other}",
                pool.addr()
            ),
        ),
    }
}
