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
//! Exactly one of `Principals` and `DaclSddl` must be present. `OriginalDacl` (`REG_BINARY`) is
//! the driver's own value ([`ORIGINAL_DACL`]): a configuration must not set it, and
//! [`Config::check`] warns when one does.
//!
//! **Every problem, through a sink.** [`Config::check`] reports each problem it finds (errors
//! and warnings, as [`Diagnostic`]s with value, entry, offsets, [`Severity`] and kind) and keeps
//! going, so a tool can list them all; [`Config::parse`], the driver's all-or-nothing entry
//! point, runs the same checks and returns the first error.
//!
//! **Terminators** (Microsoft, "Registry value types": `REG_SZ` is "a null-terminated string";
//! `REG_MULTI_SZ` is "a sequence of null-terminated strings, terminated by an empty string",
//! e.g. `String1\0String2\0\0`, and "the final terminator must be factored into the length").
//! `RegSetValueEx`, `reg add`, regedit and INF `AddReg` all write them so; the registry itself
//! does not enforce it (`RegQueryValueEx`: the string "may not have been stored with the proper
//! terminating null characters"), so the rules here refuse what Windows tools never write:
//! - `Principals`: every entry must end with a NUL and the list with an empty string. Data
//!   ending inside an entry ([`ConfigErrorKind::Unterminated`]) or after an entry's NUL without
//!   the final empty string ([`ConfigErrorKind::NoListTerminator`]) is refused with its byte
//!   offset: the value was cut, and reading the cut text would change a principal. An empty
//!   string ends the list; non-NUL data after it (an empty entry, or a NUL inside an entry,
//!   in the middle of the list) is [`ConfigErrorKind::DataAfterTerminator`]. Extra NULs after
//!   the terminator are accepted. The empty list is one NUL (or more); no data at all is refused.
//! - `DaclSddl`: the string must end with a NUL (a cut SDDL can still be valid, e.g. at an ACE
//!   boundary, and grant less or more than configured); only NULs may follow it.
//! - An odd byte length is refused for both ([`ConfigErrorKind::OddLength`]): UTF-16 cut in
//!   the middle of a unit.
//! - Control characters (U+0000–U+001F, U+007F–U+009F) are refused in principals
//!   (`NT SERVICE\…` names included) and in `DaclSddl`, with their offset.

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
/// `REG_DWORD`: 1 lets an unsafe DACL through (with a warning): an empty one, one without full
/// access for SYSTEM and Administrators, or one with a deny ACE that reaches them (see
/// [`crate::policy`]); 0 (default) refuses it. A NULL DACL is refused either way.
pub const ALLOW_UNSAFE_DACL: &str = "AllowUnsafeDacl";
/// `REG_BINARY`: written by the driver, never by an administrator. The connection objects'
/// original security descriptor (the self-relative bytes `FwpmConnectionGetSecurityInfo0`
/// returned for `DACL_SECURITY_INFORMATION`), stored before connsec first sets its own DACL and
/// removed after a verified restore.
pub const ORIGINAL_DACL: &str = "OriginalDacl";
/// Every value name this crate reads (not [`ORIGINAL_DACL`]: the driver writes that one).
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
    /// A string (a `Principals` entry, or `DaclSddl`) runs to the end of the data without its
    /// terminating NUL: the value was cut.
    Unterminated {
        /// Byte offset in the value where the NUL is missing (the data length).
        at: usize,
    },
    /// `Principals`: every entry ends with a NUL but the empty string that ends the list is
    /// missing (or there is no data at all).
    NoListTerminator {
        /// Byte offset in the value where the empty string is missing (the data length).
        at: usize,
    },
    /// A control character (U+0000–U+001F, U+007F–U+009F) in `DaclSddl`.
    ControlCharacter {
        /// The code unit.
        unit: u16,
    },
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
            ConfigErrorKind::Unterminated { .. } => {
                "string not NUL-terminated: the value is cut short"
            }
            ConfigErrorKind::NoListTerminator { .. } => {
                "REG_MULTI_SZ without the empty string that ends the list: the value is cut short"
            }
            ConfigErrorKind::ControlCharacter { .. } => "control character",
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
        if self.entry != 0 || self.offset != 0 {
            f.write_str(" ")?;
        } else {
            f.write_str(": ")?;
        }
        self.located().fmt(f)
    }
}

