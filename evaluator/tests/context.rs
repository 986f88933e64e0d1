//! Each computation's public context reaches the garbler's input source,
//! in order, across batches; an oversized one is refused on both sides.

mod common;

use circuits::{typed, Party};
use common::{prepared, Mine, Sum};
use evaluator::{EvalError, Prepared, Session, SessionConfig};
use garbler::{run_session, GarbleError, SessionConfig as GarblerConfig};
use protocol::{Channel, Compute, Kind, Limits, MAX_CONTEXT};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

/// A garbler whose input is the context's first byte (0 when empty), which
/// records every context it is given.
#[allow(clippy::type_complexity)]
fn garbler(
    prepared: &Prepared,
) -> (
    UnixStream,
    Arc<Mutex<Vec<Vec<u8>>>>,
    std::thread::JoinHandle<Result<protocol::SessionStats, GarbleError>>,
) {
    let (g_end, e_end) = UnixStream::pair().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (p, s, circuit) = (prepared.clone(), seen.clone(), prepared.circuit.clone());
    let handle = std::thread::spawn(move || {
        let mut inputs = move |context: &[u8]| {
            s.lock().unwrap().push(context.to_vec());
            let a = context.first().copied().unwrap_or(0);
            typed::encode_inputs(&circuit, Some(Party::Garbler), &a).map_err(|e| e.to_string())
        };
        run_session(
            g_end,
            &p,
            &mut inputs,
            &mut |_| {},
            GarblerConfig::default(),
        )
    });
    (e_end, seen, handle)
}

#[test]
fn the_garbler_sees_each_context_in_order() {
    let prepared = prepared();
    let (stream, seen, handle) = garbler(&prepared);
    let mut session = Session::over(stream, &prepared, SessionConfig::default()).unwrap();
    let one: Sum = session
        .evaluate_typed_with_context(&[40], &Mine { b: 2 })
        .unwrap();
    assert_eq!(one, Sum { total: 42 });
    // The plain calls send an empty context.
    assert_eq!(
        session.evaluate_typed::<Sum>(&Mine { b: 9 }).unwrap().total,
        9
    );
    // A batch of 600 (more than one group of copies side by side).
    let contexts: Vec<Vec<u8>> = (0..600u32)
        .map(|i| {
            let mut c = vec![(i % 251) as u8];
            c.extend_from_slice(format!("auction-{i}").as_bytes());
            c
        })
        .collect();
    let inputs: Vec<Mine> = (0..600u32).map(|i| Mine { b: (i % 7) as u8 }).collect();
    let sums: Vec<Sum> = session.evaluate_typed_batch(&inputs, &contexts).unwrap();
    for (i, s) in sums.iter().enumerate() {
        assert_eq!(s.total, (i % 251 + i % 7) as u16, "computation {i}");
    }
    // The longest context allowed.
    let long = vec![7u8; MAX_CONTEXT];
    assert_eq!(
        session
            .evaluate_typed_with_context::<Sum>(&long, &Mine { b: 1 })
            .unwrap()
            .total,
        8
    );
    // One too long: refused before anything is sent, the session goes on.
    let e = session
        .evaluate_typed_with_context::<Sum>(&[0; MAX_CONTEXT + 1], &Mine { b: 1 })
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("257 bytes is too long (at most 256 bytes)"),
        "{e}"
    );
    // As many contexts as computations.
    let e = session
        .evaluate_batch_with_contexts(&[vec![false; 8]], &[b"a", b"b"])
        .unwrap_err();
    assert!(matches!(e, EvalError::Contexts { .. }), "{e}");
    assert_eq!(session.evaluate(&[false; 8]).unwrap().len(), 16);
    session.close().unwrap();
    handle.join().unwrap().unwrap();
    let mut want = vec![vec![40], vec![]];
    want.extend(contexts);
    want.push(long);
    want.push(vec![]);
    assert_eq!(*seen.lock().unwrap(), want);
}

#[test]
fn an_input_source_refusal_reaches_the_evaluator() {
    let prepared = prepared();
    let (g_end, e_end) = UnixStream::pair().unwrap();
    let p = prepared.clone();
    let handle = std::thread::spawn(move || {
        let mut inputs = |context: &[u8]| -> Result<Vec<bool>, String> {
            Err(format!(
                "no shares for auction {}",
                String::from_utf8_lossy(context)
            ))
        };
        run_session(
            g_end,
            &p,
            &mut inputs,
            &mut |_| {},
            GarblerConfig::default(),
        )
    });
    let mut session = Session::over(e_end, &prepared, SessionConfig::default()).unwrap();
    let e = session
        .evaluate_typed_with_context::<Sum>(b"a-17", &Mine { b: 1 })
        .unwrap_err();
    assert!(e.to_string().contains("no shares for auction a-17"), "{e}");
    assert!(matches!(
        handle.join().unwrap(),
        Err(GarbleError::Refused(_))
    ));
}

#[test]
fn the_garbler_refuses_an_oversized_context() {
    let prepared = prepared();
    let (stream, seen, handle) = garbler(&prepared);
    // A hostile evaluator: the hello and base OTs as a real one sends them,
    // then a request whose context is one byte too long.
    let session = Session::over(
        stream.try_clone().unwrap(),
        &prepared,
        SessionConfig::default(),
    )
    .unwrap();
    drop(session);
    let mut ch = Channel::new(stream, Limits::default());
    let mut contexts = ((MAX_CONTEXT + 1) as u16).to_le_bytes().to_vec();
    contexts.extend_from_slice(&[1; MAX_CONTEXT + 1]);
    let request = Compute {
        count: 1,
        refill: 0,
        extension: &[],
        corrections: &[0],
        contexts: &contexts,
    };
    ch.send(Kind::Compute, &request.encode()).unwrap();
    ch.flush().unwrap();
    let e = handle.join().unwrap().unwrap_err().to_string();
    assert!(e.contains("a context of 257 bytes (at most 256)"), "{e}");
    assert!(seen.lock().unwrap().is_empty());
}
