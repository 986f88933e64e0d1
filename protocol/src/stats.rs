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
    /// Bytes of garbled tables sent or received, all computations together.
    pub table_bytes: u64,
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