impl<'a> ConfigError<'a> {
    /// The error without the value name: `entry N "text" at character C: reason (detail)`,
    /// or `reason (detail)` when the error concerns the value as a whole (for tools that show
    /// the value name elsewhere).
    #[must_use]
    pub fn located(&self) -> Located<'a> {
        Located(*self)
    }
}

/// [`ConfigError::located`]: the error's place in the value and what is wrong, without the
/// value name.
#[derive(Clone, Copy, Debug)]
pub struct Located<'a>(ConfigError<'a>);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        if e.entry != 0 {
            write!(f, "entry {} \"{}\" ", e.entry, e.text)?;
        }
        if e.offset != 0 || e.entry != 0 {
            write!(f, "at character {}: ", e.offset)?;
        }
        f.write_str(e.kind.reason())?;
        match e.kind {
            ConfigErrorKind::WrongType { expected, found } => {
                write!(f, " (expected {}, found {})", expected.name(), found.name())
            }
            ConfigErrorKind::TooLarge { len, max } => write!(f, " ({len} bytes, at most {max})"),
            ConfigErrorKind::OddLength { len } | ConfigErrorKind::DwordLength { len } => {
                write!(f, " ({len} bytes)")
            }
            ConfigErrorKind::NotZeroOrOne { value } => write!(f, " (found {value})"),
            ConfigErrorKind::Unterminated { at } | ConfigErrorKind::NoListTerminator { at } => {
                write!(f, " (at byte {at})")
            }
            ConfigErrorKind::ControlCharacter { unit }
            | ConfigErrorKind::Principal(PrincipalError {
                kind: crate::principal::PrincipalErrorKind::ControlCharacter { unit },
                ..
            }) => write!(f, " (U+{unit:04X})"),
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

/// Something worth a warning event that does not stop the driver: what [`Config::parse`]
/// passes on of the [`WarningKind::UnknownValue`] diagnostics.
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
            .map(|(text, entry)| parse_entry(text, entry, 0).map_err(|(e, _)| e))
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

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Severity {
    /// The driver refuses the configuration.
    Error,
    /// The driver applies the configuration; something deserves attention.
    Warning,
}

/// What a configuration warning is about.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WarningKind {
    /// A value under `Parameters` that the driver does not read.
    UnknownValue,
    /// [`ORIGINAL_DACL`]: the driver's own value. It is written by the driver and holds the
    /// original descriptor; a configuration (INF, `.reg`) must not set it.
    DriverValue,
}

impl WarningKind {
    /// A short, static description.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            WarningKind::UnknownValue => "not a connsec value; the driver ignores it",
            WarningKind::DriverValue => {
                "written by the driver, holds the original descriptor; do not set it in an INF or .reg"
            }
        }
    }
}

/// What a [`Diagnostic`] reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DiagnosticKind {
    /// An error: the configuration is refused.
    Error(ConfigErrorKind),
    /// A warning: the configuration is applied.
    Warning(WarningKind),
}

/// One problem [`Config::check`] found: which value (as named in the input), which
/// `Principals` entry, where, how serious and what.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Diagnostic<'a> {
    /// The value name as given (UTF-16, no terminator); empty when the problem concerns the
    /// configuration as a whole ([`ConfigErrorKind::NoPolicy`]).
    pub name: &'a [u16],
    /// The value's name as this crate spells it ([`VALUE_NAMES`] or [`ORIGINAL_DACL`]); `""`
    /// for an unknown value or the configuration as a whole.
    pub value: &'static str,
    /// 1-based entry number in `Principals`; 0 when the problem concerns the value as a whole.
    pub entry: u32,
    /// Offset in UTF-16 code units from the start of the (trimmed) entry, or of the value.
    pub offset: usize,
    /// Offset in bytes from the start of the value's data (0 for problems with the value as a
    /// whole, such as its type).
    pub byte_offset: usize,
    /// The offending entry's text (empty when the problem concerns the value as a whole).
    pub text: Wide<'a>,
    /// What is wrong.
    pub kind: DiagnosticKind,
}

