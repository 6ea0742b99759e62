//! Fallibly allocated, zeroed byte buffers in non-paged pool.
//!
//! The allocation goes through `wdk_alloc::WdkAllocator` (the crate's global allocator), which
//! calls `ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'rust')`: non-executable, zeroed, usable at
//! any IRQL <= `DISPATCH_LEVEL`, and 16-byte aligned on x64 and ARM64, which covers the 4-byte
//! alignment an `ACL` needs. A failed allocation is reported as `STATUS_INSUFFICIENT_RESOURCES`
//! through `Vec::try_reserve_exact`; nothing here can abort or panic on out-of-memory.
//!
//! Hand-written rather than `Box<[u8]>` helpers from `alloc` because every fallible slice
//! constructor there (`Box::try_new_zeroed_slice`) is still unstable.

use alloc::{boxed::Box, vec::Vec};
use core::ptr::NonNull;

use wdk_sys::{NTSTATUS, STATUS_INSUFFICIENT_RESOURCES};

/// A zeroed byte buffer of fixed length, owned, freed exactly once when dropped.
///
/// The bytes are reached through a raw pointer rather than a `Box` field so that
/// [`PoolBuffer::as_static_mut`] can hand out a `'static` borrow that outlives moves of this
/// owner (see there).
pub(crate) struct PoolBuffer {
    bytes: NonNull<[u8]>,
}

impl PoolBuffer {
    /// Allocates `len` zeroed bytes (`len` may be 0).
    pub(crate) fn try_zeroed(len: usize) -> Result<Self, NTSTATUS> {
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(len)
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        // The capacity is already there, so `resize` does not allocate.
        bytes.resize(len, 0_u8);
        // `into_boxed_slice` would reallocate (infallibly) to shrink a larger capacity; refuse
        // that case instead. `try_reserve_exact` on an empty vector asks for exactly `len`.
        if bytes.capacity() != len {
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        }
        let bytes = NonNull::from(Box::leak(bytes.into_boxed_slice()));
        Ok(Self { bytes })
    }

    /// The bytes.
    pub(crate) const fn as_slice(&self) -> &[u8] {
        // SAFETY: 1. `bytes` points at a live allocation owned by `self` (freed only in Drop);
        //         2. no `as_static_mut` borrow is in use while `self` is used (its contract).
        unsafe { self.bytes.as_ref() }
    }

    /// The bytes, writable (for an FFI call that fills the buffer: its pointer and length are
    /// the slice's).
    pub(crate) const fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: 1. `bytes` points at a live allocation owned by `self` (freed only in Drop);
        //         2. the borrow of `self` is exclusive, and no `as_static_mut` borrow is in use
        //            while `self` is used (its contract).
        unsafe { self.bytes.as_mut() }
    }

    /// The buffer as a `'static` mutable slice, for the policy `Controller` that lives in the
    /// driver's global state next to this buffer.
    ///
    /// # Safety
    ///
    /// The caller must end every use of the returned slice (and of everything borrowed from it)
    /// before this `PoolBuffer` is dropped, and must not use the `PoolBuffer` in any other way
    /// (`as_slice`, `as_mut_slice`, this function again) while the slice is in use. `DriverState`
    /// keeps this by declaring the `Controller` before the buffers, so the `Controller` is
    /// dropped first, and by never touching the buffers otherwise.
    pub(crate) const unsafe fn as_static_mut(&mut self) -> &'static mut [u8] {
        // SAFETY: 1. `bytes` came from `Box::leak` of a live allocation that only `Drop` frees;
        //         2. the caller guarantees that this borrow ends before that `Drop`, and that
        //            it is the only one (this function's contract);
        //         3. moving the `PoolBuffer` does not move the pool allocation.
        unsafe { self.bytes.as_mut() }
    }
}

impl Drop for PoolBuffer {
    fn drop(&mut self) {
        // SAFETY: 1. `bytes` is the pointer `Box::leak` returned in `try_zeroed`;
        //         2. no borrow from `as_static_mut` is alive any more (its contract), so the
        //            box is rebuilt and freed exactly once, through `ExFreePool`.
        drop(unsafe { Box::from_raw(self.bytes.as_ptr()) });
    }
}

// SAFETY: `PoolBuffer` owns plain bytes in non-paged pool; nothing about it is tied to the
// thread that allocated it, exactly as for `Box<[u8]>`.
unsafe impl Send for PoolBuffer {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_zeroed_writable_and_exactly_sized() {
        let mut buffer = PoolBuffer::try_zeroed(68).expect("allocation");
        assert_eq!(buffer.as_slice(), &[0_u8; 68][..]);
        if let Some(first) = buffer.as_mut_slice().first_mut() {
            *first = 0xA5;
        }
        assert_eq!(buffer.as_slice().first(), Some(&0xA5));
        assert_eq!(buffer.as_slice().len(), 68);
    }

    #[test]
    fn a_static_borrow_sees_the_same_bytes_and_ends_before_the_free() {
        let mut buffer = PoolBuffer::try_zeroed(8).expect("allocation");
        let address = buffer.as_slice().as_ptr();
        {
            // SAFETY: 1. the slice is used only inside this block, before `buffer` is dropped
            //            or used again.
            let bytes = unsafe { buffer.as_static_mut() };
            bytes.copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
            assert_eq!(bytes.as_ptr(), address);
        }
        // Moving the owner does not move the allocation.
        let moved = buffer;
        assert_eq!(moved.as_slice(), &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(moved.as_slice().as_ptr(), address);
    }

    #[test]
    fn an_empty_buffer_is_allowed() {
        let buffer = PoolBuffer::try_zeroed(0).expect("no allocation needed");
        assert!(buffer.as_slice().is_empty());
    }

    #[test]
    fn an_impossible_size_is_an_error_not_a_panic() {
        assert_eq!(
            PoolBuffer::try_zeroed(usize::MAX).err(),
            Some(STATUS_INSUFFICIENT_RESOURCES)
        );
    }
}
