//! Principals of the `Principals` value: a SID string (`S-1-…`), a two-letter SDDL alias
//! (`SY`, `BA`, `NO`, …) or `NT SERVICE\<name>`, and the service SID Windows derives from a
//! service name.
//!
//! Service SID (as `sc showsid` prints it): `S-1-5-80-` followed by the SHA-1 of the
//! upper-cased UTF-16LE service name, read as five little-endian `u32`s. Windows upper-cases
//! with `RtlUpcaseUnicodeString`, one UTF-16 unit at a time; we do the same per unit with
//! Rust's Unicode tables, keeping a unit unchanged when its upper case is not exactly one BMP
//! character (so `ß` stays `ß`, as in Windows' single-unit table). For the ASCII names real
//! services use, both agree exactly.
//!
//! Control characters (U+0000–U+001F, U+007F–U+009F) are refused anywhere in a principal.

use core::fmt;

use secdesc::{ErrorKind as SidErrorKind, SddlContext, Sid};
use sha1::{Digest, Sha1};

use crate::config::is_control;
use crate::text::{Narrow, Text, eq_ignore_case};

/// The prefix of a service principal, matched case-insensitively.
pub const NT_SERVICE_PREFIX: &str = "NT SERVICE\\";
/// The longest service name Windows accepts (`CreateService`: 256 characters).
pub const MAX_SERVICE_NAME_LEN: usize = 256;
/// `SECURITY_SERVICE_ID_BASE_RID`.
pub const SERVICE_ID_BASE_RID: u32 = 80;
/// Longest SID string: `S-1-0x` + 12 hex digits + 15 × (`-` + 10 digits).
const MAX_SID_TEXT: usize = 6 + 12 + 15 * 11;

/// What is wrong with a principal.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PrincipalErrorKind {
    /// The principal is empty.
    Empty,
    /// `NT SERVICE\` with no name after it.
    EmptyServiceName,
    /// A service name longer than [`MAX_SERVICE_NAME_LEN`].
    ServiceNameTooLong,
    /// A service name containing `\` or `/` (Windows forbids both).
    ServiceNameInvalidChar,
    /// A character outside ASCII where a SID string or alias is expected.
    NonAscii,
    /// Longer than any SID string can be.
    TooLong,
    /// A control character (U+0000–U+001F, U+007F–U+009F), anywhere in the principal, a
    /// service name included.
    ControlCharacter {
        /// The code unit.
        unit: u16,
    },
    /// The SID string or alias is invalid; the codec says why (e.g. an unknown alias, or a
    /// domain-relative alias such as `DA` that needs the machine's domain SID).
    Sid(SidErrorKind),
}

/// A principal error; `offset` counts code units from the start of the principal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PrincipalError {
    /// Where the problem is, in code units from the start of the principal.
    pub offset: usize,
    /// What is wrong.
    pub kind: PrincipalErrorKind,
}

impl PrincipalErrorKind {
    /// A short, static description (for log fields).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            PrincipalErrorKind::Empty => "empty principal",
            PrincipalErrorKind::EmptyServiceName => "no service name after NT SERVICE\\",
            PrincipalErrorKind::ServiceNameTooLong => "service name longer than 256 characters",
            PrincipalErrorKind::ServiceNameInvalidChar => "service name contains '\\' or '/'",
            PrincipalErrorKind::NonAscii => "non-ASCII character in a SID string or alias",
            PrincipalErrorKind::TooLong => "longer than any SID string",
            PrincipalErrorKind::ControlCharacter { .. } => "control character in a principal",
            PrincipalErrorKind::Sid(SidErrorKind::UnknownAlias { .. }) => "unknown SDDL alias",
            PrincipalErrorKind::Sid(SidErrorKind::AliasNeedsDomainSid { .. }) => {
                "domain-relative alias: the domain SID is not available at load"
            }
            PrincipalErrorKind::Sid(_) => "invalid SID string",
        }
    }
}

impl fmt::Display for PrincipalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at principal offset {}: {}",
            self.offset,
            self.kind.reason()
        )?;
        match self.kind {
            PrincipalErrorKind::Sid(kind) => write!(f, " ({kind})"),
            PrincipalErrorKind::ControlCharacter { unit } => write!(f, " (U+{unit:04X})"),
            _ => Ok(()),
        }
    }
}

