//! WFP access rights by name: the `FWPM_ACTRL_*` specific rights, the standard rights, and the
//! generic rights expanded to the explicit `FWPM_GENERIC_*` masks (`fwpmu.h`; Microsoft's WFP
//! "Access Right Identifiers" page), so a DACL we build never relies on BFE's generic mapping.
//!
//! Grammar of a rights list: names or one hex mask joined by `|`, e.g.
//! `ENUM|READ|SUBSCRIBE|READ_CONTROL` or `0x000202A0`. Names are case-insensitive, blanks around
//! them are trimmed, and each specific right is also accepted with its `FWPM_ACTRL_` prefix.

use core::fmt;

use crate::text::{Narrow, Text, eq_ignore_case, find, trim};

/// `FWPM_ACTRL_ADD`: add objects.
pub const FWPM_ACTRL_ADD: u32 = 0x0000_0001;
/// `FWPM_ACTRL_ADD_LINK`: reference an object (e.g. a filter referencing a callout).
pub const FWPM_ACTRL_ADD_LINK: u32 = 0x0000_0002;
/// `FWPM_ACTRL_BEGIN_READ_TXN`: begin a read-only transaction.
pub const FWPM_ACTRL_BEGIN_READ_TXN: u32 = 0x0000_0004;
/// `FWPM_ACTRL_BEGIN_WRITE_TXN`: begin a read/write transaction.
pub const FWPM_ACTRL_BEGIN_WRITE_TXN: u32 = 0x0000_0008;
/// `FWPM_ACTRL_CLASSIFY`: classify at a user-mode layer.
pub const FWPM_ACTRL_CLASSIFY: u32 = 0x0000_0010;
/// `FWPM_ACTRL_ENUM`: enumerate objects.
pub const FWPM_ACTRL_ENUM: u32 = 0x0000_0020;
/// `FWPM_ACTRL_OPEN`: open a session.
pub const FWPM_ACTRL_OPEN: u32 = 0x0000_0040;
/// `FWPM_ACTRL_READ`: read object properties.
pub const FWPM_ACTRL_READ: u32 = 0x0000_0080;
/// `FWPM_ACTRL_READ_STATS`: read statistics.
pub const FWPM_ACTRL_READ_STATS: u32 = 0x0000_0100;
/// `FWPM_ACTRL_SUBSCRIBE`: subscribe to change notifications.
pub const FWPM_ACTRL_SUBSCRIBE: u32 = 0x0000_0200;
/// `FWPM_ACTRL_WRITE`: set engine options.
pub const FWPM_ACTRL_WRITE: u32 = 0x0000_0400;
/// `DELETE`.
pub const DELETE: u32 = 0x0001_0000;
/// `READ_CONTROL`: read the security descriptor.
pub const READ_CONTROL: u32 = 0x0002_0000;
/// `WRITE_DAC`: change the DACL.
pub const WRITE_DAC: u32 = 0x0004_0000;
/// `WRITE_OWNER`: change the owner.
pub const WRITE_OWNER: u32 = 0x0008_0000;
/// `GENERIC_ALL` bit (only ever seen in SDDL-supplied DACLs; names expand it).
pub const GENERIC_ALL: u32 = 0x1000_0000;
/// `GENERIC_EXECUTE` bit.
pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
/// `GENERIC_WRITE` bit.
pub const GENERIC_WRITE: u32 = 0x4000_0000;
/// `GENERIC_READ` bit.
pub const GENERIC_READ: u32 = 0x8000_0000;
/// `FWPM_GENERIC_READ` = `READ_CONTROL|BEGIN_READ_TXN|CLASSIFY|OPEN|READ|READ_STATS`.
pub const FWPM_GENERIC_READ: u32 = 0x0002_01D4;
/// `FWPM_GENERIC_WRITE` = `READ_CONTROL|DELETE|ADD|ADD_LINK|BEGIN_WRITE_TXN|WRITE`.
pub const FWPM_GENERIC_WRITE: u32 = 0x0003_040B;
/// `FWPM_GENERIC_EXECUTE` = `READ_CONTROL|ENUM|SUBSCRIBE`.
pub const FWPM_GENERIC_EXECUTE: u32 = 0x0002_0220;
/// `FWPM_GENERIC_ALL` = `STANDARD_RIGHTS_REQUIRED` | all eleven specific rights.
pub const FWPM_GENERIC_ALL: u32 = 0x000F_07FF;
/// The default when an entry names no rights ("monitor"): `ENUM|READ|SUBSCRIBE|READ_CONTROL`.
pub const MONITOR: u32 = FWPM_ACTRL_ENUM | FWPM_ACTRL_READ | FWPM_ACTRL_SUBSCRIBE | READ_CONTROL;
/// Rights that change something: granting any of them to Everyone, Anonymous or
/// Authenticated Users raises a warning.
pub const WRITE_LIKE: u32 = FWPM_ACTRL_ADD
    | FWPM_ACTRL_ADD_LINK
    | FWPM_ACTRL_BEGIN_WRITE_TXN
    | FWPM_ACTRL_WRITE
    | DELETE
    | WRITE_DAC
    | WRITE_OWNER
    | GENERIC_WRITE
    | GENERIC_ALL;

