//! The simulated KMDF: each function the driver calls, at its `_WDFFUNCENUM` index in the table
//! that `wdk_sys::WdfFunctions` points to, typed by the transcribed `PFN_WDF*` (the
//! `let _: PFN_… = Some(f)` lines fail to compile if a signature drifts).

use std::ffi::c_void;
use std::sync::Arc;

use connsec_policy::NtStatus;
use wdk_sys::*;

use super::kernel::{self, SimContext, WaitLock, with};

fn st(s: NtStatus) -> NTSTATUS {
    s.0.cast_signed()
}
fn fail(site: &str) -> NTSTATUS {
    st(kernel::failure_status(site))
}
fn globals_ok(k: &mut kernel::Kernel, g: PWDF_DRIVER_GLOBALS) {
    // SAFETY: reading the pointer value the simulator set.
    if g != unsafe { WdfDriverGlobals } {
        k.violation("a WDF call without the driver's WdfDriverGlobals");
    }
}

unsafe extern "C" fn driver_create(
    g: PWDF_DRIVER_GLOBALS,
    _object: PDRIVER_OBJECT,
    _path: PCUNICODE_STRING,
    _attributes: PWDF_OBJECT_ATTRIBUTES,
    config: PWDF_DRIVER_CONFIG,
    driver: *mut WDFDRIVER,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes its config.
    let config = unsafe { *config };
    with(|k| {
        globals_ok(k, g);
        if config.Size as usize != size_of::<WDF_DRIVER_CONFIG>() {
            k.violation("WDF_DRIVER_CONFIG.Size");
        }
        if config.DriverInitFlags & 1 == 0 || config.EvtDriverUnload.is_none() {
            k.violation("a non-PnP driver with EvtDriverUnload is expected");
        }
        if k.call("WdfDriverCreate", true) {
            return fail("WdfDriverCreate");
        }
        let h = k.handle();
        k.driver = Some(h);
        k.unload = config.EvtDriverUnload;
        // SAFETY: valid out-pointer.
        unsafe { *driver = h as WDFDRIVER };
        0
    })
}

unsafe extern "C" fn wait_lock_create(
    g: PWDF_DRIVER_GLOBALS,
    _a: PWDF_OBJECT_ATTRIBUTES,
    lock: *mut WDFWAITLOCK,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        if k.call("WdfWaitLockCreate", true) {
            return fail("WdfWaitLockCreate");
        }
        let h = k.handle();
        k.locks.insert(h, Arc::new(WaitLock::default()));
        // SAFETY: valid out-pointer.
        unsafe { *lock = h as WDFWAITLOCK };
        0
    })
}

unsafe extern "C" fn wait_lock_acquire(
    g: PWDF_DRIVER_GLOBALS,
    lock: WDFWAITLOCK,
    t: PLONGLONG,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    let l = with(|k| {
        globals_ok(k, g);
        if !t.is_null() {
            k.violation("WdfWaitLockAcquire with a timeout");
        }
        k.call("WdfWaitLockAcquire", false);
        k.locks.get(&(lock as usize)).cloned()
    });
    let Some(l) = l else {
        with(|k| k.violation("WdfWaitLockAcquire of a deleted lock"));
        return st(NtStatus::INVALID_PARAMETER);
    };
    let me = std::thread::current().id();
    let mut held = l.held.lock().expect("lock");
    if *held == Some(me) {
        drop(held);
        with(|k| k.violation("WdfWaitLockAcquire by the thread that holds it (a deadlock)"));
        return st(NtStatus::INVALID_PARAMETER);
    }
    while held.is_some() {
        held = l.cv.wait(held).expect("lock");
    }
    *held = Some(me);
    0
}

unsafe extern "C" fn wait_lock_release(g: PWDF_DRIVER_GLOBALS, lock: WDFWAITLOCK) {
    let _sim = SimContext::enter();
    let l = with(|k| {
        globals_ok(k, g);
        k.call("WdfWaitLockRelease", false);
        k.locks.get(&(lock as usize)).cloned()
    });
    if let Some(l) = l {
        let mut held = l.held.lock().expect("lock");
        if *held != Some(std::thread::current().id()) {
            with(|k| k.violation("WdfWaitLockRelease by a thread that does not hold it"));
        }
        *held = None;
        l.cv.notify_one();
    }
}

