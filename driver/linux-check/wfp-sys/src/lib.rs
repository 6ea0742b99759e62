//! `connsec-wfp-sys` for the Linux check: the same module the driver sees on Windows
//! (`crate::wfp`), built from three sources, each checked:
//!
//! 1. **Generated** (`build.rs`): bindgen over mingw-w64's `fwptypes.h`/`fwpmtypes.h` for
//!    `x86_64-pc-windows-msvc`, from the lists in `driver/wfp-sys/lists.rs` (the real build's
//!    lists): `GUID`, `SID`, `ACL`, `FWP_VALUE0`, `FWPM_SESSION0`, `FWPM_PROVIDER0`,
//!    `FWPM_SUBLAYER0`, `FWPM_CALLOUT0`, `FWPM_FILTER0`, `FWP_ACTION_*`, … Bindgen's layout
//!    assertions check them against clang's view of those headers, and the assertions below
//!    against windows-sys 0.61 (Microsoft's metadata).
//! 2. **Kernel `Fwpm*` prototypes and the `fwpmk.h`/`fwpmu.h` items mingw lacks**
//!    (`FWPM_SERVICE_STATE`, the session and filter flags): declared here, and each compared
//!    with windows-sys' `Wdk::NetworkManagement::WindowsFilteringPlatform` declaration: same
//!    arity, and the same size and alignment for every parameter and the result (`check_fn!`),
//!    the constants by value. A pointer parameter is compared as a pointer (its pointee is a
//!    different nominal type in windows-sys); the pointed-to structures are compared field by
//!    field (`check_struct!`).
//! 3. **`FWPS_*` (`fwpsk.h`)**, which no package here ships: declared here with every size and
//!    field offset the driver relies on pinned as compile-time assertions, from Microsoft's
//!    documented declarations (the `FWPS_CALLOUT3`, `FWPS_FILTER3`, `FWPS_CLASSIFY_OUT0` and
//!    `FWPS_ACTION0` DDI pages, x64).
//!
//! The simulator (`sim/`) defines every function declared here (`#[no_mangle]`).
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
    reason = "C names and shapes, as bindgen emits them"
)]

use core::ffi::c_void;

pub use bindings::*;

#[allow(
    unsafe_op_in_unsafe_fn,
    unused_qualifications,
    trivial_numeric_casts,
    unnecessary_transmutes,
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block,
    reason = "bindgen output"
)]
mod bindings {
    include!(concat!(env!("OUT_DIR"), "/wfp.rs"));
}

/// The C scalar types of `x86_64-pc-windows-msvc` (LLP64), which the generated code uses in
/// place of `core::ffi`'s (those are the host's, and Linux is LP64: `long` is 64 bits there).
pub mod ctypes {
    pub type c_char = i8;
    pub type c_schar = i8;
    pub type c_uchar = u8;
    pub type c_short = i16;
    pub type c_ushort = u16;
    pub type c_int = i32;
    pub type c_uint = u32;
    pub type c_long = i32;
    pub type c_ulong = u32;
    pub type c_longlong = i64;
    pub type c_ulonglong = u64;
    pub type c_float = f32;
    pub type c_double = f64;
    pub type c_void = core::ffi::c_void;
}

/// `RPC_C_AUTHN_WINNT` (`rpcdce.h`), as the real crate spells it out.
pub const RPC_C_AUTHN_WINNT: u32 = 10;

// ---- 2. What mingw's headers lack (`fwpmk.h`, `fwpmu.h`, `ntdef.h`) ----
pub type NTSTATUS = i32;
pub type BOOL = i32;
/// `FWPM_SERVICE_STATE` (`fwpmtypes.h` in the SDK).
pub mod FWPM_SERVICE_STATE_ {
    pub type Type = i32;
    pub const FWPM_SERVICE_STOPPED: Type = 0;
    pub const FWPM_SERVICE_START_PENDING: Type = 1;
    pub const FWPM_SERVICE_STOP_PENDING: Type = 2;
    pub const FWPM_SERVICE_RUNNING: Type = 3;
    pub const FWPM_SERVICE_STATE_MAX: Type = 4;
}
pub use self::FWPM_SERVICE_STATE_::Type as FWPM_SERVICE_STATE;
/// `FWPM_SERVICE_STATE_CHANGE_CALLBACK0` (`fwpmk.h`).
pub type FWPM_SERVICE_STATE_CHANGE_CALLBACK0 =
    Option<unsafe extern "C" fn(context: *mut c_void, newState: FWPM_SERVICE_STATE)>;
