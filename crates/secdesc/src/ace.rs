//! ACEs: codes, the validated [`Ace`] view and the [`AceRepr`] meaning (MS-DTYP 2.4.4).
//!
//! Layout: type (1) | flags (1) | size (2, LE) | body. Supported bodies: mask (4) | SID for
//! allow, deny, audit, alarm and mandatory-label ACEs; mask (4) | object flags (4) | object
//! type GUID (16, if flag 1) | inherited object type GUID (16, if flag 2) | SID for the object
//! types 5–8. Other types (callback, compound, resource attribute, scoped policy, unknown) are
//! kept byte for byte by the views; only [`Ace::to_repr`] and SDDL formatting refuse them.

use crate::codec::{Reader, Writer};
use crate::error::{Error, ErrorKind, Expected, Part, internal};
use crate::sid::Sid;
use connsec_nt::GUID_TEXT_LEN;

use crate::text::Cursor;

mod field {
    use core::ops::Range;
    pub(super) const SIZE: Range<usize> = 2..4;
    pub(super) const MASK: Range<usize> = 4..8;
}

/// Length of the ACE header.
pub const ACE_HEADER_LEN: usize = field::SIZE.end;

/// An access mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccessMask(pub u32);

/// ACE flags (`OI` 0x01, `CI` 0x02, `NP` 0x04, `IO` 0x08, `ID` 0x10, `CR` 0x20, `SA` 0x40,
/// `FA` 0x80).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AceFlags(pub u8);

impl AceFlags {
    /// `OBJECT_INHERIT_ACE` (`OI`).
    pub const OBJECT_INHERIT: u8 = 0x01;
    /// `CONTAINER_INHERIT_ACE` (`CI`).
    pub const CONTAINER_INHERIT: u8 = 0x02;
    /// `NO_PROPAGATE_INHERIT_ACE` (`NP`).
    pub const NO_PROPAGATE_INHERIT: u8 = 0x04;
    /// `INHERIT_ONLY_ACE` (`IO`).
    pub const INHERIT_ONLY: u8 = 0x08;
    /// `INHERITED_ACE` (`ID`).
    pub const INHERITED: u8 = 0x10;
    /// `CRITICAL_ACE_FLAG` (`CR`).
    pub const CRITICAL: u8 = 0x20;
    /// `SUCCESSFUL_ACCESS_ACE_FLAG` (`SA`); also `TRUST_PROTECTED_FILTER_ACE_FLAG` (`TP`).
    pub const SUCCESSFUL_ACCESS: u8 = 0x40;
    /// `FAILED_ACCESS_ACE_FLAG` (`FA`).
    pub const FAILED_ACCESS: u8 = 0x80;
}

/// SDDL ACE flag tokens in the order Windows writes them; `TP` is accepted as 0x40 on input.
pub(crate) const ACE_FLAG_TOKENS: [([u8; 2], u8); 8] = [
    (*b"OI", 0x01),
    (*b"CI", 0x02),
    (*b"NP", 0x04),
    (*b"IO", 0x08),
    (*b"ID", 0x10),
    (*b"CR", 0x20),
    (*b"SA", 0x40),
    (*b"FA", 0x80),
];

