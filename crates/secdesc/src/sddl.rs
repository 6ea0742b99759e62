//! SDDL ("Security Descriptor String Format") to and from self-relative descriptors.
//!
//! # Encoding
//!
//! [`encode`] works in one pass straight into the caller's buffer. Sections (`O:`, `G:`,
//! `D:`, `S:`, each at most once, in any order) are parsed in text order; ACLs are written one
//! after the other from offset 20, each header (size, count, revision 2 or 4) patched after its
//! ACEs; if the DACL came first in the text, the DACL–SACL region is rotated in place at the
//! end so the SACL leads, as in Windows' layout (header | SACL | DACL | Owner | Group). Owner
//! and group are remembered by text position and written last. Numbers and SIDs are parsed
//! from the text without intermediate strings. When the buffer is short the pass keeps
//! counting, so the error carries the exact `needed` size; [`encoded_len`] is the same pass
//! without output. On any error the buffer holds partial output and must not be used.
//!
//! Fast paths (each falls back to the general parser, which then names any error, so they
//! change speed, never results; `fast_paths_match_the_generic_writer` checks them against
//! [`AclWriter`](crate::AclWriter), `fast_and_general_paths_agree` against the general parser
//! with the fast paths switched off, errors and their offsets included): a run of allow/deny
//! ACEs without flags or GUIDs (`(A;;` / `(D;;` matched as one word) is written in one loop
//! over plain offsets straight into the output; hex masks are read 8 digits at a time and
//! decimal numbers 8 (then up to 2 more) at a time (SWAR, no per-digit loop); rights tokens
//! are one `match`; the `S-1-5-` and `S-1-5-21-` prefixes are compared as words, and an
//! account-domain SID `S-1-5-21-a-b-c-rid` is read in straight-line code with one bounds check.
//! There is no cache of the previous SID: an earlier memo of the last domain prefix saved work
//! only when ACEs share a domain and, once parsing was this cheap, cost more than it saved on
//! the general path.
//!
//! Measured with callgrind (marginal cost of `connsecctl sddl encode`, N=1 against N=101
//! input lines, hex output included; DACL of 256 allow ACEs with 5-sub-authority domain
//! SIDs, 9,244 output bytes): 11.4 instructions per output byte when every SID has its own
//! random domain (all four numbers uniform over `u32`, rights random hex masks or tokens),
//! 11.1 when all SIDs share one domain; `sddl::encode` alone is about 1.2 less. See
//! the README (section "The security-descriptor codec", "Cost") for the method and the commit.
//!
//! Accepted: ACE types `A`, `D`, `OA`, `OD`, `AU`, `AL`, `OU`, `OL`, `ML`; ACE flags `OI`,
//! `CI`, `NP`, `IO`, `ID`, `CR`, `SA`, `FA` and `TP` (= 0x40, like `SA`); rights as tokens
//! (generic `GA GR GW GX`, standard `RC SD WD WO`, directory service `CC DC LC SW RP WP DT LO
//! CR`, file `FA FR FW FX`, registry `KA KR KW KX`, label `NR NW NX`) or one number (`0x` hex
//! or decimal without leading zeros, so no octal ambiguity); object GUIDs on object types only;
//! SIDs as strict `S-1-…` strings (see [`Sid::parse`]) or two-letter aliases, any case;
//! ACL flags `P`, `AI`, `AR` and `NO_ACCESS_CONTROL`. Whitespace is not accepted anywhere.
//!
//! `D:NO_ACCESS_CONTROL` encodes as Windows does: `SE_DACL_PRESENT` with DACL offset 0, a NULL
//! DACL that grants everyone everything. The codec represents it so a descriptor read from a
//! system can be shown faithfully; the policy crate refuses to build one.
//!
//! Refused with a precise error: conditional (callback) ACEs `XA`, `XD`, `ZA`, `XU`
//! ([`ErrorKind::UnsupportedConditionalAce`]), resource attributes `RA`
//! ([`ErrorKind::UnsupportedResourceAttribute`]), and `SP`/`FL`
//! ([`ErrorKind::UnsupportedAceType`]).
//!
//! # Formatting
//!
//! [`format`] writes `O:`, `G:`, `D:`, `S:` in that order, aliases where Windows uses them,
//! ACL flags as `P`, `AR`, `AI`, ACE flags in bit order, rights as one composite token (`FA`,
//! `KR`, …) on an exact match, else single-bit tokens in bit order when they cover the mask,
//! else `0x…`; GUIDs in lowercase. Control bits without an SDDL form (the `*_DEFAULTED` bits,
//! `SE_RM_CONTROL_VALID`, …) are not written. Unsupported ACE types make it fail with
//! `fmt::Error`; [`check_formattable`] names the ACE and its offset first.

