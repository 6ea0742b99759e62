//! The output cursor of the encoders: writes what fits and keeps counting past the end, so one
//! pass both encodes and, on a short buffer, learns the exact size needed.

use crate::sid::Sid;

pub(crate) struct Out<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Out<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes written or counted so far.
    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes written so far and, when they all fit, the next `n` bytes (to be written and then
    /// [`skip`](Self::skip)ped), so output can be copied forward into the spare bytes.
    pub(crate) fn written_and_spare(&mut self, n: usize) -> Option<(&[u8], &mut [u8])> {
        let (written, rest) = self.buf.split_at_mut_checked(self.pos)?;
        Some((written, rest.get_mut(..n)?))
    }

    /// Moves past `n` bytes written through [`written_and_spare`](Self::written_and_spare) (or
    /// only counted).
    pub(crate) fn skip(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    /// Moves back over `n` bytes just written.
    pub(crate) fn unput(&mut self, n: usize) {
        self.pos = self.pos.saturating_sub(n);
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }

    pub(crate) fn put_sid(&mut self, sid: &Sid) {
        let n = sid.encoded_len();
        let end = self.pos.saturating_add(n);
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            sid.write_exact(dst);
        }
        self.pos = end;
    }

    /// Rotates the written bytes `start..end` right by `by` (no-op when they do not all fit,
    /// as the encode then fails with `BufferTooSmall` anyway).
    pub(crate) fn rotate_right(&mut self, start: usize, end: usize, by: usize) {
        if let Some(region) = self.buf.get_mut(start..end)
            && by <= region.len()
        {
            region.rotate_right(by);
        }
    }

    /// Overwrites bytes already passed (header fields patched after their contents).
    pub(crate) fn patch(&mut self, at: usize, bytes: &[u8]) {
        if let Some(dst) = self.buf.get_mut(at..at.saturating_add(bytes.len())) {
            dst.copy_from_slice(bytes);
        }
    }
}
