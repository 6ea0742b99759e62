//! Text without allocation: registry strings are UTF-16LE bytes (possibly at an odd address,
//! so they are read byte-pair by byte-pair, never cast to `&[u16]`), host callers have `&str`.
//! Both are seen through [`Text`], which yields UTF-16 code units by index, so one parser
//! serves the driver and the host tool. Written by hand because the no-alloc, unaligned,
//! index-addressed view we need is a dozen lines, smaller than any dependency.

/// Index-addressed UTF-16 code units.
pub(crate) trait Text {
    /// The unit at `i`, `None` past the end.
    fn at(&self, i: usize) -> Option<u16>;
}

/// UTF-16LE bytes of even length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wide<'a>(&'a [u8]);

impl<'a> Wide<'a> {
    /// The empty text.
    pub const EMPTY: Wide<'static> = Wide(&[]);

    /// Wraps UTF-16LE bytes; `None` when the length is odd.
    #[must_use]
    pub fn new(bytes: &'a [u8]) -> Option<Self> {
        if bytes.len().is_multiple_of(2) {
            Some(Wide(bytes))
        } else {
            None
        }
    }

    /// The raw UTF-16LE bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Number of UTF-16 code units.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len() / 2
    }

    /// True when there are no code units.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The code units in order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + Clone + 'a {
        self.0.chunks_exact(2).map(|p| match p {
            [lo, hi] => u16::from_le_bytes([*lo, *hi]),
            _ => 0,
        })
    }

    /// Units `start..end` (clamped to the text).
    #[must_use]
    pub fn slice(&self, start: usize, end: usize) -> Wide<'a> {
        let end = end.min(self.len());
        let start = start.min(end);
        let bytes = self
            .0
            .get(start.saturating_mul(2)..end.saturating_mul(2))
            .unwrap_or(&[]);
        Wide(bytes)
    }

    /// Characters of the text, U+FFFD for unpaired surrogates (for display).
    pub fn chars(&self) -> impl Iterator<Item = char> + 'a {
        char::decode_utf16(self.iter()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
    }
}

impl core::fmt::Display for Wide<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write;
        for c in self.chars() {
            f.write_char(c)?;
        }
        Ok(())
    }
}

impl Text for Wide<'_> {
    fn at(&self, i: usize) -> Option<u16> {
        let lo = *self.0.get(i.checked_mul(2)?)?;
        let hi = *self.0.get(i.checked_mul(2)?.checked_add(1)?)?;
        Some(u16::from_le_bytes([lo, hi]))
    }
}

/// Value names as the driver reads them (aligned UTF-16 code units).
impl Text for [u16] {
    fn at(&self, i: usize) -> Option<u16> {
        self.get(i).copied()
    }
}

/// A `&str` seen byte by byte: ASCII bytes are their own code units, and every byte of a
/// multi-byte UTF-8 sequence is >= 0x80, which no grammar here accepts, so offsets stay exact
/// for the ASCII text that can be valid.
#[derive(Clone, Copy)]
pub(crate) struct Narrow<'a>(pub(crate) &'a str);

impl Text for Narrow<'_> {
    fn at(&self, i: usize) -> Option<u16> {
        self.0.as_bytes().get(i).map(|b| u16::from(*b))
    }
}

/// ASCII upper-casing of one unit.
pub(crate) fn ascii_upper(u: u16) -> u16 {
    if (u16::from(b'a')..=u16::from(b'z')).contains(&u) {
        u.wrapping_sub(0x20)
    } else {
        u
    }
}

/// Is `text[start..end]` equal to `word` (ASCII, compared case-insensitively)?
pub(crate) fn eq_ignore_case<T: Text + ?Sized>(
    text: &T,
    start: usize,
    end: usize,
    word: &str,
) -> bool {
    if end.checked_sub(start) != Some(word.len()) {
        return false;
    }
    word.bytes().enumerate().all(|(k, b)| {
        start
            .checked_add(k)
            .and_then(|i| text.at(i))
            .is_some_and(|u| ascii_upper(u) == u16::from(b.to_ascii_uppercase()))
    })
}

/// Is `u` a space or tab (the blanks trimmed around names)?
pub(crate) fn is_blank(u: u16) -> bool {
    u == u16::from(b' ') || u == u16::from(b'\t')
}

/// `(start, end)` with blanks trimmed from both sides.
pub(crate) fn trim<T: Text + ?Sized>(text: &T, mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && text.at(start).is_some_and(is_blank) {
        start = start.saturating_add(1);
    }
    while end > start
        && end
            .checked_sub(1)
            .and_then(|i| text.at(i))
            .is_some_and(is_blank)
    {
        end = end.saturating_sub(1);
    }
    (start, end)
}

/// Position of the first `needle` in `start..end`.
pub(crate) fn find<T: Text + ?Sized>(
    text: &T,
    start: usize,
    end: usize,
    needle: u16,
) -> Option<usize> {
    (start..end).find(|&i| text.at(i) == Some(needle))
}
