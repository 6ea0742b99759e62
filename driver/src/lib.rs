//! # connsec.sys
//!
//! A KMDF, non-PnP Windows Filtering Platform callout driver. At load it reads the service's
//! `Parameters` key, has `connsec-policy` build and check a DACL from it, and applies that DACL
//! with `FwpmConnectionSetSecurityInfo0` to the security descriptor guarding WFP connection
//! objects and their change events, again whenever the Base Filtering Engine (BFE) restarts.
//! It registers a counting callout at the ALE auth-connect layers (`crate::callout`), writes
//! every outcome as an ETW (`TraceLogging`) event (`connsec-events`), and at unload restores the
//! original DACL when configured.
//!
//! This crate is the FFI shell: it moves bytes and statuses between WDF/WFP and the portable
//! crates, which decide everything and are tested on Linux. Its only `unsafe` code is here; each
//! block makes one FFI call under a numbered `// SAFETY:` list, and each kernel object or engine
//! allocation is owned by a small type that releases it exactly once:
//!
//! | type | acquires | releases |
//! |---|---|---|
//! | [`etw::EtwRegistration`] | `EtwRegister` | `EtwUnregister` |
//! | [`device::ControlDevice`] | `WdfControlDeviceInitAllocate` + `WdfDeviceCreate` | `WdfObjectDelete` |
//! | [`timer::RetryTimer`] | `WdfTimerCreate` (passive-level, one-shot) | `WdfTimerStop` (wait) + `WdfObjectDelete` |
//! | [`registry::ParametersKey`] (at load, and per `OriginalDacl` operation) | `WdfDriverOpenParametersRegistryKey` | `WdfRegistryClose` |
//! | [`pool::PoolBuffer`] | `ExAllocatePool2` (via `WdkAllocator`, fallibly) | `ExFreePool` |
//! | [`bfe::BfeSubscription`] | `FwpmBfeStateSubscribeChanges0` | `FwpmBfeStateUnsubscribeChanges0` |
//! | [`session::EngineSession`] | `FwpmEngineOpen0` (dynamic or non-dynamic session) | `FwpmEngineClose0` |
//! | [`wfp_box::WfpSecurityDescriptor`] | `FwpmConnectionGetSecurityInfo0` | `FwpmFreeMemory0` |
//!
//! Global state lives in one `static` behind a `WDFWAITLOCK` ([`global`]), because the BFE
//! callback must reach it. Everything runs at `PASSIVE_LEVEL`.

#![cfg_attr(not(test), no_std)]
// The lints below are `deny` in the workspace table only so that `wfp-sys` can allow them on its
// generated bindings; every hand-written unsafe block in this crate is held to `forbid`.
#![forbid(
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block
)]
// Kernel rules (docs/ARCHITECTURE.md): a panic is a bugcheck.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
    )
)]

extern crate alloc;

#[cfg(not(test))]
extern crate wdk_panic;

/// The raw WFP bindings (generated from `fwpsk.h`/`fwpmk.h` by `connsec-wfp-sys`), for this
/// crate and for `crate::callout`.
pub(crate) use connsec_wfp_sys as wfp;

mod bfe;
mod callout;
mod device;
mod etw;
mod global;
mod kernel_engine;
mod original;
mod pool;
mod registry;
mod session;
mod state;
mod status;
mod timer;
mod wfp_box;

use core::{ffi::c_void, ptr};

use connsec_callout::lifecycle::{self, CalloutAction};
use connsec_events::EtwSink;
use connsec_policy::{BfeState, Config, registry_read, retry};
#[cfg(not(test))]
use wdk_alloc::WdkAllocator;
use wdk_sys::{
    _WDF_DRIVER_INIT_FLAGS, KEY_QUERY_VALUE, NTSTATUS, PCUNICODE_STRING, PDRIVER_OBJECT,
    STATUS_INTERNAL_ERROR, STATUS_SUCCESS, ULONG, WDF_DRIVER_CONFIG, WDF_NO_OBJECT_ATTRIBUTES,
    WDFDRIVER, WDFTIMER, call_unsafe_wdf_function_binding,
};