/// The prefix accepted before the eleven specific right names.
pub const ACTRL_PREFIX: &str = "FWPM_ACTRL_";

/// Every accepted name (without prefix) and its mask, in the order names are printed.
pub const RIGHT_NAMES: &[(&str, u32)] = &[
    ("ADD", FWPM_ACTRL_ADD),
    ("ADD_LINK", FWPM_ACTRL_ADD_LINK),
    ("BEGIN_READ_TXN", FWPM_ACTRL_BEGIN_READ_TXN),
    ("BEGIN_WRITE_TXN", FWPM_ACTRL_BEGIN_WRITE_TXN),
    ("CLASSIFY", FWPM_ACTRL_CLASSIFY),
    ("ENUM", FWPM_ACTRL_ENUM),
    ("OPEN", FWPM_ACTRL_OPEN),
    ("READ", FWPM_ACTRL_READ),
    ("READ_STATS", FWPM_ACTRL_READ_STATS),
    ("SUBSCRIBE", FWPM_ACTRL_SUBSCRIBE),
    ("WRITE", FWPM_ACTRL_WRITE),
    ("DELETE", DELETE),
    ("READ_CONTROL", READ_CONTROL),
    ("WRITE_DAC", WRITE_DAC),
    ("WRITE_OWNER", WRITE_OWNER),
    ("GENERIC_READ", FWPM_GENERIC_READ),
    ("GENERIC_WRITE", FWPM_GENERIC_WRITE),
    ("GENERIC_EXECUTE", FWPM_GENERIC_EXECUTE),
    ("GENERIC_ALL", FWPM_GENERIC_ALL),
];

/// How many leading entries of [`RIGHT_NAMES`] are `FWPM_ACTRL_*` rights (prefix allowed).
const ACTRL_COUNT: usize = 11;

/// What is wrong with a rights list.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RightsErrorKind {
    /// Nothing (or only blanks) after the `:`.
    Empty,
    /// An empty name between two `|`, or a leading/trailing `|`.
    EmptyName,
    /// A name that is not in [`RIGHT_NAMES`] (its length in code units).
    UnknownName {
        /// Length of the unknown name.
        len: usize,
    },
    /// `0x` not followed by 1 to 8 hex digits.
    InvalidHex,
    /// A hex mask with bits that are no WFP, standard or generic right.
    UnknownBits {
        /// The offending bits.
        bits: u32,
    },
    /// The rights add up to nothing (`0x0`).
    NoRights,
}

/// A rights-list error: `offset` counts code units from the start of the rights text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RightsError {
    /// Where the problem starts, in code units from the start of the rights text.
    pub offset: usize,
    /// What is wrong.
    pub kind: RightsErrorKind,
}

impl RightsErrorKind {
    /// A short, static description (for log fields).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            RightsErrorKind::Empty => "no rights after ':'",
            RightsErrorKind::EmptyName => "empty right name between '|'",
            RightsErrorKind::UnknownName { .. } => "unknown right name",
            RightsErrorKind::InvalidHex => "hex mask must be 0x followed by 1 to 8 hex digits",
            RightsErrorKind::UnknownBits { .. } => "hex mask has bits that are no WFP right",
            RightsErrorKind::NoRights => "rights add up to nothing",
        }
    }
}