use core::fmt::{self, Write};

use crate::ace::{ACE_FLAG_TOKENS, AceFlags, AceRepr, AceType, parse_guid};
use crate::acl::{ACL_HEADER_LEN, ACL_REVISION, ACL_REVISION_DS, Acl, MAX_ACL_LEN, write_header};
use crate::alias::{SddlContext, alias_of, resolve_pair};
use crate::descriptor::{ControlFlags, SD_HEADER_LEN, SecurityDescriptor, write_sd_header};
use crate::error::{Error, ErrorKind, Expected};
use crate::out::Out;
use crate::sid::{Sid, SidSink, fast_sid, parse_sid, parse_sid_with};
use crate::text::{Cursor, swar_hex};

/// Single-bit rights tokens in the order they are written (ascending bit).
const RIGHT_BITS: [([u8; 2], u32); 17] = [
    (*b"CC", 0x0000_0001),
    (*b"DC", 0x0000_0002),
    (*b"LC", 0x0000_0004),
    (*b"SW", 0x0000_0008),
    (*b"RP", 0x0000_0010),
    (*b"WP", 0x0000_0020),
    (*b"DT", 0x0000_0040),
    (*b"LO", 0x0000_0080),
    (*b"CR", 0x0000_0100),
    (*b"SD", 0x0001_0000),
    (*b"RC", 0x0002_0000),
    (*b"WD", 0x0004_0000),
    (*b"WO", 0x0008_0000),
    (*b"GA", 0x1000_0000),
    (*b"GX", 0x2000_0000),
    (*b"GW", 0x4000_0000),
    (*b"GR", 0x8000_0000),
];

/// Composite rights tokens; formatting uses the first exact match (`KX` equals `KR`).
const RIGHT_COMPOSITES: [([u8; 2], u32); 8] = [
    (*b"FA", 0x001f_01ff),
    (*b"FR", 0x0012_0089),
    (*b"FW", 0x0012_0116),
    (*b"FX", 0x0012_00a0),
    (*b"KA", 0x000f_003f),
    (*b"KR", 0x0002_0019),
    (*b"KW", 0x0002_0006),
    (*b"KX", 0x0002_0019),
];

/// Mandatory-label rights tokens (written for `ML` ACEs only).
const RIGHT_LABEL: [([u8; 2], u32); 3] = [(*b"NW", 0x1), (*b"NR", 0x2), (*b"NX", 0x4)];

/// The mask of a two-letter rights token (the tables above, as one `match`: a jump on the
/// first letter, then the second, instead of a search; `right_token_matches_the_tables`
/// checks every pair against the tables).
const fn right_token(t: [u8; 2]) -> Option<u32> {
    Some(match &t {
        b"CC" | b"NW" => 0x0000_0001,
        b"DC" | b"NR" => 0x0000_0002,
        b"LC" | b"NX" => 0x0000_0004,
        b"SW" => 0x0000_0008,
        b"RP" => 0x0000_0010,
        b"WP" => 0x0000_0020,
        b"DT" => 0x0000_0040,
        b"LO" => 0x0000_0080,
        b"CR" => 0x0000_0100,
        b"SD" => 0x0001_0000,
        b"RC" => 0x0002_0000,
        b"WD" => 0x0004_0000,
        b"WO" => 0x0008_0000,
        b"GA" => 0x1000_0000,
        b"GX" => 0x2000_0000,
        b"GW" => 0x4000_0000,
        b"GR" => 0x8000_0000,
        b"FA" => 0x001f_01ff,
        b"FR" => 0x0012_0089,
        b"FW" => 0x0012_0116,
        b"FX" => 0x0012_00a0,
        b"KA" => 0x000f_003f,
        b"KR" | b"KX" => 0x0002_0019,
        b"KW" => 0x0002_0006,
        _ => return None,
    })
}

