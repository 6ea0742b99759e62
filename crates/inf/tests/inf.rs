//! The INF reader against hand-written INF text whose meaning is known.

use connsec_inf::{ErrorKind, Inf, RegType, multi_sz_bytes, sz_bytes};

const SAMPLE: &str = r#"; leading comment
[Version]
Signature   = "$WINDOWS NT$"   ; trailing comment
Class       = WFPCALLOUTS
Provider    = %ManufacturerName%

[DefaultInstall.NT$ARCH$.Services]
AddService = connsec,,connsec.Service

[connsec.Service]
DisplayName   = %ServiceName%
ServiceBinary = %13%\connsec.sys
AddReg        = connsec.Params, connsec.Params

[connsec.Params]
HKR,Parameters,Principals,0x00010000,"SY:GENERIC_ALL","BA:GENERIC_ALL", \
    "NT SERVICE\PolicyAgent:GENERIC_READ|GENERIC_EXECUTE"
HKR,Parameters,RestoreOnUnload,0x00010001,1
HKR,Parameters,Limit,0x00010001,0xFFFFFFFF
HKR,Parameters,DaclSddl,,"D:P(A;;GA;;;SY)"
HKR,Parameters,Text,0x00020000,"%%SystemRoot%%\x"
HKR,Parameters,Blob,0x00000001,01,ff,0A
HKR,Parameters,Legacy,0x00010001,01,00,00,00
HKR,Parameters,RawDword,0x00040001,01,02,03
HKR,Parameters,Quoted,,"say ""hi"", then ; not a comment"
HKR,Parameters,,0x00000010

[Strings]
ManufacturerName = "connsec project"
servicename      = "connsec ""WFP"" callout"
"#;

#[test]
fn sections_lines_and_fields() {
    let inf = Inf::parse(SAMPLE).unwrap();
    let names: Vec<&str> = inf.sections().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Version",
            "DefaultInstall.NT$ARCH$.Services",
            "connsec.Service",
            "connsec.Params",
            "Strings"
        ]
    );
    let version = inf.section("version").unwrap();
    assert_eq!(version.line, 2);
    let sig = &version.lines[0];
    assert_eq!(sig.number, 3);
    assert_eq!(sig.key().unwrap().value, "Signature");
    assert_eq!(sig.value(0).unwrap().value, "$WINDOWS NT$");
    assert!(sig.value(0).unwrap().quoted);
    assert_eq!(sig.raw(), "Signature   = \"$WINDOWS NT$\"");
    assert_eq!(version.value("provider").unwrap().value, "connsec project");
    assert_eq!(version.value("Provider").unwrap().raw, "%ManufacturerName%");

    let svc = inf.section("connsec.Service").unwrap();
    assert_eq!(
        svc.value("DisplayName").unwrap().value,
        "connsec \"WFP\" callout"
    );
    // Directory ids are not string keys and stay as written.
    assert_eq!(
        svc.value("ServiceBinary").unwrap().value,
        "%13%\\connsec.sys"
    );
    assert_eq!(inf.string("SERVICENAME"), Some("connsec \"WFP\" callout"));
    assert!(inf.undefined_strings().is_empty());
    assert_eq!(
        inf.add_reg_references(),
        [
            ("connsec.Service", 13, "connsec.Params"),
            ("connsec.Service", 13, "connsec.Params")
        ]
    );
}

#[test]
fn add_reg_entries_give_registry_bytes() {
    let inf = Inf::parse(SAMPLE).unwrap();
    let e = inf.add_reg_entries().unwrap();
    assert_eq!(e.len(), 10, "section referenced twice is read once");
    let by = |name: &str| e.iter().find(|x| x.name == name).unwrap();

    let p = by("Principals");
    assert_eq!(
        (p.line, p.kind, p.flags),
        (16, Some(RegType::MULTI_SZ), 0x10000)
    );
    assert_eq!((p.root.as_str(), p.subkey.as_str()), ("HKR", "Parameters"));
    assert!(p.is_hkr_value_in("parameters"));
    assert_eq!(
        p.data,
        multi_sz_bytes([
            "SY:GENERIC_ALL",
            "BA:GENERIC_ALL",
            "NT SERVICE\\PolicyAgent:GENERIC_READ|GENERIC_EXECUTE"
        ])
    );
    assert_eq!(
        (
            by("RestoreOnUnload").kind,
            by("RestoreOnUnload").data.as_slice()
        ),
        (Some(RegType::DWORD), &[1, 0, 0, 0][..])
    );
    assert_eq!(by("Limit").data, [0xFF; 4]);
    assert_eq!(by("RestoreOnUnload").line, 18);
    assert_eq!(
        (by("DaclSddl").kind, by("DaclSddl").data.clone()),
        (Some(RegType::SZ), sz_bytes("D:P(A;;GA;;;SY)"))
    );
    assert_eq!(
        (by("Text").kind, by("Text").data.clone()),
        (Some(RegType::EXPAND_SZ), sz_bytes("%SystemRoot%\\x"))
    );
    assert_eq!(
        (by("Blob").kind, by("Blob").data.as_slice()),
        (Some(RegType::BINARY), &[1, 0xff, 0x0a][..])
    );
    assert_eq!(by("Legacy").data, [1, 0, 0, 0]);
    // REG_DWORD (4) in the high word with FLG_ADDREG_BINVALUETYPE: raw bytes, any length.
    assert_eq!(
        (by("RawDword").kind, by("RawDword").data.as_slice()),
        (Some(RegType::DWORD), &[1, 2, 3][..])
    );
    assert_eq!(
        by("Quoted").data,
        sz_bytes("say \"hi\", then ; not a comment")
    );
    let key_only = by("");
    assert_eq!((key_only.kind, key_only.data.len()), (None, 0));
}

