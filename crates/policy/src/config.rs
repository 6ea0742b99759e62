//! The service's `Parameters` key, read from raw registry data.
//!
//! The driver reads each value (`ZwQueryValueKey`) into a buffer and hands the bytes here as a
//! [`RegValue`]; [`Config::parse`] checks every value and every `Principals` entry before
//! anything is built, and each error names the value, the entry and what is wrong. Strings are
//! UTF-16LE as stored (maybe unterminated, maybe at an odd address). Nothing is copied: the
//! [`Config`] borrows the registry buffers.
//!
//! | value | type | default | meaning |
//! |---|---|---|---|
//! | `Principals` | `REG_MULTI_SZ` | (INF: [`DEFAULT_PRINCIPALS`]) | `<principal>[:<rights>]` per entry |
//! | `DaclSddl` | `REG_SZ` | none | a whole DACL as SDDL, `D:` part only |
//! | `RestoreOnUnload` | `REG_DWORD` | 1 | restore the original DACL at unload |
//! | `AllowUnsafeDacl` | `REG_DWORD` | 0 | let an empty or lock-out DACL through (warning) |
//!
//! Exactly one of `Principals` and `DaclSddl` must be present.

use core::fmt;

use secdesc::SddlContext;

use crate::principal::{PrincipalError, parse_principal_in};
use crate::rights::{MONITOR, RightsError, parse_rights_in};
use crate::text::{Text, Wide, eq_ignore_case, trim};

/// The key the values live under (relative to `HKLM`).
pub const PARAMETERS_KEY: &str = r"SYSTEM\CurrentControlSet\Services\connsec\Parameters";
/// `REG_MULTI_SZ`: the principals and their rights.
pub const PRINCIPALS: &str = "Principals";
/// `REG_SZ`: a whole DACL as SDDL.
pub const DACL_SDDL: &str = "DaclSddl";
/// `REG_DWORD`: 1 (default) restores the snapshot at unload, 0 leaves our DACL in place.
pub const RESTORE_ON_UNLOAD: &str = "RestoreOnUnload";
/// `REG_DWORD`: 1 lets an empty DACL, or one without full access for SYSTEM and
/// Administrators, through (with a warning); 0 (default) refuses it.
pub const ALLOW_UNSAFE_DACL: &str = "AllowUnsafeDacl";
/// `REG_BINARY`: written by the driver, never by an administrator. The connection objects'
/// original security descriptor (the self-relative bytes `FwpmConnectionGetSecurityInfo0`
/// returned for `DACL_SECURITY_INFORMATION`), stored before connsec first sets its own DACL and
/// removed after a verified restore.
pub const ORIGINAL_DACL: &str = "OriginalDacl";
/// Every value name this crate reads.
pub const VALUE_NAMES: [&str; 4] = [PRINCIPALS, DACL_SDDL, RESTORE_ON_UNLOAD, ALLOW_UNSAFE_DACL];
/// The `Principals` entries the INF writes (valid under every check).
pub const DEFAULT_PRINCIPALS: [&str; 5] = [
    "SY:GENERIC_ALL",
    "BA:GENERIC_ALL",
    "NO:GENERIC_READ|GENERIC_EXECUTE",
    "NT SERVICE\\PolicyAgent:GENERIC_READ|GENERIC_EXECUTE",
    "NT SERVICE\\MpsSvc:GENERIC_READ|GENERIC_EXECUTE",
];
/// Most `Principals` entries accepted.
pub const MAX_PRINCIPALS: usize = 64;
/// Largest `Principals` value accepted, in bytes.
pub const MAX_PRINCIPALS_BYTES: usize = 32 * 1024;
/// Largest `DaclSddl` value accepted, in bytes (32,768 UTF-16 units).
pub const MAX_SDDL_BYTES: usize = 64 * 1024;
/// `RestoreOnUnload` when absent.
pub const DEFAULT_RESTORE_ON_UNLOAD: bool = true;
/// `AllowUnsafeDacl` when absent.
pub const DEFAULT_ALLOW_UNSAFE_DACL: bool = false;