/// The byte length [`encode`] writes for `text`.
pub fn encoded_len(text: &str, ctx: &SddlContext) -> Result<usize, Error> {
    encode_pass(text.as_bytes(), ctx, &mut []).map_err(|e| to_char_offset(text, e))
}

/// Encodes SDDL `text` as a self-relative descriptor in `out`; returns the bytes written.
pub fn encode(text: &str, ctx: &SddlContext, out: &mut [u8]) -> Result<usize, Error> {
    let n = encode_pass(text.as_bytes(), ctx, out).map_err(|e| to_char_offset(text, e))?;
    if n > out.len() {
        return Err(Error::new(0, ErrorKind::BufferTooSmall { needed: n }));
    }
    Ok(n)
}

/// Parses a whole string as a SID (`S-1-…`) or a two-letter alias (any case).
pub fn parse_sid_or_alias(text: &str, ctx: &SddlContext) -> Result<Sid, Error> {
    let s = text.as_bytes();
    let mut c = Cursor::new(s);
    let sid = sid_or_alias(&mut c, ctx).map_err(|e| to_char_offset(text, e))?;
    if !c.at_end() {
        return Err(to_char_offset(
            text,
            c.err(ErrorKind::Expected(Expected::End)),
        ));
    }
    Ok(sid)
}

/// Byte offsets become character offsets (they differ only after non-ASCII text).
fn to_char_offset(text: &str, e: Error) -> Error {
    let chars = text.as_bytes().get(..e.offset).map_or(e.offset, |p| {
        // Count bytes that start a UTF-8 character (not 0b10xx_xxxx continuation bytes).
        p.iter().filter(|&&b| b & 0xc0 != 0x80).count()
    });
    Error { offset: chars, ..e }
}

/// Whether the cursor is at the end of a section: the end of the text or the next tag.
fn at_section_end(c: &Cursor<'_>) -> bool {
    match c.peek2() {
        Some([b'O' | b'G' | b'D' | b'S', b':']) => true,
        _ => c.at_end(),
    }
}

/// Where one `D:`/`S:` section went in the output.
#[derive(Clone, Copy)]
struct AclPlace {
    /// Output offset of the ACL (`None`: `NO_ACCESS_CONTROL`).
    at: Option<usize>,
    /// Its length in bytes.
    len: usize,
}

/// The single encoding pass; returns the total length (which may exceed `out`).
///
/// Sections are parsed in text order. ACLs are written one after the other from offset 20;
/// when the DACL came first in the text, the DACL..SACL region is rotated at the end so the
/// SACL comes first, as Windows lays it out. Owner and group are remembered by text position
/// and written last (re-parsing a SID is cheaper than holding two).
fn encode_pass(s: &[u8], ctx: &SddlContext, out: &mut [u8]) -> Result<usize, Error> {
    let mut w = Out::new(out);
    w.put(&[0; SD_HEADER_LEN]);
    let mut control = ControlFlags::SELF_RELATIVE;
    let mut owner_at = None;
    let mut group_at = None;
    let mut sacl: Option<AclPlace> = None;
    let mut dacl: Option<AclPlace> = None;
    let mut c = Cursor::new(s);
    while !c.at_end() {
        let tag_at = c.pos();
        let Some([tag @ (b'O' | b'G' | b'D' | b'S'), b':']) = c.peek2() else {
            return Err(c.err(ErrorKind::Expected(Expected::SectionTag)));
        };
        let seen = match tag {
            b'O' => owner_at.is_some(),
            b'G' => group_at.is_some(),
            b'D' => dacl.is_some(),
            _ => sacl.is_some(),
        };
        if seen {
            return Err(Error::new(tag_at, ErrorKind::DuplicateSection { tag }));
        }
        c.advance(2);
        match tag {
            b'O' | b'G' => {
                let at = c.pos();
                sid_or_alias(&mut c, ctx)?;
                if !at_section_end(&c) {
                    return Err(c.err(ErrorKind::Expected(Expected::End)));
                }
                if tag == b'O' {
                    owner_at = Some(at);
                } else {
                    group_at = Some(at);
                }
            }
            _ => {
                let is_sacl = tag == b'S';
                let (flags, place) = acl_section(&mut c, ctx, &mut w, is_sacl)?;
                control |= flags;
                if is_sacl {
                    sacl = Some(place);
                } else {
                    dacl = Some(place);
                }
            }
        }
    }
    let mut offsets = [0u32; 4]; // owner, group, sacl, dacl
    let sacl_at = sacl.and_then(|p| p.at);
    let dacl_at = dacl.and_then(|p| p.at);
    let (sacl_at, dacl_at) = match (sacl_at, dacl_at, sacl) {
        (Some(s_at), Some(d_at), Some(AclPlace { len: s_len, .. })) if d_at < s_at => {
            // The DACL was written first: rotate the two so the SACL leads.
            w.rotate_right(d_at, s_at.saturating_add(s_len), s_len);
            (Some(d_at), Some(d_at.saturating_add(s_len)))
        }
        other => (other.0, other.1),
    };
    offsets[2] = sacl_at.map_or(0, offset_u32);
    offsets[3] = dacl_at.map_or(0, offset_u32);
    for (at, slot) in [(owner_at, 0usize), (group_at, 1)] {
        if let Some(at) = at {
            let sid = sid_or_alias(&mut Cursor::at(s, at), ctx)?;
            if let Some(o) = offsets.get_mut(slot) {
                *o = offset_u32(w.pos());
            }
            w.put_sid(&sid);
        }
    }
    write_sd_header(&mut w, 0, control, offsets);
    Ok(w.pos())
}

