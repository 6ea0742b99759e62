//! `Config::check` and `Config::parse` over registry data as Windows stores it, good, cut and
//! malformed.

mod common;

use common::{Key, dword, multi_sz, sz, wide};
use connsec_policy::config::{
    DACL_SDDL, DiagnosticKind, MAX_PRINCIPALS, PRINCIPALS, RESTORE_ON_UNLOAD, Severity, WarningKind,
};
use connsec_policy::rights::{FWPM_GENERIC_ALL, FWPM_GENERIC_EXECUTE, FWPM_GENERIC_READ, MONITOR};
use connsec_policy::{
    Config, ConfigError, ConfigErrorKind, ConfigWarning, DaclSource, PrincipalErrorKind, RegType,
    RightsErrorKind,
};

fn parse(key: &Key) -> Result<Config<'_>, String> {
    let values = key.values();
    Config::parse(&values, &mut |_| {}).map_err(|e| e.to_string())
}

fn error(key: &Key) -> (ConfigErrorKind, &'static str, u32, usize, String) {
    let values = key.values();
    let e: ConfigError<'_> = Config::parse(&values, &mut |_| {}).expect_err("must fail");
    (e.kind, e.value, e.entry, e.offset, e.to_string())
}

#[test]
fn inf_defaults_parse_to_the_documented_rights() {
    let key = common::inf_default_key();
    let config = parse(&key).unwrap();
    assert!(config.restore_on_unload);
    assert!(!config.allow_unsafe_dacl);
    let DaclSource::Principals(list) = config.source else {
        panic!("principals expected")
    };
    assert_eq!(list.len(), 5);
    let got: Vec<(String, u32)> = list
        .entries()
        .map(|e| e.unwrap())
        .map(|e| (e.sid.to_string(), e.mask))
        .collect();
    let gr_gx = FWPM_GENERIC_READ | FWPM_GENERIC_EXECUTE;
    assert_eq!(
        got,
        [
            ("S-1-5-18".to_string(), FWPM_GENERIC_ALL),
            ("S-1-5-32-544".to_string(), FWPM_GENERIC_ALL),
            ("S-1-5-32-556".to_string(), gr_gx),
            (
                "S-1-5-80-3044542841-3639452079-4096941652-1606687743-1256249853".to_string(),
                gr_gx
            ),
            (
                "S-1-5-80-3088073201-1464728630-1879813800-1107566885-823218052".to_string(),
                gr_gx
            ),
        ]
    );
}

#[test]
fn omitted_rights_mean_monitor_and_blanks_are_trimmed() {
    let key = Key::new().principals(&["  SY  ", " BA : READ | enum "]);
    let config = parse(&key).unwrap();
    let DaclSource::Principals(list) = config.source else {
        panic!()
    };
    let masks: Vec<u32> = list.entries().map(|e| e.unwrap().mask).collect();
    assert_eq!(masks, [MONITOR, 0x80 | 0x20]);
}

#[test]
fn odd_address_and_case_insensitive_names_are_fine() {
    // The data starts at an odd address.
    let mut raw = vec![0xAAu8];
    raw.extend(multi_sz(&["SY:GENERIC_ALL"]));
    let name: Vec<u16> = "pRiNcIpAlS".encode_utf16().collect();
    let values = [connsec_policy::RegValue {
        name: &name,
        kind: RegType::MultiSz,
        data: &raw[1..],
    }];
    let config = Config::parse(&values, &mut |_| {}).unwrap();
    let DaclSource::Principals(list) = config.source else {
        panic!()
    };
    assert_eq!(list.len(), 1);
    assert_eq!(
        list.entries().next().unwrap().unwrap().mask,
        FWPM_GENERIC_ALL
    );
}

/// One diagnostic: severity, kind, value name as given, entry, offset, byte offset.
type Found = (Severity, DiagnosticKind, String, u32, usize, usize);

/// Every diagnostic `Config::check` reports for `key`, and whether it returned a config.
fn diagnostics(key: &Key) -> (bool, Vec<Found>) {
    let values = key.values();
    let mut out = Vec::new();
    let config = Config::check(&values, &mut |d| {
        out.push((
            d.severity(),
            d.kind,
            String::from_utf16(d.name).unwrap(),
            d.entry,
            d.offset,
            d.byte_offset,
        ));
    });
    (config.is_some(), out)
}