/// A registry value type (`REG_*`), unknown codes kept.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegType {
    /// `REG_NONE` (0).
    None,
    /// `REG_SZ` (1).
    Sz,
    /// `REG_EXPAND_SZ` (2).
    ExpandSz,
    /// `REG_BINARY` (3).
    Binary,
    /// `REG_DWORD` (4).
    Dword,
    /// `REG_DWORD_BIG_ENDIAN` (5).
    DwordBigEndian,
    /// `REG_LINK` (6).
    Link,
    /// `REG_MULTI_SZ` (7).
    MultiSz,
    /// `REG_QWORD` (11).
    Qword,
    /// Any other code.
    Other(u32),
}

impl From<u32> for RegType {
    fn from(code: u32) -> Self {
        match code {
            0 => RegType::None,
            1 => RegType::Sz,
            2 => RegType::ExpandSz,
            3 => RegType::Binary,
            4 => RegType::Dword,
            5 => RegType::DwordBigEndian,
            6 => RegType::Link,
            7 => RegType::MultiSz,
            11 => RegType::Qword,
            other => RegType::Other(other),
        }
    }
}

impl From<RegType> for u32 {
    fn from(t: RegType) -> u32 {
        match t {
            RegType::None => 0,
            RegType::Sz => 1,
            RegType::ExpandSz => 2,
            RegType::Binary => 3,
            RegType::Dword => 4,
            RegType::DwordBigEndian => 5,
            RegType::Link => 6,
            RegType::MultiSz => 7,
            RegType::Qword => 11,
            RegType::Other(code) => code,
        }
    }
}

impl RegType {
    /// The `REG_*` name, `"REG_(unknown)"` for other codes.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RegType::None => "REG_NONE",
            RegType::Sz => "REG_SZ",
            RegType::ExpandSz => "REG_EXPAND_SZ",
            RegType::Binary => "REG_BINARY",
            RegType::Dword => "REG_DWORD",
            RegType::DwordBigEndian => "REG_DWORD_BIG_ENDIAN",
            RegType::Link => "REG_LINK",
            RegType::MultiSz => "REG_MULTI_SZ",
            RegType::Qword => "REG_QWORD",
            RegType::Other(_) => "REG_(unknown)",
        }
    }
}

/// One registry value as read: its name (UTF-16, no terminator), type and raw data.
#[derive(Clone, Copy, Debug)]
pub struct RegValue<'a> {
    /// The value name, UTF-16 code units without terminator (matched case-insensitively).
    pub name: &'a [u16],
    /// The value type.
    pub kind: RegType,
    /// The raw data (UTF-16LE for strings, little-endian for `REG_DWORD`).
    pub data: &'a [u8],
}

/// What is wrong with the configuration.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConfigErrorKind {
    /// Neither `Principals` nor `DaclSddl` is present.
    NoPolicy,
    /// Both `Principals` and `DaclSddl` are present.
    BothPolicies,
    /// The same value name appears twice in the input.
    DuplicateValue,
    /// The value has the wrong registry type.
    WrongType {
        /// The type this value must have.
        expected: RegType,
        /// The type it has.
        found: RegType,
    },
    /// A string value with an odd number of bytes (not UTF-16).
    OddLength {
        /// The data length in bytes.
        len: usize,
    },
    /// The value is larger than accepted.
    TooLarge {
        /// The data length in bytes.
        len: usize,
        /// The largest length accepted.
        max: usize,
    },
    /// A `REG_DWORD` whose data is not 4 bytes.
    DwordLength {
        /// The data length in bytes.
        len: usize,
    },
    /// A `REG_DWORD` flag that is neither 0 nor 1.
    NotZeroOrOne {
        /// The value found.
        value: u32,
    },
    /// Non-NUL data after the string's (or the list's) terminator.
    DataAfterTerminator,
    /// More than [`MAX_PRINCIPALS`] entries.
    TooManyEntries,
    /// An entry that is empty or only blanks.
    EmptyEntry,
    /// The principal part of an entry is invalid.
    Principal(PrincipalError),
    /// The rights part of an entry is invalid (offset relative to the rights text).
    Rights(RightsError),
    /// `DaclSddl` is empty.
    EmptySddl,
    /// `DaclSddl` contains a non-ASCII character.
    NonAsciiSddl,
    /// `DaclSddl` has a section other than `D:` (owner, group or SACL), or does not start
    /// with `D:`.
    NotDaclOnly,
    /// `DaclSddl` does not encode: the codec says why.
    Sddl(secdesc::ErrorKind),
    /// `DaclSddl` is `D:NO_ACCESS_CONTROL`, a NULL DACL (everyone gets full access).
    NullDacl,
}

