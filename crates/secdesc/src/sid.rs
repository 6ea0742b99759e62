//! SIDs: the strict MS-DTYP 2.4.2.1 string form and the binary form (MS-DTYP 2.4.2.2).
//!
//! Binary layout (`field` below): revision (1) | sub-authority count (1) | identifier authority
//! (6, big-endian) | sub-authorities (4 each, little-endian). Length 8 + 4·n, at most 68.
//!
//! String grammar accepted by [`Sid::parse`]: `S-1-` authority `1*("-" sub-authority)`, with the
//! authority in decimal when below 2^32, otherwise `0x` and hexadecimal digits (either case) up to
//! 2^48 − 1; every decimal number without leading zeros (a lone `0` is fine) and within its
//! field; 1 to 15 sub-authorities. MS-DTYP's ABNF writes the hexadecimal authority as exactly 12
//! digits, but Windows accepts fewer (`S-1-0x500000000-32-579` is in the Windows conformance
//! vectors), so 1 to 12 digits are accepted; [`Display`](core::fmt::Display) always writes the
//! 12 lowercase digits Windows writes.

use core::fmt;

use crate::error::{Error, ErrorKind, Expected, Part};
use crate::text::Cursor;

mod field {
    use core::ops::Range;
    pub(super) const REVISION: usize = 0;
    pub(super) const COUNT: usize = 1;
    pub(super) const AUTHORITY: Range<usize> = 2..8;
    pub(super) const SUB_AUTHORITIES: usize = AUTHORITY.end;
}

/// Length of a SID without sub-authorities.
pub const SID_HEADER_LEN: usize = field::SUB_AUTHORITIES;

/// A security identifier: a 48-bit authority and 1 to 15 sub-authorities.
///
/// Unused sub-authority slots are always zero, so the derived comparisons are by value.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sid {
    authority: u64,
    count: u8,
    subs: [u32; Sid::MAX_SUB_AUTHORITIES],
}

const AUTHORITY_LIMIT: u64 = 1 << 48;

impl Sid {
    /// The most sub-authorities a SID can have.
    pub const MAX_SUB_AUTHORITIES: usize = 15;
    /// The largest binary SID (`SECURITY_MAX_SID_SIZE`).
    pub const MAX_LEN: usize = SID_HEADER_LEN + 4 * Self::MAX_SUB_AUTHORITIES;

    /// A SID from its parts, checked: authority below 2^48, 1 to 15 sub-authorities.
    pub fn new(authority: u64, sub_authorities: &[u32]) -> Result<Self, Error> {
        if authority >= AUTHORITY_LIMIT {
            return Err(Error::new(0, ErrorKind::NumberTooLarge));
        }
        if sub_authorities.is_empty() {
            return Err(Error::new(0, ErrorKind::NoSubAuthorities));
        }
        if sub_authorities.len() > Self::MAX_SUB_AUTHORITIES {
            return Err(Error::new(0, ErrorKind::TooManySubAuthorities));
        }
        Ok(Self::from_table(authority, sub_authorities))
    }

    /// Builds a SID from trusted parts (the alias table): extra sub-authorities are dropped and
    /// the authority is masked to 48 bits. Unit tests check every table entry.
    pub(crate) const fn from_table(authority: u64, sub_authorities: &[u32]) -> Self {
        let mut subs = [0u32; Self::MAX_SUB_AUTHORITIES];
        let mut count = 0u8;
        let mut src = sub_authorities;
        let mut dst: &mut [u32] = &mut subs;
        while let ([s, src_tail @ ..], [d, dst_tail @ ..]) = (src, dst) {
            *d = *s;
            count = count.wrapping_add(1);
            src = src_tail;
            dst = dst_tail;
        }
        Self {
            authority: authority & (AUTHORITY_LIMIT - 1),
            count,
            subs,
        }
    }