#[test]
fn a_cut_principals_value_is_refused_with_its_byte_offset() {
    // Windows writes "SY:GENERIC_ALL\0BA:GENERIC_ALL\0\0". Cut inside the last entry, the
    // rest would read as a different principal: S-1-5-32-544 (Administrators) becomes
    // S-1-5-32-54, and "BA:GENERIC_ALL" becomes "BA:GENERIC_AL".
    let full = multi_sz(&["SY:GENERIC_ALL", "S-1-5-32-544:GENERIC_ALL"]);
    let cut_at = full.len() - 2 - 2 - 2 * ":GENERIC_ALL".len() - 2;
    let cut = full[..cut_at].to_vec();
    assert!(cut.ends_with(&wide("S-1-5-32-54")));
    let (kind, value, entry, offset, text) =
        error(&Key::new().with("Principals", RegType::MultiSz, cut));
    assert_eq!(
        (kind, value, entry, offset),
        (
            ConfigErrorKind::Unterminated { at: cut_at },
            PRINCIPALS,
            2,
            11
        )
    );
    assert_eq!(
        text,
        format!(
            "Principals entry 2 \"S-1-5-32-54\" at character 11: string not NUL-terminated: the value is cut short (at byte {cut_at})"
        )
    );

    // Every entry terminated, but the list's empty string is missing.
    let no_end = full[..full.len() - 2].to_vec();
    let (kind, _, entry, _, _) = error(&Key::new().with("Principals", RegType::MultiSz, no_end));
    assert_eq!(
        (kind, entry),
        (ConfigErrorKind::NoListTerminator { at: full.len() - 2 }, 0)
    );
    // No data at all.
    assert_eq!(
        error(&Key::new().with("Principals", RegType::MultiSz, Vec::new())).0,
        ConfigErrorKind::NoListTerminator { at: 0 }
    );
    // An odd length: the last byte is half a unit; the byte offset points at it.
    let odd = full[..full.len() - 1].to_vec();
    let (ok, d) = diagnostics(&Key::new().with("Principals", RegType::MultiSz, odd));
    assert!(!ok);
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].1,
        DiagnosticKind::Error(ConfigErrorKind::OddLength {
            len: full.len() - 1
        })
    );
    assert_eq!(d[0].5, full.len() - 2);
    // An empty entry in the middle (or a NUL inside an entry) ends the list: what follows is
    // refused, at its byte offset.
    let mut gap = multi_sz(&["SY:GENERIC_ALL"]);
    gap.extend(multi_sz(&["BA:GENERIC_ALL"]));
    let (ok, d) = diagnostics(&Key::new().with("Principals", RegType::MultiSz, gap));
    assert!(!ok);
    assert_eq!(
        d,
        [(
            Severity::Error,
            DiagnosticKind::Error(ConfigErrorKind::DataAfterTerminator),
            "Principals".to_owned(),
            0,
            16,
            32
        )]
    );
    // The empty list (just the final empty string) is well-formed; the policy checks refuse
    // the empty DACL it gives unless AllowUnsafeDacl.
    assert!(parse(&Key::new().with("Principals", RegType::MultiSz, vec![0, 0])).is_ok());
}

#[test]
fn a_cut_dacl_sddl_is_refused() {
    // "D:P(A;;GA;;;SY)(A;;GA;;;BA)" cut at an ACE boundary is still valid SDDL.
    let cut = wide("D:P(A;;GA;;;SY)");
    let (kind, value, _, offset, text) = error(&Key::new().with("DaclSddl", RegType::Sz, cut));
    assert_eq!(
        (kind, value, offset),
        (ConfigErrorKind::Unterminated { at: 30 }, DACL_SDDL, 15)
    );
    assert!(text.ends_with("(at byte 30)"), "{text}");
    let odd = sz("D:P(A;;GA;;;SY)")[..31].to_vec();
    assert_eq!(
        error(&Key::new().with("DaclSddl", RegType::Sz, odd)).0,
        ConfigErrorKind::OddLength { len: 31 }
    );
    let (kind, _, _, offset, _) =
        error(&Key::new().with("DaclSddl", RegType::Sz, sz("D:P(A;;GA;;;SY)\u{1b}")));
    assert_eq!(
        (kind, offset),
        (ConfigErrorKind::ControlCharacter { unit: 0x1b }, 15)
    );
}

