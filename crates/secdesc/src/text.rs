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
        let start = *self;
        if self.peek() == Some(b'0') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.err(ErrorKind::LeadingZero));
        }
        let mut value = None;
        while let Some(d) = self.peek().and_then(|b| char::from(b).to_digit(10)) {
            value = Some(
                value
                    .unwrap_or(0u32)
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(d))
                    .ok_or(start.err(ErrorKind::NumberTooLarge))?,
            );
            self.advance(1);
        }
        value.ok_or(start.err(ErrorKind::Expected(Expected::Digit)))
    }

    /// 1 to `max_digits` hexadecimal digits (either case); more digits are `NumberTooLarge`
    /// at the number's `0x` (two bytes before the digits).
    pub(crate) fn hex(&mut self, max_digits: usize) -> Result<u64, Error> {
        let digits = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if digits == 0 {
            return Err(self.err(ErrorKind::Expected(Expected::HexDigit)));
        }
        if digits > max_digits || digits > 16 {
            // Callers read hex only after `0x`, so `pos` is at least 2.
            return Err(Error::new(
                self.pos.saturating_sub(2),
                ErrorKind::NumberTooLarge,
            ));
        }
        // At most 16 digits, each checked above: the shifts never drop a set bit.
        let v = self
            .rest
            .iter()
            .take(digits)
            .try_fold(0u64, |v, &b| {
                Some((v << 4) | u64::from(char::from(b).to_digit(16)?))
            })
            .ok_or_else(internal)?;
        self.advance(digits);
        Ok(v)
    }
}

/// Appends `v` in decimal.
pub(crate) fn put_decimal<S: Sink>(w: &mut S, v: u32) -> Result<(), Error> {
    let mut digits = [0u8; 10];
    let mut v = v;
    let mut start = digits.len();
    for (i, slot) in digits.iter_mut().enumerate().rev() {
        // `v % 10` is below 10, so OR-ing it into `'0'` (0x30) adds it.
        let [d, ..] = (v % 10).to_le_bytes();
        *slot = b'0' | d;
        v /= 10;
        start = i;
        if v == 0 {
            break;
        }
    }
    w.put(digits.get(start..).ok_or_else(internal)?)
}

/// Appends `v` in lowercase hexadecimal without leading zeros, but at least `min_digits`
/// digits (at most 16).
pub(crate) fn put_hex<S: Sink>(w: &mut S, v: u64, min_digits: usize) -> Result<(), Error> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    let mut v = v;
    let mut start = digits.len();
    for (i, slot) in digits.iter_mut().enumerate().rev() {
        let [d, ..] = (v & 0xf).to_le_bytes();
        *slot = *DIGITS.get(usize::from(d)).ok_or_else(internal)?;
        v >>= 4;
        start = i;
        // Slots i..16 are written: at least `min_digits` of them once i + min_digits <= 16.
        if v == 0 && i.checked_add(min_digits).is_some_and(|end| end <= 16) {
            break;
        }
    }
    w.put(digits.get(start..).ok_or_else(internal)?)
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
