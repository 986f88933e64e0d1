//! Stocked random OTs spent with correction bits: the labels still hold the
//! Delta correlation for the real choices, the corrections are one-time pads,
//! and malformed corrections or a cheating refill are refused.

use ot::{ExtendMsg, OtError, ReceiverStock, Security, SenderStock};

mod common;
use common::session;

fn choices(n: usize, seed: u64) -> Vec<bool> {
    (0..n as u64)
        .map(|j| (j.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed).count_ones() % 2 == 1)
        .collect()
}

#[test]
fn spent_stock_gives_the_labels_of_the_real_choices() {
    for security in [Security::SemiHonest, Security::Malicious] {
        let (mut s, mut r, delta) = session(security);
        let (mut rs, mut ss) = (ReceiverStock::new(), SenderStock::new());
        for (round, (refill, spend)) in [(1000, 1), (0, 7), (0, 8), (0, 64), (600, 900), (5, 600)]
            .into_iter()
            .enumerate()
        {
            if refill > 0 {
                let msg = rs.refill(&mut r, refill).unwrap();
                let msg = ExtendMsg::decode(&msg.encode()).unwrap();
                ss.refill(&mut s, refill, &msg).unwrap();
            }
            let x = choices(spend, round as u64);
            let (corrections, labels) = rs.spend(&x).unwrap();
            let zeros = ss.spend(&s, spend, &corrections).unwrap();
            assert_eq!(labels.len(), spend);
            for j in 0..spend {
                assert_eq!(
                    labels[j],
                    zeros[j] ^ delta.select(x[j]),
                    "{security:?} {round} {j}"
                );
            }
            assert_eq!(rs.available(), ss.available());
        }
    }
}

#[test]
fn corrections_hide_the_choices() {
    let (mut s, mut r, _) = session(Security::SemiHonest);
    let (mut rs, mut ss) = (ReceiverStock::new(), SenderStock::new());
    let msg = rs.refill(&mut r, 4096).unwrap();
    ss.refill(&mut s, 4096, &msg).unwrap();
    // All-zero choices: the corrections are the random bits themselves.
    let (a, _) = rs.spend(&[false; 2048]).unwrap();
    let (b, _) = rs.spend(&[false; 2048]).unwrap();
    let ones: u32 = a.iter().map(|x| x.count_ones()).sum();
    assert!((900..1150).contains(&ones), "{ones} ones of 2048");
    assert_ne!(a, b);
}

#[test]
fn short_stock_and_malformed_corrections_are_refused() {
    let (mut s, mut r, _) = session(Security::Malicious);
    let (mut rs, mut ss) = (ReceiverStock::new(), SenderStock::new());
    let msg = rs.refill(&mut r, 20).unwrap();
    ss.refill(&mut s, 20, &msg).unwrap();
    assert!(matches!(
        rs.spend(&[true; 21]),
        Err(OtError::CountMismatch { .. })
    ));
    assert!(matches!(
        ss.spend(&s, 21, &[0, 0, 0]),
        Err(OtError::CountMismatch { .. })
    ));
    // 12 bits: two bytes, and the top four bits of the second must be zero.
    assert!(matches!(
        ss.spend(&s, 12, &[0]),
        Err(OtError::Malformed { .. })
    ));
    assert!(matches!(
        ss.spend(&s, 12, &[0, 0x10]),
        Err(OtError::Malformed { .. })
    ));
    // Nothing was spent by the refusals.
    assert_eq!(ss.available(), 20);
    assert!(ss.spend(&s, 12, &[0xff, 0x0f]).is_ok());
    assert_eq!(ss.available(), 8);
}

#[test]
fn a_cheating_refill_aborts_and_adds_nothing() {
    let (mut s, mut r, _) = session(Security::Malicious);
    let (mut rs, mut ss) = (ReceiverStock::new(), SenderStock::new());
    let msg = rs.refill(&mut r, 1000).unwrap();
    let mut bytes = msg.encode();
    // Row 17 of U's first column, which always meets Delta's lowest bit.
    bytes[10 + 17 / 8] ^= 1 << (17 % 8);
    let bad = ExtendMsg::decode(&bytes).unwrap();
    assert!(matches!(
        ss.refill(&mut s, 1000, &bad),
        Err(OtError::ConsistencyCheckFailed { .. })
    ));
    assert_eq!(ss.available(), 0);
}
