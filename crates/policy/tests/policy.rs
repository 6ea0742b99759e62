//! `Policy::build` and `check_dacl`: the bytes the INF defaults give, duplicates, order, and
//! every refusal and warning.

mod common;

use common::{Key, dword, sz};
use connsec_policy::policy::{APPLY_SECURITY_INFORMATION, MAX_ACL_LEN};
use connsec_policy::rights::{
    DELETE, FWPM_ACTRL_ADD, FWPM_ACTRL_READ, FWPM_ACTRL_WRITE, FWPM_GENERIC_ALL, MONITOR,
};
use connsec_policy::{
    BroadPrincipal, Config, ConfigErrorKind, Policy, PolicyError, PolicyWarning, RegType,
    UnsafeReason, check_dacl, service_sid,
};
use secdesc::{AceRepr, Acl, AclWriter, SddlContext, Sid};

/// Builds `key`'s DACL; returns the bytes and warnings, or the error text.
fn build(key: &Key) -> Result<(Vec<u8>, Vec<PolicyWarning>), (String, String)> {
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {})
        .map_err(|e| (format!("{:?}", e.kind), e.to_string()))?;
    let mut buf =
        vec![0xA5u8; Policy::required_len(&config).map_err(|e| (format!("{e:?}"), e.to_string()))?];
    let dacl = Policy::build(&config, &mut buf).map_err(|e| (format!("{e:?}"), e.to_string()))?;
    assert_eq!(dacl.security_info(), APPLY_SECURITY_INFORMATION);
    let acl = Acl::new_checked(dacl.as_bytes()).expect("built DACL parses");
    assert_eq!(acl.ace_count(), dacl.ace_count());
    Ok((dacl.as_bytes().to_vec(), dacl.report().warnings().collect()))
}

