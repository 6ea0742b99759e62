//! The retry timer: a one-shot, passive-level WDF timer.
//!
//! When an apply attempt fails with a status the policy crate calls transient (a busy
//! transaction, a time-out, …), the driver retries later instead of waiting for the next BFE
//! restart, after the delay `Controller::next_retry` gives (the schedule is the policy crate's,
//! `connsec_policy::retry`). The timer is a *passive-level* timer (KMDF 1.9+:
//! `ExecutionLevel = WdfExecutionLevelPassive`, which the framework runs as a work item), because
//! the retry calls WFP management functions that require `PASSIVE_LEVEL`; such timers cannot be
//! periodic ("Using Timers"), so each expiry is restarted explicitly. Its parent is the control
//! device, and it does not serialise with it (`AutomaticSerialization = FALSE`): the driver's
//! wait lock does that.
//!
//! [`RetryTimer::stop`] waits for a callback in progress, and that callback takes the global
//! lock: it is only called with the lock released, from the teardown.

use core::ptr;

use wdk_sys::{
    _WDF_EXECUTION_LEVEL, _WDF_SYNCHRONIZATION_SCOPE, BOOLEAN, LONGLONG, NTSTATUS, PFN_WDF_TIMER,
    STATUS_INTERNAL_ERROR, ULONG, WDF_OBJECT_ATTRIBUTES, WDF_TIMER_CONFIG, WDFDEVICE, WDFTIMER,
    call_unsafe_wdf_function_binding,
};

use crate::status;

/// A one-shot passive-level timer, stopped and deleted exactly once (by [`RetryTimer::stop`]
/// or `Drop`).
pub(crate) struct RetryTimer {
    /// Only this module can read or forge the handle.
    timer: WDFTIMER,
}

impl RetryTimer {
    /// Creates the timer under `device`, calling `callback` at `PASSIVE_LEVEL` on expiry.
    pub(crate) fn create(device: WDFDEVICE, callback: PFN_WDF_TIMER) -> Result<Self, NTSTATUS> {
        // wdk-sys 0.5 has no `WDF_TIMER_CONFIG_INIT` / `WDF_OBJECT_ATTRIBUTES_INIT` (inline
        // functions of `wdftimer.h` / `wdfobject.h`, which bindgen does not translate; see
        // https://github.com/microsoft/windows-drivers-rs/issues/242): the structures are
        // filled as those functions do, with the sizes checked at compile time.
        const CONFIG_SIZE: usize = size_of::<WDF_TIMER_CONFIG>();
        const ATTRIBUTES_SIZE: usize = size_of::<WDF_OBJECT_ATTRIBUTES>();
        const { assert!(CONFIG_SIZE <= ULONG::MAX as usize) };
        const { assert!(ATTRIBUTES_SIZE <= ULONG::MAX as usize) };
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked by the const assertion above"
        )]
        let (config_size, attributes_size) = (CONFIG_SIZE as ULONG, ATTRIBUTES_SIZE as ULONG);

        let no_serialization: BOOLEAN = 0;
        let mut config = WDF_TIMER_CONFIG {
            Size: config_size,
            EvtTimerFunc: callback,
            // One-shot: passive-level timers cannot be periodic.
            Period: 0,
            AutomaticSerialization: no_serialization,
            TolerableDelay: 0,
            ..WDF_TIMER_CONFIG::default()
        };
        // As WDF_OBJECT_ATTRIBUTES_INIT sets them, except the execution level; the scope is
        // moot with AutomaticSerialization off.
        let mut attributes = WDF_OBJECT_ATTRIBUTES {
            Size: attributes_size,
            ExecutionLevel: _WDF_EXECUTION_LEVEL::WdfExecutionLevelPassive,
            SynchronizationScope:
                _WDF_SYNCHRONIZATION_SCOPE::WdfSynchronizationScopeInheritFromParent,
            ParentObject: device.cast(),
            ..WDF_OBJECT_ATTRIBUTES::default()
        };
        let mut timer: WDFTIMER = ptr::null_mut();
        let created;
        // SAFETY: 1. `config` and `attributes` are valid, fully initialised structures that
        //            outlive the call;
        //         2. `device` is the live control device, the timer's parent;
        //         3. `timer` is a valid place for the handle;
        //         4. PASSIVE_LEVEL (DriverEntry).
        unsafe {
            created = call_unsafe_wdf_function_binding!(
                WdfTimerCreate,
                &raw mut config,
                &raw mut attributes,
                &raw mut timer,
            );
        }
        status::check(created)?;
        if timer.is_null() {
            return Err(STATUS_INTERNAL_ERROR);
        }
        Ok(Self { timer })
    }

    /// (Re)starts the timer to expire once, `delay_ms` from now. Restarting a pending timer
    /// moves its expiry.
    pub(crate) fn start(&self, delay_ms: u32) {
        // Relative due times are negative, in 100-nanosecond units.
        let due_time: LONGLONG = i64::from(delay_ms).saturating_mul(-10_000);
        let _was_pending: BOOLEAN;
        // SAFETY: 1. `self.timer` is live (private field, deleted only with `self`);
        //         2. callable at IRQL <= DISPATCH_LEVEL, and from the timer's own callback.
        unsafe {
            _was_pending = call_unsafe_wdf_function_binding!(WdfTimerStart, self.timer, due_time);
        }
    }

    /// Cancels a pending expiry and waits for a callback in progress to return, then deletes
    /// the timer. `PASSIVE_LEVEL`, never from the timer's callback, never with the global lock
    /// held (the callback takes it).
    pub(crate) fn stop(self) {
        drop(self);
    }
}

impl Drop for RetryTimer {
    fn drop(&mut self) {
        let wait: BOOLEAN = 1;
        let _was_pending: BOOLEAN;
        // SAFETY: 1. `self.timer` is live;
        //         2. `Wait = TRUE` needs PASSIVE_LEVEL and must not run in the timer's own
        //            callback: the timer is only dropped by the teardown and by a failing
        //            DriverEntry, both at PASSIVE_LEVEL outside the callback.
        unsafe {
            _was_pending = call_unsafe_wdf_function_binding!(WdfTimerStop, self.timer, wait);
        }
        // SAFETY: 1. `self.timer` is live and deleted exactly once, here, after no callback can
        //            run any more;
        //         2. PASSIVE_LEVEL.
        unsafe {
            call_unsafe_wdf_function_binding!(WdfObjectDelete, self.timer.cast());
        }
    }
}

// SAFETY: a WDFTIMER handle may be used from any thread; the driver reaches it only through its
// global state (under the wait lock) or by value during teardown.
unsafe impl Send for RetryTimer {}
