//! The simulated kernel's state: every object the driver can acquire, the registry, the
//! connection-objects descriptor, the BFE state, ETW, the call trace and the fault plan.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use connsec_policy::NtStatus;

/// One WDF wait lock: held flag + condition variable (a passive-level lock that blocks).
#[derive(Default)]
pub struct WaitLock {
    /// The thread that holds it.
    pub held: Mutex<Option<std::thread::ThreadId>>,
    pub cv: Condvar,
}

/// An open filter-engine session.
#[derive(Debug, Clone)]
pub struct Session {
    pub dynamic: bool,
    /// Objects added inside the open transaction (`None`: no transaction).
    pub txn: Option<Vec<Object>>,
}

/// A management object (provider, sublayer, callout, filter), by kind and key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Object {
    Provider([u8; 16]),
    SubLayer([u8; 16]),
    Callout([u8; 16]),
    Filter([u8; 16]),
}

/// A registered `FWPS_CALLOUT3`.
#[derive(Debug, Clone, Copy)]
pub struct Callout {
    pub key: [u8; 16],
    pub classify: wfp::FWPS_CALLOUT_CLASSIFY_FN3,
    pub notify: wfp::FWPS_CALLOUT_NOTIFY_FN3,
}

/// A WDF timer.
#[derive(Debug, Clone, Copy)]
pub struct Timer {
    pub func: wdk_sys::PFN_WDF_TIMER,
    pub due_100ns: Option<i64>,
    pub passive: bool,
}

/// An ETW event as written (`EtwWriteTransfer` was called; `failed`: the fault plan made it
/// return an error).
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub level: u8,
    /// The payload's data descriptors (after the provider and event metadata).
    pub fields: Vec<Vec<u8>>,
    pub failed: bool,
}

/// One external call the driver made.
#[derive(Debug, Clone)]
pub struct Call {
    pub site: String,
    pub failed: bool,
}

/// The connection-objects security descriptor, as parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub owner: Vec<u8>,
    pub group: Vec<u8>,
    pub dacl: Vec<u8>,
    pub protected: bool,
}

/// Which calls fail: the fault plan.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    /// 1-based numbers of the failable calls to fail.
    pub fail_at: BTreeSet<usize>,
}

/// The whole simulated kernel.
#[derive(Default)]
pub struct Kernel {
    next_handle: usize,
    // Configuration and persistent state.
    pub params_key_exists: bool,
    pub registry: BTreeMap<String, (u32, Vec<u8>)>,
    pub registry_flushes: usize,
    pub bfe: i32,
    pub descriptor: Option<Descriptor>,
    pub default_descriptor: Option<Descriptor>,
    // WDF.
    pub driver: Option<usize>,
    pub unload: wdk_sys::PFN_WDF_DRIVER_UNLOAD,
    pub device_inits: BTreeSet<usize>,
    pub devices: BTreeMap<usize, usize>,
    pub finished_devices: BTreeSet<usize>,
    pub locks: BTreeMap<usize, Arc<WaitLock>>,
    pub timers: BTreeMap<usize, Timer>,
    pub keys: BTreeMap<usize, u32>,
    pub key_handles: BTreeMap<usize, usize>,
    // WFP.
    pub sessions: BTreeMap<usize, Session>,
    pub objects: BTreeSet<Object>,
    /// Filter key -> the callout key its action names.
    pub filter_callouts: BTreeMap<[u8; 16], [u8; 16]>,
    pub callouts: BTreeMap<u32, Callout>,
    pub next_callout_id: u32,
    pub subscriptions: BTreeMap<usize, (wfp::FWPM_SERVICE_STATE_CHANGE_CALLBACK0, usize)>,
    pub wfp_allocations: BTreeSet<usize>,
    pub descriptor_sets: usize,
    // ETW.
    pub etw_registrations: BTreeSet<u64>,
    pub events: Vec<Event>,
    // Trace and faults.
    pub calls: Vec<Call>,
    pub failable_calls: usize,
    pub plan: FaultPlan,
    pub violations: Vec<String>,
    /// Teardown races: `FwpmBfeStateUnsubscribeChanges0` and `WdfTimerStop(Wait = TRUE)` each
    /// find one callback in progress, which runs before they return (as both DDIs wait for it).
    pub callbacks_in_flight_at_teardown: bool,
}