unsafe extern "C" fn control_device_init_allocate(
    g: PWDF_DRIVER_GLOBALS,
    driver: WDFDRIVER,
    sddl: *const UNICODE_STRING,
) -> PWDFDEVICE_INIT {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes a valid UNICODE_STRING.
    let s = unsafe { *sddl };
    // SAFETY: Length bytes of UTF-16.
    let units = unsafe { std::slice::from_raw_parts(s.Buffer, usize::from(s.Length) / 2) };
    with(|k| {
        globals_ok(k, g);
        if Some(driver as usize) != k.driver {
            k.violation("WdfControlDeviceInitAllocate: not the driver's handle");
        }
        if String::from_utf16_lossy(units) != "D:P" {
            k.violation("the control device must be kernel-only (D:P)");
        }
        if k.call("WdfControlDeviceInitAllocate", true) {
            return std::ptr::null_mut();
        }
        let h = k.handle();
        k.device_inits.insert(h);
        h as PWDFDEVICE_INIT
    })
}

fn init_live(k: &mut kernel::Kernel, init: PWDFDEVICE_INIT, what: &str) {
    if !k.device_inits.contains(&(init as usize)) {
        k.violation(format!("{what} on a WDFDEVICE_INIT that is not live"));
    }
}

unsafe extern "C" fn device_init_set_device_type(
    g: PWDF_DRIVER_GLOBALS,
    init: PWDFDEVICE_INIT,
    t: DEVICE_TYPE,
) {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfDeviceInitSetDeviceType", false);
        init_live(k, init, "WdfDeviceInitSetDeviceType");
        if t != FILE_DEVICE_NETWORK {
            k.violation("device type");
        }
    });
}

unsafe extern "C" fn device_init_set_characteristics(
    g: PWDF_DRIVER_GLOBALS,
    init: PWDFDEVICE_INIT,
    c: ULONG,
    _or: BOOLEAN,
) {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfDeviceInitSetCharacteristics", false);
        init_live(k, init, "WdfDeviceInitSetCharacteristics");
        if c & FILE_DEVICE_SECURE_OPEN == 0 {
            k.violation("FILE_DEVICE_SECURE_OPEN");
        }
    });
}

unsafe extern "C" fn device_create(
    g: PWDF_DRIVER_GLOBALS,
    init: *mut PWDFDEVICE_INIT,
    _a: PWDF_OBJECT_ATTRIBUTES,
    device: *mut WDFDEVICE,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes the address of its init pointer.
    let i = unsafe { *init };
    with(|k| {
        globals_ok(k, g);
        init_live(k, i, "WdfDeviceCreate");
        if k.call("WdfDeviceCreate", true) {
            return fail("WdfDeviceCreate");
        }
        k.device_inits.remove(&(i as usize));
        let h = k.handle();
        let wdm = k.handle();
        k.devices.insert(h, wdm);
        // SAFETY: valid out-pointers.
        unsafe {
            *init = std::ptr::null_mut();
            *device = h as WDFDEVICE;
        }
        0
    })
}

unsafe extern "C" fn device_init_free(g: PWDF_DRIVER_GLOBALS, init: PWDFDEVICE_INIT) {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfDeviceInitFree", false);
        if !k.device_inits.remove(&(init as usize)) {
            k.violation("WdfDeviceInitFree of an init that is not live");
        }
    });
}

unsafe extern "C" fn control_finish_initializing(g: PWDF_DRIVER_GLOBALS, device: WDFDEVICE) {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfControlFinishInitializing", false);
        if !k.finished_devices.insert(device as usize)
            || !k.devices.contains_key(&(device as usize))
        {
            k.violation("WdfControlFinishInitializing twice or on no device");
        }
    });
}

unsafe extern "C" fn device_wdm_get_device_object(
    g: PWDF_DRIVER_GLOBALS,
    device: WDFDEVICE,
) -> PDEVICE_OBJECT {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfDeviceWdmGetDeviceObject", false);
        match k.devices.get(&(device as usize)) {
            Some(wdm) => *wdm as PDEVICE_OBJECT,
            None => {
                k.violation("WdfDeviceWdmGetDeviceObject of a deleted device");
                std::ptr::null_mut()
            }
        }
    })
}

