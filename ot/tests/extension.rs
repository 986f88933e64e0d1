//! End-to-end behaviour of set-up and extension through the public API only.

use crypto::Block;
use ot::{ExtendMsg, OtError, OtReceiver, OtSender, Security};

mod common;
use common::session;

fn choices(n: usize) -> Vec<bool> {
    let mut bytes = vec![0u8; n.div_ceil(8)];
    getrandom::getrandom(&mut bytes).unwrap();
    (0..n).map(|j| (bytes[j / 8] >> (j % 8)) & 1 == 1).collect()
}

fn check_correlated(sender: &mut OtSender, receiver: &mut OtReceiver, delta: Block, n: usize) {
    let r = choices(n);
    let (msg, labels) = receiver.extend(&r).unwrap();
    let msg = ExtendMsg::decode(&msg.encode()).unwrap();
    let zeros = sender.extend(n, &msg).unwrap();
    assert_eq!(labels.len(), n);
    assert_eq!(zeros.len(), n);
    for j in 0..n {
        assert_eq!(labels[j], zeros[j] ^ delta.select(r[j]), "OT {j} of {n}");
    }
}

#[test]
fn correlated_ots_hold_the_delta_correlation_at_chunk_edges() {
    for security in [Security::SemiHonest, Security::Malicious] {
        let (mut s, mut r, delta) = session(security);
        // One session serves every size in turn: base OTs are paid once.
        for n in [1, 127, 128, 129, 0, 16_128, 16_129, 16_384, 40_000] {
            check_correlated(&mut s, &mut r, delta, n);
        }
    }
}

#[test]
fn a_million_correlated_ots() {
    let (mut s, mut r, delta) = session(Security::Malicious);
    check_correlated(&mut s, &mut r, delta, 1_000_000);
}

#[test]
fn labels_look_independent() {
    let (mut s, mut r, _) = session(Security::Malicious);
    let (msg, labels) = r.extend(&[false; 300]).unwrap();
    let zeros = s.extend(300, &msg).unwrap();
    let mut sorted: Vec<u128> = zeros.iter().map(|b| b.0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 300);
    assert_eq!(labels, zeros);
}

#[test]
fn random_ots_give_exactly_the_chosen_key() {
    for security in [Security::SemiHonest, Security::Malicious] {
        let (mut s, mut r, _) = session(security);
        for n in [1, 127, 128, 129, 1_000_000] {
            let c = choices(n);
            let (msg, ots) = r.receive_random(&c).unwrap();
            let pairs = s.send_random(n, &msg).unwrap();
            for j in 0..n {
                assert_eq!(ots.keys()[j], pairs[j][c[j] as usize]);
                assert_ne!(ots.keys()[j], pairs[j][!c[j] as usize]);
            }
            // The hash breaks the correlation: the pair no longer differs by Delta.
            if n > 1 {
                assert_ne!(pairs[0][0] ^ pairs[0][1], pairs[1][0] ^ pairs[1][1]);
            }
        }
    }
}

#[test]
fn chosen_message_ot_delivers_only_the_chosen_message() {
    let (mut s, mut r, _) = session(Security::Malicious);
    for n in [1, 127, 128, 129, 5000] {
        let c = choices(n);
        let messages: Vec<[Block; 2]> =
            (0..n).map(|_| [Block::random(), Block::random()]).collect();
        let (msg, ots) = r.receive_random(&c).unwrap();
        let reply = s.send_chosen(&msg, &messages).unwrap();
        let reply = ot::ChosenMsg::decode(&reply.encode()).unwrap();
        let got = ots.decrypt(&reply).unwrap();
        for j in 0..n {
            assert_eq!(got[j], messages[j][c[j] as usize]);
        }
    }
}

/// Flips one bit of column `col`, row `row`, of the first chunk's `U`.
fn flip_u(msg: &ExtendMsg, n: usize, col: usize, row: usize) -> ExtendMsg {
    let mut bytes = msg.encode();
    let rows = (n + 192).div_ceil(128) * 128;
    bytes[10 + col * rows / 8 + row / 8] ^= 1 << (row % 8);
    ExtendMsg::decode(&bytes).unwrap()
}

