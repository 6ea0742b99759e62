//! INF/INX reader: sections, lines and fields with line numbers, `%strkey%` substitution from
//! `[Strings]`, and a parsed view of `AddReg` lines as raw registry values.
//!
//! Grammar accepted (the subset of the INF syntax documented by Microsoft that `connsec.inx` and
//! the WDK templates use):
//! - `[name]` starts a section; names compare case-insensitively; a repeated header continues the
//!   earlier section (as `SetupAPI` merges them). Lines before the first header are an error.
//! - `;` starts a comment except inside a `"quoted string"`; blank lines are skipped.
//! - A `\` as the last character of a line (after the comment is removed) joins the next line to
//!   it; the logical line keeps the number of its first physical line.
//! - `key = v1, v2, ...` or a bare `v1, v2, ...`: the first `=` outside quotes splits the key
//!   from the values, and commas outside quotes split the values into fields.
//! - In a field, quotes group text (a doubled `""` inside quotes is one `"`) and are removed;
//!   surrounding blanks are trimmed. `%%` is a literal `%`; `%strkey%` is replaced by the
//!   `[Strings]` entry (keys compare case-insensitively); numeric tokens such as `%13%` are
//!   directory ids and are kept as written; a `%` without a closing `%` is literal.
//!   An undefined `%strkey%` is kept as written and recorded in [`Field::undefined`]; the
//!   `AddReg` view refuses such fields.
//! - Values in `[Strings]` are only unquoted, never substituted.
//!   Only the `[Strings]` section is read (no localized `[Strings.<langid>]` sections).
//! - stampinf tokens such as `$ARCH$` are left alone.

use crate::merge::{KeyOp, OpKind};
use crate::reg::Target;
use crate::value::{multi_sz_bytes, sz_bytes};
use crate::{Error, ErrorKind, RegType, RegValue};

/// What an install does to one key of the service, found by [`Inf::service_key_ops`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallOps {
    /// The install section `SetupAPI` would use (`DefaultInstall.NT$ARCH$`, …), if any.
    pub install_section: Option<String>,
    /// The operations on the key, in the order `SetupAPI` performs them.
    pub ops: Vec<KeyOp>,
    /// Lines on the install path that cannot be applied, each with the value name it writes.
    pub errors: Vec<(Error, Option<String>)>,
    /// Sections that write the key but that the install path never reaches: (name, line).
    pub unreached: Vec<(String, usize)>,
}

/// `FLG_DELREG_KEYONLY_COMMON`: delete the whole subkey.
const FLG_DELREG_KEYONLY_COMMON: u32 = 0x0000_2000;
/// `FLG_DELREG_32BITKEY`: the 32-bit view (no effect on `SYSTEM`, which is not redirected).
const FLG_DELREG_32BITKEY: u32 = 0x0000_4000;
/// `FLG_DELREG_MULTI_SZ_DELSTRING`: remove a string from a `REG_MULTI_SZ` list.
const FLG_DELREG_MULTI_SZ_DELSTRING: u32 = 0x0001_8002;

/// How well an install-section decoration suits an x64 (amd64) machine: `.NTamd64…` and the
/// stampinf `.NT$ARCH$` first, then `.NT`, then none; other architectures not at all.
fn decoration_rank(decoration: &str) -> u8 {
    let d = decoration.to_ascii_lowercase();
    if d.starts_with(".ntamd64") || d.starts_with(".nt$arch$") {
        3
    } else if d == ".nt" || d.starts_with(".nt.") {
        2
    } else {
        u8::from(d.is_empty())
    }
}

/// A registry path with its trailing backslashes removed.
fn trim_path(p: &str) -> &str {
    p.trim().trim_end_matches('\\')
}

/// One field of a line, borrowed from it: the text as written and its meaning after unquoting
/// and substitution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field as written, blanks around it trimmed, quotes and tokens still in place.
    pub raw: &'a str,
    /// The field's value: quotes removed, `%strkey%` tokens replaced.
    pub value: &'a str,
    /// Whether any part of the field was quoted.
    pub quoted: bool,
    /// `%strkey%` tokens that have no `[Strings]` entry, in order of appearance.
    pub undefined: &'a [String],
}

const EMPTY: Field<'static> = Field {
    raw: "",
    value: "",
    quoted: false,
    undefined: &[],
};

/// A field whose value differs from its text (it has quotes, or `%` tokens outside
/// `[Strings]`): its value is kept in [`Line::processed_text`]. Plain fields keep nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Processed {
    /// The field's slot (see [`Line::ends`]).
    slot: u32,
    /// Its value: a range of [`Line::processed_text`].
    value: (u32, u32),
    quoted: bool,
    /// Its undefined `%strkey%` tokens: a range of [`Line::undefined`].
    undefined: (u32, u32),
}

/// One logical line of a section.
///
/// The line keeps its text once; its fields are ranges into it (one `u32` per field), and only
/// fields that quoting or substitution changes keep a value of their own. A binary value of
/// 16 MiB written as one field per byte thus costs 4 bytes per byte, not two strings per byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based number of the (first) physical line.
    pub number: usize,
    /// The logical line after comment removal and continuation joining, trimmed.
    text: String,
    /// Where each field ends in `text` (exclusive); a field starts one byte (the `=` or `,`)
    /// after the previous one ends, the first at 0. Slot 0 is the key when `has_key`.
    ends: Vec<u32>,
    /// Whether the line has an unquoted `=`, so that slot 0 is its key.
    has_key: bool,
    /// The fields that quoting or substitution changed, by slot (ascending).
    processed: Vec<Processed>,
    processed_text: String,
    /// Undefined `%strkey%` tokens of every field, in order of appearance.
    undefined: Vec<String>,
}