    /// Parses the strict MS-DTYP string form (see the module docs); no aliases.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut c = Cursor::new(text.as_bytes());
        let sid = parse_sid(&mut c)?;
        if !c.at_end() {
            return Err(c.err(ErrorKind::Expected(Expected::End)));
        }
        Ok(sid)
    }

    /// Decodes one binary SID at the start of `bytes` (trailing bytes are ignored); see
    /// [`Sid::encoded_len`] for how many it used.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let header = bytes
            .get(..SID_HEADER_LEN)
            .ok_or(Error::new(0, ErrorKind::Truncated { part: Part::Sid }))?;
        let mut h = [0u8; SID_HEADER_LEN];
        h.copy_from_slice(header);
        let [revision, count, a0, a1, a2, a3, a4, a5] = h;
        if revision != 1 {
            return Err(Error::new(
                field::REVISION,
                ErrorKind::BadRevision {
                    part: Part::Sid,
                    found: revision,
                },
            ));
        }
        if count == 0 {
            return Err(Error::new(field::COUNT, ErrorKind::NoSubAuthorities));
        }
        if usize::from(count) > Self::MAX_SUB_AUTHORITIES {
            return Err(Error::new(
                field::COUNT,
                ErrorKind::BadSubAuthorityCount { found: count },
            ));
        }
        let authority = u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]);
        let body = bytes
            .get(SID_HEADER_LEN..)
            .and_then(|b| b.get(..usize::from(count).wrapping_mul(4)))
            .ok_or(Error::new(0, ErrorKind::Truncated { part: Part::Sid }))?;
        let mut subs = [0u32; Self::MAX_SUB_AUTHORITIES];
        for (slot, chunk) in subs.iter_mut().zip(body.chunks_exact(4)) {
            let mut b = [0u8; 4];
            b.copy_from_slice(chunk);
            *slot = u32::from_le_bytes(b);
        }
        Ok(Self {
            authority,
            count,
            subs,
        })
    }

    /// The 48-bit identifier authority.
    #[must_use]
    pub const fn authority(&self) -> u64 {
        self.authority
    }

    /// The sub-authorities (1 to 15).
    #[must_use]
    pub fn sub_authorities(&self) -> &[u32] {
        self.subs.get(..usize::from(self.count)).unwrap_or(&[])
    }

    /// The last sub-authority (the RID).
    #[must_use]
    pub fn rid(&self) -> u32 {
        self.sub_authorities().last().copied().unwrap_or(0)
    }

    /// The binary length: 8 + 4·n.
    #[must_use]
    pub const fn encoded_len(&self) -> usize {
        // count <= 15, so this is at most 68.
        SID_HEADER_LEN.wrapping_add((self.count as usize).wrapping_mul(4))
    }

    /// Writes the binary SID at the start of `out`; returns the bytes written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        let n = self.encoded_len();
        let dst = out
            .get_mut(..n)
            .ok_or(Error::new(0, ErrorKind::BufferTooSmall { needed: n }))?;
        self.write_exact(dst);
        Ok(n)
    }

    /// Writes the binary SID into `dst`, which must be exactly `encoded_len()` bytes (a
    /// shorter `dst` gets a prefix; never panics).
    pub(crate) fn write_exact(&self, dst: &mut [u8]) {
        let a = self.authority.to_be_bytes();
        let header = [1, self.count, a[2], a[3], a[4], a[5], a[6], a[7]];
        let (head, rest) = dst.split_at_mut(SID_HEADER_LEN.min(dst.len()));
        head.copy_from_slice(header.get(..head.len()).unwrap_or(&[]));
        for (chunk, sub) in rest.chunks_exact_mut(4).zip(self.sub_authorities()) {
            chunk.copy_from_slice(&sub.to_le_bytes());
        }
    }

    /// This SID with one more sub-authority `rid` (a domain SID + RID).
    pub fn with_rid(&self, rid: u32) -> Result<Self, Error> {
        let mut out = *self;
        let slot = out
            .subs
            .get_mut(usize::from(self.count))
            .ok_or(Error::new(0, ErrorKind::TooManySubAuthorities))?;
        *slot = rid;
        out.count = self.count.wrapping_add(1);
        Ok(out)
    }

    /// Whether this SID is `prefix` followed by exactly one more sub-authority.
    #[must_use]
    pub fn is_rid_of(&self, prefix: &Self) -> bool {
        self.authority == prefix.authority
            && usize::from(self.count) == usize::from(prefix.count).wrapping_add(1)
            && self.sub_authorities().starts_with(prefix.sub_authorities())
    }
}

