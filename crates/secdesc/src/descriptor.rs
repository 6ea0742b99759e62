//! Self-relative security descriptors (MS-DTYP 2.4.6): the validated [`SecurityDescriptor`]
//! view and [`encode_descriptor`].
//!
//! Header (20 bytes): revision (1) = 1 | Sbz1 (1, resource-manager control bits) | control (2,
//! LE) | offsets of owner, group, SACL, DACL (4 each, LE; 0 = absent). Windows writes the parts
//! as SACL | DACL | Owner | Group packed from offset 20; the view follows offsets, so any
//! layout decodes.

use crate::acl::Acl;
use crate::codec::{Reader, Writer};
use crate::error::{Error, ErrorKind, Part, internal};
use crate::sid::Sid;

mod field {
    use core::ops::Range;
    pub(super) const REVISION: usize = 0;
    pub(super) const CONTROL: Range<usize> = 2..4;
    pub(super) const OWNER: Range<usize> = 4..8;
    pub(super) const GROUP: Range<usize> = 8..12;
    pub(super) const SACL: Range<usize> = 12..16;
    pub(super) const DACL: Range<usize> = 16..20;
}

/// Length of the self-relative header.
pub const SD_HEADER_LEN: usize = field::DACL.end;

/// The control word (`SECURITY_DESCRIPTOR_CONTROL`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ControlFlags(pub u16);

impl ControlFlags {
    /// `SE_OWNER_DEFAULTED`.
    pub const OWNER_DEFAULTED: u16 = 0x0001;
    /// `SE_GROUP_DEFAULTED`.
    pub const GROUP_DEFAULTED: u16 = 0x0002;
    /// `SE_DACL_PRESENT` (`D:`).
    pub const DACL_PRESENT: u16 = 0x0004;
    /// `SE_DACL_DEFAULTED`.
    pub const DACL_DEFAULTED: u16 = 0x0008;
    /// `SE_SACL_PRESENT` (`S:`).
    pub const SACL_PRESENT: u16 = 0x0010;
    /// `SE_SACL_DEFAULTED`.
    pub const SACL_DEFAULTED: u16 = 0x0020;
    /// `SE_DACL_AUTO_INHERIT_REQ` (`D:AR`).
    pub const DACL_AUTO_INHERIT_REQ: u16 = 0x0100;
    /// `SE_SACL_AUTO_INHERIT_REQ` (`S:AR`).
    pub const SACL_AUTO_INHERIT_REQ: u16 = 0x0200;
    /// `SE_DACL_AUTO_INHERITED` (`D:AI`).
    pub const DACL_AUTO_INHERITED: u16 = 0x0400;
    /// `SE_SACL_AUTO_INHERITED` (`S:AI`).
    pub const SACL_AUTO_INHERITED: u16 = 0x0800;
    /// `SE_DACL_PROTECTED` (`D:P`).
    pub const DACL_PROTECTED: u16 = 0x1000;
    /// `SE_SACL_PROTECTED` (`S:P`).
    pub const SACL_PROTECTED: u16 = 0x2000;
    /// `SE_RM_CONTROL_VALID`.
    pub const RM_CONTROL_VALID: u16 = 0x4000;
    /// `SE_SELF_RELATIVE`.
    pub const SELF_RELATIVE: u16 = 0x8000;

    /// Whether every bit of `bits` is set.
    #[must_use]
    pub const fn contains(self, bits: u16) -> bool {
        self.0 & bits == bits
    }
}

/// A validated view of a self-relative security descriptor with its header and SIDs
/// decoded; no accessor can panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecurityDescriptor<'a> {
    bytes: &'a [u8],
    rm_control: u8,
    control: ControlFlags,
    owner: Option<Sid>,
    group: Option<Sid>,
    /// Offsets of the ACLs (0: none).
    sacl_off: usize,
    dacl_off: usize,
    sacl: Option<Acl<'a>>,
    dacl: Option<Acl<'a>>,
    /// The end of the furthest part.
    len: usize,
}