impl<'a> Diagnostic<'a> {
    fn from_error(name: &'a [u16], e: ConfigError<'a>, byte_offset: usize) -> Self {
        Diagnostic {
            name,
            value: e.value,
            entry: e.entry,
            offset: e.offset,
            byte_offset,
            text: e.text,
            kind: DiagnosticKind::Error(e.kind),
        }
    }

    /// Error or warning.
    #[must_use]
    pub fn severity(&self) -> Severity {
        match self.kind {
            DiagnosticKind::Error(_) => Severity::Error,
            DiagnosticKind::Warning(_) => Severity::Warning,
        }
    }

    /// The error, as [`Config::parse`] returns it; `None` for a warning.
    #[must_use]
    pub fn error(&self) -> Option<ConfigError<'a>> {
        match self.kind {
            DiagnosticKind::Error(kind) => Some(ConfigError {
                value: self.value,
                entry: self.entry,
                offset: self.offset,
                text: self.text,
                kind,
            }),
            DiagnosticKind::Warning(_) => None,
        }
    }

    /// The problem without the value name: for an error `entry N "text" at character C:
    /// reason (detail)`, for a warning its reason.
    #[must_use]
    pub fn message(&self) -> DiagnosticMessage<'a> {
        DiagnosticMessage(*self)
    }
}

/// [`Diagnostic::message`].
#[derive(Clone, Copy, Debug)]
pub struct DiagnosticMessage<'a>(Diagnostic<'a>);

impl fmt::Display for DiagnosticMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.error(), self.0.kind) {
            (Some(e), _) => e.located().fmt(f),
            (None, DiagnosticKind::Warning(w)) => f.write_str(w.reason()),
            (None, DiagnosticKind::Error(_)) => Ok(()),
        }
    }
}

/// Passes diagnostics to the caller's sink and remembers whether any was an error.
struct Reporter<'s, 'a> {
    sink: &'s mut dyn FnMut(Diagnostic<'a>),
    failed: bool,
}

impl<'a> Reporter<'_, 'a> {
    fn error(&mut self, name: &'a [u16], e: ConfigError<'a>, byte_offset: usize) {
        self.failed = true;
        (self.sink)(Diagnostic::from_error(name, e, byte_offset));
    }

    fn warning(&mut self, name: &'a [u16], value: &'static str, kind: WarningKind) {
        (self.sink)(Diagnostic {
            name,
            value,
            entry: 0,
            offset: 0,
            byte_offset: 0,
            text: Wide::EMPTY,
            kind: DiagnosticKind::Warning(kind),
        });
    }
}

/// Byte offset of code unit `unit`.
fn bytes_at(unit: usize) -> usize {
    unit.saturating_mul(2)
}

/// Parses one raw entry that starts at code unit `base` of the value. On error, also returns
/// the byte offset of the problem in the value.
fn parse_entry(
    raw: Wide<'_>,
    entry: u32,
    base: usize,
) -> Result<PrincipalEntry<'_>, (ConfigError<'_>, usize)> {
    let (s, e) = trim(&raw, 0, raw.len());
    let text = raw.slice(s, e);
    let err = |offset: usize, kind| {
        (
            ConfigError {
                value: PRINCIPALS,
                entry,
                offset,
                text,
                kind,
            },
            bytes_at(base.saturating_add(s).saturating_add(offset)),
        )
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

/// Checks a string value's type and length; returns its UTF-16 text (terminators included),
/// or the error and its byte offset.
fn string_value<'a>(
    v: &RegValue<'a>,
    name: &'static str,
    expected: RegType,
    max: usize,
) -> Result<Wide<'a>, (ConfigError<'a>, usize)> {
    if v.kind != expected {
        let kind = ConfigErrorKind::WrongType {
            expected,
            found: v.kind,
        };
        return Err((ConfigError::whole(name, kind), 0));
    }
    let len = v.data.len();
    if len > max {
        let kind = ConfigErrorKind::TooLarge { len, max };
        return Err((ConfigError::whole(name, kind), 0));
    }
    // An odd length: the last byte is half a code unit.
    Wide::new(v.data).ok_or((
        ConfigError {
            offset: len / 2,
            ..ConfigError::whole(name, ConfigErrorKind::OddLength { len })
        },
        len.saturating_sub(1),
    ))
}

