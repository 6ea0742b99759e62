//! ACLs (MS-DTYP 2.4.5): the validated [`Acl`] view and the [`AclWriter`].
//!
//! Layout: revision (1) | Sbz1 (1) | `AclSize` (2, LE) | `AceCount` (2, LE) | Sbz2 (2) | ACEs.
//! `AclSize` may exceed the ACEs' total: Windows itself sometimes leaves zero slack at the end
//! (9 of Windows' own vectors in the conformance test), so the view accepts it and the writer never makes
//! it.

use crate::ace::{Ace, AceRepr};
use crate::codec::{Reader, Writer};
use crate::error::{Error, ErrorKind, Part, internal};

mod field {
    use core::ops::Range;
    pub(super) const REVISION: usize = 0;
    pub(super) const SIZE: Range<usize> = 2..4;
    pub(super) const ACES: usize = 8;
}

/// Length of the ACL header.
pub const ACL_HEADER_LEN: usize = field::ACES;
/// `ACL_REVISION`.
pub const ACL_REVISION: u8 = 2;
/// `ACL_REVISION_DS`, needed by object ACEs.
pub const ACL_REVISION_DS: u8 = 4;
/// The largest `AclSize` the writers produce (the largest multiple of 4 in a `u16`).
pub const MAX_ACL_LEN: usize = 0xfffc;

/// A validated view of one ACL (exactly `AclSize` bytes) with its header decoded; no
/// accessor can panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acl<'a> {
    bytes: &'a [u8],
    revision: u8,
    count: u16,
    used: usize,
}

impl<'a> Acl<'a> {
    /// Checks the ACL at the start of `bytes`: revision 2 to 4, an even `AclSize` of at least 8
    /// inside `bytes`, and `AceCount` valid ACEs inside `AclSize`. Offsets in errors are
    /// relative to `bytes`.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, Error> {
        let truncated = Error::new(0, ErrorKind::Truncated { part: Part::Acl });
        let mut r = Reader::new(bytes);
        let &[revision, _sbz1, s0, s1, c0, c1, _, _] = r.take_array().ok_or(truncated)?;
        if !(2..=4).contains(&revision) {
            return Err(Error::new(
                field::REVISION,
                ErrorKind::BadRevision {
                    part: Part::Acl,
                    found: revision,
                },
            ));
        }
        let size = u16::from_le_bytes([s0, s1]);
        if usize::from(size) < ACL_HEADER_LEN || !size.is_multiple_of(2) {
            return Err(Error::new(
                field::SIZE.start,
                ErrorKind::BadAclSize { size },
            ));
        }
        let bytes = bytes.get(..usize::from(size)).ok_or(truncated)?;
        let count = u16::from_le_bytes([c0, c1]);
        let mut aces = Reader::new(bytes);
        aces.take_array::<ACL_HEADER_LEN>().ok_or(truncated)?;
        for _ in 0..count {
            let at = aces.used();
            let ace = Ace::new_checked(aces.rest()).map_err(|e| match e.kind {
                // An ACE running past AclSize is the ACL's problem.
                ErrorKind::Truncated { .. } => {
                    Error::new(at, ErrorKind::Truncated { part: Part::Ace })
                }
                _ => e.shifted(at),
            })?;
            aces.take(ace.size()).ok_or_else(internal)?;
        }
        Ok(Self {
            bytes,
            revision,
            count,
            used: aces.used(),
        })
    }

    /// The revision byte (2 or 4 from Windows; 3 is accepted too).
    #[must_use]
    pub const fn revision(&self) -> u8 {
        self.revision
    }

    /// `AclSize`.
    #[must_use]
    pub const fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The bytes the header and ACEs use; `size() - used_len()` is trailing slack.
    #[must_use]
    pub const fn used_len(&self) -> usize {
        self.used
    }

    /// `AceCount`.
    #[must_use]
    pub const fn ace_count(&self) -> u16 {
        self.count
    }

    /// The ACEs in order, each with its byte offset in the ACL.
    #[must_use]
    pub fn aces(&self) -> Aces<'a> {
        let mut r = Reader::new(self.bytes);
        // `new_checked` saw the header; an ACL view always has one.
        let _ = r.take_array::<ACL_HEADER_LEN>();
        Aces {
            r,
            left: self.count,
        }
    }

    /// The ACL's bytes (`AclSize` of them, slack included).
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether the ACL holds an ACE that needs revision 4.
    #[must_use]
    pub fn has_ds_aces(&self) -> bool {
        self.aces().any(|a| a.ace_type().needs_ds_revision())
    }
}

/// Iterator over an [`Acl`]'s ACEs.
#[derive(Clone, Debug)]
pub struct Aces<'a> {
    r: Reader<'a>,
    left: u16,
}

impl Aces<'_> {
    /// The byte offset in the ACL of the ACE [`next`](Iterator::next) returns.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.r.used()
    }
}

