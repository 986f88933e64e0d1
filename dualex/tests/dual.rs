//! Dual execution end to end over in-memory sockets: honest runs give the
//! plaintext answers on every reference circuit and the auction examples;
//! each way a side can deviate makes the honest side end with the named
//! check and no output; a mix of modes is refused at the handshake.

use circuits::{bristol, Circuit, Gate, GateKind, Party};
use dualex::{Config, Deviation, DualError, Session};
use protocol::Prepared;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn example(name: &str) -> Circuit {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    compiler::compile_file(&path).unwrap()
}

fn random_bits(n: usize) -> Vec<bool> {
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes).unwrap();
    bytes.iter().map(|b| b & 1 == 1).collect()
}

/// Splits input bits in wire order into the garbler side's and the
/// evaluator side's.
fn split(c: &Circuit, bits: &[bool]) -> (Vec<bool>, Vec<bool>) {
    let (mut g, mut e) = (Vec::new(), Vec::new());
    for input in &c.inputs {
        let w = input.first_wire as usize;
        let part = &bits[w..w + input.ty.width()];
        match input.party {
            Party::Garbler => g.extend_from_slice(part),
            Party::Evaluator => e.extend_from_slice(part),
        }
    }
    (g, e)
}

/// What each side saw: its released outputs per computation, or the error
/// that ended it.
type Outcome = Result<Vec<Vec<bool>>, String>;

/// Runs `computations` computations of `c` with the same inputs, the
/// garbler side configured by `g`, the evaluator side by `e`.
fn run(
    c: &Circuit,
    bits: &[bool],
    computations: usize,
    g: Config,
    e: Config,
) -> (Outcome, Outcome) {
    let prepared = Prepared::new(c.clone()).unwrap();
    let (gs, es) = UnixStream::pair().unwrap();
    let (g_bits, e_bits) = split(c, bits);
    let p = prepared.clone();
    let garbler = std::thread::spawn(move || -> Outcome {
        let mut seen = Vec::new();
        let mut inputs = move |_: &[u8]| Ok(g_bits.clone());
        dualex::serve_session(gs, None, &p, &mut inputs, &mut |r| seen.push(r.to_vec()), g)
            .map_err(|e| e.to_string())?;
        Ok(seen)
    });
    let evaluator = (|| -> Outcome {
        let mut s = Session::over(es, None, &prepared, e).map_err(|e| e.to_string())?;
        let mut seen = Vec::new();
        for _ in 0..computations {
            seen.push(s.evaluate(&e_bits).map_err(|e| e.to_string())?);
        }
        s.close().map_err(|e| e.to_string())?;
        Ok(seen)
    })();
    (garbler.join().unwrap(), evaluator)
}

/// The bits `party` learns of the plaintext result.
fn learned(c: &Circuit, party: Party, bits: &[bool]) -> Vec<bool> {
    let all = c.eval_bits(bits).unwrap();
    c.output_bits_of(party).iter().map(|&i| all[i]).collect()
}

fn honest(c: &Circuit, bits: &[bool], computations: usize) {
    let (g, e) = run(c, bits, computations, Config::default(), Config::default());
    let (g, e) = (g.unwrap(), e.unwrap());
    assert_eq!(g, vec![learned(c, Party::Garbler, bits); computations]);
    assert_eq!(e, vec![learned(c, Party::Evaluator, bits); computations]);
}

#[test]
fn every_reference_circuit_gives_the_plaintext_answer() {
    let mut files: Vec<_> = std::fs::read_dir(shared().join("bristol"))
        .expect("the reference circuits in ../shared/bristol")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt") && !p.ends_with("License.txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let values = bristol::parse(&text, 0).unwrap().inputs.len();
        // Every value the garbler side's, none, and the usual one.
        for garbler_values in [0, 1.min(values), values] {
            let c = bristol::parse(&text, garbler_values).unwrap();
            honest(&c, &random_bits(c.num_inputs() as usize), 1);
        }
    }
}

