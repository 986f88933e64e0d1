//! A hostile OT receiver against an honest, actively secure sender: an honest
//! extension message with fuzzer-chosen bytes XORed in must be refused unless
//! nothing changed, and an untouched one gives the correlation. Raw fuzz
//! bytes as the message never panic either.
//!
//! Layout: byte 0 = number of OTs (0..=255), byte 1 bit 0 = raw mode, then
//! (offset u16, xor byte) triples, or the raw message.
#![no_main]
use crypto::Block;
use libfuzzer_sys::fuzz_target;
use ot::{ExtendMsg, OtReceiver, OtSender, Security};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let n = usize::from(data[0]);
    let raw = data[1] & 1 == 1;
    let rest = &data[2..];

    let delta = Block(Block::random().0 | 1);
    let (setup, hello) = OtReceiver::setup(Security::Malicious);
    let (mut sender, reply) = OtSender::setup(delta, Security::Malicious, &hello).expect("set-up");
    let mut receiver = setup.finish(&reply).expect("set-up");

    if raw {
        let _ = ExtendMsg::decode(rest).and_then(|m| sender.extend(n, &m));
        return;
    }
    let choices: Vec<bool> = (0..n).map(|i| (data[0] >> (i % 8)) & 1 == 1).collect();
    let (msg, labels) = receiver.extend(&choices).expect("honest extension");
    let honest = msg.encode();
    let mut bytes = honest.clone();
    for t in rest.chunks_exact(3) {
        let at = usize::from(u16::from_le_bytes([t[0], t[1]]));
        if let Some(b) = bytes.get_mut(at) {
            *b ^= t[2];
        }
    }
    let Ok(tampered) = ExtendMsg::decode(&bytes) else {
        return;
    };
    let got = sender.extend(n, &tampered);
    if bytes == honest {
        let zero = got.expect("the honest message passes");
        for ((q, t), c) in zero.iter().zip(&labels).zip(&choices) {
            assert_eq!(*t, *q ^ delta.select(*c));
        }
    } else {
        assert!(got.is_err(), "a tampered extension message was accepted");
    }
});