/// Fast path for the common SID string: `S-1-`, a decimal authority and 1 to 15 decimal
/// sub-authorities, written in binary at the start of `buf` (only the SID's own bytes are
/// changed on success). Returns the binary length and the text length, or `None` for
/// anything else (hex authority, any error), which the caller hands to [`parse_sid_with`] for the precise result.
///
/// Every number is read by [`swar_decimal`](crate::text::swar_decimal) from 16 bytes of
/// look-ahead, so a SID within 16 bytes of the end of the text takes the general parser.
// Inlined into the fast ACE loop (callgrind: the call's register saves and the result's trip
// through memory cost a tenth of an ACE).
#[allow(clippy::inline_always)]
#[inline(always)]
pub(crate) fn fast_sid(text: &[u8], buf: &mut [u8; Sid::MAX_LEN]) -> Option<(usize, usize)> {
    const S_1_5_21: u64 = u64::from_le_bytes(*b"S-1-5-21");
    const S_1_5: u64 = u64::from_le_bytes(*b"S-1-5-\0\0");
    const S_1: u64 = u64::from_le_bytes(*b"S-1-\0\0\0\0");
    let (header, subs) = buf.split_first_chunk_mut::<SID_HEADER_LEN>()?;
    // The sub-authority slots, in order; running out of them (more than 15) is `None`.
    let mut slots = subs.as_chunks_mut::<4>().0.iter_mut();
    // The NT authority prefixes `S-1-5-` and `S-1-5-21-` (every account-domain SID) are
    // common enough to be matched whole; `at` is where the first number left to read starts.
    let (word, _) = text.split_first_chunk::<8>()?;
    let word = u64::from_le_bytes(*word);
    let mut at = if word == S_1_5_21 && text.get(8) == Some(&b'-') {
        if let Some(done) = domain_sid(text, header, &mut slots) {
            return Some(done);
        }
        *header = [1, 0, 0, 0, 0, 0, 0, 5];
        *slots.next()? = 21u32.to_le_bytes();
        9usize
    } else if word & 0xffff_ffff_ffff == S_1_5 {
        *header = [1, 0, 0, 0, 0, 0, 0, 5];
        6
    } else if word & 0xffff_ffff == S_1 {
        let (v, n, next) = crate::text::swar_decimal(text.get(4..)?.first_chunk::<16>()?)?;
        let [a0, a1, a2, a3] = v.to_be_bytes();
        *header = [1, 0, 0, 0, a0, a1, a2, a3];
        // The authority must be followed by a sub-authority.
        if next != b'-' {
            return None;
        }
        // 4 + n + 1 <= 15.
        n.wrapping_add(5)
    } else {
        return None;
    };
    let end = loop {
        let slot = slots.next()?;
        let (v, n, next) = crate::text::swar_decimal(text.get(at..)?.first_chunk::<16>()?)?;
        *slot = v.to_le_bytes();
        // `at` + 16 <= text.len() and n <= 10, so neither addition wraps.
        let end = at.wrapping_add(n);
        if next != b'-' {
            break end;
        }
        at = end.wrapping_add(1);
    };
    // Slots used, `21` of `S-1-5-21-` included: 1 to 15.
    let count = 15usize.wrapping_sub(slots.len());
    let [_, count_byte, ..] = header;
    *count_byte = u8::try_from(count).ok()?;
    Some((SID_HEADER_LEN.wrapping_add(count.wrapping_mul(4)), end))
}

/// The account-domain shape `S-1-5-21-a-b-c-rid` (text known to start with `S-1-5-21-`) in
/// straight-line code: one bounds check for the whole SID instead of one per number, and no
/// loop. `None` for anything else (another count, a number the reader refuses, text within
/// 58 bytes of the end), which [`fast_sid`]'s loop then reads; `slots` is untouched then.
#[allow(clippy::inline_always)]
#[inline(always)]
fn domain_sid(
    text: &[u8],
    header: &mut [u8; SID_HEADER_LEN],
    slots: &mut core::slice::IterMut<'_, [u8; 4]>,
) -> Option<(usize, usize)> {
    // `S-1-5-21-`, three numbers of at most 10 digits with their `-`, and 16 bytes of
    // look-ahead for the last number: 9 + 33 + 16.
    let window = text.first_chunk::<58>()?;
    let (a, n, next) = window_decimal(window, 9)?;
    // Each `at` below is at most 9 + 11k for k numbers read (n <= 10), below 58 - 16.
    let b_at = n.wrapping_add(10);
    if next != b'-' {
        return None;
    }
    let (b, n, next) = window_decimal(window, b_at)?;
    let c_at = b_at.wrapping_add(n).wrapping_add(1);
    if next != b'-' {
        return None;
    }
    let (c, n, next) = window_decimal(window, c_at)?;
    let rid_at = c_at.wrapping_add(n).wrapping_add(1);
    if next != b'-' {
        return None;
    }
    let (rid, n, next) = window_decimal(window, rid_at)?;
    if next == b'-' {
        return None; // more sub-authorities
    }
    let [s21, sa, sb, sc, srid] = [
        slots.next()?,
        slots.next()?,
        slots.next()?,
        slots.next()?,
        slots.next()?,
    ];
    *header = [1, 5, 0, 0, 0, 0, 0, 5];
    *s21 = 21u32.to_le_bytes();
    *sa = a.to_le_bytes();
    *sb = b.to_le_bytes();
    *sc = c.to_le_bytes();
    *srid = rid.to_le_bytes();
    Some((SID_HEADER_LEN + 20, rid_at.wrapping_add(n)))
}

