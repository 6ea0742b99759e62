//! The kernel routines the driver imports, defined here (`#[no_mangle]`) over `kernel.rs`'s
//! state: pool, `Rtl`/`Ke`/`Zw`, ETW (`EtwRegister`…, imported by tracelogging's
//! `kernel_mode`), and WFP (`Fwpm*`/`Fwps*`). Each records the call, lets the fault plan fail
//! it, checks the arguments the DDI pages require, and records a violation when the driver
//! breaks a rule (the tests require none). No kernel lock is held while driver code runs.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ffi::c_void;
use std::ptr;
use std::sync::Mutex;

use connsec_policy::NtStatus;
use connsec_wfp_sys as wfp;
use wdk_sys::NTSTATUS;

use super::kernel::{self, Descriptor, Event, IN_DRIVER, IRQL, Object, SimContext, with};
use super::sd;

fn status(s: NtStatus) -> NTSTATUS {
    s.0.cast_signed()
}

fn fail_status(site: &str) -> NTSTATUS {
    status(kernel::failure_status(site))
}

pub fn guid_bytes(g: *const wfp::GUID) -> [u8; 16] {
    // SAFETY: callers pass a pointer the driver handed to a WFP function (checked non-null).
    unsafe { std::mem::transmute::<wfp::GUID, [u8; 16]>(*g) }
}

/// A NUL-terminated UTF-16 string of reasonable length, or a violation.
pub fn wide_ok(p: *const u16) -> bool {
    if p.is_null() {
        return false;
    }
    (0..1024).any(|i| {
        // SAFETY: reading up to the terminator the driver promised (bounded).
        unsafe { *p.add(i) == 0 }
    })
}

// ---------------------------------------------------------------- pool ----

static POOL: Mutex<BTreeMap<usize, usize>> = Mutex::new(BTreeMap::new());
thread_local! {
    static IN_POOL: Cell<bool> = const { Cell::new(false) };
}

/// The driver's live pool allocations (address, size).
pub fn pool_allocations() -> Vec<(usize, usize)> {
    IN_POOL.with(|p| p.set(true));
    let list = POOL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .map(|(a, s)| (*a, *s))
        .collect();
    IN_POOL.with(|p| p.set(false));
    list
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn ExAllocatePool2(flags: u64, size: usize, tag: u32) -> *mut c_void {
    if !IN_DRIVER.with(Cell::get) || IN_POOL.with(Cell::get) {
        // The harness's or the simulator's own memory.
        // SAFETY: plain malloc.
        return unsafe { libc::malloc(size.max(1)) };
    }
    let _sim = SimContext::enter();
    let failed = with(|k| {
        if flags & wdk_sys::POOL_FLAG_NON_PAGED == 0 || tag == 0 {
            k.violation("ExAllocatePool2 without POOL_FLAG_NON_PAGED or tag");
        }
        k.call("ExAllocatePool2", true)
    });
    if failed {
        return ptr::null_mut();
    }
    // SAFETY: zeroed, as ExAllocatePool2 returns it.
    let p = unsafe { libc::calloc(1, size.max(1)) };
    IN_POOL.with(|f| f.set(true));
    POOL.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(p as usize, size);
    IN_POOL.with(|f| f.set(false));
    p
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn ExFreePool(p: *mut c_void) {
    if !IN_POOL.with(Cell::get) {
        IN_POOL.with(|f| f.set(true));
        let tracked = POOL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&(p as usize));
        IN_POOL.with(|f| f.set(false));
        if tracked.is_some() {
            let _sim = SimContext::enter();
            with(|k| k.call("ExFreePool", false));
        }
    }
    // SAFETY: every block came from malloc/calloc/posix_memalign.
    unsafe { libc::free(p) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn SimAllocOverAligned(size: usize, align: usize) -> *mut u8 {
    if IN_DRIVER.with(Cell::get) {
        let _sim = SimContext::enter();
        with(|k| {
            k.violation(format!(
                "driver allocation aligned to {align} (pool gives 16)"
            ))
        });
    }
    let mut out: *mut c_void = ptr::null_mut();
    // SAFETY: posix_memalign with a power-of-two alignment.
    if unsafe { libc::posix_memalign(&raw mut out, align, size.max(1)) } != 0 {
        return ptr::null_mut();
    }
    out.cast()
}

// ------------------------------------------------------- Rtl / Ke / Zw ----

#[unsafe(no_mangle)]
pub unsafe extern "C" fn RtlLengthSecurityDescriptor(p: *mut c_void) -> u32 {
    let _sim = SimContext::enter();
    with(|k| k.call("RtlLengthSecurityDescriptor", false));
    // SAFETY: the driver passes the descriptor FwpmConnectionGetSecurityInfo0 returned.
    unsafe { sd::length(p.cast()) }
}

#[unsafe(no_mangle)]
pub extern "C" fn KeGetCurrentIrql() -> u8 {
    IRQL.with(Cell::get)
}

#[unsafe(no_mangle)]
pub extern "C" fn ZwFlushKey(handle: *mut c_void) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        if k.call("ZwFlushKey", true) {
            return fail_status("ZwFlushKey");
        }
        if k.key_handles.contains_key(&(handle as usize)) {
            k.registry_flushes += 1;
            0
        } else {
            k.violation("ZwFlushKey on a handle that is not an open key's");
            status(NtStatus(0xC000_0008))
        }
    })
}