use crate::{
    bfe::BfeSubscription,
    device::ControlDevice,
    etw::EtwRegistration,
    global::GLOBAL,
    registry::{ParameterValues, ParametersKey},
    state::{BuildError, DriverState, PolicyState},
};

#[cfg(not(test))]
#[global_allocator]
static GLOBAL_ALLOCATOR: WdkAllocator = WdkAllocator;

/// `DriverEntry`: called by the framework's `FxDriverEntry` once, at `PASSIVE_LEVEL`, in a system
/// thread. It lives in the `INIT` section, which the kernel discards after it returns.
///
/// Order: register the ETW provider; create the WDF driver (non-PnP, with an unload callback)
/// and the wait lock; create the control device and the retry timer; read `Parameters` and have
/// the policy crate parse it and build the DACL (a bad configuration stops here, after an
/// event, with nothing applied); publish the state; subscribe to BFE state changes; run the
/// policy flow's `on_load` (which reads the BFE state and applies if BFE runs; a transient
/// failure arms the retry timer); register the callouts if BFE runs (a failure there is
/// reported and does not affect the DACL). When BFE is not running yet (boot start), the BFE
/// state callback applies the DACL and registers the callouts on `RUNNING`.
///
/// # Safety
///
/// Called only by the framework, with the driver object and registry path the I/O manager
/// passed to `FxDriverEntry`.
///
/// # Panics
///
/// Never on purpose: the kernel rules deny every panicking construct in this crate. A panic
/// would be a bugcheck (`wdk-panic`).
// SAFETY: "DriverEntry" is the symbol `FxDriverEntry` (WdfDriverEntry.lib) calls; nothing else in
// the image exports it. It is gated off for tests, where wdk-sys' `test-stubs` provides one.
#[cfg_attr(not(test), unsafe(export_name = "DriverEntry"))]
#[unsafe(link_section = "INIT")]
pub unsafe extern "system" fn driver_entry(
    driver: PDRIVER_OBJECT,
    registry_path: PCUNICODE_STRING,
) -> NTSTATUS {
    // 1. ETW first, so that every later failure is reported; unregistered last (it is dropped
    //    after every other local, or moved into the state that `shutdown` unregisters last).
    let etw = match EtwRegistration::register() {
        Ok(etw) => etw,
        Err(status) => {
            wdk::println!("connsec: EtwRegister failed: {status:#010X}");
            return status;
        }
    };
    connsec_events::driver_loaded(env!("CARGO_PKG_VERSION"));

    // 2. The WDF driver object.
    let driver_handle = match create_wdf_driver(driver, registry_path) {
        Ok(handle) => handle,
        Err(status) => return status,
    };
    if let Err(status) = GLOBAL.create_lock() {
        return status;
    }

    // 3. The control device WFP needs.
    let device = match ControlDevice::create(driver_handle) {
        Ok(device) => device,
        Err(status) => return status,
    };

    // The retry timer (under the device); the load goes on without it (`retry::timer_or_none`).
    let created = timer::RetryTimer::create(device.handle(), Some(evt_retry_timer));
    if let Err(status) = &created {
        wdk::println!("connsec: WdfTimerCreate failed: {status:#010X}; no retries");
    }
    let retry = retry::timer_or_none(created);

    // 4. Configuration and DACL. Nothing touches WFP before this has succeeded, so a bad
    //    configuration leaves the existing descriptor untouched.
    let policy = match load_policy(driver_handle) {
        Ok(policy) => policy,
        Err(status) => return status,
    };

    // 5. Publish the state, then subscribe (outside the lock: see `global`).
    let device_object = device.wdm_device_object();
    let state = DriverState {
        subscription: None,
        callout: None,
        policy,
        retry,
        device,
        etw,
    };
    if GLOBAL.with(|slot| *slot = Some(state)).is_none() {
        return STATUS_INTERNAL_ERROR;
    }
    // SAFETY: 1. `device_object` belongs to the control device in the global state, which is
    //            deleted only after the subscription ends (`DriverState::shutdown`);
    //         2. `bfe_state_changed` is a plain function of this image and ignores its context,
    //            and the image stays loaded until the subscription ends.
    let subscribed = unsafe {
        BfeSubscription::subscribe(device_object, Some(bfe_state_changed), ptr::null_mut())
    };
    let subscription = match subscribed {
        Ok(subscription) => subscription,
        Err(status) => {
            wdk::println!("connsec: FwpmBfeStateSubscribeChanges0 failed: {status:#010X}");
            if let Some(state) = GLOBAL.take() {
                state.shutdown();
            }
            return status;
        }
    };

    // 6. Apply now if BFE runs (the flow reads FwpmBfeStateGet0 after the subscription, as
    //    the DDI requires), then register the callouts. Whatever cannot be stored (no state:
    //    impossible before DriverEntry returns) comes back out and is released outside the
    //    lock, because ending a subscription waits for a callback that may wait for the lock.
    let unstored = GLOBAL
        .with(|slot| match slot {
            Some(state) => {
                state.subscription = Some(subscription);
                state.policy.controller().on_load(&mut EtwSink);
                state.schedule_retry();
                // Under the same lock as the BFE callback, so that the callouts are registered
                // once whichever of the two sees BFE running first. A failure is reported as an
                // ETW event and unwound; the DACL part goes on without the callout.
                state.register_callout_if_needed();
                None
            }
            None => Some(subscription),
        })
        .flatten();
    drop(unstored);
    STATUS_SUCCESS
}