pub const FWPM_SESSION_FLAG_DYNAMIC: u32 = 0x0000_0001;
pub const FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED: u32 = 0x0000_0010;
pub const FWPM_TXN_READ_ONLY: u32 = 0x0000_0001;

unsafe extern "C" {
    // fwpmk.h (kernel). Each is checked against windows-sys by `check_fn!` below.
    pub fn FwpmEngineOpen0(
        serverName: *const wchar_t,
        authnService: UINT32,
        authIdentity: *mut SEC_WINNT_AUTH_IDENTITY_W,
        session: *const FWPM_SESSION0,
        engineHandle: *mut HANDLE,
    ) -> NTSTATUS;
    pub fn FwpmEngineClose0(engineHandle: HANDLE) -> NTSTATUS;
    pub fn FwpmFreeMemory0(p: *mut *mut c_void);
    pub fn FwpmConnectionGetSecurityInfo0(
        engineHandle: HANDLE,
        securityInfo: SECURITY_INFORMATION,
        sidOwner: *mut PSID,
        sidGroup: *mut PSID,
        dacl: *mut PACL,
        sacl: *mut PACL,
        securityDescriptor: *mut PSECURITY_DESCRIPTOR,
    ) -> NTSTATUS;
    pub fn FwpmConnectionSetSecurityInfo0(
        engineHandle: HANDLE,
        securityInfo: SECURITY_INFORMATION,
        sidOwner: *const SID,
        sidGroup: *const SID,
        dacl: *const ACL,
        sacl: *const ACL,
    ) -> NTSTATUS;
    pub fn FwpmBfeStateGet0() -> FWPM_SERVICE_STATE;
    pub fn FwpmBfeStateSubscribeChanges0(
        deviceObject: *mut c_void,
        callback: FWPM_SERVICE_STATE_CHANGE_CALLBACK0,
        context: *mut c_void,
        changeHandle: *mut HANDLE,
    ) -> NTSTATUS;
    pub fn FwpmBfeStateUnsubscribeChanges0(changeHandle: HANDLE) -> NTSTATUS;
    pub fn FwpmTransactionBegin0(engineHandle: HANDLE, flags: UINT32) -> NTSTATUS;
    pub fn FwpmTransactionCommit0(engineHandle: HANDLE) -> NTSTATUS;
    pub fn FwpmTransactionAbort0(engineHandle: HANDLE) -> NTSTATUS;
    pub fn FwpmProviderAdd0(
        engineHandle: HANDLE,
        provider: *const FWPM_PROVIDER0,
        sd: PSECURITY_DESCRIPTOR,
    ) -> NTSTATUS;
    pub fn FwpmProviderDeleteByKey0(engineHandle: HANDLE, key: *const GUID) -> NTSTATUS;
    pub fn FwpmSubLayerAdd0(
        engineHandle: HANDLE,
        subLayer: *const FWPM_SUBLAYER0,
        sd: PSECURITY_DESCRIPTOR,
    ) -> NTSTATUS;
    pub fn FwpmSubLayerDeleteByKey0(engineHandle: HANDLE, key: *const GUID) -> NTSTATUS;
    pub fn FwpmCalloutAdd0(
        engineHandle: HANDLE,
        callout: *const FWPM_CALLOUT0,
        sd: PSECURITY_DESCRIPTOR,
        id: *mut UINT32,
    ) -> NTSTATUS;
    pub fn FwpmCalloutDeleteByKey0(engineHandle: HANDLE, key: *const GUID) -> NTSTATUS;
    pub fn FwpmFilterAdd0(
        engineHandle: HANDLE,
        filter: *const FWPM_FILTER0,
        sd: PSECURITY_DESCRIPTOR,
        id: *mut UINT64,
    ) -> NTSTATUS;
    pub fn FwpmFilterDeleteByKey0(engineHandle: HANDLE, key: *const GUID) -> NTSTATUS;
    // fwpsk.h (kernel only; no package declares these).
    pub fn FwpsCalloutRegister3(
        deviceObject: *mut c_void,
        callout: *const FWPS_CALLOUT3,
        calloutId: *mut UINT32,
    ) -> NTSTATUS;
    pub fn FwpsCalloutUnregisterById0(calloutId: UINT32) -> NTSTATUS;
    pub fn FwpsCalloutUnregisterByKey0(calloutKey: *const GUID) -> NTSTATUS;
}