impl<'a> Iterator for Aces<'a> {
    type Item = Ace<'a>;

    fn next(&mut self) -> Option<Ace<'a>> {
        self.left = self.left.checked_sub(1)?;
        // `Acl::new_checked` checked every ACE, SID included; reading the header again
        // cannot fail (if it did, iteration would end).
        let ace = Ace::read(self.r.rest()).ok()?;
        self.r.take(ace.size())?;
        Some(ace)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.left)))
    }
}

/// Writes an ACL into a caller's buffer: revision 2 unless an object ACE needs 4, `AclSize`
/// exactly the header plus the ACEs.
#[derive(Debug)]
pub struct AclWriter<'a> {
    out: &'a mut [u8],
    len: usize,
    count: u16,
    revision: u8,
}

impl<'a> AclWriter<'a> {
    /// Starts an ACL at the beginning of `out` (at least 8 bytes).
    pub fn new(out: &'a mut [u8]) -> Result<Self, Error> {
        if out.len() < ACL_HEADER_LEN {
            return Err(Error::new(
                0,
                ErrorKind::BufferTooSmall {
                    needed: ACL_HEADER_LEN,
                },
            ));
        }
        Ok(Self {
            out,
            len: ACL_HEADER_LEN,
            count: 0,
            revision: ACL_REVISION,
        })
    }

    /// Appends an ACE. Errors: the repr is not encodable (offset 0), the ACL would exceed
    /// 65,532 bytes, or the buffer is short (`needed` counts the ACL so far plus this ACE).
    pub fn push(&mut self, ace: &AceRepr) -> Result<(), Error> {
        ace.check().map_err(|k| Error::new(0, k))?;
        let n = ace.encoded_len();
        let end = self.len.checked_add(n).ok_or_else(internal)?;
        if end > MAX_ACL_LEN {
            return Err(Error::new(0, ErrorKind::AclTooLarge { size: end }));
        }
        let dst = self
            .out
            .get_mut(self.len..end)
            .ok_or(Error::new(0, ErrorKind::BufferTooSmall { needed: end }))?;
        let mut w = Writer::new(dst);
        ace.write(&mut w)?;
        if w.pos() != n {
            return Err(internal());
        }
        self.len = end;
        // The size limit above bounds the count to 65,532 / 16.
        self.count = self.count.checked_add(1).ok_or_else(internal)?;
        if ace.ace_type.needs_ds_revision() {
            self.revision = ACL_REVISION_DS;
        }
        Ok(())
    }

    /// Writes the header; returns `AclSize`.
    pub fn finish(self) -> Result<usize, Error> {
        let mut w = Writer::new(self.out);
        w.reserve::<ACL_HEADER_LEN>()?;
        write_header(&mut w, 0, self.revision, self.len, self.count)?;
        Ok(self.len)
    }
}

