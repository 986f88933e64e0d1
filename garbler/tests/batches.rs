//! Batches of computations in one session, in process over a socket pair:
//! narrow circuits run as groups of copies side by side, and every
//! computation's result must still be its own.

use circuits::{Circuit, Party};
use evaluator::{Prepared, Session, SessionConfig};
use garbler::{run_session, SessionConfig as ServiceConfig};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

/// Deterministic pseudo-random bits (xorshift64*).
fn bits(n: usize, seed: &mut u64) -> Vec<bool> {
    (0..n)
        .map(|_| {
            *seed ^= *seed >> 12;
            *seed ^= *seed << 25;
            *seed ^= *seed >> 27;
            (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 63) == 1
        })
        .collect()
}

/// Both parties' bits in the circuit's wire order.
fn wire_order(c: &Circuit, garbler: &[bool], evaluator: &[bool]) -> Vec<bool> {
    let (mut g, mut e) = (garbler.iter(), evaluator.iter());
    c.inputs
        .iter()
        .flat_map(|i| {
            let side = if i.party == Party::Garbler {
                &mut g
            } else {
                &mut e
            };
            side.by_ref()
                .take(i.ty.width())
                .copied()
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Runs `batches` (each a list of evaluator inputs) in one session and
/// checks every result against plaintext evaluation.
fn check(prepared: &Prepared, batches: &[usize], seed: &mut u64) {
    let c = prepared.circuit.clone();
    let n_g = c.party_input_bits(Party::Garbler);
    let n_e = c.party_input_bits(Party::Evaluator);
    let (ours, theirs) = UnixStream::pair().expect("socket pair");
    let used = Arc::new(Mutex::new(Vec::<Vec<bool>>::new()));
    let reported = Arc::new(Mutex::new(Vec::<Vec<bool>>::new()));
    let garbler = {
        let (prepared, used, reported) = (prepared.clone(), used.clone(), reported.clone());
        let mut gseed = *seed ^ 0x5555;
        std::thread::spawn(move || {
            let mut source = move |_: &[u8]| -> Result<Vec<bool>, String> {
                let b = bits(n_g, &mut gseed);
                used.lock().unwrap().push(b.clone());
                Ok(b)
            };
            let mut on_result = |r: &[bool]| reported.lock().unwrap().push(r.to_vec());
            run_session(
                theirs,
                &prepared,
                &mut source,
                &mut on_result,
                ServiceConfig::default(),
            )
        })
    };
    let mut session = Session::over(ours, prepared, SessionConfig::default()).expect("session");
    let mut mine = Vec::new();
    let mut outputs = Vec::new();
    for &count in batches {
        let batch: Vec<Vec<bool>> = (0..count).map(|_| bits(n_e, seed)).collect();
        let out = if count == 1 {
            vec![session.evaluate(&batch[0]).expect("evaluate")]
        } else {
            session.evaluate_batch(&batch).expect("batch")
        };
        assert_eq!(out.len(), count);
        mine.extend(batch);
        outputs.extend(out);
    }
    session.close().expect("close");
    let stats = garbler.join().expect("garbler thread").expect("garbler");
    assert_eq!(stats.computations as usize, mine.len());
    let used = used.lock().unwrap();
    assert_eq!(used.len(), mine.len());
    for (i, ((g, e), out)) in used.iter().zip(&mine).zip(&outputs).enumerate() {
        let want = c.eval_bits(&wire_order(&c, g, e)).expect("plaintext");
        assert_eq!(out, &want, "computation {i}");
    }
    assert_eq!(*reported.lock().unwrap(), outputs);
}

#[test]
fn grouped_batches_give_each_computation_its_own_result() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/millionaires.mpc");
    let prepared =
        Prepared::new(compiler::compile_file(path.as_ref()).expect("compile")).expect("prepared");
    // 64 single AND gates in a chain: run in groups.
    let groups = prepared.groups(300);
    assert!(groups.len() < 300 && groups[0] > 1, "{groups:?}");
    let mut seed = 0x0123_4567_89ab_cdef;
    // Groups of every size, single runs between them, tweaks in step.
    check(&prepared, &[300, 1, 2, 3, 129, 1, 7], &mut seed);
}

#[test]
fn wide_circuits_batch_one_computation_at_a_time() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/bristol/aes_128.txt"
    );
    let prepared =
        Prepared::new(circuits::bristol::read_file(path.as_ref(), 1).expect("aes")).expect("ok");
    assert_eq!(prepared.groups(3), vec![1, 1, 1]);
    let mut seed = 42;
    check(&prepared, &[3, 1], &mut seed);
}

#[test]
fn circuits_without_evaluator_inputs_run_in_groups_too() {
    use circuits::{Builder, Type};
    // A chain of AND gates over the garbler's bits only: no OT at all.
    let mut b = Builder::new();
    let x = b.input("x", Party::Garbler, Type::Unsigned(16));
    let mut acc = x[0];
    for &w in &x[1..] {
        let t = b.xor(acc, w);
        acc = b.and(t, w);
    }
    b.output("r", Type::Bool, &[acc]);
    let prepared = Prepared::new(b.finish()).expect("prepared");
    assert!(prepared.groups(40)[0] > 1);
    let mut seed = 7;
    check(&prepared, &[40, 1, 5], &mut seed);
}
