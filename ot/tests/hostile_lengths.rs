//! OT messages that announce a huge length are refused before anything of
//! that size is allocated.

use ot::{BaseOtReply, ChosenMsg, ExtendMsg, OtError};
#[path = "../../protocol/tests/common/largest_allocation.rs"]
mod largest_allocation;

use largest_allocation::{largest_allocation, SMALL};

#[test]
fn huge_announced_lengths_allocate_nothing() {
    // The allocator sees what is allocated.
    assert!(largest_allocation(|| vec![0u8; SMALL]).1 >= SMALL);
    let tail = [0u8; 64];
    // A base-OT reply of 2^40 points.
    let mut reply = (1u64 << 40).to_le_bytes().to_vec();
    reply.extend_from_slice(&tail);
    let (result, largest) = largest_allocation(|| BaseOtReply::decode(&reply).map(|r| r.len()));
    assert!(
        matches!(&result, Err(OtError::Decode { reason, .. }) if reason.contains("announces more than")),
        "{result:?}"
    );
    assert!(largest < SMALL, "reply: allocated {largest} bytes");

    // Chosen-message ciphertexts of 2^40 bytes.
    let mut chosen = (1u64 << 40).to_le_bytes().to_vec();
    chosen.extend_from_slice(&tail);
    let (result, largest) = largest_allocation(|| ChosenMsg::decode(&chosen).map(drop));
    assert!(
        matches!(&result, Err(OtError::Decode { reason, .. }) if reason.contains("announces more than")),
        "{result:?}"
    );
    assert!(largest < SMALL, "chosen: allocated {largest} bytes");

    // An extension of 2^40 OTs: tag, malicious, count.
    let mut extend = vec![0xC7, 1];
    extend.extend_from_slice(&(1u64 << 40).to_le_bytes());
    extend.extend_from_slice(&tail);
    let (result, largest) = largest_allocation(|| ExtendMsg::decode(&extend).map(drop));
    assert!(
        matches!(result, Err(OtError::TooLarge { .. })),
        "{result:?}"
    );
    assert!(largest < SMALL, "extension: allocated {largest} bytes");
}
