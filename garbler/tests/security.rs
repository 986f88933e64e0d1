//! The hygiene properties the protocol relies on, each a test that fails if
//! it breaks: distinct tweaks, a fresh hash key per session, Delta's permute
//! bit, no secret in any Debug or error text, and output decoding that tells
//! a wire's two labels apart.

mod common;

use circuits::{bristol, Party};
use common::{
    all_tables, assert_tweak_ranges_never_overlap, bristol_dir, random_bits, run_in, split_inputs,
};
use crypto::{Block, CryptoError, Delta, HashKey, OutputDecoding, Schedule, TABLE_BYTES};
use evaluator::EvaluatorSession;
use garbler::{run_session, EngineError, FixedInputs, GarblerSession, Prepared, SessionConfig};
use protocol::{Channel, Hello, Kind, Limits, Window, PROTOCOL_VERSION};
use std::os::unix::net::UnixStream;

/// Two ANDs of the same two evaluator wires: `x & y` twice.
const TWO_EQUAL_ANDS: &str = "2 4\n1 2\n2 1 1\n\n2 1 0 1 2 AND\n2 1 0 1 3 AND\n";

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
    assert_tweak_ranges_never_overlap(&mut session, &s, vec![r1, r2], 2);
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
    let mut es = EvaluatorSession::new(gs.hash_key());
    for _ in 0..3 {
        let bits = random_bits(128);
        assert_eq!(
            run_in(&mut gs, &mut es, &c, &s, &bits, 0),
            c.eval_bits(&bits).unwrap()
        );
        assert_eq!(gs.next_tweak(), es.next_tweak());
    }
    // An evaluator that evaluated one AND gate the garbler never garbled is
    // one gate ahead, and gets garbage.
    let one_and = bristol::parse("1 3\n1 2\n1 1\n\n2 1 0 1 2 AND\n", 0).unwrap();
    let one_and = Schedule::new(&one_and).unwrap();
    let mut late = es;
    let pair = [Block::random(), Block::random()];
    let mut stray = late.evaluate(&one_and, &[], &pair).unwrap();
    stray.feed(&[0u8; TABLE_BYTES]).unwrap();
    drop(stray);
    assert_eq!(late.next_tweak(), gs.next_tweak() + 2);
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
    let out = e.finish(&g.finish().unwrap().decoding_all()).unwrap();
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
    assert_eq!(d.block(), Block(0x1234_5679));
}