impl ConfigErrorKind {
    /// A short, static description (for log fields).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            ConfigErrorKind::NoPolicy => "neither Principals nor DaclSddl is set",
            ConfigErrorKind::BothPolicies => "Principals and DaclSddl are both set",
            ConfigErrorKind::DuplicateValue => "value given twice",
            ConfigErrorKind::WrongType { .. } => "wrong registry type",
            ConfigErrorKind::OddLength { .. } => "odd byte length: not UTF-16",
            ConfigErrorKind::TooLarge { .. } => "value too large",
            ConfigErrorKind::DwordLength { .. } => "REG_DWORD data is not 4 bytes",
            ConfigErrorKind::NotZeroOrOne { .. } => "must be 0 or 1",
            ConfigErrorKind::DataAfterTerminator => "data after the terminating NUL",
            ConfigErrorKind::TooManyEntries => "more than 64 entries",
            ConfigErrorKind::EmptyEntry => "empty entry",
            ConfigErrorKind::Principal(e) => e.kind.reason(),
            ConfigErrorKind::Rights(e) => e.kind.reason(),
            ConfigErrorKind::EmptySddl => "empty SDDL",
            ConfigErrorKind::NonAsciiSddl => "non-ASCII character in SDDL",
            ConfigErrorKind::NotDaclOnly => "only a D: section is allowed",
            ConfigErrorKind::Sddl(_) => "invalid SDDL",
            ConfigErrorKind::NullDacl => {
                "NULL DACL (NO_ACCESS_CONTROL) grants everyone full access"
            }
        }
    }
}

/// A configuration error: which value, which entry, where, and what.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ConfigError<'a> {
    /// The value name (one of [`VALUE_NAMES`]); `""` for [`ConfigErrorKind::NoPolicy`].
    pub value: &'static str,
    /// 1-based entry number in `Principals`; 0 when the error concerns the value as a whole.
    pub entry: u32,
    /// Offset in UTF-16 code units from the start of the entry (or of the string value).
    pub offset: usize,
    /// The offending entry's text (empty when the error concerns the value as a whole).
    pub text: Wide<'a>,
    /// What is wrong.
    pub kind: ConfigErrorKind,
}

impl ConfigError<'_> {
    fn whole(value: &'static str, kind: ConfigErrorKind) -> Self {
        ConfigError {
            value,
            entry: 0,
            offset: 0,
            text: Wide::EMPTY,
            kind,
        }
    }
}

impl fmt::Display for ConfigError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            f.write_str("configuration")?;
        } else {
            f.write_str(self.value)?;
        }
        if self.entry != 0 {
            write!(f, " entry {} \"{}\"", self.entry, self.text)?;
        }
        if self.offset != 0 || self.entry != 0 {
            write!(f, " at character {}", self.offset)?;
        }
        write!(f, ": {}", self.kind.reason())?;
        match self.kind {
            ConfigErrorKind::WrongType { expected, found } => {
                write!(f, " (expected {}, found {})", expected.name(), found.name())
            }
            ConfigErrorKind::TooLarge { len, max } => write!(f, " ({len} bytes, at most {max})"),
            ConfigErrorKind::OddLength { len } | ConfigErrorKind::DwordLength { len } => {
                write!(f, " ({len} bytes)")
            }
            ConfigErrorKind::NotZeroOrOne { value } => write!(f, " (found {value})"),
            ConfigErrorKind::Rights(RightsError {
                kind: crate::rights::RightsErrorKind::UnknownBits { bits },
                ..
            }) => write!(f, " (0x{bits:08X})"),
            ConfigErrorKind::Principal(PrincipalError {
                kind: crate::principal::PrincipalErrorKind::Sid(kind),
                ..
            })
            | ConfigErrorKind::Sddl(kind) => write!(f, " ({kind})"),
            _ => Ok(()),
        }
    }
}

