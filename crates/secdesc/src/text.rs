//! A byte cursor over ASCII text, shared by the SID and SDDL parsers.
//!
//! Numbers are parsed straight from the bytes (no intermediate strings); every position is a
//! byte offset, which equals the character offset up to the first non-ASCII character, the only
//! place a parse can stop at one.

use crate::error::{Error, ErrorKind, Expected};

/// A position in text; reads never panic (past the end, `peek` is `None`).
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) const fn new(s: &'a [u8]) -> Self {
        Self { s, pos: 0 }
    }

    pub(crate) const fn at(s: &'a [u8], pos: usize) -> Self {
        Self { s, pos }
    }

    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    /// The text from the cursor on.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.s.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.s.get(self.pos.wrapping_add(ahead)).copied()
    }

    /// The next two bytes, if there are two.
    pub(crate) fn peek2(&self) -> Option<[u8; 2]> {
        match self.s.get(self.pos..self.pos.wrapping_add(2)) {
            Some(&[a, b]) => Some([a, b]),
            _ => None,
        }
    }

    /// Moves forward by `n` (callers only skip bytes they have just looked at).
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.advance(1);
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, b: u8) -> Result<(), Error> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.err(ErrorKind::Expected(Expected::Char(b))))
        }
    }

    pub(crate) const fn err(&self, kind: ErrorKind) -> Error {
        Error::new(self.pos, kind)
    }

    /// A decimal number fitting a `u32`: no leading zero (a lone `0` is fine).
    #[inline]
    pub(crate) fn decimal_u32(&mut self) -> Result<u32, Error> {
        match fast_decimal(self.rest()) {
            Some((v, n)) => {
                self.advance(n);
                Ok(v)
            }
            None => Err(self.decimal_error()),
        }
    }

    /// The precise error for a number [`fast_decimal`] refused.
    #[cold]
    fn decimal_error(&self) -> Error {
        let rest = self.rest();
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let kind = if digits == 0 {
            ErrorKind::Expected(Expected::Digit)
        } else if digits > 1 && rest.first() == Some(&b'0') {
            ErrorKind::LeadingZero
        } else {
            ErrorKind::NumberTooLarge
        };
        self.err(kind)
    }

    /// 1 to `max_digits` hexadecimal digits (either case); more digits are `NumberTooLarge`
    /// at the number's `0x` (two bytes before the digits).
    pub(crate) fn hex(&mut self, max_digits: usize) -> Result<u64, Error> {
        let start = self.pos;
        let rest = self.s.get(start..).unwrap_or(&[]);
        let mut v: u64 = 0;
        let mut digits = 0usize;
        for &b in rest.iter().take(max_digits.saturating_add(1)) {
            let d = hex_digit(b);
            if d > 15 {
                break;
            }
            // At most 13 digits (52 bits) are accumulated.
            v = (v << 4) | u64::from(d);
            digits = digits.wrapping_add(1);
        }
        if digits == 0 {
            return Err(Error::new(start, ErrorKind::Expected(Expected::HexDigit)));
        }
        if digits > max_digits {
            return Err(Error::new(
                start.saturating_sub(2),
                ErrorKind::NumberTooLarge,
            ));
        }
        self.pos = start.wrapping_add(digits);
        Ok(v)
    }
}

/// Hexadecimal digit values; 0xff for other bytes. Built at compile time, where an index out
/// of range fails the build, so the indexing cannot panic at run time.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
static HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
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

/// The value of a hexadecimal digit, or a value above 15.
#[inline]
pub(crate) fn hex_digit(b: u8) -> u8 {
    HEX.get(usize::from(b)).copied().unwrap_or(0xff)
}

