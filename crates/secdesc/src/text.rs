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
    pub(crate) fn decimal_u32(&mut self) -> Result<u32, Error> {
        let start = self.pos;
        let mut v: u64 = 0;
        let mut digits = 0usize;
        while let Some(d) = self.peek().and_then(|b| char::from(b).to_digit(10)) {
            // At most 11 digits are accumulated before the check below stops the loop, so
            // `v` stays far below u64::MAX.
            v = v.wrapping_mul(10).wrapping_add(u64::from(d));
            digits = digits.wrapping_add(1);
            self.advance(1);
            if v > u64::from(u32::MAX) {
                return Err(Error::new(start, ErrorKind::NumberTooLarge));
            }
        }
        match digits {
            0 => Err(Error::new(start, ErrorKind::Expected(Expected::Digit))),
            1 => Ok(u32::try_from(v).unwrap_or(0)),
            _ if self.s.get(start) == Some(&b'0') => Err(Error::new(start, ErrorKind::LeadingZero)),
            _ => u32::try_from(v).map_err(|_| Error::new(start, ErrorKind::NumberTooLarge)),
        }
    }

    /// 1 to `max_digits` hexadecimal digits (either case); more digits are `NumberTooLarge`
    /// at the number's start (the caller's offset for the "0x").
    pub(crate) fn hex(&mut self, max_digits: usize) -> Result<u64, Error> {
        let start = self.pos;
        let mut v: u64 = 0;
        let mut digits = 0usize;
        while let Some(d) = self.peek().and_then(|b| char::from(b).to_digit(16)) {
            if digits >= max_digits {
                return Err(Error::new(
                    start.saturating_sub(2),
                    ErrorKind::NumberTooLarge,
                ));
            }
            // At most 12 digits (48 bits) are accumulated.
            v = (v << 4) | u64::from(d);
            digits = digits.wrapping_add(1);
            self.advance(1);
        }
        if digits == 0 {
            return Err(Error::new(start, ErrorKind::Expected(Expected::HexDigit)));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
