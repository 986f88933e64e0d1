//! What the fuzz targets share: a byte stream that replays the fuzzer's bytes
//! as a peer, the small circuits the session targets run, and the honest
//! opening messages that let the fuzzer's bytes reach the later phases.

use circuits::Party;
use crypto::{Block, HashKey};
use ot::{OtReceiver, OtSender, Security};
use protocol::{Hello, Kind, Limits, Prepared, Window, PROTOCOL_VERSION};
use std::io::{Read, Write};
use std::sync::OnceLock;
use std::time::Duration;

/// A peer that says exactly the fuzzer's bytes, then hangs up; everything
/// written to it is dropped.
pub struct Peer<'a> {
    data: &'a [u8],
}

impl<'a> Peer<'a> {
    /// A peer that will send `data`.
    pub fn new(data: &'a [u8]) -> Peer<'a> {
        Peer { data }
    }
}

impl Read for Peer<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.data.read(buf)
    }
}

impl Write for Peer<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Limits small enough that a lying length costs little, large enough for
/// every honest message of the fixture circuits.
pub fn limits() -> Limits {
    Limits {
        max_message: 1 << 20,
        timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

/// One framed message as `protocol::Channel` writes it.
pub fn frame(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(kind as u8);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The handshake a peer in `role` sends for `prepared`'s circuit: its hello
/// and its window of garbling ahead (an evaluator accepts two computations;
/// a garbler garbles one ahead), and for a garbler the session's hash key
/// between them.
pub fn hello(prepared: &Prepared, role: Party) -> Vec<u8> {
    let h = Hello {
        version: PROTOCOL_VERSION,
        role,
        circuit: (*prepared.summary).clone(),
        binding: None,
        scheme: crypto::Scheme::HalfGates,
        security: protocol::Security::SemiHonest,
    };
    let mut out = frame(Kind::Hello, &h.encode());
    let window = match role {
        Party::Garbler => {
            out.extend(frame(Kind::HashKey, &HashKey::random().to_bytes()));
            let per = prepared.schedule.and_count() * crypto::TABLE_BYTES;
            Window {
                computations: 1,
                bytes: per as u64,
            }
        }
        Party::Evaluator => Window {
            computations: 2,
            bytes: 1 << 16,
        },
    };
    out.extend(frame(Kind::Window, &window.encode()));
    out
}

const PROGRAMS: [&str; 3] = [
    // Both parties have inputs: base OT and extension run.
    "fn main(garbler a: u8, evaluator b: u8) -> bool { a < b }",
    // Only the garbler: no OT at all, so a hostile evaluator reaches garbling.
    "fn main(garbler a: u8, garbler b: u8) -> u8 { a & b }",
    // Only the evaluator: no garbler labels.
    "fn main(evaluator a: u8, evaluator b: u8) -> bool { a == b }",
];

/// One of the fixture circuits, prepared once per process.
pub fn prepared(which: u8) -> &'static Prepared {
    static CELLS: [OnceLock<Prepared>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let i = usize::from(which) % PROGRAMS.len();
    CELLS[i].get_or_init(|| {
        let c = compiler::compile_source(PROGRAMS[i], "fixture.mpc").expect("fixture compiles");
        Prepared::new(c).expect("fixture prepares")
    })
}

/// A valid base-OT reply as a garbler sends it (payload only). Any valid
/// reply lets the evaluator finish its set-up, so one per process will do.
pub fn base_ot_reply() -> &'static [u8] {
    static REPLY: OnceLock<Vec<u8>> = OnceLock::new();
    REPLY.get_or_init(|| {
        let (_, hello) = OtReceiver::setup(Security::Malicious);
        let delta = Block(Block::random().0 | 1);
        let (_, reply) =
            OtSender::setup(delta, Security::Malicious, &hello).expect("honest set-up");
        reply.encode()
    })
}

/// A valid base-OT opening as an evaluator sends it (payload only).
pub fn base_ot_hello() -> &'static [u8] {
    static HELLO: OnceLock<Vec<u8>> = OnceLock::new();
    HELLO.get_or_init(|| OtReceiver::setup(Security::Malicious).1.encode())
}

/// A hostile peer's whole input from fuzz bytes: byte 0 is the mode (bits
/// 0-1 pick the fixture circuit; bit 4 puts an honest handshake of `role` in
/// front, and bit 5 then a valid base-OT message, so the fuzzer's bytes reach
/// the later phases), the rest follows as is. Returns the mode, the circuit
/// and the bytes the session under test will read; `None` for empty input.
pub fn hostile_peer(data: &[u8], role: Party) -> Option<(u8, &'static Prepared, Vec<u8>)> {
    let (&mode, rest) = data.split_first()?;
    let prepared = prepared(mode & 3);
    let mut wire = Vec::new();
    if mode & 0x10 != 0 {
        wire.extend(hello(prepared, role));
        if mode & 0x20 != 0 {
            let base_ot = match role {
                Party::Garbler => base_ot_reply(),
                Party::Evaluator => base_ot_hello(),
            };
            wire.extend(frame(Kind::BaseOt, base_ot));
        }
    }
    wire.extend_from_slice(rest);
    Some((mode, prepared, wire))
}

/// A cheap deterministic word stream (splitmix64) seeded from fuzz bytes, for
/// the inputs of plaintext comparisons.
pub fn words(seed: &[u8], n: usize) -> Vec<u64> {
    let mut s = seed.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
        .collect()
}

/// Two circuits compute the same function on 64 pseudo-random inputs, and
/// agree on how many input and output bits there are.
pub fn assert_same_function(a: &circuits::Circuit, b: &circuits::Circuit, seed: &[u8]) {
    assert_eq!(a.num_inputs(), b.num_inputs(), "input bits differ");
    assert_eq!(
        a.output_wires.len(),
        b.output_wires.len(),
        "output bits differ"
    );
    let x = words(seed, a.num_inputs() as usize);
    let ya = a.eval_sliced(&x).expect("a valid circuit evaluates");
    let yb = b.eval_sliced(&x).expect("a valid circuit evaluates");
    assert_eq!(ya, yb, "the circuits compute different functions");
}
