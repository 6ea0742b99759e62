//! Stand-in for `wdk-sys` 0.5.2, for the Linux type check only (see ../../README.md).
//!
//! Only the items `driver/src` uses, shaped like wdk-sys' bindgen output: C names, `ULONG` =
//! `u32`, C enums as modules of `i32` constants, WDF functions reached through
//! `call_unsafe_wdf_function_binding!` with the C parameters minus `DriverGlobals`. The
//! prototypes follow the WDK DDI pages (`wdfdriver.h`, `wdfcontrol.h`, `wdfdevice.h`,
//! `wdfregistry.h`, `wdfsync.h`, `wdfobject.h`, `wdftimer.h`, `ntifs.h`); the `STATUS_*` values
//! are the ones wdk-sys 0.5.2 lists in `src/constants.rs`. Nothing here is executed.
//!
//! Where each shape was checked against the released crates (their crates.io sources):
//! - top-level types and constants: wdk-sys 0.5.2 `src/lib.rs` re-exports
//!   `constants::*` and `types::*` at the crate root; `WDF_NO_OBJECT_ATTRIBUTES`/`WDF_NO_HANDLE`
//!   are its hand-written `src/constants.rs` `mod wdf` (null pointers of the C types);
//! - C enums as `mod _TAG { pub type Type = i32; … }`: wdk-build 0.6.0 `src/bindgen.rs`
//!   `default_enum_style(EnumVariation::ModuleConsts)`; MSVC enums are `int`;
//! - `ntddk::*` functions: wdk-sys 0.5.2 `src/ntddk.rs` (bindings of the Base headers, types
//!   from the crate root);
//! - `call_unsafe_wdf_function_binding!`: wdk-macros 0.5.2 `src/lib.rs` generates an
//!   `unsafe fn` taking the C parameters without `DriverGlobals` (passed implicitly as
//!   `wdk_sys::WdfDriverGlobals`), `#[must_use]` when it returns a value; trailing commas parse;
//! - `PAGED_CODE!`: wdk-sys 0.5.2 `src/lib.rs` (`debug_assert!` on `KeGetCurrentIrql() <=
//!   APC_LEVEL`), re-exported by wdk 0.5.0 as `wdk::paged_code`.
#![no_std]
#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    clippy::all,
    missing_docs
)]
use core::ffi::c_void;
pub type NTSTATUS = i32;
pub type ULONG = u32;
pub type USHORT = u16;
pub type BOOLEAN = u8;
pub type WCHAR = u16;
pub type PWCH = *mut WCHAR;
pub type PVOID = *mut c_void;
pub type PULONG = *mut ULONG;
pub type LONGLONG = i64;
pub type PLONGLONG = *mut LONGLONG;
pub type ACCESS_MASK = ULONG;
pub type DEVICE_TYPE = ULONG;
pub type PSECURITY_DESCRIPTOR = PVOID;
pub type HANDLE = PVOID;
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _UNICODE_STRING {
    pub Length: USHORT,
    pub MaximumLength: USHORT,
    pub Buffer: PWCH,
}
pub type UNICODE_STRING = _UNICODE_STRING;
pub type PCUNICODE_STRING = *const UNICODE_STRING;
#[repr(C)]
pub struct _DRIVER_OBJECT {
    _p: u8,
}
pub type DRIVER_OBJECT = _DRIVER_OBJECT;
pub type PDRIVER_OBJECT = *mut DRIVER_OBJECT;
#[repr(C)]
pub struct _DEVICE_OBJECT {
    _p: u8,
}
pub type DEVICE_OBJECT = _DEVICE_OBJECT;
pub type PDEVICE_OBJECT = *mut DEVICE_OBJECT;
#[repr(C)]
pub struct WDFDRIVER__ {
    pub unused: i32,
}
pub type WDFDRIVER = *mut WDFDRIVER__;
#[repr(C)]
pub struct WDFDEVICE__ {
    pub unused: i32,
}
pub type WDFDEVICE = *mut WDFDEVICE__;
#[repr(C)]
pub struct WDFKEY__ {
    pub unused: i32,
}
pub type WDFKEY = *mut WDFKEY__;
#[repr(C)]
pub struct WDFWAITLOCK__ {
    pub unused: i32,
}
pub type WDFWAITLOCK = *mut WDFWAITLOCK__;
pub type WDFOBJECT = *mut c_void;
#[repr(C)]
pub struct WDFDEVICE_INIT {
    _p: u8,
}
pub type PWDFDEVICE_INIT = *mut WDFDEVICE_INIT;
/// `wdfobject.h`.
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct _WDF_OBJECT_ATTRIBUTES {
    pub Size: ULONG,
    pub EvtCleanupCallback: Option<unsafe extern "C" fn(Object: WDFOBJECT)>,
    pub EvtDestroyCallback: Option<unsafe extern "C" fn(Object: WDFOBJECT)>,
    pub ExecutionLevel: _WDF_EXECUTION_LEVEL::Type,
    pub SynchronizationScope: _WDF_SYNCHRONIZATION_SCOPE::Type,
    pub ParentObject: WDFOBJECT,
    pub ContextSizeOverride: usize,
    pub ContextTypeInfo: *const c_void,
}
impl Default for _WDF_OBJECT_ATTRIBUTES {
    fn default() -> Self {
        // SAFETY: all-zero is a valid value of every field (bindgen's own Default does this).
        unsafe { core::mem::zeroed() }
    }
}
pub type WDF_OBJECT_ATTRIBUTES = _WDF_OBJECT_ATTRIBUTES;
pub type PWDF_OBJECT_ATTRIBUTES = *mut WDF_OBJECT_ATTRIBUTES;
pub type PFN_WDF_DRIVER_DEVICE_ADD =
    Option<unsafe extern "C" fn(Driver: WDFDRIVER, DeviceInit: PWDFDEVICE_INIT) -> NTSTATUS>;