impl<'a> SecurityDescriptor<'a> {
    /// Checks a self-relative descriptor at the start of `bytes`: revision 1, `SE_SELF_RELATIVE`,
    /// every non-zero offset at or after the header, 4-byte aligned and pointing at a valid SID
    /// or ACL inside `bytes`. Offsets in errors are byte offsets in `bytes`.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, Error> {
        let header = Reader::new(bytes)
            .take_array::<SD_HEADER_LEN>()
            .ok_or(Error::new(
                0,
                ErrorKind::Truncated {
                    part: Part::DescriptorHeader,
                },
            ))?;
        let [
            revision,
            rm_control,
            c0,
            c1,
            o0,
            o1,
            o2,
            o3,
            g0,
            g1,
            g2,
            g3,
            s0,
            s1,
            s2,
            s3,
            d0,
            d1,
            d2,
            d3,
        ] = *header;
        if revision != 1 {
            return Err(Error::new(
                field::REVISION,
                ErrorKind::BadRevision {
                    part: Part::DescriptorHeader,
                    found: revision,
                },
            ));
        }
        let control = ControlFlags(u16::from_le_bytes([c0, c1]));
        if !control.contains(ControlFlags::SELF_RELATIVE) {
            return Err(Error::new(field::CONTROL.start, ErrorKind::NotSelfRelative));
        }
        let owner = check_offset(bytes, [o0, o1, o2, o3], Part::Owner, field::OWNER.start)?;
        let group = check_offset(bytes, [g0, g1, g2, g3], Part::Group, field::GROUP.start)?;
        let sacl_off = check_offset(bytes, [s0, s1, s2, s3], Part::Sacl, field::SACL.start)?;
        let dacl_off = check_offset(bytes, [d0, d1, d2, d3], Part::Dacl, field::DACL.start)?;
        let mut len = SD_HEADER_LEN;
        let mut end_of = |at: usize, n: usize| -> Result<(), Error> {
            len = len.max(at.checked_add(n).ok_or_else(internal)?);
            Ok(())
        };
        let mut sid = |at: usize| -> Result<Option<Sid>, Error> {
            if at == 0 {
                return Ok(None);
            }
            let sid =
                Sid::decode(bytes.get(at..).ok_or_else(internal)?).map_err(|e| e.shifted(at))?;
            end_of(at, sid.encoded_len())?;
            Ok(Some(sid))
        };
        let owner = sid(owner)?;
        let group = sid(group)?;
        let mut acl = |at: usize| -> Result<Option<Acl<'a>>, Error> {
            if at == 0 {
                return Ok(None);
            }
            let acl = Acl::new_checked(bytes.get(at..).ok_or_else(internal)?)
                .map_err(|e| e.shifted(at))?;
            end_of(at, acl.size())?;
            Ok(Some(acl))
        };
        let sacl = acl(sacl_off)?;
        let dacl = acl(dacl_off)?;
        Ok(Self {
            bytes,
            rm_control,
            control,
            owner,
            group,
            sacl_off,
            dacl_off,
            sacl,
            dacl,
            len,
        })
    }

    /// The control word.
    #[must_use]
    pub const fn control(&self) -> ControlFlags {
        self.control
    }

    /// The resource-manager control bits (`Sbz1`).
    #[must_use]
    pub const fn rm_control(&self) -> u8 {
        self.rm_control
    }

    /// The owner SID, if present.
    #[must_use]
    pub const fn owner(&self) -> Option<Sid> {
        self.owner
    }

    /// The group SID, if present.
    #[must_use]
    pub const fn group(&self) -> Option<Sid> {
        self.group
    }

    /// The DACL when `SE_DACL_PRESENT` is set and it has an offset. Present without an offset
    /// is a NULL DACL ([`is_dacl_null`](Self::is_dacl_null)).
    #[must_use]
    pub const fn dacl(&self) -> Option<Acl<'a>> {
        if self.control.contains(ControlFlags::DACL_PRESENT) {
            self.dacl
        } else {
            None
        }
    }

    /// The SACL when `SE_SACL_PRESENT` is set and it has an offset.
    #[must_use]
    pub const fn sacl(&self) -> Option<Acl<'a>> {
        if self.control.contains(ControlFlags::SACL_PRESENT) {
            self.sacl
        } else {
            None
        }
    }

    /// `SE_DACL_PRESENT` with no DACL: a NULL DACL, which grants everyone everything.
    #[must_use]
    pub const fn is_dacl_null(&self) -> bool {
        self.control.contains(ControlFlags::DACL_PRESENT) && self.dacl.is_none()
    }

    /// `SE_SACL_PRESENT` with no SACL.
    #[must_use]
    pub const fn is_sacl_null(&self) -> bool {
        self.control.contains(ControlFlags::SACL_PRESENT) && self.sacl.is_none()
    }

    /// The descriptor's length: the end of its furthest part (at least the header), as
    /// `GetSecurityDescriptorLength` would count for a packed descriptor.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// The SACL's byte offset (0 when there is none).
    #[must_use]
    pub const fn sacl_offset(&self) -> usize {
        self.sacl_off
    }

    /// The DACL's byte offset (0 when there is none).
    #[must_use]
    pub const fn dacl_offset(&self) -> usize {
        self.dacl_off
    }

    /// Never empty: a descriptor has at least its header.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// The descriptor's bytes (`len()` of them).
    #[must_use]
    pub fn as_bytes(&self) -> &'a [u8] {
        // `len` is the end of a part `new_checked` found inside `bytes`.
        self.bytes.get(..self.len).unwrap_or(self.bytes)
    }
}

