//! Session statistics, printed as one JSON object by `--stats`.

use crate::channel::ChannelStats;
use crate::Phase;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Time spent per phase, and what went over the wire.
#[derive(Clone, Debug, Default)]
pub struct SessionStats {
    /// `garbler` or `evaluator`.
    pub role: &'static str,
    /// Who the peer is: its certificate identity under TLS, its address in
    /// plaintext (when the driver knows it).
    pub peer: Option<String>,
    /// Traffic.
    pub channel: ChannelStats,
    /// Computations run in the session.
    pub computations: u64,
    /// AND gates garbled or evaluated, all computations together.
    pub and_gates: u64,
    /// Time per phase, all computations together.
    pub phase_time: [Duration; 5],
    /// The transcript digest, when recorded.
    pub transcript: Option<[u8; 32]>,
    /// The garbling scheme agreed at the handshake.
    pub scheme: Option<crypto::Scheme>,
    /// Bytes of garbled tables sent or received, all computations together,
    /// those garbled ahead included (also the computations garbled ahead that
    /// the session ended before using).
    pub table_bytes: u64,
    /// Work done off the requests' path: OT refills and garbling ahead.
    pub offline: Duration,
    /// Online time per computation: from a request to its answer (the
    /// garbler: request received to answer sent; the evaluator: request
    /// sent to outputs decoded), a batch's time shared by its computations.
    pub online: Latencies,
}

/// A histogram of durations with about 2% resolution in constant memory:
/// quantiles over a whole session, however long.
#[derive(Clone, Debug, Default)]
pub struct Latencies {
    counts: Vec<u64>,
    total: u64,
}

/// Buckets per doubling of the duration.
const PER_OCTAVE: f64 = 32.0;
/// Buckets: 1 ns to about 2^40 ns (18 minutes).
const BUCKETS: usize = 40 * PER_OCTAVE as usize;

impl Latencies {
    /// Records `count` computations that took `each` apiece.
    pub fn record(&mut self, each: Duration, count: u64) {
        if count == 0 {
            return;
        }
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        let ns = (each.as_nanos() as f64).max(1.0);
        let i = ((ns.log2() * PER_OCTAVE) as usize).min(BUCKETS - 1);
        self.counts[i] += count;
        self.total += count;
    }

    /// Computations recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The duration below which a fraction `q` (0 to 1) of the recorded
    /// computations fall (within the bucket's 2%); zero when none.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                // The bucket's middle.
                let ns = ((i as f64 + 0.5) / PER_OCTAVE).exp2();
                return Duration::from_nanos(ns as u64);
            }
        }
        Duration::ZERO
    }
}

/// Adds the time from its creation to a phase of [`SessionStats`].
pub struct PhaseTimer {
    phase: Phase,
    start: Instant,
}

impl PhaseTimer {
    /// Starts timing `phase`.
    pub fn start(phase: Phase) -> PhaseTimer {
        PhaseTimer {
            phase,
            start: Instant::now(),
        }
    }

    /// Stops and adds the elapsed time to `stats`.
    pub fn stop(self, stats: &mut SessionStats) {
        let i = Phase::ALL
            .iter()
            .position(|&p| p == self.phase)
            .unwrap_or(0);
        stats.phase_time[i] += self.start.elapsed();
    }
}

/// Appends `text` as a JSON string literal (a peer's certificate name may
/// hold any character).
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl SessionStats {
    /// One line of JSON. Holds counts and times only: never a label, Delta,
    /// seed or input.
    pub fn to_json(&self) -> String {
        let c = &self.channel;
        let mut s = String::new();
        let _ = write!(
            s,
            "{{\"role\":\"{}\",\"bytes_sent\":{},\"bytes_received\":{},\"rounds\":{},\"messages_sent\":{},\"messages_received\":{},\"computations\":{},\"and_gates\":{}",
            self.role, c.bytes_sent, c.bytes_received, c.rounds, c.messages_sent, c.messages_received, self.computations, self.and_gates
        );
        if let Some(peer) = &self.peer {
            s.push_str(",\"peer\":");
            json_string(&mut s, peer);
        }
        s.push_str(",\"phase_ms\":{");
        for (i, p) in Phase::ALL.iter().enumerate() {
            let _ = write!(
                s,
                "{}\"{}\":{:.3}",
                if i > 0 { "," } else { "" },
                p.name(),
                self.phase_time[i].as_secs_f64() * 1e3
            );
        }
        s.push('}');
        let garbling = self.phase_time[3].as_secs_f64();
        let rate = if garbling > 0.0 {
            self.and_gates as f64 / garbling
        } else {
            0.0
        };
        let _ = write!(s, ",\"and_gates_per_second\":{rate:.0}");
        let per_and = if self.and_gates > 0 {
            (c.bytes_sent.max(c.bytes_received)) as f64 / self.and_gates as f64
        } else {
            0.0
        };
        let _ = write!(s, ",\"bytes_per_and\":{per_and:.2}");
        let tables_per_and = if self.and_gates > 0 {
            self.table_bytes as f64 / self.and_gates as f64
        } else {
            0.0
        };
        let _ = write!(s, ",\"table_bytes_per_and\":{tables_per_and:.3}");
        if let Some(scheme) = self.scheme {
            let _ = write!(s, ",\"scheme\":\"{scheme}\"");
        }
        let _ = write!(
            s,
            ",\"offline_ms\":{:.3},\"online_us\":{{\"computations\":{},\"p50\":{:.1},\"p99\":{:.1}}}",
            self.offline.as_secs_f64() * 1e3,
            self.online.count(),
            self.online.quantile(0.5).as_secs_f64() * 1e6,
            self.online.quantile(0.99).as_secs_f64() * 1e6
        );
        if let Some(t) = self.transcript {
            s.push_str(",\"transcript\":\"");
            for b in t {
                let _ = write!(s, "{b:02x}");
            }
            s.push('"');
        }
        s.push('}');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_two_percent() {
        let mut l = Latencies::default();
        assert_eq!(l.quantile(0.5), Duration::ZERO);
        for us in 1..=100u64 {
            l.record(Duration::from_micros(us), 1);
        }
        l.record(Duration::from_millis(5), 0);
        assert_eq!(l.count(), 100);
        let near = |d: Duration, us: f64| (d.as_secs_f64() * 1e6 / us - 1.0).abs() < 0.03;
        assert!(near(l.quantile(0.5), 50.0), "{:?}", l.quantile(0.5));
        assert!(near(l.quantile(0.99), 99.0), "{:?}", l.quantile(0.99));
        let s = SessionStats {
            online: l,
            ..SessionStats::default()
        };
        assert!(s
            .to_json()
            .contains("\"online_us\":{\"computations\":100,\"p50\":"));
    }

    #[test]
    fn the_peer_is_a_json_string() {
        let mut s = SessionStats {
            role: "garbler",
            ..SessionStats::default()
        };
        assert!(!s.to_json().contains("peer"));
        s.peer = Some("al\"ice\\\n".into());
        assert!(
            s.to_json().contains(r#","peer":"al\"ice\\\u000a","#),
            "{}",
            s.to_json()
        );
    }
}