/// Every site the simulator can fail, to report "failed at least once: K of K".
pub const FAILABLE_SITES: &[&str] = &[
    "EtwRegister",
    "EtwUnregister",
    "EtwWriteTransfer",
    "EtwSetInformation",
    "ExAllocatePool2",
    "WdfDriverCreate",
    "WdfWaitLockCreate",
    "WdfControlDeviceInitAllocate",
    "WdfDeviceCreate",
    "WdfTimerCreate",
    "WdfDriverOpenParametersRegistryKey",
    "WdfRegistryQueryValue",
    "WdfRegistryAssignValue",
    "WdfRegistryRemoveValue",
    "ZwFlushKey",
    "FwpmEngineOpen0(static)",
    "FwpmEngineOpen0(dynamic)",
    "FwpmEngineClose0(static)",
    "FwpmEngineClose0(dynamic)",
    "FwpmConnectionGetSecurityInfo0",
    "FwpmConnectionSetSecurityInfo0",
    "FwpmBfeStateSubscribeChanges0",
    "FwpmBfeStateUnsubscribeChanges0",
    "FwpmTransactionBegin0",
    "FwpmTransactionCommit0",
    "FwpmTransactionAbort0",
    "FwpmProviderAdd0",
    "FwpmSubLayerAdd0",
    "FwpmCalloutAdd0",
    "FwpmFilterAdd0",
    "FwpsCalloutRegister3",
    "FwpsCalloutUnregisterById0",
];

/// The documented failure each site returns when the plan fails it (allocations: NULL).
pub fn failure_status(site: &str) -> NtStatus {
    match site {
        s if s.starts_with("FwpmEngineOpen0") => NtStatus::RPC_NT_SERVER_UNAVAILABLE,
        "FwpmConnectionSetSecurityInfo0" => NtStatus::FWP_TXN_IN_PROGRESS,
        "FwpmConnectionGetSecurityInfo0" => NtStatus::FWP_TIMEOUT,
        "FwpmTransactionBegin0" | "FwpmTransactionCommit0" => NtStatus::FWP_TXN_ABORTED,
        s if s.starts_with("FwpmEngineClose0") => NtStatus::FWP_SESSION_ABORTED,
        "FwpmTransactionAbort0" => NtStatus::FWP_SESSION_ABORTED,
        "WdfRegistryRemoveValue" | "WdfRegistryAssignValue" => NtStatus::ACCESS_DENIED,
        _ => NtStatus::INSUFFICIENT_RESOURCES,
    }
}

/// The routines callable above `PASSIVE_LEVEL` (`<= DISPATCH_LEVEL` on their DDI pages).
const DISPATCH_OK: &[&str] = &[
    "ExAllocatePool2",
    "ExFreePool",
    "EtwWriteTransfer",
    "FwpmBfeStateGet0",
    "FwpmFreeMemory0",
    "WdfTimerStart",
    "WdfTimerStop",
];

static KERNEL: Mutex<Option<Kernel>> = Mutex::new(None);

thread_local! {
    /// True while the current thread runs driver code (entered from the harness), false while
    /// it runs the harness or the simulator itself.
    pub static IN_DRIVER: Cell<bool> = const { Cell::new(false) };
    /// The simulated IRQL of this thread.
    pub static IRQL: Cell<u8> = const { Cell::new(0) };
}

/// Locks the kernel (creating it on first use).
pub fn kernel() -> MutexGuard<'static, Option<Kernel>> {
    KERNEL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `f` on the kernel state.
pub fn with<R>(f: impl FnOnce(&mut Kernel) -> R) -> R {
    let mut guard = kernel();
    let kernel = guard.get_or_insert_with(Kernel::default);
    f(kernel)
}

/// Marks the current thread as running simulator code until the guard drops.
pub struct SimContext(bool);
impl SimContext {
    pub fn enter() -> Self {
        Self(IN_DRIVER.with(|d| d.replace(false)))
    }
}
impl Drop for SimContext {
    fn drop(&mut self) {
        IN_DRIVER.with(|d| d.set(self.0));
    }
}

/// Calls into the driver (DriverEntry, a callback): driver context until it returns.
pub fn into_driver<R>(f: impl FnOnce() -> R) -> R {
    let previous = IN_DRIVER.with(|d| d.replace(true));
    let result = f();
    IN_DRIVER.with(|d| d.set(previous));
    result
}

impl Kernel {
    /// A fresh, unique, never reused handle value.
    pub fn handle(&mut self) -> usize {
        self.next_handle += 0x10;
        0x5100_0000 + self.next_handle
    }

    /// Records a call; `true` if the fault plan fails it. A call above `PASSIVE_LEVEL` to a
    /// routine the DDI pages restrict to `PASSIVE_LEVEL` is a violation.
    pub fn call(&mut self, site: &str, failable: bool) -> bool {
        let irql = IRQL.with(Cell::get);
        if irql > 0 && !DISPATCH_OK.iter().any(|ok| site.starts_with(ok)) {
            self.violation(format!("{site} called at IRQL {irql}"));
        }
        let mut failed = false;
        if failable {
            self.failable_calls += 1;
            failed = self.plan.fail_at.contains(&self.failable_calls);
        }
        self.calls.push(Call {
            site: site.to_owned(),
            failed,
        });
        failed
    }

    /// Records a contract violation by the driver (the tests require none).
    pub fn violation(&mut self, what: impl Into<String>) {
        self.violations.push(what.into());
    }

    pub fn dynamic_site(base: &str, dynamic: bool) -> String {
        format!("{base}({})", if dynamic { "dynamic" } else { "static" })
    }
}

use connsec_wfp_sys as wfp;
