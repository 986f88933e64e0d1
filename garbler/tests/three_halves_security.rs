//! The hygiene tests of half-gates (security.rs), adapted to three-halves:
//! three distinct tweaks per AND gate and none reused in a session, no
//! secret in any Debug or error text, and output labels that decode only as
//! what they are (the other label to the other value, a forged one refused).

mod common;

use circuits::{bristol, Party};
use common::{
    all_tables, assert_tweak_ranges_never_overlap, bristol_dir, random_bits, run_in, split_inputs,
};
use crypto::{threehalves, Block, OutputDecoding, Schedule, Scheme};
use evaluator::EvaluatorSession;
use garbler::{EngineError, GarblerSession};

const TH: Scheme = Scheme::ThreeHalves;

#[test]
fn no_two_hash_calls_of_a_three_halves_session_share_a_tweak() {
    // Two ANDs of the same two evaluator wires: equal tweaks would give
    // equal ciphertexts.
    let c = bristol::parse("2 4\n1 2\n2 1 1\n\n2 1 0 1 2 AND\n2 1 0 1 3 AND\n", 0).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut session = GarblerSession::with_scheme(TH);
    let zero = [Block::random(), Block::random()];
    let mut g1 = session.garble(&s, &[], &zero).unwrap();
    assert_eq!(g1.scheme(), TH);
    let r1 = g1.tweak_range();
    let t1 = all_tables(&mut g1);
    assert_eq!(t1.len(), threehalves::wire_bytes(2));
    assert_ne!(t1[..24], t1[24..48], "two AND gates share a tweak");
    g1.finish().unwrap();
    // Within a gate the three positions hash under three tweaks: with
    // X == Y, equal tweaks for X and Y would make G0 and G1 differ by a
    // linear term only; the hash parts differ.
    let mut g2 = session.garble(&s, &[], &zero).unwrap();
    let r2 = g2.tweak_range();
    let t2 = all_tables(&mut g2);
    assert_ne!(t1, t2, "a second run reused the first run's tweaks");
    assert_eq!(r1.end, r2.start);
    assert_eq!((r1.end - r1.start, r2.end - r2.start), (6, 6));
    assert_eq!(session.next_tweak(), 12);
    // Runs of different circuits never overlap.
    assert_tweak_ranges_never_overlap(&mut session, &s, vec![r1, r2], 3);
}

#[test]
fn x_and_x_is_right_and_its_ciphertexts_differ() {
    // x & x: X == Y and X ^ Y == 0 for the evaluator.
    let c = bristol::parse("1 2\n1 1\n1 1\n\n2 1 0 0 1 AND\n", 0).unwrap();
    let s = Schedule::new(&c).unwrap();
    for x in [false, true] {
        assert_eq!(common::run_with(TH, &c, &[x], 0), vec![x]);
    }
    let mut session = GarblerSession::with_scheme(TH);
    let mut g = session.garble(&s, &[], &[Block::random()]).unwrap();
    let t = all_tables(&mut g);
    assert_ne!(t[..8], t[8..16]);
    assert_ne!(t[..8], t[16..24]);
}

#[test]
fn evaluator_tweaks_follow_the_garbler_across_three_halves_runs() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut gs = GarblerSession::with_scheme(TH);
    let mut es = EvaluatorSession::with_scheme(gs.hash_key(), TH);
    for _ in 0..3 {
        let bits = random_bits(128);
        assert_eq!(
            run_in(&mut gs, &mut es, &c, &s, &bits, 0),
            c.eval_bits(&bits).unwrap()
        );
        assert_eq!(gs.next_tweak(), es.next_tweak());
    }
    // One gate ahead: the evaluator's tweaks no longer match and its
    // outputs are garbage (detected by the garbler's label check).
    let one_and =
        Schedule::new(&bristol::parse("1 3\n1 2\n1 1\n\n2 1 0 1 2 AND\n", 0).unwrap()).unwrap();
    let mut late = es;
    let mut stray = late
        .evaluate(&one_and, &[], &[Block::random(), Block::random()])
        .unwrap();
    stray.feed(&[0u8; 25]).unwrap();
    drop(stray);
    assert_eq!(late.next_tweak(), gs.next_tweak() + 3);
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
    let check = g.finish().unwrap();
    let labels = e.finish_labels().unwrap();
    let wires: Vec<usize> = (0..labels.len()).collect();
    assert!(matches!(
        check.verify(&wires, &labels),
        Err(EngineError::OutputVerification)
    ));
}

/// Every rendering of a secret block a careless Debug might print.
fn renderings(b: Block) -> Vec<String> {
    let bytes: String = b.to_bytes().iter().map(|x| format!("{x:02x}")).collect();
    vec![
        format!("{:x}", b.0),
        format!("{}", b.0),
        bytes,
        format!("{:?}", b.to_bytes()),
        format!("{}", b.0 as u64),
        format!("{}", (b.0 >> 64) as u64),
    ]
}

