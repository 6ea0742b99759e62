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

/// Digit pairs for every pair of bytes: entry `b0 | b1 << 8` holds the four digits of `b0 b1`
/// as a little-endian `u32`. 256 KiB, built once on first use; it halves the instructions per
/// byte of the one-byte table (one load, one table load, one store per *two* input bytes).
fn quad_table() -> &'static [u32; 65536] {
    static TABLE: std::sync::OnceLock<Box<[u32; 65536]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let quads: Vec<u32> = (0..=u16::MAX)
            .map(|i| {
                let [lo, hi] = i.to_le_bytes();
                let [d0, d1] = PAIRS[usize::from(lo)];
                let [d2, d3] = PAIRS[usize::from(hi)];
                u32::from_le_bytes([d0, d1, d2, d3])
            })
            .collect();
        // 65,536 entries by construction.
        quads
            .into_boxed_slice()
            .try_into()
            .unwrap_or_else(|_| unreachable!())
    })
}

/// Writes the lowercase hex form of `bytes` into `out`, which must be exactly twice as long.
pub(crate) fn encode_to_slice(bytes: &[u8], out: &mut [u8]) {
    debug_assert_eq!(out.len(), 2 * bytes.len());
    let table = quad_table();
    let quad = |pair: u64| table[(pair & 0xFFFF) as usize].to_le_bytes();
    // Eight input bytes at a time: one load, four table loads, four stores.
    let (src8, rest) = bytes.as_chunks::<8>();
    let (dst16, dst_rest) = out.as_chunks_mut::<16>();
    for (dst, src) in dst16.iter_mut().zip(src8) {
        let word = u64::from_le_bytes(*src);
        let [q0, q1, q2, q3] = [
            quad(word),
            quad(word >> 16),
            quad(word >> 32),
            quad(word >> 48),
        ];
        *dst = [
            q0[0], q0[1], q0[2], q0[3], q1[0], q1[1], q1[2], q1[3], q2[0], q2[1], q2[2], q2[3],
            q3[0], q3[1], q3[2], q3[3],
        ];
    }
    for (dst, &byte) in dst_rest.as_chunks_mut::<2>().0.iter_mut().zip(rest) {
        *dst = PAIRS[usize::from(byte)];
    }
}

/// Appends the lowercase hex form of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + 2 * bytes.len(), 0);
    encode_to_slice(bytes, &mut out[start..]);
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
    let mut i = 0u8;
    while i < 10 {
        t[(b'0' + i) as usize] = i;
        i += 1;
    }
    let mut i = 0u8;
    while i < 6 {
        t[(b'a' + i) as usize] = 10 + i;
        t[(b'A' + i) as usize] = 10 + i;
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
    if !text.len().is_multiple_of(2) {
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
        // Odd lengths take the one-byte path for the last byte.
        assert_eq!(encode(&[0xab, 0xcd, 0xef]), "abcdef");
        assert_eq!(encode(&[0x0f]), "0f");
        assert_eq!(encode(&[]), "");
        let pairs: Vec<u8> = (0..=u16::MAX).flat_map(u16::to_be_bytes).collect();
        let text2 = encode(&pairs);
        assert_eq!(&text2[..12], "000000010002");
        assert_eq!(&text2[text2.len() - 8..], "fffeffff");
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
        assert_eq!(
            decode_into(b"000", &mut v),
            Err(HexError::OddLength { len: 3 })
        );
        assert_eq!(
            HexError::NotHex { at: 3 }.to_string(),
            "at character 3: not a hex digit"
        );
    }
}
