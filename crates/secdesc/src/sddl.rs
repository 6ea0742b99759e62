//! SDDL ("Security Descriptor String Format") to and from self-relative descriptors.
//!
//! # Encoding
//!
//! [`encode`] works in one pass straight into the caller's buffer. Sections (`O:`, `G:`,
//! `D:`, `S:`, each at most once, in any order) are parsed in text order; ACLs are written one
//! after the other from offset 20, each header (size, count, revision 2 or 4) patched after its
//! ACEs; if the DACL came first in the text, the DACL–SACL region is rotated in place at the
//! end so the SACL leads, as in Windows' layout (header | SACL | DACL | Owner | Group). Owner
//! and group are remembered by text position and written last. Each ACE is parsed into an
//! [`AceRepr`] and written by the same code as [`AclWriter`](crate::AclWriter) (the host tool
//! builds with the feature `fast-sddl`, which adds a faster path for runs of plain allow/deny
//! ACEs that falls back to this one for anything else; the driver links this path alone).
//! When the
//! buffer is short the pass keeps counting, so the error carries the exact `needed` size;
//! [`encoded_len`] is the same pass without output. On any error the buffer holds partial
//! output and must not be used.
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
//! [`format_into`] writes into a caller's buffer (and, like [`encode`], names the exact size
//! when it is short); [`format`] writes to any [`fmt::Write`] through a small stack buffer.
//! Both run the same code. The text: `O:`, `G:`, `D:`, `S:` in that order, aliases where
//! Windows uses them, ACL flags as `P`, `AR`, `AI`, ACE flags in bit order, rights as one
//! composite token (`FA`, `KR`, …) on an exact match, else single-bit tokens in bit order
//! when they cover the mask, else `0x…`; GUIDs in lowercase. Control bits without an SDDL
//! form (the `*_DEFAULTED` bits, `SE_RM_CONTROL_VALID`, …) are not written. An ACE of an
//! unsupported type is an [`ErrorKind::UnsupportedAceType`] naming its byte offset
//! ([`format`] fails with `fmt::Error`; [`check_formattable`] names it first).

use core::fmt::{self, Write};

use crate::ace::{ACE_FLAG_TOKENS, AccessMask, Ace, AceFlags, AceRepr, AceType, Guid, parse_guid};
use crate::acl::{ACL_HEADER_LEN, ACL_REVISION, ACL_REVISION_DS, Acl, MAX_ACL_LEN, write_header};
use crate::alias::{SddlContext, alias_of, resolve_pair};
use crate::codec::{Sink, Writer};
use crate::descriptor::{ControlFlags, SD_HEADER_LEN, SecurityDescriptor, write_sd_header};
use crate::error::{Error, ErrorKind, Expected, internal};
use crate::sid::{Sid, parse_sid};
use crate::text::{Cursor, put_hex};

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

/// The bits the single-bit tokens cover (`right_token_matches_the_tables` checks both).
const SINGLE_BITS: u32 = 0xf00f_01ff;
const LABEL_BITS: u32 = 0x7;

/// The mask of a two-letter rights token (`right_token_matches_the_tables` checks every
/// pair against the tables above).
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

/// Whether [`encode`] takes the host-only fast path (feature `fast-sddl`).
const FAST: bool = cfg!(feature = "fast-sddl");

/// The byte length [`encode`] writes for `text`.
pub fn encoded_len(text: &str, ctx: &SddlContext) -> Result<usize, Error> {
    encode_pass(text.as_bytes(), ctx, &mut [], FAST).map_err(|e| to_char_offset(text, e))
}

/// Encodes SDDL `text` as a self-relative descriptor in `out`; returns the bytes written.
pub fn encode(text: &str, ctx: &SddlContext, out: &mut [u8]) -> Result<usize, Error> {
    encode_with(text.as_bytes(), ctx, out, FAST).map_err(|e| to_char_offset(text, e))
}

/// [`encode`] for SDDL given as bytes, which need not be UTF-8: the grammar is ASCII, so
/// text that encodes is ASCII, and anything else is an error at its byte offset (where
/// [`encode`] counts characters). A caller holding unchecked bytes can encode first and
/// check UTF-8 only when it needs a character offset for an error.
pub fn encode_bytes(text: &[u8], ctx: &SddlContext, out: &mut [u8]) -> Result<usize, Error> {
    encode_with(text, ctx, out, FAST)
}

/// [`encode`] by the simple path alone, whatever the features: the reference the fast path
/// (feature `fast-sddl`) is tested against.
#[cfg(feature = "fast-sddl")]
#[doc(hidden)]
pub fn encode_simple(text: &str, ctx: &SddlContext, out: &mut [u8]) -> Result<usize, Error> {
    encode_with(text.as_bytes(), ctx, out, false).map_err(|e| to_char_offset(text, e))
}