#[test]
fn control_characters_in_names_are_refused() {
    for (entry, at, unit) in [
        ("NT SERVICE\\Mps\u{1}Svc:READ", 14, 1),
        ("NT SERVICE\\MpsSvc\u{7f}", 17, 0x7f),
        ("NT SERVICE\\Mps\tSvc", 14, 9),
        ("S-1-5-\u{85}18", 6, 0x85),
        ("B\u{8}A:READ", 1, 8),
    ] {
        let (kind, value, n, offset, text) = error(&Key::new().principals(&[entry]));
        assert!(
            matches!(kind, ConfigErrorKind::Principal(e) if e.kind == PrincipalErrorKind::ControlCharacter { unit }),
            "{entry:?}: {kind:?}"
        );
        assert_eq!((value, n, offset), (PRINCIPALS, 1, at), "{entry:?}");
        assert!(text.contains("control character"), "{text}");
    }
    // Blanks (space, tab) around a name are still trimmed.
    assert!(parse(&Key::new().principals(&["\tSY\t:\tGENERIC_ALL", "BA:GENERIC_ALL"])).is_ok());
}

#[test]
fn check_reports_every_problem_and_parse_the_first() {
    use DiagnosticKind::{Error as E, Warning as W};
    use Severity::{Error, Warning};
    // "BA:FROB" without its NUL and the list's empty string.
    let mut cut = multi_sz(&["SY:GENERIC_ALL", "XX", "BA:FROB"]);
    cut.truncate(cut.len() - 4);
    let key = Key::new()
        .with("Verbose", RegType::Dword, dword(1))
        .with("Principals", RegType::MultiSz, cut)
        .with("RestoreOnUnload", RegType::Dword, dword(2))
        .with("OriginalDacl", RegType::Binary, vec![1, 0, 4, 0x80])
        .with("DaclSddl", RegType::Sz, sz("D:P(A;;GA;;;SY)"))
        .with("restoreonunload", RegType::Dword, dword(1));
    let (ok, d) = diagnostics(&key);
    assert!(!ok);
    let rights = |len| {
        ConfigErrorKind::Rights(connsec_policy::RightsError {
            offset: 0,
            kind: RightsErrorKind::UnknownName { len },
        })
    };
    let p = || "Principals".to_owned();
    assert_eq!(
        d,
        [
            (
                Warning,
                W(WarningKind::UnknownValue),
                "Verbose".to_owned(),
                0,
                0,
                0
            ),
            (
                Error,
                E(ConfigErrorKind::Unterminated { at: 50 }),
                p(),
                3,
                7,
                50
            ),
            (
                Error,
                E(ConfigErrorKind::Principal(connsec_policy::PrincipalError {
                    offset: 0,
                    kind: PrincipalErrorKind::Sid(secdesc::ErrorKind::UnknownAlias {
                        alias: *b"XX"
                    })
                })),
                p(),
                2,
                0,
                30
            ),
            (Error, E(rights(4)), p(), 3, 3, 42),
            (
                Error,
                E(ConfigErrorKind::NotZeroOrOne { value: 2 }),
                "RestoreOnUnload".to_owned(),
                0,
                0,
                0
            ),
            (
                Warning,
                W(WarningKind::DriverValue),
                "OriginalDacl".to_owned(),
                0,
                0,
                0
            ),
            (
                Error,
                E(ConfigErrorKind::DuplicateValue),
                "restoreonunload".to_owned(),
                0,
                0,
                0
            ),
            (
                Error,
                E(ConfigErrorKind::BothPolicies),
                "DaclSddl".to_owned(),
                0,
                0,
                0
            ),
        ]
    );
    // parse: the first error, and only the unknown value as a warning.
    let values = key.values();
    let mut warnings = Vec::new();
    let e = Config::parse(&values, &mut |w| warnings.push(w)).unwrap_err();
    assert_eq!(e.kind, ConfigErrorKind::Unterminated { at: 50 });
    assert_eq!(warnings.len(), 1);
}

