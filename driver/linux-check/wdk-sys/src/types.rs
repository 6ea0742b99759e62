//! The WDK types and KMDF function types `driver/src` uses, shaped as wdk-sys 0.5.2's
//! bindgen-generated `types.rs` (C names, C enums as modules of `i32` constants,
//! `Option<unsafe extern "C" fn …>` function pointers). wdk-macros' `call_unsafe_wdf_function_
//! binding!` parses this file (`wdk-sys/build.rs` hands it the path) to find each `PFN_WDF*`
//! type and the `_WDFFUNCENUM` table index, exactly as it parses the generated file on Windows.
//!
//! Every KMDF item is transcribed from Microsoft's MIT-licensed public headers,
//! microsoft/Windows-Driver-Frameworks `src/publicinc/wdf/kmdf/1.33/` (file:line of the C
//! declaration next to each item). Layouts are pinned by the assertions in `lib.rs`.
//! This file is data for the proc-macro as much as code: keep each `PFN_WDF*` a plain
//! `Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, …)>` alias.

use core::ffi::c_void;

// ---- Base types (`ntdef.h`/`wdm.h`; x64 sizes, checked against windows-sys in lib.rs) ----
pub type NTSTATUS = i32;
pub type ULONG = u32;
pub type PULONG = *mut ULONG;
pub type USHORT = u16;
pub type UCHAR = u8;
pub type BOOLEAN = u8;
pub type KIRQL = UCHAR;
pub type WCHAR = u16;
pub type PWCH = *mut WCHAR;
pub type PVOID = *mut c_void;
pub type HANDLE = *mut c_void;
pub type LONGLONG = i64;
pub type PLONGLONG = *mut LONGLONG;
pub type SIZE_T = usize;
pub type ULONG64 = u64;
pub type POOL_FLAGS = ULONG64;
pub type ACCESS_MASK = ULONG;
pub type DEVICE_TYPE = ULONG;
pub type PSECURITY_DESCRIPTOR = PVOID;

/// `UNICODE_STRING` (`ntdef.h`).
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _UNICODE_STRING {
    pub Length: USHORT,
    pub MaximumLength: USHORT,
    pub Buffer: PWCH,
}
pub type UNICODE_STRING = _UNICODE_STRING;
pub type PUNICODE_STRING = *mut UNICODE_STRING;
pub type PCUNICODE_STRING = *const UNICODE_STRING;

/// `DRIVER_OBJECT` (`wdm.h`): the driver never looks inside; the simulator owns the memory.
#[repr(C)]
pub struct _DRIVER_OBJECT {
    _opaque: [u8; 0],
}
pub type DRIVER_OBJECT = _DRIVER_OBJECT;
pub type PDRIVER_OBJECT = *mut DRIVER_OBJECT;
/// `DEVICE_OBJECT` (`wdm.h`): passed to WFP as an address only.
#[repr(C)]
pub struct _DEVICE_OBJECT {
    _opaque: [u8; 0],
}
pub type DEVICE_OBJECT = _DEVICE_OBJECT;
pub type PDEVICE_OBJECT = *mut DEVICE_OBJECT;

// ---- KMDF handles (`wdftypes.h`: `DECLARE_HANDLE`, i.e. pointers to distinct structs) ----
macro_rules! wdf_handle {
    ($($raw:ident => $handle:ident),* $(,)?) => {$(
        #[repr(C)]
        #[derive(Debug, Default, Copy, Clone)]
        pub struct $raw {
            pub unused: i32,
        }
        pub type $handle = *mut $raw;
    )*};
}
wdf_handle!(
    WDFDRIVER__ => WDFDRIVER,
    WDFDEVICE__ => WDFDEVICE,
    WDFKEY__ => WDFKEY,
    WDFWAITLOCK__ => WDFWAITLOCK,
    WDFTIMER__ => WDFTIMER,
);
pub type WDFOBJECT = *mut c_void;
/// `WDFDEVICE_INIT` (`wdfdevice.h`): opaque to drivers.
#[repr(C)]
pub struct WDFDEVICE_INIT {
    _opaque: [u8; 0],
}
pub type PWDFDEVICE_INIT = *mut WDFDEVICE_INIT;

/// `WDF_DRIVER_GLOBALS` (`wdfglobals.h`): the driver only passes its address back.
#[repr(C)]
pub struct _WDF_DRIVER_GLOBALS {
    _opaque: [u8; 0],
}
pub type WDF_DRIVER_GLOBALS = _WDF_DRIVER_GLOBALS;
pub type PWDF_DRIVER_GLOBALS = *mut WDF_DRIVER_GLOBALS;
/// An entry of the WDF function table (`wdf.h`: `typedef VOID (*WDFFUNC)(VOID)`).
pub type WDFFUNC = Option<unsafe extern "C" fn()>;

