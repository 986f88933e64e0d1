//! OT messages and frames: never a panic; what decodes re-encodes to the same
//! bytes. The first byte picks the decoder.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ot::{driver, BaseOtHello, BaseOtReply, ChosenMsg, ExtendMsg};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    match pick % 5 {
        0 => {
            if let Ok(m) = BaseOtHello::decode(body) {
                assert_eq!(m.encode(), body);
            }
        }
        1 => {
            if let Ok(m) = BaseOtReply::decode(body) {
                assert_eq!(m.encode(), body);
                assert_eq!(m.len(), (body.len() - 8) / 32);
            }
        }
        2 => {
            if let Ok(m) = ExtendMsg::decode(body) {
                assert_eq!(m.encode(), body);
            }
            // Decoding into a buffer that already holds a message gives the
            // same answer as a fresh decode.
            let fresh = ExtendMsg::decode(body);
            let mut reused = ExtendMsg::new();
            let _ = reused.decode_into(body);
            assert_eq!(reused.decode_into(body).is_ok(), fresh.is_ok());
            match fresh {
                Ok(m) => assert!(reused == m),
                Err(_) => assert_eq!(reused.count(), 0),
            }
        }
        3 => {
            if let Ok(m) = ChosenMsg::decode(body) {
                assert_eq!(m.encode(), body);
            }
        }
        _ => {
            let mut r = body;
            let mut total = 0;
            while let Ok(f) = driver::read_frame(&mut r, 1 << 16) {
                total += 4 + f.len();
                assert!(total <= body.len());
            }
        }
    }
});
