//! Reader for registry exports (`.reg`, "Windows Registry Editor Version 5.00").
//!
//! Accepted, as regedit writes it: UTF-16LE with BOM or UTF-8 text; the header line; blank and
//! `;` comment lines; `[HKEY_...\path]` key lines (`[-HKEY_...]` deletes a key); value lines
//! `"Name"=...` or `@=...` (the default value) whose data is `"text"` (escapes `\\` and `\"`),
//! `dword:` with up to 8 hex digits, `hex:` bytes (`REG_BINARY`), `hex(N):` bytes of registry
//! type N (hex; `hex(7):` is `REG_MULTI_SZ`, `hex(2):` `REG_EXPAND_SZ`), or `-` (delete the value).
//! Hex data may continue over lines that end in `\`; the value keeps its first line's number.
//! `REGEDIT4` (ANSI) exports are refused.

use crate::value::sz_bytes;
use crate::{Error, ErrorKind, RegType};

/// The header line of a version 5 export.
pub const HEADER: &str = "Windows Registry Editor Version 5.00";

/// A value set by the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegValue {
    /// The value name; empty for the default value (`@`).
    pub name: String,
    /// The registry type.
    pub kind: RegType,
    /// Raw registry bytes (strings as NUL-terminated UTF-16LE).
    pub data: Vec<u8>,
    /// 1-based line the value starts on.
    pub line: usize,
}

/// A `[key]` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegKey {
    /// The key path as written (`HKEY_LOCAL_MACHINE\...`).
    pub path: String,
    /// 1-based line of the `[key]` line.
    pub line: usize,
    /// Whether the line was `[-key]` (delete the key).
    pub delete: bool,
    /// Values set under the key, in file order.
    pub values: Vec<RegValue>,
    /// Values deleted with `"Name"=-`: (name, line).
    pub deleted_values: Vec<(String, usize)>,
}

impl RegKey {
    /// The value named `name` (case-insensitive, as registry names are); the last one wins.
    #[must_use]
    pub fn value(&self, name: &str) -> Option<&RegValue> {
        self.values
            .iter()
            .rev()
            .find(|v| v.name.eq_ignore_ascii_case(name))
    }

    /// The last path component (`Parameters` for `...\connsec\Parameters`).
    #[must_use]
    pub fn leaf(&self) -> &str {
        self.path.rsplit('\\').next().unwrap_or(&self.path)
    }
}

/// A parsed `.reg` export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegFile {
    /// The keys in file order.
    pub keys: Vec<RegKey>,
}

const ROOTS: [&str; 10] = [
    "HKEY_LOCAL_MACHINE",
    "HKEY_CURRENT_USER",
    "HKEY_CLASSES_ROOT",
    "HKEY_USERS",
    "HKEY_CURRENT_CONFIG",
    "HKLM",
    "HKCU",
    "HKCR",
    "HKU",
    "HKCC",
];

/// Parses a quoted string at the start of `s` (which starts with `"`); returns the unescaped
/// text and the rest after the closing quote.
fn quoted(s: &str, line: usize) -> Result<(String, &str), Error> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, e @ ('\\' | '"'))) => out.push(e),
                Some((_, e)) => return Err(Error::at(line, ErrorKind::BadEscape(e))),
                None => break,
            },
            _ => out.push(c),
        }
    }
    Err(Error::at(line, ErrorKind::UnterminatedQuote))
}

fn hex_bytes(text: &str, line: usize) -> Result<Vec<u8>, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Vec::new());
    }
    t.split(',')
        .map(|b| {
            let b = b.trim();
            if b.is_empty() || b.len() > 2 || !b.bytes().all(|x| x.is_ascii_hexdigit()) {
                return Err(Error::at(line, ErrorKind::BadHexByte(b.to_owned())));
            }
            u8::from_str_radix(b, 16)
                .map_err(|_| Error::at(line, ErrorKind::BadHexByte(b.to_owned())))
        })
        .collect()
}

enum Data {
    Set(RegType, Vec<u8>),
    Delete,
}

