//! What a serving garbler has done, for Prometheus: sessions started,
//! finished and failed (by phase and cause), computations, traffic, refusals
//! and the time computations take, encoded with `prometheus-client`.
//!
//! [`Metrics`] is shared (an `Arc`) by every session of
//! [`crate::service::serve`] through [`crate::service::SessionConfig::metrics`].
//! [`serve_http`] answers `GET /metrics`, `/healthz` and `/readyz` on a
//! listener of its own: a minimal HTTP/1.1 responder with bounded requests
//! and a read timeout. Nothing secret is in any metric: counts, times and
//! fixed label values only (never a peer's name, which could grow the label
//! space without bound).

use crate::GarbleError;
use dualex::DualError;
use engine::EngineError;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use protocol::{Phase, ProtocolError};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Where a failed session was when it failed.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum FailedPhase {
    /// Securing the connection, version and circuit agreement.
    handshake,
    /// The base OTs.
    base_ot,
    /// OT extension and the compute request.
    ot_extension,
    /// Garbling and sending the tables.
    garbling,
    /// Output decoding and checking the evaluator's output labels.
    output,
}

impl From<Phase> for FailedPhase {
    fn from(p: Phase) -> FailedPhase {
        match p {
            Phase::Handshake => FailedPhase::handshake,
            Phase::BaseOt => FailedPhase::base_ot,
            Phase::OtExtension => FailedPhase::ot_extension,
            Phase::Garbling => FailedPhase::garbling,
            Phase::Output => FailedPhase::output,
        }
    }
}

/// Why a session failed: a small fixed set, so that the label space stays
/// bounded whatever peers do.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Cause {
    /// The peer reported an error of its own.
    peer,
    /// The peer went silent past the timeout.
    timeout,
    /// A malformed, oversized or mismatched message, or a failed OT check.
    protocol,
    /// The connection closed or failed under the session.
    transport,
    /// The TLS handshake failed or the peer is not allowed.
    tls,
    /// The computation budget refused a batch.
    budget,
    /// The garbler refused: its inputs ran out or the session's limit of
    /// computations was reached.
    refused,
    /// An output label from the evaluator failed verification.
    verification,
    /// Dual execution: the output equality check failed (the peer
    /// deviated, or the link corrupted data).
    equality,
    /// Anything else (a local error).
    other,
}

impl Cause {
    /// The cause of `e`.
    pub fn of(e: &GarbleError) -> Cause {
        match e {
            GarbleError::Protocol(p) => Cause::of_protocol(p),
            GarbleError::Ot { .. } => Cause::protocol,
            GarbleError::Transport(t) => Cause::of_transport(t),
            GarbleError::Budget(_) => Cause::budget,
            GarbleError::Refused(_) => Cause::refused,
            GarbleError::Engine(EngineError::OutputVerification) => Cause::verification,
            GarbleError::Dual(d) => match d {
                DualError::EqualityCheckFailed | DualError::EqualityMessage { .. } => {
                    Cause::equality
                }
                DualError::Protocol(p) => Cause::of_protocol(p),
                DualError::Ot(_) => Cause::protocol,
                DualError::Transport(t) => Cause::of_transport(t),
                DualError::InputSource(_) | DualError::MaxComputations(_) => Cause::refused,
                _ => Cause::other,
            },
            _ => Cause::other,
        }
    }

    fn of_protocol(p: &ProtocolError) -> Cause {
        match p {
            ProtocolError::Peer { .. } => Cause::peer,
            ProtocolError::Timeout { .. } => Cause::timeout,
            ProtocolError::Closed { .. } | ProtocolError::Io { .. } => Cause::transport,
            _ => Cause::protocol,
        }
    }

