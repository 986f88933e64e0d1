//! Messages that announce a huge length are refused before anything of
//! that size is allocated.

use protocol::{Compute, Hello, PROTOCOL_VERSION};
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
}
