//! Stand-in for `connsec-wfp-sys` (bindgen over `fwpsk.h`/`fwpmk.h`), for the Linux type check
//! only (see ../../README.md).
//!
//! Shaped like bindgen's output for the x64 WDK headers: `type` fields renamed `type_`,
//! anonymous unions as `__bindgen_anon_1`, function pointers `extern "C"`, C enums as modules
//! of `i32` constants. Structures list the fields the driver touches, in header order; the
//! prototypes follow the `fwpmk.h`/`fwpsk.h` DDI pages. Nothing here is executed.
#![no_std]
#![allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    clippy::all,
    missing_docs
)]
use core::ffi::c_void;
pub type HANDLE = *mut c_void;
pub type UINT32 = u32;
pub type wchar_t = u16;
pub type NTSTATUS = i32;
pub type DWORD = u32;
pub type SECURITY_INFORMATION = DWORD;
pub type PSID = *mut c_void;
pub type PSECURITY_DESCRIPTOR = *mut c_void;
pub type BOOL = i32;
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _GUID {
    pub Data1: u32,
    pub Data2: u16,
    pub Data3: u16,
    pub Data4: [u8; 8],
}
pub type GUID = _GUID;
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _SID {
    pub Revision: u8,
}
pub type SID = _SID;
#[repr(C)]
#[derive(Debug, Default, Copy, Clone)]
pub struct _ACL {
    pub AclRevision: u8,
    pub Sbz1: u8,
    pub AclSize: u16,
    pub AceCount: u16,
    pub Sbz2: u16,
}
pub type ACL = _ACL;
pub type PACL = *mut ACL;
#[repr(C)]
pub struct _SEC_WINNT_AUTH_IDENTITY_W {
    _p: u8,
}
pub type SEC_WINNT_AUTH_IDENTITY_W = _SEC_WINNT_AUTH_IDENTITY_W;
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct FWPM_DISPLAY_DATA0_ {
    pub name: *mut wchar_t,
    pub description: *mut wchar_t,
}
pub type FWPM_DISPLAY_DATA0 = FWPM_DISPLAY_DATA0_;
impl Default for FWPM_DISPLAY_DATA0_ {
    fn default() -> Self {
        Self {
            name: core::ptr::null_mut(),
            description: core::ptr::null_mut(),
        }
    }
}
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct FWPM_SESSION0_ {
    pub sessionKey: GUID,
    pub displayData: FWPM_DISPLAY_DATA0,
    pub flags: UINT32,
    pub txnWaitTimeoutInMSec: UINT32,
    pub processId: DWORD,
    pub sid: *mut SID,
    pub username: *mut wchar_t,
    pub kernelMode: BOOL,
}
pub type FWPM_SESSION0 = FWPM_SESSION0_;
impl Default for FWPM_SESSION0_ {
    fn default() -> Self {
        Self {
            sessionKey: GUID::default(),
            displayData: FWPM_DISPLAY_DATA0::default(),
            flags: 0,
            txnWaitTimeoutInMSec: 0,
            processId: 0,
            sid: core::ptr::null_mut(),
            username: core::ptr::null_mut(),
            kernelMode: 0,
        }
    }
}
pub mod FWPM_SERVICE_STATE_ {
    pub type Type = i32;
    pub const FWPM_SERVICE_STOPPED: Type = 0;
    pub const FWPM_SERVICE_RUNNING: Type = 3;
}
pub use self::FWPM_SERVICE_STATE_::Type as FWPM_SERVICE_STATE;
pub type FWPM_SERVICE_STATE_CHANGE_CALLBACK0 =
    Option<unsafe extern "C" fn(context: *mut c_void, newState: FWPM_SERVICE_STATE)>;
