//! The provider's identity, the event table, and every event function (no-ops on Linux).

use connsec_callout::Layer;
use connsec_callout::plan::{Failure, RegistrationStep, Undo, UndoFailures};
use connsec_events::{EVENTS, EtwSink, KW_BFE, KW_CALLOUT, KW_CONFIG, KW_DRIVER, KW_POLICY, Level};
use connsec_policy::config::ConfigWarning;
use connsec_policy::{
    BfeState, BroadPrincipal, ConfigError, ConfigErrorKind, NtStatus, OriginalEvent, Outcome,
    OutcomeSink, PolicyError, PolicyWarning, RestoreSkip, Step, StoreOp, UnsafeReason, Wide,
};
use tracelogging::Guid;

#[test]
fn provider_name_and_guid() {
    let p = connsec_events::provider();
    assert_eq!(p.name(), "Connsec.Driver");
    assert_eq!(p.name(), connsec_events::PROVIDER_NAME);
    // The pinned id is the TraceLogging name hash, so `*Connsec.Driver` and the GUID agree.
    assert_eq!(*p.id(), Guid::from_name(connsec_events::PROVIDER_NAME));
    assert_eq!(
        *p.id(),
        Guid::from_u128(&0xd0cc7703_58db_567c_a55d_17c9b47e8af7)
    );
    let text = String::from_utf8(p.id().to_utf8_bytes().to_vec()).unwrap();
    assert_eq!(text, connsec_events::PROVIDER_GUID);
    // Provider metadata: u16 size, then the NUL-terminated name (`TraceLoggingProvider.h` provider metadata).
    let mut meta = vec![17, 0];
    meta.extend(b"Connsec.Driver\0");
    assert_eq!(p.raw_meta(), &meta[..]);
}

#[test]
fn the_hash_matches_microsofts_published_vectors() {
    assert_eq!(
        Guid::from_name("MyProvider"),
        Guid::from_u128(&0xb3864c38_4273_58c5_545b_8b3608343471)
    );
    assert_eq!(
        Guid::from_name("MyCompany.MyDriver"),
        Guid::from_u128(&0xf71c6f07_7854_5512_e3d0_b152a77b71d4)
    );
}

#[test]
fn event_table_levels_and_keywords() {
    let expected: &[(&str, Level, u64)] = &[
        ("DriverLoaded", Level::Informational, KW_DRIVER),
        ("DriverUnloading", Level::Informational, KW_DRIVER),
        ("ConfigError", Level::Error, KW_CONFIG),
        ("ConfigUnknownValue", Level::Warning, KW_CONFIG),
        ("ParameterReadFailed", Level::Error, KW_CONFIG),
        ("PolicyRefused", Level::Error, KW_POLICY),
        ("PolicyWarning", Level::Warning, KW_POLICY),
        ("PolicyApplied", Level::Informational, KW_POLICY),
        ("ApplyFailed", Level::Error, KW_POLICY),
        ("ApplyWaiting", Level::Informational, KW_BFE),
        ("BfeStateChanged", Level::Informational, KW_BFE),
        ("BfeStopped", Level::Warning, KW_BFE),
        ("IgnoredAfterUnload", Level::Verbose, KW_POLICY),
        ("NoRetryNeeded", Level::Verbose, KW_POLICY),
        ("RestoreDone", Level::Informational, KW_POLICY),
        ("RestoreFailed", Level::Error, KW_POLICY),
        ("RestoreSkipped", Level::Informational, KW_POLICY),
        ("CalloutRegistered", Level::Informational, KW_CALLOUT),
        ("CalloutRegistrationFailed", Level::Error, KW_CALLOUT),
        ("CalloutTeardownFailed", Level::Error, KW_CALLOUT),
        ("CalloutCounts", Level::Informational, KW_CALLOUT),
        ("OriginalStored", Level::Informational, KW_POLICY),
        ("OriginalFoundStored", Level::Warning, KW_POLICY),
        ("OriginalUnknown", Level::Warning, KW_POLICY),
        ("OriginalStoreFailed", Level::Error, KW_POLICY),
        ("OriginalRemoved", Level::Informational, KW_POLICY),
    ];
    let got: Vec<(&str, Level, u64)> = EVENTS
        .iter()
        .map(|e| (e.name, e.level, e.keyword))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        [KW_POLICY, KW_BFE, KW_CALLOUT, KW_CONFIG, KW_DRIVER],
        [0x1, 0x2, 0x4, 0x8, 0x10]
    );
}

/// Each `write_event!` in the source names the event its `spec::` constant names, so the table
/// (and `docs/events.md` built from it) cannot drift from what is emitted.
#[test]
fn write_event_calls_match_the_table() {
    let src = include_str!("../src/lib.rs");
    let mut seen = Vec::new();
    for call in src.split("tlg::write_event!(").skip(1) {
        let name = call.split('"').nth(1).unwrap();
        let spec = call
            .split("level(spec::")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap();
        let kw = call
            .split("keyword(spec::")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap();
        assert_eq!(spec, kw, "{name}: level and keyword from the same spec");
        let entry = EVENTS
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} not in EVENTS"));
        let upper: String = spec.chars().filter(|c| *c != '_').collect();
        assert_eq!(upper, entry.name.to_uppercase(), "{name} uses spec::{spec}");
        seen.push(name);
    }
    seen.sort_unstable();
    let mut all: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
    all.sort_unstable();
    assert_eq!(seen, all, "every event is written exactly once");
}

