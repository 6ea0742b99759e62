//! Properties of the readers: no input makes them panic, and values written in each format
//! read back as the same registry bytes.

use connsec_inf::{Inf, RegFile, RegType, multi_sz_bytes, sz_bytes};
use proptest::prelude::*;

/// INF-quoted form of `s` (a doubled `"` is one quote, `%%` one percent sign).
fn inf_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\"").replace('%', "%%"))
}

/// `.reg`-quoted form of `s`.
fn reg_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Text without line breaks or NULs (what a registry string from an INF line can hold).
fn line_text() -> impl Strategy<Value = String> {
    "[^\r\n\0]{1,40}"
}

proptest! {
    // Integration tests have no lib.rs/main.rs for the default failure file.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic(text in "(?s).{0,400}") {
        let _ = Inf::parse(&text).map(|i| i.add_reg_entries());
        let _ = RegFile::parse(&text);
        let _ = RegFile::parse(&format!("Windows Registry Editor Version 5.00\n{text}"));
        let _ = Inf::from_bytes(text.as_bytes());
    }

    #[test]
    fn bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Inf::from_bytes(&bytes).map(|i| i.add_reg_entries());
        let _ = RegFile::from_bytes(&bytes);
    }

    #[test]
    fn inf_multi_sz_round_trips(items in proptest::collection::vec(line_text(), 1..6)) {
        let fields: Vec<String> = items.iter().map(|s| inf_quote(s)).collect();
        let text = format!("[S]\nAddReg = R\n[R]\nHKR,Parameters,V,0x00010000,{}\n", fields.join(","));
        let entries = Inf::parse(&text).unwrap().add_reg_entries().unwrap();
        prop_assert_eq!(entries.len(), 1);
        prop_assert_eq!(entries[0].kind, Some(RegType::MULTI_SZ));
        prop_assert_eq!(&entries[0].data, &multi_sz_bytes(items.iter().map(String::as_str)));
        prop_assert_eq!(entries[0].line, 4);
    }

    #[test]
    fn inf_sz_and_dword_round_trip(s in line_text(), n in any::<u32>(), hex in any::<bool>()) {
        let number = if hex { format!("0x{n:X}") } else { n.to_string() };
        let text = format!(
            "[S]\nAddReg = R\n[R]\nHKR,P,A,,{}\nHKR,P,B,0x00010001,{number}\n",
            inf_quote(&s)
        );
        let e = Inf::parse(&text).unwrap().add_reg_entries().unwrap();
        prop_assert_eq!(&e[0].data, &sz_bytes(&s));
        prop_assert_eq!(&e[1].data, &n.to_le_bytes().to_vec());
    }

    #[test]
    fn reg_values_round_trip(
        s in line_text(),
        n in any::<u32>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        kind in 0u32..16,
        width in 4usize..40,
    ) {
        // Hex data wrapped over continuation lines every `width` bytes, as regedit does.
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let wrapped = hex.chunks(width).map(|c| c.join(",")).collect::<Vec<_>>().join(",\\\r\n  ");
        let text = format!(
            "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\K]\r\n\"S\"={}\r\n\"D\"=dword:{n:08x}\r\n\"H\"=hex({kind:x}):{wrapped}\r\n\"Z\"=dword:1\r\n",
            reg_quote(&s)
        );
        let f = RegFile::parse(&text).unwrap();
        let k = &f.keys[0];
        prop_assert_eq!(&k.value("S").unwrap().data, &sz_bytes(&s));
        prop_assert_eq!(&k.value("D").unwrap().data, &n.to_le_bytes().to_vec());
        let h = k.value("H").unwrap();
        prop_assert_eq!(h.kind, RegType(kind));
        prop_assert_eq!(&h.data, &bytes);
        prop_assert_eq!(h.line, 6);
        let continuation_lines = if bytes.is_empty() { 0 } else { (bytes.len() - 1) / width };
        prop_assert_eq!(k.value("Z").unwrap().line, 7 + continuation_lines);
    }
}
