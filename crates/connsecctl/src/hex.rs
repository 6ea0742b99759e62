//! Hex encoding and decoding for descriptor bytes.
//!
//! Hand-written and table-driven because `sddl encode` is measured in instructions per output
//! byte (issue 2): a 256-entry table of ready-made digit pairs turns each input byte into one
//! table load and one two-byte store, into a buffer the caller reuses across lines. The `hex`
//! crate formats through an iterator of chars (several times the instructions), and SIMD crates
//! would need `unsafe` or runtime feature detection in this crate.

/// Lowercase digit pairs for every byte value.
const PAIRS: [[u8; 2]; 256] = {
    let digits = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [digits[i >> 4], digits[i & 0xF]];
        i += 1;
    }
    t
};

/// Appends the lowercase hex form of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + 2 * bytes.len(), 0);
    for (pair, &b) in out[start..].chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&PAIRS[usize::from(b)]);
    }
}

/// The lowercase hex form of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut v = Vec::with_capacity(bytes.len() * 2);
    encode_into(bytes, &mut v);
    // Every byte written comes from PAIRS, which holds only ASCII digits.
    String::from_utf8(v).unwrap_or_default()
}

/// Value of a hex digit, or 0xFF.
const DIGIT: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Why hex text was refused; `at` is the 0-based character offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HexError {
    /// Not a hex digit at this offset.
    NotHex { at: usize },
    /// An odd number of digits.
    OddLength { len: usize },
}

impl core::fmt::Display for HexError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotHex { at } => write!(f, "at character {at}: not a hex digit"),
            Self::OddLength { len } => write!(f, "odd number of hex digits ({len})"),
        }
    }
}

impl core::error::Error for HexError {}

/// Replaces `out` with the bytes that the hex text `text` spells (either case).
pub(crate) fn decode_into(text: &[u8], out: &mut Vec<u8>) -> Result<(), HexError> {
    out.clear();
    if text.len() % 2 != 0 {
        // Report a bad digit first if there is one: it is the more precise message.
        if let Some(at) = text.iter().position(|&c| DIGIT[usize::from(c)] == 0xFF) {
            return Err(HexError::NotHex { at });
        }
        return Err(HexError::OddLength { len: text.len() });
    }
    out.reserve(text.len() / 2);
    for (i, pair) in text.chunks_exact(2).enumerate() {
        let hi = DIGIT[usize::from(pair[0])];
        let lo = DIGIT[usize::from(pair[1])];
        if hi == 0xFF {
            return Err(HexError::NotHex { at: 2 * i });
        }
        if lo == 0xFF {
            return Err(HexError::NotHex { at: 2 * i + 1 });
        }
        out.push(hi << 4 | lo);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert!(text.starts_with("000102"));
        assert!(text.ends_with("fdfeff"));
        let mut back = Vec::new();
        decode_into(text.as_bytes(), &mut back).unwrap();
        assert_eq!(back, all);
        decode_into(b"0A0b", &mut back).unwrap();
        assert_eq!(back, [10, 11]);
    }

    #[test]
    fn errors() {
        let mut v = Vec::new();
        assert_eq!(decode_into(b"0g", &mut v), Err(HexError::NotHex { at: 1 }));
        assert_eq!(decode_into(b"x00", &mut v), Err(HexError::NotHex { at: 0 }));
        assert_eq!(decode_into(b"000", &mut v), Err(HexError::OddLength { len: 3 }));
        assert_eq!(HexError::NotHex { at: 3 }.to_string(), "at character 3: not a hex digit");
    }
}