pub const RPC_C_AUTHN_WINNT: u32 = 10;
pub unsafe fn FwpmEngineOpen0(
    _s: *const wchar_t,
    _a: UINT32,
    _i: *mut SEC_WINNT_AUTH_IDENTITY_W,
    _x: *const FWPM_SESSION0,
    _h: *mut HANDLE,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpmEngineClose0(_h: HANDLE) -> NTSTATUS {
    0
}
pub unsafe fn FwpmFreeMemory0(_p: *mut *mut c_void) {}
pub unsafe fn FwpmConnectionGetSecurityInfo0(
    _h: HANDLE,
    _i: SECURITY_INFORMATION,
    _o: *mut PSID,
    _g: *mut PSID,
    _d: *mut PACL,
    _s: *mut PACL,
    _sd: *mut PSECURITY_DESCRIPTOR,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpmConnectionSetSecurityInfo0(
    _h: HANDLE,
    _i: SECURITY_INFORMATION,
    _o: *const SID,
    _g: *const SID,
    _d: *const ACL,
    _s: *const ACL,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpmBfeStateGet0() -> FWPM_SERVICE_STATE {
    0
}
pub unsafe fn FwpmBfeStateSubscribeChanges0(
    _d: *mut c_void,
    _c: FWPM_SERVICE_STATE_CHANGE_CALLBACK0,
    _x: *mut c_void,
    _h: *mut HANDLE,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpmBfeStateUnsubscribeChanges0(_h: HANDLE) -> NTSTATUS {
    0
}
pub type UINT16 = u16;
pub type UINT64 = u64;
pub type FWP_ACTION_TYPE = UINT32;
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct FWP_BYTE_BLOB_ {
    pub size: UINT32,
    pub data: *mut u8,
}
pub type FWP_BYTE_BLOB = FWP_BYTE_BLOB_;
impl Default for FWP_BYTE_BLOB_ {
    fn default() -> Self {
        unsafe { core::mem::zeroed() }
    }
}
#[repr(C)]
#[derive(Copy, Clone)]
pub union FWP_VALUE0___bindgen_ty_1 {
    pub uint64: *mut UINT64,
    pub uint32: UINT32,
}
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWP_VALUE0_ {
    pub type_: i32,
    pub __bindgen_anon_1: FWP_VALUE0___bindgen_ty_1,
}
pub type FWP_VALUE0 = FWP_VALUE0_;
impl Default for FWP_VALUE0_ {
    fn default() -> Self {
        unsafe { core::mem::zeroed() }
    }
}
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWPM_PROVIDER0_ {
    pub providerKey: GUID,
    pub displayData: FWPM_DISPLAY_DATA0,
    pub flags: UINT32,
    pub providerData: FWP_BYTE_BLOB,
    pub serviceName: *mut wchar_t,
}
pub type FWPM_PROVIDER0 = FWPM_PROVIDER0_;
impl Default for FWPM_PROVIDER0_ {
    fn default() -> Self {
        unsafe { core::mem::zeroed() }
    }
}
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWPM_SUBLAYER0_ {
    pub subLayerKey: GUID,
    pub displayData: FWPM_DISPLAY_DATA0,
    pub flags: UINT32,
    pub providerKey: *mut GUID,
    pub providerData: FWP_BYTE_BLOB,
    pub weight: UINT16,
}
pub type FWPM_SUBLAYER0 = FWPM_SUBLAYER0_;
impl Default for FWPM_SUBLAYER0_ {
    fn default() -> Self {
        unsafe { core::mem::zeroed() }
    }
}
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWPM_CALLOUT0_ {
    pub calloutKey: GUID,
    pub displayData: FWPM_DISPLAY_DATA0,
    pub flags: UINT32,
    pub providerKey: *mut GUID,
    pub providerData: FWP_BYTE_BLOB,
    pub applicableLayer: GUID,
    pub calloutId: UINT32,
}
pub type FWPM_CALLOUT0 = FWPM_CALLOUT0_;
impl Default for FWPM_CALLOUT0_ {
    fn default() -> Self {
        unsafe { core::mem::zeroed() }
    }
}
#[repr(C)]
#[derive(Copy, Clone)]
pub union FWPM_ACTION0___bindgen_ty_1 {
    pub filterType: GUID,
    pub calloutKey: GUID,
}
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWPM_ACTION0_ {
    pub type_: FWP_ACTION_TYPE,
    pub __bindgen_anon_1: FWPM_ACTION0___bindgen_ty_1,
}
pub type FWPM_ACTION0 = FWPM_ACTION0_;
#[repr(C)]
pub struct FWPM_FILTER_CONDITION0_ {
    _p: u8,
}
pub type FWPM_FILTER_CONDITION0 = FWPM_FILTER_CONDITION0_;
#[repr(C)]
#[derive(Copy, Clone)]
pub union FWPM_FILTER0___bindgen_ty_1 {
    pub rawContext: UINT64,
    pub providerContextKey: GUID,
}
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWPM_FILTER0_ {
    pub filterKey: GUID,
    pub displayData: FWPM_DISPLAY_DATA0,
    pub flags: UINT32,
    pub providerKey: *mut GUID,
    pub providerData: FWP_BYTE_BLOB,
    pub layerKey: GUID,
    pub subLayerKey: GUID,
    pub weight: FWP_VALUE0,
    pub numFilterConditions: UINT32,
    pub filterCondition: *mut FWPM_FILTER_CONDITION0,
    pub action: FWPM_ACTION0,
    pub __bindgen_anon_1: FWPM_FILTER0___bindgen_ty_1,
    pub reserved: *mut GUID,
    pub filterId: UINT64,
    pub effectiveWeight: FWP_VALUE0,
}
pub type FWPM_FILTER0 = FWPM_FILTER0_;
impl Default for FWPM_FILTER0_ {
    fn default() -> Self {
        unsafe { core::mem::zeroed() }
    }
}
#[repr(C)]
pub struct FWPS_INCOMING_VALUES0_ {
    _p: u8,
}
pub type FWPS_INCOMING_VALUES0 = FWPS_INCOMING_VALUES0_;
#[repr(C)]
pub struct FWPS_INCOMING_METADATA_VALUES0_ {
    _p: u8,
}
pub type FWPS_INCOMING_METADATA_VALUES0 = FWPS_INCOMING_METADATA_VALUES0_;
#[repr(C)]
#[derive(Copy, Clone)]
pub struct FWPS_FILTER3_ {
    pub filterId: UINT64,
    pub weight: FWP_VALUE0,
    pub subLayerWeight: UINT16,
    pub flags: UINT16,
    pub numFilterConditions: UINT32,
}
pub type FWPS_FILTER3 = FWPS_FILTER3_;
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
pub mod FWPS_CALLOUT_NOTIFY_TYPE_ {
    pub type Type = i32;
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
pub const FWP_ACTION_FLAG_TERMINATING: u32 = 0x1000;
pub const FWP_ACTION_FLAG_CALLOUT: u32 = 0x4000;
pub const FWP_ACTION_BLOCK: u32 = 0x1 | FWP_ACTION_FLAG_TERMINATING;
pub const FWP_ACTION_PERMIT: u32 = 0x2 | FWP_ACTION_FLAG_TERMINATING;
pub const FWP_ACTION_CALLOUT_TERMINATING: u32 =
    0x3 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING;
pub const FWPS_RIGHT_ACTION_WRITE: u32 = 1;
pub const FWPM_SESSION_FLAG_DYNAMIC: u32 = 1;
// `fwpmtypes.h`: `(0x00000010)` (0x40 is `FWPM_FILTER_FLAG_INDEXED`); the real value comes from
// the generated bindings, this one only has to be the same type.
pub const FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED: u32 = 0x10;
pub unsafe fn FwpsCalloutRegister3(
    _d: *mut c_void,
    _c: *const FWPS_CALLOUT3,
    _id: *mut UINT32,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpsCalloutUnregisterById0(_id: UINT32) -> NTSTATUS {
    0
}
pub unsafe fn FwpmTransactionBegin0(_h: HANDLE, _f: UINT32) -> NTSTATUS {
    0
}
pub unsafe fn FwpmTransactionCommit0(_h: HANDLE) -> NTSTATUS {
    0
}
pub unsafe fn FwpmTransactionAbort0(_h: HANDLE) -> NTSTATUS {
    0
}
pub unsafe fn FwpmProviderAdd0(
    _h: HANDLE,
    _p: *const FWPM_PROVIDER0,
    _sd: PSECURITY_DESCRIPTOR,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpmSubLayerAdd0(
    _h: HANDLE,
    _p: *const FWPM_SUBLAYER0,
    _sd: PSECURITY_DESCRIPTOR,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpmCalloutAdd0(
    _h: HANDLE,
    _p: *const FWPM_CALLOUT0,
    _sd: PSECURITY_DESCRIPTOR,
    _id: *mut UINT32,
) -> NTSTATUS {
    0
}
pub unsafe fn FwpmFilterAdd0(
    _h: HANDLE,
    _p: *const FWPM_FILTER0,
    _sd: PSECURITY_DESCRIPTOR,
    _id: *mut UINT64,
) -> NTSTATUS {
    0
}