/// `WdfDriverCreate` for a non-PnP driver whose `EvtDriverUnload` is [`evt_driver_unload`].
fn create_wdf_driver(
    driver: PDRIVER_OBJECT,
    registry_path: PCUNICODE_STRING,
) -> Result<WDFDRIVER, NTSTATUS> {
    // wdk-sys 0.5 has no `WDF_DRIVER_CONFIG_INIT` (an inline function of `wdfdriver.h`, which
    // bindgen does not translate; windows-drivers-rs tracks the `_INIT` helpers at
    // https://github.com/microsoft/windows-drivers-rs/issues/242): the structure is filled as
    // that function does, with the size checked at compile time.
    const CONFIG_SIZE: usize = size_of::<WDF_DRIVER_CONFIG>();
    const { assert!(CONFIG_SIZE <= ULONG::MAX as usize) };
    #[allow(
        clippy::cast_possible_truncation,
        reason = "checked by the const assertion above"
    )]
    let size = CONFIG_SIZE as ULONG;
    // `WdfDriverInitNonPnpDriver` (1) is a C enum constant; `DriverInitFlags` is a ULONG.
    let non_pnp = ULONG::try_from(_WDF_DRIVER_INIT_FLAGS::WdfDriverInitNonPnpDriver)
        .map_err(|_| STATUS_INTERNAL_ERROR)?;
    let mut config = WDF_DRIVER_CONFIG {
        Size: size,
        // A non-PnP driver has no EvtDriverDeviceAdd.
        EvtDriverDeviceAdd: None,
        EvtDriverUnload: Some(evt_driver_unload),
        DriverInitFlags: non_pnp,
        ..WDF_DRIVER_CONFIG::default()
    };
    let mut handle: WDFDRIVER = ptr::null_mut();
    let created;
    // SAFETY: 1. `driver` and `registry_path` are the DriverEntry arguments, never NULL;
    //         2. no object attributes (NULL is allowed);
    //         3. `config` is a valid, fully initialised WDF_DRIVER_CONFIG;
    //         4. `handle` is a valid place for the WDFDRIVER;
    //         5. PASSIVE_LEVEL (DriverEntry).
    unsafe {
        created = call_unsafe_wdf_function_binding!(
            WdfDriverCreate,
            driver,
            registry_path,
            WDF_NO_OBJECT_ATTRIBUTES,
            &raw mut config,
            &raw mut handle,
        );
    }
    status::check(created)?;
    Ok(handle)
}

