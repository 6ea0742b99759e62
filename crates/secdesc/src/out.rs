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

    /// The whole buffer and the position, for a writer that works on offsets and then
    /// [`skip`](Self::skip)s what it wrote.
    pub(crate) fn buf_and_pos(&mut self) -> (&mut [u8], usize) {
        (self.buf, self.pos)
    }

    /// Whether fewer than `n` bytes are free after the position.
    pub(crate) fn no_room(&self, n: usize) -> bool {
        self.buf.len().saturating_sub(self.pos) < n
    }

    /// Moves past `n` bytes written through [`buf_and_pos`](Self::buf_and_pos) (or only
    /// counted).
    pub(crate) fn skip(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
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
