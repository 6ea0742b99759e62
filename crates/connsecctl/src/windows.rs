//! The Windows-only edge: `status` and `probe` over the user-mode WFP API (`fwpuclnt.dll`,
//! through `windows-sys`). This is the only module of the crate with `unsafe`; each block holds
//! one FFI call under a numbered SAFETY list, and each engine object is owned by a
//! small wrapper that releases it in `Drop`.
//!
//! Built for `x86_64-pc-windows-gnu` and run under Wine by `scripts/ci/wine-connsecctl.sh`:
//! the registry reader runs there for real; Wine does not implement the WFP calls, and `status`
//! names that failure.

use core::ffi::c_void;
use core::fmt::Write as _;
use core::ptr::{null, null_mut};
use std::io::Write as _;

use anyhow::{Result, anyhow};
use secdesc::{SddlContext, SecurityDescriptor};
use serde::Serialize;
use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Foundation::{ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS};
use windows_sys::Win32::NetworkManagement::WindowsFilteringPlatform::{
    FWPM_CONNECTION_EVENT_TYPE, FWPM_CONNECTION_SUBSCRIPTION0, FWPM_CONNECTION0,
    FwpmConnectionCreateEnumHandle0, FwpmConnectionDestroyEnumHandle0, FwpmConnectionEnum0,
    FwpmConnectionGetSecurityInfo0, FwpmConnectionSubscribe0, FwpmConnectionUnsubscribe0,
    FwpmEngineClose0, FwpmEngineOpen0, FwpmFreeMemory0,
};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetSecurityDescriptorLength, PSECURITY_DESCRIPTOR, PSID,
};
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_LOCAL_MACHINE, KEY_READ, RegCloseKey, RegEnumValueW, RegOpenKeyExW,
};
use windows_sys::Win32::System::Rpc::RPC_C_AUTHN_WINNT;

use crate::codes;
use crate::describe::{self, AceRow};
use crate::original::{self, LiveIs, Stored};
use crate::plan::Plan;
use crate::source::{Value, Values};
use crate::{Status, out, out_json};

/// A WFP status as text: its name and message (`ERROR_ACCESS_DENIED (0x00000005): access is
/// denied`), or the hex code when the table does not know it.
fn status_text(code: u32) -> String {
    codes::describe(code)
}

/// A failed WFP session open, named, with what it means.
fn engine_error(code: u32) -> String {
    format!(
        "FwpmEngineOpen0 failed: {}",
        codes::explain(code, codes::wfp_hint(code))
    )
}

/// An open session to the local filter engine, closed on drop.
struct Engine {
    handle: HANDLE,
}

