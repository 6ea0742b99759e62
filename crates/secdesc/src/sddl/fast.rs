//! The host-only fast path of the SDDL encoder (feature `fast-sddl`, which only `connsecctl`
//! enables; the driver links the simple path alone).
//!
//! A run of allow/deny ACEs without flags or GUIDs (`(A;;` / `(D;;` matched as one word) is
//! written in one loop over plain offsets straight into the output; hex masks are read 8
//! digits at a time and decimal numbers 8 (then up to 2 more) at a time (SWAR, no per-digit
//! loop); the `S-1-5-` and `S-1-5-21-` prefixes are compared as words, and an account-domain
//! SID `S-1-5-21-a-b-c-rid` is read in straight-line code with one bounds check. Anything
//! else (another shape, any error, no room) is left to the simple path, which then names any
//! error, so the fast path changes speed, never results: `sddl::tests` compares the two on
//! generated and mutated text, errors and offsets included, and the Samba differential runs
//! against whichever path the build has. The wrapping arithmetic here is bounded by the
//! lengths checked before it (each use says how).

use crate::acl::{ACL_HEADER_LEN, ACL_REVISION, MAX_ACL_LEN, write_header};
use crate::codec::Writer;
use crate::descriptor::{ControlFlags, SD_HEADER_LEN, write_sd_header};
use crate::sid::{SID_HEADER_LEN, Sid};

use super::right_token;

/// `(A;;` and `(D;;` as little-endian words.
const ALLOW_HEAD: u32 = u32::from_le_bytes(*b"(A;;");
const DENY_HEAD: u32 = u32::from_le_bytes(*b"(D;;");

/// Text within this many bytes of its end is read from a zero-padded copy (see
/// [`fast_aces`]); longer than any fast-path ACE (at most 4 + 34 + 3 + 183 + 1 bytes).
const TAIL: usize = 256;

/// The look-ahead of the readers past an ACE's text: 58 bytes from the start of an
/// account-domain SID, 16 past the start of a number.
const LOOK_AHEAD: usize = 64;

/// Writes the run of fast-path ACEs at the start of `text` into `buf` from offset `pos`, each
/// ending at most at `limit`, while a whole ACE's worth of output is free at `pos`. Returns
/// the text used, the output offset reached and the number of ACEs. The ACE that stops the
/// run (another shape, an error, no room, over the limit) is left to the caller; bytes
/// written past the returned offset are overwritten by the caller's next write.
///
/// The number readers look ahead of the text they use, so near the end of the text (the
/// last ACEs of every line) the run goes on over a zero-padded copy of what is left: a zero
/// ends every number and matches no delimiter, so no ACE is ever read from the padding.
pub(super) fn fast_aces(
    text: &[u8],
    buf: &mut [u8],
    pos: usize,
    limit: usize,
) -> (usize, usize, usize) {
    let (at, pos, aces) = run(text, buf, pos, limit);
    match text.get(at..) {
        Some(rest) if rest.len() < TAIL => {
            let mut padded = [0u8; TAIL + LOOK_AHEAD];
            if let Some(copy) = padded.get_mut(..rest.len()) {
                copy.copy_from_slice(rest);
            }
            let (more_at, pos, more) = run(&padded, buf, pos, limit);
            // Both counts are bounded by the text's length.
            (at.wrapping_add(more_at), pos, aces.wrapping_add(more))
        }
        _ => (at, pos, aces),
    }
}

/// A whole descriptor that is `D:` and a run of fast-path ACEs, nothing else, in
/// `line[..len]`: writes it into `out` as the simple path would (header, DACL at offset 20,
/// revision 2) and returns its length, or `None` for anything else (another shape, an
/// error, no room), which the caller then encodes by the full path.
///
/// `line[len..]` is look-ahead for the number readers: the bytes after the line in the
/// caller's buffer (the next lines of a batch, anything), so the line's last ACEs need no
/// zero-padded copy. They never change the result: the run must end exactly at `len` (an ACE
/// reaching past it ends the run elsewhere, and the line then takes the full path), so every
/// ACE taken ends (its `)`) within the line, and what the readers decide for such an ACE
/// depends only on its own bytes: every number, token run and prefix test stops at a byte
/// the ACE holds (a digit run at its `-` or `)`, a prefix test failing at a byte the pattern
/// lacks).
pub(super) fn dacl_only(line: &[u8], len: usize, out: &mut [u8]) -> Option<usize> {
    const ACL_AT: usize = SD_HEADER_LEN;
    const FIRST_ACE: usize = ACL_AT + ACL_HEADER_LEN;
    const LIMIT: usize = ACL_AT + MAX_ACL_LEN;
    let aces_text = line.strip_prefix(b"D:")?;
    let aces_len = len.checked_sub(2)?;
    let (used, end, aces) = run(aces_text, out, FIRST_ACE, LIMIT);
    if used != aces_len || aces == 0 {
        return None;
    }
    let mut w = Writer::new(out);
    w.skip_to(end).ok()?;
    let count = u16::try_from(aces).ok()?;
    // `end` >= FIRST_ACE > ACL_AT.
    write_header(
        &mut w,
        ACL_AT,
        ACL_REVISION,
        end.wrapping_sub(ACL_AT),
        count,
    )
    .ok()?;
    let control = ControlFlags::SELF_RELATIVE | ControlFlags::DACL_PRESENT;
    write_sd_header(&mut w, control, [0, 0, 0, ACL_AT]).ok()?;
    Some(end)
}