fn parse_data(d: &str, line: usize) -> Result<Data, Error> {
    let bad = || Error::at(line, ErrorKind::BadValueData(d.to_owned()));
    if d == "-" {
        return Ok(Data::Delete);
    }
    if d.starts_with('"') {
        let (text, rest) = quoted(d, line)?;
        if !rest.trim().is_empty() {
            return Err(Error::at(
                line,
                ErrorKind::TrailingText(rest.trim().to_owned()),
            ));
        }
        return Ok(Data::Set(RegType::SZ, sz_bytes(&text)));
    }
    let lower = d.to_ascii_lowercase();
    if let Some(digits) = lower.strip_prefix("dword:") {
        let digits = digits.trim();
        if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let v = u32::from_str_radix(digits, 16).map_err(|_| bad())?;
        return Ok(Data::Set(RegType::DWORD, v.to_le_bytes().to_vec()));
    }
    if let Some(bytes) = lower.strip_prefix("hex:") {
        return Ok(Data::Set(RegType::BINARY, hex_bytes(bytes, line)?));
    }
    if let Some(rest) = lower.strip_prefix("hex(") {
        let close = rest.find("):").ok_or_else(bad)?;
        let t = &rest[..close];
        if t.is_empty() || t.len() > 8 {
            return Err(bad());
        }
        let kind = u32::from_str_radix(t, 16).map_err(|_| bad())?;
        return Ok(Data::Set(
            RegType(kind),
            hex_bytes(&rest[close + 2..], line)?,
        ));
    }
    Err(bad())
}

impl RegFile {
    /// Parses the text of a `.reg` export.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut lines = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)));
        let mut keys: Vec<RegKey> = Vec::new();
        // Header: the first non-blank line.
        loop {
            let Some((n, l)) = lines.next() else {
                return Err(Error::at(1, ErrorKind::MissingRegHeader(String::new())));
            };
            let t = l.trim();
            if t.is_empty() {
                continue;
            }
            if t == "REGEDIT4" {
                return Err(Error::at(n, ErrorKind::Regedit4Unsupported));
            }
            if t != HEADER {
                return Err(Error::at(n, ErrorKind::MissingRegHeader(t.to_owned())));
            }
            break;
        }
        while let Some((n, l)) = lines.next() {
            let t = l.trim();
            if t.is_empty() || t.starts_with(';') {
                continue;
            }
            if let Some(inner) = t.strip_prefix('[') {
                let inner = inner
                    .strip_suffix(']')
                    .ok_or_else(|| Error::at(n, ErrorKind::UnterminatedSectionName))?;
                let (delete, path) = match inner.strip_prefix('-') {
                    Some(p) => (true, p),
                    None => (false, inner),
                };
                let root = path.split('\\').next().unwrap_or("");
                if !ROOTS.iter().any(|r| r.eq_ignore_ascii_case(root)) {
                    return Err(Error::at(n, ErrorKind::BadKeyPath(path.to_owned())));
                }
                keys.push(RegKey {
                    path: path.to_owned(),
                    line: n,
                    delete,
                    values: Vec::new(),
                    deleted_values: Vec::new(),
                });
                continue;
            }
            if !(t.starts_with('"') || t.starts_with('@')) {
                return Err(Error::at(n, ErrorKind::UnexpectedLine(t.to_owned())));
            }
            let key = keys
                .last_mut()
                .ok_or_else(|| Error::at(n, ErrorKind::ValueOutsideKey))?;
            let (name, rest) = if let Some(r) = t.strip_prefix('@') {
                (String::new(), r)
            } else {
                quoted(t, n)?
            };
            let rest = rest
                .trim_start()
                .strip_prefix('=')
                .ok_or_else(|| Error::at(n, ErrorKind::MissingEquals))?;
            // Join hex continuation lines (`\` at the end of a line).
            let mut data = rest.trim().to_owned();
            if !data.starts_with('"') {
                while let Some(stripped) = data.strip_suffix('\\') {
                    let mut joined = stripped.trim_end().to_owned();
                    let next = lines
                        .next()
                        .map(|(_, l)| l.trim())
                        .filter(|l| !l.is_empty());
                    joined.push_str(
                        next.ok_or_else(|| Error::at(n, ErrorKind::ContinuationAtEndOfFile))?,
                    );
                    data = joined;
                }
            }
            match parse_data(&data, n)? {
                Data::Set(kind, data) => key.values.push(RegValue {
                    name,
                    kind,
                    data,
                    line: n,
                }),
                Data::Delete => key.deleted_values.push((name, n)),
            }
        }
        Ok(Self { keys })
    }

    /// Decodes file bytes (see [`crate::decode_text`]) and parses them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse(&crate::decode_text(bytes)?)
    }

    /// Like [`RegFile::from_bytes`], with `file` named in every error.
    pub fn from_named_bytes(bytes: &[u8], file: &str) -> Result<Self, Error> {
        Self::from_bytes(bytes).map_err(|e| e.with_file(file))
    }

    /// The last key whose final path component is `leaf` (case-insensitive), e.g. `Parameters`.
    #[must_use]
    pub fn key_with_leaf(&self, leaf: &str) -> Option<&RegKey> {
        self.keys
            .iter()
            .rev()
            .find(|k| !k.delete && k.leaf().eq_ignore_ascii_case(leaf))
    }
}