impl core::error::Error for ConfigError<'_> {}

/// Something worth a warning event that does not stop the driver.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConfigWarning<'a> {
    /// A value under `Parameters` that this driver does not read.
    UnknownValue {
        /// Its name, UTF-16.
        name: &'a [u16],
    },
}

/// Where the DACL comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DaclSource<'a> {
    /// The `Principals` list (checked).
    Principals(PrincipalList<'a>),
    /// The `DaclSddl` text (checked: ASCII, `D:` only; encoded by the policy builder).
    Sddl(SddlText<'a>),
}

/// The checked configuration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Config<'a> {
    /// Where the DACL comes from.
    pub source: DaclSource<'a>,
    /// `RestoreOnUnload`.
    pub restore_on_unload: bool,
    /// `AllowUnsafeDacl`.
    pub allow_unsafe_dacl: bool,
}

/// One `Principals` entry, resolved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PrincipalEntry<'a> {
    /// 1-based entry number.
    pub entry: u32,
    /// The entry as written (trimmed).
    pub text: Wide<'a>,
    /// The principal's SID.
    pub sid: secdesc::Sid,
    /// The rights, explicit (generic rights expanded); [`MONITOR`] when omitted.
    pub mask: u32,
}

/// The checked `Principals` list: the raw UTF-16LE data and how many entries it has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PrincipalList<'a> {
    data: Wide<'a>,
    count: usize,
}

impl<'a> PrincipalList<'a> {
    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when the list has no entries (gives an empty DACL, refused unless
    /// `AllowUnsafeDacl` is 1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The raw text of each entry, untrimmed, in order.
    pub fn raw_entries(&self) -> impl Iterator<Item = Wide<'a>> + 'a {
        let data = self.data;
        let count = self.count;
        let mut pos = 0usize;
        (0..count).map(move |_| {
            let end = (pos..data.len())
                .find(|&i| data.at(i) == Some(0))
                .unwrap_or(data.len());
            let text = data.slice(pos, end);
            pos = end.saturating_add(1);
            text
        })
    }

    /// The entries, resolved. They were checked by [`Config::parse`], so errors do not occur
    /// for a list it returned; the `Result` keeps this free of panics all the same.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = Result<PrincipalEntry<'a>, ConfigError<'a>>> + 'a {
        self.raw_entries()
            .zip(1u32..)
            .map(|(text, entry)| parse_entry(text, entry))
    }
}

/// The checked `DaclSddl` text: trimmed, ASCII, starting with `D:` and with no other section.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SddlText<'a> {
    text: Wide<'a>,
    /// Blanks trimmed before the text (to report offsets in the value as stored).
    lead: usize,
}

impl<'a> SddlText<'a> {
    /// The UTF-16LE text.
    #[must_use]
    pub fn wide(&self) -> Wide<'a> {
        self.text
    }

    /// Code units trimmed before the text: add to an offset in the text to get the offset in
    /// the value as stored.
    #[must_use]
    pub fn lead(&self) -> usize {
        self.lead
    }

    /// Its length in bytes once transcoded to ASCII (one byte per unit).
    #[must_use]
    pub fn ascii_len(&self) -> usize {
        self.text.len()
    }

    /// Writes the ASCII text into `out` and returns it as `&str`; `None` if `out` is shorter
    /// than [`ascii_len`](Self::ascii_len).
    pub fn to_ascii<'o>(&self, out: &'o mut [u8]) -> Option<&'o str> {
        let out = out.get_mut(..self.text.len())?;
        for (slot, u) in out.iter_mut().zip(self.text.iter()) {
            *slot = u8::try_from(u).ok().filter(u8::is_ascii)?;
        }
        core::str::from_utf8(out).ok()
    }
}