// ---- Enumerations ----
/// `wdfobject.h:51`.
pub mod _WDF_EXECUTION_LEVEL {
    pub type Type = i32;
    pub const WdfExecutionLevelInvalid: Type = 0;
    pub const WdfExecutionLevelInheritFromParent: Type = 1;
    pub const WdfExecutionLevelPassive: Type = 2;
    pub const WdfExecutionLevelDispatch: Type = 3;
}
pub use self::_WDF_EXECUTION_LEVEL::Type as WDF_EXECUTION_LEVEL;
/// `wdfobject.h:61`.
pub mod _WDF_SYNCHRONIZATION_SCOPE {
    pub type Type = i32;
    pub const WdfSynchronizationScopeInvalid: Type = 0;
    pub const WdfSynchronizationScopeInheritFromParent: Type = 1;
    pub const WdfSynchronizationScopeDevice: Type = 2;
    pub const WdfSynchronizationScopeQueue: Type = 3;
    pub const WdfSynchronizationScopeNone: Type = 4;
}
pub use self::_WDF_SYNCHRONIZATION_SCOPE::Type as WDF_SYNCHRONIZATION_SCOPE;
/// `wdfdriver.h:50`.
pub mod _WDF_DRIVER_INIT_FLAGS {
    pub type Type = i32;
    pub const WdfDriverInitNonPnpDriver: Type = 1;
    pub const WdfDriverInitNoDispatchOverride: Type = 2;
    pub const WdfVerifyOn: Type = 4;
    pub const WdfVerifierOn: Type = 8;
    pub const WdfDriverInitCompanion: Type = 16;
}

// ---- Callback types ----
/// `wdfobject.h:82` (`EVT_WDF_OBJECT_CONTEXT_CLEANUP`).
pub type PFN_WDF_OBJECT_CONTEXT_CLEANUP = Option<unsafe extern "C" fn(Object: WDFOBJECT)>;
/// `wdfobject.h:95` (`EVT_WDF_OBJECT_CONTEXT_DESTROY`).
pub type PFN_WDF_OBJECT_CONTEXT_DESTROY = Option<unsafe extern "C" fn(Object: WDFOBJECT)>;
/// `wdfdriver.h:79` (`EVT_WDF_DRIVER_DEVICE_ADD`).
pub type PFN_WDF_DRIVER_DEVICE_ADD =
    Option<unsafe extern "C" fn(Driver: WDFDRIVER, DeviceInit: PWDFDEVICE_INIT) -> NTSTATUS>;
/// `wdfdriver.h:92` (`EVT_WDF_DRIVER_UNLOAD`).
pub type PFN_WDF_DRIVER_UNLOAD = Option<unsafe extern "C" fn(Driver: WDFDRIVER)>;
/// `wdftimer.h:67` (`EVT_WDF_TIMER`).
pub type PFN_WDF_TIMER = Option<unsafe extern "C" fn(Timer: WDFTIMER)>;

// ---- Structures ----
/// `wdfobject.h:100`.
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _WDF_OBJECT_ATTRIBUTES {
    pub Size: ULONG,
    pub EvtCleanupCallback: PFN_WDF_OBJECT_CONTEXT_CLEANUP,
    pub EvtDestroyCallback: PFN_WDF_OBJECT_CONTEXT_DESTROY,
    pub ExecutionLevel: WDF_EXECUTION_LEVEL,
    pub SynchronizationScope: WDF_SYNCHRONIZATION_SCOPE,
    pub ParentObject: WDFOBJECT,
    pub ContextSizeOverride: usize,
    pub ContextTypeInfo: *const c_void,
}
impl Default for _WDF_OBJECT_ATTRIBUTES {
    fn default() -> Self {
        Self {
            Size: 0,
            EvtCleanupCallback: None,
            EvtDestroyCallback: None,
            ExecutionLevel: 0,
            SynchronizationScope: 0,
            ParentObject: core::ptr::null_mut(),
            ContextSizeOverride: 0,
            ContextTypeInfo: core::ptr::null(),
        }
    }
}
pub type WDF_OBJECT_ATTRIBUTES = _WDF_OBJECT_ATTRIBUTES;
pub type PWDF_OBJECT_ATTRIBUTES = *mut WDF_OBJECT_ATTRIBUTES;

