//! A compiled circuit that announces a huge length is refused before
//! anything of that size is allocated.

use circuits::format::{self, MAGIC, VERSION};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The global allocator of this test binary: the system's, noting the
/// largest block each thread asks for.
struct Largest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// Runs `f`; returns its result and the largest block it allocated.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let t = f();
    (t, LARGEST.with(Cell::get))
}

/// Far below any of the lengths claimed here.
const SMALL: usize = 64 << 10;

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
