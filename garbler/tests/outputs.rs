//! Who learns what, checked outputs and budgets, over a socket pair: the
//! garbler decodes the labels the evaluator sends back and refuses forged
//! ones, neither side can read the other's private outputs, and a shared
//! budget refuses a peer past its computations while others keep theirs.

use circuits::{value, Party};
use evaluator::{Prepared, Session, SessionConfig};
use garbler::budget::Budget;
use garbler::{run_session, EngineError, FixedInputs, GarbleError, SessionConfig as ServiceConfig};
use protocol::SessionStats;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// `-> (bool, evaluator u32, garbler u8)`.
const WHO_LEARNS: &str = include_str!("../../examples/who_learns.mpc");

fn who_learns() -> Prepared {
    Prepared::new(compiler::compile_source(WHO_LEARNS, "who_learns.mpc").unwrap()).unwrap()
}

type Garbler = JoinHandle<(Result<SessionStats, GarbleError>, Vec<Vec<bool>>)>;

/// A garbler session on its own thread with fixed input `a`, reporting what
/// it learned of each computation.
fn garbler(prepared: &Prepared, a: u8, stream: UnixStream, config: ServiceConfig) -> Garbler {
    let prepared = prepared.clone();
    let bits =
        value::parse_inputs(&prepared.circuit, Some(Party::Garbler), &[a.to_string()]).unwrap();
    std::thread::spawn(move || {
        let mut results = Vec::new();
        let outcome = run_session(
            stream,
            &prepared,
            &mut FixedInputs(bits),
            &mut |r| results.push(r.to_vec()),
            config,
        );
        (outcome, results)
    })
}

fn evaluator_bits(prepared: &Prepared, b: u32) -> Vec<bool> {
    value::parse_inputs(&prepared.circuit, Some(Party::Evaluator), &[b.to_string()]).unwrap()
}

/// Keeps a copy of every byte read from the stream.
struct Recording {
    inner: UnixStream,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Read for Recording {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.lock().unwrap().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Write for Recording {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The payloads of the messages of `kind` in a recorded byte stream (a
/// kind byte, a 4-byte little-endian length, the payload).
fn payloads(bytes: &[u8], kind: u8) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 5 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 1..at + 5].try_into().unwrap()) as usize;
        if bytes[at] == kind {
            out.push(bytes[at + 5..at + 5 + len].to_vec());
        }
        at += 5 + len;
    }
    out
}

#[test]
fn each_party_gets_its_own_parts_and_the_evaluator_no_decoding_for_the_garblers() {
    let prepared = who_learns();
    let c = prepared.circuit.clone();
    // bool + u32 for the evaluator, bool + u8 for the garbler.
    assert_eq!(c.output_bits_of(Party::Evaluator).len(), 33);
    assert_eq!(c.output_bits_of(Party::Garbler).len(), 9);
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = garbler(&prepared, 200, theirs, ServiceConfig::default());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stream = Recording {
        inner: ours,
        seen: seen.clone(),
    };
    let mut session = Session::over(stream, &prepared, SessionConfig::default()).unwrap();
    let one = session.evaluate(&evaluator_bits(&prepared, 300)).unwrap();
    // A batch, garbled as copies side by side.
    let inputs: Vec<Vec<bool>> = [5u32, 1 << 20, 199, 201]
        .iter()
        .map(|&b| evaluator_bits(&prepared, b))
        .collect();
    let batch = session.evaluate_batch(&inputs).unwrap();
    session.close().unwrap();
    let (outcome, learned) = g.join().unwrap();
    outcome.unwrap();

    // The evaluator holds the bits of its parts only, and prints them.
    assert_eq!(one.len(), 33);
    assert_eq!(
        value::format_learned(&c, Party::Evaluator, &one).unwrap(),
        "(true, 500)"
    );
    let evaluator_saw: Vec<String> = batch
        .iter()
        .map(|b| value::format_learned(&c, Party::Evaluator, b).unwrap())
        .collect();
    assert_eq!(
        evaluator_saw,
        [
            "(false, 205)",
            "(true, 1048776)",
            "(false, 399)",
            "(true, 401)"
        ]
    );
    // The garbler decoded its parts from the evaluator's labels.
    let garbler_saw: Vec<String> = learned
        .iter()
        .map(|b| value::format_learned(&c, Party::Garbler, b).unwrap())
        .collect();
    let want: Vec<String> = [300u32, 5, 1 << 20, 199, 201]
        .iter()
        .map(|&b| format!("({}, {})", 200 < b, (200 ^ b) & 0xff))
        .collect();
    assert_eq!(garbler_saw, want);

    // Every decoding the evaluator received has 33 bits per computation
    // (5 bytes for one, 17 for the group of four): none for the garbler's
    // u8, whose labels are then random strings to the evaluator.
    let decodings = payloads(&seen.lock().unwrap(), 6);
    let lens: Vec<usize> = decodings.iter().map(Vec::len).collect();
    let total: usize = lens.iter().sum();
    assert_eq!(total, 5 + (4 * 33usize).div_ceil(8), "{lens:?}");
    assert_eq!(lens[0], 5);
}

