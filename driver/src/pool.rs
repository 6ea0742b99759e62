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

use wdk_sys::{NTSTATUS, STATUS_INSUFFICIENT_RESOURCES};

/// A zeroed byte buffer of fixed length, owned, freed exactly once when dropped. It is the
/// storage the policy crate's `Controller` and `PolicyDacl` own by value
/// (`AsRef<[u8]> + AsMut<[u8]>`).
pub(crate) struct PoolBuffer {
    bytes: Box<[u8]>,
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
        Ok(Self {
            bytes: bytes.into_boxed_slice(),
        })
    }

    /// The bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, writable (for an FFI call that fills the buffer: its pointer and length are
    /// the slice's).
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl AsRef<[u8]> for PoolBuffer {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl AsMut<[u8]> for PoolBuffer {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

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
    fn moving_the_owner_keeps_the_bytes_where_they_are() {
        let mut buffer = PoolBuffer::try_zeroed(8).expect("allocation");
        buffer.as_mut().copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let address = buffer.as_ref().as_ptr();
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