/// [`fast_aces`] without the tail: one tight loop over plain offsets (rather than one call
/// per ACE through the cursor and writer types), so the parser's state stays in registers.
#[inline(never)]
fn run(text: &[u8], buf: &mut [u8], mut pos: usize, limit: usize) -> (usize, usize, usize) {
    let mut at = 0usize;
    let mut aces = 0usize;
    while let Some(rest) = text.get(at..)
        && let Some(spare) = buf.get_mut(pos..)
        && let Some((header, spare)) = spare.split_first_chunk_mut::<8>()
        && let Some(sid) = spare.first_chunk_mut::<{ Sid::MAX_LEN }>()
        && let Some((used, len)) = fast_ace(rest, header, sid)
    {
        // 8 + len <= 76.
        let end = pos.wrapping_add(8).wrapping_add(len);
        if end > limit {
            break; // the simple path reports the size
        }
        pos = end;
        // `used` <= rest.len().
        at = at.wrapping_add(used);
        aces = aces.wrapping_add(1);
    }
    (at, pos, aces)
}

/// One fast-path ACE, `(A;;rights;;;S-1-…)` or `(D;;…)` with hex (`0x…`) or token rights and
/// a decimal-authority SID, at the start of `text`: writes its header and SID and returns
/// the text length and the SID's length, or `None` (the simple parser then takes over and
/// names any error).
#[allow(clippy::inline_always)]
#[inline(always)]
fn fast_ace(
    text: &[u8],
    header: &mut [u8; 8],
    sid: &mut [u8; Sid::MAX_LEN],
) -> Option<(usize, usize)> {
    let (head, rights) = text.split_first_chunk::<4>()?;
    let ace_type: u8 = match u32::from_le_bytes(*head) {
        ALLOW_HEAD => 0x00,
        DENY_HEAD => 0x01,
        _ => return None,
    };
    let (mask, n) = fast_rights(rights)?;
    let rest = rights.get(n..)?.strip_prefix(b";;;")?;
    let (len, used) = fast_sid(rest, sid)?;
    if rest.get(used) != Some(&b')') {
        return None;
    }
    let [m0, m1, m2, m3] = mask.to_le_bytes();
    // 8 + at most 68 bytes.
    let [s0, s1] = u16::try_from(len.wrapping_add(8)).ok()?.to_le_bytes();
    *header = [ace_type, 0, s0, s1, m0, m1, m2, m3];
    // 4 + n + 3 + used + 1 bytes of text, all within `text`.
    Some((n.wrapping_add(used).wrapping_add(8), len))
}

/// Rights of the fast path: `0x` and 1 to 8 hex digits, or two-letter tokens; the mask and
/// the text length, the `;` after them unread.
#[inline]
fn fast_rights(rights: &[u8]) -> Option<(u32, usize)> {
    if let Some(digits) = rights.strip_prefix(b"0x") {
        let (mask, n) = swar_hex(*digits.first_chunk::<8>()?)?;
        return Some((mask, n.wrapping_add(2)));
    }
    let mut mask = 0u32;
    let mut n = 0usize;
    loop {
        match rights.get(n..)?.first_chunk::<2>()? {
            [b';', _] => return Some((mask, n)),
            &pair => mask |= right_token(pair)?,
        }
        n = n.wrapping_add(2);
    }
}