pub type PFN_WDF_DRIVER_UNLOAD = Option<unsafe extern "C" fn(Driver: WDFDRIVER)>;
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
pub mod _WDF_DRIVER_INIT_FLAGS {
    pub type Type = i32;
    pub const WdfDriverInitNonPnpDriver: Type = 1;
}
pub const WDF_NO_OBJECT_ATTRIBUTES: PWDF_OBJECT_ATTRIBUTES = core::ptr::null_mut();
pub const WDF_NO_HANDLE: PVOID = core::ptr::null_mut();
pub const KEY_QUERY_VALUE: u32 = 1;
pub const KEY_SET_VALUE: u32 = 2;
pub const REG_BINARY: u32 = 3;
pub const FILE_DEVICE_NETWORK: u32 = 0x12;
pub const FILE_DEVICE_SECURE_OPEN: u32 = 0x100;
pub const APC_LEVEL: u32 = 1;
pub const STATUS_SUCCESS: NTSTATUS = 0;
pub const STATUS_BUFFER_OVERFLOW: NTSTATUS = -2_147_483_643_i32;
pub const STATUS_BUFFER_TOO_SMALL: NTSTATUS = -1_073_741_789_i32;
pub const STATUS_OBJECT_NAME_NOT_FOUND: NTSTATUS = -1_073_741_772_i32;
pub const STATUS_OBJECT_TYPE_MISMATCH: NTSTATUS = -1_073_741_788_i32;
pub const STATUS_INSUFFICIENT_RESOURCES: NTSTATUS = -1_073_741_670_i32;
pub const STATUS_INVALID_PARAMETER: NTSTATUS = -1_073_741_811_i32;
pub const STATUS_INVALID_DEVICE_STATE: NTSTATUS = -1_073_741_436_i32;
pub const STATUS_INTERNAL_ERROR: NTSTATUS = -1_073_741_595_i32;
pub const STATUS_INVALID_SECURITY_DESCR: NTSTATUS = -1_073_741_703_i32;
#[must_use]
pub const fn NT_SUCCESS(s: NTSTATUS) -> bool {
    s >= 0
}
pub mod ntddk {
    use super::*;
    pub unsafe fn RtlLengthSecurityDescriptor(_sd: PSECURITY_DESCRIPTOR) -> ULONG {
        0
    }
    pub unsafe fn KeGetCurrentIrql() -> u8 {
        0
    }
    /// `wdm.h`: `NTSYSAPI NTSTATUS ZwFlushKey(HANDLE KeyHandle)`.
    pub unsafe fn ZwFlushKey(_k: HANDLE) -> NTSTATUS {
        0
    }
}
#[repr(C)]
pub struct WDFTIMER__ {
    pub unused: i32,
}
pub type WDFTIMER = *mut WDFTIMER__;
pub type PFN_WDF_TIMER = Option<unsafe extern "C" fn(Timer: WDFTIMER)>;
pub mod _WDF_EXECUTION_LEVEL {
    pub type Type = i32;
    pub const WdfExecutionLevelInvalid: Type = 0;
    pub const WdfExecutionLevelInheritFromParent: Type = 1;
    pub const WdfExecutionLevelPassive: Type = 2;
    pub const WdfExecutionLevelDispatch: Type = 3;
}
pub mod _WDF_SYNCHRONIZATION_SCOPE {
    pub type Type = i32;
    pub const WdfSynchronizationScopeInvalid: Type = 0;
    pub const WdfSynchronizationScopeInheritFromParent: Type = 1;
    pub const WdfSynchronizationScopeDevice: Type = 2;
    pub const WdfSynchronizationScopeQueue: Type = 3;
    pub const WdfSynchronizationScopeNone: Type = 4;
}
pub mod _WDF_TRI_STATE {
    pub type Type = i32;
    pub const WdfFalse: Type = 0;
    pub const WdfTrue: Type = 1;
    pub const WdfUseDefault: Type = 2;
}
/// `wdftimer.h` (KMDF 1.33).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _WDF_TIMER_CONFIG {
    pub Size: ULONG,
    pub EvtTimerFunc: PFN_WDF_TIMER,
    pub Period: ULONG,
    pub AutomaticSerialization: BOOLEAN,
    pub TolerableDelay: ULONG,
    pub UseHighResolutionTimer: _WDF_TRI_STATE::Type,
}
pub type WDF_TIMER_CONFIG = _WDF_TIMER_CONFIG;
pub type PWDF_TIMER_CONFIG = *mut WDF_TIMER_CONFIG;

