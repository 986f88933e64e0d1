//! A global allocator that notes the largest block a thread asks for, for
//! tests that a decoder refuses a huge announced length before allocating
//! it. Shared by the `hostile_lengths` tests of `circuits`, `ot` and
//! `protocol` (each includes this file with `#[path]`: a global allocator
//! must be declared in the test binary itself).

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
pub fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let t = f();
    (t, LARGEST.with(Cell::get))
}

/// Far below any of the lengths claimed here.
pub const SMALL: usize = 64 << 10;
