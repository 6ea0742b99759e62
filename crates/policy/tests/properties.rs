//! Property tests: arbitrary registry data never panics and never yields an unchecked DACL;
//! generated principal lists give one ACE per distinct SID with the OR of its rights; rights
//! print and parse back.

mod common;

use common::Key;
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