/// A number at `at` of the [`domain_sid`] window.
#[allow(clippy::inline_always)]
#[inline(always)]
fn window_decimal(window: &[u8; 58], at: usize) -> Option<(u32, usize, u8)> {
    crate::text::swar_decimal(window.get(at..)?.first_chunk::<16>()?)
}

/// Receives a SID as [`parse_sid_with`] reads it.
pub(crate) trait SidSink {
    /// The identifier authority (below 2^48), before any sub-authority.
    fn authority(&mut self, authority: u64);
    /// Sub-authority number `index` (0 to 14).
    fn sub_authority(&mut self, index: u8, value: u32);
}

impl SidSink for Sid {
    fn authority(&mut self, authority: u64) {
        self.authority = authority;
    }

    fn sub_authority(&mut self, index: u8, value: u32) {
        if let Some(slot) = self.subs.get_mut(usize::from(index)) {
            *slot = value;
            self.count = index.wrapping_add(1);
        }
    }
}

/// Parses `S-1-…` at the cursor, stopping after the last sub-authority.
pub(crate) fn parse_sid(c: &mut Cursor<'_>) -> Result<Sid, Error> {
    let mut sid = Sid {
        authority: 0,
        count: 0,
        subs: [0; Sid::MAX_SUB_AUTHORITIES],
    };
    parse_sid_with(c, &mut sid)?;
    Ok(sid)
}

/// Parses `S-1-…` at the cursor into `sink`; returns the sub-authority count (1 to 15).
pub(crate) fn parse_sid_with<S: SidSink>(c: &mut Cursor<'_>, sink: &mut S) -> Result<u8, Error> {
    if c.peek2() != Some(*b"S-") {
        return Err(c.err(ErrorKind::Expected(Expected::SidPrefix)));
    }
    c.advance(2);
    if c.peek2() != Some(*b"1-") {
        return Err(if c.peek().is_some_and(|b| b.is_ascii_digit()) {
            c.err(ErrorKind::SidRevision)
        } else {
            c.err(ErrorKind::Expected(Expected::SidPrefix))
        });
    }
    c.advance(2);
    let authority = if c.peek2() == Some(*b"0x") || c.peek2() == Some(*b"0X") {
        let at = c.pos();
        c.advance(2);
        let v = c.hex(12)?;
        if v < 1 << 32 {
            return Err(Error::new(at, ErrorKind::HexAuthorityTooSmall));
        }
        v
    } else {
        c.decimal_u32()?.into()
    };
    sink.authority(authority);
    let mut count = 0u8;
    while c.peek() == Some(b'-') {
        if usize::from(count) == Sid::MAX_SUB_AUTHORITIES {
            return Err(c.err(ErrorKind::TooManySubAuthorities));
        }
        c.advance(1);
        let v = c.decimal_u32()?;
        sink.sub_authority(count, v);
        count = count.wrapping_add(1);
    }
    if count == 0 {
        return Err(c.err(ErrorKind::NoSubAuthorities));
    }
    Ok(count)
}

