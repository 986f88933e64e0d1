//! The auction service as it runs: the share-holder and the auction-house
//! started as processes on loopback ports they pick, bidders posting over
//! HTTP (reqwest, and the `bidder` program), outcomes checked against the
//! plaintext Vickrey auction.

use auction_service::{split, vickrey, ErrorBody, Outcome, Share};
use reqwest::{Client, StatusCode};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A service process, killed when dropped.
struct Service {
    child: Child,
    /// What it listens on, by what it calls each listener.
    addrs: Vec<(String, SocketAddr)>,
}

impl Service {
    /// Starts `bin` with `args` and waits until it says it listens on
    /// `listeners` (its `NAME: WHAT listening on ADDR` lines).
    fn start(bin: &str, args: &[&str], listeners: &[&str]) -> Service {
        let mut child = Command::new(bin)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin}: {e}"));
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Reads every line (so the pipe never fills), passing them on.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                eprintln!("[service] {line}");
                let _ = tx.send(line);
            }
        });
        let mut addrs = Vec::new();
        while addrs.len() < listeners.len() {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("{bin} did not start"));
            if let Some((head, addr)) = line.split_once(" listening on ") {
                let what = head.split_once(": ").map_or(head, |(_, w)| w);
                addrs.push((what.to_string(), addr.trim().parse().unwrap()));
            }
        }
        Service { child, addrs }
    }

    fn addr(&self, what: &str) -> SocketAddr {
        self.addrs
            .iter()
            .find(|(w, _)| w == what)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("no {what} listener"))
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr("http"))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PLAIN: &[&str] = &["--insecure-plaintext"];

fn share_holder(http: &str, garbler: &str, extra: &[&str]) -> Service {
    let mut args = vec!["--http", http, "--garbler", garbler];
    args.extend_from_slice(extra);
    Service::start(
        env!("CARGO_BIN_EXE_share-holder"),
        &args,
        &["garbler service", "http"],
    )
}

