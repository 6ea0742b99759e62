//! `connsecctl emit reg|inf`: the `Parameters` values of a planned policy, written as a regedit
//! export or as INF `AddReg` lines. The values are the raw registry bytes that were planned, so
//! reading the output back gives the same bytes (tested).
//!
//! Both outputs also delete every connsec value the plan does not set (`"DaclSddl"=-` when the
//! plan sets `Principals`, and so on; in an INF, `FLG_ADDREG_DELVAL` lines): importing them over
//! any earlier configuration gives exactly the planned values. They never delete the key itself,
//! which also holds the driver's `OriginalDacl`.
//!
//! The `.reg` text is what regedit's export writes: the `Windows Registry Editor Version 5.00`
//! header, a blank line, the key, one line per value, a blank line; CRLF line ends (UTF-16LE
//! with BOM when written to a file, see `main.rs`); hex data wrapped as regedit wraps it: after
//! a byte's comma, once the line holds 77 or more characters, a `\` ends it and the next line
//! starts with two spaces. `scripts/ci/wine-connsecctl.sh` compares this text with what
//! `reg export` writes for the same key.

use core::fmt::Write as _;

use connsec_inf::{RegType, decode_multi_sz, decode_sz};
use connsec_policy::config::{PARAMETERS_KEY, VALUE_NAMES};

use crate::source::{Value, Values};

/// Once a hex line holds this many characters, regedit continues it on the next line.
const HEX_WRAP: usize = 77;

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

fn reg_name(name: &str) -> String {
    if name.is_empty() {
        "@".to_owned()
    } else {
        reg_string(name)
    }
}

/// The connsec values the plan does not set: deleting them makes an import exact.
fn unset(values: &Values) -> impl Iterator<Item = &'static str> + '_ {
    VALUE_NAMES.into_iter().filter(|n| values.get(n).is_none())
}

/// Whether `data` is a string regedit writes in quotes: well-formed UTF-16 with one final NUL
/// and no line break (which would end the line).
fn quotable(data: &[u8]) -> Option<String> {
    decode_sz(data).filter(|s| connsec_inf::sz_bytes(s) == data && !s.contains(['\r', '\n']))
}

fn reg_value(out: &mut String, v: &Value) {
    let name = reg_name(&v.name);
    match v.kind {
        RegType::SZ => {
            if let Some(s) = quotable(&v.data) {
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
    let _ = write!(out, "{name}={prefix}");
    let mut line_len = name.len() + 1 + prefix.len();
    let last = v.data.len().saturating_sub(1);
    for (i, b) in v.data.iter().enumerate() {
        let _ = write!(out, "{b:02x}");
        if i == last {
            break;
        }
        out.push(',');
        line_len += 3;
        if line_len >= HEX_WRAP {
            out.push_str("\\\n  ");
            line_len = 2;
        }
    }
    out.push('\n');
}

/// A regedit export of the values under the `Parameters` key (CRLF line ends, as regedit),
/// deleting the connsec values the plan does not set.
pub(crate) fn reg(values: &Values) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", connsec_inf::reg::HEADER);
    let _ = writeln!(out, "[HKEY_LOCAL_MACHINE\\{PARAMETERS_KEY}]");
    for name in unset(values) {
        let _ = writeln!(out, "{}=-", reg_name(name));
    }
    for v in &values.values {
        reg_value(&mut out, v);
    }
    out.push('\n');
    out.replace('\n', "\r\n")
}

fn inf_string(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\"").replace('%', "%%"))
}

/// `HKR,Parameters,...` lines for an add-registry section of the service-install section,
/// deleting first (`FLG_ADDREG_DELVAL`) the connsec values the plan does not set.
pub(crate) fn inf(values: &Values) -> String {
    let mut out = String::from(
        "; Parameters for connsec (HKR = the service key), written by connsecctl emit inf.\n\
         ; Put these lines in an add-registry section named by the AddReg directive of the\n\
         ; service-install section (AddService = connsec,,<service-install-section>).\n\
         ; 0x00000004 = FLG_ADDREG_DELVAL: an upgrade over an earlier configuration keeps none of it.\n",
    );
    for name in unset(values) {
        let _ = writeln!(out, "HKR,Parameters,{},0x00000004", inf_string(name));
    }
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
        Values::new("test".to_owned(), None, v, Vec::new())
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
            .filter_map(|e| e.kind.map(|k| value(&e.name, k, e.data)))
            .collect()
    }

    proptest! {
        #[test]
        fn reg_output_reads_back_as_the_same_bytes(v in arbitrary_values()) {
            let text = reg(&values(v.clone()));
            // regedit's lines: at most 80 columns (79 characters and the continuing `\`),
            // unless one value name alone is longer.
            prop_assert!(text.lines().all(|l| l.len() <= 80), "{}", text);
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
