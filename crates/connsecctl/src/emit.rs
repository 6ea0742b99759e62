//! `connsecctl emit reg|inf`: the `Parameters` values of a planned policy, written as a regedit
//! export or as INF `AddReg` lines. The values are the raw registry bytes that were planned, so
//! reading the output back gives the same bytes (tested).

use core::fmt::Write as _;

use connsec_inf::{RegType, decode_multi_sz, decode_sz};
use connsec_policy::config::PARAMETERS_KEY;

use crate::source::{Value, Values};

/// Longest line regedit writes before continuing hex data with `\`.
const REG_LINE: usize = 80;

fn reg_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn reg_value(out: &mut String, v: &Value) {
    let name = if v.name.is_empty() {
        "@".to_owned()
    } else {
        reg_string(&v.name)
    };
    match v.kind {
        RegType::SZ => {
            if let Some(s) = decode_sz(&v.data).filter(|s| connsec_inf::sz_bytes(s) == v.data) {
                let _ = writeln!(out, "{name}={}", reg_string(&s));
                return;
            }
        }
        RegType::DWORD => {
            if let Ok(b) = <[u8; 4]>::try_from(v.data.as_slice()) {
                let _ = writeln!(out, "{name}=dword:{:08x}", u32::from_le_bytes(b));
                return;
            }
        }
        _ => {}
    }
    let prefix = if v.kind == RegType::BINARY {
        "hex:".to_owned()
    } else {
        format!("hex({:x}):", v.kind.0)
    };
    let mut line = format!("{name}={prefix}");
    for (i, b) in v.data.iter().enumerate() {
        let last = i + 1 == v.data.len();
        let item = if last {
            format!("{b:02x}")
        } else {
            format!("{b:02x},")
        };
        // Leave room for the trailing backslash.
        if line.len() + item.len() > REG_LINE - 1 {
            out.push_str(&line);
            out.push_str("\\\n");
            "  ".clone_into(&mut line);
        }
        line.push_str(&item);
    }
    out.push_str(&line);
    out.push('\n');
}

/// A regedit export of the values under the `Parameters` key (CRLF line ends, as regedit).
pub(crate) fn reg(values: &Values) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", connsec_inf::reg::HEADER);
    let _ = writeln!(out, "[HKEY_LOCAL_MACHINE\\{PARAMETERS_KEY}]");
    for v in &values.values {
        reg_value(&mut out, v);
    }
    out.replace('\n', "\r\n")
}

fn inf_string(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\"").replace('%', "%%"))
}