unsafe extern "C" fn object_delete(g: PWDF_DRIVER_GLOBALS, object: WDFOBJECT) {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        let o = object as usize;
        if k.devices.contains_key(&o) {
            k.call("WdfObjectDelete(device)", false);
            if !k.subscriptions.is_empty() || !k.callouts.is_empty() {
                k.violation(
                    "the control device was deleted while WFP still holds its DEVICE_OBJECT",
                );
            }
            if !k.timers.is_empty() {
                k.violation(
                    "the control device was deleted before its retry timer was stopped and deleted",
                );
                k.timers.clear();
            }
            k.devices.remove(&o);
        } else if k.timers.remove(&o).is_some() {
            k.call("WdfObjectDelete(timer)", false);
        } else if k.locks.remove(&o).is_some() {
            k.call("WdfObjectDelete(lock)", false);
        } else {
            k.call("WdfObjectDelete(?)", false);
            k.violation("WdfObjectDelete of an object that is not live");
        }
    });
}

unsafe extern "C" fn timer_create(
    g: PWDF_DRIVER_GLOBALS,
    config: PWDF_TIMER_CONFIG,
    attributes: PWDF_OBJECT_ATTRIBUTES,
    timer: *mut WDFTIMER,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    // SAFETY: the driver passes valid structures.
    let (c, a) = unsafe { (*config, *attributes) };
    with(|k| {
        globals_ok(k, g);
        if c.Size != 40 || a.Size != 56 {
            k.violation(format!(
                "WdfTimerCreate sizes {} and {} (KMDF 1.33: 40, 56)",
                c.Size, a.Size
            ));
        }
        if !k.devices.contains_key(&(a.ParentObject as usize)) {
            k.violation("the timer's parent is not the control device");
        }
        let passive = a.ExecutionLevel == _WDF_EXECUTION_LEVEL::WdfExecutionLevelPassive;
        if passive && c.Period != 0 {
            k.violation("a passive-level timer cannot be periodic");
        }
        if k.call("WdfTimerCreate", true) {
            return fail("WdfTimerCreate");
        }
        let h = k.handle();
        k.timers.insert(
            h,
            kernel::Timer {
                func: c.EvtTimerFunc,
                due_100ns: None,
                passive,
            },
        );
        // SAFETY: valid out-pointer.
        unsafe { *timer = h as WDFTIMER };
        0
    })
}

unsafe extern "C" fn timer_start(
    g: PWDF_DRIVER_GLOBALS,
    timer: WDFTIMER,
    due: LONGLONG,
) -> BOOLEAN {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfTimerStart", false);
        match k.timers.get_mut(&(timer as usize)) {
            Some(t) => BOOLEAN::from(t.due_100ns.replace(due).is_some()),
            None => {
                k.violation("WdfTimerStart of a deleted timer");
                0
            }
        }
    })
}

unsafe extern "C" fn timer_stop(
    g: PWDF_DRIVER_GLOBALS,
    timer: WDFTIMER,
    _wait: BOOLEAN,
) -> BOOLEAN {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfTimerStop", false);
        match k.timers.get_mut(&(timer as usize)) {
            Some(t) => BOOLEAN::from(t.due_100ns.take().is_some()),
            None => {
                k.violation("WdfTimerStop of a deleted timer");
                0
            }
        }
    })
}

unsafe extern "C" fn open_parameters_key(
    g: PWDF_DRIVER_GLOBALS,
    driver: WDFDRIVER,
    access: ACCESS_MASK,
    _a: PWDF_OBJECT_ATTRIBUTES,
    key: *mut WDFKEY,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        if Some(driver as usize) != k.driver {
            k.violation("WdfDriverOpenParametersRegistryKey: not the driver's handle");
        }
        if k.call("WdfDriverOpenParametersRegistryKey", true) {
            return fail("WdfDriverOpenParametersRegistryKey");
        }
        if !k.params_key_exists {
            return st(NtStatus(0xC000_0034));
        }
        let h = k.handle();
        k.keys.insert(h, access);
        // SAFETY: valid out-pointer.
        unsafe { *key = h as WDFKEY };
        0
    })
}