fn parse_entry(raw: Wide<'_>, entry: u32) -> Result<PrincipalEntry<'_>, ConfigError<'_>> {
    let (s, e) = trim(&raw, 0, raw.len());
    let text = raw.slice(s, e);
    let err = |offset: usize, kind| ConfigError {
        value: PRINCIPALS,
        entry,
        offset,
        text,
        kind,
    };
    if text.is_empty() {
        return Err(err(0, ConfigErrorKind::EmptyEntry));
    }
    // Rights never contain ':', a service name might: split at the last ':'.
    let colon = (0..text.len())
        .rev()
        .find(|&i| text.at(i) == Some(u16::from(b':')));
    let (principal_end, rights) = match colon {
        Some(c) => (c, Some(c.saturating_add(1))),
        None => (text.len(), None),
    };
    let (ps, pe) = trim(&text, 0, principal_end);
    let sid = parse_principal_in(&text, ps, pe, &SddlContext::new())
        .map_err(|e| err(ps.saturating_add(e.offset), ConfigErrorKind::Principal(e)))?;
    let mask = match rights {
        Some(rs) => parse_rights_in(&text, rs, text.len())
            .map_err(|e| err(rs.saturating_add(e.offset), ConfigErrorKind::Rights(e)))?,
        None => MONITOR,
    };
    Ok(PrincipalEntry {
        entry,
        text,
        sid,
        mask,
    })
}

/// Checks a string value's type, length and terminator; returns the text before the NUL.
fn string_value<'a>(
    v: &RegValue<'a>,
    name: &'static str,
    expected: RegType,
    max: usize,
) -> Result<Wide<'a>, ConfigError<'a>> {
    if v.kind != expected {
        return Err(ConfigError::whole(
            name,
            ConfigErrorKind::WrongType {
                expected,
                found: v.kind,
            },
        ));
    }
    if v.data.len() > max {
        return Err(ConfigError::whole(
            name,
            ConfigErrorKind::TooLarge {
                len: v.data.len(),
                max,
            },
        ));
    }
    Wide::new(v.data).ok_or(ConfigError::whole(
        name,
        ConfigErrorKind::OddLength { len: v.data.len() },
    ))
}

fn parse_principals<'a>(v: &RegValue<'a>) -> Result<PrincipalList<'a>, ConfigError<'a>> {
    let data = string_value(v, PRINCIPALS, RegType::MultiSz, MAX_PRINCIPALS_BYTES)?;
    // Entries end at NUL; an empty string (or the end of the data) ends the list; after the
    // list only NULs may follow.
    let mut count = 0usize;
    let mut pos = 0usize;
    let mut list_end = data.len();
    while pos < data.len() {
        let end = (pos..data.len())
            .find(|&i| data.at(i) == Some(0))
            .unwrap_or(data.len());
        if end == pos {
            list_end = pos;
            break;
        }
        count = count.saturating_add(1);
        if count > MAX_PRINCIPALS {
            return Err(ConfigError {
                entry: u32::try_from(count).unwrap_or(u32::MAX),
                ..ConfigError::whole(PRINCIPALS, ConfigErrorKind::TooManyEntries)
            });
        }
        pos = end.saturating_add(1);
    }
    if let Some(bad) = (list_end..data.len()).find(|&i| data.at(i) != Some(0)) {
        return Err(ConfigError {
            offset: bad,
            ..ConfigError::whole(PRINCIPALS, ConfigErrorKind::DataAfterTerminator)
        });
    }
    let list = PrincipalList {
        data: data.slice(0, list_end),
        count,
    };
    for entry in list.entries() {
        entry?;
    }
    Ok(list)
}

