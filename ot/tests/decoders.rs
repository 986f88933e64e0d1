//! Property tests: every decoder is total on arbitrary bytes and
//! round-trips what the encoder wrote.

use ot::{BaseOtHello, BaseOtReply, ChosenMsg, ExtendMsg};
use proptest::prelude::*;

proptest! {
    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = BaseOtHello::decode(&bytes);
        let _ = BaseOtReply::decode(&bytes);
        let _ = ExtendMsg::decode(&bytes);
        let _ = ChosenMsg::decode(&bytes);
        let _ = ot::driver::read_frame(&mut &bytes[..], 1 << 20);
    }

    #[test]
    fn extend_msg_headers_never_panic(
        tag in prop_oneof![Just(0xC7u8), any::<u8>()],
        mode in 0u8..3,
        count in prop_oneof![0u64..2000, any::<u64>()],
        body_len in 0usize..5000,
    ) {
        let mut bytes = vec![tag, mode];
        bytes.extend_from_slice(&count.to_le_bytes());
        bytes.resize(10 + body_len, 0xAB);
        let _ = ExtendMsg::decode(&bytes);
    }

    #[test]
    fn reply_counts_never_panic(
        count in prop_oneof![0u64..20, any::<u64>()],
        body_len in 0usize..400,
    ) {
        let mut bytes = count.to_le_bytes().to_vec();
        bytes.resize(8 + body_len, 0x11);
        // 0x11.. is not a valid point: only an empty reply decodes.
        prop_assert!(BaseOtReply::decode(&bytes).is_err() || (count == 0 && body_len == 0));
    }
}

#[test]
fn encoders_round_trip() {
    let (_, hello) = ot::BaseOtSender::new();
    assert_eq!(BaseOtHello::decode(&hello.encode()).unwrap(), hello);
    let (_, reply) = ot::BaseOtReceiver::receive(&hello, &[true, false]).unwrap();
    assert_eq!(BaseOtReply::decode(&reply.encode()).unwrap(), reply);
}

#[test]
fn decode_into_reuses_and_empties_on_error() {
    let (setup, hello) = ot::OtReceiver::setup(ot::Security::SemiHonest);
    let (mut s, reply) =
        ot::OtSender::setup(crypto::Block(3), ot::Security::SemiHonest, &hello).unwrap();
    let mut r = setup.finish(&reply).unwrap();
    let (msg, _) = r.extend(&[true; 40]).unwrap();
    let mut slot = ExtendMsg::new();
    slot.decode_into(&msg.encode()).unwrap();
    assert_eq!(slot, msg);
    assert!(slot.decode_into(&msg.encode()[..20]).is_err());
    assert_eq!(slot.count(), 0);
    slot.decode_into(&msg.encode()).unwrap();
    assert_eq!(s.extend(40, &slot).unwrap().len(), 40);
}
