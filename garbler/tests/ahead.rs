//! Garbling ahead: sessions whose computations were garbled before their
//! requests give the same answers as sessions that garble on request, on
//! every reference circuit and on random circuits, with garbler inputs that
//! change per computation; the pool of tables garbled ahead stays within
//! its bounds; a peer that leaves with computations garbled ahead ends the
//! session cleanly on both sides.

mod common;

use circuits::{bristol, Circuit, Party};
use common::{bristol_dir, build, random_bits, split_inputs};
use evaluator::{EvalError, Prepared, Session, SessionConfig};
use garbler::{run_session, GarbleError, SessionConfig as ServiceConfig};
use proptest::prelude::*;
use protocol::{Channel, Hello, Kind, Limits, ProtocolError, Window, PROTOCOL_VERSION};
use std::collections::VecDeque;
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// What a session gave each side: the evaluator's outputs per computation,
/// the garbler's, and the evaluator's most bytes held ahead.
struct Ran {
    evaluator: Vec<Vec<bool>>,
    garbler: Vec<Vec<bool>>,
    high_water: usize,
    window: Window,
}

/// Runs `inputs` (whole input bit strings, wire order) in one session, in
/// requests of the sizes `plan` gives, each side garbling ahead within its
/// window. The garbler's inputs change per computation.
fn session(
    prepared: &Prepared,
    inputs: &[Vec<bool>],
    plan: &[usize],
    garbler_window: Window,
    evaluator_window: Window,
) -> Ran {
    let c = &prepared.circuit;
    let (g_bits, e_bits): (VecDeque<Vec<bool>>, Vec<Vec<bool>>) =
        inputs.iter().map(|b| split_inputs(c, b)).unzip();
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = {
        let prepared = prepared.clone();
        std::thread::spawn(move || {
            let mut queue = g_bits;
            let mut source = move |_: &[u8]| -> Result<Vec<bool>, String> {
                queue.pop_front().ok_or("no more".into())
            };
            let mut learned = Vec::new();
            let config = ServiceConfig {
                ahead: garbler_window,
                ..ServiceConfig::default()
            };
            run_session(
                theirs,
                &prepared,
                &mut source,
                &mut |r| learned.push(r.to_vec()),
                config,
            )
            .map(|_| learned)
        })
    };
    let config = SessionConfig {
        ahead: evaluator_window,
        ..SessionConfig::default()
    };
    let mut s = Session::over(ours, prepared, config).unwrap();
    let mut evaluator = Vec::new();
    let mut at = 0;
    for &n in plan {
        let batch = &e_bits[at..at + n];
        if n == 1 {
            evaluator.push(s.evaluate(&batch[0]).unwrap());
        } else {
            evaluator.extend(s.evaluate_batch(batch).unwrap());
        }
        at += n;
    }
    assert_eq!(at, inputs.len());
    let (high_water, window) = (s.ahead_high_water(), s.ahead_window());
    s.close().unwrap();
    let garbler = g.join().unwrap().unwrap();
    Ran {
        evaluator,
        garbler,
        high_water,
        window,
    }
}

/// The output bits of `party` in plaintext, per computation.
fn plaintext(c: &Circuit, inputs: &[Vec<bool>], party: Party) -> Vec<Vec<bool>> {
    let wires = c.output_bits_of(party);
    inputs
        .iter()
        .map(|b| {
            let out = c.eval_bits(b).unwrap();
            wires.iter().map(|&w| out[w]).collect()
        })
        .collect()
}

/// Runs `c` with and without garbling ahead and checks both against
/// plaintext, and the pool's bound.
fn same_answers(c: Circuit, plan: &[usize], window: Window) {
    let prepared = Prepared::new(c).unwrap();
    let c = &prepared.circuit;
    let n: usize = plan.iter().sum();
    let inputs: Vec<Vec<bool>> = (0..n)
        .map(|_| random_bits(c.num_inputs() as usize))
        .collect();
    let ahead = session(&prepared, &inputs, plan, window, Window::default());
    let on_request = session(&prepared, &inputs, plan, Window::default(), Window::OFF);
    let want_e = plaintext(c, &inputs, Party::Evaluator);
    let want_g = plaintext(c, &inputs, Party::Garbler);
    assert_eq!(ahead.evaluator, want_e);
    assert_eq!(on_request.evaluator, want_e);
    assert_eq!(ahead.garbler, want_g);
    assert_eq!(on_request.garbler, want_g);
    assert_eq!(on_request.window, Window::OFF);
    assert_eq!(on_request.high_water, 0);
    let per = (c.and_count() * crypto::TABLE_BYTES) as u64;
    assert!(ahead.window.computations <= window.computations);
    assert!(ahead.window.bytes <= window.bytes);
    assert_eq!(
        ahead.window.bytes,
        u64::from(ahead.window.computations) * per
    );
    assert!(ahead.high_water as u64 <= ahead.window.bytes);
}

