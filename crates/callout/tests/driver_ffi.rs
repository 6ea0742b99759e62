//! The driver's callout FFI glue (`driver/src/callout/`) run on Linux over a model of WFP.
//!
//! The driver cannot be built here (no WDK), but its callout module only needs `crate::wfp`, the
//! bindings. This test compiles the module's real source (`#[path]`) against a stand-in `wfp`
//! module: the structures have the field names and types bindgen generates from `fwpsk.h` and
//! `fwpmk.h` (C names, `type_` for `type`, `__bindgen_anon_1` for anonymous unions), and each
//! function is a model of the filter engine that records the call, checks its arguments, keeps
//! the state (registered callouts, sessions, transactions, objects) and can be told to fail.
//!
//! What this proves: the glue performs the plan's calls with the arguments the plan means
//! (dynamic session, keys, layers, provider, sublayer, filter action and flags, NUL-terminated
//! names), its RAII wrappers and the unwind leave nothing behind after a failure at any call, the
//! safety net releases everything, and classify writes what `classify::permit` decides. What it
//! cannot prove: that the real bindgen output has exactly these shapes; the Windows build checks
//! that (the driver's `const` assertions and bindgen's layout tests).

#![allow(
    non_camel_case_types,
    non_snake_case,
    unreachable_pub,
    dead_code,
    clippy::missing_safety_doc,
    clippy::doc_markdown,
    clippy::upper_case_acronyms,
    clippy::std_instead_of_core,
    reason = "the stand-in bindings keep the C names, as bindgen does"
)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::c_void;

use connsec_callout::classify::{FWP_ACTION_BLOCK, FWP_ACTION_PERMIT, FWPS_RIGHT_ACTION_WRITE};
use connsec_callout::plan::{RegistrationStep, STEPS, Undo};
use connsec_callout::{Layer, keys};
use connsec_nt::Guid;

/// The stand-in for `connsec-wfp-sys`.
mod wfp {
    use std::ffi::c_void;

    use super::model;

    pub type HANDLE = *mut c_void;
    pub type NTSTATUS = i32;
    pub type wchar_t = u16;
    pub type UINT32 = u32;
    pub type PSECURITY_DESCRIPTOR = *mut c_void;

    pub const RPC_C_AUTHN_WINNT: u32 = 10;
    pub const FWPS_RIGHT_ACTION_WRITE: u32 = 0x0000_0001;
    pub const FWP_ACTION_PERMIT: u32 = 0x0000_0002 | 0x0000_1000;
    pub const FWP_ACTION_BLOCK: u32 = 0x0000_0001 | 0x0000_1000;
    pub const FWP_ACTION_CALLOUT_TERMINATING: u32 = 0x0000_0003 | 0x0000_4000 | 0x0000_1000;
    pub const FWPM_SESSION_FLAG_DYNAMIC: u32 = 0x0000_0001;
    pub const FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED: u32 = 0x0000_0010;

    #[repr(C)]
    #[derive(Debug, Default, Copy, Clone, PartialEq, Eq)]
    pub struct GUID {
        pub Data1: u32,
        pub Data2: u16,
        pub Data3: u16,
        pub Data4: [u8; 8],
    }

    /// What bindgen's `derive_default` does for structures with pointers: all bits zero.
    macro_rules! zeroed_default {
        ($($t:ty),*) => {$(
            impl Default for $t {
                fn default() -> Self {
                    // SAFETY: 1. every field is an integer, a raw pointer, an `Option` of a
                    //            function pointer or a union/array of those: all-zero is valid.
                    unsafe { core::mem::zeroed() }
                }
            }
        )*};
    }