impl Line {
    /// Whether the line's key equals `name` (ASCII case-insensitive).
    #[must_use]
    pub fn has_key(&self, name: &str) -> bool {
        self.key()
            .is_some_and(|k| k.value.eq_ignore_ascii_case(name))
    }

    /// The logical line after comment removal and continuation joining, trimmed.
    #[must_use]
    pub fn raw(&self) -> &str {
        &self.text
    }

    /// The part before the first unquoted `=`, if the line has one.
    #[must_use]
    pub fn key(&self) -> Option<Field<'_>> {
        if self.has_key { self.slot(0) } else { None }
    }

    /// The comma-separated fields after the `=` (or of the whole line when there is no key).
    #[must_use]
    pub fn values(&self) -> impl ExactSizeIterator<Item = Field<'_>> + Clone + '_ {
        // Every slot in range has its field; the fallback only keeps this free of panics.
        (usize::from(self.has_key)..self.ends.len()).map(move |s| self.slot(s).unwrap_or(EMPTY))
    }

    /// The value field at `index` (0-based, after the key).
    #[must_use]
    pub fn value(&self, index: usize) -> Option<Field<'_>> {
        self.slot(index.checked_add(usize::from(self.has_key))?)
    }

    fn slot(&self, slot: usize) -> Option<Field<'_>> {
        let raw = field_text(&self.text, &self.ends, slot)?;
        // Most lines have no processed field: no search then.
        let processed = (!self.processed.is_empty())
            .then(|| u32::try_from(slot).ok())
            .flatten()
            .and_then(|s| self.processed.binary_search_by_key(&s, |p| p.slot).ok())
            .and_then(|i| self.processed.get(i));
        let range = |(a, b): (u32, u32)| Some(usize::try_from(a).ok()?..usize::try_from(b).ok()?);
        Some(match processed {
            None => Field {
                raw,
                value: raw,
                quoted: false,
                undefined: &[],
            },
            Some(p) => Field {
                raw,
                value: self.processed_text.get(range(p.value)?)?,
                quoted: p.quoted,
                undefined: self.undefined.get(range(p.undefined)?)?,
            },
        })
    }
}

/// A section and its lines, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name as written in its first header.
    pub name: String,
    /// Line number of its first header.
    pub line: usize,
    /// Its lines (of every header with this name, in file order).
    pub lines: Vec<Line>,
}

impl Section {
    /// The lines whose key is `key` (ASCII case-insensitive).
    pub fn entries<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Line> + 'a {
        self.lines.iter().filter(move |l| l.has_key(key))
    }

    /// The first value field of the first line whose key is `key`.
    #[must_use]
    pub fn value(&self, key: &str) -> Option<Field<'_>> {
        self.lines
            .iter()
            .find(|l| l.has_key(key))
            .and_then(|l| l.value(0))
    }
}

/// A parsed `AddReg` line (`reg-root,[subkey],[value-entry-name],[flags],[value][,[value]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddRegEntry {
    /// The add-registry section the line is in.
    pub section: String,
    /// 1-based line number.
    pub line: usize,
    /// Registry root as written (`HKR`, `HKLM`, ...).
    pub root: String,
    /// Subkey (empty for the root itself).
    pub subkey: String,
    /// Value name (empty for the key's default value or a key-only line).
    pub name: String,
    /// The flags field (`FLG_ADDREG_*`), 0 when omitted.
    pub flags: u32,
    /// The registry type written; `None` for key-only (`FLG_ADDREG_KEYONLY`,
    /// `FLG_ADDREG_KEYONLY_COMMON`, or no value name) and delete (`FLG_ADDREG_DELVAL`) lines.
    pub kind: Option<RegType>,
    /// Raw registry bytes, exactly as the registry holds them after installation.
    pub data: Vec<u8>,
}

impl AddRegEntry {
    /// `FLG_ADDREG_BINVALUETYPE`: the data is binary, the type in the high word.
    pub const FLG_BINVALUETYPE: u32 = 0x0000_0001;
    /// `FLG_ADDREG_NOCLOBBER`: keep an existing value.
    pub const FLG_NOCLOBBER: u32 = 0x0000_0002;
    /// `FLG_ADDREG_DELVAL`: delete the value.
    pub const FLG_DELVAL: u32 = 0x0000_0004;
    /// `FLG_ADDREG_APPEND`: append to an existing `REG_MULTI_SZ`.
    pub const FLG_APPEND: u32 = 0x0000_0008;
    /// `FLG_ADDREG_KEYONLY`: create the key only.
    pub const FLG_KEYONLY: u32 = 0x0000_0010;
    /// `FLG_ADDREG_OVERWRITEONLY`: only replace an existing value.
    pub const FLG_OVERWRITEONLY: u32 = 0x0000_0020;
    /// `FLG_ADDREG_64BITKEY`.
    pub const FLG_64BITKEY: u32 = 0x0000_1000;
    /// `FLG_ADDREG_KEYONLY_COMMON`.
    pub const FLG_KEYONLY_COMMON: u32 = 0x0000_2000;
    /// `FLG_ADDREG_32BITKEY`.
    pub const FLG_32BITKEY: u32 = 0x0000_4000;
    const KNOWN_LOW: u32 = Self::FLG_BINVALUETYPE
        | Self::FLG_NOCLOBBER
        | Self::FLG_DELVAL
        | Self::FLG_APPEND
        | Self::FLG_KEYONLY
        | Self::FLG_OVERWRITEONLY
        | Self::FLG_64BITKEY
        | Self::FLG_KEYONLY_COMMON
        | Self::FLG_32BITKEY;

