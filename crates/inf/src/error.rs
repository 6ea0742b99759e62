//! The one error type of this crate: a typed kind, the line it was found on, and the file.

use core::fmt;

/// What went wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file the input came from, when it came from a file.
    pub file: Option<String>,
    /// 1-based line number; 0 when the problem concerns the whole input (its encoding).
    pub line: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl Error {
    pub(crate) fn at(line: usize, kind: ErrorKind) -> Self {
        Self {
            file: None,
            line,
            kind,
        }
    }

    /// Attaches the name of the file the input came from.
    #[must_use]
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

/// The kinds of problem the readers report. Each names the offending text where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// UTF-16LE input (BOM `FF FE`) with an odd number of bytes.
    Utf16OddLength,
    /// UTF-16LE input with an unpaired surrogate at this code-unit index.
    InvalidUtf16 {
        /// Index of the offending UTF-16 code unit (after the BOM).
        unit: usize,
    },
    /// Input that is neither UTF-16LE with BOM nor valid UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// An encoding this reader does not accept (UTF-16BE, or UTF-16 without a BOM).
    UnsupportedEncoding(&'static str),
    /// A `"` without its closing quote on the same logical line.
    UnterminatedQuote,
    /// A `[` section header without `]`.
    UnterminatedSectionName,
    /// Text after the `]` of a section header.
    TextAfterSectionName(String),
    /// A section header with an empty name.
    EmptySectionName,
    /// A line before the first section header.
    LineOutsideSection,
    /// A line ending in the continuation `\\` with no line to continue onto (end of file, or a
    /// blank line in a `.reg` file).
    ContinuationAtEndOfFile,
    /// A logical INF line (continuations joined) of 4 GiB or more: fields are kept as 32-bit
    /// offsets into their line.
    LineTooLong,
    /// A `%strkey%` token with no entry in `[Strings]`.
    UndefinedString(String),
    /// An `AddReg` directive names a section that does not exist.
    MissingSection(String),
    /// An `AddReg` line with fewer than the required fields.
    AddRegTooFewFields {
        /// How many fields the line has.
        found: usize,
    },
    /// The flags field of an `AddReg` line is not a number.
    BadFlags(String),
    /// The flags field of an `AddReg` line sets bits this reader does not know.
    UnsupportedFlags(u32),
    /// A `REG_DWORD` value that is not a 32-bit decimal or `0x` hexadecimal number.
    BadDword(String),
    /// A binary data byte that is not one or two hex digits.
    BadHexByte(String),
    /// A string value given more data fields than the type takes.
    TooManyValues {
        /// The registry type of the value.
        kind: crate::RegType,
        /// How many data fields were given.
        found: usize,
    },
    /// An empty string inside a `REG_MULTI_SZ` list (it would end the list in the registry).
    EmptyMultiSzElement {
        /// 0-based index of the empty element.
        index: usize,
    },
    /// A `.reg` file whose first line is not `Windows Registry Editor Version 5.00`.
    MissingRegHeader(String),
    /// A non-ASCII character in a `REGEDIT4` (ANSI) export: its meaning depends on the
    /// system code page.
    NonAsciiAnsi,
    /// An INF has no `[DefaultInstall…]` section to install from.
    NoDefaultInstall,
    /// The INF's install path never adds the service (`AddService = name,…`).
    NoAddService(String),
    /// An INF line that the install path reaches but that the reader cannot apply.
    Unsupported(String),
    /// A `.reg` value line before any `[key]` line.
    ValueOutsideKey,
    /// A `.reg` line that is neither a key, a value, a comment nor blank.
    UnexpectedLine(String),
    /// A `.reg` value line whose name is not `@` or a quoted string.
    BadValueName,
    /// A `.reg` value line without `=` after its name.
    MissingEquals,
    /// A `.reg` value whose data is not `"text"`, `dword:`, `hex:`, `hex(N):` or `-`.
    BadValueData(String),
    /// A backslash escape other than `\\` or `\"` in a `.reg` string.
    BadEscape(char),
    /// Text after the end of a `.reg` value.
    TrailingText(String),
    /// A `.reg` key path that does not start with a known `HKEY_` root.
    BadKeyPath(String),
    /// The `.reg` file has no key with this path (line 0: the whole file).
    NoSuchKey(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Utf16OddLength => f.write_str("UTF-16LE text has an odd number of bytes"),
            Self::InvalidUtf16 { unit } => {
                write!(f, "invalid UTF-16 (unpaired surrogate) at code unit {unit}")
            }
            Self::InvalidUtf8 { offset } => write!(f, "invalid UTF-8 at byte {offset}"),
            Self::UnsupportedEncoding(what) => write!(f, "unsupported encoding: {what}"),
            Self::UnterminatedQuote => f.write_str("unterminated quoted string"),
            Self::UnterminatedSectionName => f.write_str("section header without closing ']'"),
            Self::TextAfterSectionName(t) => write!(f, "unexpected text {t:?} after section name"),
            Self::EmptySectionName => f.write_str("empty section name"),
            Self::LineOutsideSection => f.write_str("line before the first [section]"),
            Self::ContinuationAtEndOfFile => {
                f.write_str("line continuation '\\' is not followed by a continuation line")
            }
            Self::LineTooLong => f.write_str("logical line of 4 GiB or more"),
            Self::UndefinedString(key) => write!(f, "%{key}% is not defined in [Strings]"),
            Self::MissingSection(name) => write!(f, "section [{name}] does not exist"),
            Self::AddRegTooFewFields { found } => write!(
                f,
                "AddReg line has {found} field(s); expected reg-root,subkey,value-name,flags[,value...]"
            ),
            Self::BadFlags(t) => write!(f, "AddReg flags {t:?} are not a number"),
            Self::UnsupportedFlags(v) => write!(f, "AddReg flags 0x{v:08X} are not supported"),
            Self::BadDword(t) => write!(f, "{t:?} is not a 32-bit number for REG_DWORD"),
            Self::BadHexByte(t) => write!(f, "{t:?} is not a hex byte"),
            Self::TooManyValues { kind, found } => {
                write!(f, "{kind} takes one value, found {found}")
            }
            Self::EmptyMultiSzElement { index } => write!(
                f,
                "REG_MULTI_SZ element {index} is empty (an empty string ends the list)"
            ),
            Self::MissingRegHeader(t) => write!(
                f,
                "expected \"Windows Registry Editor Version 5.00\" as the first line, found {t:?}"
            ),
            Self::NonAsciiAnsi => f.write_str(
                "non-ASCII text in a REGEDIT4 (ANSI) file: its meaning depends on the system code page; export as version 5.00 (UTF-16LE)",
            ),
            Self::NoDefaultInstall => f.write_str(
                "no [DefaultInstall...] section: SetupAPI installs nothing from this file",
            ),
            Self::NoAddService(s) => write!(
                f,
                "no AddService = {s},... line in the [DefaultInstall...Services] section: the service and its Parameters key are not installed"
            ),
            Self::Unsupported(t) => f.write_str(t),
            Self::ValueOutsideKey => f.write_str("value line before the first [key] line"),
            Self::UnexpectedLine(t) => write!(f, "unexpected line {t:?}"),
            Self::BadValueName => f.write_str("value name must be @ or a quoted string"),
            Self::MissingEquals => f.write_str("expected '=' after the value name"),
            Self::BadValueData(t) => write!(
                f,
                "value data {t:?} is not \"text\", dword:, hex:, hex(N): or -"
            ),
            Self::BadEscape(c) => write!(f, "unknown escape \\{c} in string"),
            Self::TrailingText(t) => write!(f, "unexpected text {t:?} after the value"),
            Self::BadKeyPath(t) => write!(f, "key path {t:?} does not start with HKEY_"),
            Self::NoSuchKey(t) => write!(f, "no [{t}] key in the file"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), 0) => write!(f, "{file}: {}", self.kind),
            (Some(file), line) => write!(f, "{file}:{line}: {}", self.kind),
            (None, 0) => write!(f, "{}", self.kind),
            (None, line) => write!(f, "line {line}: {}", self.kind),
        }
    }
}

impl core::error::Error for Error {}
