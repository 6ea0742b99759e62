//! Reader for registry exports (`.reg`, "Windows Registry Editor Version 5.00").
//!
//! Accepted, as regedit writes it: UTF-16LE with BOM or UTF-8 text; the header line; blank and
//! `;` comment lines; `[HKEY_...\path]` key lines (`[-HKEY_...]` deletes a key); value lines
//! `"Name"=...` or `@=...` (the default value) whose data is `"text"` (escapes `\\` and `\"`),
//! `dword:` with up to 8 hex digits, `hex:` bytes (`REG_BINARY`), `hex(N):` bytes of registry
//! type N (hex; `hex(7):` is `REG_MULTI_SZ`, `hex(2):` `REG_EXPAND_SZ`), or `-` (delete the value).
//! Hex data may continue over lines that end in `\`; the value keeps its first line's number.
//! `REGEDIT4` exports are read too: their text is ANSI, so only ASCII is accepted (what a
//! non-ASCII byte means depends on the system code page), and their `hex(2)`/`hex(7)` bytes are
//! ANSI characters that regedit widens to UTF-16LE on import.
//!
//! What an import *does* with these blocks (keys merged in file order, later values win,
//! deletions applied) is [`crate::merge`]'s; [`RegFile::ops_for`] turns the blocks that concern
//! one key into its operations.
//!
//! Why hand-written rather than `regashii` 0.4 (MIT, crates.io), which parses `.reg` files with
//! regedit's tolerance: `regashii` keeps no line numbers and silently drops lines regedit would
//! ignore, while this reader must name the line of every problem and refuse what it cannot read
//! exactly. The two are compared on generated files in `tests/regashii.rs`. Reading is linear in
//! the input (continuation lines are appended in place, never re-joined).

use crate::merge::{KeyOp, OpKind};
use crate::value::sz_bytes;
use crate::{Error, ErrorKind, RegType};

/// How a key path relates to the key being computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The key itself.
    Key,
    /// One of its parents (deleting it deletes the key).
    Ancestor,
    /// Any other key.
    Other,
}

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

/// Which export format a file declares in its header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegFormat {
    /// `Windows Registry Editor Version 5.00` (regedit's default, UTF-16LE).
    Regedit5,
    /// `REGEDIT4` (ANSI text; `hex(2)`/`hex(7)` data are ANSI bytes).
    Regedit4,
}

/// A parsed `.reg` export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegFile {
    /// The header's format.
    pub format: RegFormat,
    /// The keys in file order (a key may appear in several blocks).
    pub keys: Vec<RegKey>,
}

/// At most this many characters of offending text are quoted in an error.
const QUOTE_MAX: usize = 60;

/// `text`, shortened for an error message.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
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