impl fmt::Display for Sid {
    /// Exactly as Windows prints it: decimal authority below 2^32, otherwise `0x` and 12
    /// lowercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.authority < 1 << 32 {
            write!(f, "S-1-{}", self.authority)?;
        } else {
            write!(f, "S-1-0x{:012x}", self.authority)?;
        }
        for s in self.sub_authorities() {
            write!(f, "-{s}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sid({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Text;

    // platform-facts §4.1 examples.
    static BA_BYTES: [u8; 16] = [1, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x20, 2, 0, 0];
    static DOMAIN_500: [u8; 28] = [
        1, 5, 0, 0, 0, 0, 0, 5, 0x15, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xf4, 1, 0, 0,
    ];

    #[test]
    fn deconstruct() {
        let sid = Sid::decode(&BA_BYTES).unwrap();
        assert_eq!(sid.authority(), 5);
        assert_eq!(sid.sub_authorities(), &[32, 544]);
        assert_eq!(sid.encoded_len(), 16);
        let sid = Sid::decode(&DOMAIN_500).unwrap();
        assert_eq!(sid.sub_authorities(), &[21, 1, 2, 3, 500]);
        assert_eq!(Text::of(&sid).as_str(), "S-1-5-21-1-2-3-500");
    }

    #[test]
    fn construct() {
        let mut buf = [0xa5u8; 30];
        let n = Sid::parse("S-1-5-21-1-2-3-500")
            .unwrap()
            .encode(&mut buf)
            .unwrap();
        assert_eq!(n, 28);
        assert_eq!(&buf[..28], &DOMAIN_500);
        assert_eq!(&buf[28..], &[0xa5, 0xa5]);
        let mut buf = [0xa5u8; 16];
        Sid::new(5, &[32, 544]).unwrap().encode(&mut buf).unwrap();
        assert_eq!(buf, BA_BYTES);
        let mut small = [0u8; 15];
        assert_eq!(
            Sid::new(5, &[32, 544])
                .unwrap()
                .encode(&mut small)
                .unwrap_err()
                .kind,
            ErrorKind::BufferTooSmall { needed: 16 }
        );
    }

    #[test]
    fn strict_grammar() {
        let ok = |s: &str, t: &str| {
            let sid = Sid::parse(s).unwrap();
            assert_eq!(Text::of(&sid).as_str(), t, "{s}");
        };
        ok("S-1-5-18", "S-1-5-18");
        ok("S-1-0-0", "S-1-0-0");
        ok("S-1-4294967295-4294967295", "S-1-4294967295-4294967295");
        ok("S-1-0x000500000000-1", "S-1-0x000500000000-1");
        ok("S-1-0x500000000-32-579", "S-1-0x000500000000-32-579");
        ok("S-1-0xFFFFFFFFFFFF-1", "S-1-0xffffffffffff-1");
        ok(
            "S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
            "S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
        );
        let bad = |s: &str, offset: usize, kind: ErrorKind| {
            assert_eq!(Sid::parse(s), Err(Error::new(offset, kind)), "{s}");
        };
        bad("", 0, ErrorKind::Expected(Expected::SidPrefix));
        bad("s-1-5-18", 0, ErrorKind::Expected(Expected::SidPrefix));
        bad("S-2-5-18", 2, ErrorKind::SidRevision);
        bad("S-1-5", 5, ErrorKind::NoSubAuthorities);
        bad("S-1-05-18", 4, ErrorKind::LeadingZero);
        bad("S-1-5-018", 6, ErrorKind::LeadingZero);
        bad("S-1-5-4294967296", 6, ErrorKind::NumberTooLarge);
        bad("S-1-4294967296-1", 4, ErrorKind::NumberTooLarge);
        bad("S-1-5-99999999999", 6, ErrorKind::NumberTooLarge);
        bad("S-1-0x1313131313131-513", 4, ErrorKind::NumberTooLarge);
        bad("S-1-0xffffffff-1", 4, ErrorKind::HexAuthorityTooSmall);
        bad("S-1-0x-1", 6, ErrorKind::Expected(Expected::HexDigit));
        bad("S-1-5-", 6, ErrorKind::Expected(Expected::Digit));
        bad("S-1-5-18x", 8, ErrorKind::Expected(Expected::End));
        bad(
            "S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
            41,
            ErrorKind::TooManySubAuthorities,
        );
    }

    #[test]
    fn binary_checks() {
        assert_eq!(
            Sid::decode(&BA_BYTES[..15]).unwrap_err().kind,
            ErrorKind::Truncated { part: Part::Sid }
        );
        let mut b = BA_BYTES;
        b[0] = 2;
        assert_eq!(
            Sid::decode(&b).unwrap_err(),
            Error::new(
                0,
                ErrorKind::BadRevision {
                    part: Part::Sid,
                    found: 2
                }
            )
        );
        b[0] = 1;
        b[1] = 16;
        assert_eq!(
            Sid::decode(&b).unwrap_err(),
            Error::new(1, ErrorKind::BadSubAuthorityCount { found: 16 })
        );
        b[1] = 0;
        assert_eq!(
            Sid::decode(&b).unwrap_err(),
            Error::new(1, ErrorKind::NoSubAuthorities)
        );
    }

    #[test]
    fn rids_and_limits() {
        let dom = Sid::parse("S-1-5-21-1-2-3").unwrap();
        let la = dom.with_rid(500).unwrap();
        assert!(la.is_rid_of(&dom));
        assert!(!dom.is_rid_of(&dom));
        assert_eq!(la.rid(), 500);
        assert_eq!(Sid::MAX_LEN, 68);
        let full = Sid::new(1, &[0; 15]).unwrap();
        assert_eq!(
            full.with_rid(1).unwrap_err().kind,
            ErrorKind::TooManySubAuthorities
        );
        assert_eq!(full.encoded_len(), 68);
        assert_eq!(
            Sid::new(1 << 48, &[1]).unwrap_err().kind,
            ErrorKind::NumberTooLarge
        );
        assert_eq!(
            Sid::new(1, &[]).unwrap_err().kind,
            ErrorKind::NoSubAuthorities
        );
    }
}
