//! The Bristol reader on bad input: a clear error naming the line, never a panic.

use circuits::{bristol, CircuitError};
use proptest::prelude::*;

const GOOD: &str = "3 7 \n2 2 2 \n1 1 \n\n2 1 0 2 4 AND\n1 1 4 5 INV\n2 1 5 1 6 XOR\n";

fn line_of(e: CircuitError) -> (usize, String) {
    match e {
        CircuitError::Bristol { line, msg } => (line, msg),
        other => panic!("expected a Bristol error, got {other:?}"),
    }
}

#[test]
fn good_file_runs() {
    let c = bristol::parse(GOOD, 1).unwrap();
    // inputs: x = wires 0,1; y = wires 2,3; out = !(x0 & y0) ^ x1
    assert_eq!(
        c.eval_bits(&[true, false, true, false]).unwrap(),
        vec![false]
    );
    assert_eq!(c.eval_bits(&[true, true, true, false]).unwrap(), vec![true]);
}

#[test]
fn each_fault_is_named() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "empty file"),
        ("3 7\n2 2 2\n", 3, "missing the output line"),
        ("3 7\n2 2 2\n1 1\n\n2 1 0 2 4 AND\n", 6, "truncated file"),
        (
            "1 7\n2 2 2\n1 1\n\n2 1 0 2 6 AND\n2 1 0 2 5 AND\n",
            6,
            "more gate lines",
        ),
        ("1 7\n2 2 2\n1 1\n\n2 1 0 9 6 AND\n", 5, "out of range"),
        (
            "1 7\n2 2 2\n1 1\n\n2 1 0 5 6 AND\n",
            5,
            "used before it is set",
        ),
        (
            "1 7\n2 2 2\n1 1\n\n2 1 0 1 6 NAND\n",
            5,
            "unknown gate `NAND`",
        ),
        ("1 7\n2 2 2\n1 1\n\n2 1 0 6 OR\n", 5, "unknown gate"),
        ("1 7\n2 2 2\n1 1\n\n2 1 0 1 6", 5, "truncated gate line"),
        (
            "1 7\n2 2 2\n1 1\n\n2 1 0 6 AND\n",
            5,
            "should have 6 fields",
        ),
        ("1 7\n2 2 2\n1 1\n\n1 1 0 1 6 AND\n", 5, "takes 2 inputs"),
        ("1 7\n2 2 2\n1 1\n\n2 1 0 1 3 AND\n", 5, "set twice"),
        ("1 7\n2 2 2\n1 1\n\n1 1 2 6 EQ\n", 5, "constant 0 or 1"),
        ("1 7\n3 2 2\n1 1\n\n", 2, "gives 2 widths"),
        ("1 7\n2 4 4\n1 1\n\n", 2, "more than the 7 wires"),
        ("1 x\n2 2 2\n1 1\n", 1, "number of wires"),
        ("99999999999 7\n2 2 2\n1 1\n", 4, "truncated file"),
        ("1 99999999999999\n2 2 2\n1 1\n", 1, "more than a file"),
        (
            "2 7\n2 2 2\n1 1\n\n2 1 0 2 4 AND\n1 1 4 5 INV\n",
            6,
            "output wire 6 is never set",
        ),
        (
            "1 7\n2 2 2\n1 1\n\n4 2 0 1 2 3 4 MAND\n",
            5,
            "should have 9 fields",
        ),
    ];
    for &(text, line, needle) in cases {
        let (got_line, msg) = line_of(bristol::parse(text, 1).unwrap_err());
        assert!(
            msg.contains(needle),
            "{text:?}: message {msg:?} lacks {needle:?}"
        );
        assert_eq!(got_line, line, "{text:?}: {msg}");
    }
}

#[test]
fn mand_expands_to_ands() {
    let text = "1 6\n2 1 1\n2 1 1\n\n4 2 0 1 0 1 4 5 MAND\n";
    let c = bristol::parse(text, 1).unwrap();
    assert_eq!(c.and_count(), 2);
    assert_eq!(c.eval_bits(&[true, true]).unwrap(), vec![true, true]);
}

#[test]
fn eq_and_eqw_and_unordered_ids() {
    // Outputs on the last wires, ids not increasing in file order.
    let text = "4 7\n1 2\n2 1 1\n\n1 1 1 4 EQ\n2 1 0 4 3 AND\n1 1 3 5 EQW\n1 1 1 6 NOT\n";
    let c = bristol::parse(text, 1).unwrap();
    assert_eq!(c.eval_bits(&[true, false]).unwrap(), vec![true, true]);
    assert_eq!(c.eval_bits(&[false, true]).unwrap(), vec![false, false]);
}

#[test]
fn garbler_values_beyond_the_inputs() {
    assert!(matches!(
        bristol::parse(GOOD, 3),
        Err(CircuitError::Invalid(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random bytes never panic.
    #[test]
    fn random_text_never_panics(s in "\\PC{0,200}") {
        let _ = bristol::parse(&s, 1);
    }

    /// Mutations of a valid file never panic, and whatever parses is valid.
    #[test]
    fn mutated_files_never_panic(
        edits in proptest::collection::vec((0usize..200, 0usize..12, any::<u8>()), 1..6)
    ) {
        let mut bytes = GOOD.as_bytes().to_vec();
        let alphabet = b"0123456789 \nXORANDINVEQWM-";
        for (pos, op, v) in edits {
            let pos = pos % (bytes.len() + 1);
            match op % 3 {
                0 if pos < bytes.len() => { bytes[pos] = alphabet[v as usize % alphabet.len()]; }
                1 => bytes.insert(pos, alphabet[v as usize % alphabet.len()]),
                _ if pos < bytes.len() => { bytes.remove(pos); }
                _ => {}
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(c) = bristol::parse(&text, 1) {
            prop_assert!(c.validate().is_ok());
            let inputs = vec![0u64; c.num_inputs() as usize];
            prop_assert!(c.eval_sliced(&inputs).is_ok());
        }
    }

    /// Random circuits: written then read back, the same function.
    #[test]
    fn random_circuits_round_trip(
        n_in in 1u32..6,
        gates in proptest::collection::vec((0u8..4, any::<u32>(), any::<u32>()), 0..40),
        outs in proptest::collection::vec(any::<u32>(), 1..5),
        seed in any::<u64>(),
    ) {
        let mut b = circuits::Builder::new();
        let mut wires = b.input("x", circuits::Party::Garbler, circuits::Type::Unsigned(n_in));
        wires.push(circuits::Builder::TRUE);
        for (k, x, y) in gates {
            let a = wires[x as usize % wires.len()];
            let c = wires[y as usize % wires.len()];
            let w = match k { 0 => b.xor(a, c), 1 => b.and(a, c), 2 => b.not(a), _ => b.or(a, c) };
            wires.push(w);
        }
        let out: Vec<_> = outs.iter().map(|&o| wires[o as usize % wires.len()]).collect();
        b.output("y", circuits::Type::Unsigned(out.len() as u32), &out);
        let c = b.finish();
        c.validate().unwrap();
        let back = bristol::parse(&bristol::write(&c), 1).unwrap();
        let compact = c.compact();
        let mut s = seed | 1;
        let inputs: Vec<u64> = (0..n_in).map(|_| { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s }).collect();
        let want = c.eval_sliced(&inputs).unwrap();
        prop_assert_eq!(back.eval_sliced(&inputs).unwrap(), want.clone());
        prop_assert_eq!(compact.eval_sliced(&inputs).unwrap(), want);
    }
}
