//! The one error type of the codec: where (`offset`) and what (`kind`).
//!
//! `offset` is the character offset in SDDL or SID text, or the byte offset in binary input.
//! For [`ErrorKind::BufferTooSmall`] the offset is 0: the problem is the caller's buffer, not the
//! input.

use core::fmt;

/// A codec error: the offset where it was found and what was wrong there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// Character offset in SDDL/SID text, or byte offset in binary input.
    pub offset: usize,
    /// What was wrong at `offset`.
    pub kind: ErrorKind,
}

impl Error {
    /// An error of `kind` at `offset`.
    #[must_use]
    pub const fn new(offset: usize, kind: ErrorKind) -> Self {
        Self { offset, kind }
    }

    /// The same error moved by `base` (an error inside a nested part of a larger input).
    /// Both are offsets into one slice, so the sum cannot overflow; if it did, the error
    /// becomes [`ErrorKind::Internal`].
    #[must_use]
    pub(crate) const fn shifted(self, base: usize) -> Self {
        match self.offset.checked_add(base) {
            Some(offset) => Self {
                offset,
                kind: self.kind,
            },
            None => internal(),
        }
    }
}

/// The error for a broken invariant of the codec itself ([`ErrorKind::Internal`]).
#[cold]
#[must_use]
pub(crate) const fn internal() -> Error {
    Error::new(0, ErrorKind::Internal)
}

/// What the text parser expected at an error's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// The literal character.
    Char(u8),
    /// `S-1-` starting a SID string.
    SidPrefix,
    /// A decimal digit.
    Digit,
    /// A hexadecimal digit.
    HexDigit,
    /// A SID string (`S-1-…`) or a two-letter SID alias.
    SidOrAlias,
    /// A section tag `O:`, `G:`, `D:` or `S:`.
    SectionTag,
    /// An ACL flag (`P`, `AI`, `AR`, `NO_ACCESS_CONTROL`) or `(` starting an ACE.
    AclFlagOrAce,
    /// An ACE type (`A`, `D`, `OA`, `OD`, `AU`, `AL`, `OU`, `OL`, `ML`).
    AceType,
    /// An ACE flag (`OI`, `CI`, `NP`, `IO`, `ID`, `CR`, `SA`, `FA`, `TP`) or `;`.
    AceFlag,
    /// A rights token (`GA`, `RC`, `FA`, `KR`, `NW`, …), a number, or `;`.
    Right,
    /// A GUID `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` or an empty field.
    Guid,
    /// The end of the input (or of the SID).
    End,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Char(c) => write!(f, "'{}'", char::from(*c)),
            Self::SidPrefix => f.write_str("\"S-1-\""),
            Self::Digit => f.write_str("a decimal digit"),
            Self::HexDigit => f.write_str("a hexadecimal digit"),
            Self::SidOrAlias => f.write_str("a SID (S-1-…) or a two-letter SID alias"),
            Self::SectionTag => f.write_str("a section tag O:, G:, D: or S:"),
            Self::AclFlagOrAce => {
                f.write_str("an ACL flag (P, AI, AR, NO_ACCESS_CONTROL) or '(' starting an ACE")
            }
            Self::AceType => f.write_str("an ACE type (A, D, OA, OD, AU, AL, OU, OL, ML)"),
            Self::AceFlag => f.write_str("an ACE flag (OI, CI, NP, IO, ID, CR, SA, FA, TP) or ';'"),
            Self::Right => f.write_str("a rights token, a number or ';'"),
            Self::Guid => f.write_str("a GUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx or ';'"),
            Self::End => f.write_str("the end of the input"),
        }
    }
}

/// A structure of the binary format, named in binary errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// The 20-byte self-relative descriptor header.
    DescriptorHeader,
    /// The owner SID of a descriptor.
    Owner,
    /// The group SID of a descriptor.
    Group,
    /// The SACL of a descriptor.
    Sacl,
    /// The DACL of a descriptor.
    Dacl,
    /// A SID.
    Sid,
    /// An ACL header or its ACEs area.
    Acl,
    /// An ACE.
    Ace,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DescriptorHeader => "descriptor header",
            Self::Owner => "owner SID",
            Self::Group => "group SID",
            Self::Sacl => "SACL",
            Self::Dacl => "DACL",
            Self::Sid => "SID",
            Self::Acl => "ACL",
            Self::Ace => "ACE",
        })
    }
}

