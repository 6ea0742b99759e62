//! `wdk-alloc` 0.4.2 for the Linux check of `connsec.sys`: the same `WdkAllocator` as the real
//! crate's kernel-mode one (`ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'rust')`, `ExFreePool`),
//! calling the simulator's pool. The driver installs it as the global allocator, so in the test
//! binary every allocation goes through the simulated `ExAllocatePool2`, which tells the
//! driver's (tracked, failable) from the simulator's own.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};

use wdk_sys::{
    POOL_FLAG_NON_PAGED, ULONG,
    ntddk::{ExAllocatePool2, ExFreePool},
};

/// The kernel pool as a Rust global allocator.
pub struct WdkAllocator;

/// The alignment of x64 pool blocks ("Pool allocations are 16-byte aligned on 64-bit Windows").
const POOL_ALIGNMENT: usize = 16;

unsafe extern "C" {
    /// The simulator's allocator for layouts the pool cannot satisfy (not a kernel routine).
    fn SimAllocOverAligned(size: usize, align: usize) -> *mut u8;
}

/// `'rust'`, as wdk-alloc tags its allocations.
const RUST_TAG: ULONG = u32::from_ne_bytes(*b"rust");

// SAFETY: as the real crate's: `alloc` returns NULL or a block of at least `layout.size()` bytes
// (the simulator's pool is 16-byte aligned, as the x64 kernel pool), `dealloc` frees it once.
unsafe impl GlobalAlloc for WdkAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > POOL_ALIGNMENT {
            // More than the pool guarantees: the real crate would return a misaligned block.
            // Only the test harness (std's channels) asks for this; the simulator reports a
            // driver allocation that does.
            // SAFETY: the simulator accepts any layout.
            return unsafe { SimAllocOverAligned(layout.size(), layout.align()) };
        }
        // SAFETY: the simulator's ExAllocatePool2 accepts any size and flags.
        unsafe { ExAllocatePool2(POOL_FLAG_NON_PAGED, layout.size(), RUST_TAG) }.cast()
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above (GlobalAlloc's contract).
        unsafe { ExFreePool(ptr.cast()) }
    }
}