    /// Whether this line writes a value under `HKR\<subkey>` (case-insensitive), i.e. under the
    /// service key's `subkey` when the section is referenced from a service-install section.
    #[must_use]
    pub fn is_hkr_value_in(&self, subkey: &str) -> bool {
        self.root.eq_ignore_ascii_case("HKR")
            && self.subkey.eq_ignore_ascii_case(subkey)
            && self.kind.is_some()
    }
}

/// A parsed INF/INX file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inf {
    file: Option<String>,
    sections: Vec<Section>,
}

struct Logical {
    number: usize,
    text: String,
}

/// Index of `ch` outside quotes in `s`, if any.
fn find_unquoted(s: &str, ch: char) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == ch && !quoted {
            return Some(i);
        }
    }
    None
}

fn logical_lines(text: &str) -> Result<Vec<Logical>, Error> {
    let mut out = Vec::new();
    let mut pending: Option<Logical> = None;
    for (idx, physical) in text.split('\n').enumerate() {
        let number = idx + 1;
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        let mut quoted = false;
        let mut end = physical.len();
        for (i, c) in physical.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ';' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        if quoted {
            return Err(Error::at(number, ErrorKind::UnterminatedQuote));
        }
        let content = physical[..end].trim_end();
        let (content, continues) = match content.strip_suffix('\\') {
            Some(c) => (c, true),
            None => (content, false),
        };
        let mut line = pending.take().unwrap_or(Logical {
            number,
            text: String::new(),
        });
        line.text.push_str(content);
        if continues {
            pending = Some(line);
        } else {
            out.push(line);
        }
    }
    if let Some(p) = pending {
        return Err(Error::at(p.number, ErrorKind::ContinuationAtEndOfFile));
    }
    Ok(out)
}

type Strings = Vec<(String, String)>;

fn lookup<'a>(strings: &'a Strings, key: &str) -> Option<&'a str> {
    strings
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// Whether unquoting or substitution (with `strings`) can change the field `raw`.
fn needs_processing(raw: &str, strings: Option<&Strings>) -> bool {
    raw.contains('"') || (strings.is_some() && raw.contains('%'))
}

/// Unquotes (and, with `strings`, substitutes) one trimmed raw field: appends its value to
/// `value` and its undefined `%strkey%` tokens to `undefined`; returns whether any part of it
/// was quoted.
fn process_field(
    raw: &str,
    strings: Option<&Strings>,
    value: &mut String,
    undefined: &mut Vec<String>,
) -> bool {
    let mut quoted_any = false;
    let mut in_quotes = false;
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '"' if in_quotes && rest.starts_with('"') => {
                value.push('"');
                rest = &rest[1..];
            }
            '"' => {
                in_quotes = !in_quotes;
                quoted_any = true;
            }
            '%' if strings.is_some() => {
                if let Some(r) = rest.strip_prefix('%') {
                    value.push('%');
                    rest = r;
                } else if let Some(close) = rest
                    .find(['%', '"'])
                    .filter(|&i| rest[i..].starts_with('%'))
                {
                    let token = &rest[..close];
                    rest = &rest[close + 1..];
                    if let Some(v) = strings.and_then(|s| lookup(s, token)) {
                        value.push_str(v);
                    } else {
                        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
                            undefined.push(token.to_owned());
                        }
                        value.push('%');
                        value.push_str(token);
                        value.push('%');
                    }
                } else {
                    value.push('%');
                }
            }
            _ => value.push(c),
        }
    }
    quoted_any
}

/// The trimmed text of field `slot` of `text`, whose fields end at `ends`.
fn field_text<'a>(text: &'a str, ends: &[u32], slot: usize) -> Option<&'a str> {
    let end = usize::try_from(*ends.get(slot)?).ok()?;
    let start = match slot.checked_sub(1) {
        None => 0,
        Some(prev) => usize::try_from(*ends.get(prev)?).ok()?.checked_add(1)?,
    };
    Some(trim(text.get(start..end)?))
}