#[test]
fn forged_output_labels_end_the_garbler_with_output_verification_failed() {
    let prepared = who_learns();
    let (ours, theirs) = UnixStream::pair().unwrap();
    let metrics = Arc::new(garbler::metrics::Metrics::new());
    let config = ServiceConfig {
        metrics: Some(metrics.clone()),
        ..ServiceConfig::default()
    };
    let g = garbler(&prepared, 7, theirs, config);
    let mut session = Session::over(ours, &prepared, SessionConfig::default()).unwrap();
    // An honest computation first, then forged labels.
    session.evaluate(&evaluator_bits(&prepared, 5)).unwrap();
    session.corrupt_output_labels(true);
    // The evaluator's own parts still decode; the garbler refuses its own.
    let _ = session.evaluate(&evaluator_bits(&prepared, 5));
    // The garbler has ended the session: the next request fails (with the
    // garbler's message, or a closed connection if it went first).
    assert!(session.evaluate(&evaluator_bits(&prepared, 5)).is_err());
    let (outcome, learned) = g.join().unwrap();
    let err = outcome.unwrap_err();
    assert!(
        matches!(err, GarbleError::Engine(EngineError::OutputVerification)),
        "{err:?}"
    );
    assert!(err.to_string().contains("output verification failed"));
    // Only the honest computation's result reached the garbler.
    assert_eq!(learned.len(), 1);
    // The metrics count the failure, in the output phase, and the one
    // computation that was checked.
    let text = metrics.encode();
    for line in [
        "garbler_output_verification_failures_total 1\n",
        "garbler_sessions_failed_total{phase=\"output\",cause=\"verification\"} 1\n",
        "garbler_computations_total 1\n",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
}

#[test]
fn a_peer_past_its_budget_is_refused_and_another_keeps_its_own() {
    let prepared = who_learns();
    let budget = Arc::new(Budget::new(Some(3), Some(5)));
    let config = |peer: &str| ServiceConfig {
        budget: Some(budget.clone()),
        peer: peer.to_string(),
        ..ServiceConfig::default()
    };
    let b = evaluator_bits(&prepared, 9);

    // alice: three computations, then the fourth is refused, before garbling.
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = garbler(&prepared, 1, theirs, config("alice"));
    let mut session = Session::over(ours, &prepared, SessionConfig::default()).unwrap();
    session.evaluate_batch(&[&b, &b]).unwrap();
    session.evaluate(&b).unwrap();
    let e = session.evaluate(&b).unwrap_err().to_string();
    assert!(
        e.contains("budget exhausted: peer alice has used its 3 computations"),
        "{e}"
    );
    let (outcome, learned) = g.join().unwrap();
    assert!(matches!(outcome, Err(GarbleError::Budget(_))));
    assert_eq!(learned.len(), 3);

    // A new session of alice's is refused at its first request.
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = garbler(&prepared, 1, theirs, config("alice"));
    let mut session = Session::over(ours, &prepared, SessionConfig::default()).unwrap();
    let e = session.evaluate(&b).unwrap_err().to_string();
    assert!(e.contains("peer alice has used its 3"), "{e}");
    assert!(g.join().unwrap().1.is_empty());

    // bob has his own budget, within the service's total of five.
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = garbler(&prepared, 1, theirs, config("bob"));
    let mut session = Session::over(ours, &prepared, SessionConfig::default()).unwrap();
    session.evaluate_batch(&[&b, &b]).unwrap();
    let e = session.evaluate(&b).unwrap_err().to_string();
    assert!(
        e.contains("the service's budget of 5 computations is spent"),
        "{e}"
    );
    assert_eq!(g.join().unwrap().1.len(), 2);
    assert_eq!(budget.used_by("alice"), 3);
    assert_eq!(budget.used_by("bob"), 2);
}

#[test]
fn a_batch_with_many_output_labels_is_split_and_checked() {
    use circuits::{Builder, Type};
    // 4,096 output bits per computation: a batch of 300 would send back more
    // labels than one request may, so the evaluator splits it.
    let n = 4096;
    let mut b = Builder::new();
    let x = b.input("x", Party::Garbler, Type::Bits(n));
    let y = b.input("y", Party::Evaluator, Type::Bits(n));
    let z: Vec<_> = x.iter().zip(&y).map(|(&p, &q)| b.and(p, q)).collect();
    b.output("z", Type::Bits(n), &z);
    let prepared = Prepared::new(b.finish()).unwrap();
    let (ours, theirs) = UnixStream::pair().unwrap();
    let ones = vec![true; n as usize];
    let g = {
        let prepared = prepared.clone();
        let ones = ones.clone();
        std::thread::spawn(move || {
            let mut results = Vec::new();
            let outcome = run_session(
                theirs,
                &prepared,
                &mut FixedInputs(ones),
                &mut |r| results.push(r.to_vec()),
                ServiceConfig::default(),
            );
            (outcome, results)
        })
    };
    let mut session = Session::over(ours, &prepared, SessionConfig::default()).unwrap();
    let inputs: Vec<Vec<bool>> = (0..300)
        .map(|i| (0..n as usize).map(|j| (i + j) % 3 == 0).collect())
        .collect();
    let out = session.evaluate_batch(&inputs).unwrap();
    session.close().unwrap();
    let (outcome, learned) = g.join().unwrap();
    outcome.unwrap();
    assert_eq!(out, inputs);
    assert_eq!(learned, inputs);
}

#[test]
fn a_result_only_the_evaluator_learns_sends_the_garbler_empty_results() {
    let src = "fn main(garbler a: u8, evaluator b: u32) -> evaluator u32 { (a as u32) + b }";
    let prepared =
        Prepared::new(compiler::compile_source(src, "evaluator_only.mpc").unwrap()).unwrap();
    assert!(prepared.circuit.output_bits_of(Party::Garbler).is_empty());
    let (ours, theirs) = UnixStream::pair().unwrap();
    let g = garbler(&prepared, 7, theirs, ServiceConfig::default());
    let mut session = Session::over(ours, &prepared, SessionConfig::default()).unwrap();
    let one = session.evaluate(&evaluator_bits(&prepared, 35)).unwrap();
    let inputs: Vec<Vec<bool>> = (0..5u32).map(|b| evaluator_bits(&prepared, b)).collect();
    let batch = session.evaluate_batch(&inputs).unwrap();
    session.close().unwrap();
    let (outcome, learned) = g.join().unwrap();
    outcome.unwrap();
    let c = &prepared.circuit;
    assert_eq!(
        value::format_learned(c, Party::Evaluator, &one).unwrap(),
        "42"
    );
    let seen: Vec<String> = batch
        .iter()
        .map(|b| value::format_learned(c, Party::Evaluator, b).unwrap())
        .collect();
    assert_eq!(seen, ["7", "8", "9", "10", "11"]);
    // The garbler learns nothing, but hears the end of each computation.
    assert_eq!(learned.len(), 6);
    assert!(learned.iter().all(Vec::is_empty));
}
