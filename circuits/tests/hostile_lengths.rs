//! A compiled circuit that announces a huge length is refused before
//! anything of that size is allocated.

use circuits::format::{self, MAGIC, VERSION};
#[path = "../../protocol/tests/common/largest_allocation.rs"]
mod largest_allocation;

use largest_allocation::{largest_allocation, SMALL};

/// A file of the magic, the version and `body` in the format's encoding.
fn file_of(body: impl bincode::Encode) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.push(VERSION);
    v.extend(bincode::encode_to_vec(body, bincode::config::standard()).unwrap());
    v
}

#[test]
fn huge_announced_lengths_allocate_nothing() {
    // The allocator sees what is allocated.
    assert!(largest_allocation(|| vec![0u8; SMALL]).1 >= SMALL);
    let cases = [
        // 100 wires, no inputs, outputs or output wires, then 2^40 gates.
        ("gates", file_of((100u32, 0u64, 0u64, 0u64, 1u64 << 40))),
        // 2^26 gates: 1 GiB, within the size limit, but not in these bytes.
        ("gates", file_of((100u32, 0u64, 0u64, 0u64, 1u64 << 26))),
        // One input whose name is 2^40 bytes long.
        ("name", file_of((100u32, 1u64, 1u64 << 40))),
        // One input whose type has 2^40 nodes.
        ("type", file_of((100u32, 1u64, "x", 0u32, 1u64 << 40))),
    ];
    for (what, bytes) in cases {
        let (result, largest) = largest_allocation(|| format::from_bytes(&bytes));
        let e = result.unwrap_err().to_string();
        assert!(e.contains("more than the bytes left"), "{what}: {e}");
        assert!(largest < SMALL, "{what}: allocated {largest} bytes");
    }
}