    #[repr(C)]
    #[derive(Debug, Copy, Clone)]
    pub struct FWPM_DISPLAY_DATA0 {
        pub name: *mut wchar_t,
        pub description: *mut wchar_t,
    }
    #[repr(C)]
    #[derive(Debug, Copy, Clone)]
    pub struct FWP_BYTE_BLOB {
        pub size: u32,
        pub data: *mut u8,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub union FWP_VALUE0___bindgen_ty_1 {
        pub uint64: u64,
        pub byteBlob: *mut FWP_BYTE_BLOB,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWP_VALUE0 {
        pub type_: i32,
        pub __bindgen_anon_1: FWP_VALUE0___bindgen_ty_1,
    }
    #[repr(C)]
    pub struct SID {
        _opaque: [u8; 0],
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPM_SESSION0 {
        pub sessionKey: GUID,
        pub displayData: FWPM_DISPLAY_DATA0,
        pub flags: u32,
        pub txnWaitTimeoutInMSec: u32,
        pub processId: u32,
        pub sid: *mut SID,
        pub username: *mut wchar_t,
        pub kernelMode: i32,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPM_PROVIDER0 {
        pub providerKey: GUID,
        pub displayData: FWPM_DISPLAY_DATA0,
        pub flags: u32,
        pub providerData: FWP_BYTE_BLOB,
        pub serviceName: *mut wchar_t,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPM_SUBLAYER0 {
        pub subLayerKey: GUID,
        pub displayData: FWPM_DISPLAY_DATA0,
        pub flags: u32,
        pub providerKey: *mut GUID,
        pub providerData: FWP_BYTE_BLOB,
        pub weight: u16,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPM_CALLOUT0 {
        pub calloutKey: GUID,
        pub displayData: FWPM_DISPLAY_DATA0,
        pub flags: u32,
        pub providerKey: *mut GUID,
        pub providerData: FWP_BYTE_BLOB,
        pub applicableLayer: GUID,
        pub calloutId: u32,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub union FWPM_ACTION0___bindgen_ty_1 {
        pub filterType: GUID,
        pub calloutKey: GUID,
        pub bitmapIndex: u8,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPM_ACTION0 {
        pub type_: u32,
        pub __bindgen_anon_1: FWPM_ACTION0___bindgen_ty_1,
    }
    #[repr(C)]
    pub struct FWPM_FILTER_CONDITION0 {
        _opaque: [u8; 0],
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub union FWPM_FILTER0___bindgen_ty_1 {
        pub rawContext: u64,
        pub providerContextKey: GUID,
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPM_FILTER0 {
        pub filterKey: GUID,
        pub displayData: FWPM_DISPLAY_DATA0,
        pub flags: u32,
        pub providerKey: *mut GUID,
        pub providerData: FWP_BYTE_BLOB,
        pub layerKey: GUID,
        pub subLayerKey: GUID,
        pub weight: FWP_VALUE0,
        pub numFilterConditions: u32,
        pub filterCondition: *mut FWPM_FILTER_CONDITION0,
        pub action: FWPM_ACTION0,
        pub __bindgen_anon_1: FWPM_FILTER0___bindgen_ty_1,
        pub reserved: *mut GUID,
        pub filterId: u64,
        pub effectiveWeight: FWP_VALUE0,
    }
    #[repr(C)]
    pub struct FWPS_INCOMING_VALUES0 {
        _opaque: [u8; 0],
    }
    #[repr(C)]
    pub struct FWPS_INCOMING_METADATA_VALUES0 {
        _opaque: [u8; 0],
    }
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPS_FILTER3 {
        pub filterId: u64,
        pub weight: FWP_VALUE0,
        pub subLayerWeight: u16,
        pub flags: u16,
        pub numFilterConditions: u32,
    }
    #[repr(C)]
    #[derive(Debug, Copy, Clone, Default, PartialEq, Eq)]
    pub struct FWPS_CLASSIFY_OUT0 {
        pub actionType: u32,
        pub outContext: u64,
        pub filterId: u64,
        pub rights: u32,
        pub flags: u32,
        pub reserved: u32,
    }
    pub type FWPS_CALLOUT_NOTIFY_TYPE = i32;
    pub type FWPS_CALLOUT_CLASSIFY_FN3 = Option<
        unsafe extern "C" fn(
            inFixedValues: *const FWPS_INCOMING_VALUES0,
            inMetaValues: *const FWPS_INCOMING_METADATA_VALUES0,
            layerData: *mut c_void,
            classifyContext: *const c_void,
            filter: *const FWPS_FILTER3,
            flowContext: u64,
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
        Option<unsafe extern "C" fn(layerId: u16, calloutId: u32, flowContext: u64)>;
    #[repr(C)]
    #[derive(Copy, Clone)]
    pub struct FWPS_CALLOUT3 {
        pub calloutKey: GUID,
        pub flags: u32,
        pub classifyFn: FWPS_CALLOUT_CLASSIFY_FN3,
        pub notifyFn: FWPS_CALLOUT_NOTIFY_FN3,
        pub flowDeleteFn: FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0,
    }
    #[repr(C)]
    pub struct SEC_WINNT_AUTH_IDENTITY_W {
        _opaque: [u8; 0],
    }

    zeroed_default!(
        FWPM_DISPLAY_DATA0,
        FWPM_SESSION0,
        FWPM_PROVIDER0,
        FWPM_SUBLAYER0,
        FWPM_CALLOUT0,
        FWPM_FILTER0
    );

    // The functions, as models (see `super::model`). The signatures are the C prototypes.

    pub unsafe fn FwpmEngineOpen0(
        serverName: *const wchar_t,
        authnService: UINT32,
        authIdentity: *mut SEC_WINNT_AUTH_IDENTITY_W,
        session: *const FWPM_SESSION0,
        engineHandle: *mut HANDLE,
    ) -> NTSTATUS {
        assert!(serverName.is_null() && authIdentity.is_null());
        assert_eq!(authnService, RPC_C_AUTHN_WINNT);
        // SAFETY: 1. the glue passes a pointer to a live local.
        let session = unsafe { &*session };
        // SAFETY: 1. the glue passes a pointer to a live local.
        let out = unsafe { &mut *engineHandle };
        model::engine_open(session, out)
    }
    pub unsafe fn FwpmEngineClose0(engineHandle: HANDLE) -> NTSTATUS {
        model::engine_close(engineHandle)
    }
    pub unsafe fn FwpmTransactionBegin0(engineHandle: HANDLE, flags: UINT32) -> NTSTATUS {
        model::txn_begin(engineHandle, flags)
    }
    pub unsafe fn FwpmTransactionCommit0(engineHandle: HANDLE) -> NTSTATUS {
        model::txn_end(engineHandle, true)
    }
    pub unsafe fn FwpmTransactionAbort0(engineHandle: HANDLE) -> NTSTATUS {
        model::txn_end(engineHandle, false)
    }
    pub unsafe fn FwpmProviderAdd0(
        engineHandle: HANDLE,
        provider: *const FWPM_PROVIDER0,
        sd: PSECURITY_DESCRIPTOR,
    ) -> NTSTATUS {
        assert!(sd.is_null());
        // SAFETY: 1. the glue passes a pointer to a live local.
        model::provider_add(engineHandle, unsafe { &*provider })
    }
    pub unsafe fn FwpmSubLayerAdd0(
        engineHandle: HANDLE,
        subLayer: *const FWPM_SUBLAYER0,
        sd: PSECURITY_DESCRIPTOR,
    ) -> NTSTATUS {
        assert!(sd.is_null());
        // SAFETY: 1. the glue passes a pointer to a live local.
        model::sublayer_add(engineHandle, unsafe { &*subLayer })
    }
    pub unsafe fn FwpmCalloutAdd0(
        engineHandle: HANDLE,
        callout: *const FWPM_CALLOUT0,
        sd: PSECURITY_DESCRIPTOR,
        id: *mut UINT32,
    ) -> NTSTATUS {
        assert!(sd.is_null() && id.is_null());
        // SAFETY: 1. the glue passes a pointer to a live local.
        model::callout_add(engineHandle, unsafe { &*callout })
    }
    pub unsafe fn FwpmFilterAdd0(
        engineHandle: HANDLE,
        filter: *const FWPM_FILTER0,
        sd: PSECURITY_DESCRIPTOR,
        id: *mut u64,
    ) -> NTSTATUS {
        assert!(sd.is_null() && id.is_null());
        // SAFETY: 1. the glue passes a pointer to a live local.
        model::filter_add(engineHandle, unsafe { &*filter })
    }
    pub unsafe fn FwpsCalloutRegister3(
        deviceObject: *mut c_void,
        callout: *const FWPS_CALLOUT3,
        calloutId: *mut UINT32,
    ) -> NTSTATUS {
        // SAFETY: 1. the glue passes a pointer to a live local.
        let callout = unsafe { &*callout };
        // SAFETY: 1. the glue passes a pointer to a live local.
        let id = unsafe { &mut *calloutId };
        model::callout_register(deviceObject, callout, id)
    }
    pub unsafe fn FwpsCalloutUnregisterById0(calloutId: UINT32) -> NTSTATUS {
        model::callout_unregister(calloutId)
    }
}

#[path = "../../../driver/src/callout/mod.rs"]
mod callout;
#[path = "../../../driver/src/session.rs"]
mod session;
#[path = "../../../driver/src/status.rs"]
mod status;

/// The filter-engine model behind the stand-in functions (one per test thread).
mod model {
    use super::*;

    pub const DEVICE: *mut c_void = std::ptr::without_provenance_mut(0xD0);
    /// An error status the model returns when told to fail (`STATUS_FWP_ALREADY_EXISTS`).
    pub const FAIL: i32 = 0xC022_0009_u32.cast_signed();

    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
    pub enum Object {
        Provider,
        Sublayer,
        Callout(Guid),
        Filter(Guid),
    }

    #[derive(Default)]
    pub struct State {
        pub calls: Vec<String>,
        /// Fail the calls with these indexes (0-based, counting every call).
        pub fail_at: Vec<usize>,
        pub registered: BTreeMap<u32, (Guid, wfp::FWPS_CALLOUT3)>,
        next_id: u32,
        pub session: Option<usize>,
        next_session: usize,
        pub txn: bool,
        pub pending: Vec<Object>,
        pub committed: Vec<Object>,
        pub violations: Vec<String>,
    }

    thread_local! {
        pub static STATE: RefCell<State> = RefCell::new(State::default());
    }

    pub fn reset(fail_at: &[usize]) {
        STATE.with(|s| {
            *s.borrow_mut() = State {
                fail_at: fail_at.to_vec(),
                ..State::default()
            }
        });
    }

    pub fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
        STATE.with(|s| f(&mut s.borrow_mut()))
    }

    /// Records the call; `Err` when the model was told to fail it.
    fn call(s: &mut State, name: String) -> Result<(), i32> {
        let index = s.calls.len();
        s.calls.push(name);
        if s.fail_at.contains(&index) {
            Err(FAIL)
        } else {
            Ok(())
        }
    }

    fn check(s: &mut State, ok: bool, what: &str) {
        if !ok {
            s.violations.push(what.to_owned());
        }
    }

    pub fn guid(g: wfp::GUID) -> Guid {
        Guid::from_fields(g.Data1, g.Data2, g.Data3, g.Data4)
    }

    fn wide(p: *const u16) -> Option<String> {
        if p.is_null() {
            return None;
        }
        let mut units = Vec::new();
        for i in 0..256 {
            // SAFETY: 1. the glue passes NUL-terminated static strings; the loop stops at the
            //            NUL, and the bound catches a missing one as a test failure.
            let unit = unsafe { p.add(i) };
            // SAFETY: 1. in bounds of the string, as above; `u16` needs no other invariant.
            let u = unsafe { *unit };
            if u == 0 {
                return Some(String::from_utf16(&units).expect("UTF-16"));
            }
            units.push(u);
        }
        panic!("display name without a NUL in 256 units");
    }

    fn session_handle(n: usize) -> wfp::HANDLE {
        std::ptr::without_provenance_mut(0x5E55_0000 + n)
    }

    fn in_txn(s: &mut State, h: wfp::HANDLE, what: &str) {
        let ok = s.session.map(session_handle) == Some(h) && s.txn;
        check(s, ok, &format!("{what} outside the session's transaction"));
    }

    fn add(s: &mut State, o: Object) {
        let dup = s.pending.contains(&o) || s.committed.contains(&o);
        check(s, !dup, &format!("{o:?} added twice"));
        s.pending.push(o);
    }

    fn exists(s: &State, o: Object) -> bool {
        s.pending.contains(&o) || s.committed.contains(&o)
    }

    fn provider_key_ok(p: *mut wfp::GUID) -> bool {
        // SAFETY: 1. the glue points at a live local or passes null.
        !p.is_null() && guid(unsafe { *p }) == keys::PROVIDER
    }

    pub fn engine_open(session: &wfp::FWPM_SESSION0, out: &mut wfp::HANDLE) -> i32 {
        with(|s| {
            call(s, "FwpmEngineOpen0".into())?;
            check(
                s,
                session.flags == wfp::FWPM_SESSION_FLAG_DYNAMIC,
                "session not dynamic",
            );
            check(
                s,
                wide(session.displayData.name).is_some(),
                "session without a name",
            );
            check(s, s.session.is_none(), "second session");
            s.next_session += 1;
            s.session = Some(s.next_session);
            *out = session_handle(s.next_session);
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn engine_close(h: wfp::HANDLE) -> i32 {
        with(|s| {
            let _ = call(s, "FwpmEngineClose0".into());
            let ok = s.session.map(session_handle) == Some(h);
            check(s, ok, "close of a handle that is not open");
            // A dynamic session takes its objects (and an open transaction) with it.
            s.session = None;
            s.txn = false;
            s.pending.clear();
            s.committed.clear();
            0
        })
    }

    pub fn txn_begin(h: wfp::HANDLE, flags: u32) -> i32 {
        with(|s| {
            call(s, "FwpmTransactionBegin0".into())?;
            check(s, flags == 0, "read-only transaction");
            let ok = s.session.map(session_handle) == Some(h) && !s.txn;
            check(s, ok, "begin without a session or twice");
            s.txn = true;
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn txn_end(h: wfp::HANDLE, commit: bool) -> i32 {
        with(|s| {
            let name = if commit {
                "FwpmTransactionCommit0"
            } else {
                "FwpmTransactionAbort0"
            };
            call(s, name.into())?;
            let ok = s.session.map(session_handle) == Some(h) && s.txn;
            check(s, ok, "commit/abort without a transaction");
            s.txn = false;
            let pending = std::mem::take(&mut s.pending);
            if commit {
                s.committed.extend(pending);
            }
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn provider_add(h: wfp::HANDLE, p: &wfp::FWPM_PROVIDER0) -> i32 {
        with(|s| {
            call(s, "FwpmProviderAdd0".into())?;
            in_txn(s, h, "provider");
            check(s, guid(p.providerKey) == keys::PROVIDER, "provider key");
            check(s, p.flags == 0, "persistent provider");
            check(
                s,
                wide(p.displayData.name).as_deref() == Some("connsec"),
                "provider name",
            );
            add(s, Object::Provider);
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn sublayer_add(h: wfp::HANDLE, l: &wfp::FWPM_SUBLAYER0) -> i32 {
        with(|s| {
            call(s, "FwpmSubLayerAdd0".into())?;
            in_txn(s, h, "sublayer");
            check(s, guid(l.subLayerKey) == keys::SUBLAYER, "sublayer key");
            check(s, provider_key_ok(l.providerKey), "sublayer provider");
            check(s, exists(s, Object::Provider), "sublayer before provider");
            check(s, wide(l.displayData.name).is_some(), "sublayer name");
            add(s, Object::Sublayer);
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn callout_add(h: wfp::HANDLE, c: &wfp::FWPM_CALLOUT0) -> i32 {
        with(|s| {
            let key = guid(c.calloutKey);
            let layer = Layer::ALL.into_iter().find(|l| l.callout_key() == key);
            call(
                s,
                format!("FwpmCalloutAdd0({})", layer.map_or("?", Layer::label)),
            )?;
            in_txn(s, h, "callout");
            let Some(layer) = layer else {
                check(s, false, "unknown callout key");
                return Ok(());
            };
            check(
                s,
                guid(c.applicableLayer) == layer.layer_key(),
                "callout layer",
            );
            check(s, provider_key_ok(c.providerKey), "callout provider");
            let name = wide(c.displayData.name);
            check(
                s,
                name.as_deref() == Some(layer.callout_name()),
                "callout name",
            );
            add(s, Object::Callout(key));
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn filter_add(h: wfp::HANDLE, f: &wfp::FWPM_FILTER0) -> i32 {
        with(|s| {
            let key = guid(f.filterKey);
            let layer = Layer::ALL.into_iter().find(|l| l.filter_key() == key);
            call(
                s,
                format!("FwpmFilterAdd0({})", layer.map_or("?", Layer::label)),
            )?;
            in_txn(s, h, "filter");
            let Some(layer) = layer else {
                check(s, false, "unknown filter key");
                return Ok(());
            };
            check(s, guid(f.layerKey) == layer.layer_key(), "filter layer");
            check(s, guid(f.subLayerKey) == keys::SUBLAYER, "filter sublayer");
            check(s, provider_key_ok(f.providerKey), "filter provider");
            check(
                s,
                f.action.type_ == wfp::FWP_ACTION_CALLOUT_TERMINATING,
                "filter action",
            );
            // SAFETY: 1. the action type says the union holds `calloutKey` (checked above).
            let callout = guid(unsafe { f.action.__bindgen_anon_1.calloutKey });
            check(
                s,
                callout == layer.callout_key(),
                "filter names another callout",
            );
            check(
                s,
                f.flags == wfp::FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED,
                "filter flags",
            );
            check(
                s,
                f.numFilterConditions == 0 && f.filterCondition.is_null(),
                "conditions",
            );
            check(s, f.weight.type_ == 0, "weight not FWP_EMPTY");
            check(s, exists(s, Object::Sublayer), "filter before sublayer");
            check(
                s,
                exists(s, Object::Callout(callout)),
                "filter before its callout object",
            );
            let registered = s.registered.values().any(|(k, _)| *k == callout);
            check(
                s,
                registered,
                "filter before the callout is registered (it would block)",
            );
            let name = wide(f.displayData.name);
            check(
                s,
                name.as_deref() == Some(layer.filter_name()),
                "filter name",
            );
            add(s, Object::Filter(key));
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn callout_register(device: *mut c_void, c: &wfp::FWPS_CALLOUT3, id: &mut u32) -> i32 {
        with(|s| {
            let key = guid(c.calloutKey);
            let layer = Layer::ALL.into_iter().find(|l| l.callout_key() == key);
            call(
                s,
                format!("FwpsCalloutRegister3({})", layer.map_or("?", Layer::label)),
            )?;
            check(s, device == DEVICE, "another device object");
            check(s, layer.is_some(), "unknown callout key");
            check(s, c.flags == 0, "callout flags");
            let fns = c.classifyFn.is_some() && c.notifyFn.is_some() && c.flowDeleteFn.is_some();
            check(s, fns, "a callout function is missing");
            let twice = s.registered.values().any(|(k, _)| *k == key);
            check(s, !twice, "registered twice");
            s.next_id += 1;
            *id = s.next_id;
            s.registered.insert(s.next_id, (key, *c));
            Ok(())
        })
        .err()
        .unwrap_or(0)
    }

    pub fn callout_unregister(id: u32) -> i32 {
        with(|s| {
            let key = s.registered.get(&id).map(|(k, _)| *k);
            let layer = Layer::ALL
                .into_iter()
                .find(|l| Some(l.callout_key()) == key);
            let _ = call(
                s,
                format!(
                    "FwpsCalloutUnregisterById0({})",
                    layer.map_or("?", Layer::label)
                ),
            );
            check(s, key.is_some(), "unregister of an unknown id");
            if let Some(key) = key {
                let named = exists(
                    s,
                    Object::Filter(
                        Layer::ALL
                            .into_iter()
                            .find(|l| l.callout_key() == key)
                            .map_or(key, Layer::filter_key),
                    ),
                );
                check(
                    s,
                    !named,
                    "unregistered while a filter names it (the filter would block)",
                );
            }
            s.registered.remove(&id);
            0
        })
    }

    pub fn is_clean(s: &State) -> bool {
        s.registered.is_empty()
            && s.session.is_none()
            && !s.txn
            && s.pending.is_empty()
            && s.committed.is_empty()
    }
}

/// The FFI calls `register` makes, in order, for the plan's steps.
fn calls_for(step: RegistrationStep) -> String {
    match step {
        RegistrationStep::RegisterCallout(l) => format!("FwpsCalloutRegister3({})", l.label()),
        RegistrationStep::AddCallout(l) => format!("FwpmCalloutAdd0({})", l.label()),
        RegistrationStep::AddFilter(l) => format!("FwpmFilterAdd0({})", l.label()),
        other => other.function().to_owned(),
    }
}

const TEARDOWN_CALLS: [&str; 3] = [
    "FwpmEngineClose0",
    "FwpsCalloutUnregisterById0(v6)",
    "FwpsCalloutUnregisterById0(v4)",
];

fn violations() -> Vec<String> {
    model::with(|s| s.violations.clone())
}

#[test]
fn register_adds_every_object_and_unregister_removes_them_all() {
    model::reset(&[]);
    // SAFETY: 1. the model's device pointer is never dereferenced.
    let registration = unsafe { callout::register(model::DEVICE) }.expect("registration");
    let calls: Vec<String> = STEPS.into_iter().map(calls_for).collect();
    model::with(|s| {
        assert_eq!(s.calls, calls);
        assert_eq!(s.registered.len(), 2);
        assert!(s.session.is_some() && !s.txn && s.pending.is_empty());
        assert_eq!(
            s.committed.len(),
            6,
            "provider, sublayer, 2 callouts, 2 filters"
        );
        s.calls.clear();
    });
    registration.unregister();
    model::with(|s| {
        assert_eq!(s.calls, TEARDOWN_CALLS);
        assert!(model::is_clean(s));
    });
    assert_eq!(violations(), Vec::<String>::new());
}

#[test]
fn a_failure_at_any_call_is_unwound_completely() {
    for fail_at in 0..STEPS.len() {
        model::reset(&[fail_at]);
        // SAFETY: 1. the model's device pointer is never dereferenced.
        let failure = unsafe { callout::register(model::DEVICE) }
            .err()
            .unwrap_or_else(|| panic!("no failure injected at call {fail_at}"));
        assert_eq!(failure.step, STEPS[fail_at]);
        assert_eq!(failure.status.0, model::FAIL.cast_unsigned());
        assert!(failure.undo_failures.is_empty());
        let mut want: Vec<String> = STEPS[..=fail_at].iter().copied().map(calls_for).collect();
        want.extend(connsec_callout::plan::unwind(fail_at).map(|u| match u {
            Undo::UnregisterCallout(l) => {
                format!("FwpsCalloutUnregisterById0({})", l.label())
            }
            other => other.function().to_owned(),
        }));
        model::with(|s| {
            assert_eq!(s.calls, want, "failing call {fail_at}");
            assert!(
                model::is_clean(s),
                "state left after failing call {fail_at}"
            );
        });
        assert_eq!(violations(), Vec::<String>::new(), "failing call {fail_at}");
    }
}

#[test]
fn a_failed_commit_is_aborted_and_a_failed_abort_is_reported() {
    // The commit (call 10) fails: the transaction the failed commit hands back is aborted.
    model::reset(&[10]);
    // SAFETY: 1. the model's device pointer is never dereferenced.
    let failure = unsafe { callout::register(model::DEVICE) }
        .err()
        .expect("failure");
    assert_eq!(failure.step, RegistrationStep::CommitTransaction);
    model::with(|s| {
        assert_eq!(s.calls[11], "FwpmTransactionAbort0");
        assert!(model::is_clean(s));
    });
    assert_eq!(violations(), Vec::<String>::new());

    // The v6 filter add (call 9) fails, then the abort (call 10) fails too: the failure names
    // both, the session close still ends the transaction with the session, and the callouts
    // are still unregistered.
    model::reset(&[9, 10]);
    // SAFETY: 1. the model's device pointer is never dereferenced.
    let failure = unsafe { callout::register(model::DEVICE) }
        .err()
        .expect("failure");
    assert_eq!(
        failure.step,
        RegistrationStep::AddFilter(Layer::AleAuthConnectV6)
    );
    let undo_failures: Vec<Undo> = failure.undo_failures.iter().map(|(u, _)| u).collect();
    assert_eq!(undo_failures, [Undo::AbortTransaction]);
    model::with(|s| {
        assert_eq!(
            &s.calls[10..],
            ["FwpmTransactionAbort0"]
                .into_iter()
                .chain(TEARDOWN_CALLS)
                .collect::<Vec<_>>()
        );
        assert!(model::is_clean(s));
    });
    assert_eq!(violations(), Vec::<String>::new());
}

#[test]
fn dropping_the_registration_releases_everything_in_teardown_order() {
    model::reset(&[]);
    // SAFETY: 1. the model's device pointer is never dereferenced.
    let registration = unsafe { callout::register(model::DEVICE) }.expect("registration");
    model::with(|s| s.calls.clear());
    drop(registration);
    model::with(|s| {
        assert_eq!(s.calls, TEARDOWN_CALLS);
        assert!(model::is_clean(s));
    });
    assert_eq!(violations(), Vec::<String>::new());
}

#[test]
fn classify_counts_and_permits_by_the_rules_notify_and_flow_delete_accept() {
    model::reset(&[]);
    // SAFETY: 1. the model's device pointer is never dereferenced.
    let registration = unsafe { callout::register(model::DEVICE) }.expect("registration");
    let fns: Vec<(Guid, wfp::FWPS_CALLOUT3)> =
        model::with(|s| s.registered.values().copied().collect());
    let before = callout::counts();

    for (key, c) in &fns {
        let classify = c.classifyFn.expect("classifyFn");
        for (rights, filter_flags, want_action, want_rights) in [
            // Right to write, plain filter: permit, right kept (a soft permit).
            (
                FWPS_RIGHT_ACTION_WRITE,
                0u16,
                FWP_ACTION_PERMIT,
                FWPS_RIGHT_ACTION_WRITE,
            ),
            // Right to write, filter asks to clear it: permit, right cleared.
            (FWPS_RIGHT_ACTION_WRITE | 0x10, 1, FWP_ACTION_PERMIT, 0x10),
            // No right: nothing written.
            (0, 1, FWP_ACTION_BLOCK, 0),
        ] {
            let mut out = wfp::FWPS_CLASSIFY_OUT0 {
                actionType: FWP_ACTION_BLOCK,
                rights,
                ..Default::default()
            };
            let filter = wfp::FWPS_FILTER3 {
                filterId: 1,
                weight: wfp::FWP_VALUE0 {
                    type_: 0,
                    __bindgen_anon_1: wfp::FWP_VALUE0___bindgen_ty_1 { uint64: 0 },
                },
                subLayerWeight: 0,
                flags: filter_flags,
                numFilterConditions: 0,
            };
            // SAFETY: 1. the callout's contract: valid filter and classify-out for the call;
            //            the other arguments are unused by the connsec callout.
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
            assert_eq!(
                (out.actionType, out.rights),
                (want_action, want_rights),
                "{key}"
            );
        }
        // A null classify-out (outside the contract) is survived, and still counted.
        // SAFETY: 1. the callout checks for null before writing.
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
        let notify = c.notifyFn.expect("notifyFn");
        // SAFETY: 1. the connsec notify function reads none of its arguments.
        let status = unsafe { notify(0, std::ptr::null(), std::ptr::null_mut()) };
        assert_eq!(status, 0, "notifyFn accepts every notification");
        let flow_delete = c.flowDeleteFn.expect("flowDeleteFn");
        // SAFETY: 1. the connsec flow-delete function uses none of its arguments.
        unsafe { flow_delete(0, 0, 0) };
    }

    let after = callout::counts();
    // Four classify calls per layer, counted on the right layer.
    assert_eq!(after.v4 - before.v4, 4);
    assert_eq!(after.v6 - before.v6, 4);
    registration.unregister();
    assert_eq!(violations(), Vec::<String>::new());
}
