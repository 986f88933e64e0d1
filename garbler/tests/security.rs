//! The hygiene properties the protocol relies on, each a test that fails if
//! it breaks: distinct tweaks, Delta's permute bit, no secret in any Debug or
//! error text, and output decoding that tells a wire's two labels apart.

mod common;

use circuits::bristol;
use common::{bristol_dir, random_bits, run_in, split_inputs};
use crypto::{Block, CryptoError, Delta, OutputDecoding, Schedule, TABLE_BYTES};
use evaluator::{EvalError, EvaluatorSession};
use garbler::{GarbleError, GarblerSession};

/// Two ANDs of the same two evaluator wires: `x & y` twice.
const TWO_EQUAL_ANDS: &str = "2 4\n1 2\n2 1 1\n\n2 1 0 1 2 AND\n2 1 0 1 3 AND\n";

fn all_tables(g: &mut garbler::Garbling<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(c) = g.next_chunk() {
        out.extend_from_slice(c);
    }
    out
}

#[test]
fn no_two_hash_calls_of_a_session_share_a_tweak() {
    let c = bristol::parse(TWO_EQUAL_ANDS, 0).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut session = GarblerSession::new();
    let zero = [Block::random(), Block::random()];

    // Within a run: the two gates hash the same labels, so equal tweaks
    // would give equal tables.
    let mut g1 = session.garble(&s, &[], &zero).unwrap();
    let r1 = g1.tweak_range();
    let t1 = all_tables(&mut g1);
    assert_eq!(t1.len(), 2 * TABLE_BYTES);
    assert_ne!(
        t1[..TABLE_BYTES],
        t1[TABLE_BYTES..],
        "two AND gates share a tweak"
    );
    // Within a table: TG and TE hash under different tweaks; with equal
    // tweaks the generator and evaluator halves of x&x would coincide.
    g1.finish().unwrap();

    // Across runs with the same Delta and the same input labels: a counter
    // restarting per circuit would repeat every table.
    let mut g2 = session.garble(&s, &[], &zero).unwrap();
    let r2 = g2.tweak_range();
    let t2 = all_tables(&mut g2);
    assert_ne!(t1, t2, "a second run reused the first run's tweaks");
    assert_eq!(r1.end, r2.start);
    assert_eq!((r1.end - r1.start, r2.end - r2.start), (4, 4));
    assert_eq!(session.next_tweak(), 8);

    // Ranges over many runs of different circuits never overlap.
    let aes = bristol::read_file(&bristol_dir().join("aes_128.txt"), 1).unwrap();
    let sa = Schedule::new(&aes).unwrap();
    let mut ranges = vec![r1, r2];
    for _ in 0..3 {
        for (sch, e) in [(&sa, 128usize), (&s, 2)] {
            let zero: Vec<Block> = (0..e).map(|_| Block::random()).collect();
            let bits = random_bits(sch.garbler_inputs().len());
            let g = session.garble(sch, &bits, &zero).unwrap();
            assert_eq!(
                g.tweak_range().end - g.tweak_range().start,
                2 * sch.and_count() as u64
            );
            ranges.push(g.tweak_range());
        }
    }
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[..i] {
            assert!(
                a.start >= b.end || b.start >= a.end,
                "tweak ranges {a:?} and {b:?} overlap"
            );
        }
    }
}

#[test]
fn the_two_halves_of_an_and_gate_use_distinct_tweaks() {
    // x & x: both halves hash the same labels A0, A1. Under one shared tweak,
    // TG ^ TE ^ A0 = pb * Delta, which hands Delta to the evaluator.
    let c = bristol::parse("1 2\n1 1\n1 1\n\n2 1 0 0 1 AND\n", 0).unwrap();
    let s = Schedule::new(&c).unwrap();
    for _ in 0..20 {
        let mut session = GarblerSession::new();
        let delta = session.delta().block();
        let q = Block::random();
        let mut g = session.garble(&s, &[], &[q]).unwrap();
        let t = all_tables(&mut g);
        let (tg, te) = crypto::read_table(&t);
        let leak = tg ^ te ^ q;
        assert!(
            leak != Block::ZERO && leak != delta,
            "TG and TE share a tweak"
        );
    }
    for x in [false, true] {
        assert_eq!(common::run(&c, &[x], 0), vec![x]);
    }
}

#[test]
fn evaluator_tweaks_follow_the_garbler_across_runs() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut gs = GarblerSession::new();
    let mut es = EvaluatorSession::new();
    for _ in 0..3 {
        let bits = random_bits(128);
        assert_eq!(
            run_in(&mut gs, &mut es, &c, &s, &bits, 0),
            c.eval_bits(&bits).unwrap()
        );
        assert_eq!(gs.next_tweak(), es.next_tweak());
    }
    // An evaluator whose counter is off by one AND gate gets garbage.
    let mut late = EvaluatorSession::with_next_tweak(es.next_tweak() + 2);
    let bits = random_bits(128);
    let (gbits, ebits) = split_inputs(&c, &bits);
    let zero: Vec<Block> = ebits.iter().map(|_| Block::random()).collect();
    let d = gs.delta().block();
    let active: Vec<Block> = zero
        .iter()
        .zip(&ebits)
        .map(|(&z, &b)| z ^ d.select(b))
        .collect();
    let mut g = gs.garble(&s, &gbits, &zero).unwrap();
    let mut e = late.evaluate(&s, g.garbler_labels(), &active).unwrap();
    while let Some(chunk) = g.next_chunk() {
        e.feed(chunk).unwrap();
    }
    let out = e.finish(&g.finish().unwrap()).unwrap();
    assert_ne!(out, c.eval_bits(&bits).unwrap());
}

