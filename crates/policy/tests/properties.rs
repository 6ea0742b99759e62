//! Property tests: arbitrary registry data never panics and never yields an unchecked DACL, and
//! `Config::check` agrees with `Config::parse`; a cut value is never read; no DACL that passes
//! the checks locks an administrator or SYSTEM out (a model access check over model tokens);
//! generated principal lists give one ACE per distinct SID with the OR of its rights; rights
//! print and parse back.

mod common;

use common::Key;
use common::{dword, multi_sz, sz};
use connsec_policy::config::Severity;
use connsec_policy::rights::expand_generic;
use connsec_policy::rights::{FWPM_GENERIC_ALL, parse_rights, write_rights};
use connsec_policy::{Config, DaclSource, Policy, RegType, RegValue, check_dacl, parse_principal};
use proptest::prelude::*;
use secdesc::{AceType, Acl, SddlContext};

const PRINCIPALS: [&str; 9] = [
    "SY",
    "BA",
    "NO",
    "WD",
    "AU",
    "ls",
    "S-1-5-32-545",
    "NT SERVICE\\MpsSvc",
    "nt service\\mpssvc",
];
const RIGHTS: [&str; 8] = [
    "",
    ":READ",
    ":GENERIC_ALL",
    ":ENUM|SUBSCRIBE",
    ":0x2a0",
    ":GENERIC_READ|WRITE",
    ": add ",
    ":FWPM_ACTRL_OPEN",
];

fn reg_type() -> impl Strategy<Value = RegType> {
    prop_oneof![
        Just(RegType::Sz),
        Just(RegType::MultiSz),
        Just(RegType::Dword),
        any::<u32>().prop_map(RegType::from)
    ]
}

fn value_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("Principals"),
        Just("DaclSddl"),
        Just("RestoreOnUnload"),
        Just("AllowUnsafeDacl"),
        Just("Other")
    ]
}

