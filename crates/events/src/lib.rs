//! connsec's ETW provider and events, with the `tracelogging` crate (`TraceLogging` encoding:
//! self-describing events, no manifest).
//!
//! - Provider name **`Connsec.Driver`**, GUID **`d0cc7703-58db-567c-a55d-17c9b47e8af7`**: the
//!   `TraceLogging` name hash of the name, pinned with `id(...)` so tools can use either
//!   (`tracelog -guid *Connsec.Driver` or `#d0cc7703-…`). A test recomputes the hash.
//! - Keywords: [`KW_POLICY`] 0x1, [`KW_BFE`] 0x2, [`KW_CALLOUT`] 0x4, [`KW_CONFIG`] 0x8,
//!   [`KW_DRIVER`] 0x10.
//! - One function per event; [`EVENTS`] lists every event's name, level and keyword, and each
//!   `write_event!` takes its level and keyword from that table's constants.
//! - This is the driver's only ETW adapter: the policy flow's outcomes ([`EtwSink`]) and the
//!   callout's registration, unwind and teardown ([`callout_registration_failed`],
//!   [`callout_teardown_failed`]) are both mapped here, from the portable crates' own types.
//!
//! The driver enables the `kernel_mode` feature (ETW via `EtwRegister`/`EtwWriteTransfer`),
//! calls [`register`] in `DriverEntry` before anything else and [`unregister`] last in
//! `EvtDriverUnload`. On non-Windows targets every call is a no-op, so all of this compiles and
//! runs in the Linux tests. Events are written at `PASSIVE_LEVEL` here; their data lives on the
//! stack or in the caller's buffers (non-paged in the driver).

#![no_std]
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
    )
)]

use connsec_callout::plan::{Failure, Undo};
use connsec_nt::{BfeState, NtStatus};
use connsec_policy::config::ConfigWarning;
use connsec_policy::{
    ConfigError, OriginalEvent, Outcome, OutcomeSink, PolicyError, PolicyWarning, RestoreSkip,
    UnsafeReason,
};
use tracelogging as tlg;
pub use tracelogging::Level;

/// The provider name.
pub const PROVIDER_NAME: &str = "Connsec.Driver";
/// The provider GUID (the `TraceLogging` hash of [`PROVIDER_NAME`]).
pub const PROVIDER_GUID: &str = "d0cc7703-58db-567c-a55d-17c9b47e8af7";

/// Keyword: DACL policy applied, failed, restored.
pub const KW_POLICY: u64 = 0x1;
/// Keyword: BFE state.
pub const KW_BFE: u64 = 0x2;
/// Keyword: callout registration and counts.
pub const KW_CALLOUT: u64 = 0x4;
/// Keyword: configuration (registry) errors and warnings.
pub const KW_CONFIG: u64 = 0x8;
/// Keyword: driver load and unload.
pub const KW_DRIVER: u64 = 0x10;

tlg::define_provider!(
    PROVIDER,
    "Connsec.Driver",
    id("d0cc7703-58db-567c-a55d-17c9b47e8af7")
);

/// One event's identity: what `tracefmt`/WPA show and what sessions filter on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventSpec {
    /// Event name.
    pub name: &'static str,
    /// Level.
    pub level: Level,
    /// Keyword bits.
    pub keyword: u64,
}

