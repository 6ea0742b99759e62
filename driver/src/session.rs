//! A session with the filter engine (`FwpmEngineOpen0` … `FwpmEngineClose0`), of either kind.
//!
//! The driver opens two kinds of session, which never share a handle or a transaction:
//!
//! - [`SessionKind::Dynamic`] (`FWPM_SESSION_FLAG_DYNAMIC`) for the callout's provider,
//!   sublayer, callouts and filters: BFE deletes every object added through it when it closes,
//!   at unload or if the driver dies;
//! - [`SessionKind::NonDynamic`] (flags 0) for the DACL flow, because
//!   `FwpmConnectionSetSecurityInfo0` fails with `FWP_E_DYNAMIC_SESSION_IN_PROGRESS` inside a
//!   dynamic session (the `FwpmConnectionSetSecurityInfo0` DDI remarks).
//!
//! Each has a display name, so that it can be told apart in `netsh wfp show state` output and
//! BFE audits; the key is left zero so BFE generates one. Kernel callers pass
//! `RPC_C_AUTHN_WINNT` and no server name or identity, as Microsoft's samples do. Both calls
//! require `PASSIVE_LEVEL` (`fwpmk.h` annotations); every caller (`DriverEntry`, the BFE state
//! callback, the retry timer, `EvtDriverUnload`) runs there.

use core::ptr;

use connsec_nt::NtStatus;

use crate::{status, wfp};

/// Which kind of session to open.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SessionKind {
    /// `FWPM_SESSION_FLAG_DYNAMIC`: for the callout objects.
    Dynamic,
    /// No flags: for `FwpmConnectionSetSecurityInfo0` and `FwpmConnectionGetSecurityInfo0`.
    NonDynamic,
}

impl SessionKind {
    /// `FWPM_SESSION0.flags`.
    const fn flags(self) -> u32 {
        match self {
            Self::Dynamic => wfp::FWPM_SESSION_FLAG_DYNAMIC,
            Self::NonDynamic => 0,
        }
    }

    /// `FWPM_SESSION0.displayData.name` (NUL-terminated UTF-16; BFE copies it).
    const fn name(self) -> &'static [u16] {
        match self {
            Self::Dynamic => connsec_nt::wide!("connsec callout session (dynamic)"),
            Self::NonDynamic => connsec_nt::wide!("connsec"),
        }
    }

    /// `FWPM_SESSION0.displayData.description`.
    const fn description(self) -> &'static [u16] {
        match self {
            Self::Dynamic => {
                connsec_nt::wide!("connsec: owns the callout's provider, sublayer and filters")
            }
            Self::NonDynamic => {
                connsec_nt::wide!("connsec: sets the DACL of WFP connection objects")
            }
        }
    }
}

/// An open filter-engine session, closed exactly once (by [`EngineSession::close`] or by
/// `Drop`).
pub(crate) struct EngineSession {
    /// Private: only this module can create or close the handle, so it is always open.
    handle: wfp::HANDLE,
}

impl EngineSession {
    /// `FwpmEngineOpen0` with a session of `kind`. `PASSIVE_LEVEL`.
    pub(crate) fn open(kind: SessionKind) -> Result<Self, NtStatus> {
        let session = wfp::FWPM_SESSION0 {
            displayData: wfp::FWPM_DISPLAY_DATA0 {
                // WFP copies the strings and never writes through the pointers.
                name: kind.name().as_ptr().cast_mut(),
                description: kind.description().as_ptr().cast_mut(),
            },
            flags: kind.flags(),
            // Zero key: BFE generates one; zero timeout: the default; every other field zero
            // as BFE expects (`FWP_E_RESERVED` otherwise), the BFE-filled ones included.
            ..wfp::FWPM_SESSION0::default()
        };
        let mut handle: wfp::HANDLE = ptr::null_mut();
        let opened;
        // SAFETY: 1. `serverName` and `authIdentity` are NULL, as kernel callers pass them
        //            (`FwpmEngineOpen0` DDI page); `RPC_C_AUTHN_WINNT` is the samples' value;
        //         2. `session` and the static strings it points at outlive the call, and BFE
        //            only reads them;
        //         3. `handle` is a valid place for the new engine handle;
        //         4. PASSIVE_LEVEL (module docs).
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

    /// The open handle, for a WFP call made while `self` is borrowed.
    pub(crate) const fn handle(&self) -> wfp::HANDLE {
        self.handle
    }

    /// `FwpmEngineClose0` now, reporting its status; dropping does the same without it.
    pub(crate) fn close(self) -> Result<(), NtStatus> {
        let this = core::mem::ManuallyDrop::new(self);
        close_handle(this.handle)
    }
}

fn close_handle(handle: wfp::HANDLE) -> Result<(), NtStatus> {
    let closed;
    // SAFETY: 1. `handle` came from a successful `FwpmEngineOpen0` and is closed exactly once:
    //            `close` keeps the wrapper from dropping, `Drop` runs only when `close` did not
    //            (after `STATUS_FWP_SESSION_ABORTED` too: the handle must still be closed);
    //         2. BFE aborts a transaction still open on the session before closing it and,
    //            for a dynamic session, deletes the objects added through it;
    //         3. PASSIVE_LEVEL (module docs).
    unsafe {
        closed = wfp::FwpmEngineClose0(handle);
    }
    status::check(closed)
}

impl Drop for EngineSession {
    fn drop(&mut self) {
        // Safety net only: every owner closes explicitly and reports or ignores the status.
        let _status = close_handle(self.handle);
    }
}