#[doc(hidden)]
pub mod wdf_stubs {
    //! What `call_unsafe_wdf_function_binding!` calls. wdk-macros 0.5.2 marks the generated
    //! function `#[must_use]` when it returns a value, so these do too.
    use super::*;
    #[must_use]
    pub unsafe fn WdfDriverCreate(
        _d: PDRIVER_OBJECT,
        _r: PCUNICODE_STRING,
        _a: PWDF_OBJECT_ATTRIBUTES,
        _c: *mut WDF_DRIVER_CONFIG,
        _h: *mut WDFDRIVER,
    ) -> NTSTATUS {
        0
    }
    #[must_use]
    pub unsafe fn WdfControlDeviceInitAllocate(
        _d: WDFDRIVER,
        _s: PCUNICODE_STRING,
    ) -> PWDFDEVICE_INIT {
        core::ptr::null_mut()
    }
    pub unsafe fn WdfDeviceInitSetDeviceType(_i: PWDFDEVICE_INIT, _t: DEVICE_TYPE) {}
    pub unsafe fn WdfDeviceInitSetCharacteristics(_i: PWDFDEVICE_INIT, _c: ULONG, _o: BOOLEAN) {}
    #[must_use]
    pub unsafe fn WdfDeviceCreate(
        _i: *mut PWDFDEVICE_INIT,
        _a: PWDF_OBJECT_ATTRIBUTES,
        _d: *mut WDFDEVICE,
    ) -> NTSTATUS {
        0
    }
    pub unsafe fn WdfDeviceInitFree(_i: PWDFDEVICE_INIT) {}
    pub unsafe fn WdfControlFinishInitializing(_d: WDFDEVICE) {}
    #[must_use]
    pub unsafe fn WdfDeviceWdmGetDeviceObject(_d: WDFDEVICE) -> PDEVICE_OBJECT {
        core::ptr::null_mut()
    }
    pub unsafe fn WdfObjectDelete(_o: WDFOBJECT) {}
    #[must_use]
    pub unsafe fn WdfDriverOpenParametersRegistryKey(
        _d: WDFDRIVER,
        _m: ACCESS_MASK,
        _a: PWDF_OBJECT_ATTRIBUTES,
        _k: *mut WDFKEY,
    ) -> NTSTATUS {
        0
    }
    #[must_use]
    pub unsafe fn WdfRegistryQueryValue(
        _k: WDFKEY,
        _n: PCUNICODE_STRING,
        _l: ULONG,
        _v: PVOID,
        _q: PULONG,
        _t: PULONG,
    ) -> NTSTATUS {
        0
    }
    pub unsafe fn WdfRegistryClose(_k: WDFKEY) {}
    #[must_use]
    pub unsafe fn WdfRegistryAssignValue(
        _k: WDFKEY,
        _n: PCUNICODE_STRING,
        _t: ULONG,
        _l: ULONG,
        _v: PVOID,
    ) -> NTSTATUS {
        0
    }
    #[must_use]
    pub unsafe fn WdfRegistryRemoveValue(_k: WDFKEY, _n: PCUNICODE_STRING) -> NTSTATUS {
        0
    }
    #[must_use]
    pub unsafe fn WdfRegistryWdmGetHandle(_k: WDFKEY) -> HANDLE {
        core::ptr::null_mut()
    }
    #[must_use]
    pub unsafe fn WdfWaitLockCreate(_a: PWDF_OBJECT_ATTRIBUTES, _l: *mut WDFWAITLOCK) -> NTSTATUS {
        0
    }
    #[must_use]
    pub unsafe fn WdfWaitLockAcquire(_l: WDFWAITLOCK, _t: PLONGLONG) -> NTSTATUS {
        0
    }
    #[must_use]
    pub unsafe fn WdfTimerCreate(
        _c: PWDF_TIMER_CONFIG,
        _a: PWDF_OBJECT_ATTRIBUTES,
        _t: *mut WDFTIMER,
    ) -> NTSTATUS {
        0
    }
    #[must_use]
    pub unsafe fn WdfTimerStart(_t: WDFTIMER, _due: LONGLONG) -> BOOLEAN {
        0
    }
    #[must_use]
    pub unsafe fn WdfTimerStop(_t: WDFTIMER, _wait: BOOLEAN) -> BOOLEAN {
        0
    }
    pub unsafe fn WdfWaitLockRelease(_l: WDFWAITLOCK) {}
}
#[macro_export]
macro_rules! call_unsafe_wdf_function_binding {
    ($name:ident $(, $arg:expr)* $(,)?) => { $crate::wdf_stubs::$name($($arg),*) };
}
#[macro_export]
macro_rules! PAGED_CODE {
    () => {
        debug_assert!(unsafe { $crate::ntddk::KeGetCurrentIrql() <= $crate::APC_LEVEL as u8 });
    };
}