fn encode_with(text: &[u8], ctx: &SddlContext, out: &mut [u8], fast: bool) -> Result<usize, Error> {
    let n = encode_pass(text, ctx, out, fast)?;
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
fn encode_pass(s: &[u8], ctx: &SddlContext, out: &mut [u8], fast: bool) -> Result<usize, Error> {
    let mut w = Writer::new(out);
    w.reserve::<SD_HEADER_LEN>()?;
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
                let (flags, place) = acl_section(&mut c, ctx, &mut w, is_sacl, fast)?;
                control |= flags;
                if is_sacl {
                    sacl = Some(place);
                } else {
                    dacl = Some(place);
                }
            }
        }
    }
    let mut sacl_at = sacl.and_then(|p| p.at);
    let mut dacl_at = dacl.and_then(|p| p.at);
    if let (Some(s_at), Some(d_at), Some(AclPlace { len: s_len, .. })) = (sacl_at, dacl_at, sacl)
        && d_at < s_at
    {
        // The DACL was written first: rotate the two so the SACL leads.
        let s_end = s_at.checked_add(s_len).ok_or_else(internal)?;
        w.rotate_right(d_at, s_end, s_len)?;
        sacl_at = Some(d_at);
        dacl_at = Some(d_at.checked_add(s_len).ok_or_else(internal)?);
    }
    // Offset 0 is the header's "absent".
    let mut offsets = [0, 0, sacl_at.unwrap_or(0), dacl_at.unwrap_or(0)];
    for (at, slot) in [owner_at, group_at].into_iter().zip(&mut offsets) {
        if let Some(at) = at {
            let sid = sid_or_alias(&mut Cursor::at(s, at)?, ctx)?;
            *slot = w.pos();
            sid.write(&mut w)?;
        }
    }
    write_sd_header(&mut w, control, offsets)?;
    Ok(w.pos())
}

/// Parses one `D:`/`S:` section value at the cursor and writes its ACL; returns the control
/// bits and where the ACL went.
fn acl_section(
    c: &mut Cursor<'_>,
    ctx: &SddlContext,
    w: &mut Writer<'_>,
    is_sacl: bool,
    fast: bool,
) -> Result<(u16, AclPlace), Error> {
    #[cfg(not(feature = "fast-sddl"))]
    let _ = fast;
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
    let acl_at = w.reserve::<ACL_HEADER_LEN>()?;
    let mut count = 0u16;
    let mut revision = ACL_REVISION;
    while c.peek() == Some(b'(') {
        #[cfg(feature = "fast-sddl")]
        if fast {
            // A run of allow/deny ACEs without flags (revision 2), each ending within the
            // size limit; the ACE that stops the run takes the simple path.
            let limit = acl_at.checked_add(MAX_ACL_LEN).ok_or_else(internal)?;
            let (buf, pos) = w.buf_and_pos();
            let (text_used, end, aces) = fast::fast_aces(c.rest(), buf, pos, limit);
            if aces > 0 {
                w.skip_to(end)?;
                c.advance(text_used);
                let aces = u16::try_from(aces).map_err(|_| internal())?;
                count = count.checked_add(aces).ok_or_else(internal)?;
                continue;
            }
        }
        let ace_start = c.pos();
        if parse_ace_into(c, ctx, w)?.needs_ds_revision() {
            revision = ACL_REVISION_DS;
        }
        let size = w.pos().checked_sub(acl_at).ok_or_else(internal)?;
        if size > MAX_ACL_LEN {
            return Err(Error::new(ace_start, ErrorKind::AclTooLarge { size }));
        }
        // The size limit bounds the count to 65,532 / 16.
        count = count.checked_add(1).ok_or_else(internal)?;
    }
    if !at_section_end(c) {
        return Err(c.err(ErrorKind::Expected(Expected::AclFlagOrAce)));
    }
    let size = w.pos().checked_sub(acl_at).ok_or_else(internal)?;
    write_header(w, acl_at, revision, size, count)?;
    Ok((
        flags,
        AclPlace {
            at: Some(acl_at),
            len: size,
        },
    ))
}