/// What was wrong. Every variant is documented with where its offset points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The output buffer is too small: `needed` bytes are required (offset 0).
    BufferTooSmall {
        /// The number of bytes the whole output needs.
        needed: usize,
    },

    // ---- text ----
    /// The text did not have what was expected at the offset.
    Expected(Expected),
    /// A decimal number with a leading zero (MS-DTYP allows none; "0" itself is fine).
    LeadingZero,
    /// A number too large for its field: a sub-authority or rights mask above 4294967295, an
    /// authority of 2^48 or more.
    NumberTooLarge,
    /// A hexadecimal authority below 2^32: MS-DTYP writes those in decimal.
    HexAuthorityTooSmall,
    /// The SID revision is not 1.
    SidRevision,
    /// A SID needs at least one sub-authority (Windows refuses `S-1-5`).
    NoSubAuthorities,
    /// More than 15 sub-authorities.
    TooManySubAuthorities,
    /// A two-letter token in a SID position that is no SDDL alias.
    UnknownAlias {
        /// The two characters as written.
        alias: [u8; 2],
    },
    /// A domain- or machine-relative alias (`LA`, `DA`, …) without a base SID in the
    /// [`SddlContext`](crate::SddlContext).
    AliasNeedsDomainSid {
        /// The alias, upper-cased.
        alias: [u8; 2],
    },
    /// A conditional (callback) ACE type `XA`, `XD`, `ZA`, `XU`: not supported by this codec.
    UnsupportedConditionalAce,
    /// A resource attribute ACE `RA`: not supported by this codec.
    UnsupportedResourceAttribute,
    /// An ACE type this codec does not encode or format (SDDL `SP`, `FL`; binary callback,
    /// compound, resource-attribute, scoped-policy or unknown types).
    UnsupportedAceType {
        /// The binary ACE type (for SDDL tokens, the type they would encode to).
        ace_type: u8,
    },
    /// An object or inherited-object GUID on an ACE type that carries none.
    GuidOnNonObjectAce,
    /// A section (`O:`, `G:`, `D:`, `S:`) that appears twice.
    DuplicateSection {
        /// The section letter.
        tag: u8,
    },
    /// ACEs after `NO_ACCESS_CONTROL` (a NULL ACL has no ACEs).
    AcesInNullAcl,
    /// An ACL larger than 65,532 bytes (the largest 4-byte-aligned `AclSize`).
    AclTooLarge {
        /// The size the ACL would have.
        size: usize,
    },

    // ---- binary ----
    /// The input ends inside a structure.
    Truncated {
        /// The structure that does not fit.
        part: Part,
    },
    /// A revision byte this codec does not accept.
    BadRevision {
        /// The structure whose revision is wrong.
        part: Part,
        /// The revision found.
        found: u8,
    },
    /// A binary SID with more than 15 sub-authorities.
    BadSubAuthorityCount {
        /// The count found.
        found: u8,
    },
    /// A descriptor without `SE_SELF_RELATIVE` in its control word.
    NotSelfRelative,
    /// An offset pointing into the descriptor header.
    OffsetInHeader {
        /// Which component.
        part: Part,
    },
    /// An offset that is not a multiple of 4.
    OffsetUnaligned {
        /// Which component.
        part: Part,
    },
    /// An `AclSize` below 8, odd, or (when building a descriptor) not a multiple of 4.
    BadAclSize {
        /// The size found.
        size: u16,
    },
    /// An `AceSize` too small for the ACE's type or not a multiple of 4.
    BadAceSize {
        /// The size found.
        size: u16,
    },

    // ---- the codec itself ----
    /// A bug in this codec: an invariant it relies on did not hold (an offset or length that
    /// cannot exceed its field did). Nothing usable was written; please report it with the
    /// input. Offset 0.
    Internal,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Self::Expected(e) => write!(f, "expected {e}"),
            Self::LeadingZero => f.write_str("number with a leading zero"),
            Self::NumberTooLarge => f.write_str("number too large for its field"),
            Self::HexAuthorityTooSmall => {
                f.write_str("hexadecimal authority below 2^32 (write it in decimal)")
            }
            Self::SidRevision => f.write_str("SID revision is not 1"),
            Self::NoSubAuthorities => f.write_str("SID without sub-authorities"),
            Self::TooManySubAuthorities => f.write_str("SID with more than 15 sub-authorities"),
            Self::UnknownAlias { alias } => {
                write!(
                    f,
                    "unknown SID alias \"{}{}\"",
                    char::from(alias[0]),
                    char::from(alias[1])
                )
            }
            Self::AliasNeedsDomainSid { alias } => write!(
                f,
                "SID alias \"{}{}\" is domain-relative and no domain SID was given",
                char::from(alias[0]),
                char::from(alias[1])
            ),
            Self::UnsupportedConditionalAce => {
                f.write_str("conditional (callback) ACEs are not supported")
            }
            Self::UnsupportedResourceAttribute => {
                f.write_str("resource attribute ACEs are not supported")
            }
            Self::UnsupportedAceType { ace_type } => {
                write!(f, "ACE type {ace_type:#04x} is not supported")
            }
            Self::GuidOnNonObjectAce => f.write_str("object GUID on an ACE type that has none"),
            Self::DuplicateSection { tag } => {
                write!(f, "section \"{}:\" appears twice", char::from(*tag))
            }
            Self::AcesInNullAcl => f.write_str("ACEs after NO_ACCESS_CONTROL"),
            Self::AclTooLarge { size } => write!(f, "ACL of {size} bytes exceeds 65532"),
            Self::Truncated { part } => write!(f, "input ends inside the {part}"),
            Self::BadRevision { part, found } => write!(f, "{part} revision {found} not supported"),
            Self::BadSubAuthorityCount { found } => {
                write!(f, "SID sub-authority count {found} above 15")
            }
            Self::NotSelfRelative => f.write_str("descriptor is not self-relative"),
            Self::OffsetInHeader { part } => write!(f, "{part} offset points into the header"),
            Self::OffsetUnaligned { part } => write!(f, "{part} offset is not a multiple of 4"),
            Self::BadAclSize { size } => write!(f, "invalid ACL size {size}"),
            Self::BadAceSize { size } => write!(f, "invalid ACE size {size}"),
            Self::Internal => {
                f.write_str("internal error in the security-descriptor codec (a bug)")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at offset {}: {}", self.offset, self.kind)
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Text;

    #[test]
    fn display_names_offset_and_kind() {
        let e = Error::new(7, ErrorKind::UnknownAlias { alias: *b"XZ" });
        assert_eq!(
            Text::of(&e).as_str(),
            "at offset 7: unknown SID alias \"XZ\""
        );
        let e = Error::new(3, ErrorKind::Expected(Expected::Char(b')')));
        assert_eq!(Text::of(&e).as_str(), "at offset 3: expected ')'");
    }
}
