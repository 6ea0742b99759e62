//! Text in and out: the cursor of the parsers, and the number writers of the formatter.
//!
//! Numbers are parsed straight from the bytes (no intermediate strings), digit by digit with
//! `char::to_digit` and checked arithmetic; every position is a byte offset, which equals the
//! character offset up to the first non-ASCII character, the only place a parse can stop at
//! one.

use crate::codec::Sink;
use crate::error::{Error, ErrorKind, Expected, internal};

/// A position in text; reads never panic (past the end, `peek` is `None`).
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    /// The text from `pos` on.
    rest: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) const fn new(s: &'a [u8]) -> Self {
        Self { rest: s, pos: 0 }
    }

    /// A cursor at `pos`, an offset an earlier cursor over `s` was at.
    pub(crate) fn at(s: &'a [u8], pos: usize) -> Result<Self, Error> {
        let rest = s.get(pos..).ok_or_else(internal)?;
        Ok(Self { rest, pos })
    }

    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) const fn at_end(&self) -> bool {
        self.rest.is_empty()
    }

    /// The text from the cursor on.
    pub(crate) const fn rest(&self) -> &'a [u8] {
        self.rest
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.rest.get(ahead).copied()
    }

    /// The next two bytes, if there are two.
    pub(crate) fn peek2(&self) -> Option<[u8; 2]> {
        self.rest.first_chunk().copied()
    }

    /// Moves forward by `n`; callers only skip bytes they have just looked at, so `n` never
    /// exceeds what is left (if it did, the cursor would stay put and the parse fail there).
    pub(crate) fn advance(&mut self, n: usize) {
        if let (Some(rest), Some(pos)) = (self.rest.get(n..), self.pos.checked_add(n)) {
            self.rest = rest;
            self.pos = pos;
        }
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
    pub(crate) fn decimal_u32(&mut self) -> Result<u32, Error> {
        // Eleven digits tell a `u32` from a larger number and keep the value below 10^11,
        // so the arithmetic cannot wrap.
        let mut value = 0u64;
        let mut digits = 0usize;
        for &b in self.rest.iter().take(11) {
            let Some(d) = char::from(b).to_digit(10) else {
                break;
            };
            value = value.wrapping_mul(10).wrapping_add(u64::from(d));
            digits = digits.wrapping_add(1);
        }
        match (digits, self.rest) {
            (0, _) => Err(self.err(ErrorKind::Expected(Expected::Digit))),
            (2.., [b'0', ..]) => Err(self.err(ErrorKind::LeadingZero)),
            _ => {
                let v = u32::try_from(value).map_err(|_| self.err(ErrorKind::NumberTooLarge))?;
                self.advance(digits);
                Ok(v)
            }
        }
    }

    /// 1 to `max_digits` (at most 15) hexadecimal digits, either case; more digits are
    /// `NumberTooLarge` at the number's `0x` (two bytes before the digits).
    pub(crate) fn hex(&mut self, max_digits: usize) -> Result<u64, Error> {
        // One digit more than allowed tells a number that is too long; 16 digits fit a u64.
        let mut value = 0u64;
        let mut digits = 0usize;
        for &b in self.rest.iter().take(max_digits.min(15).wrapping_add(1)) {
            let Some(d) = char::from(b).to_digit(16) else {
                break;
            };
            value = (value << 4) | u64::from(d);
            digits = digits.wrapping_add(1);
        }
        if digits == 0 {
            return Err(self.err(ErrorKind::Expected(Expected::HexDigit)));
        }
        if digits > max_digits {
            // Callers read hex only after `0x`, so `pos` is at least 2.
            return Err(Error::new(
                self.pos.saturating_sub(2),
                ErrorKind::NumberTooLarge,
            ));
        }
        self.advance(digits);
        Ok(value)
    }
}

/// The two-digit strings `"00"` to `"99"`: the decimal writer emits two digits per division.
static DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0u8;
    while i < 100 {
        // Compile-time table: an index out of range or an overflow fails the build.
        #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
        {
            t[i as usize] = [b'0' + i / 10, b'0' + i % 10];
            i += 1;
        }
    }
    t
};

/// Writes `v` in decimal into `buf` so that it ends at `end`; returns where it starts, or
/// `None` when it does not fit. Numbers are written from their last digit back, two digits
/// per table lookup and four per division by 10,000 (as the `itoa` crate does), so no digit
/// count is needed first.
pub(crate) fn decimal_before(buf: &mut [u8], end: usize, v: u32) -> Option<usize> {
    let pair = |n: u32| DIGIT_PAIRS.get(usize::try_from(n).ok()?).copied();
    let mut head = buf.get_mut(..end)?;
    let mut v = v;
    while v >= 10_000 {
        let (rest, four) = head.split_last_chunk_mut::<4>()?;
        let low = v % 10_000;
        let (high_pair, low_pair) = (pair(low / 100)?, pair(low % 100)?);
        let ([d0, d1], [d2, d3]) = (high_pair, low_pair);
        *four = [d0, d1, d2, d3];
        head = rest;
        v /= 10_000;
    }
    while v >= 10 {
        let (rest, two) = head.split_last_chunk_mut::<2>()?;
        *two = pair(v % 100)?;
        head = rest;
        v /= 100;
    }
    // A leading single digit (or the number 0).
    if v != 0 || head.len() == end {
        let (digit, rest) = head.split_last_mut()?;
        // `v` is below 10, so OR-ing it into `'0'` (0x30) adds it.
        let [d, ..] = v.to_le_bytes();
        *digit = b'0' | d;
        head = rest;
    }
    Some(head.len())
}

/// Writes `v` in lowercase hexadecimal without leading zeros, but at least `min_digits`
/// digits, into `buf` so that it ends at `end`; returns where it starts.
pub(crate) fn hex_before(buf: &mut [u8], end: usize, v: u64, min_digits: usize) -> Option<usize> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut at = end;
    let mut v = v;
    loop {
        at = at.checked_sub(1)?;
        let [d, ..] = (v & 0xf).to_le_bytes();
        *buf.get_mut(at)? = *DIGITS.get(usize::from(d))?;
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    while end.checked_sub(at)? < min_digits {
        at = at.checked_sub(1)?;
        *buf.get_mut(at)? = b'0';
    }
    Some(at)
}

/// Appends `v` in lowercase hexadecimal without leading zeros.
pub(crate) fn put_hex<S: Sink>(s: &mut S, v: u32) -> Result<(), Error> {
    let mut buf = [0u8; 8];
    let at = hex_before(&mut buf, 8, v.into(), 1).ok_or_else(internal)?;
    s.put(buf.get(at..).ok_or_else(internal)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_every_length() {
        // Every length 1..=11, with each terminator, against `str::parse`.
        let digits = "4294967295123";
        for len in 1..=11 {
            for tail in ["", ";", ")", "-1", ":x"] {
                let text = std::format!("{}{tail}", &digits[..len]);
                let want: u64 = digits[..len].parse().unwrap();
                let mut c = Cursor::new(text.as_bytes());
                match u32::try_from(want) {
                    Ok(w) => {
                        assert_eq!(c.decimal_u32(), Ok(w), "{text}");
                        assert_eq!(c.pos(), len);
                    }
                    Err(_) => assert_eq!(
                        c.decimal_u32(),
                        Err(Error::new(0, ErrorKind::NumberTooLarge)),
                        "{text}"
                    ),
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
            Cursor::at(b"0x123456789", 2).unwrap().hex(8).unwrap_err(),
            Error::new(0, ErrorKind::NumberTooLarge)
        );
    }
}