/// Position of the first NUL in `data[from..]`.
fn next_nul(data: &Wide<'_>, from: usize) -> Option<usize> {
    (from..data.len()).find(|&i| data.at(i) == Some(0))
}

/// The `Principals` value: its layout (terminators, entry count), then every entry.
fn check_principals<'a>(v: &RegValue<'a>, rep: &mut Reporter<'_, 'a>) -> Option<PrincipalList<'a>> {
    let data = match string_value(v, PRINCIPALS, RegType::MultiSz, MAX_PRINCIPALS_BYTES) {
        Ok(data) => data,
        Err((e, at)) => {
            rep.error(v.name, e, at);
            return None;
        }
    };
    let failed_before = rep.failed;
    let len = data.len();
    // Entries end at NUL; an empty string ends the list; after it only NULs may follow.
    let mut count = 0usize;
    let mut pos = 0usize;
    let mut list_end = None;
    while pos < len {
        let end = next_nul(&data, pos);
        if end == Some(pos) {
            list_end = Some(pos);
            break;
        }
        count = count.saturating_add(1);
        let entry = u32::try_from(count).unwrap_or(u32::MAX);
        if count == MAX_PRINCIPALS.saturating_add(1) {
            let e = ConfigError {
                entry,
                ..ConfigError::whole(PRINCIPALS, ConfigErrorKind::TooManyEntries)
            };
            rep.error(v.name, e, bytes_at(pos));
        }
        let Some(end) = end else {
            // The data ends inside this entry: cut.
            let raw = data.slice(pos, len);
            let (s, e) = trim(&raw, 0, raw.len());
            let e = ConfigError {
                value: PRINCIPALS,
                entry,
                offset: raw.len().saturating_sub(s),
                text: raw.slice(s, e),
                kind: ConfigErrorKind::Unterminated { at: bytes_at(len) },
            };
            rep.error(v.name, e, bytes_at(len));
            break;
        };
        pos = end.saturating_add(1);
    }
    match list_end {
        Some(end) => {
            if let Some(bad) = (end..len).find(|&i| data.at(i) != Some(0)) {
                let e = ConfigError {
                    offset: bad,
                    ..ConfigError::whole(PRINCIPALS, ConfigErrorKind::DataAfterTerminator)
                };
                rep.error(v.name, e, bytes_at(bad));
            }
        }
        // Every entry ended with its NUL (or there is no data), but no empty string follows.
        None if pos >= len => {
            let e = ConfigError {
                offset: len,
                ..ConfigError::whole(
                    PRINCIPALS,
                    ConfigErrorKind::NoListTerminator { at: bytes_at(len) },
                )
            };
            rep.error(v.name, e, bytes_at(len));
        }
        None => {} // cut inside an entry: reported above
    }
    // Every entry, the cut one included (its own problems are real too).
    let entries = data.slice(0, list_end.unwrap_or(len));
    let mut start = 0usize;
    for entry in 1..=u32::try_from(count).unwrap_or(u32::MAX) {
        let end = next_nul(&entries, start).unwrap_or(entries.len());
        if let Err((e, at)) = parse_entry(entries.slice(start, end), entry, start) {
            rep.error(v.name, e, at);
        }
        start = end.saturating_add(1);
    }
    (rep.failed == failed_before).then_some(PrincipalList {
        data: entries,
        count,
    })
}

