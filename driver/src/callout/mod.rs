//! The counting ALE auth-connect callout: FFI glue over `connsec-callout`.
//!
//! Everything that is a decision lives in the portable crate (`crates/callout`): the layers, the
//! fixed GUIDs, the order of the registration steps, what undoes each one and in which order,
//! when BFE state changes register or release the callout (`connsec_callout::lifecycle`), the
//! classify verdict and the counters; the events are mapped in `connsec-events`. This module
//! only turns [`RegistrationStep`]s and [`Undo`]s into WFP calls ([`executor`]), owns the kernel
//! objects through small RAII wrappers ([`transaction`], [`registration`], and the dynamic
//! `crate::session::EngineSession`), and provides the three callout functions ([`callbacks`]).
//!
//! The module needs nothing from the driver but `crate::wfp`, `crate::status` and
//! `crate::session`, so `crates/callout/tests/driver_ffi.rs` compiles this very source on Linux
//! against a model of the WFP functions: call order, arguments, unwinding after a failure at
//! every call, the `Drop` safety net, and the callout functions are tested there.
//!
//! When: `register` needs the Base Filtering Engine running (`FwpmEngineOpen0`, step
//! `open_session`, fails otherwise). The driver registers from `DriverEntry` if BFE runs, and
//! from the BFE state callback on `FWPM_SERVICE_RUNNING` (a boot-start driver loads before BFE);
//! it unregisters when BFE stops (BFE dropped the dynamic session's objects with it; the `Fwps`
//! registrations stay until unregistered) and at unload, before the control device is deleted.
//!
//! [`RegistrationStep`]: connsec_callout::plan::RegistrationStep
//! [`Undo`]: connsec_callout::plan::Undo

mod callbacks;
mod executor;
mod registration;
mod transaction;

use connsec_callout::plan::{self, Failure};
use connsec_callout::{Counters, Snapshot};

use crate::wfp;

/// The per-layer classification counts, incremented by the classify functions at up to
/// `DISPATCH_LEVEL` (a non-paged static: no allocation, no lock).
static COUNTERS: Counters = Counters::new();

/// The registered callout and its WFP objects, from a successful [`register`] until
/// [`Registration::unregister`].
///
/// Dropping it without `unregister` still releases everything, in the teardown order (the
/// field order of [`executor::Wfp`]), but writes no event.
#[must_use = "dropping the registration unregisters the callout at once"]
pub(crate) struct Registration {
    wfp: executor::Wfp,
}

/// Registers the callout at both ALE auth-connect layers and adds its WFP objects.
///
/// Runs the plan of `connsec_callout::plan` and writes `callout_registered` or
/// `callout_registration_failed` to ETW.
///
/// # Errors
///
/// The failed step and its status, after everything done before it has been undone in reverse
/// order (`connsec_callout::plan::unwind`); undo steps that failed too are listed in it and were
/// reported to ETW. The driver goes on without the callout.
///
/// # Safety
///
/// - Call at `PASSIVE_LEVEL` (every `Fwpm*` function and `FwpsCalloutRegister3` require it).
/// - `device` points to the WDM `DEVICE_OBJECT` of the driver's control device (wdk-sys'
///   `PDEVICE_OBJECT` from `WdfDeviceWdmGetDeviceObject`; any pointer type is accepted, as
///   `FwpsCalloutRegister3` takes a `void*`), and stays valid until
///   [`Registration::unregister`] returns or the [`Registration`] is dropped: the filter engine
///   keeps it for the registration.
pub(crate) unsafe fn register<D>(device: *mut D) -> Result<Registration, Failure> {
    let mut wfp = executor::Wfp::new(device.cast());
    match plan::register(&mut wfp) {
        Ok(()) => {
            connsec_events::callout_registered();
            Ok(Registration { wfp })
        }
        Err(failure) => {
            connsec_events::callout_registration_failed(&failure);
            Err(failure)
        }
    }
}

impl Registration {
    /// Closes the dynamic session (BFE deletes the filters, callouts, sublayer and provider with
    /// it), then unregisters both callouts by id, v6 then v4 (`plan::TEARDOWN`); every step is
    /// attempted, and each one that fails is reported by an ETW event. Call at `PASSIVE_LEVEL`.
    ///
    /// The final counts are then [`counts`]; the caller writes them as the `callout_counts`
    /// event (the driver's unload does, once).
    pub(crate) fn unregister(mut self) {
        for (undo, status) in plan::unregister(&mut self.wfp).iter() {
            connsec_events::callout_teardown_failed(undo, status);
        }
    }
}

/// The per-layer counts so far; final once [`Registration::unregister`] has returned.
pub(crate) fn counts() -> Snapshot {
    COUNTERS.snapshot()
}

/// Converts a portable GUID into the bindings' `GUID`.
const fn guid(g: connsec_nt::Guid) -> wfp::GUID {
    wfp::GUID {
        Data1: g.data1(),
        Data2: g.data2(),
        Data3: g.data3(),
        Data4: g.data4(),
    }
}

/// The portable crate's header constants are the bindings' (a wrong value fails the build).
const _: () = {
    use connsec_callout::classify;
    assert!(classify::FWPS_RIGHT_ACTION_WRITE == wfp::FWPS_RIGHT_ACTION_WRITE);
    assert!(classify::FWP_ACTION_PERMIT == wfp::FWP_ACTION_PERMIT);
    assert!(classify::FWP_ACTION_BLOCK == wfp::FWP_ACTION_BLOCK);
    assert!(classify::FWP_ACTION_CALLOUT_TERMINATING == wfp::FWP_ACTION_CALLOUT_TERMINATING);
};