// ---- 3. fwpsk.h ----
/// `FWPS_RIGHT_ACTION_WRITE` (`fwpsk.h`).
pub const FWPS_RIGHT_ACTION_WRITE: u32 = 0x0000_0001;
/// Opaque (`lists.rs`: the driver only passes these pointers through).
#[repr(C)]
pub struct FWPS_INCOMING_VALUES0_ {
    _opaque: [u8; 0],
}
pub type FWPS_INCOMING_VALUES0 = FWPS_INCOMING_VALUES0_;
#[repr(C)]
pub struct FWPS_INCOMING_METADATA_VALUES0_ {
    _opaque: [u8; 0],
}
pub type FWPS_INCOMING_METADATA_VALUES0 = FWPS_INCOMING_METADATA_VALUES0_;
/// Reached only through `FWPS_FILTER3.filterCondition`, never followed.
#[repr(C)]
pub struct FWPS_FILTER_CONDITION0_ {
    _opaque: [u8; 0],
}
pub type FWPS_FILTER_CONDITION0 = FWPS_FILTER_CONDITION0_;
/// `FWPS_ACTION0`: `{ FWP_ACTION_TYPE type; UINT32 calloutId; }`.
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct FWPS_ACTION0_ {
    pub type_: FWP_ACTION_TYPE,
    pub calloutId: UINT32,
}
pub type FWPS_ACTION0 = FWPS_ACTION0_;
/// `FWPS_FILTER3` (the "FWPS_FILTER3 structure (fwpstypes.h)" page; Windows 10 1709+).
/// `providerContext` is an `FWPM_PROVIDER_CONTEXT3*` there; the driver never follows it.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWPS_FILTER3_ {
    pub filterId: UINT64,
    pub weight: FWP_VALUE0,
    pub subLayerWeight: UINT16,
    pub flags: UINT16,
    pub numFilterConditions: UINT32,
    pub filterCondition: *mut FWPS_FILTER_CONDITION0,
    pub action: FWPS_ACTION0,
    pub context: UINT64,
    pub providerContext: *mut c_void,
}
pub type FWPS_FILTER3 = FWPS_FILTER3_;
/// `FWPS_CLASSIFY_OUT0` (the "FWPS_CLASSIFY_OUT0 structure (fwpstypes.h)" page).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct FWPS_CLASSIFY_OUT0_ {
    pub actionType: FWP_ACTION_TYPE,
    pub outContext: UINT64,
    pub filterId: UINT64,
    pub rights: UINT32,
    pub flags: UINT32,
    pub reserved: UINT32,
}
pub type FWPS_CLASSIFY_OUT0 = FWPS_CLASSIFY_OUT0_;
/// `FWPS_CALLOUT_NOTIFY_TYPE`.
pub mod FWPS_CALLOUT_NOTIFY_TYPE_ {
    pub type Type = i32;
    pub const FWPS_CALLOUT_NOTIFY_ADD_FILTER: Type = 0;
    pub const FWPS_CALLOUT_NOTIFY_DELETE_FILTER: Type = 1;
    pub const FWPS_CALLOUT_NOTIFY_ADD_FILTER_POST_COMMIT: Type = 2;
    pub const FWPS_CALLOUT_NOTIFY_TYPE_MAX: Type = 3;
}
pub use self::FWPS_CALLOUT_NOTIFY_TYPE_::Type as FWPS_CALLOUT_NOTIFY_TYPE;
pub type FWPS_CALLOUT_CLASSIFY_FN3 = Option<
    unsafe extern "C" fn(
        inFixedValues: *const FWPS_INCOMING_VALUES0,
        inMetaValues: *const FWPS_INCOMING_METADATA_VALUES0,
        layerData: *mut c_void,
        classifyContext: *const c_void,
        filter: *const FWPS_FILTER3,
        flowContext: UINT64,
        classifyOut: *mut FWPS_CLASSIFY_OUT0,
    ),
