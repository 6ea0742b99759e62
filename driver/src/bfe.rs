//! The Base Filtering Engine's state and the subscription to its changes.
//!
//! "A callout driver must call `FwpmBfeStateSubscribeChanges0` before calling
//! `FwpmBfeStateGet0`" (the DDI remarks), with a device object the driver created; the callback
//! runs at `PASSIVE_LEVEL`. `FwpmBfeStateUnsubscribeChanges0` waits for a callback in progress, so
//! it must **never** be called from the callback (a deadlock): [`BfeSubscription::unsubscribe`]
//! is called by `EvtDriverUnload` (or a failing `DriverEntry`) only, and the callback in
//! `lib.rs` never touches the subscription.

use core::{ffi::c_void, ptr};

use connsec_nt::BfeState;
use wdk_sys::{NTSTATUS, PDEVICE_OBJECT};

use crate::{status, wfp};

/// `FwpmBfeStateGet0` (kernel only, IRQL <= `DISPATCH_LEVEL`).
pub(crate) fn current_state() -> BfeState {
    let state;
    // SAFETY: 1. no arguments; callable at IRQL <= DISPATCH_LEVEL and every caller is at
    //            PASSIVE_LEVEL.
    unsafe {
        state = wfp::FwpmBfeStateGet0();
    }
    BfeState::from_raw(state)
}

/// A live BFE state-change subscription, ended exactly once.
pub(crate) struct BfeSubscription {
    /// Only this module can read or forge the handle.
    handle: wfp::HANDLE,
}

impl BfeSubscription {
    /// Subscribes `callback` to BFE state changes.
    ///
    /// # Safety
    ///
    /// `device` must be the driver's own device object and outlive the subscription (the
    /// driver unsubscribes before deleting it), and `callback` must be callable with `context`
    /// until the subscription ends.
    pub(crate) unsafe fn subscribe(
        device: PDEVICE_OBJECT,
        callback: wfp::FWPM_SERVICE_STATE_CHANGE_CALLBACK0,
        context: *mut c_void,
    ) -> Result<Self, NTSTATUS> {
        let mut handle: wfp::HANDLE = ptr::null_mut();
        let subscribed;
        // SAFETY: 1. `device` is the driver's live device object (this function's contract);
        //         2. `callback`/`context` stay valid until unsubscribed (same);
        //         3. `handle` is a valid place for the change handle;
        //         4. PASSIVE_LEVEL (DriverEntry).
        unsafe {
            subscribed = wfp::FwpmBfeStateSubscribeChanges0(
                device.cast(),
                callback,
                context,
                &raw mut handle,
            );
        }
        status::check(subscribed)?;
        Ok(Self { handle })
    }

    /// Ends the subscription; waits for a callback in progress. Never call it from the
    /// callback. Dropping does the same without the status.
    pub(crate) fn unsubscribe(self) -> NTSTATUS {
        let this = core::mem::ManuallyDrop::new(self);
        Self::unsubscribe_handle(this.handle)
    }

    fn unsubscribe_handle(handle: wfp::HANDLE) -> NTSTATUS {
        let status;
        // SAFETY: 1. `handle` is the change handle owned by the subscription being ended, so it
        //            is unsubscribed exactly once;
        //         2. this runs in EvtDriverUnload or a failing DriverEntry at PASSIVE_LEVEL,
        //            never in the state-change callback (module docs).
        unsafe {
            status = wfp::FwpmBfeStateUnsubscribeChanges0(handle);
        }
        status
    }
}

impl Drop for BfeSubscription {
    fn drop(&mut self) {
        let _status = Self::unsubscribe_handle(self.handle);
    }
}

// SAFETY: the change handle may be used from any thread; the driver's global state that holds
// it is serialised by the driver's wait lock.
unsafe impl Send for BfeSubscription {}
