//! Checked binary reading and writing, in the style of rustls' `msgs/codec.rs`: every read
//! goes through a [`Reader`] that hands out sub-slices or `None` (never an index that could be
//! out of range), and every write goes through a [`Writer`] whose arithmetic is checked and
//! which returns [`ErrorKind::Internal`](crate::ErrorKind::Internal) rather than write bytes
//! that would be wrong if an invariant ever failed to hold.
//!
//! The writer serves the encoders (binary output) and the SDDL formatter (ASCII output). It
//! writes what fits and keeps counting past the end of its buffer, so one pass both produces
//! the output and, on a short buffer, learns the exact size needed.

use core::fmt;

use crate::error::{Error, internal};

/// Reads fields from the front of a byte slice.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    used: usize,
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(bytes: &'a [u8]) -> Self {
        Self {
            rest: bytes,
            used: 0,
        }
    }

    /// Bytes read so far (the offset of the next field).
    pub(crate) const fn used(&self) -> usize {
        self.used
    }

    /// The bytes not read yet.
    pub(crate) const fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The next `n` bytes, or `None` (nothing read) when fewer are left.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        self.used = self.used.checked_add(n)?;
        self.rest = rest;
        Some(head)
    }

    /// The next `N` bytes as an array.
    pub(crate) fn take_array<const N: usize>(&mut self) -> Option<&'a [u8; N]> {
        let (head, rest) = self.rest.split_first_chunk::<N>()?;
        self.used = self.used.checked_add(N)?;
        self.rest = rest;
        Some(head)
    }

    pub(crate) fn u32_le(&mut self) -> Option<u32> {
        self.take_array().map(|&b| u32::from_le_bytes(b))
    }
}

/// Writes into a caller's buffer, counting past its end.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes written or counted so far.
    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    /// Appends `bytes` (only counts them where they do not fit).
    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.pos.checked_add(bytes.len()).ok_or_else(internal)?;
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
        Ok(())
    }

    /// The whole buffer and the position, for the fast path, which writes at offsets and then
    /// [`skip_to`](Self::skip_to)s the end of what it wrote.
    #[cfg(feature = "fast-sddl")]
    pub(crate) fn buf_and_pos(&mut self) -> (&mut [u8], usize) {
        (self.buf, self.pos)
    }

    /// Moves the position forward to `end` (bytes written through
    /// [`buf_and_pos`](Self::buf_and_pos)).
    #[cfg(feature = "fast-sddl")]
    pub(crate) fn skip_to(&mut self, end: usize) -> Result<(), Error> {
        if end < self.pos || end > self.buf.len() {
            return Err(internal());
        }
        self.pos = end;
        Ok(())
    }

    /// Appends `N` zero bytes for a header patched later; returns their offset.
    pub(crate) fn reserve<const N: usize>(&mut self) -> Result<usize, Error> {
        let at = self.pos;
        self.put(&[0; N])?;
        Ok(at)
    }

    /// Overwrites bytes already written (a header patched after its contents); patching
    /// past the position is an internal error.
    pub(crate) fn patch(&mut self, at: usize, bytes: &[u8]) -> Result<(), Error> {
        let end = at.checked_add(bytes.len()).ok_or_else(internal)?;
        if end > self.pos {
            return Err(internal());
        }
        if let Some(dst) = self.buf.get_mut(at..end) {
            dst.copy_from_slice(bytes);
        }
        Ok(())
    }

    /// Rotates the written bytes `start..end` right by `by` (when they fit: otherwise the
    /// output is only being counted).
    pub(crate) fn rotate_right(
        &mut self,
        start: usize,
        end: usize,
        by: usize,
    ) -> Result<(), Error> {
        let len = end.checked_sub(start).ok_or_else(internal)?;
        if end > self.pos || by > len {
            return Err(internal());
        }
        if let Some(region) = self.buf.get_mut(start..end) {
            region.rotate_right(by);
        }
        Ok(())
    }
}

/// Where the SDDL formatter writes text: a [`Writer`], or a `fmt::Write` behind a buffer.
pub(crate) trait Sink {
    /// Appends `bytes`; only a broken invariant of the sink is an error.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;
}

impl Sink for Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        Writer::put(self, bytes)
    }
}

/// The SDDL formatter writes GUIDs through their `Display`.
impl fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.put(s.as_bytes()).map_err(|_| fmt::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn reader_takes_only_what_is_there() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(r.take_array::<1>(), Some(&[1]));
        assert_eq!(r.u32_le(), Some(0x0504_0302));
        assert_eq!(r.used(), 5);
        assert_eq!(r.take(3), None);
        assert_eq!(r.u32_le(), None);
        assert_eq!(r.used(), 5);
        assert_eq!(r.take(2), Some(&[6, 7][..]));
        assert!(r.rest().is_empty());
    }

    #[test]
    fn writer_counts_past_the_end_and_refuses_bad_patches() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        let at = w.reserve::<2>().unwrap();
        w.put(&[7, 8, 9]).unwrap();
        assert_eq!(w.pos(), 5);
        w.patch(at, &[1, 2]).unwrap();
        let internal = Err(Error::new(0, ErrorKind::Internal));
        assert_eq!(w.patch(4, &[1, 2]), internal);
        assert_eq!(w.rotate_right(0, 6, 1), internal);
        w.rotate_right(0, 4, 1).unwrap();
        // [7, 8, 9] did not fit whole and was only counted.
        assert_eq!(buf, [0, 1, 2, 0]);
    }
}
