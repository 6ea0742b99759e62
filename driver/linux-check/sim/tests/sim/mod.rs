//! The simulated kernel that runs the real `driver/src` (see docs/driver-on-linux.md).
//!
//! The harness drives the driver only through its external surface: `DriverEntry` (the symbol),
//! the `EvtDriverUnload` it registered with `WdfDriverCreate`, the timer function it gave
//! `WdfTimerCreate`, the BFE callback it gave `FwpmBfeStateSubscribeChanges0` and the classify
//! functions it gave `FwpsCalloutRegister3`.

#![allow(dead_code, reason = "inspection helpers not every test uses")]

pub mod exports;
pub mod kernel;
pub mod scenario;
pub mod sd;
pub mod wdf;

use std::sync::{Mutex, MutexGuard, OnceLock};

use connsec_wfp_sys as wfp;
use wdk_sys::{NTSTATUS, UNICODE_STRING};

pub use kernel::{FaultPlan, Kernel, with};

unsafe extern "system" {
    /// The driver's entry point, by its exported name.
    fn DriverEntry(driver: wdk_sys::PDRIVER_OBJECT, path: wdk_sys::PCUNICODE_STRING) -> NTSTATUS;
}

/// One simulated machine at a time (the driver has global state, as in a real kernel).
pub fn exclusive() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The registry and BFE at boot.
#[derive(Clone)]
pub struct Machine {
    pub values: Vec<(&'static str, u32, Vec<u8>)>,
    pub bfe: i32,
    /// Does `Parameters` exist at all?
    pub params_key: bool,
}

pub const RUNNING: i32 = wfp::FWPM_SERVICE_STATE_::FWPM_SERVICE_RUNNING;
pub const STOPPED: i32 = wfp::FWPM_SERVICE_STATE_::FWPM_SERVICE_STOPPED;
pub const START_PENDING: i32 = wfp::FWPM_SERVICE_STATE_::FWPM_SERVICE_START_PENDING;
pub const STOP_PENDING: i32 = wfp::FWPM_SERVICE_STATE_::FWPM_SERVICE_STOP_PENDING;

pub fn multi_sz(items: &[&str]) -> Vec<u8> {
    let mut units: Vec<u16> = Vec::new();
    for i in items {
        units.extend(i.encode_utf16());
        units.push(0);
    }
    units.push(0);
    units.iter().flat_map(|u| u.to_le_bytes()).collect()
}

impl Machine {
    /// The INF's configuration: the default principals, RestoreOnUnload = 1; BFE running.
    pub fn default_config() -> Self {
        Self {
            values: vec![
                (
                    "Principals",
                    7,
                    multi_sz(&connsec_policy::config::DEFAULT_PRINCIPALS),
                ),
                ("RestoreOnUnload", 4, 1_u32.to_le_bytes().to_vec()),
            ],
            bfe: RUNNING,
            params_key: true,
        }
    }
}

/// The original connection-objects descriptor: owner/group SYSTEM, a DACL granting
/// SYSTEM and Administrators everything and Authenticated Users read.
pub fn original_descriptor() -> kernel::Descriptor {
    let system = sd::sid(5, &[18]);
    kernel::Descriptor {
        owner: system.clone(),
        group: system.clone(),
        dacl: sd::acl(&[
            (0x1000_0000, system),
            (0x1000_0000, sd::sid(5, &[32, 544])),
            (0x8000_0000, sd::sid(5, &[11])),
        ]),
        protected: false,
    }
}

/// Resets the kernel to `machine` with `plan`, and installs the WDF function table.
pub fn boot(machine: &Machine, plan: FaultPlan) {
    static TABLE: OnceLock<usize> = OnceLock::new();
    let table = *TABLE.get_or_init(|| wdf::table().as_ptr() as usize);
    static GLOBALS: u64 = 0;
    // SAFETY: set before any driver code runs, from the one thread that runs the harness.
    unsafe {
        wdk_sys::WdfFunctions = table as *const wdk_sys::WDFFUNC;
        wdk_sys::WdfDriverGlobals = (&raw const GLOBALS).cast_mut().cast();
    }
    let mut guard = kernel::kernel();
    let mut k = Kernel::default();
    k.params_key_exists = machine.params_key;
    for (name, kind, data) in &machine.values {
        k.registry
            .insert(name.to_lowercase(), (*kind, data.clone()));
    }
    k.bfe = machine.bfe;
    k.default_descriptor = Some(original_descriptor());
    k.descriptor = k.default_descriptor.clone();
    k.plan = plan;
    *guard = Some(k);
}

/// Calls `DriverEntry`.
pub fn driver_entry() -> NTSTATUS {
    let path: Vec<u16> = r"\Registry\Machine\System\CurrentControlSet\Services\connsec"
        .encode_utf16()
        .collect();
    let path_string = UNICODE_STRING {
        Length: u16::try_from(path.len() * 2).expect("short"),
        MaximumLength: u16::try_from(path.len() * 2).expect("short"),
        Buffer: path.as_ptr().cast_mut(),
    };
    let driver_object = with(Kernel::handle);
    let status = kernel::into_driver(|| {
        // SAFETY: the framework's contract: a driver object and the service's registry path.
        unsafe { DriverEntry(driver_object as _, &raw const path_string) }
    });
    if status < 0 {
        // FxDriverEntry: a failed DriverEntry deletes the driver object and its children (the
        // wait lock); EvtDriverUnload is not called.
        with(|k| {
            k.driver = None;
            k.locks.clear();
        });
    }
    status
}

/// Calls the registered `EvtDriverUnload`, then deletes the driver object as the framework does.
pub fn unload() {
    let (driver, unload) = with(|k| (k.driver, k.unload));
    let (Some(driver), Some(unload)) = (driver, unload) else {
        return;
    };
    // SAFETY: the framework calls EvtDriverUnload with the driver's handle.
    kernel::into_driver(|| unsafe { unload(driver as _) });
    with(|k| {
        k.driver = None;
        k.locks.clear();
    });
}

/// BFE changes state: every subscriber is called (outside the kernel lock, as from a system
/// thread). Stopping drops every management object and resets the connection-objects
/// descriptor (BFE keeps neither across a restart).
pub fn set_bfe(state: i32) {
    let subscribers = with(|k| {
        k.bfe = state;
        if state == STOPPED {
            k.objects.clear();
            k.filter_callouts.clear();
            exports::reset_descriptor(k);
        }
        k.subscriptions.values().copied().collect::<Vec<_>>()
    });
    for (callback, context) in subscribers {
        if let Some(callback) = callback {
            // SAFETY: the driver's callback with its own context.
            kernel::into_driver(|| unsafe { callback(context as *mut _, state) });
        }
    }
}

/// Expires every started timer once (its function runs at PASSIVE_LEVEL); returns how many.
pub fn fire_timers() -> usize {
    let due = with(|k| {
        k.timers
            .iter_mut()
            .filter_map(|(h, t)| t.due_100ns.take().map(|_| (*h, t.func)))
            .collect::<Vec<_>>()
    });
    for (handle, func) in &due {
        if let Some(func) = func {
            // SAFETY: the driver's EvtTimerFunc with its timer.
            kernel::into_driver(|| unsafe { func(*handle as _) });
        }
    }
    due.len()
}

/// Classifies one connection with every registered callout (at DISPATCH_LEVEL); returns the
/// actions they wrote.
pub fn classify_all() -> Vec<u32> {
    let callouts = with(|k| k.callouts.values().map(|c| c.classify).collect::<Vec<_>>());
    let mut actions = Vec::new();
    for classify in callouts.into_iter().flatten() {
        // SAFETY: a zeroed FWPS_FILTER3 is a valid value.
        let mut filter: wfp::FWPS_FILTER3 = unsafe { std::mem::zeroed() };
        filter.action.type_ = wfp::FWP_ACTION_CALLOUT_TERMINATING;
        let mut out = wfp::FWPS_CLASSIFY_OUT0 {
            actionType: wfp::FWP_ACTION_CALLOUT_TERMINATING,
            rights: wfp::FWPS_RIGHT_ACTION_WRITE,
            ..Default::default()
        };
        let previous = kernel::IRQL.with(|i| i.replace(2));
        kernel::into_driver(|| {
            // SAFETY: the classifyFn3 contract: valid filter and classify-out for the call.
            unsafe {
                classify(
                    std::ptr::null(),
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    &raw const filter,
                    0,
                    &raw mut out,
                );
            }
        });
        kernel::IRQL.with(|i| i.set(previous));
        actions.push(out.actionType);
    }
    actions
}

/// Calls each registered classify function with a NULL `classifyOut` (excluded by the
/// contract, handled by the driver); the driver must return without touching anything.
pub fn classify_without_out() {
    let callouts = with(|k| k.callouts.values().map(|c| c.classify).collect::<Vec<_>>());
    for classify in callouts.into_iter().flatten() {
        kernel::into_driver(|| {
            // SAFETY: every pointer NULL; the driver checks `classifyOut` and `filter`.
            unsafe {
                classify(
                    std::ptr::null(),
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    std::ptr::null(),
                    0,
                    std::ptr::null_mut(),
                );
            }
        });
    }
}

/// Everything still held after the driver is gone: leaks, and contract violations.
pub fn problems() -> Vec<String> {
    let mut out = with(|k| {
        let mut out = k.violations.clone();
        let mut leak = |what: &str, n: usize| {
            if n > 0 {
                out.push(format!("leaked {n} {what}"));
            }
        };
        leak("session(s)", k.sessions.len());
        leak("callout registration(s)", k.callouts.len());
        leak("WFP object(s)", k.objects.len());
        leak("BFE subscription(s)", k.subscriptions.len());
        leak("engine allocation(s)", k.wfp_allocations.len());
        leak("timer(s)", k.timers.len());
        leak("device(s)", k.devices.len());
        leak("device init(s)", k.device_inits.len());
        leak("registry key(s)", k.keys.len());
        leak("ETW registration(s)", k.etw_registrations.len());
        out
    });
    let pool = exports::pool_allocations();
    if !pool.is_empty() {
        out.push(format!(
            "leaked {} pool allocation(s): {pool:?}",
            pool.len()
        ));
    }
    out
}

/// The connection-objects descriptor now.
pub fn descriptor() -> kernel::Descriptor {
    with(|k| k.descriptor.clone()).expect("booted")
}

/// The names of the events written so far.
pub fn event_names() -> Vec<String> {
    with(|k| k.events.iter().map(|e| e.name.clone()).collect())
}