/// Descriptor offsets stay far below 4 GiB (two ACLs of at most 65,532 bytes and two SIDs).
fn offset_u32(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Parses one `D:`/`S:` section value at the cursor and writes its ACL; returns the control
/// bits and where the ACL went.
fn acl_section(
    c: &mut Cursor<'_>,
    ctx: &SddlContext,
    w: &mut Out<'_>,
    is_sacl: bool,
) -> Result<(u16, AclPlace), Error> {
    let (present, protected, req, inherited) = if is_sacl {
        (
            ControlFlags::SACL_PRESENT,
            ControlFlags::SACL_PROTECTED,
            ControlFlags::SACL_AUTO_INHERIT_REQ,
            ControlFlags::SACL_AUTO_INHERITED,
        )
    } else {
        (
            ControlFlags::DACL_PRESENT,
            ControlFlags::DACL_PROTECTED,
            ControlFlags::DACL_AUTO_INHERIT_REQ,
            ControlFlags::DACL_AUTO_INHERITED,
        )
    };
    let mut flags = present;
    let mut null = false;
    while c.peek() != Some(b'(') && !at_section_end(c) {
        if c.peek() == Some(b'P') {
            flags |= protected;
            c.advance(1);
        } else if c.peek2() == Some(*b"AI") {
            flags |= inherited;
            c.advance(2);
        } else if c.peek2() == Some(*b"AR") {
            flags |= req;
            c.advance(2);
        } else if c.rest().starts_with(b"NO_ACCESS_CONTROL") {
            null = true;
            c.advance(17);
        } else {
            return Err(c.err(ErrorKind::Expected(Expected::AclFlagOrAce)));
        }
    }
    if null {
        if !at_section_end(c) {
            return Err(c.err(ErrorKind::AcesInNullAcl));
        }
        return Ok((flags, AclPlace { at: None, len: 0 }));
    }
    let acl_at = w.pos();
    w.put(&[0; ACL_HEADER_LEN]);
    let mut count = 0u16;
    let mut revision = ACL_REVISION;
    // ACEs of the fast path may take the ACL up to this output offset.
    let limit = acl_at.saturating_add(MAX_ACL_LEN);
    while c.peek() == Some(b'(') {
        if fast_paths() {
            // A run of fast-path ACEs (allow and deny only: ACL revision 2), each within the
            // size limit; the ACE that stops the run takes the general path.
            let (buf, pos) = w.buf_and_pos();
            let (text_used, end, aces) = fast_aces(c.rest(), buf, pos, limit);
            if aces > 0 {
                w.skip(end.wrapping_sub(pos));
                c.advance(text_used);
                // At most 65,532 / 16 ACEs fit within the limit.
                count = count.wrapping_add(u16::try_from(aces).unwrap_or(u16::MAX));
                continue;
            }
        }
        let ace_start = c.pos();
        let fast = fast_paths() && w.no_room(FAST_ACE_MAX) && fast_ace_counted(c, w).is_some();
        if !fast && parse_ace_into(c, ctx, w)?.needs_ds_revision() {
            revision = ACL_REVISION_DS;
        }
        let size = w.pos().saturating_sub(acl_at);
        if size > MAX_ACL_LEN {
            return Err(Error::new(ace_start, ErrorKind::AclTooLarge { size }));
        }
        // The size check above bounds the count to 65,532 / 16.
        count = count.wrapping_add(1);
    }
    if !at_section_end(c) {
        return Err(c.err(ErrorKind::Expected(Expected::AclFlagOrAce)));
    }
    let size = w.pos().saturating_sub(acl_at);
    write_header(w, acl_at, revision, size, count);
    Ok((
        flags,
        AclPlace {
            at: Some(acl_at),
            len: size,
        },
    ))
}

/// Writes a SID to the output as it is parsed (no intermediate `Sid`).
struct SidOut<'w, 'b> {
    w: &'w mut Out<'b>,
}

impl SidSink for SidOut<'_, '_> {
    fn authority(&mut self, authority: u64) {
        let [_, _, a0, a1, a2, a3, a4, a5] = authority.to_be_bytes();
        // The count byte is patched once the sub-authorities are known.
        self.w.put(&[1, 0, a0, a1, a2, a3, a4, a5]);
    }

    fn sub_authority(&mut self, _index: u8, value: u32) {
        self.w.put(&value.to_le_bytes());
    }
}

/// Whether the fast paths are on: always, except in unit tests that switch them off on
/// their thread to compare them with the general parser (`fast_and_general_paths_agree`).
#[cfg(not(test))]
#[inline]
const fn fast_paths() -> bool {
    true
}

#[cfg(test)]
std::thread_local! {
    /// Unit tests only: the fast paths are off on this thread.
    static GENERAL_ONLY: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

#[cfg(test)]
fn fast_paths() -> bool {
    !GENERAL_ONLY.with(core::cell::Cell::get)
}

/// Unit tests only: runs `f` with the fast paths off on this thread.
#[cfg(test)]
pub(crate) fn general_only<T>(f: impl FnOnce() -> T) -> T {
    GENERAL_ONLY.with(|g| g.set(true));
    let r = f();
    GENERAL_ONLY.with(|g| g.set(false));
    r
}

/// `(A;;` and `(D;;` as little-endian words.
const ALLOW_HEAD: u32 = u32::from_le_bytes(*b"(A;;");
const DENY_HEAD: u32 = u32::from_le_bytes(*b"(D;;");

/// The largest ACE the fast path writes: header, mask and a SID of 15 sub-authorities.
const FAST_ACE_MAX: usize = 8 + Sid::MAX_LEN;

/// Writes the run of fast-path ACEs at the start of `text` into `buf` from offset `pos`, each
/// ending at most at `limit`, while [`FAST_ACE_MAX`] bytes are free at `pos`. Returns the
/// text used, the output offset reached and the number of ACEs. The ACE that stops the run
/// (another shape, an error, no room, over the limit) is left to the caller; bytes written
/// past the returned offset are overwritten by the caller's next write.
///
/// One tight loop over plain offsets (rather than one call per ACE through the cursor and
/// output types), so the parser's state stays in registers: measured with callgrind, this
/// and the inlined [`fast_sid`] saved about 45 instructions per ACE.
#[inline(never)]
fn fast_aces(text: &[u8], buf: &mut [u8], mut pos: usize, limit: usize) -> (usize, usize, usize) {
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
            break; // the general path reports the size
        }
        pos = end;
        // `used` <= rest.len().
        at = at.wrapping_add(used);
        aces = aces.wrapping_add(1);
    }
    (at, pos, aces)
}