/// Fast path for the common SID string: `S-1-`, a decimal authority and 1 to 15 decimal
/// sub-authorities, written in binary at the start of `buf` (only the SID's own bytes are
/// changed on success). Returns the binary length and the text length, or `None` for
/// anything else (hex authority, any error), which the simple parser then reads.
///
/// Every number is read by [`swar_decimal`] from 16 bytes of
/// look-ahead, so a SID within 16 bytes of the end of the text takes the general parser.
// Inlined into the fast ACE loop (callgrind: the call's register saves and the result's trip
// through memory cost a tenth of an ACE).
#[allow(clippy::inline_always)]
#[inline(always)]
fn fast_sid(text: &[u8], buf: &mut [u8; Sid::MAX_LEN]) -> Option<(usize, usize)> {
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
        let (v, n, next) = swar_decimal(text.get(4..)?.first_chunk::<16>()?)?;
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
        let (v, n, next) = swar_decimal(text.get(at..)?.first_chunk::<16>()?)?;
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
    swar_decimal(window.get(at..)?.first_chunk::<16>()?)
}

/// Reads 1 to 8 hexadecimal digits (either case) at the start of 8 bytes: the value and the
/// digit count, or `None` when the first byte is not a digit. The caller checks what follows
/// (a ninth digit is then not the `;` it wants).
///
/// SWAR, like [`swar_decimal`]: one word, a carry-free range test per byte for `0-9` and
/// (lowercased) `a-f`, the digit run shifted to the word's top, and its nibbles gathered in
/// three shift-or-mask steps.
#[inline]
fn swar_hex(chunk: [u8; 8]) -> Option<(u32, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = u64::from_le_bytes(chunk);
    // For a byte b <= 0x7f, b + (0x80 - lo) has its high bit set exactly when b >= lo and
    // does not carry out of its byte; non-ASCII bytes (which may carry) are not digits and
    // only bytes above them, which do not matter, can be misjudged.
    let at_least =
        |v: u64, lo: u8| v.wrapping_add(ONES.wrapping_mul(u64::from(0x80u8.wrapping_sub(lo))));
    let lower = x | 0x2020_2020_2020_2020;
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let alpha = at_least(lower, b'a') & !at_least(lower, b'f' + 1) & HIGH;
    let hex = (digit | alpha) & !x & HIGH;
    // 0..=8 digits.
    let n = (!hex & HIGH).trailing_zeros() / 8;
    if n == 0 {
        return None;
    }
    // Nibble values: the low nibble, plus 9 for a letter (`a` is 0x61 or 0x41).
    let nibbles = (x & 0x0f0f_0f0f_0f0f_0f0f).wrapping_add((alpha >> 7).wrapping_mul(9));
    // 1 <= n <= 8: a shift of 0..=56 bits puts the last digit in the top byte.
    let t = nibbles.wrapping_shl(64u32.wrapping_sub(n.wrapping_mul(8)));
    // Bytes 2k: digit 2k, digit 2k + 1; then 16-bit groups, then the 32-bit value.
    let t = ((t << 4) | (t >> 8)) & 0x00ff_00ff_00ff_00ff;
    let t = ((t << 8) | (t >> 16)) & 0x0000_ffff_0000_ffff;
    let v = (t << 16) | (t >> 32);
    Some((u32::try_from(v & 0xffff_ffff).unwrap_or(0), n as usize))
}

/// A decimal `u32` (no leading zero, a lone `0` is fine) over 16 bytes of look-ahead (a
/// `u32` has at most 10 digits): its value, its digit count and
/// returning the byte after the number (always within the 16), so a caller can check a
/// separator without another bounds-checked read.
///
/// The first 8 bytes are one word: its digit run is found with one carry-free test per byte
/// ([`non_digits`]). A run that ends inside the word is shifted to the word's top (so the
/// bytes after it, whatever they hold, fall out) and converted with [`eight_digits`]. A run
/// of 8 digits or more is converted whole, and the next word says how many of its bytes (0,
/// 1 or 2; more is too many for a `u32`) extend it. The value of 9 or 10 digits is formed in
/// a `u64`, where it cannot overflow, and checked against `u32::MAX` once.
// Inlined into the SID readers: a call per number would add its register traffic to each.
#[allow(clippy::inline_always)]
#[inline(always)]
fn swar_decimal(chunk: &[u8; 16]) -> Option<(u32, usize, u8)> {
    let (lo, hi) = split16(chunk);
    // Byte i is byte i of the text minus '0' (a borrow reaches only bytes above a non-digit,
    // and the first non-digit itself is exact).
    let t = lo.wrapping_sub(ASCII_ZEROS);
    let first = t & 0xff;
    let nd = non_digits(t);
    if nd != 0 {
        // 0..=7 digits.
        let n = nd.trailing_zeros() / 8;
        if n == 0 || (n > 1 && first == 0) {
            return None; // no digit, or a leading zero
        }
        let next = byte(t.wrapping_shr(n.wrapping_mul(8)));
        // 1 <= n <= 7: a shift of 8..=56 bits puts the last digit in the top byte.
        let aligned = t.wrapping_shl(64u32.wrapping_sub(n.wrapping_mul(8)));
        return Some((eight_digits(aligned), n as usize, next.wrapping_add(b'0')));
    }
    if first == 0 {
        return None; // a leading zero
    }
    let head = u64::from(eight_digits(t));
    let u = hi.wrapping_sub(ASCII_ZEROS);
    let m = non_digits(u).trailing_zeros() / 8;
    // head <= 99,999,999, so each result below is at most 9,999,999,999.
    let v = match m {
        0 => head,
        1 => head.wrapping_mul(10).wrapping_add(u & 0xff),
        2 => head
            .wrapping_mul(100)
            .wrapping_add((u & 0xff).wrapping_mul(10))
            .wrapping_add(u >> 8 & 0xff),
        _ => return None, // eleven digits or more
    };
    let next = byte(u.wrapping_shr(m.wrapping_mul(8)));
    Some((
        u32::try_from(v).ok()?,
        (m as usize).wrapping_add(8),
        next.wrapping_add(b'0'),
    ))
}