/// `str::trim`, with a fast path for the usual field that starts and ends with a printable
/// ASCII character (a binary value has one field per byte).
fn trim(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_graphic());
    if solid(s.as_bytes().first()) && solid(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// Splits a logical line into fields in one pass over its text, keeping their ends only; the
/// fields that quoting or substitution (with `strings`) changes get their value computed once.
/// With `split_key`, the first unquoted `=` separates a key.
fn make_line(
    number: usize,
    mut text: String,
    strings: Option<&Strings>,
    split_key: bool,
) -> Result<Line, Error> {
    text.truncate(text.trim_end().len());
    let lead = text.len() - text.trim_start().len();
    text.drain(..lead);
    if u32::try_from(text.len()).is_err() {
        return Err(Error::at(number, ErrorKind::LineTooLong));
    }
    // Offsets are below `text.len()`, which fits in a u32 (checked above).
    let offset = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let key_end = if split_key {
        find_unquoted(&text, '=')
    } else {
        None
    };
    let mut ends = Vec::new();
    // The slots of the fields that quoting or substitution can change: found in the same pass.
    let mut to_process = Vec::new();
    let from = match key_end {
        Some(i) => {
            if text.get(..i).is_some_and(|k| needs_processing(k, strings)) {
                to_process.push(0);
            }
            ends.push(offset(i));
            i + 1
        }
        None => 0,
    };
    // `"`, `%` and `,` are ASCII, so a byte scan finds them exactly in UTF-8.
    let mut quoted = false;
    let mut special = false;
    for (i, b) in text.bytes().enumerate().skip(from) {
        match b {
            b'"' => {
                quoted = !quoted;
                special = true;
            }
            b'%' if strings.is_some() => special = true,
            b',' if !quoted => {
                if special {
                    to_process.push(ends.len());
                    special = false;
                }
                ends.push(offset(i));
            }
            _ => {}
        }
    }
    if special {
        to_process.push(ends.len());
    }
    ends.push(offset(text.len()));
    let mut processed = Vec::with_capacity(to_process.len());
    let mut processed_text = String::new();
    let mut undefined = Vec::new();
    for slot in to_process {
        let Some(raw) = field_text(&text, &ends, slot) else {
            continue;
        };
        let (value_start, undefined_start) = (processed_text.len(), undefined.len());
        let quoted = process_field(raw, strings, &mut processed_text, &mut undefined);
        processed.push(Processed {
            slot: offset(slot),
            value: (offset(value_start), offset(processed_text.len())),
            quoted,
            undefined: (offset(undefined_start), offset(undefined.len())),
        });
    }
    if u32::try_from(processed_text.len()).is_err() || u32::try_from(undefined.len()).is_err() {
        return Err(Error::at(number, ErrorKind::LineTooLong));
    }
    Ok(Line {
        number,
        text,
        ends,
        has_key: key_end.is_some(),
        processed,
        processed_text,
        undefined,
    })
}

fn parse_number(text: &str) -> Option<u32> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if hex.is_empty() {
            return None;
        }
        u32::from_str_radix(hex, 16).ok()
    } else if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        None
    } else {
        t.parse().ok()
    }
}

fn parse_hex_byte(text: &str) -> Option<u8> {
    let t = trim(text);
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let nibble = |b: u8| u8::try_from(char::from(b).to_digit(16)?).ok();
    match *t.as_bytes() {
        [low] => nibble(low),
        [high, low] => Some((nibble(high)? << 4) | nibble(low)?),
        _ => None,
    }
}

/// The raw registry bytes of an `AddReg` line's value fields for `kind`. `typed` is false for
/// `FLG_ADDREG_BINVALUETYPE` with a type in the high word other than the named DWORD/NONE/BINARY
/// types: those fields are always raw hex bytes, whatever the type.
fn value_data<'a>(
    kind: RegType,
    typed: bool,
    values: impl ExactSizeIterator<Item = Field<'a>> + Clone,
) -> Result<Vec<u8>, ErrorKind> {
    Ok(match kind {
        _ if !typed => hex_fields(values)?,
        RegType::SZ | RegType::EXPAND_SZ => {
            let mut values = values;
            if values.len() > 1 {
                return Err(ErrorKind::TooManyValues {
                    kind,
                    found: values.len(),
                });
            }
            sz_bytes(values.next().map_or("", |f| f.value))
        }
        RegType::MULTI_SZ => {
            if let Some(index) = values.clone().position(|f| f.value.is_empty()) {
                return Err(ErrorKind::EmptyMultiSzElement { index });
            }
            multi_sz_bytes(values.map(|f| f.value))
        }
        // A DWORD is one number, or (legacy form) four hex bytes handled below.
        RegType::DWORD if values.len() != 4 => {
            let values: Vec<&str> = values.map(|f| f.value).collect();
            let v = match values.as_slice() {
                [one] => parse_number(one),
                _ => None,
            };
            v.ok_or_else(|| ErrorKind::BadDword(values.join(",")))?
                .to_le_bytes()
                .to_vec()
        }
        _ => hex_fields(values)?,
    })
}

/// Fields that are each one hex byte, parsed in one pass into one buffer.
fn hex_fields<'a>(values: impl ExactSizeIterator<Item = Field<'a>>) -> Result<Vec<u8>, ErrorKind> {
    let mut out = Vec::with_capacity(values.len());
    for f in values {
        out.push(parse_hex_byte(f.value).ok_or_else(|| ErrorKind::BadHexByte(f.value.to_owned()))?);
    }
    Ok(out)
}