/// `HKR,Parameters,...` lines for an INF add-registry section.
pub(crate) fn inf(values: &Values) -> String {
    let mut out = String::from(
        "; Parameters for connsec (HKR = the service key), written by connsecctl emit inf\n",
    );
    for v in &values.values {
        let head = format!("HKR,Parameters,{}", inf_string(&v.name));
        let line = match v.kind {
            RegType::SZ | RegType::EXPAND_SZ
                if decode_sz(&v.data).is_some_and(|s| connsec_inf::sz_bytes(&s) == v.data) =>
            {
                let flags = if v.kind == RegType::SZ {
                    0
                } else {
                    0x0002_0000
                };
                format!(
                    "{head},0x{flags:08x},{}",
                    inf_string(&decode_sz(&v.data).unwrap_or_default())
                )
            }
            RegType::MULTI_SZ
                if decode_multi_sz(&v.data).is_some_and(|l| {
                    connsec_inf::multi_sz_bytes(l.iter().map(String::as_str)) == v.data
                }) =>
            {
                let items = decode_multi_sz(&v.data).unwrap_or_default();
                let list: Vec<String> = items.iter().map(|s| inf_string(s)).collect();
                if list.is_empty() {
                    format!("{head},0x00010000")
                } else {
                    format!("{head},0x00010000,{}", list.join(","))
                }
            }
            RegType::DWORD if v.data.len() == 4 => {
                let n = u32::from_le_bytes([v.data[0], v.data[1], v.data[2], v.data[3]]);
                format!("{head},0x00010001,{n}")
            }
            kind => {
                // Anything else as raw bytes (FLG_ADDREG_BINVALUETYPE) with the type in the high
                // word; high words 1 and 2 mean REG_DWORD and REG_NONE there, so string types
                // whose bytes are not a well-formed string cannot be written.
                let flags = match kind.0 {
                    0 => 0x0002_0001,
                    3 => 0x0000_0001,
                    1 | 2 | 7 => {
                        let _ = writeln!(
                            out,
                            "; {}: {kind} data that is not a well-formed string cannot be written as an INF line",
                            v.name
                        );
                        continue;
                    }
                    k => (k << 16) | 1,
                };
                let bytes: Vec<String> = v.data.iter().map(|b| format!("{b:02x}")).collect();
                if bytes.is_empty() {
                    format!("{head},0x{flags:08x}")
                } else {
                    format!("{head},0x{flags:08x},{}", bytes.join(","))
                }
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use connsec_inf::{Inf, RegFile, RegType, dword_bytes, multi_sz_bytes, sz_bytes};
    use proptest::prelude::*;

    use super::*;

    fn values(v: Vec<Value>) -> Values {
        Values {
            origin: "test".to_owned(),
            file: None,
            values: v,
        }
    }

    fn value(name: &str, kind: RegType, data: Vec<u8>) -> Value {
        Value {
            name: name.to_owned(),
            kind,
            data,
            line: None,
        }
    }

    /// Strings a registry value can hold and an INF or .reg line can carry.
    fn text() -> impl Strategy<Value = String> {
        "[^\r\n\0]{1,30}"
    }

    fn arbitrary_values() -> impl Strategy<Value = Vec<Value>> {
        (
            proptest::collection::vec(text(), 1..5),
            text(),
            any::<u32>(),
            proptest::collection::vec(any::<u8>(), 0..90),
            prop_oneof![Just(0u32), Just(3), Just(4), Just(11), 12u32..40],
        )
            .prop_map(|(list, s, n, bytes, kind)| {
                vec![
                    value(
                        "Principals",
                        RegType::MULTI_SZ,
                        multi_sz_bytes(list.iter().map(String::as_str)),
                    ),
                    value("DaclSddl", RegType::SZ, sz_bytes(&s)),
                    value("Expand", RegType::EXPAND_SZ, sz_bytes(&s)),
                    value("RestoreOnUnload", RegType::DWORD, dword_bytes(n)),
                    // A REG_DWORD that is not 4 bytes, and arbitrary binary types.
                    value(
                        "Odd",
                        RegType::DWORD,
                        bytes.iter().copied().take(3).collect(),
                    ),
                    value("Raw", RegType(kind), bytes),
                ]
            })
    }

    fn read_reg(text: &str) -> Vec<Value> {
        let f = RegFile::parse(text).unwrap();
        f.keys[0]
            .values
            .iter()
            .map(|v| value(&v.name, v.kind, v.data.clone()))
            .collect()
    }

    fn read_inf(lines: &str) -> Vec<Value> {
        let text = format!("[S]\nAddReg = R\n[R]\n{lines}");
        Inf::parse(&text)
            .unwrap()
            .add_reg_entries()
            .unwrap()
            .into_iter()
            .map(|e| value(&e.name, e.kind.unwrap(), e.data))
            .collect()
    }

    proptest! {
        #[test]
        fn reg_output_reads_back_as_the_same_bytes(v in arbitrary_values()) {
            let text = reg(&values(v.clone()));
            prop_assert!(text.lines().all(|l| l.len() <= REG_LINE), "{}", text);
            prop_assert_eq!(read_reg(&text), v);
        }

        #[test]
        fn inf_output_reads_back_as_the_same_bytes(v in arbitrary_values()) {
            let text = inf(&values(v.clone()));
            // REG_NONE and binary types survive; a DWORD that is not 4 bytes becomes raw
            // bytes of type 4, which is the same value.
            prop_assert_eq!(read_inf(&text), v);
        }
    }

    #[test]
    fn malformed_strings_are_not_written_as_inf_lines() {
        let v = values(vec![value("Bad", RegType::SZ, vec![0x41])]);
        let text = inf(&v);
        assert!(
            text.contains("; Bad: REG_SZ data that is not a well-formed string"),
            "{text}"
        );
        assert!(read_inf(&text).is_empty());
        // ...but .reg can carry them, as hex(1).
        assert_eq!(read_reg(&reg(&v)), v.values);
    }
}