#[test]
fn every_reference_circuit_gives_the_same_answers_garbled_ahead() {
    let mut files: Vec<_> = std::fs::read_dir(bristol_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt") && !p.ends_with("License.txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let values = bristol::parse(&text, 0).unwrap().inputs.len();
        // Both parties' inputs where there are two values; one party's
        // alone, each in turn, where there is one.
        let splits: Vec<usize> = if values >= 2 { vec![1] } else { vec![0, 1] };
        for garbler_values in splits {
            let c = bristol::parse(&text, garbler_values).unwrap();
            // Requests within the window, then one larger than it: half
            // from the pool, half garbled on request.
            let window = Window {
                computations: 2,
                bytes: 8 << 20,
            };
            same_answers(c, &[1, 2, 1, 4], window);
        }
    }
}

#[test]
fn a_byte_cap_below_one_computation_garbles_on_request() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 1).unwrap();
    let per = (c.and_count() * crypto::TABLE_BYTES) as u64;
    same_answers(
        c.clone(),
        &[1, 3],
        Window {
            computations: 8,
            bytes: per - 1,
        },
    );
    // Three fit in the cap: three ahead, whatever the count allows.
    same_answers(
        c,
        &[1, 1, 5, 1],
        Window {
            computations: 8,
            bytes: 3 * per + 5,
        },
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_circuits_give_the_same_answers_garbled_ahead(
        widths in proptest::collection::vec((1usize..6, any::<bool>()), 1..5),
        extra in 1u32..40,
        gates in proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u32>(), any::<u32>()), 0..200),
        outs in proptest::collection::vec(any::<u32>(), 1..20),
        window in 1u32..4,
    ) {
        let c = build(&widths, extra, &gates, &outs);
        same_answers(c, &[1, 2, 5], Window { computations: window, bytes: 1 << 20 });
    }
}

/// A hand-driven garbler's side of the handshake of a circuit without
/// evaluator inputs: it reads the evaluator's hello and window, answers with
/// its hello, a hash key and `window`, and hands back the channel.
fn garbler_opening(
    stream: UnixStream,
    circuit: protocol::Summary,
    window: Window,
) -> Channel<UnixStream> {
    let mut ch = Channel::new(stream, Limits::default());
    let _ = ch.recv_kind(Kind::Hello).unwrap();
    let _ = ch.recv_kind(Kind::Window).unwrap();
    let hello = Hello {
        version: PROTOCOL_VERSION,
        role: Party::Garbler,
        circuit,
        binding: None,
        scheme: crypto::Scheme::HalfGates,
        security: protocol::Security::SemiHonest,
    };
    ch.send(Kind::Hello, &hello.encode()).unwrap();
    ch.send(Kind::HashKey, &[7; 16]).unwrap();
    ch.send(Kind::Window, &window.encode()).unwrap();
    ch
}

/// A garbler of a circuit without evaluator inputs (no OT) that agrees on
/// a window of one computation and then sends two.
#[test]
fn a_garbler_past_the_window_is_a_protocol_error() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 2).unwrap();
    let prepared = Prepared::new(c).unwrap();
    let per = prepared.circuit.and_count() * crypto::TABLE_BYTES;
    let (ours, theirs) = UnixStream::pair().unwrap();
    let summary = (*prepared.summary).clone();
    let hostile = std::thread::spawn(move || {
        let one = Window {
            computations: 1,
            bytes: per as u64,
        };
        let mut ch = garbler_opening(theirs, summary, one);
        for _ in 0..2 {
            ch.send(Kind::Ahead, &vec![0; per]).unwrap();
        }
        ch.flush().unwrap();
        // Whatever the evaluator says next.
        let _ = ch.recv();
    });
    let mut s = Session::over(ours, &prepared, SessionConfig::default()).unwrap();
    let err = s.evaluate(&[]).unwrap_err();
    assert!(
        err.to_string()
            .contains("more computations garbled ahead than the 1 agreed"),
        "{err}"
    );
    assert!(s.ahead_high_water() <= per);
    hostile.join().unwrap();
}