#[test]
fn utf16le_inx_reads_the_same() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in SAMPLE.replace('\n', "\r\n").encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let a = Inf::from_bytes(&bytes).unwrap();
    let b = Inf::parse(SAMPLE).unwrap();
    assert_eq!(a.add_reg_entries().unwrap(), b.add_reg_entries().unwrap());
}

fn err(text: &str) -> (usize, ErrorKind) {
    let e = Inf::parse(text)
        .and_then(|i| i.add_reg_entries())
        .unwrap_err();
    (e.line, e.kind)
}

#[test]
fn errors_name_the_line() {
    assert_eq!(err("x = 1\n"), (1, ErrorKind::LineOutsideSection));
    assert_eq!(err("[A]\nk = \"open\n"), (2, ErrorKind::UnterminatedQuote));
    assert_eq!(err("[A\n"), (1, ErrorKind::UnterminatedSectionName));
    assert_eq!(
        err("[A] x\n"),
        (1, ErrorKind::TextAfterSectionName("x".into()))
    );
    assert_eq!(err("[ ]\n"), (1, ErrorKind::EmptySectionName));
    assert_eq!(
        err("[A]\nk = 1 \\"),
        (2, ErrorKind::ContinuationAtEndOfFile)
    );
    assert_eq!(
        err("[A]\nAddReg = R\n"),
        (2, ErrorKind::MissingSection("R".into()))
    );
    let base = "[A]\nAddReg = R\n[R]\n";
    assert_eq!(
        err(&format!("{base}HKR\n")),
        (4, ErrorKind::AddRegTooFewFields { found: 1 })
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,zz,1\n")),
        (4, ErrorKind::BadFlags("zz".into()))
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,0x00030000,1\n")),
        (4, ErrorKind::UnsupportedFlags(0x30000))
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,0x00000100,1\n")),
        (4, ErrorKind::UnsupportedFlags(0x100))
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,0x00010001,0x100000000\n")),
        (4, ErrorKind::BadDword("0x100000000".into()))
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,0x00010001,one\n")),
        (4, ErrorKind::BadDword("one".into()))
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,0x00010001\n")),
        (4, ErrorKind::BadDword(String::new()))
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,0x00000001,0g\n")),
        (4, ErrorKind::BadHexByte("0g".into()))
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,,a,b\n")),
        (
            4,
            ErrorKind::TooManyValues {
                kind: RegType::SZ,
                found: 2
            }
        )
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,0x00010000,a,,b\n")),
        (4, ErrorKind::EmptyMultiSzElement { index: 1 })
    );
    assert_eq!(
        err(&format!("{base}HKR,P,V,,%nope%\n")),
        (4, ErrorKind::UndefinedString("nope".into()))
    );
}

#[test]
fn undefined_strings_are_listed_and_file_named() {
    let inf = Inf::from_named_bytes(b"[A]\nk = %a%, %B%\n[Strings]\nb = x\n", "x.inx").unwrap();
    assert_eq!(inf.undefined_strings(), [(2, "a")]);
    assert_eq!(
        inf.section("A").unwrap().lines[0].value(1).unwrap().value,
        "x"
    );
    let e = Inf::from_named_bytes(b"[A]\nAddReg = R\n", "x.inx")
        .unwrap()
        .add_reg_entries()
        .unwrap_err();
    assert_eq!(e.to_string(), "x.inx:2: section [R] does not exist");
    let e = Inf::from_named_bytes(b"k=1\n", "y.inx").unwrap_err();
    assert_eq!(e.to_string(), "y.inx:1: line before the first [section]");
}

#[test]
fn repeated_sections_merge() {
    let inf = Inf::parse("[A]\nx=1\n[B]\n[a]\ny=2\n").unwrap();
    let a = inf.section("A").unwrap();
    assert_eq!(a.lines.iter().map(|l| l.number).collect::<Vec<_>>(), [2, 5]);
}

/// The repository's own INF, when present: its `Parameters` defaults come out as the registry
/// bytes the driver will read.
#[test]
fn the_repository_inx_parses() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../inf/connsec.inx");
    let Ok(bytes) = std::fs::read(&path) else {
        println!("skipped: {} is absent", path.display());
        return;
    };
    let inf = Inf::from_named_bytes(&bytes, "inf/connsec.inx").unwrap();
    assert!(
        inf.undefined_strings().is_empty(),
        "{:?}",
        inf.undefined_strings()
    );
    let entries = inf.add_reg_entries().unwrap();
    let params: Vec<_> = entries
        .iter()
        .filter(|e| e.is_hkr_value_in("Parameters"))
        .collect();
    let principals = params.iter().find(|e| e.name == "Principals").unwrap();
    assert_eq!(principals.kind, Some(RegType::MULTI_SZ));
    let list = connsec_inf::decode_multi_sz(&principals.data).unwrap();
    assert_eq!(list[0], "SY:GENERIC_ALL");
    assert!(
        list.iter()
            .any(|p| p == "NT SERVICE\\MpsSvc:GENERIC_READ|GENERIC_EXECUTE"),
        "{list:?}"
    );
    let restore = params.iter().find(|e| e.name == "RestoreOnUnload").unwrap();
    assert_eq!(
        (restore.kind, restore.data.as_slice()),
        (Some(RegType::DWORD), &[1, 0, 0, 0][..])
    );
}
