//! The callout functions the filter engine calls.
//!
//! `classifyFn` runs at IRQL <= `DISPATCH_LEVEL` on any processor, for every outgoing connection
//! attempt at the layer: it allocates nothing, takes no lock, touches only its arguments and the
//! non-paged static [`COUNTERS`](super::COUNTERS), and cannot panic (no indexing, no unwrap;
//! the verdict is `connsec_callout::classify::permit`). Rust code and statics are in non-paged
//! sections unless placed in `PAGE`, which nothing here is.

use core::ffi::c_void;

use connsec_callout::Layer;
use connsec_callout::classify::{self, ClassifyOut};

use super::COUNTERS;
use crate::wfp;

/// The classify function registered for `layer` (one per layer, so that the counter is chosen
/// without reading `inFixedValues`).
pub(super) fn classify_fn(layer: Layer) -> ClassifyFn {
    match layer {
        Layer::AleAuthConnectV4 => classify_v4,
        Layer::AleAuthConnectV6 => classify_v6,
    }
}

/// The function type behind `FWPS_CALLOUT_CLASSIFY_FN3` (`fwpsk.h`):
/// `void (const FWPS_INCOMING_VALUES0*, const FWPS_INCOMING_METADATA_VALUES0*, void* layerData,
/// const void* classifyContext, const FWPS_FILTER3*, UINT64 flowContext, FWPS_CLASSIFY_OUT0*)`.
pub(super) type ClassifyFn = unsafe extern "C" fn(
    *const wfp::FWPS_INCOMING_VALUES0,
    *const wfp::FWPS_INCOMING_METADATA_VALUES0,
    *mut c_void,
    *const c_void,
    *const wfp::FWPS_FILTER3,
    u64,
    *mut wfp::FWPS_CLASSIFY_OUT0,
);

/// `classifyFn` at `FWPM_LAYER_ALE_AUTH_CONNECT_V4`.
///
/// # Safety
///
/// Called by the filter engine only, with the `classifyFn3` contract: `filter` and
/// `classify_out` valid for the duration of the call.
unsafe extern "C" fn classify_v4(
    _in_fixed_values: *const wfp::FWPS_INCOMING_VALUES0,
    _in_meta_values: *const wfp::FWPS_INCOMING_METADATA_VALUES0,
    _layer_data: *mut c_void,
    _classify_context: *const c_void,
    filter: *const wfp::FWPS_FILTER3,
    _flow_context: u64,
    classify_out: *mut wfp::FWPS_CLASSIFY_OUT0,
) {
    classify(Layer::AleAuthConnectV4, filter, classify_out);
}

/// `classifyFn` at `FWPM_LAYER_ALE_AUTH_CONNECT_V6`.
///
/// # Safety
///
/// As [`classify_v4`].
unsafe extern "C" fn classify_v6(
    _in_fixed_values: *const wfp::FWPS_INCOMING_VALUES0,
    _in_meta_values: *const wfp::FWPS_INCOMING_METADATA_VALUES0,
    _layer_data: *mut c_void,
    _classify_context: *const c_void,
    filter: *const wfp::FWPS_FILTER3,
    _flow_context: u64,
    classify_out: *mut wfp::FWPS_CLASSIFY_OUT0,
) {
    classify(Layer::AleAuthConnectV6, filter, classify_out);
}

/// Counts the connection, then permits it if the callout holds the right to decide.
fn classify(
    layer: Layer,
    filter: *const wfp::FWPS_FILTER3,
    classify_out: *mut wfp::FWPS_CLASSIFY_OUT0,
) {
    COUNTERS.record(layer);

    // SAFETY:
    // 1. The filter engine passes a valid `FWPS_CLASSIFY_OUT0` that this call may write until it
    //    returns (`classifyFn3` contract); a null pointer, which the contract excludes, is
    //    still handled by `as_mut`.
    // 2. No other reference to it exists during the call.
    // 3. IRQL: <= DISPATCH_LEVEL; the structure is in memory the engine keeps resident.
    let Some(out) = (unsafe { classify_out.as_mut() }) else {
        return;
    };
    // SAFETY:
    // 1. `filter` is the engine's description of the matching filter, valid for the call, or
    //    null (handled by `as_ref`); it is only read.
    // 2. IRQL: <= DISPATCH_LEVEL, resident memory, as above.
    let filter_flags = unsafe { filter.as_ref() }.map_or(0, |f| u32::from(f.flags));

    let mut verdict = ClassifyOut {
        action_type: out.actionType,
        rights: out.rights,
    };
    if classify::permit(&mut verdict, filter_flags) {
        out.actionType = verdict.action_type;
        out.rights = verdict.rights;
    }
}

/// `notifyFn` (`FWPS_CALLOUT_NOTIFY_FN3`): filters are added and deleted only by this driver's
/// own session and need no per-filter context, so every notification is accepted
/// (`STATUS_SUCCESS`; an error would stop the filter from being added).
///
/// # Safety
///
/// Called by the filter engine only; no argument is dereferenced.
pub(super) const unsafe extern "C" fn notify(
    _notify_type: wfp::FWPS_CALLOUT_NOTIFY_TYPE,
    _filter_key: *const wfp::GUID,
    _filter: *mut wfp::FWPS_FILTER3,
) -> wfp::NTSTATUS {
    0 // STATUS_SUCCESS
}

/// `flowDeleteFn` (`FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0`): the callout associates no context
/// with any flow, so there is nothing to free.
///
/// # Safety
///
/// Called by the filter engine only; no argument is used.
pub(super) const unsafe extern "C" fn flow_delete(
    _layer_id: u16,
    _callout_id: u32,
    _flow_context: u64,
) {
}
