//! `wdk-sys` 0.5.2 for the Linux check of `connsec.sys`: the items `driver/src` uses, with the
//! same names, types and paths as the real crate, so that `driver/src` compiles unchanged.
//!
//! - `types.rs`: base types, KMDF structures and the `PFN_WDF*` function types transcribed
//!   from KMDF 1.33's public headers (file:line on each), and the `_WDFFUNCENUM` indices;
//! - WDF functions are called through the real `call_unsafe_wdf_function_binding!` of
//!   wdk-macros 0.5.2 (re-exported as `__proc_macros`, as wdk-sys does), which reads
//!   `types.rs` and indexes [`WdfFunctions`]; the simulator fills that table
//!   (`sim/src/wdf.rs`), as `WdfVersionBind` fills the real one at load;
//! - `ntddk`: the kernel routines the driver and `wdk-alloc` import (`ExAllocatePool2`,
//!   `ExFreePool`, `RtlLengthSecurityDescriptor`, `KeGetCurrentIrql`, `ZwFlushKey`), declared
//!   `extern "C"` exactly as wdk-sys' generated `ntddk.rs` declares them; the simulator defines
//!   them (`#[no_mangle]`);
//! - constants: the values of wdk-sys 0.5.2's `constants.rs`, each checked against
//!   windows-sys (Microsoft's metadata) at compile time below.
#![no_std]
#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    missing_docs,
    unreachable_pub,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    clippy::cargo,
    reason = "C names and shapes, as wdk-sys' bindgen output"
)]

mod types;
pub use types::*;

pub use wdk_macros as __proc_macros;

include!(concat!(
    env!("OUT_DIR"),
    "/call_unsafe_wdf_function_binding.rs"
));

/// The WDF function table (`WdfFunctions_01033` in a real KMDF 1.33 driver, filled by the
/// framework's loader). Set by the simulator before `DriverEntry`.
pub static mut WdfFunctions: *const WDFFUNC = core::ptr::null();
/// The driver's `WDF_DRIVER_GLOBALS` (filled by the framework's loader; the simulator sets it).
pub static mut WdfDriverGlobals: PWDF_DRIVER_GLOBALS = core::ptr::null_mut();

/// What the macro's expansion reaches for the table length (`wdk_sys::wdf::__private`).
pub mod wdf {
    #[doc(hidden)]
    pub mod __private {
        /// The number of entries in [`crate::WdfFunctions`] (KMDF 1.33).
        #[must_use]
        pub fn get_wdf_function_count() -> usize {
            crate::_WDFFUNCENUM::WdfFunctionTableNumEntries as usize
        }
    }
}

/// Kernel routines (`wdm.h`/`ntddk.h`/`ntifs.h`), as wdk-sys' generated `ntddk.rs` declares them.
pub mod ntddk {
    use super::*;
    unsafe extern "C" {
        /// `ExAllocatePool2` (`wdm.h`, Windows 10 2004+).
        pub fn ExAllocatePool2(Flags: POOL_FLAGS, NumberOfBytes: SIZE_T, Tag: ULONG) -> PVOID;
        /// `ExFreePool` (`wdm.h`).
        pub fn ExFreePool(P: PVOID);
        /// `RtlLengthSecurityDescriptor` (`ntddk.h`).
        pub fn RtlLengthSecurityDescriptor(SecurityDescriptor: PSECURITY_DESCRIPTOR) -> ULONG;
        /// `KeGetCurrentIrql` (`wdm.h`; an intrinsic on x64, a function here).
        pub fn KeGetCurrentIrql() -> KIRQL;
        /// `ZwFlushKey` (`wdm.h`).
        pub fn ZwFlushKey(KeyHandle: HANDLE) -> NTSTATUS;
    }
}

// Constants (wdk-sys 0.5.2 `constants.rs` / `src/constants.rs` `mod wdf`).
pub const WDF_NO_OBJECT_ATTRIBUTES: PWDF_OBJECT_ATTRIBUTES = core::ptr::null_mut();
pub const WDF_NO_HANDLE: PVOID = core::ptr::null_mut();
pub const POOL_FLAG_NON_PAGED: POOL_FLAGS = 0x40;
pub const KEY_QUERY_VALUE: u32 = 0x0001;
pub const KEY_SET_VALUE: u32 = 0x0002;
pub const REG_NONE: u32 = 0;
pub const REG_SZ: u32 = 1;
pub const REG_BINARY: u32 = 3;
pub const REG_DWORD: u32 = 4;
pub const REG_MULTI_SZ: u32 = 7;
pub const FILE_DEVICE_NETWORK: u32 = 0x12;
pub const FILE_DEVICE_SECURE_OPEN: u32 = 0x100;
pub const PASSIVE_LEVEL: u32 = 0;
pub const APC_LEVEL: u32 = 1;
pub const DISPATCH_LEVEL: u32 = 2;
pub const STATUS_SUCCESS: NTSTATUS = 0;
pub const STATUS_BUFFER_OVERFLOW: NTSTATUS = 0x8000_0005_u32 as NTSTATUS;
pub const STATUS_UNSUCCESSFUL: NTSTATUS = 0xC000_0001_u32 as NTSTATUS;
pub const STATUS_INVALID_PARAMETER: NTSTATUS = 0xC000_000D_u32 as NTSTATUS;
pub const STATUS_ACCESS_DENIED: NTSTATUS = 0xC000_0022_u32 as NTSTATUS;
pub const STATUS_BUFFER_TOO_SMALL: NTSTATUS = 0xC000_0023_u32 as NTSTATUS;
pub const STATUS_OBJECT_TYPE_MISMATCH: NTSTATUS = 0xC000_0024_u32 as NTSTATUS;
pub const STATUS_OBJECT_NAME_NOT_FOUND: NTSTATUS = 0xC000_0034_u32 as NTSTATUS;
pub const STATUS_INSUFFICIENT_RESOURCES: NTSTATUS = 0xC000_009A_u32 as NTSTATUS;
pub const STATUS_INTERNAL_ERROR: NTSTATUS = 0xC000_00E5_u32 as NTSTATUS;
pub const STATUS_INVALID_SECURITY_DESCR: NTSTATUS = 0xC000_0079_u32 as NTSTATUS;
pub const STATUS_INVALID_DEVICE_STATE: NTSTATUS = 0xC000_0184_u32 as NTSTATUS;
pub const STATUS_DEVICE_BUSY: NTSTATUS = 0x8000_0011_u32 as NTSTATUS;