/// The fast path for one ACE when the output has no room for the largest one (near the end
/// of the buffer, or when only counting): through one SID's worth of stack.
fn fast_ace_counted(c: &mut Cursor<'_>, w: &mut Out<'_>) -> Option<()> {
    let mut header = [0u8; 8];
    let mut sid = [0u8; Sid::MAX_LEN];
    let (used, len) = fast_ace(c.rest(), &mut header, &mut sid)?;
    w.put(&header);
    w.put(sid.get(..len)?);
    c.advance(used);
    Some(())
}

/// One fast-path ACE, `(A;;rights;;;S-1-…)` or `(D;;…)` with hex (`0x…`) or token rights and
/// a decimal-authority SID, at the start of `text`: writes its header and SID and returns
/// the text length and the SID's length, or `None` ([`parse_ace_into`] then takes over and
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

/// Parses `(type;flags;rights;object;inherited-object;sid)` at the cursor and writes the ACE
/// straight into `w`; returns its type.
fn parse_ace_into(
    c: &mut Cursor<'_>,
    ctx: &SddlContext,
    w: &mut Out<'_>,
) -> Result<AceType, Error> {
    let (ace_type, flags, mask) = parse_ace_head(c)?;
    let mut guids = [None, None];
    for g in &mut guids {
        if !c.eat(b';') {
            if !ace_type.is_object() {
                return Err(c.err(ErrorKind::GuidOnNonObjectAce));
            }
            *g = Some(parse_guid(c)?);
            c.expect(b';')?;
        }
    }
    let ace_at = w.pos();
    let [m0, m1, m2, m3] = mask.to_le_bytes();
    w.put(&[ace_type.into(), flags, 0, 0, m0, m1, m2, m3]);
    if ace_type.is_object() {
        let [object_type, inherited_object_type] = guids;
        let object_flags =
            u8::from(object_type.is_some()) | (u8::from(inherited_object_type.is_some()) << 1);
        w.put(&[object_flags, 0, 0, 0]);
        for g in [object_type, inherited_object_type].into_iter().flatten() {
            w.put(&g.to_le_bytes());
        }
    }
    let mut sid_buf = [0u8; Sid::MAX_LEN];
    if let Some((len, used)) = fast_paths()
        .then(|| fast_sid(c.rest(), &mut sid_buf))
        .flatten()
    {
        w.put(sid_buf.get(..len).unwrap_or(&[]));
        c.advance(used);
    } else if c.peek2() == Some(*b"S-") {
        let sid_at = w.pos();
        let count = parse_sid_with(c, &mut SidOut { w: &mut *w })?;
        w.patch(sid_at.saturating_add(1), &[count]);
    } else {
        let sid = sid_or_alias(c, ctx)?;
        w.put_sid(&sid);
    }
    c.expect(b')')?;
    // At most 8 + 36 + 68 = 112 bytes.
    let size = u16::try_from(w.pos().saturating_sub(ace_at)).unwrap_or(0);
    w.patch(ace_at.saturating_add(2), &size.to_le_bytes());
    Ok(ace_type)
}