#[test]
fn original_dacl_is_the_drivers_own_value() {
    // OriginalDacl alone is only a warning: the configuration is still good.
    let key = common::inf_default_key().with("OriginalDacl", RegType::Binary, vec![1]);
    let (ok, d) = diagnostics(&key);
    assert!(ok);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].1, DiagnosticKind::Warning(WarningKind::DriverValue));
    assert_eq!(d[0].0, Severity::Warning);
    let values = key.values();
    let mut warned = false;
    assert!(Config::parse(&values, &mut |_| warned = true).is_ok());
    assert!(!warned, "the driver is not warned about its own value");
}

#[test]
fn unknown_values_are_warned_about_and_ignored() {
    let key = common::inf_default_key().with("Verbose", RegType::Dword, dword(1));
    let values = key.values();
    let mut warnings = Vec::new();
    Config::parse(&values, &mut |w| warnings.push(w)).unwrap();
    let ConfigWarning::UnknownValue { name } = warnings[0];
    assert_eq!(String::from_utf16(name).unwrap(), "Verbose");
    assert_eq!(warnings.len(), 1);
}

#[test]
fn flags_are_read_and_checked() {
    let key = common::inf_default_key()
        .with("RestoreOnUnload", RegType::Dword, dword(0))
        .with("AllowUnsafeDacl", RegType::Dword, dword(1));
    let config = parse(&key).unwrap();
    assert!(!config.restore_on_unload);
    assert!(config.allow_unsafe_dacl);

    let bad = common::inf_default_key().with("RestoreOnUnload", RegType::Dword, dword(2));
    let (kind, value, entry, _, text) = error(&bad);
    assert_eq!(
        (kind, value, entry),
        (
            ConfigErrorKind::NotZeroOrOne { value: 2 },
            RESTORE_ON_UNLOAD,
            0
        )
    );
    assert_eq!(text, "RestoreOnUnload: must be 0 or 1 (found 2)");

    let short = common::inf_default_key().with("AllowUnsafeDacl", RegType::Dword, vec![1, 0]);
    assert_eq!(error(&short).0, ConfigErrorKind::DwordLength { len: 2 });

    let typed = common::inf_default_key().with("RestoreOnUnload", RegType::Sz, sz("1"));
    assert_eq!(
        error(&typed).4,
        "RestoreOnUnload: wrong registry type (expected REG_DWORD, found REG_SZ)"
    );
}

#[test]
fn principals_value_shape_errors() {
    let wrong = Key::new().with("Principals", RegType::Sz, sz("SY"));
    assert_eq!(
        error(&wrong).0,
        ConfigErrorKind::WrongType {
            expected: RegType::MultiSz,
            found: RegType::Sz
        }
    );
    let odd = Key::new().with("Principals", RegType::MultiSz, vec![b'S', 0, b'Y']);
    assert_eq!(error(&odd).0, ConfigErrorKind::OddLength { len: 3 });
    let huge = Key::new().with("Principals", RegType::MultiSz, vec![0x41; 40_000]);
    assert_eq!(
        error(&huge).0,
        ConfigErrorKind::TooLarge {
            len: 40_000,
            max: 32 * 1024
        }
    );
    let mut trailing = multi_sz(&["SY"]);
    trailing.extend(wide("BA"));
    let (kind, value, _, offset, _) =
        error(&Key::new().with("Principals", RegType::MultiSz, trailing));
    assert_eq!(
        (kind, value, offset),
        (ConfigErrorKind::DataAfterTerminator, PRINCIPALS, 4)
    );
    let many: Vec<String> = (0..=MAX_PRINCIPALS)
        .map(|i| format!("S-1-5-21-1-2-3-{i}"))
        .collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let (kind, _, entry, _, _) = error(&Key::new().principals(&many));
    assert_eq!((kind, entry), (ConfigErrorKind::TooManyEntries, 65));
}

