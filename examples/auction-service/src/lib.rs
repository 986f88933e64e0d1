//! A sealed-bid (Vickrey) auction service over HTTP, on garbled circuits.
//!
//! Every bid is split by its bidder into two XOR shares (`bidder`): one goes
//! to the `share-holder` (the garbler's side: a garbler service and an HTTP
//! endpoint for shares), the other to the `auction-house` (the evaluator's
//! side: the HTTP API for bids and closing, which runs the computation with
//! the evaluator library). Neither service alone learns any bid; closing an
//! auction reveals only the winner and the price (the second-highest bid)
//! to the auction-house. The computation's public context is the auction id:
//! the share-holder's garbler looks its shares up by it.
//!
//! This library holds what the three programs share: the program
//! (`auction.mpc`, with N bidders), the JSON bodies and errors, and the
//! book of shares each service keeps.

#![deny(missing_docs)]

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use circuits::Circuit;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Bidders of an auction unless `--bidders` says otherwise.
pub const DEFAULT_BIDDERS: usize = 8;

/// Most bidders (the winner's index is a `u8`).
pub const MAX_BIDDERS: usize = 256;

/// The program, with `N` bidders set by [`program`].
pub const PROGRAM: &str = include_str!("../auction.mpc");

/// The auction program for `bidders` bidders, compiled: garbler input `a`
/// and evaluator input `b`, `[u32; N]` each, the two shares of each bid;
/// result `Outcome { winner: u8, price: u32 }`.
pub fn program(bidders: usize) -> Result<Circuit, String> {
    if !(2..=MAX_BIDDERS).contains(&bidders) {
        return Err(format!(
            "--bidders {bidders}: an auction has 2 to {MAX_BIDDERS} bidders"
        ));
    }
    let line = "const N: u32 = 8;";
    if !PROGRAM.contains(line) {
        return Err("auction.mpc does not declare `const N: u32 = 8;`".into());
    }
    let src = PROGRAM.replace(line, &format!("const N: u32 = {bidders};"));
    compiler::compile_source(&src, "auction.mpc").map_err(|e| format!("auction.mpc: {e:?}"))
}

/// The garbler's input: its shares, by parameter name.
#[derive(Serialize)]
pub struct GarblerShares<'a> {
    /// One share per bidder, in bidder order.
    pub a: &'a [u32],
}

/// The evaluator's input: its shares, by parameter name.
#[derive(Serialize)]
pub struct EvaluatorShares<'a> {
    /// One share per bidder, in bidder order.
    pub b: &'a [u32],
}

/// The outcome of an auction, the program's result and the JSON answer of
/// `POST /auctions/{id}/close`: `{"winner": K, "price": P}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The highest bidder (the lowest index on ties).
    pub winner: u8,
    /// The second-highest bid.
    pub price: u32,
}

/// The plaintext Vickrey auction: the first highest bidder wins and pays
/// the second-highest bid.
pub fn vickrey(bids: &[u32]) -> Outcome {
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
    Outcome {
        winner: winner as u8,
        price: second,
    }
}

/// Splits `bid` into two XOR shares with a mask from the OS's CSPRNG:
/// `(share-holder's, auction-house's)`.
pub fn split(bid: u32) -> (u32, u32) {
    let mask = crypto::Block::random().0 as u32;
    (mask, bid ^ mask)
}

/// The body of `POST /auctions/{id}/shares` and `POST /auctions/{id}/bids`:
/// `{"bidder": K, "share": X}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    /// The bidder, 0 to N-1.
    pub bidder: u64,
    /// The bidder's share of its bid for this side.
    pub share: u32,
}

/// An error answered as JSON `{"error": "..."}` with its status.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What is wrong (never a share or a bid).
    pub message: String,
}

impl ApiError {
    /// An error with `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

/// The JSON body of every error.
#[derive(Serialize, Deserialize)]
pub struct ErrorBody {
    /// What is wrong.
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response()
    }
}

