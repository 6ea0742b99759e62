//! `docs/configuration.md` documents every value name, default and error reason the code has.

use connsec_policy::config::{DEFAULT_PRINCIPALS, VALUE_NAMES};
use connsec_policy::principal::PrincipalErrorKind;
use connsec_policy::rights::RightsErrorKind;
use connsec_policy::{ConfigErrorKind, RegType, UnsafeReason};

fn doc() -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let text = std::fs::read_to_string(format!("{root}/docs/configuration.md"))
        .expect("docs/configuration.md");
    assert!(
        text.contains("| `AllowUnsafeDacl` |"),
        "docs/configuration.md has no configuration table"
    );
    // Undo Markdown escapes inside tables.
    text.replace("\\|", "|").replace("\\\\", "\\")
}

#[test]
fn every_value_name_and_default_is_documented() {
    let doc = doc();
    for name in VALUE_NAMES {
        assert!(doc.contains(&format!("| `{name}` |")), "{name} has no row");
    }
    for entry in DEFAULT_PRINCIPALS {
        assert!(
            doc.lines().any(|l| l == entry),
            "default {entry} not listed"
        );
    }
}

#[test]
fn every_error_reason_is_documented() {
    let doc = doc();
    let kinds = [
        ConfigErrorKind::NoPolicy,
        ConfigErrorKind::BothPolicies,
        ConfigErrorKind::WrongType {
            expected: RegType::Sz,
            found: RegType::Dword,
        },
        ConfigErrorKind::OddLength { len: 1 },
        ConfigErrorKind::TooLarge { len: 1, max: 0 },
        ConfigErrorKind::DwordLength { len: 1 },
        ConfigErrorKind::NotZeroOrOne { value: 2 },
        ConfigErrorKind::DataAfterTerminator,
        ConfigErrorKind::TooManyEntries,
        ConfigErrorKind::EmptyEntry,
        ConfigErrorKind::EmptySddl,
        ConfigErrorKind::NonAsciiSddl,
        ConfigErrorKind::NotDaclOnly,
        ConfigErrorKind::NullDacl,
    ];
    let mut reasons: Vec<&str> = kinds.iter().map(ConfigErrorKind::reason).collect();
    reasons.extend(
        [
            PrincipalErrorKind::Empty,
            PrincipalErrorKind::EmptyServiceName,
            PrincipalErrorKind::ServiceNameTooLong,
            PrincipalErrorKind::ServiceNameInvalidChar,
            PrincipalErrorKind::Sid(secdesc::ErrorKind::UnknownAlias { alias: *b"QQ" }),
            PrincipalErrorKind::Sid(secdesc::ErrorKind::AliasNeedsDomainSid { alias: *b"DA" }),
            PrincipalErrorKind::Sid(secdesc::ErrorKind::LeadingZero),
        ]
        .iter()
        .map(PrincipalErrorKind::reason),
    );
    reasons.extend(
        [
            RightsErrorKind::Empty,
            RightsErrorKind::EmptyName,
            RightsErrorKind::UnknownName { len: 1 },
            RightsErrorKind::InvalidHex,
            RightsErrorKind::UnknownBits { bits: 1 },
            RightsErrorKind::NoRights,
        ]
        .iter()
        .map(RightsErrorKind::reason),
    );
    reasons.extend(
        [
            UnsafeReason::EmptyDacl,
            UnsafeReason::SystemLacksFullAccess,
            UnsafeReason::AdministratorsLackFullAccess,
        ]
        .into_iter()
        .map(UnsafeReason::reason),
    );
    reasons.push("invalid SDDL");
    let missing: Vec<&&str> = reasons.iter().filter(|r| !doc.contains(**r)).collect();
    assert!(missing.is_empty(), "undocumented reasons: {missing:?}");
}