fn name_of(n: PCUNICODE_STRING) -> String {
    // SAFETY: the driver passes a valid UNICODE_STRING.
    let s = unsafe { *n };
    // SAFETY: Length bytes of UTF-16.
    let units = unsafe { std::slice::from_raw_parts(s.Buffer, usize::from(s.Length) / 2) };
    String::from_utf16_lossy(units).to_lowercase()
}

unsafe extern "C" fn registry_query_value(
    g: PWDF_DRIVER_GLOBALS,
    key: WDFKEY,
    name: PCUNICODE_STRING,
    len: ULONG,
    value: PVOID,
    queried: PULONG,
    kind: PULONG,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    let name = name_of(name);
    with(|k| {
        globals_ok(k, g);
        if !k.keys.contains_key(&(key as usize)) {
            k.violation("WdfRegistryQueryValue on a closed key");
        }
        if k.call("WdfRegistryQueryValue", true) {
            return fail("WdfRegistryQueryValue");
        }
        let Some((t, data)) = k.registry.get(&name).cloned() else {
            return st(NtStatus(0xC000_0034));
        };
        // As KMDF's FxRegKey::_QueryValue (microsoft/Windows-Driver-Frameworks
        // src/framework/shared/support/km/fxregkeykm.cpp:147): length and type on success and
        // on STATUS_BUFFER_OVERFLOW, the data only when it fits.
        // SAFETY: optional out-pointers.
        unsafe {
            if !queried.is_null() {
                *queried = u32::try_from(data.len()).expect("small");
            }
            if !kind.is_null() {
                *kind = t;
            }
        }
        if (len as usize) < data.len() || (value.is_null() && !data.is_empty()) {
            return st(NtStatus(0x8000_0005));
        }
        if !data.is_empty() {
            // SAFETY: `value` has `len` >= data.len() bytes.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), value.cast(), data.len()) };
        }
        0
    })
}

unsafe extern "C" fn registry_assign_value(
    g: PWDF_DRIVER_GLOBALS,
    key: WDFKEY,
    name: PCUNICODE_STRING,
    kind: ULONG,
    len: ULONG,
    value: PVOID,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    let name = name_of(name);
    // SAFETY: `len` bytes at `value`.
    let data = unsafe { std::slice::from_raw_parts(value.cast::<u8>(), len as usize) }.to_vec();
    with(|k| {
        globals_ok(k, g);
        let access = k.keys.get(&(key as usize)).copied().unwrap_or(0);
        if access & KEY_SET_VALUE == 0 {
            k.violation("WdfRegistryAssignValue on a key opened without KEY_SET_VALUE");
            return st(NtStatus::ACCESS_DENIED);
        }
        if k.call("WdfRegistryAssignValue", true) {
            return fail("WdfRegistryAssignValue");
        }
        k.registry.insert(name, (kind, data));
        0
    })
}

unsafe extern "C" fn registry_remove_value(
    g: PWDF_DRIVER_GLOBALS,
    key: WDFKEY,
    name: PCUNICODE_STRING,
) -> NTSTATUS {
    let _sim = SimContext::enter();
    let name = name_of(name);
    with(|k| {
        globals_ok(k, g);
        let access = k.keys.get(&(key as usize)).copied().unwrap_or(0);
        if access & KEY_SET_VALUE == 0 {
            k.violation("WdfRegistryRemoveValue on a key opened without KEY_SET_VALUE");
            return st(NtStatus::ACCESS_DENIED);
        }
        if k.call("WdfRegistryRemoveValue", true) {
            return fail("WdfRegistryRemoveValue");
        }
        if k.registry.remove(&name).is_none() {
            return st(NtStatus(0xC000_0034));
        }
        0
    })
}

unsafe extern "C" fn registry_wdm_get_handle(g: PWDF_DRIVER_GLOBALS, key: WDFKEY) -> HANDLE {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfRegistryWdmGetHandle", false);
        let h = k.handle();
        k.key_handles.insert(h, key as usize);
        h as HANDLE
    })
}

unsafe extern "C" fn registry_close(g: PWDF_DRIVER_GLOBALS, key: WDFKEY) {
    let _sim = SimContext::enter();
    with(|k| {
        globals_ok(k, g);
        k.call("WdfRegistryClose", false);
        if k.keys.remove(&(key as usize)).is_none() {
            k.violation("WdfRegistryClose of a key that is not open");
        }
        k.key_handles.retain(|_, owner| *owner != key as usize);
    });
}