/// Reads 1 to 8 hexadecimal digits (either case) at the start of 8 bytes: the value and the
/// digit count, or `None` when the first byte is not a digit. The caller checks what follows
/// (a ninth digit is then not the `;` it wants).
///
/// SWAR, like [`swar_decimal`]: one word, a carry-free range test per byte for `0-9` and
/// (lowercased) `a-f`, the digit run shifted to the word's top, and its nibbles gathered in
/// three shift-or-mask steps.
#[inline]
pub(crate) fn swar_hex(chunk: [u8; 8]) -> Option<(u32, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = u64::from_le_bytes(chunk);
    // For a byte b <= 0x7f, b + (0x80 - lo) has its high bit set exactly when b >= lo and
    // does not carry out of its byte; non-ASCII bytes (which may carry) are not digits and
    // only bytes above them, which do not matter, can be misjudged.
    let at_least =
        |v: u64, lo: u8| v.wrapping_add(ONES.wrapping_mul(u64::from(0x80u8.wrapping_sub(lo))));
    let lower = x | 0x2020_2020_2020_2020;
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let alpha = at_least(lower, b'a') & !at_least(lower, b'f' + 1) & HIGH;
    let hex = (digit | alpha) & !x & HIGH;
    // 0..=8 digits.
    let n = (!hex & HIGH).trailing_zeros() / 8;
    if n == 0 {
        return None;
    }
    // Nibble values: the low nibble, plus 9 for a letter (`a` is 0x61 or 0x41).
    let nibbles = (x & 0x0f0f_0f0f_0f0f_0f0f).wrapping_add((alpha >> 7).wrapping_mul(9));
    // 1 <= n <= 8: a shift of 0..=56 bits puts the last digit in the top byte.
    let t = nibbles.wrapping_shl(64u32.wrapping_sub(n.wrapping_mul(8)));
    // Bytes 2k: digit 2k, digit 2k + 1; then 16-bit groups, then the 32-bit value.
    let t = ((t << 4) | (t >> 8)) & 0x00ff_00ff_00ff_00ff;
    let t = ((t << 8) | (t >> 16)) & 0x0000_ffff_0000_ffff;
    let v = (t << 16) | (t >> 32);
    Some((u32::try_from(v & 0xffff_ffff).unwrap_or(0), n as usize))
}

/// Reads a decimal `u32` (no leading zero, a lone `0` is fine) at the start of `s`: its value
/// and digit count, or `None` for anything else ([`Cursor::decimal_u32`] then names the error).
///
/// Hot path of SDDL encoding (six numbers per domain SID): where 8 bytes are available it
/// reads 16 bytes as two words, finds the digit runs and converts each run of up to 8 digits
/// with three multiplications (SWAR, as in D. Lemire's "fast number parsing"); numbers within
/// 16 bytes of the end of the input take a byte loop.
#[inline]
pub(crate) fn fast_decimal(s: &[u8]) -> Option<(u32, usize)> {
    match s.first_chunk::<16>() {
        Some(chunk) => swar_decimal(chunk).map(|(v, n, _)| (v, n)),
        None => slow_decimal(s),
    }
}