/// Checks an auction id (it is the computation's context): 1 to
/// [`protocol::MAX_CONTEXT`] bytes.
pub fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > protocol::MAX_CONTEXT {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "an auction id of {} bytes: ids have 1 to {} bytes",
                id.len(),
                protocol::MAX_CONTEXT
            ),
        ));
    }
    Ok(())
}

/// Reads a share body, answering 400 with what is wrong (never the value:
/// the position and kind of the error only).
pub fn parse_share(body: &[u8], bidders: usize) -> Result<Share, ApiError> {
    let malformed = |what: String| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "malformed body ({what}; expected {{\"bidder\": K, \"share\": X}} with K in \
                 0..{bidders} and X a u32)"
            ),
        )
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        malformed(format!(
            "not JSON at line {} column {}",
            e.line(),
            e.column()
        ))
    })?;
    if !value.is_object() {
        return Err(malformed("not a JSON object".into()));
    }
    let share = Share::deserialize(value).map_err(|e| {
        // serde's message may quote the value posted: only its kind is said.
        let what = if e.to_string().starts_with("missing field") {
            "a field is missing"
        } else if e.to_string().starts_with("unknown field") {
            "an unknown field"
        } else {
            "a field out of range or of another type"
        };
        malformed(what.into())
    })?;
    if share.bidder >= bidders as u64 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "bidder {} out of range: this auction has bidders 0 to {}",
                share.bidder,
                bidders - 1
            ),
        ));
    }
    Ok(share)
}

/// One auction's shares on one side.
#[derive(Clone, Debug)]
pub struct Auction {
    /// One share per bidder, once posted.
    pub shares: Vec<Option<u32>>,
    /// Whether its computation has started: no share is taken after it.
    pub closed: bool,
}

impl Auction {
    /// The bidders whose shares are missing, as text: `bidders 1, 4`.
    pub fn missing(&self) -> Option<String> {
        let missing: Vec<String> = self
            .shares
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| i.to_string())
            .collect();
        match missing.len() {
            0 => None,
            1 => Some(format!("bidder {}", missing[0])),
            _ => Some(format!("bidders {}", missing.join(", "))),
        }
    }

    /// All the shares, if every bidder has posted.
    pub fn all(&self) -> Option<Vec<u32>> {
        self.shares.iter().copied().collect()
    }
}

/// The shares one side holds, by auction id.
#[derive(Debug)]
pub struct Book {
    bidders: usize,
    auctions: HashMap<String, Auction>,
}

impl Book {
    /// An empty book for auctions of `bidders` bidders.
    pub fn new(bidders: usize) -> Book {
        Book {
            bidders,
            auctions: HashMap::new(),
        }
    }

    /// Bidders per auction.
    pub fn bidders(&self) -> usize {
        self.bidders
    }

    /// Records a bidder's share (the auction starts with its first share):
    /// 409 when the bidder has posted already or the auction is closed.
    pub fn add(&mut self, id: &str, share: Share) -> Result<(), ApiError> {
        let bidders = self.bidders;
        let auction = self.auctions.entry(id.to_string()).or_insert(Auction {
            shares: vec![None; bidders],
            closed: false,
        });
        if auction.closed {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("auction {id:?} is closed: no more bids"),
            ));
        }
        let slot = auction
            .shares
            .get_mut(share.bidder as usize)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("bidder {} out of range", share.bidder),
                )
            })?;
        if slot.is_some() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("bidder {} has already bid in auction {id:?}", share.bidder),
            ));
        }
        *slot = Some(share.share);
        Ok(())
    }

    /// The auction `id`, if any share of it was posted.
    pub fn get(&self, id: &str) -> Option<&Auction> {
        self.auctions.get(id)
    }

    /// The auction `id`, to change.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Auction> {
        self.auctions.get_mut(id)
    }
}

/// Prints the address a service listens on, in the form tests read:
/// `NAME: LISTENER listening on ADDR`.
pub fn announce(name: &str, what: &str, addr: std::net::SocketAddr) {
    eprintln!("{name}: {what} listening on {addr}");
}