/// `wdfdriver.h:121`.
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_DRIVER_CONFIG {
    pub Size: ULONG,
    pub EvtDriverDeviceAdd: PFN_WDF_DRIVER_DEVICE_ADD,
    pub EvtDriverUnload: PFN_WDF_DRIVER_UNLOAD,
    pub DriverInitFlags: ULONG,
    pub DriverPoolTag: ULONG,
}
pub type WDF_DRIVER_CONFIG = _WDF_DRIVER_CONFIG;
pub type PWDF_DRIVER_CONFIG = *mut WDF_DRIVER_CONFIG;

/// `wdftimer.h:75` (KMDF 1.33): `UseHighResolutionTimer` is `DECLSPEC_ALIGN(8) BOOLEAN`, so it
/// sits at offset 32 and the structure is 40 bytes; bindgen spells the gap as a padding field.
#[repr(C, align(8))]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_TIMER_CONFIG {
    pub Size: ULONG,
    pub EvtTimerFunc: PFN_WDF_TIMER,
    pub Period: ULONG,
    pub AutomaticSerialization: BOOLEAN,
    pub TolerableDelay: ULONG,
    pub __bindgen_padding_0: u32,
    pub UseHighResolutionTimer: BOOLEAN,
}
pub type WDF_TIMER_CONFIG = _WDF_TIMER_CONFIG;
pub type PWDF_TIMER_CONFIG = *mut WDF_TIMER_CONFIG;

// ---- KMDF 1.33 function types (the `PFN_WDF*` typedefs; first parameter DriverGlobals) ----
/// `wdfdriver.h:212`.
pub type PFN_WDFDRIVERCREATE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        DriverObject: PDRIVER_OBJECT,
        RegistryPath: PCUNICODE_STRING,
        DriverAttributes: PWDF_OBJECT_ATTRIBUTES,
        DriverConfig: PWDF_DRIVER_CONFIG,
        Driver: *mut WDFDRIVER,
    ) -> NTSTATUS,
>;
/// `wdfdriver.h:305`.
pub type PFN_WDFDRIVEROPENPARAMETERSREGISTRYKEY = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Driver: WDFDRIVER,
        DesiredAccess: ACCESS_MASK,
        KeyAttributes: PWDF_OBJECT_ATTRIBUTES,
        Key: *mut WDFKEY,
    ) -> NTSTATUS,
>;
/// `wdfcontrol.h:79`.
pub type PFN_WDFCONTROLDEVICEINITALLOCATE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Driver: WDFDRIVER,
        SDDLString: *const UNICODE_STRING,
    ) -> PWDFDEVICE_INIT,
>;
/// `wdfcontrol.h:142`.
pub type PFN_WDFCONTROLFINISHINITIALIZING =
    Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Device: WDFDEVICE)>;
/// `wdfdevice.h:2147`.
pub type PFN_WDFDEVICEWDMGETDEVICEOBJECT = Option<
    unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Device: WDFDEVICE) -> PDEVICE_OBJECT,
>;
/// `wdfdevice.h:2953`.
pub type PFN_WDFDEVICEINITFREE =
    Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, DeviceInit: PWDFDEVICE_INIT)>;
/// `wdfdevice.h:3315`.
pub type PFN_WDFDEVICEINITSETDEVICETYPE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        DeviceInit: PWDFDEVICE_INIT,
        DeviceType: DEVICE_TYPE,
    ),
>;
/// `wdfdevice.h:3435`.
pub type PFN_WDFDEVICEINITSETCHARACTERISTICS = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        DeviceInit: PWDFDEVICE_INIT,
        DeviceCharacteristics: ULONG,
        OrInValues: BOOLEAN,
    ),
>;
/// `wdfdevice.h:3639`.
pub type PFN_WDFDEVICECREATE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        DeviceInit: *mut PWDFDEVICE_INIT,
        DeviceAttributes: PWDF_OBJECT_ATTRIBUTES,
        Device: *mut WDFDEVICE,
    ) -> NTSTATUS,
>;
/// `wdfobject.h:756`.
pub type PFN_WDFOBJECTDELETE =
    Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Object: WDFOBJECT)>;
/// `wdfregistry.h:158`.
pub type PFN_WDFREGISTRYCLOSE =
    Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Key: WDFKEY)>;
/// `wdfregistry.h:183`.
pub type PFN_WDFREGISTRYWDMGETHANDLE =
    Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Key: WDFKEY) -> HANDLE>;
/// `wdfregistry.h:236`.
pub type PFN_WDFREGISTRYREMOVEVALUE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Key: WDFKEY,
        ValueName: PCUNICODE_STRING,
    ) -> NTSTATUS,
