//! Raw bindings to the Windows Filtering Platform kernel APIs that `connsec.sys` uses, generated
//! by `build.rs` from the WDK's own `fwpsk.h` and `fwpmk.h` (wdk-sys 0.5.2 has no WFP subset:
//! windows-drivers-rs issue #329).
//!
//! The driver re-exports this crate as `crate::wfp`. It holds:
//! - functions by their numbered names (`FwpmEngineOpen0`, `FwpsCalloutRegister3`, …): the
//!   version-free names are C macros that bindgen never sees;
//! - structures (`FWPM_SESSION0`, `FWPS_CALLOUT3`, `FWPM_FILTER0`, …) and function-pointer types
//!   (`FWPM_SERVICE_STATE_CHANGE_CALLBACK0`, `FWPS_CALLOUT_CLASSIFY_FN3`, …);
//! - constants (`FWP_ACTION_PERMIT`, `FWPS_RIGHT_ACTION_WRITE`, `FWPM_SESSION_FLAG_DYNAMIC`, …);
//! - enumerations as modules of constants named after their C tag, as wdk-sys generates them
//!   (`FWPM_SERVICE_STATE_::FWPM_SERVICE_RUNNING`, `FWPS_BUILTIN_LAYERS_::…`).
//!
//! The items are those of `lists.rs` (shared with the Linux check, `driver/linux-check/wfp-sys`).
//! No GUID constant is bound: the layer keys the driver passes are `connsec_callout::keys`'
//! constants (the Linux check compares them with windows-sys' `FWPM_LAYER_ALE_AUTH_CONNECT_V4`/
//! `_V6`, generated from Microsoft's metadata).
//!
//! The bindings are self-contained: the base types the WFP declarations reference (`GUID`, `SID`,
//! `ACL`, `HANDLE`, …) are generated here too instead of being imported from `wdk_sys`, so the
//! output can never clash with wdk-sys' definitions. Scalar aliases (`NTSTATUS`, `HANDLE`,
//! `UINT32`) are the same Rust types as wdk-sys'; structures (`GUID`, `SID`) are distinct nominal
//! types, so WFP arguments are always built from this crate's types.
//!
//! No layout here is written by hand: bindgen's generated layout tests check each structure's
//! size, alignment and field offsets against clang's view of the headers at compile time.

#![no_std]

pub use bindings::*;

/// `RPC_C_AUTHN_WINNT` (10): the authentication service that kernel WFP clients pass to
/// `FwpmEngineOpen0` (Microsoft's `inspect`, `ddproxy` and `WFPSampler` samples; the
/// `FwpmEngineOpen0` DDI page). It is defined by the RPC headers (`rpcdce.h`), which are not in
/// the kernel include set bindgen reads here, so the value is spelled out.
pub const RPC_C_AUTHN_WINNT: u32 = 10;

// `fwpkclnt.lib` is the import library of `fwpkclnt.sys`, which exports every kernel `Fwpm*` and
// `Fwps*` function ("Library: Fwpkclnt.lib" on each DDI page). wdk-build links only the KMDF base
// libraries (ntoskrnl, hal, wmilib, WdfLdr, WdfDriverEntry, BufferOverflowFastFailK), so this
// crate names the one it needs. `kind = "static"` with `-bundle` is how wdk-sys 0.5.2 links its
// import libraries (wdk-build 0.6.0 `LinkDirective::render`); the feature gate mirrors its
// `suppress-wdk-linking` so that `cargo test` links without the WDK.
#[cfg(not(feature = "suppress-linking"))]
#[link(name = "fwpkclnt", kind = "static", modifiers = "-bundle")]
unsafe extern "C" {}

#[allow(
    missing_docs,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    unused_qualifications,
    trivial_numeric_casts,
    unnecessary_transmutes,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    clippy::cargo,
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block,
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    reason = "bindgen output: C names, no docs, and generated unsafe accessors and layout tests"
)]
mod bindings {
    include!(concat!(env!("OUT_DIR"), "/wfp.rs"));
}