#[test]
fn no_label_or_delta_in_three_halves_debug_or_error_text() {
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut gs = GarblerSession::with_scheme(TH);
    let mut es = EvaluatorSession::with_scheme(gs.hash_key(), TH);
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
    ];
    let chunk = g.next_chunk().unwrap().to_vec();
    let mut padded = chunk.clone();
    *padded.last_mut().unwrap() |= 0x80;
    let errors = [
        e.feed(&chunk[..chunk.len() - 1]).unwrap_err(),
        e.feed(&padded).unwrap_err(),
        e.feed(&vec![0u8; threehalves::wire_bytes(65)]).unwrap_err(),
    ];
    assert!(matches!(
        errors[0],
        EngineError::ThreeHalvesChunkLength { .. }
    ));
    assert!(matches!(
        errors[1],
        EngineError::Crypto(crypto::CryptoError::ControlPadding)
    ));
    assert!(matches!(errors[2], EngineError::TooManyTables { .. }));
    for err in errors {
        texts.push(format!("{err} {err:?}"));
    }
    // A refused chunk computed nothing: the good one still evaluates.
    e.feed(&chunk).unwrap();
    let trunc = es.evaluate(&s, &glabels, &zero).unwrap();
    let err = trunc
        .finish(&OutputDecoding::from_bits(vec![false; 65]))
        .unwrap_err();
    texts.push(format!("{err} {err:?}"));
    for t in &texts {
        for &secret in &secrets {
            for r in renderings(secret) {
                assert!(!t.contains(&r), "secret rendering {r} found in: {t}");
            }
        }
    }
    assert!(texts[0].contains("redacted") && texts[0].contains("ThreeHalves"));
}

#[test]
fn a_three_halves_output_label_decodes_only_as_what_it_is() {
    let c = bristol::read_file(&bristol_dir().join("aes_128.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let mut gs = GarblerSession::with_scheme(TH);
    let delta = gs.delta().block();
    let bits = random_bits(256);
    let (gbits, ebits) = split_inputs(&c, &bits);
    let zero: Vec<Block> = ebits.iter().map(|_| Block::random()).collect();
    let active = |ebits: &[bool]| -> Vec<Block> {
        zero.iter()
            .zip(ebits)
            .map(|(&z, &b)| z ^ delta.select(b))
            .collect()
    };
    let mut g = gs.garble(&s, &gbits, &zero).unwrap();
    let garbler_labels = g.garbler_labels().to_vec();
    let tables = all_tables(&mut g);
    let check = g.finish().unwrap();
    let decoding = check.decoding_all();
    let evaluate = |ebits: &[bool]| -> Vec<Block> {
        let mut es = EvaluatorSession::with_scheme(gs.hash_key(), TH);
        let mut e = es.evaluate(&s, &garbler_labels, &active(ebits)).unwrap();
        e.feed(&tables).unwrap();
        e.finish_labels().unwrap()
    };
    let labels = evaluate(&ebits);
    let values = evaluator::decode(&labels, &decoding);
    assert_eq!(values, c.eval_bits(&bits).unwrap());
    let wires: Vec<usize> = (0..labels.len()).collect();
    assert_eq!(check.verify(&wires, &labels).unwrap(), values);
    // The other label of each output decodes to the other value.
    let others: Vec<Block> = labels.iter().map(|&l| l ^ delta).collect();
    let flipped = evaluator::decode(&others, &decoding);
    assert!(values.iter().zip(&flipped).all(|(a, b)| a != b));
    // A label that is neither of its wire's two is refused, whatever its
    // permute bit says.
    for i in [0usize, 77, 127] {
        let mut forged = labels.clone();
        forged[i] ^= Block(1 << 64);
        assert!(matches!(
            check.verify(&wires, &forged),
            Err(EngineError::OutputVerification)
        ));
    }
    // Evaluating with a wrong input label (neither of its wire's two)
    // yields output labels the garbler refuses.
    let mut wrong = active(&ebits);
    wrong[3] ^= Block(1 << 90);
    let mut es = EvaluatorSession::with_scheme(gs.hash_key(), TH);
    let mut e = es.evaluate(&s, &garbler_labels, &wrong).unwrap();
    e.feed(&tables).unwrap();
    let bad = e.finish_labels().unwrap();
    assert!(matches!(
        check.verify(&wires, &bad),
        Err(EngineError::OutputVerification)
    ));
    // An evaluator of the other scheme reading these tables gets nowhere:
    // their length is not a whole number of half-gates tables, or its
    // labels are refused.
    let mut es = EvaluatorSession::with_scheme(gs.hash_key(), Scheme::HalfGates);
    let mut e = es.evaluate(&s, &garbler_labels, &active(&ebits)).unwrap();
    let cut = tables.len() / 32 * 32;
    if e.feed(&tables[..cut.min(32 * s.and_count())]).is_ok() && e.remaining_tables() == 0 {
        let l = e.finish_labels().unwrap();
        assert!(check.verify(&wires, &l).is_err());
    }
    assert_eq!(
        c.inputs
            .iter()
            .filter(|i| i.party == Party::Evaluator)
            .count(),
        1
    );
}
