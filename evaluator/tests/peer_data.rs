//! Whatever the garbler sends (chunks of any length and content, any
//! decoding), the evaluator returns a value or an error: never a panic, a
//! hang or an unbounded allocation.

use circuits::bristol;
use crypto::{Block, HashKey, OutputDecoding, Schedule, TABLE_BYTES};
use evaluator::{EngineError, EvaluatorSession};
use proptest::prelude::*;

fn adder() -> Schedule {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bristol/adder64.txt");
    Schedule::new(&bristol::read_file(&path, 1).unwrap()).unwrap()
}

proptest! {
    #[test]
    fn arbitrary_chunks_never_panic(
        chunks in proptest::collection::vec(prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..700),
            (0usize..40, any::<u8>()).prop_map(|(n, b)| vec![b; n * TABLE_BYTES]),
        ], 0..8),
        decoding in proptest::collection::vec(any::<u8>(), 0..12),
    ) {
        let s = adder();
        let mut session = EvaluatorSession::new(HashKey::random());
        let labels: Vec<Block> = (0..64).map(|_| Block::random()).collect();
        let mut e = session.evaluate(&s, &labels, &labels).unwrap();
        let mut fed = 0usize;
        for c in &chunks {
            let before = e.remaining_tables();
            match e.feed(c) {
                Ok(()) => {
                    fed += c.len() / TABLE_BYTES;
                    prop_assert_eq!(e.remaining_tables(), before - c.len() / TABLE_BYTES);
                }
                Err(EngineError::ChunkLength { len, .. }) => prop_assert_eq!(len % TABLE_BYTES != 0, true),
                Err(EngineError::TooManyTables { got, remaining }) => prop_assert!(got > remaining),
                Err(other) => prop_assert!(false, "unexpected error {}", other),
            }
            prop_assert_eq!(e.remaining_tables(), s.and_count() - fed);
        }
        let outputs = s.output_slots().len();
        match OutputDecoding::from_bytes(&decoding, outputs) {
            Ok(d) => match e.finish(&d) {
                Ok(v) => {
                    prop_assert_eq!(fed, s.and_count());
                    prop_assert_eq!(v.len(), outputs);
                }
                Err(EngineError::Truncated { missing }) => prop_assert_eq!(missing, s.and_count() - fed),
                Err(other) => prop_assert!(false, "unexpected error {}", other),
            },
            Err(err) => {
                let expected = matches!(
                    err,
                    crypto::CryptoError::DecodingLength { .. } | crypto::CryptoError::DecodingPadding
                );
                prop_assert!(expected, "unexpected error {}", err);
            }
        }
    }
}

#[test]
fn a_whole_stream_in_odd_pieces_then_a_wrong_decoding() {
    let s = adder();
    let mut session = EvaluatorSession::new(HashKey::random());
    let labels: Vec<Block> = (0..64).map(|_| Block::random()).collect();
    let mut e = session.evaluate(&s, &labels, &labels).unwrap();
    let stream = vec![7u8; s.and_count() * TABLE_BYTES];
    for piece in stream.chunks(5 * TABLE_BYTES) {
        e.feed(piece).unwrap();
    }
    assert_eq!(e.remaining_tables(), 0);
    assert!(matches!(
        e.feed(&[0u8; TABLE_BYTES]),
        Err(EngineError::TooManyTables {
            got: 1,
            remaining: 0
        })
    ));
    assert!(e.feed(&[]).is_ok());
    let wrong = OutputDecoding::from_bits(vec![false; 3]);
    assert!(matches!(
        e.finish(&wrong),
        Err(EngineError::DecodingLength {
            expected: 64,
            got: 3
        })
    ));
}

#[test]
fn wrong_input_label_counts_are_errors() {
    let s = adder();
    let mut session = EvaluatorSession::new(HashKey::random());
    let labels = vec![Block::ZERO; 64];
    assert!(matches!(
        session.evaluate(&s, &labels[..3], &labels),
        Err(EngineError::GarblerLabels {
            expected: 64,
            got: 3
        })
    ));
    assert!(matches!(
        session.evaluate(&s, &labels, &[]),
        Err(EngineError::EvaluatorLabels {
            expected: 64,
            got: 0
        })
    ));
    // A refused run reserves no tweaks.
    assert_eq!(session.next_tweak(), 0);
}