>;
pub type FWPS_CALLOUT_NOTIFY_FN3 = Option<
    unsafe extern "C" fn(
        notifyType: FWPS_CALLOUT_NOTIFY_TYPE,
        filterKey: *const GUID,
        filter: *mut FWPS_FILTER3,
    ) -> NTSTATUS,
>;
pub type FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 =
    Option<unsafe extern "C" fn(layerId: UINT16, calloutId: UINT32, flowContext: UINT64)>;
/// `FWPS_CALLOUT3` (the "FWPS_CALLOUT3 structure (fwpsk.h)" page).
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct FWPS_CALLOUT3_ {
    pub calloutKey: GUID,
    pub flags: UINT32,
    pub classifyFn: FWPS_CALLOUT_CLASSIFY_FN3,
    pub notifyFn: FWPS_CALLOUT_NOTIFY_FN3,
    pub flowDeleteFn: FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0,
}
pub type FWPS_CALLOUT3 = FWPS_CALLOUT3_;

// The documented x64 layouts of the FWPS structures the driver fills or reads.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<FWPS_CALLOUT3>() == 48 && align_of::<FWPS_CALLOUT3>() == 8);
    assert!(offset_of!(FWPS_CALLOUT3, calloutKey) == 0);
    assert!(offset_of!(FWPS_CALLOUT3, flags) == 16);
    assert!(offset_of!(FWPS_CALLOUT3, classifyFn) == 24);
    assert!(offset_of!(FWPS_CALLOUT3, notifyFn) == 32);
    assert!(offset_of!(FWPS_CALLOUT3, flowDeleteFn) == 40);
    assert!(size_of::<FWPS_FILTER3>() == 64 && align_of::<FWPS_FILTER3>() == 8);
    assert!(offset_of!(FWPS_FILTER3, weight) == 8);
    assert!(offset_of!(FWPS_FILTER3, subLayerWeight) == 24);
    assert!(offset_of!(FWPS_FILTER3, flags) == 26);
    assert!(offset_of!(FWPS_FILTER3, action) == 40);
    assert!(offset_of!(FWPS_FILTER3, providerContext) == 56);
    assert!(size_of::<FWPS_CLASSIFY_OUT0>() == 40 && align_of::<FWPS_CLASSIFY_OUT0>() == 8);
    assert!(offset_of!(FWPS_CLASSIFY_OUT0, actionType) == 0);
    assert!(offset_of!(FWPS_CLASSIFY_OUT0, outContext) == 8);
    assert!(offset_of!(FWPS_CLASSIFY_OUT0, filterId) == 16);
    assert!(offset_of!(FWPS_CLASSIFY_OUT0, rights) == 24);
    assert!(offset_of!(FWPS_CLASSIFY_OUT0, flags) == 28);
    assert!(size_of::<FWPS_ACTION0>() == 8);
};

// ---- Cross-checks against windows-sys 0.61 ----
mod windows_sys_check {
    use core::mem::{align_of, offset_of, size_of};

    use windows_sys::Wdk::NetworkManagement::WindowsFilteringPlatform as kernel;
    use windows_sys::Win32::NetworkManagement::WindowsFilteringPlatform as wfp;

    /// Size and alignment of each parameter, then of the result, of a function pointer type.
    pub(super) trait Signature {
        const LAYOUT: &'static [(usize, usize)];
    }
    macro_rules! impl_signature {
        ($($arg:ident),*) => {
            impl<R $(, $arg)*> Signature for unsafe extern "C" fn($($arg),*) -> R {
                const LAYOUT: &'static [(usize, usize)] =
                    &[$((size_of::<$arg>(), align_of::<$arg>()),)* (size_of::<R>(), align_of::<R>())];
            }
            impl<R $(, $arg)*> Signature for unsafe extern "system" fn($($arg),*) -> R {
                const LAYOUT: &'static [(usize, usize)] =
                    &[$((size_of::<$arg>(), align_of::<$arg>()),)* (size_of::<R>(), align_of::<R>())];
            }
        };
    }
    impl_signature!();
    impl_signature!(A);
    impl_signature!(A, B);
    impl_signature!(A, B, C);
    impl_signature!(A, B, C, D);
    impl_signature!(A, B, C, D, E);
    impl_signature!(A, B, C, D, E, F);
    impl_signature!(A, B, C, D, E, F, G);

