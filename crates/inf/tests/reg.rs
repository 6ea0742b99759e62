//! The `.reg` reader against exports written the way regedit writes them.

use connsec_inf::{ErrorKind, RegFile, RegType, multi_sz_bytes, sz_bytes};

const EXPORT: &str = "Windows Registry Editor Version 5.00\r
\r
; comment\r
[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\connsec\\Parameters]\r
\"Principals\"=hex(7):53,00,59,00,3a,00,47,00,41,00,00,00,42,00,41,00,3a,00,47,\\\r
  00,41,00,00,00,00,00\r
\"RestoreOnUnload\"=dword:00000001\r
\"DaclSddl\"=\"D:P(A;;GA;;;SY)\"\r
\"Esc \\\"q\\\"\"=\"C:\\\\x \\\"y\\\"\"\r
@=\"default\"\r
\"Bin\"=hex:01,02\r
\"Empty\"=hex:\r
\"Exp\"=hex(2):25,00,00,00\r
\"Gone\"=-\r
\r
[-HKEY_CURRENT_USER\\Software\\Old]\r
";

#[test]
fn values_give_registry_bytes() {
    let f = RegFile::parse(EXPORT).unwrap();
    assert_eq!(f.keys.len(), 2);
    let k = f.key_with_leaf("parameters").unwrap();
    assert_eq!((k.line, k.leaf()), (4, "Parameters"));
    let p = k.value("principals").unwrap();
    assert_eq!((p.line, p.kind), (5, RegType::MULTI_SZ));
    assert_eq!(p.data, multi_sz_bytes(["SY:GA", "BA:GA"]));
    let r = k.value("RestoreOnUnload").unwrap();
    assert_eq!(
        (r.line, r.kind, r.data.as_slice()),
        (7, RegType::DWORD, &[1, 0, 0, 0][..])
    );
    assert_eq!(
        k.value("DaclSddl").unwrap().data,
        sz_bytes("D:P(A;;GA;;;SY)")
    );
    assert_eq!(k.value("Esc \"q\"").unwrap().data, sz_bytes("C:\\x \"y\""));
    assert_eq!(k.value("").unwrap().data, sz_bytes("default"));
    assert_eq!(k.value("Bin").unwrap().kind, RegType::BINARY);
    assert_eq!(k.value("Bin").unwrap().data, [1, 2]);
    assert!(k.value("Empty").unwrap().data.is_empty());
    assert_eq!(k.value("Exp").unwrap().kind, RegType::EXPAND_SZ);
    assert_eq!(k.deleted_values, [("Gone".to_owned(), 14)]);
    assert!(f.keys[1].delete);
}

#[test]
fn utf16le_with_bom() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in EXPORT.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(
        RegFile::from_bytes(&bytes).unwrap(),
        RegFile::parse(EXPORT).unwrap()
    );
}

fn err(body: &str) -> (usize, ErrorKind) {
    let e = RegFile::parse(&format!(
        "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\K]\n{body}"
    ))
    .unwrap_err();
    (e.line, e.kind)
}

#[test]
fn errors_name_the_line() {
    assert_eq!(
        RegFile::parse("REGEDIT4\n\n[HKEY_CURRENT_USER\\K]\n\"A\"=\"\u{e9}\"\n").unwrap_err(),
        connsec_inf::Error {
            file: None,
            line: 4,
            kind: ErrorKind::NonAsciiAnsi
        }
    );
    assert_eq!(
        RegFile::parse("\nhello\n").unwrap_err(),
        connsec_inf::Error {
            file: None,
            line: 2,
            kind: ErrorKind::MissingRegHeader("hello".into())
        }
    );
    assert_eq!(
        err("\"A\"=dword:1234567890\n"),
        (4, ErrorKind::BadValueData("dword:1234567890".into()))
    );
    assert_eq!(
        err("\"A\"=hex:1,zz\n"),
        (4, ErrorKind::BadHexByte("zz".into()))
    );
    assert_eq!(
        err("\"A\"=hex:01,\\\n"),
        (4, ErrorKind::ContinuationAtEndOfFile)
    );
    assert_eq!(
        err("\"A\"=qword:1\n"),
        (4, ErrorKind::BadValueData("qword:1".into()))
    );
    assert_eq!(err("\"A\"=\"x\\n\"\n"), (4, ErrorKind::BadEscape('n')));
    assert_eq!(
        err("\"A\"=\"x\" y\n"),
        (4, ErrorKind::TrailingText("y".into()))
    );
    assert_eq!(err("\"A\" \"x\"\n"), (4, ErrorKind::MissingEquals));
    assert_eq!(err("\"A=\"x\"\n"), (4, ErrorKind::MissingEquals));
    assert_eq!(err("\"A\"=\"x\n"), (4, ErrorKind::UnterminatedQuote));
    assert_eq!(err("junk\n"), (4, ErrorKind::UnexpectedLine("junk".into())));
    assert_eq!(
        err("[NOPE\\x]\n"),
        (4, ErrorKind::BadKeyPath("NOPE\\x".into()))
    );
    let e = RegFile::parse("Windows Registry Editor Version 5.00\n\"A\"=\"x\"\n").unwrap_err();
    assert_eq!((e.line, e.kind), (2, ErrorKind::ValueOutsideKey));
    let e = RegFile::from_named_bytes(b"x", "p.reg").unwrap_err();
    assert_eq!(
        e.to_string(),
        "p.reg:1: expected \"Windows Registry Editor Version 5.00\" as the first line, found \"x\""
    );
}