#[test]
fn sender_aborts_when_the_receiver_flips_matrix_bits() {
    let (mut s, mut r, delta) = session(Security::Malicious);
    check_correlated(&mut s, &mut r, delta, 1000);
    let (msg, _) = r.extend(&choices(1000)).unwrap();
    // Column 0 always meets Delta bit 1: using another choice bit there is
    // exactly the attack that would reveal Delta's bits.
    let bad = flip_u(&msg, 1000, 0, 17);
    assert!(matches!(
        s.extend(1000, &bad),
        Err(OtError::ConsistencyCheckFailed { chunk: 1 })
    ));
    // The session is dead, even for honest messages afterwards.
    let (msg, _) = r.extend(&choices(10)).unwrap();
    assert!(matches!(s.extend(10, &msg), Err(OtError::Aborted)));
}

#[test]
fn sender_aborts_on_any_column_flip_that_meets_a_delta_one_bit() {
    let (mut s, mut r, delta) = session(Security::Malicious);
    let col = (1..128)
        .find(|&i| (delta.0 >> i) & 1 == 1)
        .expect("Delta has more than one set bit");
    let (msg, _) = r.extend(&choices(300)).unwrap();
    let bad = flip_u(&msg, 300, col, 299);
    assert!(matches!(
        s.extend(300, &bad),
        Err(OtError::ConsistencyCheckFailed { .. })
    ));
}

#[test]
fn sender_aborts_on_a_bad_check_value() {
    for offset_from_end in [1, 20] {
        let (mut s, mut r, _) = session(Security::Malicious);
        let (msg, _) = r.extend(&choices(500)).unwrap();
        let mut bytes = msg.encode();
        let len = bytes.len();
        bytes[len - offset_from_end] ^= 0x40;
        let bad = ExtendMsg::decode(&bytes).unwrap();
        assert!(matches!(
            s.extend(500, &bad),
            Err(OtError::ConsistencyCheckFailed { chunk: 0 })
        ));
    }
}

#[test]
fn sender_aborts_when_a_later_chunk_cheats() {
    let (mut s, mut r, _) = session(Security::Malicious);
    // 40,000 OTs make chunks of 16,128 + 16,128 + 7,744 real OTs.
    let n = 40_000;
    let (msg, _) = r.extend(&choices(n)).unwrap();
    let mut bytes = msg.encode();
    let third_chunk = 10 + 2 * (16 * ot::CHUNK_ROWS + 32);
    bytes[third_chunk + 5] ^= 1; // column 0, which always meets Delta bit 1
    let bad = ExtendMsg::decode(&bytes).unwrap();
    assert!(matches!(
        s.extend(n, &bad),
        Err(OtError::ConsistencyCheckFailed { chunk: 2 })
    ));
}

#[test]
fn mismatched_counts_and_modes_are_errors() {
    let (mut s, mut r, _) = session(Security::Malicious);
    let (msg, _) = r.extend(&choices(10)).unwrap();
    assert!(matches!(
        s.extend(11, &msg),
        Err(OtError::CountMismatch { .. })
    ));
    let (mut s2, mut r2, _) = session(Security::SemiHonest);
    let (msg2, _) = r2.extend(&choices(10)).unwrap();
    assert!(matches!(
        s.extend(10, &msg2),
        Err(OtError::SecurityMismatch)
    ));
    assert!(matches!(
        s2.extend(10, &msg),
        Err(OtError::SecurityMismatch)
    ));
}