impl fmt::Display for RightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at rights offset {}: {}",
            self.offset,
            self.kind.reason()
        )?;
        if let RightsErrorKind::UnknownBits { bits } = self.kind {
            write!(f, " (0x{bits:08X})")?;
        }
        Ok(())
    }
}

impl core::error::Error for RightsError {}

/// Maps the four `GENERIC_*` bits to the explicit `FWPM_GENERIC_*` masks.
#[must_use]
pub const fn expand_generic(mask: u32) -> u32 {
    let mut out = mask & !(GENERIC_ALL | GENERIC_EXECUTE | GENERIC_WRITE | GENERIC_READ);
    if mask & GENERIC_READ != 0 {
        out |= FWPM_GENERIC_READ;
    }
    if mask & GENERIC_WRITE != 0 {
        out |= FWPM_GENERIC_WRITE;
    }
    if mask & GENERIC_EXECUTE != 0 {
        out |= FWPM_GENERIC_EXECUTE;
    }
    if mask & GENERIC_ALL != 0 {
        out |= FWPM_GENERIC_ALL;
    }
    out
}

/// Parses a rights list (see the module docs) into an explicit mask.
pub fn parse_rights(text: &str) -> Result<u32, RightsError> {
    parse_rights_in(&Narrow(text), 0, text.len())
}

/// Parses `text[start..end]`; error offsets are relative to `start`.
pub(crate) fn parse_rights_in<T: Text + ?Sized>(
    text: &T,
    start: usize,
    end: usize,
) -> Result<u32, RightsError> {
    let err = |at: usize, kind| RightsError {
        offset: at.saturating_sub(start),
        kind,
    };
    let (s, e) = trim(text, start, end);
    if s == e {
        return Err(err(s, RightsErrorKind::Empty));
    }
    let mut mask = 0u32;
    let mut pos = start;
    loop {
        let bar = find(text, pos, end, u16::from(b'|')).unwrap_or(end);
        let (ts, te) = trim(text, pos, bar);
        if ts == te {
            return Err(err(ts, RightsErrorKind::EmptyName));
        }
        mask |= parse_one(text, ts, te).map_err(|kind| err(ts, kind))?;
        if bar >= end {
            break;
        }
        pos = bar.saturating_add(1);
    }
    if mask == 0 {
        return Err(err(s, RightsErrorKind::NoRights));
    }
    Ok(mask)
}

fn parse_one<T: Text + ?Sized>(text: &T, s: usize, e: usize) -> Result<u32, RightsErrorKind> {
    let is = |i: usize, c: u8| text.at(i).map(crate::text::ascii_upper) == Some(u16::from(c));
    if e.saturating_sub(s) >= 2 && is(s, b'0') && is(s.saturating_add(1), b'X') {
        return parse_hex(text, s.saturating_add(2), e);
    }
    for (k, (name, mask)) in RIGHT_NAMES.iter().enumerate() {
        if eq_ignore_case(text, s, e, name) {
            return Ok(*mask);
        }
        if k < ACTRL_COUNT {
            let after_prefix = s.saturating_add(ACTRL_PREFIX.len());
            if eq_ignore_case(text, s, after_prefix.min(e), ACTRL_PREFIX)
                && eq_ignore_case(text, after_prefix, e, name)
            {
                return Ok(*mask);
            }
        }
    }
    Err(RightsErrorKind::UnknownName {
        len: e.saturating_sub(s),
    })
}