macro_rules! specs {
    ($( $(#[$doc:meta])* $id:ident = ($name:literal, $level:ident, $kw:ident), )*) => {
        /// Event identities, one constant per event.
        pub mod spec {
            use super::*;
            $( $(#[$doc])* pub const $id: EventSpec =
                EventSpec { name: $name, level: Level::$level, keyword: $kw }; )*
        }
        /// Every event, in documentation order.
        pub const EVENTS: &[EventSpec] = &[$( spec::$id, )*];
    };
}

specs! {
    /// The driver loaded (first event after registration).
    DRIVER_LOADED = ("DriverLoaded", Informational, KW_DRIVER),
    /// The driver is unloading (last event before unregistration).
    DRIVER_UNLOADING = ("DriverUnloading", Informational, KW_DRIVER),
    /// A configuration value is invalid; the driver does not start.
    CONFIG_ERROR = ("ConfigError", Error, KW_CONFIG),
    /// A value under Parameters is not one this driver reads.
    CONFIG_UNKNOWN_VALUE = ("ConfigUnknownValue", Warning, KW_CONFIG),
    /// A Parameters value (or the key itself) could not be read; the driver does not start.
    PARAMETER_READ_FAILED = ("ParameterReadFailed", Error, KW_CONFIG),
    /// The DACL was refused or could not be built.
    POLICY_REFUSED = ("PolicyRefused", Error, KW_POLICY),
    /// The DACL is applied despite a concern.
    POLICY_WARNING = ("PolicyWarning", Warning, KW_POLICY),
    /// Our DACL is set.
    POLICY_APPLIED = ("PolicyApplied", Informational, KW_POLICY),
    /// An apply attempt failed.
    APPLY_FAILED = ("ApplyFailed", Error, KW_POLICY),
    /// BFE is not running; applying waits for it.
    APPLY_WAITING = ("ApplyWaiting", Informational, KW_BFE),
    /// BFE reported a state change.
    BFE_STATE_CHANGED = ("BfeStateChanged", Informational, KW_BFE),
    /// BFE stopped or is stopping; no session is held.
    BFE_STOPPED = ("BfeStopped", Warning, KW_BFE),
    /// A notification arrived after unload and was ignored.
    IGNORED_AFTER_UNLOAD = ("IgnoredAfterUnload", Verbose, KW_POLICY),
    /// A retry found no failed attempt to repeat.
    NO_RETRY_NEEDED = ("NoRetryNeeded", Verbose, KW_POLICY),
    /// The original DACL is restored.
    RESTORE_DONE = ("RestoreDone", Informational, KW_POLICY),
    /// Restoring the original DACL failed.
    RESTORE_FAILED = ("RestoreFailed", Error, KW_POLICY),
    /// No restore was attempted.
    RESTORE_SKIPPED = ("RestoreSkipped", Informational, KW_POLICY),
    /// The callouts are registered.
    CALLOUT_REGISTERED = ("CalloutRegistered", Informational, KW_CALLOUT),
    /// A callout registration step failed (and everything before it was undone).
    CALLOUT_REGISTRATION_FAILED = ("CalloutRegistrationFailed", Error, KW_CALLOUT),
    /// An undo step failed, in the unwind of a failed registration or at unregistration.
    CALLOUT_TEARDOWN_FAILED = ("CalloutTeardownFailed", Error, KW_CALLOUT),
    /// Final classify counts at unload.
    CALLOUT_COUNTS = ("CalloutCounts", Informational, KW_CALLOUT),

    // The durable original (docs/original-descriptor.md); written by `original_event`.
    /// The live descriptor is stored and flushed as the original, before the first set.
    ORIGINAL_STORED = ("OriginalStored", Informational, KW_POLICY),
    /// A stored original was found (a previous load did not restore); the live one is not taken.
    ORIGINAL_FOUND_STORED = ("OriginalFoundStored", Warning, KW_POLICY),
    /// Nothing stored and the live DACL is already ours: the original is unknown.
    ORIGINAL_UNKNOWN = ("OriginalUnknown", Warning, KW_POLICY),
    /// Reading, writing or removing the stored original failed.
    ORIGINAL_STORE_FAILED = ("OriginalStoreFailed", Error, KW_POLICY),
    /// The stored original was removed after a verified restore.
    ORIGINAL_REMOVED = ("OriginalRemoved", Informational, KW_POLICY),
}

/// The name tools print for a level (`Informational`, `Error`, …).
#[must_use]
pub fn level_name(level: Level) -> &'static str {
    match level.as_int() {
        0 => "LogAlways",
        1 => "Critical",
        2 => "Error",
        3 => "Warning",
        4 => "Informational",
        5 => "Verbose",
        _ => "Other",
    }
}

/// The provider (for its name, id and metadata).
#[must_use]
pub fn provider() -> &'static tlg::Provider {
    &PROVIDER
}

/// Registers the provider (`EtwRegister` in kernel mode). Returns 0 or the error status.
///
/// # Safety
///
/// Call once, at `PASSIVE_LEVEL`, before any event (`DriverEntry`), and call [`unregister`]
/// before the driver image unloads: a registered provider has an ETW callback into this image,
/// and an unloaded image with a live callback crashes the system. `register` panics (a
/// bugcheck in the kernel) if the provider is already registered.
#[allow(unsafe_code)]
#[must_use]
pub unsafe fn register() -> u32 {
    // SAFETY: 1. the caller unregisters before unload (this function's contract);
    // 2. PROVIDER is a static, so it never moves while registered.
    unsafe { PROVIDER.register() }
}

/// Unregisters the provider (`EtwUnregister`); a no-op if it is not registered. Call last in
/// `EvtDriverUnload`, at `PASSIVE_LEVEL`.
#[must_use]
pub fn unregister() -> u32 {
    PROVIDER.unregister()
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `DriverLoaded`: `Version`.
pub fn driver_loaded(version: &str) {
    tlg::write_event!(
        PROVIDER,
        "DriverLoaded",
        level(spec::DRIVER_LOADED.level),
        keyword(spec::DRIVER_LOADED.keyword),
        str8("Version", version),
    );
}

/// `DriverUnloading`.
pub fn driver_unloading() {
    tlg::write_event!(
        PROVIDER,
        "DriverUnloading",
        level(spec::DRIVER_UNLOADING.level),
        keyword(spec::DRIVER_UNLOADING.keyword),
    );
}

/// `ConfigError`: `Value`, `Entry` (1-based, 0 = whole value), `Offset`, `Text` (the entry),
/// `Reason`.
pub fn config_error(error: &ConfigError<'_>) {
    let offset = u32_of(error.offset);
    // The entry text is UTF-16LE bytes; show at most 128 units, converted into a stack buffer.
    let mut text = [0u16; 128];
    let mut n = 0usize;
    for (slot, unit) in text.iter_mut().zip(error.text.iter()) {
        *slot = unit;
        n = n.saturating_add(1);
    }
    let text = text.get(..n).unwrap_or(&[]);
    tlg::write_event!(
        PROVIDER,
        "ConfigError",
        level(spec::CONFIG_ERROR.level),
        keyword(spec::CONFIG_ERROR.keyword),
        str8("Value", error.value),
        u32("Entry", &error.entry),
        u32("Offset", &offset),
        str16("Text", text),
        str8("Reason", error.kind.reason()),
    );
}

/// `ConfigUnknownValue`: `Name`.
pub fn config_warning(warning: &ConfigWarning<'_>) {
    match warning {
        ConfigWarning::UnknownValue { name } => {
            tlg::write_event!(
                PROVIDER,
                "ConfigUnknownValue",
                level(spec::CONFIG_UNKNOWN_VALUE.level),
                keyword(spec::CONFIG_UNKNOWN_VALUE.keyword),
                str16("Name", *name),
            );
        }
    }
}

/// `ParameterReadFailed`: `Value` (the value name; empty when the `Parameters` key itself could
/// not be opened), `Status` (NTSTATUS), `StatusName`.
pub fn parameter_read_failed(value: &str, status: NtStatus) {
    let name = status.name_or_unnamed();
    tlg::write_event!(
        PROVIDER,
        "ParameterReadFailed",
        level(spec::PARAMETER_READ_FAILED.level),
        keyword(spec::PARAMETER_READ_FAILED.keyword),
        str8("Value", value),
        u32("Status", &status.0, format(NtStatus)),
        str8("StatusName", name),
    );
}

/// A build failure: [`config_error`] for configuration errors, otherwise `PolicyRefused`:
/// `Reason`, `Needed` (bytes: the buffer size needed, or the size of a DACL too large; else 0),
/// `AceIndex` (the ACE at fault, see [`unsafe_ace_index`]).
pub fn policy_error(error: &PolicyError<'_>) {
    let (reason, needed, index) = match error {
        PolicyError::Config(e) => return config_error(e),
        PolicyError::Unsafe(r) => (r.reason(), 0, unsafe_ace_index(*r)),
        PolicyError::BufferTooSmall { needed } => ("buffer too small", *needed, 0),
        PolicyError::TooLarge { size } => ("DACL larger than 65532 bytes", *size, 0),
        PolicyError::InvalidAcl(_) => ("built ACL does not parse (bug)", 0, 0),
    };
    let needed = u32_of(needed);
    tlg::write_event!(
        PROVIDER,
        "PolicyRefused",
        level(spec::POLICY_REFUSED.level),
        keyword(spec::POLICY_REFUSED.keyword),
        str8("Reason", reason),
        u32("Needed", &needed),
        u32("AceIndex", &index),
    );
}

/// The `AceIndex` field for an unsafe DACL: the zero-based index of the deny ACE that reaches
/// administrators or SYSTEM; 0 for the reasons that name no ACE (`Reason` tells them apart).
#[must_use]
pub fn unsafe_ace_index(reason: UnsafeReason) -> u32 {
    match reason {
        UnsafeReason::DenyReachesAdministrators { ace_index } => u32::from(ace_index),
        UnsafeReason::EmptyDacl
        | UnsafeReason::SystemLacksFullAccess
        | UnsafeReason::AdministratorsLackFullAccess => 0,
    }
}

/// The `Principal`, `Rights` and `AceIndex` fields of a `PolicyWarning` event: the alias and
/// write-like rights of a broad principal (else `""` and 0), and the zero-based index of the
/// ACE at fault (the unsafe deny ACE, or the first deny ACE after an allow ACE; else 0).
#[must_use]
pub fn policy_warning_fields(warning: &PolicyWarning) -> (&'static str, u32, u32) {
    match warning {
        PolicyWarning::UnsafeDaclAllowed(reason) => ("", 0, unsafe_ace_index(*reason)),
        PolicyWarning::BroadWriteAccess { who, rights } => (who.alias(), *rights, 0),
        PolicyWarning::NonCanonicalOrder { ace_index } => ("", 0, u32::from(*ace_index)),
    }
}

/// `PolicyWarning`: `Reason`, `Principal` (alias or empty), `Rights` (hex), `AceIndex`
/// ([`policy_warning_fields`]).
pub fn policy_warning(warning: &PolicyWarning) {
    let (principal, rights, index) = policy_warning_fields(warning);
    tlg::write_event!(
        PROVIDER,
        "PolicyWarning",
        level(spec::POLICY_WARNING.level),
        keyword(spec::POLICY_WARNING.keyword),
        str8("Reason", warning.reason()),
        str8("Principal", principal),
        u32_hex("Rights", &rights),
        u32("AceIndex", &index),
    );
}

/// `BfeStateChanged`: `State`, `StateName`.
pub fn bfe_state_changed(state: BfeState) {
    let value = u32::from(state);
    tlg::write_event!(
        PROVIDER,
        "BfeStateChanged",
        level(spec::BFE_STATE_CHANGED.level),
        keyword(spec::BFE_STATE_CHANGED.keyword),
        u32("State", &value),
        str8("StateName", state.name()),
    );
}

/// One event per [`Outcome`]: `PolicyApplied`, `ApplyFailed`, `ApplyWaiting`, `BfeStopped`,
/// `IgnoredAfterUnload`, `NoRetryNeeded`, `RestoreDone`, `RestoreFailed` or `RestoreSkipped`.
pub fn outcome(outcome: &Outcome<'_>) {
    match *outcome {
        Outcome::Applied {
            attempt,
            ace_count,
            dacl,
            security_info,
        } => {
            let sids = u32::from(ace_count);
            tlg::write_event!(
                PROVIDER,
                "PolicyApplied",
                level(spec::POLICY_APPLIED.level),
                keyword(spec::POLICY_APPLIED.keyword),
                u32("Attempt", &attempt),
                u32("SidCount", &sids),
                u32_hex("SecurityInformation", &security_info),
                binary("Dacl", dacl),
            );
        }
        Outcome::ApplyFailed {
            attempt,
            step,
            status,
        } => {
            tlg::write_event!(
                PROVIDER,
                "ApplyFailed",
                level(spec::APPLY_FAILED.level),
                keyword(spec::APPLY_FAILED.keyword),
                u32("Attempt", &attempt),
                str8("Step", step.name()),
                u32("Status", &status.0, format(NtStatus)),
                str8("StatusName", status.name_or_unnamed()),
            );
        }
        Outcome::Waiting { state } => {
            let value = u32::from(state);
            tlg::write_event!(
                PROVIDER,
                "ApplyWaiting",
                level(spec::APPLY_WAITING.level),
                keyword(spec::APPLY_WAITING.keyword),
                u32("State", &value),
                str8("StateName", state.name()),
            );
        }
        Outcome::BfeStopped { state } => {
            let value = u32::from(state);
            tlg::write_event!(
                PROVIDER,
                "BfeStopped",
                level(spec::BFE_STOPPED.level),
                keyword(spec::BFE_STOPPED.keyword),
                u32("State", &value),
                str8("StateName", state.name()),
            );
        }
        Outcome::Ignored => {
            tlg::write_event!(
                PROVIDER,
                "IgnoredAfterUnload",
                level(spec::IGNORED_AFTER_UNLOAD.level),
                keyword(spec::IGNORED_AFTER_UNLOAD.keyword),
            );
        }
        Outcome::NoRetryNeeded => {
            tlg::write_event!(
                PROVIDER,
                "NoRetryNeeded",
                level(spec::NO_RETRY_NEEDED.level),
                keyword(spec::NO_RETRY_NEEDED.keyword),
            );
        }
        Outcome::Restored { .. }
        | Outcome::RestoreFailed { .. }
        | Outcome::RestoreSkipped { .. } => {
            restore_outcome(outcome);
        }
    }
}

/// The restore outcomes: `RestoreDone`, `RestoreFailed`, `RestoreSkipped`.
fn restore_outcome(outcome: &Outcome<'_>) {
    match *outcome {
        Outcome::Restored {
            security_info,
            dacl,
        } => {
            tlg::write_event!(
                PROVIDER,
                "RestoreDone",
                level(spec::RESTORE_DONE.level),
                keyword(spec::RESTORE_DONE.keyword),
                u32_hex("SecurityInformation", &security_info),
                binary("Dacl", dacl),
            );
        }
        Outcome::RestoreFailed { step, status } => {
            tlg::write_event!(
                PROVIDER,
                "RestoreFailed",
                level(spec::RESTORE_FAILED.level),
                keyword(spec::RESTORE_FAILED.keyword),
                str8("Step", step.name()),
                u32("Status", &status.0, format(NtStatus)),
                str8("StatusName", status.name_or_unnamed()),
            );
        }
        Outcome::RestoreSkipped { reason } => {
            let state = match reason {
                RestoreSkip::BfeNotRunning(s) => u32::from(s),
                _ => u32::from(BfeState::Running),
            };
            tlg::write_event!(
                PROVIDER,
                "RestoreSkipped",
                level(spec::RESTORE_SKIPPED.level),
                keyword(spec::RESTORE_SKIPPED.keyword),
                str8("Reason", reason.reason()),
                u32("BfeState", &state),
            );
        }
        _ => {}
    }
}

/// `CalloutRegistered`.
pub fn callout_registered() {
    tlg::write_event!(
        PROVIDER,
        "CalloutRegistered",
        level(spec::CALLOUT_REGISTERED.level),
        keyword(spec::CALLOUT_REGISTERED.keyword),
    );
}

/// `CalloutRegistrationFailed`: `Step` (the registration step's name), `Status` (NTSTATUS),
/// `StatusName`; then one `CalloutTeardownFailed` per undo step of the unwind that failed too.
pub fn callout_registration_failed(failure: &Failure) {
    let status = failure.status;
    tlg::write_event!(
        PROVIDER,
        "CalloutRegistrationFailed",
        level(spec::CALLOUT_REGISTRATION_FAILED.level),
        keyword(spec::CALLOUT_REGISTRATION_FAILED.keyword),
        str8("Step", failure.step.name()),
        u32("Status", &status.0, format(NtStatus)),
        str8("StatusName", status.name_or_unnamed()),
    );
    for (undo, status) in failure.undo_failures.iter() {
        callout_teardown_failed(undo, status);
    }
}

/// `CalloutTeardownFailed`: `Step` (the undo step's name: `abort_transaction`, `close_session`,
/// `unregister_callout_v4`, `unregister_callout_v6`), `Status` (NTSTATUS), `StatusName`.
pub fn callout_teardown_failed(undo: Undo, status: NtStatus) {
    tlg::write_event!(
        PROVIDER,
        "CalloutTeardownFailed",
        level(spec::CALLOUT_TEARDOWN_FAILED.level),
        keyword(spec::CALLOUT_TEARDOWN_FAILED.keyword),
        str8("Step", undo.name()),
        u32("Status", &status.0, format(NtStatus)),
        str8("StatusName", status.name_or_unnamed()),
    );
}

/// `CalloutCounts`: `V4`, `V6` (classify calls seen).
pub fn callout_counts(v4: u64, v6: u64) {
    tlg::write_event!(
        PROVIDER,
        "CalloutCounts",
        level(spec::CALLOUT_COUNTS.level),
        keyword(spec::CALLOUT_COUNTS.keyword),
        u64("V4", &v4),
        u64("V6", &v6),
    );
}

// ---- The durable original (docs/original-descriptor.md) ----------------------------------

/// One event per [`OriginalEvent`]: `OriginalStored`, `OriginalFoundStored`, `OriginalUnknown`,
/// `OriginalStoreFailed` or `OriginalRemoved`.
pub fn original_event(event: &OriginalEvent<'_>) {
    match *event {
        OriginalEvent::Stored { descriptor } => {
            tlg::write_event!(
                PROVIDER,
                "OriginalStored",
                level(spec::ORIGINAL_STORED.level),
                keyword(spec::ORIGINAL_STORED.keyword),
                binary("Descriptor", descriptor),
            );
        }
        OriginalEvent::FoundStored { descriptor } => {
            tlg::write_event!(
                PROVIDER,
                "OriginalFoundStored",
                level(spec::ORIGINAL_FOUND_STORED.level),
                keyword(spec::ORIGINAL_FOUND_STORED.keyword),
                binary("Descriptor", descriptor),
            );
        }
        OriginalEvent::Unknown => {
            tlg::write_event!(
                PROVIDER,
                "OriginalUnknown",
                level(spec::ORIGINAL_UNKNOWN.level),
                keyword(spec::ORIGINAL_UNKNOWN.keyword),
            );
        }
        OriginalEvent::StoreFailed { op, status } => {
            tlg::write_event!(
                PROVIDER,
                "OriginalStoreFailed",
                level(spec::ORIGINAL_STORE_FAILED.level),
                keyword(spec::ORIGINAL_STORE_FAILED.keyword),
                str8("Operation", op.name()),
                u32("Status", &status.0, format(NtStatus)),
                str8("StatusName", status.name_or_unnamed()),
            );
        }
        OriginalEvent::Removed => {
            tlg::write_event!(
                PROVIDER,
                "OriginalRemoved",
                level(spec::ORIGINAL_REMOVED.level),
                keyword(spec::ORIGINAL_REMOVED.keyword),
            );
        }
    }
}

/// An [`OutcomeSink`] that writes every outcome and BFE state change as an ETW event.
#[derive(Clone, Copy, Debug, Default)]
pub struct EtwSink;

impl OutcomeSink for EtwSink {
    fn outcome(&mut self, o: &Outcome<'_>) {
        outcome(o);
    }
    fn bfe_state(&mut self, state: BfeState) {
        bfe_state_changed(state);
    }
    fn original(&mut self, event: &OriginalEvent<'_>) {
        original_event(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connsec_policy::BroadPrincipal;

    #[test]
    fn an_unsafe_deny_ace_is_logged_at_its_own_index() {
        let reason = UnsafeReason::DenyReachesAdministrators { ace_index: 5 };
        assert_eq!(unsafe_ace_index(reason), 5);
        assert_eq!(
            policy_warning_fields(&PolicyWarning::UnsafeDaclAllowed(reason)),
            ("", 0, 5)
        );
        for reason in [
            UnsafeReason::EmptyDacl,
            UnsafeReason::SystemLacksFullAccess,
            UnsafeReason::AdministratorsLackFullAccess,
        ] {
            assert_eq!(unsafe_ace_index(reason), 0, "{reason}");
        }
    }

    #[test]
    fn warning_fields_name_the_principal_or_the_ace() {
        assert_eq!(
            policy_warning_fields(&PolicyWarning::BroadWriteAccess {
                who: BroadPrincipal::Everyone,
                rights: 0x0004_0000,
            }),
            ("WD", 0x0004_0000, 0)
        );
        assert_eq!(
            policy_warning_fields(&PolicyWarning::NonCanonicalOrder { ace_index: 3 }),
            ("", 0, 3)
        );
    }
}
