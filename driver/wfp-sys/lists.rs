// The WFP items connsec.sys binds, in one place. Read (`include!`) by two build scripts:
// - `driver/wfp-sys/build.rs`: bindgen over the WDK's `fwpsk.h`/`fwpmk.h` (the Windows build);
// - `driver/linux-check/wfp-sys/build.rs`: bindgen over mingw-w64's `fwptypes.h`/`fwpmtypes.h`
//   (the Linux check, which runs driver/src on a simulated kernel).
// Plain constants, so that it compiles as part of either script; edit it, not the scripts.

/// Functions, by their numbered names.
///
/// The version-free names are C macros that bindgen never sees. The first group is the DACL flow's (`driver/src/engine.rs`, `wfp_box.rs`, `bfe.rs`,
/// `kernel_engine.rs`); the rest are the callout's (`driver/src/callout/`).
pub const WFP_FUNCTIONS: &[&str] = &[
    "FwpmEngineOpen0",
    "FwpmEngineClose0",
    "FwpmFreeMemory0",
    "FwpmConnectionGetSecurityInfo0",
    "FwpmConnectionSetSecurityInfo0",
    "FwpmBfeStateGet0",
    "FwpmBfeStateSubscribeChanges0",
    "FwpmBfeStateUnsubscribeChanges0",
    // callout registration (src/callout/)
    "FwpsCalloutRegister3",
    "FwpsCalloutUnregisterById0",
    "FwpsCalloutUnregisterByKey0",
    "FwpmTransactionBegin0",
    "FwpmTransactionCommit0",
    "FwpmTransactionAbort0",
    "FwpmProviderAdd0",
    "FwpmProviderDeleteByKey0",
    "FwpmSubLayerAdd0",
    "FwpmSubLayerDeleteByKey0",
    "FwpmCalloutAdd0",
    "FwpmCalloutDeleteByKey0",
    "FwpmFilterAdd0",
    "FwpmFilterDeleteByKey0",
];

/// Types the driver names directly (the functions above pull in what they reference).
///
/// Enumerations are generated as modules of constants named after the C enum tag
/// (`FWPM_SERVICE_STATE_::FWPM_SERVICE_RUNNING`), as wdk-build's `wdk_default` sets
/// `EnumVariation::ModuleConsts`.
pub const WFP_TYPES: &[&str] = &[
    "FWPM_SESSION0",
    "FWPM_SERVICE_STATE",
    "FWPM_SERVICE_STATE_CHANGE_CALLBACK0",
    "FWPS_CALLOUT3",
    "FWPS_CALLOUT_CLASSIFY_FN3",
    "FWPS_CALLOUT_NOTIFY_FN3",
    "FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0",
    "FWPS_CALLOUT_NOTIFY_TYPE",
    "FWPS_INCOMING_VALUES0",
    "FWPS_INCOMING_METADATA_VALUES0",
    "FWPS_CLASSIFY_OUT0",
    "FWPS_FILTER3",
    "FWPM_PROVIDER0",
    "FWPM_SUBLAYER0",
    "FWPM_CALLOUT0",
    "FWPM_FILTER0",
    "FWPM_FILTER_CONDITION0",
    "FWP_ACTION_TYPE",
    "FWPS_BUILTIN_LAYERS_?",
    "FWPS_FIELDS_ALE_AUTH_CONNECT_V4_?",
    "FWPS_FIELDS_ALE_AUTH_CONNECT_V6_?",
];

/// Constants (regexes, anchored by bindgen).
///
/// The layer keys are not here: the driver takes them from `connsec_callout::keys` (the
/// `Layer::layer_key` constants; the Linux check compares them with windows-sys'
/// `FWPM_LAYER_ALE_AUTH_CONNECT_V4`/`_V6`), so no object file has to define a GUID.
pub const WFP_VARS: &[&str] = &[
    "FWP_ACTION_.*",
    "FWPS_RIGHT_ACTION_WRITE",
    "FWPS_CLASSIFY_OUT_FLAG_.*",
    "FWPM_SESSION_FLAG_.*",
    "FWPM_PROVIDER_FLAG_.*",
    "FWPM_SUBLAYER_FLAG_.*",
    "FWPM_FILTER_FLAG_.*",
    "FWP_CALLOUT_FLAG_.*",
    "FWPS_METADATA_FIELD_.*",
    "FWPM_TXN_READ_ONLY",
];

/// Types generated as opaque blobs of the right size and alignment, whose fields bindgen then
/// neither emits nor follows:
/// - `NET_BUFFER_HEADER`, `NDIS_OPEN_BLOCK`: anonymous members of a typedef'd type, which
///   bindgen cannot express (windows-drivers-rs PR #595 blocklists them);
/// - `FWPM_PROVIDER_CONTEXT*`: reached only through a pointer (`FWPS_FILTER3.providerContext`)
///   that the driver never follows; opaque, it keeps the IPsec/IKE type tree out;
/// - `FWPS_INCOMING_VALUES0`, `FWPS_INCOMING_METADATA_VALUES0`: the classify functions only
///   receive and ignore their pointers, so their (large, version-dependent) layouts are not
///   part of what the driver relies on.
pub const OPAQUE_TYPES: &[&str] = &[
    ".*NET_BUFFER_HEADER",
    ".*NDIS_OPEN_BLOCK",
    "FWPM_PROVIDER_CONTEXT[0-9]_?",
    "FWPS_INCOMING_VALUES0_?",
    "FWPS_INCOMING_METADATA_VALUES0_?",
];

/// The Windows version the bindings are generated for.
///
/// `NTDDI_WIN10_VB` (Windows 10 2004) is the oldest release the driver supports (KMDF 1.31, `minimum-kmdf-version-minor = 31`). The WFP
/// headers declare the `*3` callout types (`FWPS_CALLOUT3`, `FWPS_FILTER3`,
/// `FWPS_CALLOUT_CLASSIFY_FN3`) only for `NTDDI_VERSION >= NTDDI_WIN10_RS3` (0x0A000004), so an
/// older default would silently drop them; `NTDDI_GUARD` fails the generation instead.
pub const NTDDI_VERSION: &str = "0x0A000008";

/// Appended after the WFP includes: stops bindgen (clang) when the headers saw an older
/// `NTDDI_VERSION` than the one above, for example because a header defined it first.
pub const NTDDI_GUARD: &str = "\n#if !defined(NTDDI_VERSION) || NTDDI_VERSION < 0x0A000008\n\
#error \"connsec: the WFP bindings need NTDDI_VERSION >= NTDDI_WIN10_VB (0x0A000008)\"\n#endif\n";