#[test]
fn delta_always_has_its_permute_bit_set() {
    for _ in 0..200 {
        assert!(GarblerSession::new().delta().block().lsb());
    }
    assert_eq!(
        Delta::from_block(Block(2)).unwrap_err(),
        CryptoError::DeltaLsbClear
    );
    let d = Delta::from_block(Block(0x1234_5679)).unwrap();
    assert_eq!(
        GarblerSession::with_delta(d).delta().block(),
        Block(0x1234_5679)
    );
}

/// Every rendering of a secret block a careless Debug might print.
fn renderings(b: Block) -> Vec<String> {
    let bytes: String = b.to_bytes().iter().map(|x| format!("{x:02x}")).collect();
    let mut v = vec![
        format!("{:x}", b.0),
        format!("{:X}", b.0),
        format!("{}", b.0),
        bytes,
    ];
    v.push(format!("{:?}", b.to_bytes()));
    v.push(format!("{}", b.0 as u64));
    v.push(format!("{}", (b.0 >> 64) as u64));
    v
}

fn assert_no_secret(text: &str, secrets: &[Block]) {
    for &s in secrets {
        for r in renderings(s) {
            assert!(!text.contains(&r), "secret rendering {r} found in: {text}");
        }
    }
}

#[test]
fn no_label_or_delta_in_debug_or_error_text() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut gs = GarblerSession::new();
    let mut es = EvaluatorSession::new();
    let delta = gs.delta().block();
    let zero: Vec<Block> = (0..64).map(|_| Block::random()).collect();
    let bits = random_bits(64);
    let mut g = gs.garble(&s, &bits, &zero).unwrap();
    let glabels = g.garbler_labels().to_vec();
    let mut e = es.evaluate(&s, &glabels, &zero).unwrap();
    let mut secrets = vec![delta];
    secrets.extend(&zero);
    secrets.extend(&glabels);
    secrets.extend(zero.iter().map(|&z| z ^ delta));

    let mut texts = vec![
        format!("{gs:?}"),
        format!("{es:?}"),
        format!("{g:?}"),
        format!("{e:?}"),
        format!("{:?}", gs.delta()),
        format!("{:?}", Block(delta.0)),
        format!("{:?}", crypto::Lane::from(delta)),
        format!("{:?}", crypto::Prg::from_seed(delta)),
        format!("{:?}", crypto::FixedKeyAes::new(delta)),
    ];
    let chunk = g.next_chunk().unwrap().to_vec();
    let errors_e = [
        e.feed(&chunk[..chunk.len() - 1]).unwrap_err(),
        e.feed(&vec![0u8; chunk.len() + TABLE_BYTES]).unwrap_err(),
        es.evaluate(&s, &glabels[1..], &zero).unwrap_err(),
        es.evaluate(&s, &glabels, &zero[1..]).unwrap_err(),
    ];
    let errors_g = [
        gs.garble(&s, &bits[1..], &zero).unwrap_err(),
        gs.garble(&s, &bits, &zero[1..]).unwrap_err(),
    ];
    for err in errors_e {
        texts.push(format!("{err} {err:?}"));
    }
    for err in errors_g {
        texts.push(format!("{err} {err:?}"));
    }
    let trunc = es.evaluate(&s, &glabels, &zero).unwrap();
    let err = trunc
        .finish(&OutputDecoding::from_bits(vec![false; 65]))
        .unwrap_err();
    assert!(matches!(err, EvalError::Truncated { .. }));
    texts.push(format!("{err} {err:?}"));
    texts.push(format!("{}", GarbleError::Unfinished { remaining: 3 }));
    for t in &texts {
        assert_no_secret(t, &secrets);
    }
    assert!(texts[0].contains("redacted"));
}

#[test]
fn the_other_label_of_an_output_decodes_to_the_other_value() {
    let c = bristol::read_file(&bristol_dir().join("aes_128.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut gs = GarblerSession::new();
    let mut es = EvaluatorSession::new();
    let delta = gs.delta().block();
    let bits = random_bits(256);
    let (gbits, ebits) = split_inputs(&c, &bits);
    let zero: Vec<Block> = ebits.iter().map(|_| Block::random()).collect();
    let active: Vec<Block> = zero
        .iter()
        .zip(&ebits)
        .map(|(&z, &b)| z ^ delta.select(b))
        .collect();
    let mut g = gs.garble(&s, &gbits, &zero).unwrap();
    let mut e = es.evaluate(&s, g.garbler_labels(), &active).unwrap();
    while let Some(chunk) = g.next_chunk() {
        e.feed(chunk).unwrap();
    }
    let zero_out = g.output_zero_labels();
    let decoding = g.finish().unwrap();
    let labels = e.output_labels();
    let values = evaluator::decode(&labels, &decoding);
    assert_eq!(values, c.eval_bits(&bits).unwrap());
    let others: Vec<Block> = labels.iter().map(|&l| l ^ delta).collect();
    let flipped = evaluator::decode(&others, &decoding);
    for (i, (v, f)) in values.iter().zip(&flipped).enumerate() {
        assert_ne!(
            v, f,
            "output {i}: the other label decodes to the same value"
        );
        assert_eq!(
            labels[i],
            zero_out[i] ^ delta.select(*v),
            "output {i} label"
        );
    }
    // The decoding bits are the permute bits of the 0-labels, nothing more.
    let lsbs: Vec<bool> = zero_out.iter().map(|l| l.lsb()).collect();
    assert_eq!(decoding.bits(), &lsbs[..]);
}

#[test]
fn garbler_refuses_to_finish_with_tables_unsent() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut gs = GarblerSession::new();
    let g = gs
        .garble(&s, &random_bits(64), &vec![Block::random(); 64])
        .unwrap();
    assert!(matches!(
        g.finish(),
        Err(GarbleError::Unfinished { remaining: 63 })
    ));
}
