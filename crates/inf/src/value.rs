//! Registry value types and the raw byte forms the registry stores.

use core::fmt;

/// A registry value type (`REG_*`), kept as its number so that unusual types survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegType(pub u32);

impl RegType {
    /// `REG_NONE`.
    pub const NONE: Self = Self(0);
    /// `REG_SZ`: NUL-terminated UTF-16LE string.
    pub const SZ: Self = Self(1);
    /// `REG_EXPAND_SZ`: like `REG_SZ`, with `%VAR%` references.
    pub const EXPAND_SZ: Self = Self(2);
    /// `REG_BINARY`.
    pub const BINARY: Self = Self(3);
    /// `REG_DWORD`: 32-bit little-endian number.
    pub const DWORD: Self = Self(4);
    /// `REG_DWORD_BIG_ENDIAN`.
    pub const DWORD_BIG_ENDIAN: Self = Self(5);
    /// `REG_LINK`.
    pub const LINK: Self = Self(6);
    /// `REG_MULTI_SZ`: NUL-terminated UTF-16LE strings followed by an empty string.
    pub const MULTI_SZ: Self = Self(7);
    /// `REG_QWORD`: 64-bit little-endian number.
    pub const QWORD: Self = Self(11);

    /// The `REG_*` name of a known type.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "REG_NONE",
            1 => "REG_SZ",
            2 => "REG_EXPAND_SZ",
            3 => "REG_BINARY",
            4 => "REG_DWORD",
            5 => "REG_DWORD_BIG_ENDIAN",
            6 => "REG_LINK",
            7 => "REG_MULTI_SZ",
            8 => "REG_RESOURCE_LIST",
            9 => "REG_FULL_RESOURCE_DESCRIPTOR",
            10 => "REG_RESOURCE_REQUIREMENTS_LIST",
            11 => "REG_QWORD",
            _ => return None,
        })
    }
}

impl fmt::Display for RegType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "registry type {}", self.0),
        }
    }
}

fn push_utf16z(out: &mut Vec<u8>, s: &str) {
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out.extend_from_slice(&[0, 0]);
}

/// `REG_SZ`/`REG_EXPAND_SZ` bytes: UTF-16LE with a terminating NUL.
#[must_use]
pub fn sz_bytes(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len().saturating_mul(2).saturating_add(2));
    push_utf16z(&mut out, s);
    out
}

/// `REG_MULTI_SZ` bytes: each string UTF-16LE and NUL-terminated, then one more NUL.
/// An empty list is a single NUL (two zero bytes).
#[must_use]
pub fn multi_sz_bytes<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let mut out = Vec::new();
    for s in items {
        push_utf16z(&mut out, s);
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// `REG_DWORD` bytes: four little-endian bytes.
#[must_use]
pub fn dword_bytes(v: u32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

fn utf16_units(bytes: &[u8]) -> Option<Vec<u16>> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect(),
    )
}

/// Reads `REG_SZ` bytes back into text, stopping at the first NUL (the terminator may be
/// missing). `None` for an odd length or invalid UTF-16.
#[must_use]
pub fn decode_sz(bytes: &[u8]) -> Option<String> {
    let units = utf16_units(bytes)?;
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16(&units[..end]).ok()
}

/// Reads `REG_MULTI_SZ` bytes back into its strings (up to the first empty string).
/// `None` for an odd length or invalid UTF-16.
#[must_use]
pub fn decode_multi_sz(bytes: &[u8]) -> Option<Vec<String>> {
    let units = utf16_units(bytes)?;
    let mut out = Vec::new();
    for part in units.split(|&u| u == 0) {
        if part.is_empty() {
            break;
        }
        out.push(String::from_utf16(part).ok()?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_forms() {
        assert_eq!(sz_bytes("SY"), [b'S', 0, b'Y', 0, 0, 0]);
        assert_eq!(sz_bytes(""), [0, 0]);
        assert_eq!(
            multi_sz_bytes(["a", "b"]),
            [b'a', 0, 0, 0, b'b', 0, 0, 0, 0, 0]
        );
        assert_eq!(multi_sz_bytes([]), [0, 0]);
        assert_eq!(dword_bytes(0x0102_0304), [4, 3, 2, 1]);
    }

    #[test]
    fn round_trips() {
        assert_eq!(
            decode_sz(&sz_bytes("NT SERVICE\\x")).unwrap(),
            "NT SERVICE\\x"
        );
        assert_eq!(decode_sz(&[b'a', 0]).unwrap(), "a");
        assert_eq!(decode_sz(b"a"), None);
        assert_eq!(
            decode_multi_sz(&multi_sz_bytes(["x", "yz"])).unwrap(),
            ["x", "yz"]
        );
        assert_eq!(decode_multi_sz(&[0, 0]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn names() {
        assert_eq!(RegType::MULTI_SZ.to_string(), "REG_MULTI_SZ");
        assert_eq!(RegType(0x99).to_string(), "registry type 153");
    }
}