/// The `DaclSddl` value.
fn check_sddl<'a>(v: &RegValue<'a>, rep: &mut Reporter<'_, 'a>) -> Option<SddlText<'a>> {
    let data = match string_value(v, DACL_SDDL, RegType::Sz, MAX_SDDL_BYTES) {
        Ok(data) => data,
        Err((e, at)) => {
            rep.error(v.name, e, at);
            return None;
        }
    };
    let failed_before = rep.failed;
    let len = data.len();
    let nul = next_nul(&data, 0);
    match nul {
        None => {
            let e = ConfigError {
                offset: len,
                ..ConfigError::whole(
                    DACL_SDDL,
                    ConfigErrorKind::Unterminated { at: bytes_at(len) },
                )
            };
            rep.error(v.name, e, bytes_at(len));
        }
        Some(nul) => {
            if let Some(bad) = (nul..len).find(|&i| data.at(i) != Some(0)) {
                let e = ConfigError {
                    offset: bad,
                    ..ConfigError::whole(DACL_SDDL, ConfigErrorKind::DataAfterTerminator)
                };
                rep.error(v.name, e, bytes_at(bad));
            }
        }
    }
    // The text itself is checked either way.
    let (s, e) = trim(&data, 0, nul.unwrap_or(len));
    let text = data.slice(s, e);
    match sddl_text(text) {
        Ok(()) => {}
        Err((offset, kind)) => {
            let offset = s.saturating_add(offset);
            let e = ConfigError {
                offset,
                ..ConfigError::whole(DACL_SDDL, kind)
            };
            rep.error(v.name, e, bytes_at(offset));
        }
    }
    (rep.failed == failed_before).then_some(SddlText { text, lead: s })
}

/// Checks trimmed `DaclSddl` text: not empty, no control character, ASCII, `D:` and no other
/// section. Errors carry the offset in the text.
fn sddl_text(text: Wide<'_>) -> Result<(), (usize, ConfigErrorKind)> {
    if text.is_empty() {
        return Err((0, ConfigErrorKind::EmptySddl));
    }
    for (i, unit) in text.iter().enumerate() {
        if is_control(unit) {
            return Err((i, ConfigErrorKind::ControlCharacter { unit }));
        }
        if unit >= 0x80 {
            return Err((i, ConfigErrorKind::NonAsciiSddl));
        }
    }
    if text.at(0) != Some(u16::from(b'D')) || text.at(1) != Some(u16::from(b':')) {
        return Err((0, ConfigErrorKind::NotDaclOnly));
    }
    // Another section tag (a letter and ':' outside parentheses) ends the D: part.
    let mut depth = 0u32;
    for i in 2..text.len() {
        match text.at(i).and_then(|u| u8::try_from(u).ok()) {
            Some(b'(') => depth = depth.saturating_add(1),
            Some(b')') => depth = depth.saturating_sub(1),
            Some(b':') if depth == 0 => {
                return Err((i.saturating_sub(1), ConfigErrorKind::NotDaclOnly));
            }
            _ => {}
        }
    }
    Ok(())
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

/// One known value while checking: absent, present but bad, or present and good.
#[derive(Clone, Copy)]
enum Slot<'a, T> {
    Absent,
    Present(&'a [u16], Option<T>),
}

impl<'a, T> Slot<'a, T> {
    fn name(&self) -> Option<&'a [u16]> {
        match self {
            Slot::Absent => None,
            Slot::Present(name, _) => Some(name),
        }
    }
}