fn auction_house(garbler: &str, extra: &[&str]) -> Service {
    let mut args = vec![
        "--http",
        "127.0.0.1:0",
        "--garbler",
        garbler,
        "--timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    Service::start(env!("CARGO_BIN_EXE_auction-house"), &args, &["http"])
}

/// Both services in plaintext.
fn services(extra: &[&str]) -> (Service, Service) {
    let mut args = PLAIN.to_vec();
    args.extend_from_slice(extra);
    let holder = share_holder("127.0.0.1:0", "127.0.0.1:0", &args);
    let house = auction_house(&holder.addr("garbler service").to_string(), &args);
    (holder, house)
}

/// Posts `body` to `url`; returns the status and the JSON answer.
async fn post(client: &Client, url: &str, body: &str) -> (StatusCode, serde_json::Value) {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = r.status();
    let json = r
        .json::<serde_json::Value>()
        .await
        .unwrap_or_else(|e| panic!("{url}: {status}: not JSON: {e}"));
    (status, json)
}

/// The error text of an error answer, checking its form.
fn error_of(status: StatusCode, json: &serde_json::Value, want: StatusCode) -> String {
    assert_eq!(status, want, "{json}");
    let body: ErrorBody = serde_json::from_value(json.clone()).unwrap_or_else(|_| panic!("{json}"));
    body.error
}

/// Posts both shares of `bid`.
async fn bid(client: &Client, holder: &str, house: &str, id: &str, bidder: u64, bid: u32) {
    let (theirs, ours) = split(bid);
    for (base, route, share) in [(holder, "shares", theirs), (house, "bids", ours)] {
        let body = serde_json::to_string(&Share { bidder, share }).unwrap();
        let (status, json) = post(client, &format!("{base}/auctions/{id}/{route}"), &body).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
    }
}

async fn close(client: &Client, house: &str, id: &str) -> (StatusCode, serde_json::Value) {
    post(client, &format!("{house}/auctions/{id}/close"), "").await
}

fn outcome(json: &serde_json::Value) -> Outcome {
    serde_json::from_value(json.clone()).unwrap_or_else(|_| panic!("{json}"))
}

/// Random bids (from the OS).
fn bids(n: usize, modulus: u32) -> Vec<u32> {
    (0..n)
        .map(|_| (crypto::Block::random().0 as u32) % modulus)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_auction_with_the_bidder_program() {
    let (holder, house) = services(&[]);
    let client = Client::new();
    let bids = [500u32, 900, 20, 900, 0, 899, 77, 1];
    // Bids placed by the bidder program, as a bidder would.
    for (k, b) in bids.iter().enumerate() {
        let out = Command::new(env!("CARGO_BIN_EXE_bidder"))
            .args([
                "--share-holder",
                &holder.url(),
                "--auction-house",
                &house.url(),
            ])
            .args(["--auction", "spring-sale", "--bidder", &k.to_string()])
            .args(["--bid", &b.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (status, json) = close(&client, &house.url(), "spring-sale").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // Bidders 1 and 3 tie at 900: the first wins and pays 900.
    assert_eq!(
        outcome(&json),
        Outcome {
            winner: 1,
            price: 900
        }
    );
    assert_eq!(outcome(&json), vickrey(&bids));
    assert_eq!(json, serde_json::json!({"winner": 1, "price": 900}));
    // Closing again answers the stored outcome (the share-holder would
    // refuse a second computation).
    let (status, again) = close(&client, &house.url(), "spring-sale").await;
    assert_eq!((status, again), (StatusCode::OK, json));
    // A bid after the close is refused.
    let out = Command::new(env!("CARGO_BIN_EXE_bidder"))
        .args([
            "--share-holder",
            &holder.url(),
            "--auction-house",
            &house.url(),
        ])
        .args(["--auction", "spring-sale", "--bidder", "2", "--bid", "5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("409"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_auctions_closed_at_once_are_all_right() {
    let (holder, house) = services(&[]);
    let client = Client::new();
    let mut want = Vec::new();
    for a in 0..20 {
        // Small ranges make ties; wide ones make large prices.
        let b = bids(8, if a % 2 == 0 { 10 } else { u32::MAX });
        let id = format!("auction-{a}");
        for (k, &x) in b.iter().enumerate() {
            bid(&client, &holder.url(), &house.url(), &id, k as u64, x).await;
        }
        want.push((id, vickrey(&b)));
    }
    let mut closes = Vec::new();
    for (id, _) in &want {
        let (client, url, id) = (client.clone(), house.url(), id.clone());
        closes.push(tokio::spawn(async move { close(&client, &url, &id).await }));
    }
    for (task, (id, expected)) in closes.into_iter().zip(&want) {
        let (status, json) = task.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{id}: {json}");
        assert_eq!(outcome(&json), *expected, "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_json_with_its_status() {
    let (holder, house) = services(&[]);
    let client = Client::new();
    let (h, s) = (house.url(), holder.url());
    // Unknown auction.
    let (status, json) = close(&client, &h, "nowhere").await;
    let e = error_of(status, &json, StatusCode::NOT_FOUND);
    assert!(e.contains("no auction \"nowhere\""), "{e}");
    // Malformed bodies, on both services.
    for url in [
        format!("{h}/auctions/x/bids"),
        format!("{s}/auctions/x/shares"),
    ] {
        for body in [
            "",
            "hello",
            "{\"bidder\": 1}",
            "{\"bidder\": 1, \"share\": -4}",
            "{\"bidder\": 1, \"share\": 4294967296}",
            "{\"bidder\": 1, \"share\": 2, \"more\": 1}",
            "[1, 2]",
        ] {
            let (status, json) = post(&client, &url, body).await;
            let e = error_of(status, &json, StatusCode::BAD_REQUEST);
            assert!(e.starts_with("malformed body"), "{body}: {e}");
            // The value posted is not quoted back.
            assert!(!e.contains("4294967296") && !e.contains("-4"), "{e}");
        }
        // Bidder out of range.
        let (status, json) = post(&client, &url, "{\"bidder\": 8, \"share\": 1}").await;
        let e = error_of(status, &json, StatusCode::BAD_REQUEST);
        assert!(e.contains("bidder 8 out of range"), "{e}");
        // An id longer than a context may be.
        let long = "x".repeat(300);
        let url = url.replace("/x/", &format!("/{long}/"));
        let (status, json) = post(&client, &url, "{\"bidder\": 1, \"share\": 1}").await;
        let e = error_of(status, &json, StatusCode::BAD_REQUEST);
        assert!(e.contains("ids have 1 to 256 bytes"), "{e}");
    }
    // A repeated bid, on both services.
    bid(&client, &s, &h, "a", 3, 10).await;
    for url in [
        format!("{h}/auctions/a/bids"),
        format!("{s}/auctions/a/shares"),
    ] {
        let (status, json) = post(&client, &url, "{\"bidder\": 3, \"share\": 1}").await;
        let e = error_of(status, &json, StatusCode::CONFLICT);
        assert!(e.contains("bidder 3 has already bid"), "{e}");
    }
    // Closing with bids missing at the auction-house: which ones.
    let (status, json) = close(&client, &h, "a").await;
    let e = error_of(status, &json, StatusCode::CONFLICT);
    assert!(
        e.contains("no bid from bidders 0, 1, 2, 4, 5, 6, 7 yet"),
        "{e}"
    );
    // Every bid at the auction-house, shares missing at the share-holder:
    // its refusal reaches the client.
    for k in 0..8 {
        let url = format!("{h}/auctions/b/bids");
        let (status, _) = post(&client, &url, &format!("{{\"bidder\": {k}, \"share\": 5}}")).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let url = format!("{s}/auctions/b/shares");
    let (status, _) = post(&client, &url, "{\"bidder\": 6, \"share\": 5}").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, json) = close(&client, &h, "b").await;
    let e = error_of(status, &json, StatusCode::CONFLICT);
    assert!(e.contains("share-holder refused"), "{e}");
    assert!(
        e.contains("auction \"b\" has no share from bidders 0, 1, 2, 3, 4, 5, 7 yet"),
        "{e}"
    );
    // An auction the share-holder never heard of.
    for k in 0..8 {
        let url = format!("{h}/auctions/c/bids");
        post(&client, &url, &format!("{{\"bidder\": {k}, \"share\": 5}}")).await;
    }
    let (status, json) = close(&client, &h, "c").await;
    let e = error_of(status, &json, StatusCode::CONFLICT);
    assert!(e.contains("no share of auction \"c\" was posted"), "{e}");
    // Once the missing shares arrive, the auction closes.
    for k in [0, 1, 2, 3, 4, 5, 7] {
        let url = format!("{s}/auctions/b/shares");
        let (status, _) = post(
            &client,
            &url,
            &format!("{{\"bidder\": {k}, \"share\": {k}}}"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, json) = close(&client, &h, "b").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // Bids are 5 ^ k: 5, 4, 7, 6, 1, 0, 0 (6 ^ 5... bidder 6 posted 5), 2.
    let bids: Vec<u32> = (0..8u32).map(|k| if k == 6 { 0 } else { 5 ^ k }).collect();
    assert_eq!(outcome(&json), vickrey(&bids));
}

/// A directory of its own under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("auction-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_holder_restart_is_an_error_then_works() {
    let dir = temp_dir("restart");
    let state = dir.join("shares.jsonl");
    let state = state.to_str().unwrap();
    let mut args = PLAIN.to_vec();
    args.extend(["--state", state]);
    let holder = share_holder("127.0.0.1:0", "127.0.0.1:0", &args);
    let (http, garbler) = (
        holder.addr("http").to_string(),
        holder.addr("garbler service").to_string(),
    );
    let house = auction_house(&garbler, PLAIN);
    let client = Client::new();
    let first = bids(8, 1000);
    let second = bids(8, 1000);
    for (k, (&x, &y)) in first.iter().zip(&second).enumerate() {
        bid(&client, &holder.url(), &house.url(), "one", k as u64, x).await;
        bid(&client, &holder.url(), &house.url(), "two", k as u64, y).await;
    }
    let (status, json) = close(&client, &house.url(), "one").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(outcome(&json), vickrey(&first));
    // The state file holds shares of bids: its owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // Killed: the auction-house says the garbler service is unreachable.
    drop(holder);
    let (status, json) = close(&client, &house.url(), "two").await;
    let e = error_of(status, &json, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        e.starts_with(&format!("garbler service at {garbler} unreachable")),
        "{e}"
    );
    // Restarted on the same addresses with its state: the auction closes.
    let _holder = share_holder(&http, &garbler, &args);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, json) = close(&client, &house.url(), "two").await;
        if status == StatusCode::OK {
            assert_eq!(outcome(&json), vickrey(&second));
            break;
        }
        let e = error_of(status, &json, StatusCode::SERVICE_UNAVAILABLE);
        assert!(std::time::Instant::now() < deadline, "still {e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The first auction stays computed once.
    let (status, again) = close(&client, &house.url(), "one").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outcome(&again), vickrey(&first));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_with_certificates_from_the_library() {
    let dir = temp_dir("tls");
    let files = transport::certs::write_dev_certificates(
        &dir,
        &transport::certs::DevCertificates::default(),
    )
    .unwrap();
    let p = |p: &Path| p.to_str().unwrap().to_string();
    let (gc, gk, ec, ek, ca) = (
        p(&files.garbler_cert),
        p(&files.garbler_key),
        p(&files.evaluator_cert),
        p(&files.evaluator_key),
        p(&files.ca_cert),
    );
    let holder = share_holder(
        "127.0.0.1:0",
        "127.0.0.1:0",
        &[
            "--tls-cert",
            &gc,
            "--tls-key",
            &gk,
            "--tls-ca",
            &ca,
            "--allow",
            "evaluator",
        ],
    );
    let garbler = format!("localhost:{}", holder.addr("garbler service").port());
    let house = auction_house(
        &garbler,
        &["--tls-cert", &ec, "--tls-key", &ek, "--tls-ca", &ca],
    );
    let client = Client::new();
    let b = bids(8, 100_000);
    for (k, &x) in b.iter().enumerate() {
        bid(&client, &holder.url(), &house.url(), "tls", k as u64, x).await;
    }
    let (status, json) = close(&client, &house.url(), "tls").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(outcome(&json), vickrey(&b));
    // An auction-house with the garbler's certificate as its own is not
    // admitted (only `evaluator` is allowed): a clear 503.
    let intruder = auction_house(
        &garbler,
        &["--tls-cert", &gc, "--tls-key", &gk, "--tls-ca", &ca],
    );
    for k in 0..8 {
        let url = format!("{}/auctions/tls2/bids", intruder.url());
        post(&client, &url, &format!("{{\"bidder\": {k}, \"share\": 5}}")).await;
    }
    let (status, json) = close(&client, &intruder.url(), "tls2").await;
    let e = error_of(status, &json, StatusCode::SERVICE_UNAVAILABLE);
    assert!(e.contains("unreachable"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