/// A garbler that offers more than the evaluator accepts is refused in the
/// handshake.
#[test]
fn a_window_beyond_the_evaluators_bound_is_refused() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 2).unwrap();
    let prepared = Prepared::new(c).unwrap();
    let (ours, theirs) = UnixStream::pair().unwrap();
    let summary = (*prepared.summary).clone();
    let per = prepared.circuit.and_count() * crypto::TABLE_BYTES;
    let hostile = std::thread::spawn(move || {
        let many = Window {
            computations: 3,
            bytes: 3 * per as u64,
        };
        let mut ch = garbler_opening(theirs, summary, many);
        ch.flush().unwrap();
        let _ = ch.recv();
    });
    let config = SessionConfig {
        ahead: Window {
            computations: 2,
            bytes: 1 << 20,
        },
        ..SessionConfig::default()
    };
    let err = match Session::over(ours, &prepared, config) {
        Ok(_) => panic!("a window of 3 accepted"),
        Err(e) => e,
    };
    assert!(
        err.to_string().contains("garble 3 computations ahead"),
        "{err}"
    );
    hostile.join().unwrap();
}

/// An evaluator that leaves (without a goodbye) while computations are
/// garbled ahead for it ends the garbler with "the peer closed the
/// connection", not a hang; a garbler that leaves ends the evaluator's
/// next computation the same way.
#[test]
fn a_peer_that_leaves_with_work_garbled_ahead_ends_both_sides_cleanly() {
    let prepared = Prepared::new(
        compiler::compile_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/millionaires.mpc"),
        )
        .unwrap(),
    )
    .unwrap();
    let n_g = prepared.circuit.party_input_bits(Party::Garbler);
    let n_e = prepared.circuit.party_input_bits(Party::Evaluator);
    let limits = Limits {
        timeout: Duration::from_secs(5),
        ..Limits::default()
    };
    // The evaluator leaves.
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = {
        let prepared = prepared.clone();
        std::thread::spawn(move || {
            run_session(
                theirs,
                &prepared,
                &mut garbler::FixedInputs(vec![true; n_g]),
                &mut |_| {},
                ServiceConfig {
                    limits,
                    ..ServiceConfig::default()
                },
            )
        })
    };
    let mut s = Session::over(
        ours,
        &prepared,
        SessionConfig {
            limits,
            ..SessionConfig::default()
        },
    )
    .unwrap();
    s.evaluate(&vec![false; n_e]).unwrap();
    assert!(s.ahead_window().computations > 0);
    drop(s);
    let err = g.join().unwrap().unwrap_err();
    assert!(
        matches!(err, GarbleError::Protocol(ProtocolError::Closed { .. })),
        "{err:?}"
    );
    // The garbler leaves: it garbles ahead, then its connection drops.
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = {
        let prepared = prepared.clone();
        std::thread::spawn(move || {
            let mut served = 0;
            let mut one = move |_: &[u8]| -> Result<Vec<bool>, String> {
                served += 1;
                if served > 1 {
                    Err("no more inputs".into())
                } else {
                    Ok(vec![true; n_g])
                }
            };
            run_session(
                theirs,
                &prepared,
                &mut one,
                &mut |_| {},
                ServiceConfig::default(),
            )
        })
    };
    let mut s = Session::over(
        ours,
        &prepared,
        SessionConfig {
            limits,
            ..SessionConfig::default()
        },
    )
    .unwrap();
    s.evaluate(&vec![false; n_e]).unwrap();
    // The garbler refuses the second computation and ends its session.
    let err = s.evaluate(&vec![false; n_e]).unwrap_err();
    assert!(
        matches!(
            err,
            EvalError::Protocol(ProtocolError::Peer { .. } | ProtocolError::Closed { .. })
        ),
        "{err:?}"
    );
    assert!(matches!(
        s.evaluate(&vec![false; n_e]),
        Err(EvalError::SessionClosed)
    ));
    assert!(g.join().unwrap().is_err());
}

/// Many computations one at a time and batches larger than the stock: the
/// random-OT stock is refilled ahead of need several times (between
/// computations, and within a request when a batch outruns it), in order.
#[test]
fn refills_ahead_of_need_keep_both_stocks_in_step() {
    let c = compiler::compile_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/millionaires.mpc"),
    )
    .unwrap();
    let mut plan = vec![1; 120];
    plan.extend([700, 1, 3, 1500, 1]);
    same_answers(
        c,
        &plan,
        Window {
            computations: 4,
            bytes: 1 << 20,
        },
    );
}

/// The evaluator's side of a stream that sends every refill message twice
/// (a peer replaying OT extensions ahead of its requests).
struct RefillTwice {
    inner: UnixStream,
    /// Bytes written but not yet a whole frame.
    pending: Vec<u8>,
}

