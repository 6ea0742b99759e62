//! A GUID with the Windows `GUID` field layout.
//!
//! Written here rather than taken from `secdesc::Guid`: the callout crate stands alone in the
//! dependency graph (docs/ARCHITECTURE.md: "`callout` stands alone"), and all it needs is a
//! `const` constructor, the four fields the driver copies into the bindgen `GUID`, and the
//! registry text form for tests and logs. A `u128` literal keeps each GUID readable in the source
//! exactly as `uuidgen` printed it (the same convention as windows-rs `GUID::from_u128`).

use core::fmt;

/// A GUID, laid out like the Windows `GUID` struct (`Data1`..`Data4`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Guid {
    /// `Data1`.
    pub data1: u32,
    /// `Data2`.
    pub data2: u16,
    /// `Data3`.
    pub data3: u16,
    /// `Data4`.
    pub data4: [u8; 8],
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

impl Guid {
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
        Self {
            data1: u32::from_be_bytes([a0, a1, a2, a3]),
            data2: u16::from_be_bytes([b0, b1]),
            data3: u16::from_be_bytes([c0, c1]),
            data4: [d0, d1, d2, d3, d4, d5, d6, d7],
        }
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

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with or without braces, any case.
    pub fn parse(text: &str) -> Result<Self, GuidError> {
        if let Some(offset) = text.chars().position(|c| !c.is_ascii()) {
            return Err(GuidError::NotHex { offset });
        }
        let bytes = text.as_bytes();
        let (inner, base) = match bytes {
            [b'{', inner @ .., last] if bytes.len() == 38 => {
                if *last != b'}' {
                    return Err(GuidError::Separator { offset: 37 });
                }
                (inner, 1usize)
            }
            _ if bytes.len() == 36 => (bytes, 0usize),
            _ => return Err(GuidError::Length { found: bytes.len() }),
        };
        let mut value: u128 = 0;
        for (i, &c) in inner.iter().enumerate() {
            let offset = base.saturating_add(i);
            if matches!(i, 8 | 13 | 18 | 23) {
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

/// Prints the registry/INF form, `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` in upper case; the
/// alternate form (`{:#}`) prints the bare lower-case form `uuidgen` prints.
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
        assert_eq!(g.data1, 0xc38d_57d1);
        assert_eq!(g.data2, 0x05a7);
        assert_eq!(g.data3, 0x4c33);
        assert_eq!(g.data4, [0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82]);
        assert_eq!(g.to_u128(), 0xc38d57d1_05a7_4c33_904f_7fbceee60e82);
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
        assert_eq!(
            Guid::parse("435acc9a-27a2-4542-9817-70890650637\u{e9}"),
            Err(GuidError::NotHex { offset: 35 })
        );
    }
}