/// `NT_SUCCESS` (`ntdef.h`); wdk-sys 0.5.2 writes it as a `const fn`.
#[must_use]
pub const fn NT_SUCCESS(nt_status: NTSTATUS) -> bool {
    nt_status >= 0
}

/// wdk-sys 0.5.2's `PAGED_CODE!` (its `src/lib.rs`), re-exported by wdk as `paged_code!`.
#[macro_export]
macro_rules! PAGED_CODE {
    () => {
        debug_assert!(unsafe { $crate::ntddk::KeGetCurrentIrql() <= $crate::APC_LEVEL as u8 });
    };
}

// ---- Checks against Microsoft's own declarations (windows-sys 0.61, generated from the
//      Windows metadata), and the KMDF layouts (x64) from the headers' declarations ----
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    use windows_sys::Win32::Foundation as f;
    assert!(size_of::<UNICODE_STRING>() == size_of::<f::UNICODE_STRING>());
    assert!(offset_of!(UNICODE_STRING, Buffer) == offset_of!(f::UNICODE_STRING, Buffer));
    assert!(offset_of!(UNICODE_STRING, MaximumLength) == 2);
    let statuses: [(NTSTATUS, f::NTSTATUS); 14] = [
        (STATUS_OBJECT_TYPE_MISMATCH, f::STATUS_OBJECT_TYPE_MISMATCH),
        (STATUS_SUCCESS, f::STATUS_SUCCESS),
        (STATUS_BUFFER_OVERFLOW, f::STATUS_BUFFER_OVERFLOW),
        (STATUS_UNSUCCESSFUL, f::STATUS_UNSUCCESSFUL),
        (STATUS_INVALID_PARAMETER, f::STATUS_INVALID_PARAMETER),
        (STATUS_ACCESS_DENIED, f::STATUS_ACCESS_DENIED),
        (STATUS_BUFFER_TOO_SMALL, f::STATUS_BUFFER_TOO_SMALL),
        (
            STATUS_OBJECT_NAME_NOT_FOUND,
            f::STATUS_OBJECT_NAME_NOT_FOUND,
        ),
        (
            STATUS_INSUFFICIENT_RESOURCES,
            f::STATUS_INSUFFICIENT_RESOURCES,
        ),
        (STATUS_INTERNAL_ERROR, f::STATUS_INTERNAL_ERROR),
        (
            STATUS_INVALID_SECURITY_DESCR,
            f::STATUS_INVALID_SECURITY_DESCR,
        ),
        (STATUS_INVALID_DEVICE_STATE, f::STATUS_INVALID_DEVICE_STATE),
        (STATUS_DEVICE_BUSY, f::STATUS_DEVICE_BUSY),
        (STATUS_SUCCESS, f::S_OK),
    ];
    let mut i = 0;
    while i < statuses.len() {
        assert!(statuses[i].0 == statuses[i].1);
        i += 1;
    }
    // WDF_OBJECT_ATTRIBUTES (wdfobject.h:100): 56 bytes.
    assert!(size_of::<WDF_OBJECT_ATTRIBUTES>() == 56);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, ExecutionLevel) == 24);
    assert!(offset_of!(WDF_OBJECT_ATTRIBUTES, ParentObject) == 32);
    // WDF_DRIVER_CONFIG (wdfdriver.h:121): 32 bytes.
    assert!(size_of::<WDF_DRIVER_CONFIG>() == 32);
    assert!(offset_of!(WDF_DRIVER_CONFIG, EvtDriverUnload) == 16);
    assert!(offset_of!(WDF_DRIVER_CONFIG, DriverInitFlags) == 24);
    // WDF_TIMER_CONFIG (wdftimer.h:75, KMDF 1.33): 40 bytes, UseHighResolutionTimer at 32.
    assert!(size_of::<WDF_TIMER_CONFIG>() == 40 && align_of::<WDF_TIMER_CONFIG>() == 8);
    assert!(offset_of!(WDF_TIMER_CONFIG, EvtTimerFunc) == 8);
    assert!(offset_of!(WDF_TIMER_CONFIG, Period) == 16);
    assert!(offset_of!(WDF_TIMER_CONFIG, AutomaticSerialization) == 20);
    assert!(offset_of!(WDF_TIMER_CONFIG, TolerableDelay) == 24);
    assert!(offset_of!(WDF_TIMER_CONFIG, UseHighResolutionTimer) == 32);
};