impl core::error::Error for PrincipalError {}

/// The service SID of `name` (without the `NT SERVICE\` prefix).
///
/// `service_sid("TrustedInstaller")` is
/// `S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464`.
pub fn service_sid(name: &str) -> Result<Sid, PrincipalError> {
    service_sid_in(&Narrow(name), 0, name.len(), 0)
}

/// Service SID of `text[start..end]`; error offsets are `base` + units from `start`.
fn service_sid_in<T: Text + ?Sized>(
    text: &T,
    start: usize,
    end: usize,
    base: usize,
) -> Result<Sid, PrincipalError> {
    let err = |offset: usize, kind| PrincipalError {
        offset: base.saturating_add(offset),
        kind,
    };
    if start >= end {
        return Err(err(0, PrincipalErrorKind::EmptyServiceName));
    }
    // Count characters (a surrogate pair is one character) for the length limit.
    let mut chars = 0usize;
    let mut hasher = Sha1::new();
    for i in start..end {
        let u = text.at(i).unwrap_or(0);
        if u == u16::from(b'\\') || u == u16::from(b'/') {
            return Err(err(
                i.saturating_sub(start),
                PrincipalErrorKind::ServiceNameInvalidChar,
            ));
        }
        if !(0xDC00..=0xDFFF).contains(&u) {
            chars = chars.saturating_add(1);
        }
        hasher.update(upcase_unit(u).to_le_bytes());
    }
    if chars > MAX_SERVICE_NAME_LEN {
        return Err(err(0, PrincipalErrorKind::ServiceNameTooLong));
    }
    let digest: [u8; 20] = hasher.finalize().into();
    let mut subs = [SERVICE_ID_BASE_RID, 0, 0, 0, 0, 0];
    for (slot, chunk) in subs.iter_mut().skip(1).zip(digest.chunks_exact(4)) {
        let mut word = [0u8; 4];
        word.copy_from_slice(chunk);
        *slot = u32::from_le_bytes(word);
    }
    Sid::new(5, &subs).map_err(|e| err(0, PrincipalErrorKind::Sid(e.kind)))
}

/// Upper-cases one UTF-16 unit the way a single-unit table does (see the module docs).
fn upcase_unit(u: u16) -> u16 {
    let Some(c) = char::from_u32(u32::from(u)) else {
        return u; // a surrogate half: no case
    };
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(one), None) => u16::try_from(u32::from(one)).unwrap_or(u),
        _ => u,
    }
}

/// Parses one principal (see the module docs).
pub fn parse_principal(text: &str, ctx: &SddlContext) -> Result<Sid, PrincipalError> {
    parse_principal_in(&Narrow(text), 0, text.len(), ctx)
}