fn parse_hex<T: Text + ?Sized>(text: &T, s: usize, e: usize) -> Result<u32, RightsErrorKind> {
    let digits = e.saturating_sub(s);
    if digits == 0 || digits > 8 {
        return Err(RightsErrorKind::InvalidHex);
    }
    let mut value = 0u32;
    for i in s..e {
        let d = text
            .at(i)
            .and_then(|u| char::from_u32(u32::from(u)))
            .and_then(|c| c.to_digit(16))
            .ok_or(RightsErrorKind::InvalidHex)?;
        value = (value << 4) | d;
    }
    let unknown =
        value & !(FWPM_GENERIC_ALL | GENERIC_ALL | GENERIC_EXECUTE | GENERIC_WRITE | GENERIC_READ);
    if unknown != 0 {
        return Err(RightsErrorKind::UnknownBits { bits: unknown });
    }
    Ok(expand_generic(value))
}

/// Writes `mask` as names joined by `|`: `GENERIC_ALL` when all its bits are set, otherwise
/// the single rights in [`RIGHT_NAMES`] order, then any unnamed bits as hex (`0x…`); `0` prints `0x0`.
pub fn write_rights(mask: u32, w: &mut dyn fmt::Write) -> fmt::Result {
    let mut rest = mask;
    let mut first = true;
    let mut put = |w: &mut dyn fmt::Write, s: &str| -> fmt::Result {
        if !first {
            w.write_char('|')?;
        }
        first = false;
        w.write_str(s)
    };
    if rest & FWPM_GENERIC_ALL == FWPM_GENERIC_ALL {
        put(w, "GENERIC_ALL")?;
        rest &= !FWPM_GENERIC_ALL;
    }
    for (name, bits) in RIGHT_NAMES.iter().take(15) {
        if rest & bits != 0 {
            put(w, name)?;
            rest &= !bits;
        }
    }
    if rest != 0 || mask == 0 {
        let mut buf = HexBuf::default();
        let _ = fmt::Write::write_fmt(&mut buf, format_args!("0x{rest:X}"));
        put(w, buf.as_str())?;
    }
    Ok(())
}

#[derive(Default)]
struct HexBuf {
    buf: [u8; 10],
    len: usize,
}

impl HexBuf {
    fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }
}

