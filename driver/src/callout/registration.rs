//! One callout registered with the filter engine (`FwpsCalloutRegister3`).

use connsec_callout::Layer;
use connsec_nt::NtStatus;

use super::{callbacks, guid};
use crate::status::check;
use crate::wfp;

/// A registered callout, unregistered by its run-time id in `Drop` unless [`close`]d.
///
/// [`close`]: RegisteredCallout::close
pub(super) struct RegisteredCallout {
    /// Private: only `register` creates it, only `close`/`Drop` end it.
    id: u32,
}

impl RegisteredCallout {
    /// Registers the connsec callout for `layer` with its classify, notify and flow-delete
    /// functions. `PASSIVE_LEVEL`.
    pub(super) fn register(device: *mut core::ffi::c_void, layer: Layer) -> Result<Self, NtStatus> {
        let callout = wfp::FWPS_CALLOUT3 {
            calloutKey: guid(layer.callout_key()),
            // No FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW: the callout keeps no flow context.
            flags: 0,
            classifyFn: Some(callbacks::classify_fn(layer)),
            notifyFn: Some(callbacks::notify),
            flowDeleteFn: Some(callbacks::flow_delete),
        };
        let mut id: u32 = 0;
        let status;
        // SAFETY:
        // 1. `device` is the control device's WDM device object, valid until the callout is
        //    unregistered (the caller's contract on `super::register`).
        // 2. `callout` is a local the call only reads; the function pointers are `'static`
        //    functions with the exact `FWPS_CALLOUT_*_FN` types (the bindings' aliases).
        // 3. `id` is a valid place for the run-time id.
        // 4. IRQL: PASSIVE_LEVEL (DriverEntry or the BFE state callback, both under the lock).
        unsafe {
            status = wfp::FwpsCalloutRegister3(device, &raw const callout, &raw mut id);
        }
        check(status)?;
        Ok(Self { id })
    }

    /// `FwpsCalloutUnregisterById0`, reporting its status. `PASSIVE_LEVEL`.
    pub(super) fn close(self) -> Result<(), NtStatus> {
        let id = self.id;
        core::mem::forget(self);
        unregister(id)
    }
}

fn unregister(id: u32) -> Result<(), NtStatus> {
    let status;
    // SAFETY:
    // 1. `id` came from a successful `FwpsCalloutRegister3` and is unregistered once (`close`
    //    forgets the wrapper; `Drop` runs only otherwise).
    // 2. The callout keeps no flow contexts, so `STATUS_DEVICE_BUSY` cannot arise from us.
    // 3. IRQL: PASSIVE_LEVEL (unload and the registration unwind).
    unsafe {
        status = wfp::FwpsCalloutUnregisterById0(id);
    }
    check(status)
}

impl Drop for RegisteredCallout {
    fn drop(&mut self) {
        // Safety net only: the teardown calls `close` and reports the status.
        let _ = unregister(self.id);
    }
}
