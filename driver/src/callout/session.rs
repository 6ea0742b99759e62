//! The callout's own dynamic filter-engine session.

use core::ptr;

use connsec_nt::NtStatus;

use crate::wfp;

/// `FWPM_SESSION0.displayData.name` of the callout's session (`netsh wfp show state` lists it).
const SESSION_NAME: &[u16] = connsec_nt::wide!("connsec callout session (dynamic)");

/// A session opened with `FWPM_SESSION_FLAG_DYNAMIC`: every object added through it is deleted
/// by BFE when it closes. Closed in `Drop` (at `PASSIVE_LEVEL`, like every holder of it).
pub(super) struct DynamicSession {
    /// Private: only this module can create or close the handle, so it is always open.
    handle: wfp::HANDLE,
}

impl DynamicSession {
    /// `FwpmEngineOpen0` with a dynamic session. `PASSIVE_LEVEL`.
    pub(super) fn open() -> Result<Self, NtStatus> {
        let session = wfp::FWPM_SESSION0 {
            displayData: wfp::FWPM_DISPLAY_DATA0 {
                // WFP copies the name and never writes through the pointer.
                name: SESSION_NAME.as_ptr().cast_mut(),
                description: ptr::null_mut(),
            },
            flags: wfp::FWPM_SESSION_FLAG_DYNAMIC,
            // Zero key: BFE generates one; zero timeout: the default; the rest is output.
            ..Default::default()
        };
        let mut handle: wfp::HANDLE = ptr::null_mut();
        let status;
        // SAFETY:
        // 1. `serverName` and `authIdentity` are null, as kernel callers pass them
        //    (`FwpmEngineOpen0` DDI page); `RPC_C_AUTHN_WINNT` is the samples' value.
        // 2. `session` and its name outlive the call (locals and a static); BFE copies them.
        // 3. `handle` is a valid place for the output handle.
        // 4. IRQL: PASSIVE_LEVEL, documented on every caller (`register`).
        unsafe {
            status = wfp::FwpmEngineOpen0(
                ptr::null(),
                wfp::RPC_C_AUTHN_WINNT,
                ptr::null_mut(),
                &raw const session,
                &raw mut handle,
            );
        }
        let status = NtStatus::from_raw(status);
        if status.is_success() {
            Ok(Self { handle })
        } else {
            Err(status)
        }
    }

    /// The open handle, for calls made while `self` is alive.
    pub(super) const fn handle(&self) -> wfp::HANDLE {
        self.handle
    }

    /// `FwpmEngineClose0`, reporting its status (`Drop` only ignores it). `PASSIVE_LEVEL`.
    pub(super) fn close(self) -> Result<(), NtStatus> {
        let handle = self.handle;
        core::mem::forget(self);
        close_handle(handle)
    }
}

fn close_handle(handle: wfp::HANDLE) -> Result<(), NtStatus> {
    let status;
    // SAFETY:
    // 1. `handle` came from a successful `FwpmEngineOpen0` and is closed exactly once: `close`
    //    forgets the wrapper before calling this, `Drop` runs only when `close` did not.
    // 2. BFE aborts a transaction still open on the session before closing it (platform-facts
    //    §3.2), and, the session being dynamic, deletes the objects it added.
    // 3. IRQL: PASSIVE_LEVEL (unload and the registration unwind run there).
    unsafe {
        status = wfp::FwpmEngineClose0(handle);
    }
    let status = NtStatus::from_raw(status);
    if status.is_success() {
        Ok(())
    } else {
        Err(status)
    }
}

impl Drop for DynamicSession {
    fn drop(&mut self) {
        // Safety net only: the teardown calls `close` and reports the status.
        let _ = close_handle(self.handle);
    }
}
