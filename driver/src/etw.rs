//! The ETW provider's registration, as a value that unregisters exactly once.
//!
//! The provider itself (name, GUID, events) is `connsec_events`'; the events crate is compiled
//! with `tracelogging`'s `kernel_mode` feature, so registering calls `EtwRegister` and every
//! event `EtwWriteTransfer` (`ntoskrnl`, already linked for KMDF). `EtwRegister` and
//! `EtwUnregister` need `PASSIVE_LEVEL`: registration happens first in `DriverEntry` and
//! unregistration last in `EvtDriverUnload` (or when `DriverEntry` fails), both at `PASSIVE_LEVEL`.

use wdk_sys::NTSTATUS;

use crate::status;

/// A registered `connsec_events` provider. Dropping it unregisters the provider; keep it alive
/// for as long as the driver image is loaded and may write events.
pub(crate) struct EtwRegistration {
    /// Private and never `Copy`: only this type can end the registration, and only once.
    _registered: (),
}

impl EtwRegistration {
    /// Registers the provider (`EtwRegister`, through `tracelogging`).
    pub(crate) fn register() -> Result<Self, NTSTATUS> {
        let status;
        // SAFETY: 1. called once per driver load, from `DriverEntry` at PASSIVE_LEVEL, before
        //            any event is written (`connsec_events::register`'s contract);
        //         2. the returned value unregisters in `Drop`, which runs before the image
        //            unloads: `DriverState` drops it last in `EvtDriverUnload`, and `DriverEntry`
        //            drops it on every failure path.
        unsafe {
            status = connsec_events::register();
        }
        // In kernel mode tracelogging returns EtwRegister's NTSTATUS as `u32`.
        status::check(status.cast_signed())?;
        Ok(Self { _registered: () })
    }
}

impl Drop for EtwRegistration {
    fn drop(&mut self) {
        // EtwUnregister; it waits for an enable callback in progress to finish. Its status is
        // "for diagnostic purposes only" (tracelogging's docs) and nothing can act on it here.
        let _status = connsec_events::unregister();
    }
}
