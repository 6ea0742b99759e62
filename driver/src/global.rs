//! The driver's global state, and the WDF wait lock that serialises every use of it.
//!
//! Three contexts touch the state, all at `PASSIVE_LEVEL`: `DriverEntry`, the BFE state-change
//! callback (any system thread, as soon as the subscription exists) and `EvtDriverUnload`. A
//! single `static` holds it, because the BFE callback has no other way back to it (its context
//! pointer would have to point at a static anyway) and a WDF driver-object context would add a
//! type-info static and an accessor for the same effect.
//!
//! The lock is a `WDFWAITLOCK` (a passive-level lock that may be held across the WFP calls the
//! policy flow makes), created in `DriverEntry` right after `WdfDriverCreate`, before anything
//! can run concurrently, and deleted by the framework with the driver object. It is never held
//! while subscribing to or unsubscribing from BFE notifications: unsubscribing waits for a
//! callback in progress, and that callback may be waiting for the lock.

use core::{
    cell::UnsafeCell,
    ffi::c_void,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};

use wdk_sys::{NTSTATUS, WDF_NO_OBJECT_ATTRIBUTES, WDFWAITLOCK, call_unsafe_wdf_function_binding};

use crate::{state::DriverState, status};

/// The one instance.
pub(crate) static GLOBAL: Global = Global::new();

/// `Option<DriverState>` behind a wait lock.
pub(crate) struct Global {
    /// The `WDFWAITLOCK`, or NULL before `DriverEntry` created it.
    lock: AtomicPtr<c_void>,
    state: UnsafeCell<Option<DriverState>>,
}

// `Global: Sync` below hands a `DriverState` between threads; prove at compile time that this is
// allowed.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<DriverState>();
};

// SAFETY: `state` is only reached through `Global::with`, which holds the wait lock for the whole
// access, so no two threads ever touch it at once; `DriverState` is `Send`, so handing it from
// one thread to another under the lock is sound.
unsafe impl Sync for Global {}

impl Global {
    const fn new() -> Self {
        Self {
            lock: AtomicPtr::new(ptr::null_mut()),
            state: UnsafeCell::new(None),
        }
    }

    /// Creates the wait lock (parented to the driver object, so WDF deletes it with the driver).
    /// Called once, from `DriverEntry`, after `WdfDriverCreate` and before anything that can run
    /// concurrently.
    pub(crate) fn create_lock(&self) -> Result<(), NTSTATUS> {
        let mut lock: WDFWAITLOCK = ptr::null_mut();
        let created;
        // SAFETY: 1. no object attributes: the parent defaults to the driver object, which
        //            exists (WdfDriverCreate succeeded);
        //         2. `lock` is a valid place for the handle;
        //         3. PASSIVE_LEVEL (DriverEntry).
        unsafe {
            created = call_unsafe_wdf_function_binding!(
                WdfWaitLockCreate,
                WDF_NO_OBJECT_ATTRIBUTES,
                &raw mut lock
            );
        }
        status::check(created)?;
        self.lock.store(lock.cast(), Ordering::Release);
        Ok(())
    }

    /// Runs `f` on the state with the lock held; `None` (without running `f`) if the lock was
    /// never created. Must not be called from inside `f` (the lock is not recursive).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Option<DriverState>) -> R) -> Option<R> {
        let lock: WDFWAITLOCK = self.lock.load(Ordering::Acquire).cast();
        if lock.is_null() {
            return None;
        }
        let _held = Held::acquire(lock);
        // SAFETY: 1. the wait lock is held until `_held` drops at the end of this function, and
        //            every access to `state` goes through here, so this is the only reference;
        //         2. the reference does not escape `f`.
        let state = unsafe { &mut *self.state.get() };
        Some(f(state))
    }

    /// Takes the state out (under the lock), leaving `None`.
    pub(crate) fn take(&self) -> Option<DriverState> {
        self.with(Option::take).flatten()
    }
}

/// The wait lock, held until dropped.
struct Held {
    lock: WDFWAITLOCK,
}

impl Held {
    fn acquire(lock: WDFWAITLOCK) -> Self {
        let acquired;
        // SAFETY: 1. `lock` is the live WDFWAITLOCK created in `create_lock` (the framework
        //            deletes it only with the driver object, after unload);
        //         2. a NULL timeout waits until the lock is acquired (always STATUS_SUCCESS);
        //         3. PASSIVE_LEVEL (every caller: DriverEntry, the BFE callback, unload).
        unsafe {
            acquired = call_unsafe_wdf_function_binding!(WdfWaitLockAcquire, lock, ptr::null_mut());
        }
        // With no timeout the only documented result is STATUS_SUCCESS.
        let _ = acquired;
        Self { lock }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: 1. this thread acquired `self.lock` in `acquire` and releases it exactly
        //            once, here;
        //         2. PASSIVE_LEVEL.
        unsafe {
            call_unsafe_wdf_function_binding!(WdfWaitLockRelease, self.lock);
        }
    }
}