    pub(super) const fn layout_of<F: Signature + Copy>(_: F) -> &'static [(usize, usize)] {
        F::LAYOUT
    }

    /// A callback type (`Option<fn>`, as bindgen and windows-sys spell function pointers).
    impl<F: Signature> Signature for Option<F> {
        const LAYOUT: &'static [(usize, usize)] = F::LAYOUT;
    }

    pub(super) const fn same(a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i].0 != b[i].0 || a[i].1 != b[i].1 {
                return false;
            }
            i += 1;
        }
        true
    }

    /// `check_fn!(name, _, …)` (one `_` per parameter): our declaration and windows-sys'
    /// (`extern "system"`, which is `"C"` on x86_64) coerce to function pointers of that arity whose parameters and results have the same sizes
    /// and alignments. Evaluated at compile time; nothing is linked.
    macro_rules! check_fn {
        ($name:ident, $($p:tt),*) => {
            const _: () = assert!(
                same(
                    layout_of::<unsafe extern "C" fn($($p),*) -> _>(super::$name),
                    layout_of::<unsafe extern "system" fn($($p),*) -> _>(kernel::$name),
                ),
                concat!(stringify!($name), " differs from windows-sys")
            );
        };
        ($name:ident) => {
            const _: () = assert!(
                same(
                    layout_of::<unsafe extern "C" fn() -> _>(super::$name),
                    layout_of::<unsafe extern "system" fn() -> _>(kernel::$name),
                ),
                concat!(stringify!($name), " differs from windows-sys")
            );
        };
    }
    check_fn!(FwpmEngineOpen0, _, _, _, _, _);
    check_fn!(FwpmEngineClose0, _);
    check_fn!(FwpmFreeMemory0, _);
    check_fn!(FwpmConnectionGetSecurityInfo0, _, _, _, _, _, _, _);
    check_fn!(FwpmConnectionSetSecurityInfo0, _, _, _, _, _, _);
    check_fn!(FwpmBfeStateGet0);
    check_fn!(FwpmBfeStateSubscribeChanges0, _, _, _, _);
    check_fn!(FwpmBfeStateUnsubscribeChanges0, _);
    check_fn!(FwpmTransactionBegin0, _, _);
    check_fn!(FwpmTransactionCommit0, _);
    check_fn!(FwpmTransactionAbort0, _);
    check_fn!(FwpmProviderAdd0, _, _, _);
    check_fn!(FwpmProviderDeleteByKey0, _, _);
    check_fn!(FwpmSubLayerAdd0, _, _, _);
    check_fn!(FwpmSubLayerDeleteByKey0, _, _);
    check_fn!(FwpmCalloutAdd0, _, _, _, _);
    check_fn!(FwpmCalloutDeleteByKey0, _, _);
    check_fn!(FwpmFilterAdd0, _, _, _, _);
    check_fn!(FwpmFilterDeleteByKey0, _, _);

    /// Same size and alignment, and the listed fields at the same offsets (bindgen spells the
    /// C field `type` as `type_`, windows-sys as `r#type`: `type_ = r#type`).
    macro_rules! check_struct {
        ($ours:ty, $theirs:ty $(, $field:ident)* $(; $ofield:ident = $tfield:ident)?) => {
            const _: () = {
                assert!(size_of::<$ours>() == size_of::<$theirs>());
                assert!(align_of::<$ours>() == align_of::<$theirs>());
                $(assert!(offset_of!($ours, $field) == offset_of!($theirs, $field));)*
                $(assert!(offset_of!($ours, $ofield) == offset_of!($theirs, $tfield));)?
            };
        };
    }
    use super as ours;
    use windows_sys::Win32::Security as security;
    check_struct!(ours::GUID, windows_sys::core::GUID);
    check_struct!(ours::ACL, security::ACL, AclRevision, AclSize, AceCount);
    check_struct!(
        ours::SID,
        security::SID,
        Revision,
        SubAuthorityCount,
        SubAuthority
    );
    check_struct!(
        ours::SEC_WINNT_AUTH_IDENTITY_W,
        windows_sys::Win32::System::Rpc::SEC_WINNT_AUTH_IDENTITY_W,
        User,
        Domain,
        Password,
        Flags
    );
    check_struct!(ours::FWP_BYTE_BLOB, wfp::FWP_BYTE_BLOB, size, data);
    check_struct!(ours::FWP_VALUE0, wfp::FWP_VALUE0; type_ = r#type);
    check_struct!(
        ours::FWPM_DISPLAY_DATA0,
        wfp::FWPM_DISPLAY_DATA0,
        name,
        description
    );
    check_struct!(
        ours::FWPM_SESSION0,
        wfp::FWPM_SESSION0,
        sessionKey,
        displayData,
        flags,
        txnWaitTimeoutInMSec,
        processId,
        sid,
        username,
        kernelMode
    );
    check_struct!(
        ours::FWPM_PROVIDER0,
        wfp::FWPM_PROVIDER0,
        providerKey,
        displayData,
        flags,
        providerData,
        serviceName
    );
    check_struct!(
        ours::FWPM_SUBLAYER0,
        wfp::FWPM_SUBLAYER0,
        subLayerKey,
        displayData,
        flags,
        providerKey,
        providerData,
        weight
    );
    check_struct!(
        ours::FWPM_CALLOUT0,
        wfp::FWPM_CALLOUT0,
        calloutKey,
        displayData,
        flags,
        providerKey,
        providerData,
        applicableLayer,
        calloutId
    );
    check_struct!(ours::FWPM_ACTION0, wfp::FWPM_ACTION0; type_ = r#type);
    check_struct!(
        ours::FWPM_FILTER0,
        wfp::FWPM_FILTER0,
        filterKey,
        displayData,
        flags,
        providerKey,
        providerData,
        layerKey,
        subLayerKey,
        weight,
        numFilterConditions,
        filterCondition,
        action,
        reserved,
        filterId,
        effectiveWeight
    );

    const _: () = {
        assert!(super::FWP_ACTION_BLOCK == wfp::FWP_ACTION_BLOCK);
        assert!(super::FWP_ACTION_PERMIT == wfp::FWP_ACTION_PERMIT);
        assert!(super::FWP_ACTION_CALLOUT_TERMINATING == wfp::FWP_ACTION_CALLOUT_TERMINATING);
        assert!(super::FWPS_RIGHT_ACTION_WRITE == wfp::FWPS_RIGHT_ACTION_WRITE);
        assert!(super::FWPM_SESSION_FLAG_DYNAMIC == wfp::FWPM_SESSION_FLAG_DYNAMIC);
        assert!(super::FWPM_TXN_READ_ONLY == wfp::FWPM_TXN_READ_ONLY);
        assert!(
            super::FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED
                == wfp::FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED
        );
        use super::FWPM_SERVICE_STATE_ as s;
        assert!(s::FWPM_SERVICE_STOPPED == wfp::FWPM_SERVICE_STOPPED);
        assert!(s::FWPM_SERVICE_START_PENDING == wfp::FWPM_SERVICE_START_PENDING);
        assert!(s::FWPM_SERVICE_STOP_PENDING == wfp::FWPM_SERVICE_STOP_PENDING);
        assert!(s::FWPM_SERVICE_RUNNING == wfp::FWPM_SERVICE_RUNNING);
        // The callback type: same arity and layouts as windows-sys' (its "system" ABI is "C").
        assert!(same(
            <super::FWPM_SERVICE_STATE_CHANGE_CALLBACK0 as Signature>::LAYOUT,
            <kernel::FWPM_SERVICE_STATE_CHANGE_CALLBACK0 as Signature>::LAYOUT,
        ));
    };
}