/// Parses `text[start..end]`; error offsets are relative to `start`.
pub(crate) fn parse_principal_in<T: Text + ?Sized>(
    text: &T,
    start: usize,
    end: usize,
    ctx: &SddlContext,
) -> Result<Sid, PrincipalError> {
    let err = |offset: usize, kind| PrincipalError { offset, kind };
    if start >= end {
        return Err(err(0, PrincipalErrorKind::Empty));
    }
    // A control character can hide in a service name (which is hashed, not parsed) and shows
    // as nothing in most tools: refused everywhere, before anything else.
    if let Some((k, unit)) = (start..end)
        .filter_map(|i| text.at(i))
        .enumerate()
        .find(|(_, u)| is_control(*u))
    {
        return Err(err(k, PrincipalErrorKind::ControlCharacter { unit }));
    }
    let prefix_end = start.saturating_add(NT_SERVICE_PREFIX.len());
    if prefix_end <= end && eq_ignore_case(text, start, prefix_end, NT_SERVICE_PREFIX) {
        return service_sid_in(text, prefix_end, end, NT_SERVICE_PREFIX.len());
    }
    let len = end.saturating_sub(start);
    if len > MAX_SID_TEXT {
        return Err(err(0, PrincipalErrorKind::TooLong));
    }
    let mut buf = [0u8; MAX_SID_TEXT];
    for (k, slot) in buf.iter_mut().take(len).enumerate() {
        let u = text.at(start.saturating_add(k)).unwrap_or(0);
        *slot = u8::try_from(u)
            .ok()
            .filter(u8::is_ascii)
            .ok_or(err(k, PrincipalErrorKind::NonAscii))?;
    }
    let ascii = buf
        .get(..len)
        .and_then(|b| core::str::from_utf8(b).ok())
        .unwrap_or("");
    if len == 2 {
        secdesc::alias::resolve(ascii, ctx).map_err(|kind| err(0, PrincipalErrorKind::Sid(kind)))
    } else {
        Sid::parse(ascii).map_err(|e| err(e.offset, PrincipalErrorKind::Sid(e.kind)))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    fn ctx() -> SddlContext {
        SddlContext::new()
    }

    #[test]
    fn trusted_installer_service_sid_matches_windows() {
        let sid = service_sid("TrustedInstaller").unwrap();
        assert_eq!(
            sid.to_string(),
            "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
        );
        // The name is upper-cased before hashing, and the prefix is case-insensitive.
        assert_eq!(service_sid("trustedinstaller").unwrap(), sid);
        assert_eq!(
            parse_principal("nt service\\TrustedInstaller", &ctx()).unwrap(),
            sid
        );
        assert_eq!(
            parse_principal("NT SERVICE\\TRUSTEDINSTALLER", &ctx()).unwrap(),
            sid
        );
    }

    #[test]
    fn service_name_errors() {
        assert_eq!(
            parse_principal("NT SERVICE\\", &ctx()),
            Err(PrincipalError {
                offset: 11,
                kind: PrincipalErrorKind::EmptyServiceName
            })
        );
        assert_eq!(
            parse_principal("NT SERVICE\\a/b", &ctx()),
            Err(PrincipalError {
                offset: 12,
                kind: PrincipalErrorKind::ServiceNameInvalidChar
            })
        );
        let long = "x".repeat(257);
        assert_eq!(
            service_sid(&long),
            Err(PrincipalError {
                offset: 0,
                kind: PrincipalErrorKind::ServiceNameTooLong
            })
        );
        assert!(service_sid(&long[..256]).is_ok());
    }

    #[test]
    fn aliases_and_sid_strings() {
        assert_eq!(
            parse_principal("SY", &ctx()).unwrap().to_string(),
            "S-1-5-18"
        );
        assert_eq!(
            parse_principal("ba", &ctx()).unwrap().to_string(),
            "S-1-5-32-544"
        );
        assert_eq!(
            parse_principal("NO", &ctx()).unwrap().to_string(),
            "S-1-5-32-556"
        );
        assert_eq!(
            parse_principal("S-1-5-32-545", &ctx()).unwrap().to_string(),
            "S-1-5-32-545"
        );
    }

    #[test]
    fn principal_errors_name_the_problem() {
        assert_eq!(
            parse_principal("", &ctx()),
            Err(PrincipalError {
                offset: 0,
                kind: PrincipalErrorKind::Empty
            })
        );
        let e = parse_principal("DA", &ctx()).unwrap_err();
        assert!(
            matches!(
                e.kind,
                PrincipalErrorKind::Sid(SidErrorKind::AliasNeedsDomainSid { .. })
            ),
            "{e:?}"
        );
        let e = parse_principal("QQ", &ctx()).unwrap_err();
        assert!(
            matches!(
                e.kind,
                PrincipalErrorKind::Sid(SidErrorKind::UnknownAlias { .. })
            ),
            "{e:?}"
        );
        let e = parse_principal("S-1-5-x", &ctx()).unwrap_err();
        assert_eq!(e.offset, 6);
        let e = parse_principal("S-1-5-é", &ctx()).unwrap_err();
        assert_eq!(
            e,
            PrincipalError {
                offset: 6,
                kind: PrincipalErrorKind::NonAscii
            }
        );
    }

    #[test]
    fn upcase_is_per_unit() {
        assert_eq!(upcase_unit(u16::from(b'a')), u16::from(b'A'));
        assert_eq!(upcase_unit(0x00DF), 0x00DF); // ß has no single-unit upper case
        assert_eq!(upcase_unit(0x00E9), 0x00C9); // é -> É
        assert_eq!(upcase_unit(0xD800), 0xD800);
    }
}