>;
/// `wdfregistry.h:267`.
pub type PFN_WDFREGISTRYQUERYVALUE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Key: WDFKEY,
        ValueName: PCUNICODE_STRING,
        ValueLength: ULONG,
        Value: PVOID,
        ValueLengthQueried: PULONG,
        ValueType: PULONG,
    ) -> NTSTATUS,
>;
/// `wdfregistry.h:511`.
pub type PFN_WDFREGISTRYASSIGNVALUE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Key: WDFKEY,
        ValueName: PCUNICODE_STRING,
        ValueType: ULONG,
        ValueLength: ULONG,
        Value: PVOID,
    ) -> NTSTATUS,
>;
/// `wdfsync.h:120`.
pub type PFN_WDFWAITLOCKCREATE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        LockAttributes: PWDF_OBJECT_ATTRIBUTES,
        Lock: *mut WDFWAITLOCK,
    ) -> NTSTATUS,
>;
/// `wdfsync.h:159`.
pub type PFN_WDFWAITLOCKACQUIRE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Lock: WDFWAITLOCK,
        Timeout: PLONGLONG,
    ) -> NTSTATUS,
>;
/// `wdfsync.h:195`.
pub type PFN_WDFWAITLOCKRELEASE =
    Option<unsafe extern "C" fn(DriverGlobals: PWDF_DRIVER_GLOBALS, Lock: WDFWAITLOCK)>;
/// `wdftimer.h:145`.
pub type PFN_WDFTIMERCREATE = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Config: PWDF_TIMER_CONFIG,
        Attributes: PWDF_OBJECT_ATTRIBUTES,
        Timer: *mut WDFTIMER,
    ) -> NTSTATUS,
>;
/// `wdftimer.h:179`.
pub type PFN_WDFTIMERSTART = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Timer: WDFTIMER,
        DueTime: LONGLONG,
    ) -> BOOLEAN,
>;
/// `wdftimer.h:209`.
pub type PFN_WDFTIMERSTOP = Option<
    unsafe extern "C" fn(
        DriverGlobals: PWDF_DRIVER_GLOBALS,
        Timer: WDFTIMER,
        Wait: BOOLEAN,
    ) -> BOOLEAN,
>;

/// The function table indices (`wdffuncenum.h`, KMDF 1.33: `typedef enum _WDFFUNCENUM` at line
/// 195; each constant's line is given). Only the functions the driver calls are listed; the
/// table itself has `WdfFunctionTableNumEntries` entries.
pub mod _WDFFUNCENUM {
    pub type Type = i32;
    /// line 222
    pub const WdfControlDeviceInitAllocateTableIndex: Type = 25;
    /// line 224
    pub const WdfControlFinishInitializingTableIndex: Type = 27;
    /// line 228
    pub const WdfDeviceWdmGetDeviceObjectTableIndex: Type = 31;
    /// line 251
    pub const WdfDeviceInitFreeTableIndex: Type = 54;
    /// line 263
    pub const WdfDeviceInitSetDeviceTypeTableIndex: Type = 66;
    /// line 267
    pub const WdfDeviceInitSetCharacteristicsTableIndex: Type = 70;
    /// line 272
    pub const WdfDeviceCreateTableIndex: Type = 75;
    /// line 313
    pub const WdfDriverCreateTableIndex: Type = 116;
    /// line 316
    pub const WdfDriverOpenParametersRegistryKeyTableIndex: Type = 119;
    /// line 405
    pub const WdfObjectDeleteTableIndex: Type = 208;
    /// line 428
    pub const WdfRegistryCloseTableIndex: Type = 231;
    /// line 429
    pub const WdfRegistryWdmGetHandleTableIndex: Type = 232;
    /// line 431
    pub const WdfRegistryRemoveValueTableIndex: Type = 234;
    /// line 432
    pub const WdfRegistryQueryValueTableIndex: Type = 235;
    /// line 438
    pub const WdfRegistryAssignValueTableIndex: Type = 241;
    /// line 509
    pub const WdfWaitLockCreateTableIndex: Type = 312;
    /// line 510
    pub const WdfWaitLockAcquireTableIndex: Type = 313;
    /// line 511
    pub const WdfWaitLockReleaseTableIndex: Type = 314;
    /// line 515
    pub const WdfTimerCreateTableIndex: Type = 318;
    /// line 516
    pub const WdfTimerStartTableIndex: Type = 319;
    /// line 517
    pub const WdfTimerStopTableIndex: Type = 320;
    /// line 655
    pub const WdfFunctionTableNumEntries: Type = 458;
}
