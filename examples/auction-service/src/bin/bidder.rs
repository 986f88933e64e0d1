//! `bidder`: splits a bid into two XOR shares (a mask from the OS's CSPRNG)
//! and posts one to the share-holder and the other to the auction-house;
//! neither alone learns anything of the bid.
//!
//! ```sh
//! bidder --share-holder http://127.0.0.1:8001 --auction-house http://127.0.0.1:8002 \
//!     --auction spring-sale --bidder 3 --bid 900
//! ```

use auction_service::{split, ErrorBody, Share};
use clap::Parser;
use std::process::ExitCode;

/// Post a sealed bid to both sides of the auction service.
#[derive(Parser)]
#[command(name = "bidder", version)]
struct Args {
    /// The share-holder's HTTP address (http://HOST:PORT).
    #[arg(long, value_name = "URL")]
    share_holder: String,
    /// The auction-house's HTTP address (http://HOST:PORT).
    #[arg(long, value_name = "URL")]
    auction_house: String,
    /// The auction's id.
    #[arg(long)]
    auction: String,
    /// This bidder's number, 0 to N-1.
    #[arg(long)]
    bidder: u64,
    /// The bid.
    #[arg(long)]
    bid: u32,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bidder: error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let (theirs, ours) = split(args.bid);
    let client = reqwest::Client::new();
    let id = &args.auction;
    for (name, base, route, share) in [
        ("share-holder", &args.share_holder, "shares", theirs),
        ("auction-house", &args.auction_house, "bids", ours),
    ] {
        let url = format!("{}/auctions/{id}/{route}", base.trim_end_matches('/'));
        let body = Share {
            bidder: args.bidder,
            share,
        };
        let response = client
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("{name} at {url}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            let why = match response.json::<ErrorBody>().await {
                Ok(b) => b.error,
                Err(_) => "no reason given".into(),
            };
            return Err(format!("{name}: {status}: {why}"));
        }
    }
    println!("bidder {} bid in auction {id:?}", args.bidder);
    Ok(())
}
