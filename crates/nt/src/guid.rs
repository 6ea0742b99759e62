//! A GUID with the Windows `GUID` field layout (`guiddef.h`), one parser and one formatter.
//!
//! Hand-written rather than taken from the `uuid` crate: `uuid` keeps RFC 4122 byte order, so
//! every use here would convert to and from the `Data1`..`Data4` fields WFP takes and the
//! little-endian bytes an object ACE stores; the whole type is a hundred lines. A `u128`
//! literal keeps each GUID readable in the source exactly as `uuidgen` printed it (the same
//! convention as windows-rs `GUID::from_u128`).

use core::fmt;

/// A GUID, laid out like the Windows `GUID` struct (`Data1`, `Data2`, `Data3`, `Data4`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Guid {
    data1: u32,
    data2: u16,
    data3: u16,
    data4: [u8; 8],
}

/// Why a GUID text did not parse.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum GuidError {
    /// The text is not 36 characters, or 38 with braces.
    Length {
        /// The length that was found.
        found: usize,
    },
    /// A `-` is missing or misplaced, or an opening brace has no closing one.
    Separator {
        /// Character offset of the offending character.
        offset: usize,
    },
    /// A character where a hexadecimal digit must be.
    NotHex {
        /// Character offset of the offending character.
        offset: usize,
    },
}

impl GuidError {
    /// The offset of the offending character (the length for a [`GuidError::Length`]).
    #[must_use]
    pub const fn offset(self) -> usize {
        match self {
            Self::Length { found } => found,
            Self::Separator { offset } | Self::NotHex { offset } => offset,
        }
    }
}

impl fmt::Display for GuidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { found } => write!(
                f,
                "a GUID has 36 characters (38 with braces), found {found}"
            ),
            Self::Separator { offset } => {
                write!(f, "at character {offset}: expected '-' or a closing brace")
            }
            Self::NotHex { offset } => {
                write!(f, "at character {offset}: expected a hexadecimal digit")
            }
        }
    }
}

impl core::error::Error for GuidError {}

/// Length of the bare text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub const GUID_TEXT_LEN: usize = 36;

impl Guid {
    /// A GUID from its four fields.
    #[must_use]
    pub const fn from_fields(data1: u32, data2: u16, data3: u16, data4: [u8; 8]) -> Self {
        Self {
            data1,
            data2,
            data3,
            data4,
        }
    }

    /// The GUID written as one 128-bit number, `0xXXXXXXXX_XXXX_XXXX_XXXX_XXXXXXXXXXXX`, the way
    /// its text form reads.
    #[must_use]
    pub const fn from_u128(value: u128) -> Self {
        let [
            a0,
            a1,
            a2,
            a3,
            b0,
            b1,
            c0,
            c1,
            d0,
            d1,
            d2,
            d3,
            d4,
            d5,
            d6,
            d7,
        ] = value.to_be_bytes();
        Self::from_fields(
            u32::from_be_bytes([a0, a1, a2, a3]),
            u16::from_be_bytes([b0, b1]),
            u16::from_be_bytes([c0, c1]),
            [d0, d1, d2, d3, d4, d5, d6, d7],
        )
    }

    /// The inverse of [`Guid::from_u128`].
    #[must_use]
    pub const fn to_u128(self) -> u128 {
        let [a0, a1, a2, a3] = self.data1.to_be_bytes();
        let [b0, b1] = self.data2.to_be_bytes();
        let [c0, c1] = self.data3.to_be_bytes();
        let [d0, d1, d2, d3, d4, d5, d6, d7] = self.data4;
        u128::from_be_bytes([
            a0, a1, a2, a3, b0, b1, c0, c1, d0, d1, d2, d3, d4, d5, d6, d7,
        ])
    }

    /// The 16 bytes as a `GUID` lies in memory on Windows: `Data1`..`Data3` little-endian,
    /// then `Data4` (how an object ACE stores its object types).
    #[must_use]
    pub const fn from_le_bytes(bytes: [u8; 16]) -> Self {
        Self::from_u128(u128::from_be_bytes(swap_fields(bytes)))
    }

