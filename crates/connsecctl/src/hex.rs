//! Hex encoding and decoding of descriptor bytes: the `faster-hex` crate (SIMD with runtime
//! CPU detection, scalar elsewhere) for both directions; only the position of a bad digit,
//! which `faster-hex` does not report, is found here.

/// Writes the lowercase hex form of `bytes` into `out`, which is exactly twice as long.
pub(crate) fn encode_to_slice(bytes: &[u8], out: &mut [u8]) {
    // Fails only on a wrong output length, which the callers size exactly.
    let _ = faster_hex::hex_encode(bytes, out);
}

/// The lowercase hex form of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    faster_hex::hex_string(bytes)
}

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
    out.resize(text.len() / 2, 0);
    decode_to_slice(text, out).inspect_err(|_| out.clear())
}

/// Writes the bytes that the hex text `text` spells (either case) into `out`, which must be
/// `text.len() / 2` bytes long (the batch decoder reuses one buffer without zeroing it per
/// line: every byte is written on success). On an error `out` holds no meaning.
pub(crate) fn decode_to_slice(text: &[u8], out: &mut [u8]) -> Result<(), HexError> {
    if text.len().is_multiple_of(2)
        && out.len() == text.len() / 2
        && faster_hex::hex_decode(text, out).is_ok()
    {
        return Ok(());
    }
    // A bad digit first if there is one: it is the more precise message.
    match text.iter().position(|c| !c.is_ascii_hexdigit()) {
        Some(at) => Err(HexError::NotHex { at }),
        None => Err(HexError::OddLength { len: text.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert_eq!(encode(&[0xab, 0xcd, 0xef]), "abcdef");
        assert_eq!(encode(&[]), "");
        assert!(text.starts_with("000102"));
        assert!(text.ends_with("fdfeff"));
        let mut slice = vec![0u8; 2 * all.len()];
        encode_to_slice(&all, &mut slice);
        assert_eq!(slice, text.as_bytes());
        let mut back = Vec::new();
        decode_into(text.as_bytes(), &mut back).unwrap();
        assert_eq!(back, all);
        decode_into(text.to_uppercase().as_bytes(), &mut back).unwrap();
        assert_eq!(back, all);
        decode_into(b"0A0b", &mut back).unwrap();
        assert_eq!(back, [10, 11]);
    }

    #[test]
    fn errors() {
        let mut v = Vec::new();
        assert_eq!(decode_into(b"0g", &mut v), Err(HexError::NotHex { at: 1 }));
        assert_eq!(decode_into(b"x00", &mut v), Err(HexError::NotHex { at: 0 }));
        assert_eq!(
            decode_into(b"000", &mut v),
            Err(HexError::OddLength { len: 3 })
        );
        // Long enough for the SIMD decoder, bad digit near the end.
        let mut long = vec![b'a'; 96];
        long[93] = b' ';
        assert_eq!(decode_into(&long, &mut v), Err(HexError::NotHex { at: 93 }));
        assert!(v.is_empty());
        assert_eq!(
            HexError::NotHex { at: 3 }.to_string(),
            "at character 3: not a hex digit"
        );
    }
}