/// The value of one hex digit.
fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Comma-separated hex bytes (`01,ab, f`), in one pass over the text.
fn hex_bytes(text: &str, line: usize) -> Result<Vec<u8>, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(t.len() / 3 + 1);
    for token in t.as_bytes().split(|&b| b == b',') {
        let token = token.trim_ascii();
        let byte = match token {
            [d] => hex_digit(*d),
            [h, l] => hex_digit(*h).zip(hex_digit(*l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        let Some(v) = byte else {
            let bad = String::from_utf8_lossy(token);
            return Err(Error::at(line, ErrorKind::BadHexByte(excerpt(&bad))));
        };
        out.push(v);
    }
    Ok(out)
}

enum Data {
    Set(RegType, Vec<u8>),
    Delete,
}

fn parse_data(d: &str, line: usize, format: RegFormat) -> Result<Data, Error> {
    let bad = || Error::at(line, ErrorKind::BadValueData(excerpt(d)));
    if d == "-" {
        return Ok(Data::Delete);
    }
    if d.starts_with('"') {
        let (text, rest) = quoted(d, line)?;
        if !rest.trim().is_empty() {
            return Err(Error::at(
                line,
                ErrorKind::TrailingText(excerpt(rest.trim())),
            ));
        }
        return Ok(Data::Set(RegType::SZ, sz_bytes(&text)));
    }
    // Prefixes compare ignoring case, without copying the (possibly huge) data.
    let prefixed = |p: &str| {
        d.get(..p.len())
            .filter(|h| h.eq_ignore_ascii_case(p))
            .and_then(|_| d.get(p.len()..))
    };
    if let Some(digits) = prefixed("dword:") {
        let digits = digits.trim();
        if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let v = u32::from_str_radix(digits, 16).map_err(|_| bad())?;
        return Ok(Data::Set(RegType::DWORD, v.to_le_bytes().to_vec()));
    }
    if let Some(bytes) = prefixed("hex:") {
        return Ok(Data::Set(RegType::BINARY, hex_bytes(bytes, line)?));
    }
    if let Some(rest) = prefixed("hex(") {
        let close = rest.find("):").ok_or_else(bad)?;
        let t = &rest[..close];
        if t.is_empty() || t.len() > 8 {
            return Err(bad());
        }
        let kind = u32::from_str_radix(t, 16).map_err(|_| bad())?;
        let mut bytes = hex_bytes(&rest[close + 2..], line)?;
        if format == RegFormat::Regedit4 && (kind == 2 || kind == 7) {
            // ANSI characters (ASCII: checked when the file was read), widened as regedit does.
            bytes = bytes.iter().flat_map(|&b| [b, 0]).collect();
        }
        return Ok(Data::Set(RegType(kind), bytes));
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
        let format = loop {
            let Some((n, l)) = lines.next() else {
                return Err(Error::at(1, ErrorKind::MissingRegHeader(String::new())));
            };
            let t = l.trim();
            if t.is_empty() {
                continue;
            }
            if t == "REGEDIT4" {
                if let Some(i) = text.find(|c: char| !c.is_ascii()) {
                    let line = text[..i].matches('\n').count() + 1;
                    return Err(Error::at(line, ErrorKind::NonAsciiAnsi));
                }
                break RegFormat::Regedit4;
            }
            if t != HEADER {
                return Err(Error::at(n, ErrorKind::MissingRegHeader(excerpt(t))));
            }
            break RegFormat::Regedit5;
        };
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
                    return Err(Error::at(n, ErrorKind::BadKeyPath(excerpt(path))));
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
                return Err(Error::at(n, ErrorKind::UnexpectedLine(excerpt(t))));
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
            // Join hex continuation lines (`\` at the end of a line), appending in place so that
            // a long value costs time linear in its length.
            let mut data = rest.trim().to_owned();
            if !data.starts_with('"') {
                while data.ends_with('\\') {
                    data.pop();
                    data.truncate(data.trim_end().len());
                    let next = lines
                        .next()
                        .map(|(_, l)| l.trim())
                        .filter(|l| !l.is_empty());
                    data.push_str(
                        next.ok_or_else(|| Error::at(n, ErrorKind::ContinuationAtEndOfFile))?,
                    );
                }
            }
            match parse_data(&data, n, format)? {
                Data::Set(kind, data) => key.values.push(RegValue {
                    name,
                    kind,
                    data,
                    line: n,
                }),
                Data::Delete => key.deleted_values.push((name, n)),
            }
        }
        Ok(Self { format, keys })
    }

    /// Decodes file bytes (see [`crate::decode_text`]) and parses them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse(&crate::decode_text(bytes)?)
    }

    /// Like [`RegFile::from_bytes`], with `file` named in every error.
    pub fn from_named_bytes(bytes: &[u8], file: &str) -> Result<Self, Error> {
        Self::from_bytes(bytes).map_err(|e| e.with_file(file))
    }

    /// The operations an import performs on one key, in file order: `target` says whether a
    /// key path (as written in a `[...]` line) is that key, one of its parents, or another key.
    /// Deleting the key or a parent (`[-path]`) clears it; value lines of the key set or delete
    /// values; everything else is not about the key.
    #[must_use]
    pub fn ops_for(&self, target: impl Fn(&str) -> Target) -> Vec<KeyOp> {
        let mut ops = Vec::new();
        for k in &self.keys {
            let t = target(&k.path);
            if k.delete {
                if t != Target::Other {
                    ops.push(KeyOp {
                        kind: OpKind::ClearKey,
                        value: RegValue {
                            name: String::new(),
                            kind: RegType::NONE,
                            data: Vec::new(),
                            line: k.line,
                        },
                    });
                }
                continue;
            }
            if t != Target::Key {
                continue;
            }
            // Values and deletions in file order.
            let mut sets = k.values.iter().peekable();
            let mut dels = k.deleted_values.iter().peekable();
            loop {
                let take_set = match (sets.peek(), dels.peek()) {
                    (Some(s), Some(d)) => s.line < d.1,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                if take_set {
                    if let Some(v) = sets.next() {
                        ops.push(KeyOp {
                            kind: OpKind::Set,
                            value: v.clone(),
                        });
                    }
                } else if let Some((name, line)) = dels.next() {
                    ops.push(KeyOp {
                        kind: OpKind::Delete,
                        value: RegValue {
                            name: name.clone(),
                            kind: RegType::NONE,
                            data: Vec::new(),
                            line: *line,
                        },
                    });
                }
            }
        }
        ops
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