/// Parses `(type;flags;rights;` and returns them.
fn parse_ace_head(c: &mut Cursor<'_>) -> Result<(AceType, u8, u32), Error> {
    if !c.eat(b'(') {
        return Err(c.err(ErrorKind::Expected(Expected::AclFlagOrAce)));
    }
    let type_at = c.pos();
    let (ace_type, len) = match c.peek2() {
        Some([b'A', b';']) => (0x00, 1),
        Some([b'D', b';']) => (0x01, 1),
        Some(pair) => match pair {
            [b'A', b'U'] => (0x02, 2),
            [b'A', b'L'] => (0x03, 2),
            [b'O', b'A'] => (0x05, 2),
            [b'O', b'D'] => (0x06, 2),
            [b'O', b'U'] => (0x07, 2),
            [b'O', b'L'] => (0x08, 2),
            [b'M', b'L'] => (0x11, 2),
            [b'X', b'A' | b'D' | b'U'] | [b'Z', b'A'] => {
                return Err(c.err(ErrorKind::UnsupportedConditionalAce));
            }
            [b'R', b'A'] => return Err(c.err(ErrorKind::UnsupportedResourceAttribute)),
            [b'S', b'P'] => return Err(c.err(ErrorKind::UnsupportedAceType { ace_type: 0x13 })),
            [b'F', b'L'] => return Err(c.err(ErrorKind::UnsupportedAceType { ace_type: 0x15 })),
            _ => return Err(c.err(ErrorKind::Expected(Expected::AceType))),
        },
        None => return Err(c.err(ErrorKind::Expected(Expected::AceType))),
    };
    c.advance(len);
    if !c.eat(b';') {
        return Err(Error::new(type_at, ErrorKind::Expected(Expected::AceType)));
    }

    let mut flags = 0u8;
    while !c.eat(b';') {
        let pair = c
            .peek2()
            .ok_or(c.err(ErrorKind::Expected(Expected::AceFlag)))?;
        let bit = if pair == *b"TP" {
            AceFlags::SUCCESSFUL_ACCESS
        } else {
            ACE_FLAG_TOKENS
                .iter()
                .find(|(k, _)| *k == pair)
                .map(|&(_, v)| v)
                .ok_or(c.err(ErrorKind::Expected(Expected::AceFlag)))?
        };
        flags |= bit;
        c.advance(2);
    }

    let mask = parse_rights(c)?;
    c.expect(b';')?;
    Ok((AceType::from(ace_type), flags, mask))
}

