//! OT messages that announce a huge length are refused before anything of
//! that size is allocated.

use ot::{BaseOtReply, ChosenMsg, ExtendMsg, OtError};
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