impl Inf {
    /// Parses INF text.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let logical = logical_lines(text)?;
        // Pass 1: group raw lines into sections.
        let mut groups: Vec<(String, usize, Vec<Logical>)> = Vec::new();
        let mut current: Option<usize> = None;
        for l in logical {
            let t = l.text.trim();
            if t.is_empty() {
                continue;
            }
            if let Some(after) = t.strip_prefix('[') {
                let close = after
                    .find(']')
                    .ok_or_else(|| Error::at(l.number, ErrorKind::UnterminatedSectionName))?;
                let name = after[..close].trim();
                let trailing = after[close + 1..].trim();
                if !trailing.is_empty() {
                    return Err(Error::at(
                        l.number,
                        ErrorKind::TextAfterSectionName(trailing.to_owned()),
                    ));
                }
                if name.is_empty() {
                    return Err(Error::at(l.number, ErrorKind::EmptySectionName));
                }
                let idx =
                    if let Some(i) = groups.iter().position(|g| g.0.eq_ignore_ascii_case(name)) {
                        i
                    } else {
                        groups.push((name.to_owned(), l.number, Vec::new()));
                        groups.len() - 1
                    };
                current = Some(idx);
                continue;
            }
            match current.and_then(|i| groups.get_mut(i)) {
                Some(g) => g.2.push(l),
                None => return Err(Error::at(l.number, ErrorKind::LineOutsideSection)),
            }
        }
        // Pass 2: [Strings] (never substituted), then every other section's fields with
        // substitution.
        let mut strings: Strings = Vec::new();
        let mut strings_lines = None;
        if let Some(g) = groups
            .iter_mut()
            .find(|g| g.0.eq_ignore_ascii_case("Strings"))
        {
            let mut lines = Vec::with_capacity(g.2.len());
            for l in core::mem::take(&mut g.2) {
                let line = make_line(l.number, l.text, None, true)?;
                if let (Some(k), Some(v)) = (line.key(), line.value(0)) {
                    strings.push((k.value.to_owned(), v.value.to_owned()));
                }
                lines.push(line);
            }
            strings_lines = Some(lines);
        }
        let mut sections = Vec::with_capacity(groups.len());
        for (name, line, logical) in groups {
            let lines = if name.eq_ignore_ascii_case("Strings") {
                strings_lines.take().unwrap_or_default()
            } else {
                logical
                    .into_iter()
                    .map(|l| make_line(l.number, l.text, Some(&strings), true))
                    .collect::<Result<_, _>>()?
            };
            sections.push(Section { name, line, lines });
        }
        Ok(Self {
            file: None,
            sections,
        })
    }

    /// Decodes file bytes (see [`crate::decode_text`]) and parses them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse(&crate::decode_text(bytes)?)
    }

    /// Reads and parses an INF file; every error, now and from later calls, names the file.
    pub fn from_named_bytes(bytes: &[u8], file: &str) -> Result<Self, Error> {
        Self::from_bytes(bytes)
            .map(|i| i.with_file(file))
            .map_err(|e| e.with_file(file))
    }

    /// Sets the file name that later errors (from [`Inf::add_reg_entries`]) carry.
    #[must_use]
    pub fn with_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_owned());
        self
    }

    /// The file name given with [`Inf::with_file`].
    #[must_use]
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    fn err(&self, line: usize, kind: ErrorKind) -> Error {
        let e = Error::at(line, kind);
        match &self.file {
            Some(f) => e.with_file(f.clone()),
            None => e,
        }
    }

    /// Every section, in order of first appearance.
    #[must_use]
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The section named `name` (ASCII case-insensitive).
    #[must_use]
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The `[Strings]` value of `key` (case-insensitive), unquoted.
    #[must_use]
    pub fn string(&self, key: &str) -> Option<&str> {
        let s = self.section("Strings")?;
        s.lines
            .iter()
            .find(|l| l.has_key(key))
            .and_then(|l| l.value(0))
            .map(|f| f.value)
    }

    /// Every `%strkey%` with no `[Strings]` entry: (line number, key).
    #[must_use]
    pub fn undefined_strings(&self) -> Vec<(usize, &str)> {
        let mut out = Vec::new();
        for s in &self.sections {
            for l in &s.lines {
                out.extend(l.undefined.iter().map(|k| (l.number, k.as_str())));
            }
        }
        out
    }

    /// The `AddReg = a, b` directives: (section the directive is in, its line, the named section),
    /// in file order.
    #[must_use]
    pub fn add_reg_references(&self) -> Vec<(&str, usize, &str)> {
        let mut out = Vec::new();
        for s in &self.sections {
            for l in s.entries("AddReg") {
                for f in l.values() {
                    if !f.value.is_empty() {
                        out.push((s.name.as_str(), l.number, f.value));
                    }
                }
            }
        }
        out
    }

    /// Parses every line of the add-registry section `name` as an `AddReg` entry.
    pub fn add_reg_section(&self, name: &str) -> Result<Vec<AddRegEntry>, Error> {
        let section = self
            .section(name)
            .ok_or_else(|| self.err(0, ErrorKind::MissingSection(name.to_owned())))?;
        section
            .lines
            .iter()
            .map(|l| self.add_reg_line(&section.name, l))
            .collect()
    }

    /// The entries of every section named by an `AddReg` directive, each section once, in the
    /// order the directives name them.
    pub fn add_reg_entries(&self) -> Result<Vec<AddRegEntry>, Error> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for (_, line, name) in self.add_reg_references() {
            if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                continue;
            }
            seen.push(name);
            if self.section(name).is_none() {
                return Err(self.err(line, ErrorKind::MissingSection(name.to_owned())));
            }
            out.extend(self.add_reg_section(name)?);
        }
        Ok(out)
    }

    /// Parses one line of an add-registry section.
    pub fn add_reg_line(&self, section: &str, line: &Line) -> Result<AddRegEntry, Error> {
        let at = |kind| self.err(line.number, kind);
        // An AddReg line has no key; a `=` inside it belongs to the data. (Borrowed, not
        // copied, in the usual case: a long binary value has one field per byte.)
        let reparsed: Line;
        let fields: &Line = if line.has_key {
            let strings = self.strings_for_reparse();
            reparsed = make_line(line.number, line.text.clone(), Some(&strings), false)?;
            &reparsed
        } else {
            line
        };
        if let Some(k) = fields.undefined.first() {
            return Err(at(ErrorKind::UndefinedString(k.clone())));
        }
        let count = fields.values().len();
        if count < 2 {
            return Err(at(ErrorKind::AddRegTooFewFields { found: count }));
        }
        let get = |i: usize| fields.value(i).map_or("", |f| f.value);
        let flags_text = get(3);
        let flags = if flags_text.trim().is_empty() {
            0
        } else {
            parse_number(flags_text)
                .ok_or_else(|| at(ErrorKind::BadFlags(flags_text.to_owned())))?
        };
        if flags & 0xFFFF & !AddRegEntry::KNOWN_LOW != 0 {
            return Err(at(ErrorKind::UnsupportedFlags(flags)));
        }
        let key_only = count < 3
            || flags
                & (AddRegEntry::FLG_KEYONLY
                    | AddRegEntry::FLG_KEYONLY_COMMON
                    | AddRegEntry::FLG_DELVAL)
                != 0
            || (get(2).is_empty() && count < 4);
        let mut entry = AddRegEntry {
            section: section.to_owned(),
            line: line.number,
            root: get(0).to_owned(),
            subkey: get(1).to_owned(),
            name: get(2).to_owned(),
            flags,
            kind: None,
            data: Vec::new(),
        };
        if key_only {
            return Ok(entry);
        }
        let high = flags >> 16;
        let binary = flags & AddRegEntry::FLG_BINVALUETYPE != 0;
        let kind = match (binary, high) {
            (false, 0) => RegType::SZ,
            (false, 1) => RegType::MULTI_SZ,
            (false, 2) => RegType::EXPAND_SZ,
            (false, _) => return Err(at(ErrorKind::UnsupportedFlags(flags))),
            (true, 0) => RegType::BINARY,
            (true, 1) => RegType::DWORD,
            (true, 2) => RegType::NONE,
            (true, t) => RegType(t),
        };
        entry.kind = Some(kind);
        // Only the named FLG_ADDREG_TYPE_* flags give typed data (a DWORD as a number); a type
        // in the high word with FLG_ADDREG_BINVALUETYPE is always raw hex bytes.
        let typed = !binary || high <= 2;
        entry.data = value_data(kind, typed, fields.values().skip(4)).map_err(at)?;
        Ok(entry)
    }

    /// The install section `SetupAPI` would use on an x64 machine: the best-decorated
    /// `[DefaultInstall…]` (or, when only its `.Services` section exists, that section's base).
    #[must_use]
    pub fn default_install(&self) -> Option<String> {
        let mut best: Option<(u8, String)> = None;
        for s in &self.sections {
            let lower = s.name.to_ascii_lowercase();
            let Some(rest) = lower.strip_prefix("defaultinstall") else {
                continue;
            };
            if !(rest.is_empty() || rest.starts_with('.')) {
                continue;
            }
            let base_len = s.name.len() - if lower.ends_with(".services") { 9 } else { 0 };
            let base = &s.name[..base_len];
            let rank = decoration_rank(&base["defaultinstall".len()..]);
            if rank > 0 && best.as_ref().is_none_or(|(r, _)| rank > *r) {
                best = Some((rank, base.to_owned()));
            }
        }
        best.map(|(_, b)| b)
    }

    /// The operations `SetupAPI` performs on the service's key `subkey` (for example
    /// `Parameters`) when it installs the INF's default install section on an x64 machine: the
    /// `DelReg` then `AddReg` sections of the install section (where `HKR` is not allowed), then,
    /// for each `AddService = service,…,install-section` of its `.Services` section, that
    /// service-install section's `DelReg` then `AddReg` sections, left to right (there `HKR` is
    /// the service key). `hklm` says how an `HKLM` subkey path relates to the key. Lines of
    /// sections off this path count for nothing and are listed in [`InstallOps::unreached`]
    /// when they would write the key.
    #[must_use]
    pub fn service_key_ops(
        &self,
        service: &str,
        subkey: &str,
        hklm: &dyn Fn(&str) -> Target,
    ) -> InstallOps {
        let mut out = InstallOps::default();
        let Some(install) = self.default_install() else {
            out.errors
                .push((self.err(0, ErrorKind::NoDefaultInstall), None));
            return out;
        };
        out.install_section = Some(install.clone());
        let mut reached: Vec<String> = Vec::new();
        // The install section's own registry sections: HKR is not allowed there.
        if let Some(sec) = self.section(&install) {
            self.registry_directives(sec, None, hklm, &mut out, &mut reached);
        }
        let services = format!("{install}.Services");
        let mut added = false;
        if let Some(sec) = self.section(&services) {
            for l in sec.entries("AddService") {
                let name = l.value(0).map_or("", |f| f.value);
                if !name.eq_ignore_ascii_case(service) {
                    continue;
                }
                added = true;
                let Some(target) = l.value(2).map(|f| f.value).filter(|t| !t.is_empty()) else {
                    continue;
                };
                match self.section(target) {
                    Some(svc) => {
                        let relative = |p: &str| {
                            let p = trim_path(p);
                            if p.is_empty() {
                                Target::Ancestor
                            } else if p.eq_ignore_ascii_case(trim_path(subkey)) {
                                Target::Key
                            } else {
                                Target::Other
                            }
                        };
                        self.registry_directives(
                            svc,
                            Some(&relative),
                            hklm,
                            &mut out,
                            &mut reached,
                        );
                    }
                    None => out.errors.push((
                        self.err(l.number, ErrorKind::MissingSection(target.to_owned())),
                        None,
                    )),
                }
            }
        }
        if !added {
            let line = self.section(&services).map_or(0, |s| s.line);
            out.errors.push((
                self.err(line, ErrorKind::NoAddService(service.to_owned())),
                None,
            ));
        }
        // Sections that would write the key but are never reached.
        for s in &self.sections {
            if reached.iter().any(|r| r.eq_ignore_ascii_case(&s.name)) {
                continue;
            }
            let writes = s.lines.iter().any(|l| {
                !l.has_key
                    && l.values().len() >= 2
                    && l.value(0).is_some_and(|r| {
                        let root = r.value;
                        let sub = l.value(1).map_or("", |f| f.value);
                        (root.eq_ignore_ascii_case("HKR")
                            && trim_path(sub).eq_ignore_ascii_case(trim_path(subkey)))
                            || (root.eq_ignore_ascii_case("HKLM") && hklm(sub) == Target::Key)
                    })
            });
            if writes {
                out.unreached.push((s.name.clone(), s.line));
            }
        }
        out
    }

    /// The `DelReg` then `AddReg` sections that `sec` names, applied to the key. `hkr` is how a
    /// subkey of `HKR` relates to the key (`None`: `HKR` is not allowed here).
    fn registry_directives(
        &self,
        sec: &Section,
        hkr: Option<&dyn Fn(&str) -> Target>,
        hklm: &dyn Fn(&str) -> Target,
        out: &mut InstallOps,
        reached: &mut Vec<String>,
    ) {
        for directive in ["DelReg", "AddReg"] {
            for l in sec.entries(directive) {
                for f in l.values() {
                    let name = f.value;
                    if name.is_empty() {
                        continue;
                    }
                    let Some(target) = self.section(name) else {
                        out.errors.push((
                            self.err(l.number, ErrorKind::MissingSection(name.to_owned())),
                            None,
                        ));
                        continue;
                    };
                    reached.push(target.name.clone());
                    for line in &target.lines {
                        let r = if directive == "AddReg" {
                            self.add_reg_op(&target.name, line, hkr, hklm)
                        } else {
                            self.del_reg_op(line, hkr, hklm)
                        };
                        match r {
                            Ok(Some(op)) => out.ops.push(op),
                            Ok(None) => {}
                            Err(e) => {
                                let name = line
                                    .value(2)
                                    .map(|f| f.value.to_owned())
                                    .filter(|n| !n.is_empty());
                                out.errors.push((e, name));
                            }
                        }
                    }
                }
            }
        }
    }

    /// How the line's root and subkey relate to the key.
    fn line_target(
        &self,
        line: &Line,
        hkr: Option<&dyn Fn(&str) -> Target>,
        hklm: &dyn Fn(&str) -> Target,
    ) -> Result<Target, Error> {
        let root = line.value(0).map_or("", |f| f.value);
        let sub = line.value(1).map_or("", |f| f.value);
        if root.eq_ignore_ascii_case("HKR") {
            return match hkr {
                Some(f) => Ok(f(sub)),
                None => Err(self.err(
                    line.number,
                    ErrorKind::Unsupported(
                        "HKR cannot be used in a registry section referenced from a [DefaultInstall...] section (INF AddReg directive); use HKLM,System\\CurrentControlSet\\Services\\...".to_owned(),
                    ),
                )),
            };
        }
        if root.eq_ignore_ascii_case("HKLM") {
            return Ok(hklm(sub));
        }
        Ok(Target::Other)
    }

    fn add_reg_op(
        &self,
        section: &str,
        line: &Line,
        hkr: Option<&dyn Fn(&str) -> Target>,
        hklm: &dyn Fn(&str) -> Target,
    ) -> Result<Option<KeyOp>, Error> {
        let target = self.line_target(line, hkr, hklm)?;
        // Parse the line whatever it targets: a bad line on the install path is an error.
        let e = self.add_reg_line(section, line)?;
        if target == Target::Other {
            return Ok(None);
        }
        let value = |kind: RegType, data: Vec<u8>| RegValue {
            name: e.name.clone(),
            kind,
            data,
            line: e.line,
        };
        if e.flags & AddRegEntry::FLG_DELVAL != 0 {
            // No value name: the subkey itself is deleted.
            let has_name = line.values().len() >= 3 && !e.name.is_empty();
            return Ok(match (has_name, target) {
                (false, _) => Some(KeyOp {
                    kind: OpKind::ClearKey,
                    value: value(RegType::NONE, Vec::new()),
                }),
                (true, Target::Key) => Some(KeyOp {
                    kind: OpKind::Delete,
                    value: value(RegType::NONE, Vec::new()),
                }),
                (true, _) => None,
            });
        }
        if target != Target::Key {
            return Ok(None);
        }
        let Some(kind) = e.kind else {
            return Ok(None);
        };
        let op = if e.flags & AddRegEntry::FLG_APPEND != 0 {
            if kind != RegType::MULTI_SZ {
                return Err(self.err(
                    line.number,
                    ErrorKind::Unsupported(
                        "FLG_ADDREG_APPEND is valid only with FLG_ADDREG_TYPE_MULTI_SZ (INF AddReg directive)".to_owned(),
                    ),
                ));
            }
            OpKind::Append
        } else if e.flags & AddRegEntry::FLG_NOCLOBBER != 0 {
            OpKind::NoClobber
        } else if e.flags & AddRegEntry::FLG_OVERWRITEONLY != 0 {
            OpKind::OverwriteOnly
        } else {
            OpKind::Set
        };
        Ok(Some(KeyOp {
            kind: op,
            value: value(kind, e.data),
        }))
    }

    /// One line of a del-registry section:
    /// `reg-root,subkey[,value-entry-name][,flags][,value]` (INF `DelReg` directive).
    fn del_reg_op(
        &self,
        line: &Line,
        hkr: Option<&dyn Fn(&str) -> Target>,
        hklm: &dyn Fn(&str) -> Target,
    ) -> Result<Option<KeyOp>, Error> {
        let at = |kind| self.err(line.number, kind);
        let fields: Vec<&str> = line.values().map(|f| f.value).collect();
        if line.has_key || fields.len() < 2 {
            return Err(at(ErrorKind::AddRegTooFewFields {
                found: fields.len(),
            }));
        }
        if let Some(k) = line.undefined.first() {
            return Err(at(ErrorKind::UndefinedString(k.clone())));
        }
        let target = self.line_target(line, hkr, hklm)?;
        let flags_text = fields.get(3).copied().unwrap_or("");
        let flags = if flags_text.trim().is_empty() {
            0
        } else {
            parse_number(flags_text)
                .ok_or_else(|| at(ErrorKind::BadFlags(flags_text.to_owned())))?
        };
        let name = fields.get(2).copied();
        let base = flags & !FLG_DELREG_32BITKEY;
        let value = |kind: RegType, data: Vec<u8>| RegValue {
            name: name.unwrap_or("").to_owned(),
            kind,
            data,
            line: line.number,
        };
        let op = match (base, name) {
            (0, None) | (FLG_DELREG_KEYONLY_COMMON, _) => OpKind::ClearKey,
            (0, Some(_)) => OpKind::Delete,
            (FLG_DELREG_MULTI_SZ_DELSTRING, Some(_)) => OpKind::RemoveStrings,
            _ => return Err(at(ErrorKind::UnsupportedFlags(flags))),
        };
        Ok(match (op, target) {
            (_, Target::Other) | (OpKind::Delete | OpKind::RemoveStrings, Target::Ancestor) => None,
            (OpKind::RemoveStrings, _) => {
                let strings: Vec<&str> = fields.iter().skip(4).copied().collect();
                Some(KeyOp {
                    kind: op,
                    value: value(RegType::MULTI_SZ, multi_sz_bytes(strings)),
                })
            }
            _ => Some(KeyOp {
                kind: op,
                value: value(RegType::NONE, Vec::new()),
            }),
        })
    }

    fn strings_for_reparse(&self) -> Strings {
        self.section("Strings")
            .map(|s| {
                s.lines
                    .iter()
                    .filter_map(|l| Some((l.key()?.value.to_owned(), l.value(0)?.value.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_bytes() {
        for (text, byte) in [
            ("0", 0),
            ("a", 10),
            ("ff", 255),
            ("0x7F", 127),
            (" 0X1 ", 1),
        ] {
            assert_eq!(parse_hex_byte(text), Some(byte), "{text:?}");
        }
        for text in ["", "0x", "123", "+1", "g", "0xfff", "1 2", "\u{e9}"] {
            assert_eq!(parse_hex_byte(text), None, "{text:?}");
        }
    }

    #[test]
    fn fields_are_ranges_and_only_changed_ones_keep_a_value() {
        let strings: Strings = vec![("k".to_owned(), "v".to_owned())];
        let line = make_line(
            3,
            "  a = b , \"c,d\" ,%k%, %x% , ".to_owned(),
            Some(&strings),
            true,
        )
        .unwrap();
        assert_eq!(line.raw(), "a = b , \"c,d\" ,%k%, %x% ,");
        assert_eq!(line.key().map(|k| k.value), Some("a"));
        let values: Vec<(&str, &str, bool)> =
            line.values().map(|f| (f.raw, f.value, f.quoted)).collect();
        assert_eq!(
            values,
            [
                ("b", "b", false),
                ("\"c,d\"", "c,d", true),
                ("%k%", "v", false),
                ("%x%", "%x%", false),
                ("", "", false),
            ]
        );
        assert_eq!(
            line.value(3).map(|f| f.undefined),
            Some(&["x".to_owned()][..])
        );
        assert_eq!(
            line.processed.len(),
            3,
            "b and the empty field keep nothing"
        );
        assert_eq!(line.values().len(), 5);
        assert_eq!(line.value(5), None);
    }
}
