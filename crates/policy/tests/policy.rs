//! `Policy::build` and `check_dacl`: the bytes the INF defaults give, duplicates, order, and
//! every refusal and warning.

mod common;

use common::{Key, dword, sz};
use connsec_policy::policy::{APPLY_SECURITY_INFORMATION, MAX_ACL_LEN};
use connsec_policy::policy::{LOCKOUT_DOMAIN_RIDS, LOCKOUT_SIDS};
use connsec_policy::rights::{
    DELETE, FWPM_ACTRL_ADD, FWPM_ACTRL_READ, FWPM_ACTRL_WRITE, FWPM_GENERIC_ALL, MONITOR,
    WRITE_DAC, WRITE_LIKE, WRITE_OWNER,
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
    let (kind, text) = build(&sddl("D:P(D;;WD;;;WD)(A;;GA;;;SY)(A;;GA;;;BA)")).unwrap_err();
    assert_eq!(kind, "Unsafe(DenyReachesAdministrators { ace_index: 0 })");
    assert_eq!(
        text,
        "refused: deny ACE 0 reaches administrators or SYSTEM (set AllowUnsafeDacl to 1 to allow)"
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

/// A DACL that keeps SYSTEM and Administrators' allow ACEs and adds `extra`.
fn with_full_access(extra: &str) -> Key {
    Key::new().with(
        "DaclSddl",
        RegType::Sz,
        sz(&format!("D:P(A;;GA;;;SY)(A;;GA;;;BA){extra}")),
    )
}

#[test]
fn every_deny_that_reaches_an_administrator_is_refused() {
    let refused = |extra: &str, ace_index: u16| {
        let got = build(&with_full_access(extra));
        assert_eq!(
            got.map(|_| ()).unwrap_err().0,
            format!("Unsafe(DenyReachesAdministrators {{ ace_index: {ace_index} }})"),
            "{extra}"
        );
    };
    // Every SID of the list, by SID string, denied one right (GA expands to all of them).
    for w in LOCKOUT_SIDS {
        let sid = w.sid().unwrap().to_string();
        refused(&format!("(D;;0x1;;;{sid})"), 2);
        refused(&format!("(D;;GA;;;{sid})"), 2);
        // Before the allow ACEs (canonical order) too.
        let key = Key::new().with(
            "DaclSddl",
            RegType::Sz,
            sz(&format!("D:P(D;;RC;;;{sid})(A;;GA;;;SY)(A;;GA;;;BA)")),
        );
        assert!(
            build(&key)
                .unwrap_err()
                .0
                .contains("DenyReachesAdministrators"),
            "{sid}"
        );
    }
    // By alias, through the SDDL codec.
    for alias in ["WD", "AU", "BU", "IU", "NU", "SU", "SY", "BA", "OW"] {
        refused(&format!("(D;;GW;;;{alias})"), 2);
    }
    // Administrator accounts and admin groups in any domain.
    for rid in LOCKOUT_DOMAIN_RIDS {
        refused(&format!("(D;;GA;;;S-1-5-21-1-2-3-{rid})"), 2);
    }
    // Object deny ACEs, with and without an object GUID; inherit-only deny ACEs.
    refused("(OD;;CC;;;BU)", 2);
    refused("(OD;;CC;bf967aba-0de6-11d0-a285-00aa003049e2;;AU)", 2);
    refused(
        "(OD;;CC;bf967aba-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;IU)",
        2,
    );
    refused("(D;OICIIO;GA;;;WD)", 2);
    // The first such ACE is named.
    refused("(A;;GR;;;NO)(D;;GA;;;AN)(D;;GA;;;NU)(D;;GA;;;WD)", 4);
    // Denies that reach no administrator pass: Anonymous, one ordinary account, a service,
    // and a right outside FWPM_GENERIC_ALL (ACCESS_SYSTEM_SECURITY).
    for extra in [
        "(D;;GA;;;AN)",
        "(D;;GA;;;S-1-5-21-1-2-3-1001)",
        "(D;;GA;;;S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464)",
        "(D;;0x1000000;;;WD)",
    ] {
        assert!(build(&with_full_access(extra)).is_ok(), "{extra}");
    }
    // AllowUnsafeDacl lets it through, with a warning.
    let (_, warnings) =
        build(&with_full_access("(D;;GA;;;BU)").with("AllowUnsafeDacl", RegType::Dword, dword(1)))
            .unwrap();
    assert_eq!(
        warnings[0],
        PolicyWarning::UnsafeDaclAllowed(UnsafeReason::DenyReachesAdministrators { ace_index: 2 })
    );
}

/// An ACL of raw ACEs: (type, flags, body after the 4-byte header).
fn raw_acl(aces: &[(u8, u8, Vec<u8>)]) -> Vec<u8> {
    let body: Vec<u8> = aces
        .iter()
        .flat_map(|(t, f, b)| {
            let size = u16::try_from(4 + b.len()).unwrap();
            let mut ace = vec![*t, *f];
            ace.extend(size.to_le_bytes());
            ace.extend(b);
            ace
        })
        .collect();
    let mut acl = vec![4, 0];
    acl.extend(u16::try_from(8 + body.len()).unwrap().to_le_bytes());
    acl.extend(u16::try_from(aces.len()).unwrap().to_le_bytes());
    acl.extend([0, 0]);
    acl.extend(body);
    acl
}

fn mask_and_sid(mask: u32, sid: &str) -> Vec<u8> {
    let sid = Sid::parse(sid).unwrap();
    let mut b = mask.to_le_bytes().to_vec();
    let mut s = vec![0u8; sid.encoded_len()];
    sid.encode(&mut s).unwrap();
    b.extend(s);
    b
}

#[test]
fn callback_deny_aces_count_as_reaching_administrators() {
    let full = |sid| (0u8, 0u8, mask_and_sid(FWPM_GENERIC_ALL, sid));
    // ACCESS_DENIED_CALLBACK_ACE_TYPE (0x0A), on a SID no lock-out rule names, with
    // application data: its condition may hold, and this crate does not read its SID.
    let mut callback = mask_and_sid(FWPM_GENERIC_ALL, "S-1-5-21-1-2-3-1001");
    callback.extend(b"artx");
    for t in [0x0A, 0x0C] {
        let acl = raw_acl(&[
            full("S-1-5-18"),
            full("S-1-5-32-544"),
            (t, 0, callback.clone()),
        ]);
        assert_eq!(
            check_dacl(&acl, false),
            Err(PolicyError::Unsafe(
                UnsafeReason::DenyReachesAdministrators { ace_index: 2 }
            )),
            "type {t:#x}"
        );
    }
    // An allow callback ACE is no deny.
    let acl = raw_acl(&[full("S-1-5-18"), full("S-1-5-32-544"), (0x09, 0, callback)]);
    assert!(check_dacl(&acl, false).is_ok());
}

#[test]
fn write_dac_and_write_owner_for_any_broad_group_warn() {
    for who in BroadPrincipal::ALL {
        let sid = who.sid().map_or_else(
            || format!("S-1-5-21-7-8-9-{}", domain_rid(who)),
            |s| s.to_string(),
        );
        for (rights, bits) in [
            ("WRITE_DAC", WRITE_DAC),
            ("WRITE_OWNER", WRITE_OWNER),
            ("GENERIC_ALL", FWPM_GENERIC_ALL & WRITE_LIKE),
        ] {
            let key = Key::new().principals(&[
                "SY:GENERIC_ALL",
                "BA:GENERIC_ALL",
                &format!("{sid}:{rights}"),
            ]);
            let (_, warnings) = build(&key).unwrap();
            assert_eq!(
                warnings,
                [PolicyWarning::BroadWriteAccess { who, rights: bits }],
                "{sid}:{rights}"
            );
        }
        // DaclSddl: the GENERIC_WRITE bit, and an object allow ACE.
        let (_, warnings) = build(&with_full_access(&format!("(A;;GW;;;{sid})"))).unwrap();
        assert!(
            matches!(warnings[..], [PolicyWarning::BroadWriteAccess { who: w, .. }] if w == who),
            "{sid}: {warnings:?}"
        );
        let (_, warnings) = build(&with_full_access(&format!("(OA;;WD;;;{sid})"))).unwrap();
        assert_eq!(
            warnings,
            [PolicyWarning::BroadWriteAccess {
                who,
                rights: WRITE_DAC
            }],
            "{sid}"
        );
    }
}

fn domain_rid(who: BroadPrincipal) -> u32 {
    match who {
        BroadPrincipal::DomainUsers => 513,
        BroadPrincipal::DomainGuests => 514,
        BroadPrincipal::DomainComputers => 515,
        BroadPrincipal::GuestAccount => 501,
        other => panic!("{other:?} has a fixed SID"),
    }
}

#[test]
fn policy_checks_doc_lists_every_sid_with_a_reason() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let doc = std::fs::read_to_string(format!("{root}/docs/policy-checks.md"))
        .expect("docs/policy-checks.md");
    let row = |key: &str| {
        doc.lines()
            .find(|l| l.starts_with("| ") && l.contains(&format!("`{key}`")))
            .map(|l| l.split('|').filter(|c| !c.trim().is_empty()).count())
    };
    for w in LOCKOUT_SIDS {
        let sid = w.sid().unwrap().to_string();
        assert!(
            row(&sid).is_some_and(|cells| cells >= 3),
            "{sid} ({}) has no row with a reason",
            w.name
        );
    }
    for rid in LOCKOUT_DOMAIN_RIDS {
        assert!(row(&format!("S-1-5-21-…-{rid}")).is_some(), "RID {rid}");
    }
    for who in BroadPrincipal::ALL {
        let key = who.sid().map_or_else(
            || format!("S-1-5-21-…-{}", domain_rid(who)),
            |s| s.to_string(),
        );
        assert!(row(&key).is_some(), "{who:?} ({key}) has no row");
    }
}