/// The low byte of `v`.
#[inline]
const fn byte(v: u64) -> u8 {
    v.to_le_bytes()[0]
}

/// The two little-endian words of 16 bytes.
#[inline]
fn split16(chunk: &[u8; 16]) -> (u64, u64) {
    let (lo, hi) = chunk.split_at(8);
    let word = |b: &[u8]| b.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w));
    (word(lo), word(hi))
}

const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;

/// The high bit of each byte of `t` (ASCII minus `'0'` per byte) that is not a digit: a byte
/// is a digit when it is 0..=9, i.e. neither it nor it + 0x76 has its high bit set. Borrows
/// and carries only move upwards, so the lowest non-digit is found exactly (bytes above it
/// may be misjudged, and never matter).
#[inline]
const fn non_digits(t: u64) -> u64 {
    (t | t.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
}

/// Converts 8 digit values (0..=9, one per byte, most significant in the lowest byte) to
/// their number. All arithmetic wraps by design and cannot exceed 99,999,999.
fn eight_digits(t: u64) -> u32 {
    const MASK: u64 = 0x0000_00ff_0000_00ff;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let pairs = t.wrapping_mul(10).wrapping_add(t >> 8);
    let v = (pairs & MASK)
        .wrapping_mul(MUL1)
        .wrapping_add(((pairs >> 16) & MASK).wrapping_mul(MUL2))
        >> 32;
    u32::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Cursor;

    /// What the simple path's number reader gives for the digits at the start of `c`, with the
    /// byte after them.
    fn simple_decimal(c: &[u8; 16]) -> Option<(u32, usize, u8)> {
        let mut cursor = Cursor::new(c);
        let v = cursor.decimal_u32().ok()?;
        Some((v, cursor.pos(), *c.get(cursor.pos())?))
    }

    /// The SWAR readers against the simple path's readers: every byte value at every position
    /// of a digit run, so every run length and every terminator (non-ASCII bytes included).
    #[test]
    fn swar_readers_match_the_simple_readers() {
        for base in [*b"1234abCD", *b"fFfFfFfF", *b"00000000", *b"9a0B1c2D"] {
            for p in 0..8 {
                for b in 0..=255u8 {
                    let mut c = base;
                    c[p] = b;
                    let mut cursor = Cursor::new(&c);
                    let want = cursor
                        .hex(8)
                        .ok()
                        .map(|v| (u32::try_from(v).unwrap(), cursor.pos()));
                    assert_eq!(swar_hex(c), want, "{c:?}");
                }
            }
        }
        for base in [
            *b"1234567890123456",
            *b"4294967295999999",
            *b"4294967296000000",
            *b"0000000000000000",
            *b"9999999999999999",
        ] {
            for p in 0..16 {
                for b in 0..=255u8 {
                    let mut c = base;
                    c[p] = b;
                    assert_eq!(swar_decimal(&c), simple_decimal(&c), "{c:?}");
                    // And with the run cut short at every length.
                    for q in 0..p {
                        let mut d = c;
                        d[q] = b'-';
                        assert_eq!(swar_decimal(&d), simple_decimal(&d), "{d:?}");
                    }
                }
            }
        }
    }
}
