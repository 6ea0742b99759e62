//! A session with the filter engine (`FwpmEngineOpen0` … `FwpmEngineClose0`).
//!
//! The session is **non-dynamic** (`flags` 0, no `FWPM_SESSION_FLAG_DYNAMIC`):
//! `FwpmConnectionSetSecurityInfo0` fails with `FWP_E_DYNAMIC_SESSION_IN_PROGRESS` inside a
//! dynamic session (DDI remarks; platform-facts §3.3). It has a display name so that it can be
//! told apart in `netsh wfp show state` output and BFE audits; the key is left zero so BFE
//! generates one. Kernel callers pass `RPC_C_AUTHN_WINNT` and no server name or identity, as
//! Microsoft's samples do. Both calls require `PASSIVE_LEVEL` (`fwpmk.h` annotations); every caller
//! (`DriverEntry`, the BFE state callback, `EvtDriverUnload`) runs there.

use core::ptr;

use wdk_sys::NTSTATUS;

use crate::{status, wfp};

/// The session's display name (`FWPM_SESSION0.displayData.name`, NUL-terminated UTF-16).
static SESSION_NAME: &[u16] = connsec_nt::wide!("connsec");
/// The session's description.
static SESSION_DESCRIPTION: &[u16] =
    connsec_nt::wide!("connsec: sets the DACL of WFP connection objects");

/// An open filter-engine session, closed exactly once (by [`Engine::close`] or by `Drop`).
pub(crate) struct Engine {
    /// Only this module can read or forge the handle.
    handle: wfp::HANDLE,
}

impl Engine {
    /// Opens a non-dynamic session.
    pub(crate) fn open() -> Result<Self, NTSTATUS> {
        let session = wfp::FWPM_SESSION0 {
            displayData: wfp::FWPM_DISPLAY_DATA0 {
                name: SESSION_NAME.as_ptr().cast_mut(),
                description: SESSION_DESCRIPTION.as_ptr().cast_mut(),
            },
            // Non-dynamic (see the module docs); every other field zero as BFE expects
            // (`FWP_E_RESERVED` otherwise), the BFE-filled ones included.
            flags: 0,
            ..wfp::FWPM_SESSION0::default()
        };
        let mut handle: wfp::HANDLE = ptr::null_mut();
        let opened;
        // SAFETY: 1. a NULL server name and NULL auth identity are what kernel callers pass;
        //         2. `session` and the static strings it points at outlive the call, and BFE
        //            only reads them;
        //         3. `handle` is a valid place for the new engine handle;
        //         4. PASSIVE_LEVEL (see the module docs).
        unsafe {
            opened = wfp::FwpmEngineOpen0(
                ptr::null(),
                wfp::RPC_C_AUTHN_WINNT,
                ptr::null_mut(),
                &raw const session,
                &raw mut handle,
            );
        }
        status::check(opened)?;
        Ok(Self { handle })
    }

    /// The raw handle, for a WFP call made while `self` is borrowed.
    pub(crate) const fn handle(&self) -> wfp::HANDLE {
        self.handle
    }

    /// Closes the session now and returns `FwpmEngineClose0`'s status; dropping does the same
    /// without the status.
    pub(crate) fn close(self) -> NTSTATUS {
        let this = core::mem::ManuallyDrop::new(self);
        Self::close_handle(this.handle)
    }

    fn close_handle(handle: wfp::HANDLE) -> NTSTATUS {
        let closed;
        // SAFETY: 1. `handle` is the open engine handle owned by the `Engine` being closed or
        //            dropped, so it is closed exactly once (after `STATUS_FWP_SESSION_ABORTED`
        //            too: the handle must still be closed, wfp-error-codes);
        //         2. PASSIVE_LEVEL (see the module docs).
        unsafe {
            closed = wfp::FwpmEngineClose0(handle);
        }
        closed
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _status = Self::close_handle(self.handle);
    }
}