fn parse_rights(c: &mut Cursor<'_>) -> Result<u32, Error> {
    match c.peek() {
        Some(b';') => Ok(0),
        Some(b'0') if matches!(c.peek_at(1), Some(b'x' | b'X')) => {
            c.advance(2);
            let v = c.hex(8)?;
            Ok(u32::try_from(v).unwrap_or(u32::MAX))
        }
        Some(b'0'..=b'9') => c.decimal_u32(),
        _ => {
            let mut mask = 0u32;
            while c.peek() != Some(b';') {
                let v = c
                    .peek2()
                    .and_then(right_token)
                    .ok_or(c.err(ErrorKind::Expected(Expected::Right)))?;
                mask |= v;
                c.advance(2);
            }
            Ok(mask)
        }
    }
}

/// A SID string or a two-letter alias at the cursor.
fn sid_or_alias(c: &mut Cursor<'_>, ctx: &SddlContext) -> Result<Sid, Error> {
    if c.peek2() == Some(*b"S-") {
        return parse_sid(c);
    }
    let pair = c
        .peek2()
        .ok_or(c.err(ErrorKind::Expected(Expected::SidOrAlias)))?;
    if !pair.iter().all(u8::is_ascii_alphabetic) {
        return Err(c.err(ErrorKind::Expected(Expected::SidOrAlias)));
    }
    let sid = resolve_pair(pair, ctx).map_err(|k| c.err(k))?;
    c.advance(2);
    Ok(sid)
}

/// Checks that [`format`] can write every ACE of `sd`; the error names the first ACE of an
/// unsupported type by its byte offset in the descriptor.
pub fn check_formattable(sd: &SecurityDescriptor<'_>) -> Result<(), Error> {
    for (acl, base) in [(sd.sacl(), sd.sacl_offset()), (sd.dacl(), sd.dacl_offset())] {
        let Some(acl) = acl else { continue };
        let mut at = base.saturating_add(ACL_HEADER_LEN);
        for ace in acl.aces() {
            if !ace.ace_type().is_supported() {
                return Err(Error::new(
                    at,
                    ErrorKind::UnsupportedAceType {
                        ace_type: ace.ace_type().into(),
                    },
                ));
            }
            at = at.saturating_add(ace.size());
        }
    }
    Ok(())
}

/// Writes `sd` as SDDL (see the module docs for the exact form).
pub fn format(sd: &SecurityDescriptor<'_>, ctx: &SddlContext, w: &mut dyn Write) -> fmt::Result {
    if let Some(o) = sd.owner() {
        w.write_str("O:")?;
        write_sid(&o, ctx, w)?;
    }
    if let Some(g) = sd.group() {
        w.write_str("G:")?;
        write_sid(&g, ctx, w)?;
    }
    let control = sd.control();
    if control.contains(ControlFlags::DACL_PRESENT) {
        w.write_str("D:")?;
        write_acl(sd.dacl(), control, false, ctx, w)?;
    }
    if control.contains(ControlFlags::SACL_PRESENT) {
        w.write_str("S:")?;
        write_acl(sd.sacl(), control, true, ctx, w)?;
    }
    Ok(())
}