/// [`fast_decimal`] over 16 bytes of look-ahead (a `u32` has at most 10 digits), also
/// returning the byte after the number (always within the 16), so a caller can check a
/// separator without another bounds-checked read.
///
/// The first 8 bytes are one word: its digit run is found with one carry-free test per byte
/// ([`non_digits`]). A run that ends inside the word is shifted to the word's top (so the
/// bytes after it, whatever they hold, fall out) and converted with [`eight_digits`]. A run
/// of 8 digits or more is converted whole, and the next word says how many of its bytes (0,
/// 1 or 2; more is too many for a `u32`) extend it. The value of 9 or 10 digits is formed in
/// a `u64`, where it cannot overflow, and checked against `u32::MAX` once.
// Inlined into the SID readers: a call per number would add its register traffic to each.
#[allow(clippy::inline_always)]
#[inline(always)]
pub(crate) fn swar_decimal(chunk: &[u8; 16]) -> Option<(u32, usize, u8)> {
    let (lo, hi) = split16(chunk);
    // Byte i is byte i of the text minus '0' (a borrow reaches only bytes above a non-digit,
    // and the first non-digit itself is exact).
    let t = lo.wrapping_sub(ASCII_ZEROS);
    let first = t & 0xff;
    let nd = non_digits(t);
    if nd != 0 {
        // 0..=7 digits.
        let n = nd.trailing_zeros() / 8;
        if n == 0 || (n > 1 && first == 0) {
            return None; // no digit, or a leading zero
        }
        let next = byte(t.wrapping_shr(n.wrapping_mul(8)));
        // 1 <= n <= 7: a shift of 8..=56 bits puts the last digit in the top byte.
        let aligned = t.wrapping_shl(64u32.wrapping_sub(n.wrapping_mul(8)));
        return Some((eight_digits(aligned), n as usize, next.wrapping_add(b'0')));
    }
    if first == 0 {
        return None; // a leading zero
    }
    let head = u64::from(eight_digits(t));
    let u = hi.wrapping_sub(ASCII_ZEROS);
    let m = non_digits(u).trailing_zeros() / 8;
    // head <= 99,999,999, so each result below is at most 9,999,999,999.
    let v = match m {
        0 => head,
        1 => head.wrapping_mul(10).wrapping_add(u & 0xff),
        2 => head
            .wrapping_mul(100)
            .wrapping_add((u & 0xff).wrapping_mul(10))
            .wrapping_add(u >> 8 & 0xff),
        _ => return None, // eleven digits or more
    };
    let next = byte(u.wrapping_shr(m.wrapping_mul(8)));
    Some((
        u32::try_from(v).ok()?,
        (m as usize).wrapping_add(8),
        next.wrapping_add(b'0'),
    ))
}

/// The low byte of `v`.
#[inline]
const fn byte(v: u64) -> u8 {
    v.to_le_bytes()[0]
}

/// The two little-endian words of 16 bytes.
#[inline]
fn split16(chunk: &[u8; 16]) -> (u64, u64) {
    let (lo, hi) = chunk.split_at(8);
    let word = |b: &[u8]| b.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w));
    (word(lo), word(hi))
}

const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;

/// The high bit of each byte of `t` (ASCII minus `'0'` per byte) that is not a digit: a byte
/// is a digit when it is 0..=9, i.e. neither it nor it + 0x76 has its high bit set. Borrows
/// and carries only move upwards, so the lowest non-digit is found exactly (bytes above it
/// may be misjudged, and never matter).
#[inline]
const fn non_digits(t: u64) -> u64 {
    (t | t.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
}

/// The byte-at-a-time reader for numbers near the end of the input.
fn slow_decimal(s: &[u8]) -> Option<(u32, usize)> {
    let mut v = 0u64;
    let mut digits = 0usize;
    // Eleven digits tell a u32 from a larger number and keep `v` below 10^11.
    for &b in s.iter().take(11) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v.wrapping_mul(10).wrapping_add(u64::from(d));
        digits = digits.wrapping_add(1);
    }
    if digits == 0 || (digits > 1 && s.first() == Some(&b'0')) {
        return None;
    }
    Some((u32::try_from(v).ok()?, digits))
}