/// Bytes that are often almost right: UTF-16 of SDDL/principal fragments, or raw noise.
fn data() -> impl Strategy<Value = Vec<u8>> {
    let text = prop::collection::vec(
        prop_oneof![
            Just("SY:GENERIC_ALL".to_string()),
            Just("BA:GENERIC_ALL".to_string()),
            Just("D:P(A;;GA;;;SY)(A;;GA;;;BA)".to_string()),
            Just("(D;;WD;;;WD)".to_string()),
            Just("\u{0}".to_string()),
            Just("|".to_string()),
            Just(":".to_string()),
            "[ -~]{0,12}",
        ],
        0..6,
    )
    .prop_map(|parts| {
        parts
            .concat()
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>()
    });
    prop_oneof![text, prop::collection::vec(any::<u8>(), 0..64)]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        // Integration tests have no lib.rs/main.rs for the default failure file.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_registry_data_is_handled(values in prop::collection::vec((value_name(), reg_type(), data()), 0..4)) {
        let names: Vec<Vec<u16>> = values.iter().map(|(n, _, _)| n.encode_utf16().collect()).collect();
        let regs: Vec<RegValue<'_>> = values
            .iter()
            .zip(&names)
            .map(|((_, kind, data), name)| RegValue { name, kind: *kind, data })
            .collect();
        // check and parse agree: a configuration exactly when no error, the same first error,
        // and byte offsets inside the value named.
        let mut first_error = None;
        let mut errors = 0usize;
        let checked = Config::check(&regs, &mut |d| {
            if d.severity() == Severity::Error {
                errors += 1;
                if first_error.is_none() {
                    first_error = d.error();
                }
            }
            if let Some(v) = regs.iter().find(|v| core::ptr::eq(v.name, d.name)) {
                assert!(d.byte_offset <= v.data.len(), "{d:?}");
            }
        });
        prop_assert_eq!(checked.is_some(), errors == 0);
        prop_assert_eq!(Config::parse(&regs, &mut |_| {}).err(), first_error);
        match Config::parse(&regs, &mut |_| {}) {
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.contains(e.kind.reason()), "{}", text);
            }
            Ok(config) => {
                let Ok(n) = Policy::required_len(&config) else { return Ok(()) };
                let mut buf = vec![0u8; n];
                if let Ok(dacl) = Policy::build(&config, &mut buf) {
                    // Whatever was built passes the checks on its own bytes, and is never NULL.
                    let acl = Acl::new_checked(dacl.as_bytes()).unwrap();
                    prop_assert_eq!(acl.ace_count(), dacl.ace_count());
                    prop_assert!(check_dacl(dacl.as_bytes(), config.allow_unsafe_dacl).is_ok());
                    if !config.allow_unsafe_dacl {
                        prop_assert!(check_dacl(dacl.as_bytes(), false).unwrap().warnings()
                            .all(|w| !matches!(w, connsec_policy::PolicyWarning::UnsafeDaclAllowed(_))));
                    }
                }
            }
        }
    }

    #[test]
    fn principal_lists_give_one_ace_per_sid(
        picks in prop::collection::vec((0..PRINCIPALS.len(), 0..RIGHTS.len()), 0..12),
    ) {
        let mut entries: Vec<String> = vec!["SY:GENERIC_ALL".into(), "BA:GENERIC_ALL".into()];
        entries.extend(picks.iter().map(|&(p, r)| format!("{}{}", PRINCIPALS[p], RIGHTS[r])));
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let key = Key::new().principals(&refs);
        let values = key.values();
        let config = Config::parse(&values, &mut |_| {}).unwrap();
        let DaclSource::Principals(list) = config.source else { unreachable!() };
        // The model: first-seen order of distinct SIDs, masks OR-ed.
        let mut model: Vec<(secdesc::Sid, u32)> = Vec::new();
        for e in list.entries() {
            let e = e.unwrap();
            match model.iter_mut().find(|(s, _)| *s == e.sid) {
                Some((_, m)) => *m |= e.mask,
                None => model.push((e.sid, e.mask)),
            }
        }
        let mut buf = vec![0u8; Policy::required_len(&config).unwrap()];
        let dacl = Policy::build(&config, &mut buf).unwrap();
        let acl = Acl::new_checked(dacl.as_bytes()).unwrap();
        let got: Vec<(secdesc::Sid, u32)> = acl
            .aces()
            .map(|a| {
                assert_eq!(a.ace_type(), AceType::AccessAllowed);
                assert_eq!(a.flags().0, 0);
                (a.sid().unwrap(), a.mask().0)
            })
            .collect();
        prop_assert_eq!(got, model);
        prop_assert_eq!(parse_principal("nt service\\mpssvc", &SddlContext::new()), parse_principal("NT SERVICE\\MpsSvc", &SddlContext::new()));
    }

    #[test]
    fn rights_print_and_parse_back(mask in 1u32..=FWPM_GENERIC_ALL) {
        let mask = mask & FWPM_GENERIC_ALL;
        prop_assume!(mask != 0);
        let mut text = String::new();
        write_rights(mask, &mut text).unwrap();
        prop_assert_eq!(parse_rights(&text), Ok(mask), "{}", text);
    }
}

/// SIDs for generated DACLs: the ones in administrators' and SYSTEM's tokens, and others.
const ACE_SIDS: [&str; 18] = [
    "SY",
    "BA",
    "WD",
    "AU",
    "BU",
    "IU",
    "NU",
    "AN",
    "NO",
    "S-1-2-0",
    "S-1-2-1",
    "S-1-5-14",
    "S-1-5-113",
    "S-1-5-114",
    "S-1-18-1",
    "S-1-5-21-1-2-3-500",
    "S-1-5-21-1-2-3-1001",
    "S-1-5-80-0",
];
const ACE_TYPES: [&str; 4] = ["A", "D", "OA", "OD"];
const ACE_FLAGS: [&str; 3] = ["", "OICI", "OIIO"];
const ACE_RIGHTS: [&str; 6] = ["GA", "GR", "GW", "0x1", "RC", "WD"];

/// Model tokens (user and enabled groups) of an elevated administrator logged on at the
/// console, over Remote Desktop and over the network, and of SYSTEM; from Microsoft's
/// "Well-known SIDs" page. The integrity label and the logon session SID are left out (no ACE
/// names them here).
fn tokens() -> [Vec<secdesc::Sid>; 4] {
    let sids = |list: &[&str]| -> Vec<secdesc::Sid> {
        list.iter()
            .map(|s| parse_principal(s, &SddlContext::new()).unwrap())
            .collect()
    };
    let admin = [
        "S-1-5-21-1-2-3-500",
        "WD",
        "BA",
        "BU",
        "AU",
        "S-1-5-113",
        "S-1-5-114",
        "S-1-18-1",
    ];
    let with = |extra: &[&str]| sids(&[&admin[..], extra].concat());
    [
        with(&["S-1-2-0", "S-1-2-1", "IU"]),
        with(&["S-1-2-0", "IU", "S-1-5-14"]),
        with(&["NU", "S-1-5-64-10"]),
        sids(&["SY", "BA", "WD", "AU"]),
    ]
}