impl<'a> Config<'a> {
    /// Checks every value and reports **every** problem to `sink`, errors and warnings, each
    /// with its value, entry and offsets; the checks go on after an error. Returns the
    /// configuration when no error was reported (warnings allowed), `None` otherwise.
    ///
    /// Value names are matched case-insensitively. A value given twice is an error at the
    /// second; unknown names and [`ORIGINAL_DACL`] are warnings.
    pub fn check(
        values: &[RegValue<'a>],
        sink: &mut dyn FnMut(Diagnostic<'a>),
    ) -> Option<Config<'a>> {
        let mut r = Reporter {
            sink,
            failed: false,
        };
        let mut principals = Slot::Absent;
        let mut sddl = Slot::Absent;
        let mut restore = Slot::Absent;
        let mut allow_unsafe = Slot::Absent;
        for v in values {
            if name_is(v.name, ORIGINAL_DACL) {
                r.warning(v.name, ORIGINAL_DACL, WarningKind::DriverValue);
                continue;
            }
            let Some(name) = VALUE_NAMES.iter().copied().find(|n| name_is(v.name, n)) else {
                r.warning(v.name, "", WarningKind::UnknownValue);
                continue;
            };
            let seen = match name {
                PRINCIPALS => principals.name(),
                DACL_SDDL => sddl.name(),
                RESTORE_ON_UNLOAD => restore.name(),
                _ => allow_unsafe.name(),
            };
            if seen.is_some() {
                r.error(
                    v.name,
                    ConfigError::whole(name, ConfigErrorKind::DuplicateValue),
                    0,
                );
                continue;
            }
            let flag = |r: &mut Reporter<'_, 'a>| {
                parse_flag(v, name).map_err(|e| r.error(v.name, e, 0)).ok()
            };
            match name {
                PRINCIPALS => principals = Slot::Present(v.name, check_principals(v, &mut r)),
                DACL_SDDL => sddl = Slot::Present(v.name, check_sddl(v, &mut r)),
                RESTORE_ON_UNLOAD => restore = Slot::Present(v.name, flag(&mut r)),
                _ => allow_unsafe = Slot::Present(v.name, flag(&mut r)),
            }
        }
        let source = match (principals, sddl) {
            (Slot::Present(_, list), Slot::Absent) => list.map(DaclSource::Principals),
            (Slot::Absent, Slot::Present(_, text)) => text.map(DaclSource::Sddl),
            (Slot::Present(..), Slot::Present(name, _)) => {
                let e = ConfigError::whole(DACL_SDDL, ConfigErrorKind::BothPolicies);
                r.error(name, e, 0);
                None
            }
            (Slot::Absent, Slot::Absent) => {
                r.error(&[], ConfigError::whole("", ConfigErrorKind::NoPolicy), 0);
                None
            }
        };
        let flag = |slot: Slot<'a, bool>, default: bool| match slot {
            Slot::Absent => Some(default),
            Slot::Present(_, value) => value,
        };
        let config = Config {
            source: source?,
            restore_on_unload: flag(restore, DEFAULT_RESTORE_ON_UNLOAD)?,
            allow_unsafe_dacl: flag(allow_unsafe, DEFAULT_ALLOW_UNSAFE_DACL)?,
        };
        (!r.failed).then_some(config)
    }

    /// The driver's entry point: the checks of [`check`](Self::check), all or nothing. Returns
    /// the configuration, or the first error; unknown value names are passed to `warn`
    /// ([`ORIGINAL_DACL`] is not: the driver writes it and does not read it as configuration).
    pub fn parse(
        values: &[RegValue<'a>],
        warn: &mut dyn FnMut(ConfigWarning<'a>),
    ) -> Result<Config<'a>, ConfigError<'a>> {
        let mut first = None;
        let config = Self::check(values, &mut |d| match d.kind {
            DiagnosticKind::Error(_) => {
                if first.is_none() {
                    first = d.error();
                }
            }
            DiagnosticKind::Warning(WarningKind::UnknownValue) => {
                warn(ConfigWarning::UnknownValue { name: d.name });
            }
            DiagnosticKind::Warning(_) => {}
        });
        match (config, first) {
            (Some(config), None) => Ok(config),
            (_, Some(e)) => Err(e),
            // `check` returns `None` only after reporting an error; kept total all the same.
            (None, None) => Err(ConfigError::whole("", ConfigErrorKind::NoPolicy)),
        }
    }
}

/// A control character: C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F).
pub(crate) fn is_control(unit: u16) -> bool {
    unit < 0x20 || (0x7F..=0x9F).contains(&unit)
}