#[test]
fn every_session_hashes_under_a_fresh_key() {
    let keys: Vec<HashKey> = (0..8).map(|_| GarblerSession::new().hash_key()).collect();
    for (i, k) in keys.iter().enumerate() {
        for other in &keys[..i] {
            assert_ne!(k, other, "two sessions drew the same hash key");
        }
    }
    // The key is part of the hash: an evaluator in step with the garbler's
    // tweaks but under another session's key gets garbage; under the
    // garbler's key, the right answer.
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 1).unwrap();
    let s = Schedule::new(&c).unwrap();
    let bits = random_bits(128);
    let want = c.eval_bits(&bits).unwrap();
    let mut gs = GarblerSession::new();
    let mut wrong = EvaluatorSession::new(GarblerSession::new().hash_key());
    assert_ne!(run_in(&mut gs, &mut wrong, &c, &s, &bits, 0), want);
    let mut gs = GarblerSession::new();
    let mut right = EvaluatorSession::new(gs.hash_key());
    assert_eq!(right.hash_key(), gs.hash_key());
    assert_eq!(run_in(&mut gs, &mut right, &c, &s, &bits, 0), want);
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
    let mut es = EvaluatorSession::new(gs.hash_key());
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
    assert!(matches!(err, EngineError::Truncated { .. }));
    texts.push(format!("{err} {err:?}"));
    texts.push(format!("{}", EngineError::Unfinished { remaining: 3 }));
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
    let decoding = g.finish().unwrap().decoding_all();
    // One garbling evaluated twice (two evaluator sessions in step with the
    // garbler's tweaks), on the evaluator's bits and on their complement.
    let evaluate = |ebits: &[bool]| -> (Vec<Block>, Vec<bool>) {
        let mut es = EvaluatorSession::new(gs.hash_key());
        let mut e = es.evaluate(&s, &garbler_labels, &active(ebits)).unwrap();
        e.feed(&tables).unwrap();
        let labels = e.output_labels();
        let values = e.finish(&decoding).unwrap();
        assert_eq!(evaluator::decode(&labels, &decoding), values);
        (labels, values)
    };
    let (labels, values) = evaluate(&ebits);
    assert_eq!(values, c.eval_bits(&bits).unwrap());
    let mut complement = bits.clone();
    for input in c.inputs.iter().filter(|i| i.party == Party::Evaluator) {
        let w = input.first_wire as usize;
        complement[w..w + input.ty.width()]
            .iter_mut()
            .for_each(|b| *b = !*b);
    }
    let (same_gbits, ebits2) = split_inputs(&c, &complement);
    assert_eq!(same_gbits, gbits);
    let (labels2, values2) = evaluate(&ebits2);
    assert_eq!(values2, c.eval_bits(&complement).unwrap());
    assert_ne!(values, values2, "the complement changed no output");
    // Each output wire carries one of exactly two labels, Delta apart: equal
    // where the two values agree, differing by Delta where they do not.
    let others: Vec<Block> = labels.iter().map(|&l| l ^ delta).collect();
    let flipped = evaluator::decode(&others, &decoding);
    for i in 0..labels.len() {
        assert_ne!(
            values[i], flipped[i],
            "output {i}: the other label decodes to the same value"
        );
        assert_eq!(
            labels2[i],
            labels[i] ^ delta.select(values[i] != values2[i]),
            "output {i} label"
        );
        // The decoding bit is the permute bit of the 0-label, nothing more.
        let zero_label = labels[i] ^ delta.select(values[i]);
        assert_eq!(decoding.bits()[i], zero_label.lsb(), "output {i} decoding");
    }
}

/// The hash key a garbler service sends in the handshake of one session, as
/// a minimal evaluator sees it before it says goodbye.
fn hash_key_of_one_session(prepared: &Prepared) -> Vec<u8> {
    let (ours, theirs) = UnixStream::pair().unwrap();
    let garbler = {
        let prepared = prepared.clone();
        std::thread::spawn(move || {
            run_session(
                theirs,
                &prepared,
                &mut FixedInputs(vec![false; 128]),
                &mut |_| {},
                SessionConfig::default(),
            )
        })
    };
    let mut ch = Channel::new(ours, Limits::default());
    let hello = Hello {
        version: PROTOCOL_VERSION,
        role: Party::Evaluator,
        circuit: (*prepared.summary).clone(),
        binding: None,
        scheme: crypto::Scheme::HalfGates,
        security: protocol::Security::SemiHonest,
    };
    ch.send(Kind::Hello, &hello.encode()).unwrap();
    ch.send(Kind::Window, &Window::OFF.encode()).unwrap();
    let theirs = Hello::decode(&ch.recv_kind(Kind::Hello).unwrap()).unwrap();
    assert_eq!(theirs.role, Party::Garbler);
    let key = ch.recv_kind(Kind::HashKey).unwrap();
    assert_eq!(
        Window::decode(&ch.recv_kind(Kind::Window).unwrap()).unwrap(),
        Window::OFF
    );
    ch.send(Kind::Bye, &[]).unwrap();
    ch.flush().unwrap();
    garbler.join().unwrap().unwrap();
    key
}

#[test]
fn the_garbler_service_sends_a_fresh_hash_key_in_every_handshake() {
    // Both adder inputs are the garbler's: no OT, the session is the
    // handshake and a goodbye.
    let c = bristol::read_file(&bristol_dir().join("adder64.txt"), 2).unwrap();
    let prepared = Prepared::new(c).unwrap();
    let keys: Vec<Vec<u8>> = (0..4).map(|_| hash_key_of_one_session(&prepared)).collect();
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(k.len(), HashKey::BYTES);
        for other in &keys[..i] {
            assert_ne!(k, other, "two sessions sent the same hash key");
        }
    }
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
        Err(EngineError::Unfinished { remaining: 63 })
    ));
}