/// Writes an ACL header at `at` (already reserved); `size` is at most [`MAX_ACL_LEN`].
pub(crate) fn write_header(
    w: &mut Writer<'_>,
    at: usize,
    revision: u8,
    size: usize,
    count: u16,
) -> Result<(), Error> {
    let [s0, s1] = u16::try_from(size).map_err(|_| internal())?.to_le_bytes();
    let [c0, c1] = count.to_le_bytes();
    w.patch(at, &[revision, 0, s0, s1, c0, c1, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ace::{AceType, Guid};
    use crate::sid::Sid;

    fn sid(s: &str) -> Sid {
        Sid::parse(s).unwrap()
    }

    // MS-DTYP 2.4.5 layout; the DACL of O:BAG:SYD:(A;;KR;;;WD)(A;;KA;;;BA)(A;;KA;;;SY).
    static DACL: [u8; 0x48] = [
        0x02, 0x00, 0x48, 0x00, 0x03, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x14, 0x00, 0x19, 0x00, 0x02, 0x00, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, //
        0x00, 0x00, 0x18, 0x00, 0x3f, 0x00, 0x0f, 0x00, 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20,
        2, 0, 0, //
        0x00, 0x00, 0x14, 0x00, 0x3f, 0x00, 0x0f, 0x00, 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0,
    ];

    #[test]
    fn deconstruct() {
        let acl = Acl::new_checked(&DACL).unwrap();
        assert_eq!(acl.revision(), 2);
        assert_eq!(acl.size(), 0x48);
        assert_eq!(acl.used_len(), 0x48);
        assert_eq!(acl.ace_count(), 3);
        let masks: [u32; 3] = core::array::from_fn(|i| acl.aces().nth(i).unwrap().mask().0);
        assert_eq!(masks, [0x2_0019, 0xf_003f, 0xf_003f]);
        assert_eq!(acl.aces().nth(1).unwrap().sid(), Some(sid("S-1-5-32-544")));
        assert_eq!(acl.aces().count(), 3);
        assert!(!acl.has_ds_aces());
    }

    #[test]
    fn construct() {
        let mut buf = [0xa5u8; 0x4c];
        let mut w = AclWriter::new(&mut buf).unwrap();
        w.push(&AceRepr::allow(sid("S-1-1-0"), 0x2_0019)).unwrap();
        w.push(&AceRepr::allow(sid("S-1-5-32-544"), 0xf_003f))
            .unwrap();
        w.push(&AceRepr::allow(sid("S-1-5-18"), 0xf_003f)).unwrap();
        assert_eq!(w.finish(), Ok(0x48));
        assert_eq!(&buf[..0x48], &DACL);
        assert_eq!(&buf[0x48..], &[0xa5; 4]);
    }

    #[test]
    fn empty_and_object_revision() {
        let mut buf = [0xa5u8; 8];
        assert_eq!(AclWriter::new(&mut buf).unwrap().finish(), Ok(8));
        assert_eq!(buf, [2, 0, 8, 0, 0, 0, 0, 0]);
        let mut buf = [0u8; 64];
        let mut w = AclWriter::new(&mut buf).unwrap();
        let mut ace = AceRepr::allow(sid("S-1-5-11"), 0x10);
        ace.ace_type = AceType::AccessAllowedObject;
        ace.object_type = Some(Guid::from_le_bytes([7; 16]));
        w.push(&ace).unwrap();
        let n = w.finish().unwrap();
        assert_eq!(n, 8 + 12 + 16 + 12);
        let acl = Acl::new_checked(&buf[..n]).unwrap();
        assert_eq!(acl.revision(), 4);
        assert!(acl.has_ds_aces());
        assert_eq!(acl.aces().next().unwrap().to_repr(), Some(ace));
    }

    #[test]
    fn writer_errors() {
        let mut small = [0u8; 7];
        assert_eq!(
            AclWriter::new(&mut small).unwrap_err().kind,
            ErrorKind::BufferTooSmall { needed: 8 }
        );
        let mut buf = [0u8; 20];
        let mut w = AclWriter::new(&mut buf).unwrap();
        assert_eq!(
            w.push(&AceRepr::allow(sid("S-1-5-18"), 1))
                .unwrap_err()
                .kind,
            ErrorKind::BufferTooSmall { needed: 28 }
        );
        let mut bad = AceRepr::allow(sid("S-1-5-18"), 1);
        bad.object_type = Some(Guid::default());
        assert_eq!(
            w.push(&bad).unwrap_err().kind,
            ErrorKind::GuidOnNonObjectAce
        );
        bad.ace_type = AceType::AccessAllowedCallback;
        assert_eq!(
            w.push(&bad).unwrap_err().kind,
            ErrorKind::UnsupportedAceType { ace_type: 9 }
        );
        let mut big = std::vec![0u8; 70_000];
        let mut w = AclWriter::new(&mut big).unwrap();
        let ace = AceRepr::allow(sid("S-1-5-18"), 1);
        let mut pushed = 0;
        let err = loop {
            match w.push(&ace) {
                Ok(()) => pushed += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(pushed, (MAX_ACL_LEN - 8) / 20);
        assert_eq!(
            err.kind,
            ErrorKind::AclTooLarge {
                size: 8 + (pushed + 1) * 20
            }
        );
    }

    #[test]
    fn checks() {
        assert_eq!(
            Acl::new_checked(&DACL[..7]).unwrap_err().kind,
            ErrorKind::Truncated { part: Part::Acl }
        );
        assert_eq!(
            Acl::new_checked(&DACL[..0x47]).unwrap_err().kind,
            ErrorKind::Truncated { part: Part::Acl }
        );
        let mut b = DACL;
        b[0] = 5;
        assert_eq!(
            Acl::new_checked(&b).unwrap_err(),
            Error::new(
                0,
                ErrorKind::BadRevision {
                    part: Part::Acl,
                    found: 5
                }
            )
        );
        b[0] = 2;
        b[2] = 7;
        assert_eq!(
            Acl::new_checked(&b).unwrap_err(),
            Error::new(2, ErrorKind::BadAclSize { size: 7 })
        );
        b[2] = 0x44; // last ACE runs past AclSize
        assert_eq!(
            Acl::new_checked(&b).unwrap_err(),
            Error::new(0x34, ErrorKind::Truncated { part: Part::Ace })
        );
        b[2] = 0x48;
        b[0x1e] = 0x13; // second ACE size odd
        assert_eq!(
            Acl::new_checked(&b).unwrap_err(),
            Error::new(0x1e, ErrorKind::BadAceSize { size: 0x13 })
        );
        // Slack is accepted and reported.
        let mut slack = [0u8; 0x4c];
        slack[..0x48].copy_from_slice(&DACL);
        slack[2] = 0x4c;
        let acl = Acl::new_checked(&slack).unwrap();
        assert_eq!((acl.size(), acl.used_len()), (0x4c, 0x48));
    }
}
