//! The `.reg` reader and [`connsec_inf::merge`] against `regashii` 0.4, an independent reading
//! of regedit's import semantics: on generated exports (repeated keys in any letter case, later
//! values winning, `"Name"=-`, `[-key]`, every value form regedit writes), both must give the
//! same values for the key after the import.
//!
//! `regashii` merges only blocks of the same key, so the generated deletions name the key
//! itself, and it compares value names of different blocks with their case; deleting a parent
//! and names that differ only in case are compared against Wine instead
//! (`scripts/ci/wine-connsecctl.sh`).

use connsec_inf::reg::Target;
use connsec_inf::{RegFile, RegType, decode_multi_sz, decode_sz, merge};
use proptest::prelude::*;

const KEY: &str = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec\Parameters";

/// A value as both readers can state it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum V {
    Sz(String),
    ExpandSz(String),
    MultiSz(Vec<String>),
    Dword(u32),
    Binary(Vec<u8>),
}

fn ours(kind: RegType, data: &[u8]) -> V {
    match kind {
        RegType::SZ => V::Sz(decode_sz(data).unwrap()),
        RegType::EXPAND_SZ => V::ExpandSz(decode_sz(data).unwrap()),
        RegType::MULTI_SZ => V::MultiSz(decode_multi_sz(data).unwrap()),
        RegType::DWORD => V::Dword(u32::from_le_bytes(data.try_into().unwrap())),
        RegType::BINARY => V::Binary(data.to_vec()),
        other => panic!("not generated: {other}"),
    }
}

fn theirs(v: &regashii::Value) -> Option<V> {
    Some(match v {
        regashii::Value::Delete => return None,
        regashii::Value::Sz(s) => V::Sz(s.clone()),
        regashii::Value::ExpandSz(s) => V::ExpandSz(s.clone()),
        regashii::Value::MultiSz(l) => V::MultiSz(l.clone()),
        regashii::Value::Dword(n) => V::Dword(*n),
        regashii::Value::Binary(b) => V::Binary(b.clone()),
        other => panic!("not generated: {other:?}"),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn utf16z(s: &str) -> Vec<u8> {
    connsec_inf::sz_bytes(s)
}

/// One generated line of the export.
fn line() -> impl Strategy<Value = String> {
    // One spelling per name: regashii 0.4 keeps `"Principals"` and `"PRINCIPALS"` from two
    // blocks of the key as two values, where the registry (and this reader) has one; that case
    // is compared against Wine instead.
    let name = prop_oneof![Just("A"), Just("Principals"), Just("B")];
    let text = "[a-zA-Z0-9 :|\\\\\"]{1,12}";
    let key = prop_oneof![
        Just(format!("[{KEY}]")),
        Just(format!("[{}]", KEY.to_ascii_lowercase())),
        Just(format!("[-{KEY}]")),
        Just(r"[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\other\Parameters]".to_owned()),
    ];
    let value = (
        name,
        text,
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 1..40),
        0..6u8,
    )
        .prop_map(|(n, t, d, b, form)| {
            let data = match form {
                0 => format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
                1 => format!("dword:{d:08x}"),
                2 => format!("hex:{}", hex(&b)),
                3 => {
                    let mut m = utf16z(&t);
                    m.extend(utf16z("x"));
                    m.extend([0, 0]);
                    format!("hex(7):{}", hex(&m))
                }
                4 => format!("hex(2):{}", hex(&utf16z(&t))),
                _ => "-".to_owned(),
            };
            format!("\"{n}\"={data}")
        });
    prop_oneof![1 => key, 4 => value]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_imported_key_agrees_with_regashii(lines in proptest::collection::vec(line(), 0..30)) {
        let text = format!(
            "Windows Registry Editor Version 5.00\r\n\r\n[{KEY}]\r\n{}\r\n",
            lines.join("\r\n")
        );
        let file = RegFile::parse(&text).unwrap();
        let ops = file.ops_for(|p| {
            if p.eq_ignore_ascii_case(KEY) { Target::Key } else { Target::Other }
        });
        let state = merge::apply(&ops, &[]);
        let mut mine: Vec<(String, V)> = state
            .values
            .iter()
            .map(|v| (v.name.to_ascii_lowercase(), ours(v.kind, &v.data)))
            .collect();
        mine.sort();

        let reg = regashii::Registry::deserialize(&text).unwrap();
        let key = reg.keys().iter().find(|(n, _)| n.raw().eq_ignore_ascii_case(KEY));
        let mut other: Vec<(String, V)> = match key {
            Some((_, k)) if k.kind() != regashii::KeyKind::Delete => k
                .values()
                .iter()
                .filter_map(|(n, v)| theirs(v).map(|v| (n.raw().to_ascii_lowercase(), v)))
                .collect(),
            _ => Vec::new(),
        };
        other.sort();
        prop_assert_eq!(mine, other, "{}", text);
    }
}