#[test]
fn aes_128_known_answer() {
    let c = bristol::read_file(&shared().join("bristol/aes_128.txt"), 1).unwrap();
    // FIPS-197 appendix C.1, as the Bristol bit order reads it: bit i of
    // the big-endian integer.
    let hex = |h: &str| -> Vec<bool> {
        let bytes: Vec<u8> = (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect();
        (0..bytes.len() * 8)
            .map(|i| bytes[bytes.len() - 1 - i / 8] >> (i % 8) & 1 == 1)
            .collect()
    };
    let mut bits = hex("000102030405060708090a0b0c0d0e0f");
    bits.extend(hex("00112233445566778899aabbccddeeff"));
    let (g, e) = run(&c, &bits, 2, Config::default(), Config::default());
    let want = hex("69c4e0d86a7b0430d8cdb78070b4c55a");
    assert_eq!(g.unwrap(), vec![want.clone(); 2]);
    assert_eq!(e.unwrap(), vec![want; 2]);
}

#[test]
fn auction_examples_and_party_tagged_outputs() {
    for name in [
        "first_price.mpc",
        "vickrey_lean.mpc",
        "millionaires.mpc",
        "who_learns.mpc",
    ] {
        let c = example(name);
        honest(&c, &random_bits(c.num_inputs() as usize), 2);
    }
    // who_learns: each side gets its own parts only.
    let c = example("who_learns.mpc");
    let (g, e) = run(
        &c,
        &random_bits(c.num_inputs() as usize),
        1,
        Config::default(),
        Config::default(),
    );
    assert_eq!(g.unwrap()[0].len(), 1 + 8);
    assert_eq!(e.unwrap()[0].len(), 1 + 32);
}

/// The circuit with its first output replaced by the first input bit of
/// `victim`, through two free gates (same inputs, outputs and AND gates):
/// a garbling of it would hand that input bit to its evaluator... or to
/// the garbler, through the labels it reads back.
fn leaking(c: &Circuit, victim: Party) -> Circuit {
    let mut c = c.clone();
    let input = c
        .inputs
        .iter()
        .find(|i| i.party == victim)
        .unwrap()
        .first_wire;
    let out = c.output_wires[0];
    let zero = c.num_wires;
    let leak = c.num_wires + 1;
    c.num_wires += 2;
    c.gates.push(Gate {
        kind: GateKind::Xor,
        a: out,
        b: out,
        out: zero,
    });
    c.gates.push(Gate {
        kind: GateKind::Xor,
        a: zero,
        b: input,
        out: leak,
    });
    c.output_wires[0] = leak;
    c
}

/// Runs `c` with the deviating side configured by `deviation` until one
/// computation's output differs from honest, and checks what the honest
/// side saw: the named error, and no output of that computation.
fn caught(c: &Circuit, bits: &[bool], cheater: Party, deviation: Deviation, named: &str) {
    let bad = Config {
        deviation,
        ..Config::default()
    };
    let (g, e) = match cheater {
        Party::Garbler => run(c, bits, 1, bad, Config::default()),
        Party::Evaluator => run(c, bits, 1, Config::default(), bad),
    };
    let honest = match cheater {
        Party::Garbler => e,
        Party::Evaluator => g,
    };
    let err = honest.expect_err("the honest side must not release an output");
    assert!(
        err.contains(named),
        "{cheater:?} cheating: honest side said {err:?}, expected {named:?}"
    );
}

const CHECK: &str = "the output equality check failed";

#[test]
fn a_side_garbling_another_circuit_is_caught() {
    let c = example("millionaires.mpc");
    for cheater in [Party::Garbler, Party::Evaluator] {
        let victim = if cheater == Party::Garbler {
            Party::Evaluator
        } else {
            Party::Garbler
        };
        let evil = leaking(&c, victim);
        assert_eq!(
            Prepared::new(evil.clone()).unwrap().schedule.and_count(),
            Prepared::new(c.clone()).unwrap().schedule.and_count()
        );
        // Inputs where the leaked bit differs from the true result, so that
        // the deviation changes what the honest side reads.
        let bits = loop {
            let bits = random_bits(c.num_inputs() as usize);
            if evil.eval_bits(&bits).unwrap()[0] != c.eval_bits(&bits).unwrap()[0] {
                break bits;
            }
        };
        caught(&c, &bits, cheater, Deviation::GarbleCircuit(evil), CHECK);
    }
}

#[test]
fn flipped_table_bits_are_caught() {
    let c = bristol::read_file(&shared().join("bristol/aes_128.txt"), 1).unwrap();
    for cheater in [Party::Garbler, Party::Evaluator] {
        caught(
            &c,
            &random_bits(256),
            cheater,
            Deviation::FlipTableBits,
            CHECK,
        );
    }
}

#[test]
fn different_inputs_in_the_two_executions_are_caught() {
    let c = example("millionaires.mpc");
    for cheater in [Party::Garbler, Party::Evaluator] {
        // The cheater's garbling gets other bits than its OTs: chosen so
        // that the result differs.
        loop {
            let bits = random_bits(c.num_inputs() as usize);
            let other = random_bits(c.num_inputs() as usize);
            let mixed: Vec<bool> = c
                .inputs
                .iter()
                .flat_map(|i| {
                    let w = i.first_wire as usize..i.first_wire as usize + i.ty.width();
                    if i.party == cheater {
                        other[w].to_vec()
                    } else {
                        bits[w].to_vec()
                    }
                })
                .collect();
            if c.eval_bits(&mixed).unwrap() == c.eval_bits(&bits).unwrap() {
                continue;
            }
            let (g_other, e_other) = split(&c, &other);
            let fed = if cheater == Party::Garbler {
                g_other
            } else {
                e_other
            };
            caught(&c, &bits, cheater, Deviation::GarbleWithInputs(fed), CHECK);
            break;
        }
    }
}

#[test]
fn same_result_with_other_inputs_releases_the_ot_bound_answer() {
    // When the cheater's other input does not change the result, nothing
    // is caught, and what the honest side gets is the function of its own
    // input and the cheater's OT choices: here both equal.
    let c = example("millionaires.mpc");
    let bits = random_bits(c.num_inputs() as usize);
    let (g_bits, _) = split(&c, &bits);
    let bad = Config {
        deviation: Deviation::GarbleWithInputs(g_bits),
        ..Config::default()
    };
    let (g, e) = run(&c, &bits, 1, bad, Config::default());
    assert_eq!(e.unwrap(), vec![learned(&c, Party::Evaluator, &bits)]);
    assert_eq!(g.unwrap(), vec![learned(&c, Party::Garbler, &bits)]);
}

#[test]
fn a_lie_in_the_equality_test_is_caught() {
    let c = example("first_price.mpc");
    for cheater in [Party::Garbler, Party::Evaluator] {
        caught(
            &c,
            &random_bits(c.num_inputs() as usize),
            cheater,
            Deviation::LieInEquality,
            CHECK,
        );
    }
}

#[test]
fn a_side_stopping_mid_protocol_leaves_no_output() {
    let c = example("first_price.mpc");
    for cheater in [Party::Garbler, Party::Evaluator] {
        caught(
            &c,
            &random_bits(c.num_inputs() as usize),
            cheater,
            Deviation::StopAfterGarbling,
            "closed",
        );
    }
}

#[test]
fn a_mix_of_modes_is_refused_at_the_handshake() {
    let c = example("millionaires.mpc");
    let prepared = Prepared::new(c.clone()).unwrap();
    let (g_bits, _) = split(&c, &random_bits(c.num_inputs() as usize));
    let want = "security modes differ";
    // A semi-honest evaluator meets a dual-execution garbler.
    let (gs, es) = UnixStream::pair().unwrap();
    let p = prepared.clone();
    let bits = g_bits.clone();
    let garbler = std::thread::spawn(move || {
        let mut inputs = move |_: &[u8]| Ok(bits.clone());
        dualex::serve_session(gs, None, &p, &mut inputs, &mut |_| {}, Config::default())
            .unwrap_err()
            .to_string()
    });
    let e = evaluator::Session::over(es, &prepared, evaluator::SessionConfig::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("this side runs semi-honest, the peer runs dual-execution"),
        "{e}"
    );
    let g = garbler.join().unwrap();
    assert!(
        g.contains(want) && g.contains("this side runs dual-execution"),
        "{g}"
    );
    // A dual-execution evaluator meets a semi-honest garbler.
    let (gs, es) = UnixStream::pair().unwrap();
    let p = prepared.clone();
    let garbler = std::thread::spawn(move || {
        let mut inputs = garbler::FixedInputs(g_bits);
        garbler::run_session(
            gs,
            &p,
            &mut inputs,
            &mut |_| {},
            garbler::SessionConfig::default(),
        )
        .unwrap_err()
        .to_string()
    });
    let e = Session::over(es, None, &prepared, Config::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("this side runs dual-execution, the peer runs semi-honest"),
        "{e}"
    );
    let g = garbler.join().unwrap();
    assert!(g.contains(want), "{g}");
}

#[test]
fn errors_name_no_secret_and_inputs_are_checked() {
    let c = example("millionaires.mpc");
    let prepared = Prepared::new(c.clone()).unwrap();
    let (gs, es) = UnixStream::pair().unwrap();
    let p = prepared.clone();
    let garbler = std::thread::spawn(move || {
        let mut inputs = |_: &[u8]| Ok(vec![false; 64]);
        dualex::serve_session(gs, None, &p, &mut inputs, &mut |_| {}, Config::default())
    });
    let mut s = Session::over(es, None, &prepared, Config::default()).unwrap();
    match s.evaluate(&[true; 3]) {
        Err(DualError::Inputs {
            expected: 64,
            got: 3,
        }) => {}
        other => panic!("{other:?}"),
    }
    s.close().unwrap();
    garbler.join().unwrap().unwrap();
    // A configuration prints no input bits.
    let c = Config {
        deviation: Deviation::GarbleWithInputs(vec![true; 8]),
        ..Config::default()
    };
    let shown = format!("{c:?}");
    assert!(
        shown.contains("GarbleWithInputs(<redacted>)") && !shown.contains("true"),
        "{shown}"
    );
}

/// The garbler side's input source chooses its input by each
/// computation's public context, refuses with a message the evaluator
/// side reads, and a context too long is refused before it is sent.
#[test]
fn contexts_choose_the_garbler_sides_input() {
    let c = example("millionaires.mpc");
    let prepared = Prepared::new(c.clone()).unwrap();
    let (gs, es) = UnixStream::pair().unwrap();
    let p = prepared.clone();
    let garbler = std::thread::spawn(move || {
        let value = |v: u64| (0..64).map(|i| (v >> i) & 1 == 1).collect::<Vec<_>>();
        let mut inputs = |context: &[u8]| match context {
            b"rich" => Ok(value(1_000_000)),
            b"poor" => Ok(value(10)),
            _ => Err("no such auction".to_string()),
        };
        let mut seen = Vec::new();
        let r = dualex::serve_session(
            gs,
            None,
            &p,
            &mut inputs,
            &mut |r| seen.push(r.to_vec()),
            Config::default(),
        );
        (r.map(|_| ()).map_err(|e| e.to_string()), seen)
    });
    let mut s = Session::over(es, None, &prepared, Config::default()).unwrap();
    let mine: Vec<bool> = (0..64).map(|i| (5000u64 >> i) & 1 == 1).collect();
    let long = vec![0u8; protocol::MAX_CONTEXT + 1];
    let e = s
        .evaluate_with_context(&mine, &long)
        .unwrap_err()
        .to_string();
    assert!(e.contains("too long"), "{e}");
    let rich = s.evaluate_with_context(&mine, b"rich").unwrap();
    let poor = s.evaluate_with_context(&mine, b"poor").unwrap();
    assert_ne!(rich, poor);
    assert_eq!(
        rich,
        learned(&c, Party::Evaluator, &{
            let mut bits = (0..64)
                .map(|i| (1_000_000u64 >> i) & 1 == 1)
                .collect::<Vec<_>>();
            bits.extend(&mine);
            bits
        })
    );
    let e = s
        .evaluate_with_context(&mine, b"other")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no such auction"), "{e}");
    let (g, seen) = garbler.join().unwrap();
    assert!(g.unwrap_err().contains("no such auction"));
    assert_eq!(seen.len(), 2);
}