/// The rights `token` gets from `acl` (MS-DTYP 2.5.3.2, without object type lists: object ACEs
/// count like plain ones; inherit-only ACEs do not apply to the object).
fn model_access(acl: &Acl<'_>, token: &[secdesc::Sid]) -> u32 {
    let (mut granted, mut denied) = (0u32, 0u32);
    for ace in acl.aces() {
        if ace.flags().0 & secdesc::AceFlags::INHERIT_ONLY != 0 {
            continue;
        }
        let Some(sid) = ace.sid() else { continue };
        if !token.contains(&sid) {
            continue;
        }
        let mask = expand_generic(ace.mask().0);
        match ace.ace_type() {
            AceType::AccessAllowed | AceType::AccessAllowedObject => granted |= mask & !denied,
            AceType::AccessDenied | AceType::AccessDeniedObject => denied |= mask & !granted,
            _ => {}
        }
    }
    granted
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_dacl_that_passes_locks_an_administrator_out(
        full_access_at in prop::option::of(0usize..7),
        aces in prop::collection::vec(
            (0..ACE_TYPES.len(), 0..ACE_FLAGS.len(), 0..ACE_RIGHTS.len(), 0..ACE_SIDS.len()),
            0..6,
        ),
    ) {
        // The generated ACEs, with full access for SYSTEM and Administrators somewhere (or not
        // at all): deny ACEs before and after it.
        let mut texts: Vec<String> = aces
            .iter()
            .map(|&(t, f, r, s)| {
                let guid = if ACE_TYPES[t].starts_with('O') { "bf967aba-0de6-11d0-a285-00aa003049e2" } else { "" };
                format!("({};{};{};{guid};;{})", ACE_TYPES[t], ACE_FLAGS[f], ACE_RIGHTS[r], ACE_SIDS[s])
            })
            .collect();
        if let Some(at) = full_access_at {
            texts.insert(at.min(texts.len()), "(A;;GA;;;SY)(A;;GA;;;BA)".to_owned());
        }
        let sddl = format!("D:P{}", texts.concat());
        let key = Key::new().with("DaclSddl", RegType::Sz, sz(&sddl));
        let values = key.values();
        let config = Config::parse(&values, &mut |_| {}).unwrap();
        let mut buf = vec![0u8; Policy::required_len(&config).unwrap()];
        if let Ok(dacl) = Policy::build(&config, &mut buf) {
            let acl = Acl::new_checked(dacl.as_bytes()).unwrap();
            for token in tokens() {
                prop_assert_eq!(
                    model_access(&acl, &token) & FWPM_GENERIC_ALL,
                    FWPM_GENERIC_ALL,
                    "{} locks out {:?}", sddl, token
                );
            }
        }
    }

    #[test]
    fn a_cut_value_is_never_read(
        picks in prop::collection::vec((0..PRINCIPALS.len(), 0..RIGHTS.len()), 1..6),
        cut in 1usize..200,
    ) {
        let entries: Vec<String> = picks.iter().map(|&(p, r)| format!("{}{}", PRINCIPALS[p], RIGHTS[r])).collect();
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let full = multi_sz(&refs);
        let cut = cut.min(full.len());
        // Every strict prefix of a REG_MULTI_SZ as Windows writes it is refused.
        let key = Key::new().with("Principals", RegType::MultiSz, full[..full.len() - cut].to_vec());
        let refused = Config::parse(&key.values(), &mut |_| {}).is_err();
        prop_assert!(refused);
        // The same for a REG_SZ.
        let text = sz(&entries.join(""));
        let cut = cut.min(text.len());
        let key = Key::new()
            .with("DaclSddl", RegType::Sz, text[..text.len() - cut].to_vec())
            .with("RestoreOnUnload", RegType::Dword, dword(1));
        let refused = Config::parse(&key.values(), &mut |_| {}).is_err();
        prop_assert!(refused);
    }
}