/// Checks one header offset and returns it as a `usize` (0: absent).
fn check_offset(bytes: &[u8], off: [u8; 4], part: Part, at: usize) -> Result<usize, Error> {
    let off = u32::from_le_bytes(off);
    if off == 0 {
        return Ok(0);
    }
    let o = usize::try_from(off).map_err(|_| Error::new(at, ErrorKind::Truncated { part }))?;
    if o < SD_HEADER_LEN {
        return Err(Error::new(at, ErrorKind::OffsetInHeader { part }));
    }
    if !off.is_multiple_of(4) {
        return Err(Error::new(at, ErrorKind::OffsetUnaligned { part }));
    }
    if o >= bytes.len() {
        return Err(Error::new(at, ErrorKind::Truncated { part }));
    }
    Ok(o)
}

/// The parts of a descriptor to encode. ACLs are encoded ACL bytes (from [`AclWriter`](crate::AclWriter)
/// or [`Acl::as_bytes`]). `control` supplies the flag bits; `SE_SELF_RELATIVE` and the
/// `*_PRESENT` bits of given ACLs are added. A NULL DACL is `dacl: None` with
/// `SE_DACL_PRESENT` in `control`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DescriptorParts<'a> {
    /// Control bits.
    pub control: ControlFlags,
    /// Owner SID.
    pub owner: Option<Sid>,
    /// Group SID.
    pub group: Option<Sid>,
    /// Encoded SACL.
    pub sacl: Option<&'a [u8]>,
    /// Encoded DACL.
    pub dacl: Option<&'a [u8]>,
}

/// The exact length [`encode_descriptor`] writes (ACL lengths as given).
#[must_use]
pub fn descriptor_len(parts: &DescriptorParts<'_>) -> usize {
    // Lengths of slices and SIDs in memory: their sum cannot reach `usize::MAX`, and if it
    // did the caller's buffer check would fail on the saturated value.
    SD_HEADER_LEN
        .saturating_add(parts.sacl.map_or(0, <[u8]>::len))
        .saturating_add(parts.dacl.map_or(0, <[u8]>::len))
        .saturating_add(parts.owner.map_or(0, |s| s.encoded_len()))
        .saturating_add(parts.group.map_or(0, |s| s.encoded_len()))
}

/// Writes a self-relative descriptor in Windows' layout: header | SACL | DACL | Owner | Group.
/// Each ACL must be valid and exactly `AclSize` bytes with `AclSize` a multiple of 4 (offset
/// 0 of an error is then the ACL's own byte offset).
pub fn encode_descriptor(parts: &DescriptorParts<'_>, out: &mut [u8]) -> Result<usize, Error> {
    for acl in [parts.sacl, parts.dacl].into_iter().flatten() {
        let view = Acl::new_checked(acl)?;
        if view.size() != acl.len() || !acl.len().is_multiple_of(4) {
            // The slice given; longer than any `AclSize` is shown as 65,535.
            let size = u16::try_from(acl.len()).unwrap_or(u16::MAX);
            return Err(Error::new(2, ErrorKind::BadAclSize { size }));
        }
    }
    let needed = descriptor_len(parts);
    if out.len() < needed {
        return Err(Error::new(0, ErrorKind::BufferTooSmall { needed }));
    }
    let mut control = parts.control.0 | ControlFlags::SELF_RELATIVE;
    if parts.sacl.is_some() {
        control |= ControlFlags::SACL_PRESENT;
    }
    if parts.dacl.is_some() {
        control |= ControlFlags::DACL_PRESENT;
    }
    let mut w = Writer::new(out);
    w.reserve::<SD_HEADER_LEN>()?;
    let mut offsets = [0usize; 4]; // owner, group, sacl, dacl
    let [owner_off, group_off, sacl_off, dacl_off] = &mut offsets;
    for (acl, slot) in [(parts.sacl, sacl_off), (parts.dacl, dacl_off)] {
        if let Some(acl) = acl {
            *slot = w.pos();
            w.put(acl)?;
        }
    }
    for (sid, slot) in [(parts.owner, owner_off), (parts.group, group_off)] {
        if let Some(sid) = sid {
            *slot = w.pos();
            sid.write(&mut w)?;
        }
    }
    write_sd_header(&mut w, control, offsets)?;
    Ok(w.pos())
}