    /// The inverse of [`Guid::from_le_bytes`].
    #[must_use]
    pub const fn to_le_bytes(self) -> [u8; 16] {
        swap_fields(self.to_u128().to_be_bytes())
    }

    /// `Data1`.
    #[must_use]
    pub const fn data1(self) -> u32 {
        self.data1
    }

    /// `Data2`.
    #[must_use]
    pub const fn data2(self) -> u16 {
        self.data2
    }

    /// `Data3`.
    #[must_use]
    pub const fn data3(self) -> u16 {
        self.data3
    }

    /// `Data4`.
    #[must_use]
    pub const fn data4(self) -> [u8; 8] {
        self.data4
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with or without braces, any case.
    pub fn parse(text: &str) -> Result<Self, GuidError> {
        let bytes = text.as_bytes();
        match bytes {
            [b'{', inner @ .., last] if bytes.len() == GUID_TEXT_LEN.wrapping_add(2) => {
                // The inner text first: its errors come before the closing brace's.
                let guid = Self::parse_bare(inner).map_err(|e| match e {
                    GuidError::Separator { offset } => GuidError::Separator {
                        offset: offset.saturating_add(1),
                    },
                    GuidError::NotHex { offset } => GuidError::NotHex {
                        offset: offset.saturating_add(1),
                    },
                    GuidError::Length { .. } => GuidError::Length { found: bytes.len() },
                })?;
                if *last == b'}' {
                    Ok(guid)
                } else {
                    Err(GuidError::Separator {
                        offset: GUID_TEXT_LEN.wrapping_add(1),
                    })
                }
            }
            _ => Self::parse_bare(bytes),
        }
    }

    /// Parses exactly the 36-byte bare form (no braces), any case: the form SDDL and
    /// `uuidgen` write. Offsets in the error are byte offsets into `text`.
    pub fn parse_bare(text: &[u8]) -> Result<Self, GuidError> {
        if text.len() != GUID_TEXT_LEN {
            return Err(GuidError::Length { found: text.len() });
        }
        let mut value: u128 = 0;
        for (offset, &c) in text.iter().enumerate() {
            if matches!(offset, 8 | 13 | 18 | 23) {
                if c != b'-' {
                    return Err(GuidError::Separator { offset });
                }
                continue;
            }
            let digit = match c {
                b'0'..=b'9' => c.wrapping_sub(b'0'),
                b'a'..=b'f' => c.wrapping_sub(b'a').wrapping_add(10),
                b'A'..=b'F' => c.wrapping_sub(b'A').wrapping_add(10),
                _ => return Err(GuidError::NotHex { offset }),
            };
            // 32 digits of 4 bits: the shift never loses a digit.
            value = (value << 4) | u128::from(digit);
        }
        Ok(Self::from_u128(value))
    }
}

/// Reverses the byte order of `Data1`, `Data2` and `Data3` and keeps `Data4`: text (big-endian)
/// order to memory (little-endian) order and back.
const fn swap_fields(bytes: [u8; 16]) -> [u8; 16] {
    let [
        a0,
        a1,
        a2,
        a3,
        b0,
        b1,
        c0,
        c1,
        d0,
        d1,
        d2,
        d3,
        d4,
        d5,
        d6,
        d7,
    ] = bytes;
    [
        a3, a2, a1, a0, b1, b0, c1, c0, d0, d1, d2, d3, d4, d5, d6, d7,
    ]
}

/// Prints the registry/INF form, `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` in upper case; the
/// alternate form (`{:#}`) prints the bare lower-case form that SDDL and `uuidgen` use.
impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [d0, d1, d2, d3, d4, d5, d6, d7] = self.data4;
        if f.alternate() {
            write!(
                f,
                "{:08x}-{:04x}-{:04x}-{d0:02x}{d1:02x}-{d2:02x}{d3:02x}{d4:02x}{d5:02x}{d6:02x}{d7:02x}",
                self.data1, self.data2, self.data3
            )
        } else {
            write!(
                f,
                "{{{:08X}-{:04X}-{:04X}-{d0:02X}{d1:02X}-{d2:02X}{d3:02X}{d4:02X}{d5:02X}{d6:02X}{d7:02X}}}",
                self.data1, self.data2, self.data3
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::ToString;

    #[test]
    fn fields_follow_the_text_form() {
        // FWPM_LAYER_ALE_AUTH_CONNECT_V4 as the SDK's DEFINE_GUID spells it.
        let g = Guid::from_u128(0xc38d57d1_05a7_4c33_904f_7fbceee60e82);
        assert_eq!(g.data1(), 0xc38d_57d1);
        assert_eq!(g.data2(), 0x05a7);
        assert_eq!(g.data3(), 0x4c33);
        assert_eq!(g.data4(), [0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82]);
        assert_eq!(g.to_u128(), 0xc38d57d1_05a7_4c33_904f_7fbceee60e82);
        assert_eq!(
            g,
            Guid::from_fields(
                0xc38d_57d1,
                0x05a7,
                0x4c33,
                [0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82]
            )
        );
    }

    #[test]
    fn little_endian_bytes_are_the_windows_memory_layout() {
        // bf967aba-0de6-11d0-a285-00aa003049e2 (the AD "user" class) as an object ACE stores it.
        let g = Guid::from_u128(0xbf967aba_0de6_11d0_a285_00aa003049e2);
        let bytes = [
            0xba, 0x7a, 0x96, 0xbf, 0xe6, 0x0d, 0xd0, 0x11, 0xa2, 0x85, 0x00, 0xaa, 0x00, 0x30,
            0x49, 0xe2,
        ];
        assert_eq!(g.to_le_bytes(), bytes);
        assert_eq!(Guid::from_le_bytes(bytes), g);
    }

    #[test]
    fn display_both_forms() {
        let g = Guid::from_u128(0x57465043_616c_6c6f_7574_5f636c617373);
        assert_eq!(g.to_string(), "{57465043-616C-6C6F-7574-5F636C617373}");
        assert_eq!(format!("{g:#}"), "57465043-616c-6c6f-7574-5f636c617373");
    }

    #[test]
    fn parse_round_trips_and_accepts_braces_and_case() {
        let g = Guid::from_u128(0x435acc9a_27a2_4542_9817_708906506374);
        assert_eq!(Guid::parse(&g.to_string()), Ok(g));
        assert_eq!(Guid::parse(&format!("{g:#}")), Ok(g));
        assert_eq!(Guid::parse("435ACC9A-27a2-4542-9817-708906506374"), Ok(g));
        assert_eq!(
            Guid::parse_bare(b"435acc9a-27a2-4542-9817-708906506374"),
            Ok(g)
        );
        assert_eq!(
            Guid::parse_bare(b"{435acc9a-27a2-4542-9817-708906506374}"),
            Err(GuidError::Length { found: 38 })
        );
    }

    #[test]
    fn parse_errors_name_the_place() {
        assert_eq!(
            Guid::parse("435acc9a-27a2-4542-9817-70890650637"),
            Err(GuidError::Length { found: 35 })
        );
        assert_eq!(
            Guid::parse("435acc9a_27a2-4542-9817-708906506374"),
            Err(GuidError::Separator { offset: 8 })
        );
        assert_eq!(
            Guid::parse("{435acc9a-27a2-4542-9817-708906506374)"),
            Err(GuidError::Separator { offset: 37 })
        );
        assert_eq!(
            Guid::parse("{435acc9a-27a2-4542-9817-70890650637g}"),
            Err(GuidError::NotHex { offset: 36 })
        );
        // A non-ASCII character: its first byte is not a hex digit.
        assert_eq!(
            Guid::parse("435acc9a-27a2-4542-9817-7089065063\u{e9}"),
            Err(GuidError::NotHex { offset: 34 })
        );
        assert_eq!(GuidError::NotHex { offset: 34 }.offset(), 34);
    }
}