impl Engine {
    fn open() -> Result<Self, u32> {
        let mut handle: HANDLE = null_mut();
        // SAFETY: 1. A null server name is the local machine. 2. A null identity is the calling
        // user. 3. A null session asks for a default, non-dynamic session. 4. `handle` is a
        // valid place for the out handle for the duration of the call.
        let status =
            unsafe { FwpmEngineOpen0(null(), RPC_C_AUTHN_WINNT, null(), null(), &raw mut handle) };
        if status == 0 {
            Ok(Self { handle })
        } else {
            Err(status)
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: 1. `handle` was opened by `Engine::open` and is private to this type, so it is
        // open and closed exactly once, here.
        unsafe { FwpmEngineClose0(self.handle) };
    }
}

/// Memory that a `Fwpm*` call allocated, freed with `FwpmFreeMemory0` on drop.
struct WfpBox {
    ptr: *mut c_void,
}

impl Drop for WfpBox {
    fn drop(&mut self) {
        if !self.ptr.is_null() {
            // SAFETY: 1. `ptr` was returned by a WFP call that documents `FwpmFreeMemory0` as its
            // release, and this type frees it once. 2. The function takes the address of the
            // pointer and may reset it.
            unsafe { FwpmFreeMemory0(&raw mut self.ptr) };
        }
    }
}

/// The live descriptor of the connection-object container (owner, group and DACL).
fn live_descriptor(engine: &Engine) -> Result<Vec<u8>, u32> {
    let (mut owner, mut group): (PSID, PSID) = (null_mut(), null_mut());
    let (mut dacl, mut sacl): (*mut ACL, *mut ACL) = (null_mut(), null_mut());
    let mut sd: PSECURITY_DESCRIPTOR = null_mut();
    // SAFETY: 1. `engine.handle` is open (owned by `Engine`). 2. Every out pointer is a valid
    // local for the duration of the call. 3. Only `sd` is freed (by `WfpBox`); the others point
    // into it and are not used after it.
    let status = unsafe {
        FwpmConnectionGetSecurityInfo0(
            engine.handle,
            DACL_SECURITY_INFORMATION,
            &raw mut owner,
            &raw mut group,
            &raw mut dacl,
            &raw mut sacl,
            &raw mut sd,
        )
    };
    let descriptor = WfpBox { ptr: sd };
    if status != 0 {
        return Err(status);
    }
    if descriptor.ptr.is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: 1. `descriptor.ptr` is the valid security descriptor WFP just returned.
    let len = unsafe { GetSecurityDescriptorLength(descriptor.ptr) };
    // SAFETY: 1. The descriptor is `len` bytes long (GetSecurityDescriptorLength) and stays
    // allocated until `descriptor` drops, after the copy.
    let bytes =
        unsafe { core::slice::from_raw_parts(descriptor.ptr.cast::<u8>(), len as usize) }.to_vec();
    Ok(bytes)
}

/// An open registry key, closed on drop.
struct RegistryKey {
    handle: HKEY,
}

impl Drop for RegistryKey {
    fn drop(&mut self) {
        // SAFETY: 1. `handle` was opened by `RegOpenKeyExW` in `registry_values` and is private
        // to this type, so it is closed exactly once, here.
        unsafe { RegCloseKey(self.handle) };
    }
}

/// The values under the service's `Parameters` key, as the driver reads them at load: the
/// configuration `status` compares against when no other source is given.
pub(crate) fn registry_values() -> Result<Values> {
    let key_name = connsec_policy::config::PARAMETERS_KEY;
    let path: Vec<u16> = key_name.encode_utf16().chain([0]).collect();
    let mut handle: HKEY = null_mut();
    // SAFETY: 1. `HKEY_LOCAL_MACHINE` is a predefined key. 2. `path` is NUL-terminated UTF-16
    // and outlives the call. 3. `handle` is a valid out pointer.
    let status = unsafe {
        RegOpenKeyExW(
            HKEY_LOCAL_MACHINE,
            path.as_ptr(),
            0,
            KEY_READ,
            &raw mut handle,
        )
    };
    if status != 0 {
        return Err(anyhow!(
            "opening HKLM\\{key_name}: {}",
            codes::explain(status, codes::registry_hint(status))
        ));
    }
    let key = RegistryKey { handle };
    let mut values = Vec::new();
    // Value names are at most 16,383 characters; data grows on ERROR_MORE_DATA.
    let mut name = vec![0u16; 16_384];
    let mut data = vec![0u8; 1 << 18];
    let mut index = 0u32;
    loop {
        let mut name_len = u32::try_from(name.len()).unwrap_or(u32::MAX);
        let mut data_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let mut kind = 0u32;
        // SAFETY: 1. `key.handle` is open. 2. `name` and `data` are writable for the lengths
        // passed in `name_len` and `data_len`. 3. The other pointers are valid locals or null
        // (reserved).
        let status = unsafe {
            RegEnumValueW(
                key.handle,
                index,
                name.as_mut_ptr(),
                &raw mut name_len,
                null(),
                &raw mut kind,
                data.as_mut_ptr(),
                &raw mut data_len,
            )
        };
        match status {
            0 => {
                let name = String::from_utf16_lossy(name.get(..name_len as usize).unwrap_or(&[]));
                let data = data.get(..data_len as usize).unwrap_or(&[]).to_vec();
                values.push(Value {
                    name,
                    kind: connsec_inf::RegType(kind),
                    data,
                    line: None,
                });
                index += 1;
            }
            ERROR_MORE_DATA => data.resize((data_len as usize).max(data.len() * 2), 0),
            ERROR_NO_MORE_ITEMS => break,
            other => {
                return Err(anyhow!(
                    "reading HKLM\\{key_name}: {}",
                    codes::describe(other)
                ));
            }
        }
    }
    Ok(Values::new(
        format!("HKLM\\{key_name}"),
        None,
        values,
        Vec::new(),
    ))
}

#[derive(Serialize)]
struct StatusJson {
    matches: bool,
    /// Whose DACL is live: `planned` (connsec's), `original` (the stored original) or `other`.
    live_is: LiveIs,
    original_stored: bool,
    original: String,
    planned_sddl: String,
    live_sddl: String,
    only_planned: Vec<AceRow>,
    only_live: Vec<AceRow>,
}

/// `status`: compares the live DACL with the planned one and with the stored original. `read`
/// says what was read from the registry, for the error when WFP cannot be asked.
pub(crate) fn status(plan: &Plan, stored: &Stored, read: &str, json: bool) -> Result<Status> {
    let engine = Engine::open().map_err(|s| anyhow!("status: {read}; then {}", engine_error(s)))?;
    let live = live_descriptor(&engine).map_err(|s| {
        anyhow!(
            "status: {read}; then FwpmConnectionGetSecurityInfo0 failed: {}",
            status_text(s)
        )
    })?;
    let live_sd = SecurityDescriptor::new_checked(&live)
        .map_err(|e| anyhow!("status: live descriptor: at byte {}: {}", e.offset, e.kind))?;
    let planned_sd = SecurityDescriptor::new_checked(&plan.descriptor).map_err(|e| {
        anyhow!(
            "status: planned descriptor: at byte {}: {}",
            e.offset,
            e.kind
        )
    })?;
    let ctx = SddlContext::new();
    let live_view = describe::describe(&live_sd, &ctx);
    let planned_view = describe::describe(&planned_sd, &ctx);
    let live_rows = live_view.dacl.clone().unwrap_or_default();
    let planned_rows = planned_view.dacl.clone().unwrap_or_default();
    let only_planned: Vec<AceRow> = planned_rows
        .iter()
        .filter(|r| !live_rows.contains(r))
        .cloned()
        .collect();
    let only_live: Vec<AceRow> = live_rows
        .iter()
        .filter(|r| !planned_rows.contains(r))
        .cloned()
        .collect();
    let same_bytes =
        live_sd.dacl().map(|a| a.as_bytes()) == planned_sd.dacl().map(|a| a.as_bytes());
    let matches = same_bytes && only_planned.is_empty() && only_live.is_empty();
    let live_is = original::classify(
        live_sd.dacl().map(|a| a.as_bytes()),
        planned_sd.dacl().map_or(&[][..], |a| a.as_bytes()),
        stored,
    );
    if json {
        out_json(&StatusJson {
            matches,
            live_is,
            original_stored: matches!(stored, Stored::Present { .. }),
            original: original::stored_text(stored),
            planned_sddl: planned_view.sddl,
            live_sddl: live_view.sddl,
            only_planned,
            only_live,
        })?;
    } else {
        let mut text = String::new();
        text.push_str(if matches {
            "Live DACL matches the configured policy.\n"
        } else {
            "Live DACL DIFFERS from the configured policy.\n"
        });
        let _ = writeln!(
            text,
            "Planned: {}\nLive:    {}\nLive DACL is: {}\nStored original (Parameters\\OriginalDacl): {}",
            planned_view.sddl,
            live_view.sddl,
            original::live_text(live_is, stored),
            original::stored_text(stored)
        );
        for r in &only_planned {
            let _ = writeln!(
                text,
                "  missing: {} {} {}",
                r.sid.as_deref().unwrap_or("-"),
                r.name.as_deref().unwrap_or("-"),
                r.rights
            );
        }
        for r in &only_live {
            let _ = writeln!(
                text,
                "  extra:   {} {} {}",
                r.sid.as_deref().unwrap_or("-"),
                r.name.as_deref().unwrap_or("-"),
                r.rights
            );
        }
        if !matches && only_planned.is_empty() && only_live.is_empty() {
            text.push_str("  same ACEs in a different order or encoding\n");
        }
        out(&text)?;
    }
    Ok(if matches {
        Status::Success
    } else {
        Status::Negative
    })
}

/// What one probe found.
#[derive(Serialize)]
struct Probe {
    operation: &'static str,
    allowed: bool,
    detail: String,
}

fn probe_enum(engine: &Engine) -> Probe {
    let mut enum_handle: HANDLE = null_mut();
    // SAFETY: 1. `engine.handle` is open. 2. A null template enumerates all connections.
    // 3. `enum_handle` is a valid out pointer.
    let status =
        unsafe { FwpmConnectionCreateEnumHandle0(engine.handle, null(), &raw mut enum_handle) };
    if status != 0 {
        return Probe {
            operation: "enumerate",
            allowed: false,
            detail: status_text(status),
        };
    }
    let mut entries: *mut *mut FWPM_CONNECTION0 = null_mut();
    let mut count = 0u32;
    // SAFETY: 1. Both handles are open. 2. `entries` and `count` are valid out pointers; the
    // array is freed by `WfpBox` below.
    let status = unsafe {
        FwpmConnectionEnum0(
            engine.handle,
            enum_handle,
            1024,
            &raw mut entries,
            &raw mut count,
        )
    };
    drop(WfpBox {
        ptr: entries.cast(),
    });
    // SAFETY: 1. `enum_handle` was created above on this engine and is destroyed once, here.
    unsafe { FwpmConnectionDestroyEnumHandle0(engine.handle, enum_handle) };
    if status == 0 {
        Probe {
            operation: "enumerate",
            allowed: true,
            detail: format!("{count} connection object(s) readable"),
        }
    } else {
        Probe {
            operation: "enumerate",
            allowed: false,
            detail: status_text(status),
        }
    }
}

unsafe extern "system" fn on_connection_event(
    _context: *mut c_void,
    _event: FWPM_CONNECTION_EVENT_TYPE,
    _connection: *const FWPM_CONNECTION0,
) {
}

fn probe_subscribe(engine: &Engine) -> Probe {
    let subscription = FWPM_CONNECTION_SUBSCRIPTION0::default();
    let mut events: HANDLE = null_mut();
    // SAFETY: 1. `engine.handle` is open. 2. `subscription` (null template: all connections)
    // outlives the call. 3. The callback does nothing and touches no context (null).
    // 4. `events` is a valid out pointer.
    let status = unsafe {
        FwpmConnectionSubscribe0(
            engine.handle,
            &raw const subscription,
            Some(on_connection_event),
            null(),
            &raw mut events,
        )
    };
    if status != 0 {
        return Probe {
            operation: "subscribe",
            allowed: false,
            detail: status_text(status),
        };
    }
    // SAFETY: 1. `events` was returned by the subscription above, on this engine; it is
    // unsubscribed once, here (waits for a running callback).
    unsafe { FwpmConnectionUnsubscribe0(engine.handle, events) };
    Probe {
        operation: "subscribe",
        allowed: true,
        detail: "subscribed and unsubscribed".to_owned(),
    }
}

/// `probe`: enumerate and subscribe as the current user.
pub(crate) fn probe(json: bool) -> Result<Status> {
    let engine = Engine::open().map_err(|s| anyhow!("probe: {}", engine_error(s)))?;
    let results = [probe_enum(&engine), probe_subscribe(&engine)];
    let all = results.iter().all(|p| p.allowed);
    if json {
        out_json(&serde_json::json!({ "all_allowed": all, "results": results }))?;
    } else {
        let mut w = std::io::stdout().lock();
        for p in &results {
            writeln!(
                w,
                "{}: {} ({})",
                p.operation,
                if p.allowed { "allowed" } else { "DENIED" },
                p.detail
            )?;
        }
    }
    Ok(if all {
        Status::Success
    } else {
        Status::Negative
    })
}