/// Patches the descriptor header at offset 0 (reserved by the caller): revision 1, Sbz1 0,
/// control, offsets of owner, group, SACL and DACL (0: absent). An offset beyond `u32` is an
/// internal error, never a wrong offset.
pub(crate) fn write_sd_header(
    w: &mut Writer<'_>,
    control: u16,
    offsets: [usize; 4],
) -> Result<(), Error> {
    let [c0, c1] = control.to_le_bytes();
    let mut header = [0u8; SD_HEADER_LEN];
    let (head, fields) = header.split_at_mut(4);
    head.copy_from_slice(&[1, 0, c0, c1]);
    for (dst, offset) in fields.chunks_exact_mut(4).zip(offsets) {
        dst.copy_from_slice(&u32::try_from(offset).map_err(|_| internal())?.to_le_bytes());
    }
    w.patch(0, &header)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ace::AceRepr;
    use crate::acl::AclWriter;

    fn sid(s: &str) -> Sid {
        Sid::parse(s).unwrap()
    }

    /// `O:BAG:SYD:(A;;KR;;;WD)(A;;KA;;;BA)(A;;KA;;;SY)` as Windows writes it
    /// (Samba's `registry-object-rights.json` vectors).
    pub(crate) fn registry_sd() -> [u8; 0x78] {
        let mut b = [0u8; 0x78];
        let header = [
            1u8, 0, 0x04, 0x80, 0x5c, 0, 0, 0, 0x6c, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0,
        ];
        b[..20].copy_from_slice(&header);
        let dacl: [u8; 0x48] = [
            0x02, 0x00, 0x48, 0x00, 0x03, 0x00, 0x00, 0x00, //
            0x00, 0x00, 0x14, 0x00, 0x19, 0x00, 0x02, 0x00, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0,
            0, //
            0x00, 0x00, 0x18, 0x00, 0x3f, 0x00, 0x0f, 0x00, 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0,
            0x20, 2, 0, 0, //
            0x00, 0x00, 0x14, 0x00, 0x3f, 0x00, 0x0f, 0x00, 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0,
        ];
        b[0x14..0x5c].copy_from_slice(&dacl);
        b[0x5c..0x6c].copy_from_slice(&[1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0]);
        b[0x6c..0x78].copy_from_slice(&[1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]);
        b
    }

    #[test]
    fn deconstruct() {
        let bytes = registry_sd();
        let sd = SecurityDescriptor::new_checked(&bytes).unwrap();
        assert_eq!(sd.control(), ControlFlags(0x8004));
        assert_eq!(sd.owner(), Some(sid("S-1-5-32-544")));
        assert_eq!(sd.group(), Some(sid("S-1-5-18")));
        assert_eq!(sd.sacl(), None);
        let dacl = sd.dacl().unwrap();
        assert_eq!(dacl.ace_count(), 3);
        assert_eq!(sd.len(), 0x78);
        assert_eq!(sd.as_bytes(), &bytes[..]);
        assert!(!sd.is_dacl_null());
    }

    #[test]
    fn construct() {
        let mut acl = [0u8; 0x48];
        let mut w = AclWriter::new(&mut acl).unwrap();
        w.push(&AceRepr::allow(sid("S-1-1-0"), 0x2_0019)).unwrap();
        w.push(&AceRepr::allow(sid("S-1-5-32-544"), 0xf_003f))
            .unwrap();
        w.push(&AceRepr::allow(sid("S-1-5-18"), 0xf_003f)).unwrap();
        w.finish().unwrap();
        let parts = DescriptorParts {
            control: ControlFlags(0),
            owner: Some(sid("S-1-5-32-544")),
            group: Some(sid("S-1-5-18")),
            sacl: None,
            dacl: Some(&acl),
        };
        assert_eq!(descriptor_len(&parts), 0x78);
        let mut buf = [0xa5u8; 0x7a];
        assert_eq!(encode_descriptor(&parts, &mut buf), Ok(0x78));
        assert_eq!(buf[..0x78], registry_sd());
        assert_eq!(&buf[0x78..], &[0xa5, 0xa5]);
        assert_eq!(
            encode_descriptor(&parts, &mut buf[..0x77])
                .unwrap_err()
                .kind,
            ErrorKind::BufferTooSmall { needed: 0x78 }
        );
    }

    #[test]
    fn empty_and_null_dacl() {
        let mut buf = [0xa5u8; 20];
        let n = encode_descriptor(&DescriptorParts::default(), &mut buf).unwrap();
        assert_eq!(n, 20);
        assert_eq!(
            buf,
            [
                1, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            ]
        );
        let parts = DescriptorParts {
            control: ControlFlags(ControlFlags::DACL_PRESENT),
            ..Default::default()
        };
        encode_descriptor(&parts, &mut buf).unwrap();
        let sd = SecurityDescriptor::new_checked(&buf).unwrap();
        assert!(sd.is_dacl_null());
        assert_eq!(sd.dacl(), None);
        assert_eq!(sd.len(), 20);
    }

    /// Samba and Wine lay parts out as Owner | Group | (SACL) | DACL; the view follows offsets.
    #[test]
    fn other_layouts_decode() {
        let windows = registry_sd();
        let owner = &windows[0x5c..0x6c];
        let group = &windows[0x6c..0x78];
        let dacl = &windows[0x14..0x5c];
        let mut samba = [0xa5u8; 0x78];
        samba[..20].copy_from_slice(&[
            1, 0, 0x04, 0x80, 0x14, 0, 0, 0, 0x24, 0, 0, 0, 0, 0, 0, 0, 0x30, 0, 0, 0,
        ]);
        samba[0x14..0x24].copy_from_slice(owner);
        samba[0x24..0x30].copy_from_slice(group);
        samba[0x30..0x78].copy_from_slice(dacl);
        let a = SecurityDescriptor::new_checked(&windows).unwrap();
        let b = SecurityDescriptor::new_checked(&samba).unwrap();
        assert_eq!((a.owner(), a.group()), (b.owner(), b.group()));
        let aces = |sd: &SecurityDescriptor<'_>| {
            sd.dacl()
                .unwrap()
                .aces()
                .map(|x| x.to_repr().unwrap())
                .collect::<std::vec::Vec<_>>()
        };
        assert_eq!(aces(&a), aces(&b));
        assert_eq!(b.len(), 0x78);
        assert_eq!(b.dacl_offset(), 0x30);
    }

    #[test]
    fn checks() {
        let good = registry_sd();
        let err = |b: &[u8]| SecurityDescriptor::new_checked(b).unwrap_err();
        assert_eq!(
            err(&good[..19]),
            Error::new(
                0,
                ErrorKind::Truncated {
                    part: Part::DescriptorHeader
                }
            )
        );
        let mut b = good;
        b[0] = 2;
        assert_eq!(
            err(&b),
            Error::new(
                0,
                ErrorKind::BadRevision {
                    part: Part::DescriptorHeader,
                    found: 2
                }
            )
        );
        let mut b = good;
        b[3] = 0;
        assert_eq!(err(&b), Error::new(2, ErrorKind::NotSelfRelative));
        let mut b = good;
        b[4] = 0x10;
        assert_eq!(
            err(&b),
            Error::new(4, ErrorKind::OffsetInHeader { part: Part::Owner })
        );
        let mut b = good;
        b[8] = 0x6d;
        assert_eq!(
            err(&b),
            Error::new(8, ErrorKind::OffsetUnaligned { part: Part::Group })
        );
        let mut b = good;
        b[8] = 0x78;
        assert_eq!(
            err(&b),
            Error::new(8, ErrorKind::Truncated { part: Part::Group })
        );
        let mut b = good;
        b[0x14] = 9; // DACL revision
        assert_eq!(
            err(&b),
            Error::new(
                0x14,
                ErrorKind::BadRevision {
                    part: Part::Acl,
                    found: 9
                }
            )
        );
        assert_eq!(
            err(&good[..0x77]).kind,
            ErrorKind::Truncated { part: Part::Sid }
        );
        let mut b = good;
        b[0x5c] = 3; // owner SID revision
        assert_eq!(
            err(&b),
            Error::new(
                0x5c,
                ErrorKind::BadRevision {
                    part: Part::Sid,
                    found: 3
                }
            )
        );
    }
}
