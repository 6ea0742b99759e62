//! Memory the filter engine allocated for the driver, freed with `FwpmFreeMemory0`.
//!
//! The only such allocation the driver receives is the connection objects' security descriptor
//! from `FwpmConnectionGetSecurityInfo0`, a self-relative descriptor whose owner, group, DACL
//! and SACL pointers all point into it ("free only the security descriptor",
//! `FwpmConnectionGetSecurityInfo0` remarks). [`WfpSecurityDescriptor`] owns it, exposes it only
//! as bytes, and frees it exactly once. `FwpmFreeMemory0` is documented both as `<= DISPATCH_LEVEL`
//! and as `PASSIVE_LEVEL`; it is only called at `PASSIVE_LEVEL` here.

use core::{ffi::c_void, ptr::NonNull};

use wdk_sys::{NTSTATUS, STATUS_INVALID_SECURITY_DESCR};

use crate::wfp;

/// A self-relative security descriptor allocated by the filter engine.
pub(crate) struct WfpSecurityDescriptor {
    /// Only this module can read or forge the pointer.
    descriptor: NonNull<c_void>,
    /// `RtlLengthSecurityDescriptor` of it, taken once when it was received.
    len: usize,
}

impl WfpSecurityDescriptor {
    /// Takes ownership of `descriptor`, an allocation the engine just returned.
    ///
    /// # Safety
    ///
    /// `descriptor` must be the `PSECURITY_DESCRIPTOR` a successful
    /// `FwpmConnectionGetSecurityInfo0` (or another `Fwpm*` call whose result is freed with
    /// `FwpmFreeMemory0`) returned, not yet freed and not owned by anything else.
    pub(crate) unsafe fn from_engine(descriptor: *mut c_void) -> Result<Self, NTSTATUS> {
        let descriptor = NonNull::new(descriptor).ok_or(STATUS_INVALID_SECURITY_DESCR)?;
        // Owned from here on: an error below still frees it, through Drop.
        let mut this = Self { descriptor, len: 0 };
        let len;
        // SAFETY: 1. `descriptor` is a valid security descriptor from the engine (this
        //            function's contract);
        //         2. PASSIVE_LEVEL (every caller; RtlLengthSecurityDescriptor needs it).
        unsafe {
            len = wdk_sys::ntddk::RtlLengthSecurityDescriptor(this.descriptor.as_ptr());
        }
        this.len = usize::try_from(len).map_err(|_| STATUS_INVALID_SECURITY_DESCR)?;
        Ok(this)
    }

    /// The descriptor's bytes (`RtlLengthSecurityDescriptor` of them). The policy crate
    /// validates them (`secdesc::SecurityDescriptor::new_checked`) before reading anything.
    pub(crate) const fn as_bytes(&self) -> &[u8] {
        // SAFETY: 1. the engine allocated at least `len` readable bytes at `descriptor`
        //            (RtlLengthSecurityDescriptor of a self-relative descriptor is the size of
        //            its block);
        //         2. the allocation is freed only in Drop, so it outlives this borrow of `self`;
        //         3. nothing writes to it while the driver owns it.
        unsafe { core::slice::from_raw_parts(self.descriptor.as_ptr().cast::<u8>(), self.len) }
    }
}

impl Drop for WfpSecurityDescriptor {
    fn drop(&mut self) {
        let mut pointer = self.descriptor.as_ptr();
        // SAFETY: 1. `pointer` is the engine allocation this value owns, freed exactly once,
        //            here (FwpmFreeMemory0 takes the address of the pointer and NULLs it);
        //         2. PASSIVE_LEVEL (see the module docs).
        unsafe {
            wfp::FwpmFreeMemory0(&raw mut pointer);
        }
    }
}