    fn of_transport(t: &transport::TransportError) -> Cause {
        match t {
            transport::TransportError::Timeout { .. } => Cause::timeout,
            _ => Cause::tls,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Failure {
    phase: FailedPhase,
    cause: Cause,
}

/// The service's counters, gauges and histograms. Thread-safe: share it
/// with an `Arc`.
pub struct Metrics {
    registry: Registry,
    started: Counter,
    finished: Counter,
    failed: Family<Failure, Counter>,
    computations: Counter,
    active: Gauge,
    handshaking: Gauge,
    spawn_failures: Counter,
    budget_refusals: Counter,
    busy_refusals: Counter,
    tls_failures: Counter,
    verification_failures: Counter,
    equality_failures: Counter,
    bytes_sent: Counter,
    bytes_received: Counter,
    and_gates: Counter,
    computation_seconds: Histogram,
    ot_refill_seconds: Histogram,
    session_seconds: Histogram,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("started", &self.started.get())
            .field("finished", &self.finished.get())
            .field("active", &self.active.get())
            .finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Fresh metrics, all zero, registered under the `garbler_` prefix.
    pub fn new() -> Metrics {
        let mut m = Metrics {
            registry: Registry::with_prefix("garbler"),
            started: Counter::default(),
            finished: Counter::default(),
            failed: Family::default(),
            computations: Counter::default(),
            active: Gauge::default(),
            handshaking: Gauge::default(),
            spawn_failures: Counter::default(),
            budget_refusals: Counter::default(),
            busy_refusals: Counter::default(),
            tls_failures: Counter::default(),
            verification_failures: Counter::default(),
            equality_failures: Counter::default(),
            bytes_sent: Counter::default(),
            bytes_received: Counter::default(),
            and_gates: Counter::default(),
            // 100 µs to about 100 s.
            computation_seconds: Histogram::new(exponential_buckets(1e-4, 4.0, 11)),
            ot_refill_seconds: Histogram::new(exponential_buckets(1e-4, 4.0, 11)),
            // 1 ms to about 4.6 hours.
            session_seconds: Histogram::new(exponential_buckets(1e-3, 4.0, 13)),
        };
        let r = &mut m.registry;
        r.register(
            "sessions_started",
            "Connections accepted for a session",
            m.started.clone(),
        );
        r.register(
            "sessions_finished",
            "Sessions that ended with the evaluator's goodbye",
            m.finished.clone(),
        );
        r.register(
            "sessions_failed",
            "Sessions that ended in an error, by phase and cause",
            m.failed.clone(),
        );
        r.register(
            "computations",
            "Computations run, all sessions together",
            m.computations.clone(),
        );
        r.register("active_sessions", "Sessions running now", m.active.clone());
        r.register(
            "handshakes_pending",
            "Connections in their handshake now (holding no session slot yet)",
            m.handshaking.clone(),
        );
        r.register(
            "thread_spawn_failures",
            "Connections refused because no thread could be started for them",
            m.spawn_failures.clone(),
        );
        r.register(
            "budget_refusals",
            "Batches the computation budget refused",
            m.budget_refusals.clone(),
        );
        r.register(
            "busy_refusals",
            "Connections refused because the session limit (or the limit of handshakes under way) was reached",
            m.busy_refusals.clone(),
        );
        r.register(
            "tls_handshake_failures",
            "Connections whose TLS handshake or peer check failed or timed out",
            m.tls_failures.clone(),
        );
        r.register(
            "output_verification_failures",
            "Sessions ended by an output label that is neither label of its wire",
            m.verification_failures.clone(),
        );
        r.register(
            "equality_check_failures",
            "Dual-execution sessions ended by a failed output equality check (the peer deviated, or the link corrupted data)",
            m.equality_failures.clone(),
        );
        r.register(
            "bytes_sent",
            "Session bytes sent, all sessions together",
            m.bytes_sent.clone(),
        );
        r.register(
            "bytes_received",
            "Session bytes received, all sessions together",
            m.bytes_received.clone(),
        );
        r.register(
            "and_gates",
            "AND gates garbled, all computations together",
            m.and_gates.clone(),
        );
        r.register(
            "computation_seconds",
            "Online time per computation, OT extension to checked result (a batch's time shared evenly among its computations)",
            m.computation_seconds.clone(),
        );
        r.register(
            "ot_refill_seconds",
            "Time to refill the random-OT stock from an OT extension",
            m.ot_refill_seconds.clone(),
        );
        r.register(
            "session_seconds",
            "Session duration, connection to end, however it ended",
            m.session_seconds.clone(),
        );
        m
    }

    /// The metrics in the OpenMetrics text format (which Prometheus reads).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String does not fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Counts a session started and running until the guard is dropped.
    pub fn session_started(self: &Arc<Self>) -> ActiveSession {
        self.started.inc();
        self.active.inc();
        ActiveSession {
            metrics: self.clone(),
            start: std::time::Instant::now(),
        }
    }

    /// Counts a session ended with the evaluator's goodbye.
    pub fn session_finished(&self) {
        self.finished.inc();
    }

    /// Counts a session failed in `phase` with `error`.
    pub fn session_failed(&self, phase: Phase, error: &GarbleError) {
        let cause = Cause::of(error);
        self.failed
            .get_or_create(&Failure {
                phase: phase.into(),
                cause,
            })
            .inc();
        if matches!(
            error,
            GarbleError::Transport(_) | GarbleError::Dual(DualError::Transport(_))
        ) {
            self.tls_failures.inc();
        }
        match cause {
            Cause::budget => {
                self.budget_refusals.inc();
            }
            Cause::verification => {
                self.verification_failures.inc();
            }
            Cause::equality => {
                self.equality_failures.inc();
            }
            _ => {}
        }
    }

    /// Counts a connection in its handshake until the guard is dropped.
    pub fn handshake_started(self: &Arc<Self>) -> Handshaking {
        self.handshaking.inc();
        Handshaking(self.clone())
    }

    /// Counts a connection refused because no thread could be started.
    pub fn spawn_failure(&self) {
        self.spawn_failures.inc();
    }

    /// Counts a connection refused because the garbler was busy.
    pub fn busy_refusal(&self) {
        self.busy_refusals.inc();
    }

    /// Adds a session's traffic.
    pub fn traffic(&self, sent: u64, received: u64) {
        self.bytes_sent.inc_by(sent);
        self.bytes_received.inc_by(received);
    }

    /// Counts a batch of `count` computations of `and_gates` AND gates in
    /// all that took `online` from OT extension to checked results.
    pub fn batch(&self, count: u64, and_gates: u64, online: Duration) {
        self.computations.inc_by(count);
        self.and_gates.inc_by(and_gates);
        if count > 0 {
            let each = online.as_secs_f64() / count as f64;
            for _ in 0..count {
                self.computation_seconds.observe(each);
            }
        }
    }

    /// Records the time one refill of the random-OT stock took.
    pub fn ot_refill(&self, took: Duration) {
        self.ot_refill_seconds.observe(took.as_secs_f64());
    }
}

/// A connection in its handshake: counted until dropped.
pub struct Handshaking(Arc<Metrics>);

impl Drop for Handshaking {
    fn drop(&mut self) {
        self.0.handshaking.dec();
    }
}

/// A running session: counted active until dropped, when its duration is
/// recorded.
pub struct ActiveSession {
    metrics: Arc<Metrics>,
    start: std::time::Instant,
}

impl Drop for ActiveSession {
    fn drop(&mut self) {
        self.metrics.active.dec();
        self.metrics
            .session_seconds
            .observe(self.start.elapsed().as_secs_f64());
    }
}

/// Largest HTTP request head [`serve_http`] reads.
const MAX_REQUEST: usize = 8192;

/// Most HTTP connections [`serve_http`] answers at once; more are closed.
const MAX_HTTP_CONNECTIONS: usize = 16;

/// Answers HTTP/1.1 `GET` requests on `listener` until the process ends:
/// `/metrics` with `metrics` encoded, `/healthz` with 200 while the process
/// runs, `/readyz` with 200 while `ready` is set and 503 once it is not
/// (a draining service). Other paths get 404, other methods 405, a request
/// head over 8 KiB or not sent within two seconds 400 or nothing. Each
/// connection carries one request and is answered on a thread of its own
/// (at most 16 at once).
pub fn serve_http(listener: TcpListener, metrics: Arc<Metrics>, ready: Arc<AtomicBool>) {
    let open = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let Ok(stream) = conn else { continue };
        if open.load(Ordering::Acquire) >= MAX_HTTP_CONNECTIONS {
            continue;
        }
        open.fetch_add(1, Ordering::AcqRel);
        let (metrics, ready, count) = (metrics.clone(), ready.clone(), open.clone());
        let spawned = std::thread::Builder::new()
            .name("metrics-http".into())
            .spawn(move || {
                answer(stream, &metrics, &ready);
                count.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            // The request is dropped unanswered; the scraper retries.
            open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// The path of a `GET` request head (query string dropped), or `None` for
/// any other method. Total on any bytes: the request line is read lossily
/// as UTF-8.
pub fn request_path(head: &[u8]) -> Option<String> {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    (method == "GET").then(|| target.split('?').next().unwrap_or("").to_string())
}

/// Reads one request head and answers it.
fn answer(mut stream: TcpStream, metrics: &Metrics, ready: &AtomicBool) {
    let timeout = Some(Duration::from_secs(2));
    if stream.set_read_timeout(timeout).is_err() || stream.set_write_timeout(timeout).is_err() {
        return;
    }
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let complete = loop {
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
            break true;
        }
        if head.len() > MAX_REQUEST {
            break false;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    };
    let (status, kind, body) = match complete.then(|| request_path(&head)) {
        None => (400, "text/plain", "bad request\n".to_string()),
        Some(None) => (405, "text/plain", "only GET\n".to_string()),
        Some(Some(path)) => match path.as_str() {
            "/metrics" => (
                200,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                metrics.encode(),
            ),
            "/healthz" => (200, "text/plain", "ok\n".to_string()),
            "/readyz" if ready.load(Ordering::Acquire) => {
                (200, "text/plain", "ready\n".to_string())
            }
            "/readyz" => (503, "text/plain", "draining\n".to_string()),
            _ => (404, "text/plain", "not found\n".to_string()),
        },
    };
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_failures_are_encoded_with_their_labels() {
        let m = Arc::new(Metrics::new());
        {
            let _s = m.session_started();
            m.batch(3, 30, Duration::from_millis(3));
            m.session_finished();
        }
        m.session_failed(Phase::OtExtension, &GarbleError::Budget("spent".into()));
        let text = m.encode();
        assert!(
            text.contains("garbler_sessions_started_total 1\n"),
            "{text}"
        );
        assert!(text.contains("garbler_computations_total 3\n"), "{text}");
        assert!(text.contains("garbler_and_gates_total 30\n"), "{text}");
        assert!(text.contains("garbler_active_sessions 0\n"), "{text}");
        assert!(text.contains("garbler_budget_refusals_total 1\n"), "{text}");
        assert!(
            text.contains(
                "garbler_sessions_failed_total{phase=\"ot_extension\",cause=\"budget\"} 1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("garbler_computation_seconds_count 3\n"),
            "{text}"
        );
    }

    #[test]
    fn the_http_responder_answers_each_path() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let ready = Arc::new(AtomicBool::new(true));
        let m = Arc::new(Metrics::new());
        let (m2, r2) = (m.clone(), ready.clone());
        std::thread::spawn(move || serve_http(listener, m2, r2));
        let get = |req: &str| {
            let mut s = TcpStream::connect(addr).unwrap();
            // An oversized request may be cut off by the server's close.
            let _ = s.write_all(req.as_bytes());
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            out
        };
        let ok = get("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(ok.contains("garbler_sessions_started_total 0"), "{ok}");
        assert!(get("GET /healthz HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
        assert!(get("GET /readyz HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
        ready.store(false, Ordering::Release);
        assert!(get("GET /readyz HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 503"));
        assert!(get("GET /nothing HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        assert!(get("POST /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(3 * MAX_REQUEST));
        let answer = get(&long);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
            "{answer}"
        );
    }
}