/// Reads `Parameters`, parses it and builds the DACL, reporting any refusal as an event.
fn load_policy(driver: WDFDRIVER) -> Result<PolicyState, NTSTATUS> {
    let values = match ParametersKey::open(driver, KEY_QUERY_VALUE) {
        Ok(key) => key.read_all().map_err(|(name, status)| {
            connsec_events::parameter_read_failed(name, status);
            status.to_raw()
        })?,
        // No Parameters key at all reads as no values (`registry_read` decides): the policy
        // crate then reports what is missing (ConfigError) and the load fails clearly.
        Err(status) => {
            registry_read::on_key_open_failure(status).map_err(|status| {
                // An empty value name: the key itself could not be opened.
                connsec_events::parameter_read_failed("", status);
                status.to_raw()
            })?;
            ParameterValues::none()
        }
    };

    let (reg_values, count) = values.reg_values();
    let present = reg_values.get(..count).unwrap_or(&[]);
    let config = Config::parse(present, &mut |warning| {
        connsec_events::config_warning(&warning);
    })
    .map_err(|error| {
        connsec_events::config_error(&error);
        error.fault().status().to_raw()
    })?;
    PolicyState::build(&config, driver).map_err(|error| match error {
        BuildError::Policy(error) => {
            connsec_events::policy_error(&error);
            error.fault().status().to_raw()
        }
        BuildError::Status(status) => status,
    })
}

/// `EvtDriverUnload`: tears down in the safe order ([`DriverState::shutdown`]). `PASSIVE_LEVEL`;
/// pageable.
#[unsafe(link_section = "PAGE")]
extern "C" fn evt_driver_unload(_driver: WDFDRIVER) {
    wdk::paged_code!();
    // Taken out under the lock, torn down outside it (unsubscribing waits for a BFE callback
    // in progress, which may be waiting for the lock).
    if let Some(state) = GLOBAL.take() {
        state.shutdown();
    }
}

/// The retry timer's `EvtTimerFunc` (a passive-level timer: `PASSIVE_LEVEL`, a system work
/// item; pageable): one more attempt after a transient failure, re-armed while it is needed.
#[unsafe(link_section = "PAGE")]
extern "C" fn evt_retry_timer(_timer: WDFTIMER) {
    wdk::paged_code!();
    GLOBAL.with(|slot| {
        if let Some(state) = slot {
            state.policy.controller().on_retry(&mut EtwSink);
            state.schedule_retry();
        }
    });
}

/// The `FwpmBfeStateSubscribeChanges0` callback (`PASSIVE_LEVEL`, any system thread; pageable).
/// It hands the new state to the policy flow and never unsubscribes (that would deadlock).
#[unsafe(link_section = "PAGE")]
extern "C" fn bfe_state_changed(_context: *mut c_void, new_state: wfp::FWPM_SERVICE_STATE) {
    wdk::paged_code!();
    let new_state = BfeState::from_raw(new_state);
    GLOBAL.with(|slot| {
        if let Some(state) = slot {
            state
                .policy
                .controller()
                .on_bfe_state_change(new_state, &mut EtwSink);
            state.schedule_retry();
            // The callouts follow BFE (`connsec_callout::lifecycle` decides).
            match lifecycle::on_bfe_state(new_state, state.callout.is_some()) {
                CalloutAction::Register => state.register_callout_if_needed(),
                CalloutAction::Release => state.release_callout(),
                CalloutAction::Nothing => {}
            }
        }
    });
}