impl fmt::Write for HexBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::String;

    fn show(mask: u32) -> String {
        let mut s = String::new();
        write_rights(mask, &mut s).unwrap();
        s
    }

    #[test]
    fn generic_masks_match_the_header_macros() {
        let all_specific = 0x7FF;
        assert_eq!(FWPM_GENERIC_ALL, 0x000F_0000 | all_specific);
        assert_eq!(
            FWPM_GENERIC_READ,
            READ_CONTROL
                | FWPM_ACTRL_BEGIN_READ_TXN
                | FWPM_ACTRL_CLASSIFY
                | FWPM_ACTRL_OPEN
                | FWPM_ACTRL_READ
                | FWPM_ACTRL_READ_STATS
        );
        assert_eq!(
            FWPM_GENERIC_EXECUTE,
            READ_CONTROL | FWPM_ACTRL_ENUM | FWPM_ACTRL_SUBSCRIBE
        );
        assert_eq!(
            FWPM_GENERIC_WRITE,
            READ_CONTROL
                | DELETE
                | FWPM_ACTRL_ADD
                | FWPM_ACTRL_ADD_LINK
                | FWPM_ACTRL_BEGIN_WRITE_TXN
                | FWPM_ACTRL_WRITE
        );
        assert_eq!(MONITOR, 0x0002_02A0);
    }

    #[test]
    fn names_prefixes_case_and_blanks() {
        assert_eq!(
            parse_rights("ENUM|READ|SUBSCRIBE|READ_CONTROL"),
            Ok(MONITOR)
        );
        assert_eq!(
            parse_rights(" enum | fwpm_actrl_read|Subscribe |read_control "),
            Ok(MONITOR)
        );
        assert_eq!(
            parse_rights("GENERIC_READ|GENERIC_EXECUTE"),
            Ok(0x0002_03F4)
        );
        assert_eq!(parse_rights("GENERIC_ALL"), Ok(0x000F_07FF));
        assert_eq!(parse_rights("GENERIC_WRITE"), Ok(0x0003_040B));
        assert_eq!(
            parse_rights("WRITE_DAC|WRITE_OWNER|DELETE"),
            Ok(0x000D_0000)
        );
    }

    #[test]
    fn every_name_and_every_prefixed_name_parses() {
        for (k, (name, mask)) in RIGHT_NAMES.iter().enumerate() {
            assert_eq!(parse_rights(name), Ok(*mask), "{name}");
            let prefixed = std::format!("{ACTRL_PREFIX}{name}");
            if k < ACTRL_COUNT {
                assert_eq!(parse_rights(&prefixed), Ok(*mask), "{prefixed}");
            } else {
                assert!(parse_rights(&prefixed).is_err(), "{prefixed}");
            }
        }
    }

    #[test]
    fn hex_masks_expand_generic_bits_and_reject_unknown_bits() {
        assert_eq!(parse_rights("0x000202A0"), Ok(MONITOR));
        assert_eq!(parse_rights("0X10000000"), Ok(FWPM_GENERIC_ALL));
        assert_eq!(
            parse_rights("0xa0000000"),
            Ok(FWPM_GENERIC_READ | FWPM_GENERIC_EXECUTE)
        );
        assert_eq!(
            parse_rights("READ|0x01000000"),
            Err(RightsError {
                offset: 5,
                kind: RightsErrorKind::UnknownBits { bits: 0x0100_0000 }
            })
        );
        assert_eq!(
            parse_rights("0x"),
            Err(RightsError {
                offset: 0,
                kind: RightsErrorKind::InvalidHex
            })
        );
        assert_eq!(
            parse_rights("0x123456789"),
            Err(RightsError {
                offset: 0,
                kind: RightsErrorKind::InvalidHex
            })
        );
        assert_eq!(
            parse_rights("0xZZ"),
            Err(RightsError {
                offset: 0,
                kind: RightsErrorKind::InvalidHex
            })
        );
        assert_eq!(
            parse_rights("0x0"),
            Err(RightsError {
                offset: 0,
                kind: RightsErrorKind::NoRights
            })
        );
    }

    #[test]
    fn errors_point_at_the_bad_name() {
        assert_eq!(
            parse_rights("READ|FROB"),
            Err(RightsError {
                offset: 5,
                kind: RightsErrorKind::UnknownName { len: 4 }
            })
        );
        assert_eq!(
            parse_rights("READ||ENUM"),
            Err(RightsError {
                offset: 5,
                kind: RightsErrorKind::EmptyName
            })
        );
        assert_eq!(
            parse_rights("|READ"),
            Err(RightsError {
                offset: 0,
                kind: RightsErrorKind::EmptyName
            })
        );
        assert_eq!(
            parse_rights("READ|"),
            Err(RightsError {
                offset: 5,
                kind: RightsErrorKind::EmptyName
            })
        );
        assert_eq!(
            parse_rights("   "),
            Err(RightsError {
                offset: 3,
                kind: RightsErrorKind::Empty
            })
        );
        assert_eq!(
            parse_rights("FWPM_ACTRL_"),
            Err(RightsError {
                offset: 0,
                kind: RightsErrorKind::UnknownName { len: 11 }
            })
        );
        assert_eq!(
            parse_rights("RÉAD"),
            Err(RightsError {
                offset: 0,
                kind: RightsErrorKind::UnknownName { len: 5 }
            })
        );
    }

    #[test]
    fn names_print_back() {
        assert_eq!(show(MONITOR), "ENUM|READ|SUBSCRIBE|READ_CONTROL");
        assert_eq!(show(FWPM_GENERIC_ALL), "GENERIC_ALL");
        assert_eq!(
            show(FWPM_GENERIC_READ | FWPM_GENERIC_EXECUTE),
            "BEGIN_READ_TXN|CLASSIFY|ENUM|OPEN|READ|READ_STATS|SUBSCRIBE|READ_CONTROL"
        );
        assert_eq!(show(0x0100_0001), "ADD|0x1000000");
        assert_eq!(show(0), "0x0");
        for mask in [
            MONITOR,
            0x0002_03F4,
            FWPM_GENERIC_ALL,
            0x0003_040B,
            0x0000_0401,
            0x000D_0000,
        ] {
            assert_eq!(parse_rights(&show(mask)), Ok(mask), "{}", show(mask));
        }
    }
}