/// `docs/events.md`'s event reference lists every event with its level and keyword.
#[test]
fn readme_event_reference_matches_the_table() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let doc = std::fs::read_to_string(format!("{root}/docs/events.md")).expect("docs/events.md");
    assert!(
        doc.contains("| `PolicyApplied` |"),
        "docs/events.md has no event reference"
    );
    assert!(
        doc.contains(connsec_events::PROVIDER_NAME) && doc.contains(connsec_events::PROVIDER_GUID)
    );
    for e in EVENTS {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", e.name)))
            .unwrap_or_else(|| panic!("no docs/events.md row for {}", e.name));
        let cols: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cols[2], connsec_events::level_name(e.level), "{row}");
        assert_eq!(cols[3], format!("0x{:x}", e.keyword), "{row}");
    }
}

#[test]
fn every_event_function_runs() {
    // On Linux these are no-ops, but each must accept realistic values without panicking.
    connsec_events::driver_loaded("0.1.0");
    connsec_events::driver_unloading();
    let entry = [b'X', 0, b'X', 0];
    connsec_events::config_error(&ConfigError {
        value: "Principals",
        entry: 2,
        offset: 0,
        text: Wide::new(&entry).unwrap(),
        kind: ConfigErrorKind::EmptyEntry,
    });
    let name: Vec<u16> = "Verbose".encode_utf16().collect();
    connsec_events::config_warning(&ConfigWarning::UnknownValue { name: &name });
    connsec_events::parameter_read_failed("DaclSddl", NtStatus::BUFFER_TOO_SMALL);
    connsec_events::parameter_read_failed("", NtStatus::ACCESS_DENIED);
    connsec_events::policy_error(&PolicyError::Unsafe(UnsafeReason::EmptyDacl));
    connsec_events::policy_error(&PolicyError::BufferTooSmall { needed: 100 });
    connsec_events::policy_error(&PolicyError::TooLarge { size: 70_000 });
    connsec_events::policy_warning(&PolicyWarning::BroadWriteAccess {
        who: BroadPrincipal::Everyone,
        rights: 1,
    });
    connsec_events::policy_warning(&PolicyWarning::UnsafeDaclAllowed(
        UnsafeReason::SystemLacksFullAccess,
    ));
    connsec_events::policy_warning(&PolicyWarning::NonCanonicalOrder { ace_index: 3 });
    connsec_events::bfe_state_changed(BfeState::Running);
    let dacl = [2u8, 0, 8, 0, 0, 0, 0, 0];
    let outcomes = [
        Outcome::Applied {
            attempt: 1,
            ace_count: 0,
            dacl: &dacl,
            security_info: 0x8000_0004,
        },
        Outcome::ApplyFailed {
            attempt: 2,
            step: Step::SetSecurity,
            status: NtStatus::FWP_TXN_IN_PROGRESS,
        },
        Outcome::Waiting {
            state: BfeState::StartPending,
        },
        Outcome::BfeStopped {
            state: BfeState::StopPending,
        },
        Outcome::Ignored,
        Outcome::NoRetryNeeded,
        Outcome::Restored {
            security_info: 0x2000_0004,
            dacl: &dacl,
        },
        Outcome::RestoreFailed {
            step: Step::OpenSession,
            status: NtStatus(0xC002_0036),
        },
        Outcome::RestoreSkipped {
            reason: RestoreSkip::BfeNotRunning(BfeState::Stopped),
        },
        Outcome::RestoreSkipped {
            reason: RestoreSkip::Disabled,
        },
    ];
    let mut sink = EtwSink;
    for o in &outcomes {
        connsec_events::outcome(o);
        sink.outcome(o);
    }
    sink.bfe_state(BfeState::Stopped);
    let sd = [
        1u8, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,
    ];
    for e in [
        OriginalEvent::Stored { descriptor: &sd },
        OriginalEvent::FoundStored { descriptor: &sd },
        OriginalEvent::Unknown,
        OriginalEvent::StoreFailed {
            op: StoreOp::Write,
            status: NtStatus::ACCESS_DENIED,
        },
        OriginalEvent::Removed,
    ] {
        connsec_events::original_event(&e);
        sink.original(&e);
    }
    connsec_events::callout_registered();
    let failure = Failure {
        step: RegistrationStep::AddFilter(Layer::AleAuthConnectV6),
        status: NtStatus::FWP_ALREADY_EXISTS,
        undo_failures: UndoFailures::default(),
    };
    connsec_events::callout_registration_failed(&failure);
    connsec_events::callout_teardown_failed(Undo::CloseSession, NtStatus::FWP_SESSION_ABORTED);
    connsec_events::callout_counts(12, 34);
    // Registration works on the no-op implementation and unregistering twice is harmless.
    // SAFETY: unregistered below, before the test ends; the provider is a static.
    assert_eq!(unsafe { connsec_events::register() }, 0);
    assert_eq!(connsec_events::unregister(), 0);
    assert_eq!(connsec_events::unregister(), 0);
}