#[test]
fn short_long_and_lying_messages_are_errors() {
    let (_, mut r, _) = session(Security::Malicious);
    let (msg, _) = r.extend(&choices(200)).unwrap();
    let bytes = msg.encode();
    for cut in [0, 1, 2, 9, 10, bytes.len() - 1] {
        assert!(ExtendMsg::decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut long = bytes.clone();
    long.push(0);
    assert!(ExtendMsg::decode(&long).is_err());
    let mut huge = bytes.clone();
    huge[2..10].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        ExtendMsg::decode(&huge),
        Err(OtError::TooLarge { .. })
    ));
    let mut lying = bytes;
    lying[2..10].copy_from_slice(&(1u64 << 27).to_le_bytes());
    assert!(matches!(
        ExtendMsg::decode(&lying),
        Err(OtError::Malformed { .. })
    ));
}

#[test]
fn setup_rejects_a_reply_of_the_wrong_size() {
    let (setup, hello) = OtReceiver::setup(Security::SemiHonest);
    let (_, reply) = ot::BaseOtReceiver::receive(&hello, &[true; 5]).unwrap();
    assert!(matches!(
        setup.finish(&reply),
        Err(OtError::CountMismatch { .. })
    ));
}

#[test]
fn debug_output_never_shows_secrets() {
    let (mut s, mut r, delta) = session(Security::Malicious);
    let (msg, labels) = r.extend(&[true, false]).unwrap();
    let (msg2, ots) = r.receive_random(&[true]).unwrap();
    let zeros = s.extend(2, &msg).unwrap();
    let text = format!("{s:?} {r:?} {msg:?} {msg2:?} {ots:?} {labels:?} {zeros:?}");
    for secret in [delta, labels[0], zeros[0], ots.keys()[0]] {
        assert!(!text.contains(&format!("{:x}", secret.0)));
        assert!(!text.contains(&format!("{}", secret.0)));
    }
    assert!(text.contains("redacted"));
}

#[test]
fn extend_into_reuses_buffers_and_leaves_nothing_on_error() {
    let (mut s, mut r, delta) = session(Security::Malicious);
    let (mut msg, mut labels, mut zeros) = (ExtendMsg::new(), Vec::new(), Vec::new());
    for n in [20_000, 129, 0, 5] {
        let c = choices(n);
        r.extend_into(&c, &mut msg, &mut labels).unwrap();
        s.extend_into(n, &msg, &mut zeros).unwrap();
        assert_eq!(labels.len(), n);
        for j in 0..n {
            assert_eq!(labels[j], zeros[j] ^ delta.select(c[j]));
        }
    }
    r.extend_into(&choices(50), &mut msg, &mut labels).unwrap();
    let mut bytes = msg.encode();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let bad = ExtendMsg::decode(&bytes).unwrap();
    assert!(s.extend_into(50, &bad, &mut zeros).is_err());
    assert!(zeros.is_empty());
}

/// Two parties set up under different contexts (say, each talking to a relay
/// over its own TLS connection) share no OT: the first check fails.
#[test]
fn different_contexts_share_no_ot() {
    let delta = Block(Block::random().0 | 1);
    let (setup, hello) = OtReceiver::setup_with_context(Security::Malicious, [1; 32]);
    let (mut sender, reply) =
        OtSender::setup_with_context(delta, Security::Malicious, &hello, [2; 32]).unwrap();
    let mut receiver = setup.finish(&reply).unwrap();
    let (msg, _) = receiver.extend(&[true, false, true]).unwrap();
    assert!(matches!(
        sender.extend(3, &msg),
        Err(ot::OtError::ConsistencyCheckFailed { .. })
    ));
    // The same context on both sides: the OTs agree.
    let (setup, hello) = OtReceiver::setup_with_context(Security::Malicious, [3; 32]);
    let (mut sender, reply) =
        OtSender::setup_with_context(delta, Security::Malicious, &hello, [3; 32]).unwrap();
    let mut receiver = setup.finish(&reply).unwrap();
    let bits = [true, false, true];
    let (msg, labels) = receiver.extend(&bits).unwrap();
    let zero = sender.extend(3, &msg).unwrap();
    for ((q, t), b) in zero.iter().zip(&labels).zip(bits) {
        assert_eq!(*t, *q ^ delta.select(b));
    }
}
