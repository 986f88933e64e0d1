//! Messages that announce a huge length are refused before anything of
//! that size is allocated.

use protocol::{Compute, Hello, PROTOCOL_VERSION};
#[path = "common/largest_allocation.rs"]
mod largest_allocation;

use largest_allocation::{largest_allocation, SMALL};

/// `value` in the payloads' encoding.
fn payload(value: impl bincode::Encode) -> Vec<u8> {
    let config = bincode::config::standard().with_fixed_int_encoding();
    bincode::encode_to_vec(value, config).unwrap()
}

#[test]
fn huge_announced_lengths_allocate_nothing() {
    // The allocator sees what is allocated.
    assert!(largest_allocation(|| vec![0u8; SMALL]).1 >= SMALL);
    // Magic, version, role, digest, gate counts, then 2^40 inputs.
    let hello = payload((
        *b"MPCC",
        PROTOCOL_VERSION,
        1u32,
        [0u8; 32],
        (10u64, 4u64),
        1u64 << 40,
    ));
    let (result, largest) = largest_allocation(|| Hello::decode(&hello));
    let e = result.unwrap_err().to_string();
    assert!(e.contains("announces more than"), "{e}");
    assert!(largest < SMALL, "hello: allocated {largest} bytes");

    // Count, refill, then an OT extension of 2^40 bytes.
    let compute = payload((1u32, 1u32, 1u64 << 40));
    let (result, largest) = largest_allocation(|| Compute::decode(&compute).map(|c| c.count));
    let e = result.unwrap_err().to_string();
    assert!(e.contains("announces more than"), "{e}");
    assert!(largest < SMALL, "compute: allocated {largest} bytes");

    // The most computations, with no contexts for them.
    let compute = payload((1u32 << 16, 0u32, 0u64, 0u64, 0u64));
    let (result, largest) = largest_allocation(|| Compute::decode(&compute).map(|c| c.count));
    let e = result.unwrap_err().to_string();
    assert!(e.contains("context of computation 0 is missing"), "{e}");
    assert!(
        largest < SMALL,
        "compute contexts: allocated {largest} bytes"
    );
}