fn parse_sddl<'a>(v: &RegValue<'a>) -> Result<SddlText<'a>, ConfigError<'a>> {
    let data = string_value(v, DACL_SDDL, RegType::Sz, MAX_SDDL_BYTES)?;
    let nul = (0..data.len())
        .find(|&i| data.at(i) == Some(0))
        .unwrap_or(data.len());
    if let Some(bad) = (nul..data.len()).find(|&i| data.at(i) != Some(0)) {
        return Err(ConfigError {
            offset: bad,
            ..ConfigError::whole(DACL_SDDL, ConfigErrorKind::DataAfterTerminator)
        });
    }
    let (s, e) = trim(&data, 0, nul);
    let text = data.slice(s, e);
    let err = |offset: usize, kind| ConfigError {
        offset: s.saturating_add(offset),
        ..ConfigError::whole(DACL_SDDL, kind)
    };
    if text.is_empty() {
        return Err(err(0, ConfigErrorKind::EmptySddl));
    }
    if let Some(bad) = (0..text.len()).find(|&i| text.at(i).is_none_or(|u| u >= 0x80)) {
        return Err(err(bad, ConfigErrorKind::NonAsciiSddl));
    }
    if text.at(0) != Some(u16::from(b'D')) || text.at(1) != Some(u16::from(b':')) {
        return Err(err(0, ConfigErrorKind::NotDaclOnly));
    }
    // Another section tag (a letter and ':' outside parentheses) ends the D: part.
    let mut depth = 0u32;
    for i in 2..text.len() {
        match text.at(i).and_then(|u| u8::try_from(u).ok()) {
            Some(b'(') => depth = depth.saturating_add(1),
            Some(b')') => depth = depth.saturating_sub(1),
            Some(b':') if depth == 0 => {
                return Err(err(i.saturating_sub(1), ConfigErrorKind::NotDaclOnly));
            }
            _ => {}
        }
    }
    Ok(SddlText { text, lead: s })
}

fn parse_flag<'a>(v: &RegValue<'a>, name: &'static str) -> Result<bool, ConfigError<'a>> {
    if v.kind != RegType::Dword {
        return Err(ConfigError::whole(
            name,
            ConfigErrorKind::WrongType {
                expected: RegType::Dword,
                found: v.kind,
            },
        ));
    }
    let bytes: [u8; 4] = v.data.try_into().map_err(|_| {
        ConfigError::whole(name, ConfigErrorKind::DwordLength { len: v.data.len() })
    })?;
    match u32::from_le_bytes(bytes) {
        0 => Ok(false),
        1 => Ok(true),
        value => Err(ConfigError::whole(
            name,
            ConfigErrorKind::NotZeroOrOne { value },
        )),
    }
}

fn name_is(name: &[u16], expected: &str) -> bool {
    eq_ignore_case(name, 0, name.len(), expected)
}

impl<'a> Config<'a> {
    /// Checks every value and builds the configuration. Unknown value names are passed to
    /// `warn` and otherwise ignored. Nothing partial is returned: the first error stops it.
    pub fn parse(
        values: &[RegValue<'a>],
        warn: &mut dyn FnMut(ConfigWarning<'a>),
    ) -> Result<Config<'a>, ConfigError<'a>> {
        let mut principals = None;
        let mut sddl = None;
        let mut restore = None;
        let mut allow_unsafe = None;
        for v in values {
            let Some(name) = VALUE_NAMES.iter().copied().find(|n| name_is(v.name, n)) else {
                warn(ConfigWarning::UnknownValue { name: v.name });
                continue;
            };
            let dup = ConfigError::whole(name, ConfigErrorKind::DuplicateValue);
            match name {
                PRINCIPALS if principals.is_none() => principals = Some(parse_principals(v)?),
                DACL_SDDL if sddl.is_none() => sddl = Some(parse_sddl(v)?),
                RESTORE_ON_UNLOAD if restore.is_none() => restore = Some(parse_flag(v, name)?),
                ALLOW_UNSAFE_DACL if allow_unsafe.is_none() => {
                    allow_unsafe = Some(parse_flag(v, name)?);
                }
                _ => return Err(dup),
            }
        }
        let source = match (principals, sddl) {
            (Some(list), None) => DaclSource::Principals(list),
            (None, Some(text)) => DaclSource::Sddl(text),
            (Some(_), Some(_)) => {
                return Err(ConfigError::whole(DACL_SDDL, ConfigErrorKind::BothPolicies));
            }
            (None, None) => return Err(ConfigError::whole("", ConfigErrorKind::NoPolicy)),
        };
        Ok(Config {
            source,
            restore_on_unload: restore.unwrap_or(DEFAULT_RESTORE_ON_UNLOAD),
            allow_unsafe_dacl: allow_unsafe.unwrap_or(DEFAULT_ALLOW_UNSAFE_DACL),
        })
    }
}