/// Converts 8 digit values (0..=9, one per byte, most significant in the lowest byte) to
/// their number. All arithmetic wraps by design and cannot exceed 99,999,999.
fn eight_digits(t: u64) -> u32 {
    const MASK: u64 = 0x0000_00ff_0000_00ff;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let pairs = t.wrapping_mul(10).wrapping_add(t >> 8);
    let v = (pairs & MASK)
        .wrapping_mul(MUL1)
        .wrapping_add(((pairs >> 16) & MASK).wrapping_mul(MUL2))
        >> 32;
    u32::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_fast_and_slow_paths_agree() {
        // Every length 1..=11, with and without 8 bytes of look-ahead, and each terminator.
        let digits = b"4294967295123";
        for len in 1..=11 {
            for tail in [&b""[..], b";", b")", b"-1-2-3-4-5-6-7", b"/", b":xxxxxxxx"] {
                let mut text = [0u8; 32];
                text[..len].copy_from_slice(&digits[..len]);
                text[len..len + tail.len()].copy_from_slice(tail);
                let text = &text[..len + tail.len()];
                let want: u64 = core::str::from_utf8(&digits[..len])
                    .unwrap()
                    .parse()
                    .unwrap();
                let mut c = Cursor::new(text);
                match u32::try_from(want) {
                    Ok(w) => {
                        assert_eq!(c.decimal_u32(), Ok(w), "{text:?}");
                        assert_eq!(c.pos(), len);
                    }
                    Err(_) => assert_eq!(
                        c.decimal_u32(),
                        Err(Error::new(0, ErrorKind::NumberTooLarge)),
                        "{text:?}"
                    ),
                }
            }
        }
        assert_eq!(Cursor::new(b"12345678;;;;;;").decimal_u32(), Ok(12_345_678));
        assert_eq!(Cursor::new(b"0;;;;;;;;").decimal_u32(), Ok(0));
        assert_eq!(
            Cursor::new(b"01;;;;;;;").decimal_u32().unwrap_err().kind,
            ErrorKind::LeadingZero
        );
        assert_eq!(
            Cursor::new(b"99999999999999999999")
                .decimal_u32()
                .unwrap_err()
                .kind,
            ErrorKind::NumberTooLarge
        );
    }

    fn check_decimal(c: &[u8; 16]) {
        let want = slow_decimal(c).map(|(v, n)| (v, n, c[n]));
        assert_eq!(swar_decimal(c), want, "{c:?}");
    }

    /// The SWAR readers against byte loops: every byte value at every position of a digit
    /// run, so every run length and every terminator (non-ASCII bytes included).
    #[test]
    fn swar_readers_match_byte_loops() {
        let hex_ref = |c: &[u8; 8]| -> Option<(u32, usize)> {
            let n = c.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            let v = c[..n]
                .iter()
                .fold(0u32, |v, &b| (v << 4) | u32::from(hex_digit(b)));
            (n > 0).then_some((v, n))
        };
        for base in [*b"1234abCD", *b"fFfFfFfF", *b"00000000", *b"9a0B1c2D"] {
            for p in 0..8 {
                for b in 0..=255u8 {
                    let mut c = base;
                    c[p] = b;
                    assert_eq!(swar_hex(c), hex_ref(&c), "{c:?}");
                }
            }
        }
        for base in [
            *b"1234567890123456",
            *b"4294967295999999",
            *b"4294967296000000",
            *b"0000000000000000",
            *b"9999999999999999",
        ] {
            for p in 0..16 {
                for b in 0..=255u8 {
                    let mut c = base;
                    c[p] = b;
                    check_decimal(&c);
                    // And with the run cut short at every length.
                    for q in 0..p {
                        let mut d = c;
                        d[q] = b'-';
                        check_decimal(&d);
                    }
                }
            }
        }
    }

    #[test]
    fn numbers() {
        let mut c = Cursor::new(b"4294967295-");
        assert_eq!(c.decimal_u32(), Ok(u32::MAX));
        assert_eq!(c.peek(), Some(b'-'));
        assert_eq!(Cursor::new(b"0").decimal_u32(), Ok(0));
        assert_eq!(
            Cursor::new(b"00").decimal_u32().unwrap_err().kind,
            ErrorKind::LeadingZero
        );
        assert_eq!(
            Cursor::new(b"x").decimal_u32().unwrap_err().kind,
            ErrorKind::Expected(Expected::Digit)
        );
        assert_eq!(Cursor::new(b"1f01FF;").hex(8), Ok(0x001f_01ff));
        assert_eq!(
            Cursor::at(b"0x123456789", 2).hex(8).unwrap_err(),
            Error::new(0, ErrorKind::NumberTooLarge)
        );
    }
}