/// The function table (`WdfFunctionTableNumEntries` entries).
pub fn table() -> &'static [WDFFUNC] {
    macro_rules! entry {
        ($table:ident, $index:ident, $pfn:ident, $f:ident) => {{
            let typed: $pfn = Some($f);
            // SAFETY: the macro's transmute back to `$pfn` undoes this one.
            $table[_WDFFUNCENUM::$index as usize] =
                unsafe { std::mem::transmute::<$pfn, WDFFUNC>(typed) };
        }};
    }
    let mut t: Vec<WDFFUNC> = vec![None; _WDFFUNCENUM::WdfFunctionTableNumEntries as usize];
    entry!(
        t,
        WdfDriverCreateTableIndex,
        PFN_WDFDRIVERCREATE,
        driver_create
    );
    entry!(
        t,
        WdfWaitLockCreateTableIndex,
        PFN_WDFWAITLOCKCREATE,
        wait_lock_create
    );
    entry!(
        t,
        WdfWaitLockAcquireTableIndex,
        PFN_WDFWAITLOCKACQUIRE,
        wait_lock_acquire
    );
    entry!(
        t,
        WdfWaitLockReleaseTableIndex,
        PFN_WDFWAITLOCKRELEASE,
        wait_lock_release
    );
    entry!(
        t,
        WdfControlDeviceInitAllocateTableIndex,
        PFN_WDFCONTROLDEVICEINITALLOCATE,
        control_device_init_allocate
    );
    entry!(
        t,
        WdfDeviceInitSetDeviceTypeTableIndex,
        PFN_WDFDEVICEINITSETDEVICETYPE,
        device_init_set_device_type
    );
    entry!(
        t,
        WdfDeviceInitSetCharacteristicsTableIndex,
        PFN_WDFDEVICEINITSETCHARACTERISTICS,
        device_init_set_characteristics
    );
    entry!(
        t,
        WdfDeviceCreateTableIndex,
        PFN_WDFDEVICECREATE,
        device_create
    );
    entry!(
        t,
        WdfDeviceInitFreeTableIndex,
        PFN_WDFDEVICEINITFREE,
        device_init_free
    );
    entry!(
        t,
        WdfControlFinishInitializingTableIndex,
        PFN_WDFCONTROLFINISHINITIALIZING,
        control_finish_initializing
    );
    entry!(
        t,
        WdfDeviceWdmGetDeviceObjectTableIndex,
        PFN_WDFDEVICEWDMGETDEVICEOBJECT,
        device_wdm_get_device_object
    );
    entry!(
        t,
        WdfObjectDeleteTableIndex,
        PFN_WDFOBJECTDELETE,
        object_delete
    );
    entry!(
        t,
        WdfTimerCreateTableIndex,
        PFN_WDFTIMERCREATE,
        timer_create
    );
    entry!(t, WdfTimerStartTableIndex, PFN_WDFTIMERSTART, timer_start);
    entry!(t, WdfTimerStopTableIndex, PFN_WDFTIMERSTOP, timer_stop);
    entry!(
        t,
        WdfDriverOpenParametersRegistryKeyTableIndex,
        PFN_WDFDRIVEROPENPARAMETERSREGISTRYKEY,
        open_parameters_key
    );
    entry!(
        t,
        WdfRegistryQueryValueTableIndex,
        PFN_WDFREGISTRYQUERYVALUE,
        registry_query_value
    );
    entry!(
        t,
        WdfRegistryAssignValueTableIndex,
        PFN_WDFREGISTRYASSIGNVALUE,
        registry_assign_value
    );
    entry!(
        t,
        WdfRegistryRemoveValueTableIndex,
        PFN_WDFREGISTRYREMOVEVALUE,
        registry_remove_value
    );
    entry!(
        t,
        WdfRegistryWdmGetHandleTableIndex,
        PFN_WDFREGISTRYWDMGETHANDLE,
        registry_wdm_get_handle
    );
    entry!(
        t,
        WdfRegistryCloseTableIndex,
        PFN_WDFREGISTRYCLOSE,
        registry_close
    );
    Box::leak(t.into_boxed_slice())
}

#[allow(dead_code, reason = "keeps c_void in use for readers")]
type Unused = c_void;