impl std::io::Read for RefillTwice {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl std::io::Write for RefillTwice {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Frames: a kind byte, a 4-byte little-endian length, the payload.
        while self.pending.len() >= 5 {
            let len = u32::from_le_bytes(self.pending[1..5].try_into().unwrap()) as usize;
            if self.pending.len() < 5 + len {
                break;
            }
            let frame: Vec<u8> = self.pending.drain(..5 + len).collect();
            self.inner.write_all(&frame)?;
            if frame[0] == Kind::Refill as u8 {
                self.inner.write_all(&frame)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A refill that arrives while another waits has the waiting one made at
/// once, so the garbler never holds more than one extension message; a
/// refill sent twice (replayed) then fails the OT consistency check, and the
/// session ends naming it.
#[test]
fn a_replayed_refill_fails_the_ot_check_and_ends_the_session() {
    let c = compiler::compile_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/millionaires.mpc"),
    )
    .unwrap();
    let prepared = Prepared::new(c).unwrap();
    let n_e = prepared.circuit.party_input_bits(Party::Evaluator);
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = {
        let prepared = prepared.clone();
        std::thread::spawn(move || {
            let mut inputs = |_: &[u8]| -> Result<Vec<bool>, String> { Ok(vec![true; 64]) };
            run_session(
                theirs,
                &prepared,
                &mut inputs,
                &mut |_| {},
                ServiceConfig::default(),
            )
        })
    };
    let stream = RefillTwice {
        inner: ours,
        pending: Vec::new(),
    };
    let mut s = Session::over(stream, &prepared, SessionConfig::default()).unwrap();
    // The session's first refill (its window's worth of OTs, more than a
    // request carries) goes on its own before the first request, and its
    // copy waits at the garbler: the first request may still be answered
    // from the stock before the copy is made and fails. The evaluator then
    // reads the garbler's reason, or finds the connection closed if its own
    // writes ran into the closed socket first.
    let err = (0..10)
        .find_map(|_| s.evaluate(&vec![false; n_e]).err())
        .expect("the session ends");
    assert!(
        err.to_string().contains("consistency check")
            || matches!(
                err,
                EvalError::Protocol(ProtocolError::Closed { .. } | ProtocolError::Io { .. })
            ),
        "{err}"
    );
    let err = g.join().unwrap().unwrap_err();
    assert!(
        matches!(
            &err,
            GarbleError::Ot {
                source: ot::OtError::ConsistencyCheckFailed { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

/// A circuit with many garbler input bits: the answer to a request (one
/// label per input bit of each computation garbled ahead) would pass a
/// small message limit if the window were not bounded by it.
#[test]
fn the_window_keeps_the_answer_within_the_message_limit() {
    let c = compiler::compile_source(
        "fn main(garbler a: [u64; 64], evaluator b: u8) -> u8 {
            let mut x: u8 = b;
            for v in a { x = x ^ (v as u8); }
            x
        }",
        "wide_garbler.mpc",
    )
    .unwrap();
    let prepared = Prepared::new(c).unwrap();
    let n_g = prepared.circuit.party_input_bits(Party::Garbler);
    let limits = Limits {
        max_message: 200 << 10,
        ..Limits::default()
    };
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = {
        let prepared = prepared.clone();
        std::thread::spawn(move || {
            // a[i] = i: the XOR of their low bytes is 0.
            let mut bits = Vec::with_capacity(n_g);
            for i in 0..64u64 {
                bits.extend((0..64).map(|k| (i >> k) & 1 == 1));
            }
            let mut inputs = move |_: &[u8]| -> Result<Vec<bool>, String> { Ok(bits.clone()) };
            let config = ServiceConfig {
                limits,
                ..ServiceConfig::default()
            };
            run_session(theirs, &prepared, &mut inputs, &mut |_| {}, config)
        })
    };
    let config = SessionConfig {
        limits,
        ..SessionConfig::default()
    };
    let mut s = Session::over(ours, &prepared, config).unwrap();
    let window = s.ahead_window();
    assert!(window.computations >= 1, "{window:?}");
    assert!(
        16 * n_g as u64 * u64::from(window.computations) <= limits.max_message,
        "{window:?}"
    );
    let b: Vec<bool> = (0..8).map(|k| (0x5au8 >> k) & 1 == 1).collect();
    let batch = vec![b.clone(); 6];
    for out in s.evaluate_batch(&batch).unwrap() {
        assert_eq!(out, b);
    }
    assert_eq!(s.evaluate(&b).unwrap(), b);
    s.close().unwrap();
    g.join().unwrap().unwrap();
}