// ----------------------------------------------------------------- ETW ----

type EnableCallback =
    Option<unsafe extern "system" fn(*const [u8; 16], u32, u8, u64, u64, usize, usize)>;

#[unsafe(no_mangle)]
pub unsafe extern "system" fn EtwRegister(
    provider: *const [u8; 16],
    callback: EnableCallback,
    context: usize,
    handle: *mut u64,
) -> u32 {
    let _sim = SimContext::enter();
    let registered = with(|k| {
        if k.call("EtwRegister", true) {
            return None;
        }
        let h = k.handle() as u64;
        k.etw_registrations.insert(h);
        Some(h)
    });
    let Some(h) = registered else {
        return fail_status("EtwRegister").cast_unsigned();
    };
    // SAFETY: tracelogging passes a valid out-pointer.
    unsafe { *handle = h };
    // A session listens to everything: enable the provider at every level and keyword, as
    // ETW does during EtwRegister when a session has enabled it.
    if let Some(callback) = callback {
        // SAFETY: tracelogging's own callback with its own context.
        unsafe { callback(provider, 1, 0xFF, u64::MAX, 0, 0, context) };
    }
    0
}

#[unsafe(no_mangle)]
pub extern "system" fn EtwUnregister(handle: u64) -> u32 {
    let _sim = SimContext::enter();
    with(|k| {
        let failed = k.call("EtwUnregister", true);
        if !k.etw_registrations.remove(&handle) {
            k.violation("EtwUnregister of an unknown registration");
        }
        if failed {
            fail_status("EtwUnregister").cast_unsigned()
        } else {
            0
        }
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn EtwSetInformation(_h: u64, _class: u32, _info: *const u8, _len: u32) -> u32 {
    let _sim = SimContext::enter();
    with(|k| {
        if k.call("EtwSetInformation", true) {
            fail_status("EtwSetInformation").cast_unsigned()
        } else {
            0
        }
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn EtwActivityIdControl(_code: u32, _id: *mut [u8; 16]) -> u32 {
    0
}

/// `EVENT_DATA_DESCRIPTOR`.
#[repr(C)]
pub struct DataDescriptor {
    ptr: u64,
    size: u32,
    kind: u32,
}

#[unsafe(no_mangle)]
pub unsafe extern "system" fn EtwWriteTransfer(
    handle: u64,
    descriptor: *const [u8; 16],
    _activity: *const [u8; 16],
    _related: *const [u8; 16],
    count: u32,
    data: *const DataDescriptor,
) -> u32 {
    let _sim = SimContext::enter();
    // SAFETY: tracelogging passes `count` descriptors over live buffers.
    let descriptors = unsafe { std::slice::from_raw_parts(data, count as usize) };
    let bytes = |d: &DataDescriptor| {
        // SAFETY: as above.
        unsafe { std::slice::from_raw_parts(d.ptr as *const u8, d.size as usize) }.to_vec()
    };
    let mut name = String::new();
    let mut fields = Vec::new();
    for d in descriptors {
        match d.kind {
            // EVENT_DATA_DESCRIPTOR_TYPE_EVENT_METADATA: u16 size, tag bytes (high bit: more
            // follow), then the event name, NUL-terminated.
            1 => {
                let meta = bytes(d);
                let mut at = 2;
                while meta.get(at).is_some_and(|b| b & 0x80 != 0) {
                    at += 1;
                }
                at += 1;
                let end = meta[at..].iter().position(|b| *b == 0).unwrap_or(0);
                name = String::from_utf8_lossy(&meta[at..at + end]).into_owned();
            }
            2 => {}
            _ => fields.push(bytes(d)),
        }
    }
    // SAFETY: EVENT_DESCRIPTOR: Id u16, Version u8, Channel u8, Level u8, …
    let level = unsafe { (*descriptor)[4] };
    with(|k| {
        let failed = k.call("EtwWriteTransfer", true);
        if !k.etw_registrations.contains(&handle) {
            k.violation(format!("event {name} written without a registration"));
        }
        k.events.push(Event {
            name,
            level,
            fields,
            failed,
        });
        if failed {
            fail_status("EtwWriteTransfer").cast_unsigned()
        } else {
            0
        }
    })
}

// ----------------------------------------------------------------- WFP ----

const STATUS_INVALID_HANDLE: NtStatus = NtStatus(0xC000_0008);

fn session_handle(k: &mut kernel::Kernel, h: wfp::HANDLE, what: &str) -> Option<bool> {
    match k.sessions.get(&(h as usize)) {
        Some(s) => Some(s.dynamic),
        None => {
            k.violation(format!("{what} on a handle that is not an open session"));
            None
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmEngineOpen0(
    server: *const u16,
    authn: u32,
    identity: *mut wfp::SEC_WINNT_AUTH_IDENTITY_W,
    session: *const wfp::FWPM_SESSION0,
    handle: *mut wfp::HANDLE,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes a valid session (checked non-null below).
    let s = unsafe { session.as_ref() };
    let dynamic = s.is_some_and(|s| s.flags & wfp::FWPM_SESSION_FLAG_DYNAMIC != 0);
    with(|k| {
        let site = kernel::Kernel::dynamic_site("FwpmEngineOpen0", dynamic);
        if !server.is_null() || !identity.is_null() || authn != wfp::RPC_C_AUTHN_WINNT {
            k.violation(
                "FwpmEngineOpen0: kernel callers pass NULL server/identity, RPC_C_AUTHN_WINNT",
            );
        }
        let Some(s) = s else {
            k.violation("FwpmEngineOpen0 without a session");
            return status(NtStatus::INVALID_PARAMETER);
        };
        if !wide_ok(s.displayData.name) {
            k.violation("FwpmEngineOpen0: session name not NUL-terminated");
        }
        if k.call(&site, true) {
            return fail_status(&site);
        }
        if k.bfe != wfp::FWPM_SERVICE_STATE_::FWPM_SERVICE_RUNNING {
            return status(NtStatus::EPT_NT_NOT_REGISTERED);
        }
        let h = k.handle();
        k.sessions.insert(h, kernel::Session { dynamic, txn: None });
        // SAFETY: valid out-pointer.
        unsafe { *handle = h as wfp::HANDLE };
        0
    })
}

fn remove_objects(k: &mut kernel::Kernel, objects: &[Object]) {
    for o in objects {
        k.objects.remove(o);
        if let Object::Filter(f) = o {
            k.filter_callouts.remove(f);
        }
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn FwpmEngineClose0(h: wfp::HANDLE) -> NTSTATUS {
    let _sim = SimContext::enter();
    let (result, deleted) = close_session(h);
    for (filter, callout) in deleted {
        let _ = notify(
            callout,
            filter,
            wfp::FWPS_CALLOUT_NOTIFY_TYPE_::FWPS_CALLOUT_NOTIFY_DELETE_FILTER,
        );
    }
    result
}

/// Closes the session; returns the status and the filters BFE deleted with it.
fn close_session(h: wfp::HANDLE) -> (NTSTATUS, Vec<([u8; 16], [u8; 16])>) {
    let mut deleted = Vec::new();
    let result = with(|k| {
        let Some(dynamic) = session_handle(k, h, "FwpmEngineClose0") else {
            return status(STATUS_INVALID_HANDLE);
        };
        let site = kernel::Kernel::dynamic_site("FwpmEngineClose0", dynamic);
        let failed = k.call(&site, true);
        // The handle is released whatever the status (a release the driver cannot retry).
        if let Some(session) = k.sessions.remove(&(h as usize)) {
            if let Some(txn) = session.txn {
                remove_objects(k, &txn);
            }
            if dynamic {
                // BFE deletes what a dynamic session added.
                k.objects.clear();
            }
        }
        let live: Vec<[u8; 16]> = k
            .objects
            .iter()
            .filter_map(|o| {
                if let Object::Filter(f) = o {
                    Some(*f)
                } else {
                    None
                }
            })
            .collect();
        let gone: Vec<[u8; 16]> = k
            .filter_callouts
            .keys()
            .filter(|f| !live.contains(f))
            .copied()
            .collect();
        for f in gone {
            if let Some(c) = k.filter_callouts.remove(&f) {
                deleted.push((f, c));
            }
        }
        if failed { fail_status(&site) } else { 0 }
    });
    (result, deleted)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmFreeMemory0(p: *mut *mut c_void) {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes the address of its pointer.
    let inner = unsafe { *p };
    with(|k| {
        k.call("FwpmFreeMemory0", false);
        if !k.wfp_allocations.remove(&(inner as usize)) {
            k.violation("FwpmFreeMemory0 of memory the engine did not allocate (or twice)");
            return;
        }
        // SAFETY: allocated by FwpmConnectionGetSecurityInfo0 below.
        unsafe { libc::free(inner) };
        // SAFETY: as above.
        unsafe { *p = ptr::null_mut() };
    });
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmConnectionGetSecurityInfo0(
    h: wfp::HANDLE,
    info: u32,
    owner: *mut wfp::PSID,
    group: *mut wfp::PSID,
    dacl: *mut wfp::PACL,
    sacl: *mut wfp::PACL,
    out: *mut wfp::PSECURITY_DESCRIPTOR,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        if session_handle(k, h, "FwpmConnectionGetSecurityInfo0").is_none() {
            return status(STATUS_INVALID_HANDLE);
        }
        if info != 4 {
            k.violation(
                "FwpmConnectionGetSecurityInfo0: only DACL_SECURITY_INFORMATION is asked for",
            );
        }
        if k.call("FwpmConnectionGetSecurityInfo0", true) {
            return fail_status("FwpmConnectionGetSecurityInfo0");
        }
        let Some(d) = k.descriptor.clone() else {
            return status(NtStatus::INVALID_PARAMETER);
        };
        let (bytes, dacl_offset) = sd::serialize(&d);
        // SAFETY: a fresh block the driver frees with FwpmFreeMemory0.
        let block = unsafe { libc::malloc(bytes.len()) }.cast::<u8>();
        // SAFETY: `block` has room for `bytes`.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), block, bytes.len()) };
        k.wfp_allocations.insert(block as usize);
        // SAFETY: valid out-pointers.
        unsafe {
            *out = block.cast();
        }
        if !dacl.is_null() {
            // SAFETY: as above; the DACL points into the block.
            unsafe { *dacl = block.add(dacl_offset).cast() };
        }
        // The parts not asked for come back NULL (the out-pointers are optional).
        for out in [owner, group] {
            if !out.is_null() {
                // SAFETY: valid optional out-pointer.
                unsafe { *out = ptr::null_mut() };
            }
        }
        if !sacl.is_null() {
            // SAFETY: as above.
            unsafe { *sacl = ptr::null_mut() };
        }
        0
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmConnectionSetSecurityInfo0(
    h: wfp::HANDLE,
    info: u32,
    owner: *const wfp::SID,
    group: *const wfp::SID,
    dacl: *const wfp::ACL,
    sacl: *const wfp::ACL,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        let Some(dynamic) = session_handle(k, h, "FwpmConnectionSetSecurityInfo0") else {
            return status(STATUS_INVALID_HANDLE);
        };
        if !owner.is_null() || !group.is_null() || !sacl.is_null() || info & 4 == 0 {
            k.violation("FwpmConnectionSetSecurityInfo0: only the DACL is set");
        }
        if k.call("FwpmConnectionSetSecurityInfo0", true) {
            return fail_status("FwpmConnectionSetSecurityInfo0");
        }
        if dynamic {
            return status(NtStatus::FWP_DYNAMIC_SESSION_IN_PROGRESS);
        }
        if dacl.is_null() {
            k.violation("a NULL DACL was applied");
            return status(NtStatus::INVALID_PARAMETER);
        }
        // SAFETY: an ACL header, then AclSize bytes.
        let size = unsafe { (*dacl).AclSize } as usize;
        // SAFETY: as above.
        let bytes = unsafe { std::slice::from_raw_parts(dacl.cast::<u8>(), size) }.to_vec();
        if !sd::acl_ok(&bytes) {
            k.violation("FwpmConnectionSetSecurityInfo0: malformed ACL");
            return status(NtStatus::INVALID_PARAMETER);
        }
        if let Some(d) = &mut k.descriptor {
            d.dacl = bytes;
            if info & 0x8000_0000 != 0 {
                d.protected = true;
            } else if info & 0x2000_0000 != 0 {
                d.protected = false;
            }
        }
        k.descriptor_sets += 1;
        0
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn FwpmBfeStateGet0() -> wfp::FWPM_SERVICE_STATE {
    let _sim = SimContext::enter();
    with(|k| {
        k.call("FwpmBfeStateGet0", false);
        k.bfe
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmBfeStateSubscribeChanges0(
    device: *mut c_void,
    callback: wfp::FWPM_SERVICE_STATE_CHANGE_CALLBACK0,
    context: *mut c_void,
    handle: *mut wfp::HANDLE,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        if !k.devices.values().any(|wdm| *wdm == device as usize) {
            k.violation(
                "FwpmBfeStateSubscribeChanges0 with a device object that is not the driver's",
            );
        }
        if callback.is_none() {
            k.violation("FwpmBfeStateSubscribeChanges0 without a callback");
        }
        if k.call("FwpmBfeStateSubscribeChanges0", true) {
            return fail_status("FwpmBfeStateSubscribeChanges0");
        }
        let h = k.handle();
        k.subscriptions.insert(h, (callback, context as usize));
        // SAFETY: valid out-pointer.
        unsafe { *handle = h as wfp::HANDLE };
        0
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn FwpmBfeStateUnsubscribeChanges0(h: wfp::HANDLE) -> NTSTATUS {
    let _sim = SimContext::enter();
    // A notification in progress runs to its end before the unsubscribe returns.
    let in_flight = with(|k| {
        k.callbacks_in_flight_at_teardown
            .then(|| {
                k.subscriptions
                    .get(&(h as usize))
                    .map(|(cb, ctx)| (*cb, *ctx, k.bfe))
            })
            .flatten()
    });
    if let Some((Some(callback), context, state)) = in_flight {
        // SAFETY: the driver's callback with its own context.
        kernel::into_driver(|| unsafe { callback(context as *mut c_void, state) });
    }
    with(|k| {
        let failed = k.call("FwpmBfeStateUnsubscribeChanges0", true);
        if k.subscriptions.remove(&(h as usize)).is_none() {
            k.violation("FwpmBfeStateUnsubscribeChanges0 of an unknown subscription");
        }
        if failed {
            fail_status("FwpmBfeStateUnsubscribeChanges0")
        } else {
            0
        }
    })
}

macro_rules! txn_fn {
    ($name:ident, $site:literal, |$k:ident, $s:ident| $body:block) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(h: wfp::HANDLE) -> NTSTATUS {
            let _sim = SimContext::enter();
            with(|$k| {
                if session_handle($k, h, $site).is_none() {
                    return status(STATUS_INVALID_HANDLE);
                }
                let failed = $k.call($site, true);
                let $s = $k.sessions.get_mut(&(h as usize)).map(|s| &mut s.txn);
                let result: NTSTATUS = $body;
                if failed { fail_status($site) } else { result }
            })
        }
    };
}

#[unsafe(no_mangle)]
pub extern "C" fn FwpmTransactionBegin0(h: wfp::HANDLE, flags: u32) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        if session_handle(k, h, "FwpmTransactionBegin0").is_none() {
            return status(STATUS_INVALID_HANDLE);
        }
        if flags != 0 {
            k.violation("FwpmTransactionBegin0: a read-only transaction cannot add objects");
        }
        if k.call("FwpmTransactionBegin0", true) {
            return fail_status("FwpmTransactionBegin0");
        }
        let session = k.sessions.get_mut(&(h as usize)).expect("checked");
        if session.txn.is_some() {
            return status(NtStatus::FWP_TXN_IN_PROGRESS);
        }
        session.txn = Some(Vec::new());
        0
    })
}

txn_fn!(
    FwpmTransactionCommit0,
    "FwpmTransactionCommit0",
    |k, txn| {
        match txn {
            // A failed commit leaves the transaction open (the driver then aborts it).
            Some(txn @ Some(_)) => {
                if !k.plan.fail_at.contains(&k.failable_calls) {
                    *txn = None;
                }
                0
            }
            _ => status(NtStatus(0xC022_000D)),
        }
    }
);

txn_fn!(FwpmTransactionAbort0, "FwpmTransactionAbort0", |k, txn| {
    match txn.and_then(Option::take) {
        Some(objects) => {
            remove_objects(k, &objects);
            0
        }
        None => status(NtStatus(0xC022_000D)),
    }
});

fn add_object(k: &mut kernel::Kernel, h: wfp::HANDLE, site: &str, object: Object) -> NTSTATUS {
    if session_handle(k, h, site).is_none() {
        return status(STATUS_INVALID_HANDLE);
    }
    if k.call(site, true) {
        return fail_status(site);
    }
    if k.objects.contains(&object) {
        return status(NtStatus(0xC022_0009)); // FWP_E_ALREADY_EXISTS
    }
    k.objects.insert(object.clone());
    if let Some(Some(txn)) = k.sessions.get_mut(&(h as usize)).map(|s| &mut s.txn) {
        txn.push(object);
    }
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmProviderAdd0(
    h: wfp::HANDLE,
    p: *const wfp::FWPM_PROVIDER0,
    _sd: wfp::PSECURITY_DESCRIPTOR,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes a valid structure.
    let p = unsafe { &*p };
    let key = guid_bytes(&raw const p.providerKey);
    with(|k| {
        if !wide_ok(p.displayData.name) {
            k.violation("provider name not NUL-terminated");
        }
        add_object(k, h, "FwpmProviderAdd0", Object::Provider(key))
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmSubLayerAdd0(
    h: wfp::HANDLE,
    s: *const wfp::FWPM_SUBLAYER0,
    _sd: wfp::PSECURITY_DESCRIPTOR,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes a valid structure.
    let s = unsafe { &*s };
    let key = guid_bytes(&raw const s.subLayerKey);
    let provider = (!s.providerKey.is_null()).then(|| guid_bytes(s.providerKey));
    with(|k| {
        if provider.is_some_and(|p| !k.objects.contains(&Object::Provider(p))) {
            return status(NtStatus(0xC022_0005)); // FWP_E_PROVIDER_NOT_FOUND
        }
        add_object(k, h, "FwpmSubLayerAdd0", Object::SubLayer(key))
    })
}

/// The ALE auth-connect layer keys, from Microsoft's metadata (windows-sys).
pub fn known_layer(key: [u8; 16]) -> bool {
    use windows_sys::Win32::NetworkManagement::WindowsFilteringPlatform as w;
    let bytes = |g: windows_sys::core::GUID| {
        // SAFETY: both are 16 plain bytes.
        unsafe { std::mem::transmute::<windows_sys::core::GUID, [u8; 16]>(g) }
    };
    key == bytes(w::FWPM_LAYER_ALE_AUTH_CONNECT_V4)
        || key == bytes(w::FWPM_LAYER_ALE_AUTH_CONNECT_V6)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmCalloutAdd0(
    h: wfp::HANDLE,
    c: *const wfp::FWPM_CALLOUT0,
    _sd: wfp::PSECURITY_DESCRIPTOR,
    _id: *mut u32,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes a valid structure.
    let c = unsafe { &*c };
    let key = guid_bytes(&raw const c.calloutKey);
    let layer = guid_bytes(&raw const c.applicableLayer);
    with(|k| {
        if !known_layer(layer) {
            k.violation("FwpmCalloutAdd0 at a layer that is not ALE auth-connect");
            return status(NtStatus(0xC022_0004)); // FWP_E_LAYER_NOT_FOUND
        }
        add_object(k, h, "FwpmCalloutAdd0", Object::Callout(key))
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpmFilterAdd0(
    h: wfp::HANDLE,
    f: *const wfp::FWPM_FILTER0,
    _sd: wfp::PSECURITY_DESCRIPTOR,
    _id: *mut u64,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes a valid structure.
    let f = unsafe { &*f };
    let key = guid_bytes(&raw const f.filterKey);
    let layer = guid_bytes(&raw const f.layerKey);
    let sublayer = guid_bytes(&raw const f.subLayerKey);
    // SAFETY: the union member the action type selects.
    let callout = guid_bytes(&raw const f.action.__bindgen_anon_1.calloutKey);
    let added = with(|k| {
        if !known_layer(layer) {
            k.violation("FwpmFilterAdd0 at a layer that is not ALE auth-connect");
        }
        if !k.objects.contains(&Object::SubLayer(sublayer)) {
            return status(NtStatus(0xC022_0007)); // FWP_E_SUBLAYER_NOT_FOUND
        }
        if f.action.type_ != wfp::FWP_ACTION_CALLOUT_TERMINATING
            || f.flags & wfp::FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED == 0
        {
            k.violation(
                "FwpmFilterAdd0: not a terminating callout filter that permits when unregistered",
            );
        }
        if !k.objects.contains(&Object::Callout(callout)) {
            return status(NtStatus(0xC022_0001)); // FWP_E_CALLOUT_NOT_FOUND
        }
        let added = add_object(k, h, "FwpmFilterAdd0", Object::Filter(key));
        if added == 0 {
            k.filter_callouts.insert(key, callout);
        }
        added
    });
    if added != 0 {
        return added;
    }
    // The filter engine tells the callout about the new filter; an error refuses the filter.
    let notified = notify(
        callout,
        key,
        wfp::FWPS_CALLOUT_NOTIFY_TYPE_::FWPS_CALLOUT_NOTIFY_ADD_FILTER,
    );
    if notified != 0 {
        with(|k| {
            k.objects.remove(&Object::Filter(key));
            k.filter_callouts.remove(&key);
        });
    }
    notified
}

/// Calls the `notifyFn` of the registered callout `callout` (outside the kernel lock, in driver
/// context); 0 when no such callout is registered.
fn notify(
    callout: [u8; 16],
    filter_key: [u8; 16],
    kind: wfp::FWPS_CALLOUT_NOTIFY_TYPE,
) -> NTSTATUS {
    let Some(notify) = with(|k| {
        k.callouts
            .values()
            .find(|c| c.key == callout)
            .and_then(|c| c.notify)
    }) else {
        return 0;
    };
    // SAFETY: a zeroed FWPS_FILTER3 is a valid value.
    let mut filter: wfp::FWPS_FILTER3 = unsafe { std::mem::zeroed() };
    // SAFETY: 16 plain bytes.
    let key: wfp::GUID = unsafe { std::mem::transmute::<[u8; 16], wfp::GUID>(filter_key) };
    // SAFETY: the notifyFn3 contract: valid key and filter for the call.
    kernel::into_driver(|| unsafe { notify(kind, &raw const key, &raw mut filter) })
}

macro_rules! unused_delete {
    ($($name:ident),*) => {$(
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(_h: wfp::HANDLE, _key: *const wfp::GUID) -> NTSTATUS {
            let _sim = SimContext::enter();
            with(|k| k.violation(concat!(stringify!($name), " is not part of the driver's plan")));
            0
        }
    )*};
}
unused_delete!(
    FwpmProviderDeleteByKey0,
    FwpmSubLayerDeleteByKey0,
    FwpmCalloutDeleteByKey0,
    FwpmFilterDeleteByKey0
);

#[unsafe(no_mangle)]
pub unsafe extern "C" fn FwpsCalloutRegister3(
    device: *mut c_void,
    callout: *const wfp::FWPS_CALLOUT3,
    id: *mut u32,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes a valid structure.
    let c = unsafe { &*callout };
    let key = guid_bytes(&raw const c.calloutKey);
    with(|k| {
        if !k.devices.values().any(|wdm| *wdm == device as usize) {
            k.violation("FwpsCalloutRegister3 with a device object that is not the driver's");
        }
        if c.classifyFn.is_none() || c.notifyFn.is_none() {
            k.violation("FwpsCalloutRegister3 without classifyFn/notifyFn");
        }
        if k.call("FwpsCalloutRegister3", true) {
            return fail_status("FwpsCalloutRegister3");
        }
        if k.callouts.values().any(|r| r.key == key) {
            return status(NtStatus(0xC022_0009));
        }
        k.next_callout_id += 1;
        let new = k.next_callout_id;
        k.callouts.insert(
            new,
            kernel::Callout {
                key,
                classify: c.classifyFn,
                notify: c.notifyFn,
            },
        );
        if !id.is_null() {
            // SAFETY: valid out-pointer.
            unsafe { *id = new };
        }
        0
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn FwpsCalloutUnregisterById0(id: u32) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        let failed = k.call("FwpsCalloutUnregisterById0", true);
        if k.callouts.remove(&id).is_none() {
            k.violation("FwpsCalloutUnregisterById0 of an unknown id");
            return status(NtStatus(0xC022_0001));
        }
        if failed {
            fail_status("FwpsCalloutUnregisterById0")
        } else {
            0
        }
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn FwpsCalloutUnregisterByKey0(_key: *const wfp::GUID) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| k.violation("FwpsCalloutUnregisterByKey0 is not part of the driver's plan"));
    0
}

/// Replaces the descriptor (BFE restart resets it).
pub fn reset_descriptor(k: &mut kernel::Kernel) {
    k.descriptor = k.default_descriptor.clone();
}

pub fn descriptor_of(k: &kernel::Kernel) -> Option<Descriptor> {
    k.descriptor.clone()
}