/// Parses `(type;flags;rights;object;inherited-object;sid)` at the cursor and writes the ACE;
/// returns its type.
fn parse_ace_into(
    c: &mut Cursor<'_>,
    ctx: &SddlContext,
    w: &mut Writer<'_>,
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
    let sid = sid_or_alias(c, ctx)?;
    c.expect(b')')?;
    let [object_type, inherited_object_type] = guids;
    AceRepr {
        ace_type,
        flags: AceFlags(flags),
        mask: AccessMask(mask),
        object_type,
        inherited_object_type,
        sid,
    }
    .write(w)?;
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
            // At most 8 digits.
            u32::try_from(c.hex(8)?).map_err(|_| internal())
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
        let mut aces = acl.aces();
        loop {
            let at = aces.offset();
            let Some(ace) = aces.next() else { break };
            if !ace.ace_type().is_supported() {
                return Err(unsupported(&ace, base, at));
            }
        }
    }
    Ok(())
}

/// The error for an ACE [`format`] cannot write, at ACL offset `base` + `at`.
fn unsupported(ace: &Ace<'_>, base: usize, at: usize) -> Error {
    Error::new(
        // Both are offsets into one descriptor.
        base.saturating_add(at),
        ErrorKind::UnsupportedAceType {
            ace_type: ace.ace_type().into(),
        },
    )
}

/// Writes `sd` as SDDL into `out`; returns the length. A short buffer is
/// [`ErrorKind::BufferTooSmall`] with the exact size needed.
pub fn format_into(
    sd: &SecurityDescriptor<'_>,
    ctx: &SddlContext,
    out: &mut [u8],
) -> Result<usize, Error> {
    let room = out.len();
    let mut w = Writer::new(out);
    write_descriptor(sd, ctx, &mut w)?;
    let n = w.pos();
    if n > room {
        return Err(Error::new(0, ErrorKind::BufferTooSmall { needed: n }));
    }
    Ok(n)
}

/// Writes `sd` as SDDL (see the module docs for the exact form).
pub fn format(sd: &SecurityDescriptor<'_>, ctx: &SddlContext, w: &mut dyn Write) -> fmt::Result {
    FmtSink::run(w, |s| write_descriptor(sd, ctx, s))
}

/// Writes a DACL's flags (from `control`) and ACEs, without `D:`: `P(A;;…;;;SY)…`.
pub fn format_acl(
    acl: &Acl<'_>,
    control: ControlFlags,
    ctx: &SddlContext,
    w: &mut dyn Write,
) -> fmt::Result {
    FmtSink::run(w, |s| write_acl(Some(*acl), 0, control, false, ctx, s))
}

/// Writes a SACL's flags (from `control`) and ACEs, without `S:`.
pub fn format_sacl(
    acl: &Acl<'_>,
    control: ControlFlags,
    ctx: &SddlContext,
    w: &mut dyn Write,
) -> fmt::Result {
    FmtSink::run(w, |s| write_acl(Some(*acl), 0, control, true, ctx, s))
}

/// Writes one ACE string `(type;flags;rights;object;inherited-object;sid)`.
pub fn write_ace(ace: &AceRepr, ctx: &SddlContext, w: &mut dyn Write) -> fmt::Result {
    FmtSink::run(w, |s| put_ace(ace, ctx, s))
}

/// Writes a SID as its alias when it has one, else `S-1-…`.
pub fn write_sid(sid: &Sid, ctx: &SddlContext, w: &mut dyn Write) -> fmt::Result {
    FmtSink::run(w, |s| put_sid(sid, ctx, s))
}

fn write_descriptor<S: Sink>(
    sd: &SecurityDescriptor<'_>,
    ctx: &SddlContext,
    s: &mut S,
) -> Result<(), Error> {
    if let Some(o) = sd.owner() {
        s.put(b"O:")?;
        put_sid(&o, ctx, s)?;
    }
    if let Some(g) = sd.group() {
        s.put(b"G:")?;
        put_sid(&g, ctx, s)?;
    }
    let control = sd.control();
    if control.contains(ControlFlags::DACL_PRESENT) {
        s.put(b"D:")?;
        write_acl(sd.dacl(), sd.dacl_offset(), control, false, ctx, s)?;
    }
    if control.contains(ControlFlags::SACL_PRESENT) {
        s.put(b"S:")?;
        write_acl(sd.sacl(), sd.sacl_offset(), control, true, ctx, s)?;
    }
    Ok(())
}

/// An ACL's flags and ACEs; `base` is its offset in the descriptor (for errors).
fn write_acl<S: Sink>(
    acl: Option<Acl<'_>>,
    base: usize,
    control: ControlFlags,
    is_sacl: bool,
    ctx: &SddlContext,
    s: &mut S,
) -> Result<(), Error> {
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
            s.put(token.as_bytes())?;
        }
    }
    let Some(acl) = acl else {
        return s.put(b"NO_ACCESS_CONTROL");
    };
    let mut aces = acl.aces();
    loop {
        let at = aces.offset();
        let Some(ace) = aces.next() else { break };
        let repr = ace.to_repr().ok_or_else(|| unsupported(&ace, base, at))?;
        put_ace(&repr, ctx, s)?;
    }
    Ok(())
}

