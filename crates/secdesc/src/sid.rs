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

use crate::codec::{Reader, Sink, Writer};
use crate::error::{Error, ErrorKind, Expected, Part, internal};
use crate::text::{Cursor, decimal_before, hex_before};

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
    /// The longest string form: `S-1-0x` and 12 hex digits, then 15 times `-4294967295`.
    pub const MAX_TEXT_LEN: usize = 18 + 11 * Self::MAX_SUB_AUTHORITIES;

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
        let len = Self::check(bytes)?;
        let (header, body) = bytes
            .get(..len)
            .and_then(|sid| sid.split_first_chunk::<SID_HEADER_LEN>())
            .ok_or_else(internal)?;
        let &[_, count, a0, a1, a2, a3, a4, a5] = header;
        let mut subs = [0u32; Self::MAX_SUB_AUTHORITIES];
        for (slot, sub) in subs.iter_mut().zip(body.as_chunks::<4>().0) {
            *slot = u32::from_le_bytes(*sub);
        }
        Ok(Self {
            authority: u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]),
            count,
            subs,
        })
    }

    /// Checks the binary SID at the start of `bytes` (revision 1, 1 to 15 sub-authorities,
    /// all present) and returns its length.
    pub(crate) fn check(bytes: &[u8]) -> Result<usize, Error> {
        let truncated = Error::new(0, ErrorKind::Truncated { part: Part::Sid });
        let &[revision, count, ..] = Reader::new(bytes)
            .take_array::<SID_HEADER_LEN>()
            .ok_or(truncated)?;
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
        // 8 + 4 × (1 to 15).
        let len = SID_HEADER_LEN.wrapping_add(usize::from(count).wrapping_mul(4));
        if len > bytes.len() {
            return Err(truncated);
        }
        Ok(len)
    }

    /// The 48-bit identifier authority.
    #[must_use]
    pub const fn authority(&self) -> u64 {
        self.authority
    }

    /// The sub-authorities (1 to 15).
    #[must_use]
    pub fn sub_authorities(&self) -> &[u32] {
        // `count` is at most 15, the array's length.
        self.subs.get(..usize::from(self.count)).unwrap_or(&[])
    }

    /// The number of sub-authorities (1 to 15).
    #[must_use]
    pub(crate) const fn sub_authority_count(&self) -> u8 {
        self.count
    }

    /// The last sub-authority (the RID).
    #[must_use]
    pub fn rid(&self) -> u32 {
        // Every SID has at least one sub-authority.
        self.sub_authorities().last().copied().unwrap_or(0)
    }

    /// The binary length: 8 + 4·n.
    #[must_use]
    pub const fn encoded_len(&self) -> usize {
        // `count` is 1 to 15 (every constructor checks it), so this is at most 68.
        SID_HEADER_LEN.wrapping_add((self.count as usize).wrapping_mul(4))
    }

    /// Writes the binary SID at the start of `out`; returns the bytes written.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        let n = self.encoded_len();
        let dst = out
            .get_mut(..n)
            .ok_or(Error::new(0, ErrorKind::BufferTooSmall { needed: n }))?;
        let mut w = Writer::new(dst);
        self.write(&mut w)?;
        Ok(w.pos())
    }

    /// Appends the binary SID.
    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut bytes = [0u8; Self::MAX_LEN];
        let (header, subs) = bytes.split_at_mut(SID_HEADER_LEN);
        let [_, _, a0, a1, a2, a3, a4, a5] = self.authority.to_be_bytes();
        header.copy_from_slice(&[1, self.count, a0, a1, a2, a3, a4, a5]);
        for (dst, sub) in subs.chunks_exact_mut(4).zip(self.sub_authorities()) {
            dst.copy_from_slice(&sub.to_le_bytes());
        }
        w.put(bytes.get(..self.encoded_len()).ok_or_else(internal)?)
    }

    /// Appends the string form, as Windows writes it: decimal authority below 2^32,
    /// otherwise `0x` and 12 lowercase hex digits.
    pub(crate) fn write_text<S: Sink>(&self, s: &mut S) -> Result<(), Error> {
        let mut buf = [0u8; Self::MAX_TEXT_LEN];
        let at = self.text_into(&mut buf).ok_or_else(internal)?;
        s.put(buf.get(at..).ok_or_else(internal)?)
    }

    /// The string form at the end of `buf`, written from its last number back; returns where
    /// it starts (it always fits).
    fn text_into(&self, buf: &mut [u8; Self::MAX_TEXT_LEN]) -> Option<usize> {
        let mut at = buf.len();
        for &sub in self.sub_authorities().iter().rev() {
            at = decimal_before(buf, at, sub)?.checked_sub(1)?;
            *buf.get_mut(at)? = b'-';
        }
        let (at, prefix) = if let Ok(authority) = u32::try_from(self.authority) {
            (decimal_before(buf, at, authority)?, b"S-1-".as_slice())
        } else {
            (
                hex_before(buf, at, self.authority, 12)?,
                b"S-1-0x".as_slice(),
            )
        };
        let start = at.checked_sub(prefix.len())?;
        buf.get_mut(start..at)?.copy_from_slice(prefix);
        Some(start)
    }

    /// This SID with one more sub-authority `rid` (a domain SID + RID).
    pub fn with_rid(&self, rid: u32) -> Result<Self, Error> {
        let mut out = *self;
        let slot = out
            .subs
            .get_mut(usize::from(self.count))
            .ok_or(Error::new(0, ErrorKind::TooManySubAuthorities))?;
        *slot = rid;
        out.count = self.count.checked_add(1).ok_or_else(internal)?;
        Ok(out)
    }

    /// Whether this SID is `prefix` followed by exactly one more sub-authority.
    #[must_use]
    pub fn is_rid_of(&self, prefix: &Self) -> bool {
        self.authority == prefix.authority
            && prefix.count.checked_add(1) == Some(self.count)
            && self.sub_authorities().starts_with(prefix.sub_authorities())
    }
}

/// Parses `S-1-…` at the cursor, stopping after the last sub-authority.
pub(crate) fn parse_sid(c: &mut Cursor<'_>) -> Result<Sid, Error> {
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
    let mut sid = Sid {
        authority,
        count: 0,
        subs: [0; Sid::MAX_SUB_AUTHORITIES],
    };
    let mut slots = sid.subs.iter_mut();
    while c.peek() == Some(b'-') {
        let Some(slot) = slots.next() else {
            return Err(c.err(ErrorKind::TooManySubAuthorities));
        };
        c.advance(1);
        *slot = c.decimal_u32()?;
    }
    // 15 slots at most: the count fits a `u8`.
    sid.count =
        u8::try_from(Sid::MAX_SUB_AUTHORITIES.wrapping_sub(slots.len())).map_err(|_| internal())?;
    if sid.count == 0 {
        return Err(c.err(ErrorKind::NoSubAuthorities));
    }
    Ok(sid)
}

impl fmt::Display for Sid {
    /// The string form Windows writes (see [`Sid::MAX_TEXT_LEN`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; Sid::MAX_TEXT_LEN];
        let at = self.text_into(&mut buf).ok_or(fmt::Error)?;
        let text = buf.get(at..).ok_or(fmt::Error)?;
        f.write_str(core::str::from_utf8(text).map_err(|_| fmt::Error)?)
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

    // MS-DTYP 2.4.2.2 examples: BA and a domain account.
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