#[test]
fn entry_errors_name_value_entry_and_position() {
    let (kind, value, entry, offset, text) = error(&Key::new().principals(&["SY", "BA:READ|FROB"]));
    assert!(
        matches!(kind, ConfigErrorKind::Rights(e) if e.kind == RightsErrorKind::UnknownName { len: 4 })
    );
    assert_eq!((value, entry, offset), (PRINCIPALS, 2, 8));
    assert_eq!(
        text,
        "Principals entry 2 \"BA:READ|FROB\" at character 8: unknown right name"
    );

    let (kind, _, entry, offset, text) = error(&Key::new().principals(&["QQ:READ"]));
    assert!(
        matches!(kind, ConfigErrorKind::Principal(e) if matches!(e.kind, PrincipalErrorKind::Sid(_)))
    );
    assert_eq!((entry, offset), (1, 0));
    assert!(
        text.starts_with("Principals entry 1 \"QQ:READ\" at character 0: unknown SDDL alias"),
        "{text}"
    );

    let (_, _, _, _, text) = error(&Key::new().principals(&["SY", "SY", "DA"]));
    assert!(
        text.contains("entry 3 \"DA\"") && text.contains("domain-relative alias"),
        "{text}"
    );

    let (kind, _, entry, _, _) = error(&Key::new().principals(&["SY", "   "]));
    assert_eq!((kind, entry), (ConfigErrorKind::EmptyEntry, 2));

    let (_, _, _, offset, text) = error(&Key::new().principals(&["NT SERVICE\\Bad/Name"]));
    assert_eq!(offset, 14);
    assert!(text.contains("service name contains"), "{text}");

    let (kind, _, _, offset, _) = error(&Key::new().principals(&["S-1-5-32-5x4:READ"]));
    assert!(matches!(kind, ConfigErrorKind::Principal(_)));
    assert_eq!(offset, 10);
}

#[test]
fn dacl_sddl_checks() {
    let ok = Key::new().with(
        "DaclSddl",
        RegType::Sz,
        sz("  D:P(A;;GA;;;SY)(A;;GA;;;BA)  "),
    );
    let config = parse(&ok).unwrap();
    let DaclSource::Sddl(text) = config.source else {
        panic!()
    };
    assert_eq!(text.wide().to_string(), "D:P(A;;GA;;;SY)(A;;GA;;;BA)");

    let cases: [(&str, ConfigErrorKind, usize); 5] = [
        ("", ConfigErrorKind::EmptySddl, 0),
        ("O:BAD:P(A;;GA;;;SY)", ConfigErrorKind::NotDaclOnly, 0),
        (
            "D:P(A;;GA;;;SY)S:(AU;SA;GA;;;WD)",
            ConfigErrorKind::NotDaclOnly,
            15,
        ),
        ("D:P(A;;GA;;;SY)G:SY", ConfigErrorKind::NotDaclOnly, 15),
        ("D:P(A;;GA;;;SÝ)", ConfigErrorKind::NonAsciiSddl, 13),
    ];
    for (sddl, want, at) in cases {
        let (kind, value, _, offset, text) =
            error(&Key::new().with("DaclSddl", RegType::Sz, sz(sddl)));
        assert_eq!(
            (kind, value, offset),
            (want, DACL_SDDL, at),
            "{sddl}: {text}"
        );
    }
    let expand = Key::new().with("DaclSddl", RegType::ExpandSz, sz("D:P"));
    assert_eq!(
        error(&expand).0,
        ConfigErrorKind::WrongType {
            expected: RegType::Sz,
            found: RegType::ExpandSz
        }
    );
    let mut after_nul = sz("D:P(A;;GA;;;SY)");
    after_nul.extend(wide("x"));
    assert_eq!(
        error(&Key::new().with("DaclSddl", RegType::Sz, after_nul)).0,
        ConfigErrorKind::DataAfterTerminator
    );
}

#[test]
fn exactly_one_policy_source() {
    let both = common::inf_default_key().with("DaclSddl", RegType::Sz, sz("D:P(A;;GA;;;SY)"));
    assert_eq!(error(&both).0, ConfigErrorKind::BothPolicies);
    let none = Key::new().with("RestoreOnUnload", RegType::Dword, dword(1));
    let (kind, _, _, _, text) = error(&none);
    assert_eq!(kind, ConfigErrorKind::NoPolicy);
    assert_eq!(
        text,
        "configuration: neither Principals nor DaclSddl is set"
    );
    let twice = common::inf_default_key().principals(&["SY"]);
    assert_eq!(error(&twice).0, ConfigErrorKind::DuplicateValue);
}