fn acl_of(aces: &[(Sid, u32)]) -> Vec<u8> {
    let mut buf = vec![0u8; 1024];
    let mut w = AclWriter::new(&mut buf).unwrap();
    for (sid, mask) in aces {
        w.push(&AceRepr::allow(*sid, *mask)).unwrap();
    }
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

fn sid(s: &str) -> Sid {
    Sid::parse(s).unwrap()
}

#[test]
fn inf_defaults_give_the_expected_acl_bytes() {
    let (bytes, warnings) = build(&common::inf_default_key()).unwrap();
    let gr_gx = 0x0002_03F4;
    let expected = acl_of(&[
        (sid("S-1-5-18"), FWPM_GENERIC_ALL),
        (sid("S-1-5-32-544"), FWPM_GENERIC_ALL),
        (sid("S-1-5-32-556"), gr_gx),
        (service_sid("PolicyAgent").unwrap(), gr_gx),
        (service_sid("MpsSvc").unwrap(), gr_gx),
    ]);
    assert_eq!(bytes, expected);
    // Header: revision 2, AclSize, 5 ACEs; first ACE: allow, no flags, 0x14 bytes, 0xF07FF, S-1-5-18.
    assert_eq!(
        &bytes[..8],
        &[2, 0, u8::try_from(bytes.len()).unwrap(), 0, 5, 0, 0, 0]
    );
    assert_eq!(
        &bytes[8..28],
        &[
            0, 0, 0x14, 0, 0xFF, 0x07, 0x0F, 0, 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0
        ]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    // The same DACL through the SDDL codec: the two paths agree.
    let sddl = "D:(A;;0xf07ff;;;SY)(A;;0xf07ff;;;BA)(A;;0x203f4;;;NO)\
        (A;;0x203f4;;;S-1-5-80-3044542841-3639452079-4096941652-1606687743-1256249853)\
        (A;;0x203f4;;;S-1-5-80-3088073201-1464728630-1879813800-1107566885-823218052)";
    let mut sd = vec![0u8; 512];
    let n = secdesc::sddl::encode(sddl, &SddlContext::new(), &mut sd).unwrap();
    let sd = secdesc::SecurityDescriptor::new_checked(&sd[..n]).unwrap();
    assert_eq!(sd.dacl().unwrap().as_bytes(), &expected[..]);
}

#[test]
fn duplicates_merge_into_the_first_ace_in_first_seen_order() {
    let key = Key::new().principals(&[
        "BA:GENERIC_ALL",
        "SY:READ",
        "ba:WRITE",
        "SY:GENERIC_ALL",
        "S-1-5-18:ADD",
    ]);
    let (bytes, _) = build(&key).unwrap();
    assert_eq!(
        bytes,
        acl_of(&[
            (sid("S-1-5-32-544"), FWPM_GENERIC_ALL | FWPM_ACTRL_WRITE),
            (
                sid("S-1-5-18"),
                FWPM_ACTRL_READ | FWPM_GENERIC_ALL | FWPM_ACTRL_ADD
            ),
        ])
    );
}

#[test]
fn empty_and_lockout_dacls_are_refused_unless_allowed() {
    let empty = Key::new().with("Principals", RegType::MultiSz, vec![0, 0]);
    assert_eq!(build(&empty).unwrap_err().0, "Unsafe(EmptyDacl)");
    let (bytes, warnings) = build(
        &Key::new()
            .with("Principals", RegType::MultiSz, vec![0, 0])
            .with("AllowUnsafeDacl", RegType::Dword, dword(1)),
    )
    .unwrap();
    assert_eq!(bytes, [2, 0, 8, 0, 0, 0, 0, 0]);
    assert_eq!(
        warnings,
        [PolicyWarning::UnsafeDaclAllowed(UnsafeReason::EmptyDacl)]
    );

    let (kind, text) = build(&Key::new().principals(&["BA:GENERIC_ALL"])).unwrap_err();
    assert_eq!(kind, "Unsafe(SystemLacksFullAccess)");
    assert_eq!(
        text,
        "refused: SYSTEM does not keep full access (set AllowUnsafeDacl to 1 to allow)"
    );
    let partial = Key::new().principals(&[
        "SY:GENERIC_ALL",
        "BA:GENERIC_READ|GENERIC_WRITE|GENERIC_EXECUTE",
    ]);
    assert_eq!(
        build(&partial).unwrap_err().0,
        "Unsafe(AdministratorsLackFullAccess)"
    );
    // Rights spread over several entries add up.
    let spread = Key::new().principals(&[
        "SY:GENERIC_ALL",
        "BA:GENERIC_READ|GENERIC_WRITE",
        "BA:GENERIC_EXECUTE|WRITE_DAC|WRITE_OWNER",
    ]);
    assert!(build(&spread).is_ok());
    let allowed = Key::new().principals(&["NO:GENERIC_READ"]).with(
        "AllowUnsafeDacl",
        RegType::Dword,
        dword(1),
    );
    let (_, warnings) = build(&allowed).unwrap();
    assert_eq!(
        warnings,
        [
            PolicyWarning::UnsafeDaclAllowed(UnsafeReason::SystemLacksFullAccess),
            PolicyWarning::UnsafeDaclAllowed(UnsafeReason::AdministratorsLackFullAccess),
        ]
    );
}

#[test]
fn write_rights_for_broad_groups_warn() {
    let key = Key::new().principals(&[
        "SY:GENERIC_ALL",
        "BA:GENERIC_ALL",
        "WD:ADD|READ",
        "AN:DELETE",
        "AU:GENERIC_READ|GENERIC_EXECUTE",
    ]);
    let (_, warnings) = build(&key).unwrap();
    assert_eq!(
        warnings,
        [
            PolicyWarning::BroadWriteAccess {
                who: BroadPrincipal::Everyone,
                rights: FWPM_ACTRL_ADD
            },
            PolicyWarning::BroadWriteAccess {
                who: BroadPrincipal::Anonymous,
                rights: DELETE
            },
        ]
    );
    let (_, warnings) =
        build(&Key::new().principals(&["SY:GENERIC_ALL", "BA:GENERIC_ALL", "AU"])).unwrap();
    assert!(
        warnings.is_empty(),
        "monitor rights for AU are fine: {warnings:?}"
    );
}

#[test]
fn dacl_sddl_is_encoded_and_checked() {
    let sddl = |s: &str| Key::new().with("DaclSddl", RegType::Sz, sz(s));
    let (bytes, warnings) = build(&sddl("D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x2a0;;;IU)")).unwrap();
    assert_eq!(Acl::new_checked(&bytes).unwrap().ace_count(), 3);
    assert!(warnings.is_empty());
    // A deny for Everyone also denies SYSTEM and Administrators.
    assert_eq!(
        build(&sddl("D:P(D;;WD;;;WD)(A;;GA;;;SY)(A;;GA;;;BA)"))
            .unwrap_err()
            .0,
        "Unsafe(SystemLacksFullAccess)"
    );
    // Deny after allow is kept as written, with a warning.
    let (_, warnings) = build(&sddl("D:P(A;;GA;;;SY)(A;;GA;;;BA)(D;;0x400;;;AN)")).unwrap();
    assert_eq!(
        warnings,
        [PolicyWarning::NonCanonicalOrder { ace_index: 2 }]
    );
    // Inherit-only ACEs do not grant access to the object itself.
    assert_eq!(
        build(&sddl("D:P(A;OICIIO;GA;;;SY)(A;;GA;;;BA)"))
            .unwrap_err()
            .0,
        "Unsafe(SystemLacksFullAccess)"
    );
    let (kind, text) = build(&sddl("D:NO_ACCESS_CONTROL")).unwrap_err();
    assert!(kind.contains("NullDacl"), "{kind}");
    assert!(text.contains("NULL DACL"), "{text}");
    let (kind, text) = build(&sddl("D:P(A;;GA;;;SY)(A;;GA;;;XX)")).unwrap_err();
    assert!(kind.contains("Sddl"), "{kind}");
    assert!(
        text.starts_with("DaclSddl at character 24: invalid SDDL"),
        "{text}"
    );
    // Offsets count from the value as stored, leading blanks included.
    let (_, text) = build(&sddl("  D:P(A;;GA;;;SY)(A;;GA;;;XX)")).unwrap_err();
    assert!(
        text.starts_with("DaclSddl at character 26: invalid SDDL"),
        "{text}"
    );
}

#[test]
fn buffers_are_sized_by_required_len() {
    let key = common::inf_default_key();
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).unwrap();
    let n = Policy::required_len(&config).unwrap();
    let mut small = vec![0u8; n - 1];
    assert_eq!(
        Policy::build(&config, &mut small).unwrap_err(),
        PolicyError::BufferTooSmall { needed: n }
    );
    let mut exact = vec![0u8; n];
    assert_eq!(
        Policy::build(&config, &mut exact).unwrap().as_bytes().len(),
        n
    );

    let key = Key::new().with("DaclSddl", RegType::Sz, sz("D:P(A;;GA;;;SY)(A;;GA;;;BA)"));
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).unwrap();
    let n = Policy::required_len(&config).unwrap();
    let mut buf = vec![0u8; n];
    assert!(Policy::build(&config, &mut buf).is_ok());
    let mut small = vec![0u8; 10];
    assert!(matches!(
        Policy::build(&config, &mut small),
        Err(PolicyError::BufferTooSmall { .. })
    ));
}