macro_rules! ace_types {
    ($($(#[$doc:meta])* $name:ident = $value:literal,)*) => {
        /// An ACE type; unknown codes are kept (`Unknown`), so views round-trip them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum AceType {
            $($(#[$doc])* $name,)*
            /// A code this crate has no name for.
            Unknown(u8),
        }
        impl From<u8> for AceType {
            fn from(v: u8) -> Self {
                match v { $($value => Self::$name,)* other => Self::Unknown(other) }
            }
        }
        impl From<AceType> for u8 {
            fn from(t: AceType) -> u8 {
                match t { $(AceType::$name => $value,)* AceType::Unknown(v) => v }
            }
        }
    };
}

ace_types! {
    /// `ACCESS_ALLOWED_ACE_TYPE` (SDDL `A`).
    AccessAllowed = 0x00,
    /// `ACCESS_DENIED_ACE_TYPE` (`D`).
    AccessDenied = 0x01,
    /// `SYSTEM_AUDIT_ACE_TYPE` (`AU`).
    SystemAudit = 0x02,
    /// `SYSTEM_ALARM_ACE_TYPE` (`AL`).
    SystemAlarm = 0x03,
    /// `ACCESS_ALLOWED_COMPOUND_ACE_TYPE` (no SDDL form).
    AccessAllowedCompound = 0x04,
    /// `ACCESS_ALLOWED_OBJECT_ACE_TYPE` (`OA`).
    AccessAllowedObject = 0x05,
    /// `ACCESS_DENIED_OBJECT_ACE_TYPE` (`OD`).
    AccessDeniedObject = 0x06,
    /// `SYSTEM_AUDIT_OBJECT_ACE_TYPE` (`OU`).
    SystemAuditObject = 0x07,
    /// `SYSTEM_ALARM_OBJECT_ACE_TYPE` (`OL`).
    SystemAlarmObject = 0x08,
    /// `ACCESS_ALLOWED_CALLBACK_ACE_TYPE` (`XA`, unsupported).
    AccessAllowedCallback = 0x09,
    /// `ACCESS_DENIED_CALLBACK_ACE_TYPE` (`XD`, unsupported).
    AccessDeniedCallback = 0x0a,
    /// `ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE` (`ZA`, unsupported).
    AccessAllowedCallbackObject = 0x0b,
    /// `ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE` (unsupported).
    AccessDeniedCallbackObject = 0x0c,
    /// `SYSTEM_AUDIT_CALLBACK_ACE_TYPE` (`XU`, unsupported).
    SystemAuditCallback = 0x0d,
    /// `SYSTEM_ALARM_CALLBACK_ACE_TYPE` (unsupported).
    SystemAlarmCallback = 0x0e,
    /// `SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE` (unsupported).
    SystemAuditCallbackObject = 0x0f,
    /// `SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE` (unsupported).
    SystemAlarmCallbackObject = 0x10,
    /// `SYSTEM_MANDATORY_LABEL_ACE_TYPE` (`ML`).
    SystemMandatoryLabel = 0x11,
    /// `SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE` (`RA`, unsupported).
    SystemResourceAttribute = 0x12,
    /// `SYSTEM_SCOPED_POLICY_ID_ACE_TYPE` (`SP`, unsupported).
    SystemScopedPolicyId = 0x13,
}

impl AceType {
    /// Whether an ACL holding this type needs revision 4 (`ACL_REVISION_DS`): object types
    /// 5–8, 0x0b, 0x0c, 0x0f, 0x10.
    #[must_use]
    pub fn needs_ds_revision(self) -> bool {
        matches!(u8::from(self), 0x05..=0x08 | 0x0b | 0x0c | 0x0f | 0x10)
    }

    /// Whether this codec reads and writes the type (mask + optional GUIDs + SID body).
    #[must_use]
    pub fn is_supported(self) -> bool {
        matches!(u8::from(self), 0x00..=0x03 | 0x05..=0x08 | 0x11)
    }

    /// Whether the body has the object flags and GUIDs (types 5–8).
    #[must_use]
    pub fn is_object(self) -> bool {
        matches!(u8::from(self), 0x05..=0x08)
    }

    /// The SDDL token for a supported type.
    #[must_use]
    pub fn sddl(self) -> Option<&'static str> {
        ACE_TYPE_TOKENS
            .iter()
            .find(|(_, t)| *t == u8::from(self))
            .map(|(s, _)| *s)
    }
}

/// SDDL ACE type tokens of the supported types.
pub(crate) const ACE_TYPE_TOKENS: [(&str, u8); 9] = [
    ("A", 0x00),
    ("D", 0x01),
    ("AU", 0x02),
    ("AL", 0x03),
    ("OA", 0x05),
    ("OD", 0x06),
    ("OU", 0x07),
    ("OL", 0x08),
    ("ML", 0x11),
];

/// The object-type GUIDs of an object ACE: the shared `connsec_nt::Guid`, stored in the ACE
/// as its 16 little-endian bytes ([`Guid::to_le_bytes`]).
pub use connsec_nt::Guid;

/// Parses the 36-character GUID form at the cursor (either case, no braces), with
/// `connsec_nt::Guid::parse_bare`. The error is at the first character that cannot be part of
/// the GUID (the end of the text if it stops early).
pub(crate) fn parse_guid(c: &mut Cursor<'_>) -> Result<Guid, Error> {
    // Text shorter than a GUID is padded with a byte that fits no position, so the error lands
    // on the first missing character.
    let mut text = [0u8; GUID_TEXT_LEN];
    for (slot, b) in text.iter_mut().zip(c.rest()) {
        *slot = *b;
    }
    let start = c.pos();
    let guid = Guid::parse_bare(&text).map_err(|e| {
        Error::new(
            start.saturating_add(e.offset()),
            ErrorKind::Expected(Expected::Guid),
        )
    })?;
    c.advance(GUID_TEXT_LEN);
    Ok(guid)
}

/// The meaning of a supported ACE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AceRepr {
    /// The type (one of the supported ones to be encodable).
    pub ace_type: AceType,
    /// The flags.
    pub flags: AceFlags,
    /// The access mask.
    pub mask: AccessMask,
    /// Object type GUID (object ACE types only).
    pub object_type: Option<Guid>,
    /// Inherited object type GUID (object ACE types only).
    pub inherited_object_type: Option<Guid>,
    /// The trustee.
    pub sid: Sid,
}

impl AceRepr {
    /// An `ACCESS_ALLOWED_ACE` without flags.
    #[must_use]
    pub const fn allow(sid: Sid, mask: u32) -> Self {
        Self::simple(AceType::AccessAllowed, sid, mask)
    }

    /// An `ACCESS_DENIED_ACE` without flags.
    #[must_use]
    pub const fn deny(sid: Sid, mask: u32) -> Self {
        Self::simple(AceType::AccessDenied, sid, mask)
    }

    const fn simple(ace_type: AceType, sid: Sid, mask: u32) -> Self {
        Self {
            ace_type,
            flags: AceFlags(0),
            mask: AccessMask(mask),
            object_type: None,
            inherited_object_type: None,
            sid,
        }
    }

    /// The binary length: 8 + (object types: 4 + 16 per GUID) + SID: at most 112.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        // Header and mask, then the object flags and the GUIDs present.
        let before_sid: usize = match (
            self.ace_type.is_object(),
            self.object_type.is_some(),
            self.inherited_object_type.is_some(),
        ) {
            (false, ..) => 8,
            (true, false, false) => 12,
            (true, true, false) | (true, false, true) => 28,
            (true, true, true) => 44,
        };
        // At most 44 + 68.
        before_sid.wrapping_add(self.sid.encoded_len())
    }

    /// Checks the repr is encodable: a supported type, GUIDs only on object types.
    pub fn check(&self) -> Result<(), ErrorKind> {
        if !self.ace_type.is_supported() {
            return Err(ErrorKind::UnsupportedAceType {
                ace_type: self.ace_type.into(),
            });
        }
        if !self.ace_type.is_object()
            && (self.object_type.is_some() || self.inherited_object_type.is_some())
        {
            return Err(ErrorKind::GuidOnNonObjectAce);
        }
        Ok(())
    }

    /// Appends the ACE; the caller has checked it.
    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let [s0, s1] = u16::try_from(self.encoded_len())
            .map_err(|_| internal())?
            .to_le_bytes();
        let [m0, m1, m2, m3] = self.mask.0.to_le_bytes();
        w.put(&[self.ace_type.into(), self.flags.0, s0, s1, m0, m1, m2, m3])?;
        if self.ace_type.is_object() {
            w.put(&object_flags(
                self.object_type.is_some(),
                self.inherited_object_type.is_some(),
            ))?;
            for g in [&self.object_type, &self.inherited_object_type]
                .into_iter()
                .flatten()
            {
                w.put(&g.to_le_bytes())?;
            }
        }
        self.sid.write(w)
    }
}

