//! Test helpers: format into a fixed buffer without allocating.

use core::fmt;

/// A fixed-capacity `fmt::Write` sink.
pub(crate) struct Text {
    buf: [u8; 4096],
    len: usize,
}

impl Text {
    pub(crate) fn new() -> Self {
        Self {
            buf: [0; 4096],
            len: 0,
        }
    }

    pub(crate) fn of(v: &dyn fmt::Display) -> Self {
        let mut t = Self::new();
        fmt::write(&mut t, format_args!("{v}")).unwrap();
        t
    }

    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap()
    }
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