#[test]
fn the_largest_principal_list_fits_an_acl() {
    // 64 entries (the maximum), 62 of them SIDs with 15 sub-authorities (68 bytes each).
    let entries: Vec<String> = ["SY:GENERIC_ALL".to_string(), "BA:GENERIC_ALL".to_string()]
        .into_iter()
        .chain((0..62).map(|i| {
            format!(
                "S-1-5-21-1000000000-2000000000-3000000000-4000000000-1-2-3-4-5-6-7-8-9-{i}:READ"
            )
        }))
        .collect();
    let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
    let (bytes, _) = build(&Key::new().principals(&entries)).unwrap();
    assert!(bytes.len() <= MAX_ACL_LEN);
    assert_eq!(Acl::new_checked(&bytes).unwrap().ace_count(), 64);
}

#[test]
fn check_dacl_rejects_garbage_and_reports() {
    assert!(matches!(
        check_dacl(&[2, 0, 8], false),
        Err(PolicyError::InvalidAcl(_))
    ));
    let acl = acl_of(&[
        (sid("S-1-5-18"), 0x1000_0000),
        (sid("S-1-5-32-544"), FWPM_GENERIC_ALL),
        (sid("S-1-1-0"), MONITOR),
    ]);
    let report = check_dacl(&acl, false).unwrap();
    assert_eq!(report.ace_count, 3);
    assert_eq!(
        report.warnings().count(),
        0,
        "GENERIC_ALL bit counts as full access"
    );
    let e = ConfigErrorKind::NullDacl;
    assert_eq!(
        e.reason(),
        "NULL DACL (NO_ACCESS_CONTROL) grants everyone full access"
    );
}