fn put_ace<S: Sink>(ace: &AceRepr, ctx: &SddlContext, s: &mut S) -> Result<(), Error> {
    let token = ace.ace_type.sddl().ok_or(Error::new(
        0,
        ErrorKind::UnsupportedAceType {
            ace_type: ace.ace_type.into(),
        },
    ))?;
    s.put(b"(")?;
    s.put(token.as_bytes())?;
    s.put(b";")?;
    if ace.flags.0 != 0 {
        for (token, bit) in ACE_FLAG_TOKENS {
            if ace.flags.0 & bit != 0 {
                s.put(&token)?;
            }
        }
    }
    s.put(b";")?;
    put_rights(ace.mask.0, ace.ace_type == AceType::SystemMandatoryLabel, s)?;
    s.put(b";")?;
    for guid in [&ace.object_type, &ace.inherited_object_type] {
        if let Some(g) = guid {
            put_guid(g, s)?;
        }
        s.put(b";")?;
    }
    put_sid(&ace.sid, ctx, s)?;
    s.put(b")")
}

fn put_rights<S: Sink>(mask: u32, label: bool, s: &mut S) -> Result<(), Error> {
    if mask == 0 {
        return Ok(());
    }
    let (singles, covered): (&[([u8; 2], u32)], u32) = if label {
        (&RIGHT_LABEL, LABEL_BITS)
    } else {
        (&RIGHT_BITS, SINGLE_BITS)
    };
    if !label && let Some((t, _)) = RIGHT_COMPOSITES.iter().find(|&&(_, v)| v == mask) {
        return s.put(t);
    }
    if mask & !covered != 0 {
        s.put(b"0x")?;
        return put_hex(s, mask);
    }
    for (t, v) in singles {
        if mask & v != 0 {
            s.put(t)?;
        }
    }
    Ok(())
}

/// A GUID in its bare lowercase form (`{:#}`, 36 characters), as SDDL writes it.
fn put_guid<S: Sink>(g: &Guid, s: &mut S) -> Result<(), Error> {
    let mut buf = [0u8; 36];
    let mut w = Writer::new(&mut buf);
    write!(w, "{g:#}").map_err(|_| internal())?;
    let n = w.pos();
    if n != 36 {
        return Err(internal());
    }
    s.put(&buf)
}

/// A SID as its alias when it has one, else `S-1-…`.
fn put_sid<S: Sink>(sid: &Sid, ctx: &SddlContext, s: &mut S) -> Result<(), Error> {
    match alias_of(sid, ctx) {
        Some(a) => s.put(a.as_bytes()),
        None => sid.write_text(s),
    }
}

/// The formatter's output to a [`fmt::Write`]: bytes gather in a stack buffer and go out a
/// buffer at a time (whole characters: the formatter writes ASCII only). A failure of the
/// `fmt::Write` is kept and reported at the end, like a short buffer of [`Writer`].
struct FmtSink<'w> {
    w: &'w mut dyn Write,
    buf: [u8; 256],
    len: usize,
    failed: bool,
}

impl<'w> FmtSink<'w> {
    fn run(w: &'w mut dyn Write, f: impl FnOnce(&mut Self) -> Result<(), Error>) -> fmt::Result {
        let mut sink = Self {
            w,
            buf: [0; 256],
            len: 0,
            failed: false,
        };
        let written = f(&mut sink);
        sink.flush();
        if written.is_err() || sink.failed {
            return Err(fmt::Error);
        }
        Ok(())
    }

    fn flush(&mut self) {
        let n = core::mem::take(&mut self.len);
        // `len` never exceeds the buffer.
        let text = self.buf.get(..n).unwrap_or_default();
        send(self.w, &mut self.failed, text);
    }
}

/// Hands `bytes` to `w` unless an earlier write failed.
fn send(w: &mut dyn Write, failed: &mut bool, bytes: &[u8]) {
    match core::str::from_utf8(bytes) {
        Ok(text) if !*failed => *failed = w.write_str(text).is_err(),
        _ => *failed = true,
    }
}

impl Sink for FmtSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.len.checked_add(bytes.len()).ok_or_else(internal)?;
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
            self.len = end;
        } else {
            self.flush();
            send(self.w, &mut self.failed, bytes);
        }
        Ok(())
    }
}

#[cfg(feature = "fast-sddl")]
mod fast;
#[cfg(test)]
mod tests;