/// Writes a DACL's flags (from `control`) and ACEs, without `D:`: `P(A;;…;;;SY)…`.
pub fn format_acl(
    acl: &Acl<'_>,
    control: ControlFlags,
    ctx: &SddlContext,
    w: &mut dyn Write,
) -> fmt::Result {
    write_acl(Some(*acl), control, false, ctx, w)
}

/// Writes a SACL's flags (from `control`) and ACEs, without `S:`.
pub fn format_sacl(
    acl: &Acl<'_>,
    control: ControlFlags,
    ctx: &SddlContext,
    w: &mut dyn Write,
) -> fmt::Result {
    write_acl(Some(*acl), control, true, ctx, w)
}

fn write_acl(
    acl: Option<Acl<'_>>,
    control: ControlFlags,
    is_sacl: bool,
    ctx: &SddlContext,
    w: &mut dyn Write,
) -> fmt::Result {
    let (protected, req, inherited) = if is_sacl {
        (
            ControlFlags::SACL_PROTECTED,
            ControlFlags::SACL_AUTO_INHERIT_REQ,
            ControlFlags::SACL_AUTO_INHERITED,
        )
    } else {
        (
            ControlFlags::DACL_PROTECTED,
            ControlFlags::DACL_AUTO_INHERIT_REQ,
            ControlFlags::DACL_AUTO_INHERITED,
        )
    };
    for (bit, token) in [(protected, "P"), (req, "AR"), (inherited, "AI")] {
        if control.contains(bit) {
            w.write_str(token)?;
        }
    }
    let Some(acl) = acl else {
        return w.write_str("NO_ACCESS_CONTROL");
    };
    for ace in acl.aces() {
        write_ace(&ace.to_repr().ok_or(fmt::Error)?, ctx, w)?;
    }
    Ok(())
}

/// Writes one ACE string `(type;flags;rights;object;inherited-object;sid)`.
pub fn write_ace(ace: &AceRepr, ctx: &SddlContext, w: &mut dyn Write) -> fmt::Result {
    w.write_char('(')?;
    w.write_str(ace.ace_type.sddl().ok_or(fmt::Error)?)?;
    w.write_char(';')?;
    for (token, bit) in ACE_FLAG_TOKENS {
        if ace.flags.0 & bit != 0 {
            write_pair(token, w)?;
        }
    }
    w.write_char(';')?;
    write_rights(ace.mask.0, ace.ace_type == AceType::SystemMandatoryLabel, w)?;
    w.write_char(';')?;
    if let Some(g) = &ace.object_type {
        write!(w, "{g:#}")?;
    }
    w.write_char(';')?;
    if let Some(g) = &ace.inherited_object_type {
        write!(w, "{g:#}")?;
    }
    w.write_char(';')?;
    write_sid(&ace.sid, ctx, w)?;
    w.write_char(')')
}

fn write_pair(token: [u8; 2], w: &mut dyn Write) -> fmt::Result {
    let [a, b] = token;
    w.write_char(char::from(a))?;
    w.write_char(char::from(b))
}

fn write_rights(mask: u32, label: bool, w: &mut dyn Write) -> fmt::Result {
    if mask == 0 {
        return Ok(());
    }
    let singles: &[([u8; 2], u32)] = if label { &RIGHT_LABEL } else { &RIGHT_BITS };
    if !label && let Some(&(t, _)) = RIGHT_COMPOSITES.iter().find(|&&(_, v)| v == mask) {
        return write_pair(t, w);
    }
    let covered = singles.iter().fold(0u32, |a, &(_, v)| a | v);
    if mask & !covered != 0 {
        return write!(w, "0x{mask:x}");
    }
    for &(t, v) in singles {
        if mask & v != 0 {
            write_pair(t, w)?;
        }
    }
    Ok(())
}

/// Writes a SID as its alias when it has one, else `S-1-…`.
pub fn write_sid(sid: &Sid, ctx: &SddlContext, w: &mut dyn Write) -> fmt::Result {
    match alias_of(sid, ctx) {
        Some(a) => w.write_str(a),
        None => write!(w, "{sid}"),
    }
}

#[cfg(test)]
mod tests;