/// The object flags field: `ACE_OBJECT_TYPE_PRESENT` (1), `ACE_INHERITED_OBJECT_TYPE_PRESENT`
/// (2).
pub(crate) fn object_flags(object_type: bool, inherited_object_type: bool) -> [u8; 4] {
    [
        u8::from(object_type) | (u8::from(inherited_object_type) << 1),
        0,
        0,
        0,
    ]
}

/// A validated view of one ACE (exactly `AceSize` bytes) with its header fields decoded.
/// Built by [`Acl`](crate::Acl)'s iterator or [`Ace::new_checked`]; no accessor can panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ace<'a> {
    bytes: &'a [u8],
    kind: AceType,
    flags: u8,
    /// 0 for a type this codec does not read.
    mask: u32,
    /// The object flags of an object ACE (bit 0: object type GUID, bit 1: inherited one).
    object_flags: u8,
    /// Where the SID starts (supported types only): 8, 12, 28 or 44.
    sid_at: Option<u8>,
}

/// Where an object ACE's GUIDs start.
const GUIDS_AT: usize = 12;

impl<'a> Ace<'a> {
    /// Checks one ACE at the start of `bytes` (errors carry offsets relative to it) and views
    /// its `AceSize` bytes. Supported types must hold their whole body, SID included; other
    /// types only need a valid header.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, Error> {
        let ace = Self::read(bytes)?;
        if let Some(sid_at) = ace.sid_at() {
            let bad_size = Error::new(
                field::SIZE.start,
                ErrorKind::BadAceSize {
                    size: u16::try_from(ace.size()).map_err(|_| internal())?,
                },
            );
            let sid_bytes = ace.bytes.get(sid_at..).ok_or(bad_size)?;
            Sid::check(sid_bytes).map_err(|e| match e.kind {
                ErrorKind::Truncated { .. } => bad_size,
                _ => e.shifted(sid_at),
            })?;
        }
        Ok(ace)
    }

    /// Reads the header and the fixed part of the body, everything but the SID: the whole
    /// check of an unsupported type, and what the iterator of an already checked ACL needs.
    pub(crate) fn read(bytes: &'a [u8]) -> Result<Self, Error> {
        let truncated = Error::new(0, ErrorKind::Truncated { part: Part::Ace });
        let mut r = Reader::new(bytes);
        let &[ace_type, flags, s0, s1] = r.take_array().ok_or(truncated)?;
        let kind = AceType::from(ace_type);
        let size = u16::from_le_bytes([s0, s1]);
        let bad_size = Error::new(field::SIZE.start, ErrorKind::BadAceSize { size });
        let min = if kind.is_supported() {
            field::MASK.end
        } else {
            ACE_HEADER_LEN
        };
        if usize::from(size) < min || !size.is_multiple_of(4) {
            return Err(bad_size);
        }
        let bytes = bytes.get(..usize::from(size)).ok_or(truncated)?;
        let mut ace = Self {
            bytes,
            kind,
            flags,
            mask: 0,
            object_flags: 0,
            sid_at: None,
        };
        if !kind.is_supported() {
            return Ok(ace);
        }
        ace.mask = r.u32_le().ok_or(bad_size)?;
        let mut sid_at = field::MASK.end;
        if kind.is_object() {
            let [object_flags, ..] = r.u32_le().ok_or(bad_size)?.to_le_bytes();
            ace.object_flags = object_flags & 3;
            sid_at = match ace.object_flags {
                0 => 12,
                1 | 2 => 28,
                _ => 44,
            };
        }
        if sid_at > bytes.len() {
            return Err(bad_size);
        }
        ace.sid_at = u8::try_from(sid_at).ok();
        Ok(ace)
    }

    /// The raw type code.
    #[must_use]
    pub const fn ace_type(&self) -> AceType {
        self.kind
    }

    /// The flags.
    #[must_use]
    pub const fn flags(&self) -> AceFlags {
        AceFlags(self.flags)
    }

    /// `AceSize`.
    #[must_use]
    pub const fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The access mask (0 for a type this codec does not read).
    #[must_use]
    pub const fn mask(&self) -> AccessMask {
        AccessMask(self.mask)
    }

    /// The object type GUID of an object ACE that has one.
    #[must_use]
    pub fn object_type(&self) -> Option<Guid> {
        if self.object_flags & 1 == 0 {
            return None;
        }
        self.guid_at(GUIDS_AT)
    }

    /// The inherited object type GUID of an object ACE that has one (after the object type
    /// GUID when both are present).
    #[must_use]
    pub fn inherited_object_type(&self) -> Option<Guid> {
        match self.object_flags {
            2 => self.guid_at(GUIDS_AT),
            3 => self.guid_at(GUIDS_AT + 16),
            _ => None,
        }
    }

    fn guid_at(&self, at: usize) -> Option<Guid> {
        Some(Guid::from_le_bytes(
            *self.bytes.get(at..)?.first_chunk::<16>()?,
        ))
    }

    fn sid_at(&self) -> Option<usize> {
        self.sid_at.map(usize::from)
    }

    /// The trustee SID of a supported type (`None` for other types).
    #[must_use]
    pub fn sid(&self) -> Option<Sid> {
        Sid::decode(self.bytes.get(self.sid_at()?..)?).ok()
    }

    /// The meaning of a supported ACE; `None` for unsupported types.
    #[must_use]
    #[inline]
    pub fn to_repr(&self) -> Option<AceRepr> {
        Some(AceRepr {
            ace_type: self.kind,
            flags: self.flags(),
            mask: self.mask(),
            object_type: self.object_type(),
            inherited_object_type: self.inherited_object_type(),
            sid: self.sid()?,
        })
    }

    /// The ACE's bytes (`AceSize` of them).
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Writer;
    use crate::testutil::Text;

    // (A;;0x1f01ff;;;SY): MS-DTYP 2.4.4.2 ACCESS_ALLOWED_ACE, AceSize 0x14.
    static ALLOW_SY: [u8; 20] = [
        0x00, 0x00, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00, 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0,
    ];

    #[test]
    fn deconstruct() {
        let ace = Ace::new_checked(&ALLOW_SY).unwrap();
        assert_eq!(ace.ace_type(), AceType::AccessAllowed);
        assert_eq!(ace.flags(), AceFlags(0));
        assert_eq!(ace.mask(), AccessMask(0x1f_01ff));
        assert_eq!(ace.size(), 20);
        assert_eq!(ace.sid(), Some(Sid::parse("S-1-5-18").unwrap()));
        assert_eq!(ace.object_type(), None);
    }

    #[test]
    fn construct() {
        let repr = AceRepr::allow(Sid::parse("S-1-5-18").unwrap(), 0x1f_01ff);
        let mut buf = [0xa5u8; 22];
        let mut out = Writer::new(&mut buf);
        repr.write(&mut out).unwrap();
        assert_eq!(out.pos(), 20);
        assert_eq!(&buf[..20], &ALLOW_SY);
        assert_eq!(&buf[20..], &[0xa5, 0xa5]);
        assert_eq!(Ace::new_checked(&buf).unwrap().to_repr(), Some(repr));
    }

    #[test]
    fn object_ace_round_trip() {
        let g = Guid::parse("BF967ABA-0DE6-11D0-A285-00AA003049E2").unwrap();
        assert_eq!(
            Text::of(&format_args!("{g:#}")).as_str(),
            "bf967aba-0de6-11d0-a285-00aa003049e2"
        );
        assert_eq!(&g.to_le_bytes()[..4], &[0xba, 0x7a, 0x96, 0xbf]);
        assert_eq!(
            g,
            Guid::from_fields(
                0xbf96_7aba,
                0x0de6,
                0x11d0,
                [0xa2, 0x85, 0, 0xaa, 0, 0x30, 0x49, 0xe2]
            )
        );
        for (ot, it) in [
            (Some(g), None),
            (None, Some(g)),
            (Some(g), Some(g)),
            (None, None),
        ] {
            let repr = AceRepr {
                ace_type: AceType::AccessAllowedObject,
                flags: AceFlags(0x12),
                mask: AccessMask(0x30),
                object_type: ot,
                inherited_object_type: it,
                sid: Sid::parse("S-1-5-11").unwrap(),
            };
            let mut buf = [0xa5u8; 64];
            let mut out = Writer::new(&mut buf);
            repr.write(&mut out).unwrap();
            let n = out.pos();
            assert_eq!(n, repr.encoded_len());
            let ace = Ace::new_checked(&buf[..n]).unwrap();
            assert_eq!(ace.to_repr(), Some(repr));
        }
    }

    #[test]
    fn checks() {
        assert_eq!(
            Ace::new_checked(&ALLOW_SY[..3]).unwrap_err().kind,
            ErrorKind::Truncated { part: Part::Ace }
        );
        assert_eq!(
            Ace::new_checked(&ALLOW_SY[..19]).unwrap_err().kind,
            ErrorKind::Truncated { part: Part::Ace }
        );
        let mut b = ALLOW_SY;
        b[2] = 0x12; // not a multiple of 4
        assert_eq!(
            Ace::new_checked(&b).unwrap_err(),
            Error::new(2, ErrorKind::BadAceSize { size: 0x12 })
        );
        b[2] = 0x10; // too short for the SID
        assert_eq!(
            Ace::new_checked(&b).unwrap_err(),
            Error::new(2, ErrorKind::BadAceSize { size: 0x10 })
        );
        b[2] = 0x14;
        b[8] = 2; // SID revision
        assert_eq!(
            Ace::new_checked(&b).unwrap_err(),
            Error::new(
                8,
                ErrorKind::BadRevision {
                    part: Part::Sid,
                    found: 2
                }
            )
        );
        // An unknown type keeps only its header checked.
        let unknown = [0x42u8, 0, 4, 0];
        let ace = Ace::new_checked(&unknown).unwrap();
        assert_eq!(ace.ace_type(), AceType::Unknown(0x42));
        assert_eq!(u8::from(ace.ace_type()), 0x42);
        assert_eq!(ace.to_repr(), None);
        assert_eq!(ace.sid(), None);
    }

    #[test]
    fn type_codes_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(AceType::from(v)), v);
        }
        assert!(AceType::from(0x0b).needs_ds_revision());
        assert!(!AceType::from(0x11).needs_ds_revision());
        assert_eq!(AceType::from(7).sddl(), Some("OU"));
    }
}
