//! The DACL a configuration gives, and the checks it passes before anything is applied.
//!
//! **Principals list → DACL ("canonical order").** One `ACCESS_ALLOWED_ACE` per distinct SID,
//! with no inheritance flags, in the order each SID first appears in the list; an entry whose
//! SID appeared earlier adds its rights to that first ACE (the masks are OR-ed). A list of
//! explicit allow ACEs is canonical by construction (no deny ACEs, no inherited ACEs), and
//! keeping the administrator's order makes the result predictable. Generic rights are already
//! expanded to explicit `FWPM_*` masks by the parser.
//!
//! **`DaclSddl` → DACL.** Encoded by the `secdesc` codec exactly as written (Windows does not
//! reorder SDDL either); a deny ACE after an allow ACE gives a warning.
//!
//! **Checks** ([`check_dacl`]), on the final bytes:
//! - never a NULL DACL (the type cannot express one; `D:NO_ACCESS_CONTROL` is an error);
//! - an empty DACL (denies everyone, including SYSTEM) is refused unless `AllowUnsafeDacl`;
//! - SYSTEM (`S-1-5-18`) and Administrators (`S-1-5-32-544`) must each keep full access: the
//!   allow ACEs that name them (excluding inherit-only ACEs) must together cover
//!   `FWPM_GENERIC_ALL` (0x000F07FF; the `GENERIC_ALL` bit counts), and no deny ACE that
//!   applies to them (one naming them, Everyone or Authenticated Users) may deny any of those
//!   rights; otherwise refused unless `AllowUnsafeDacl`;
//! - write, add or delete rights ([`WRITE_LIKE`]) allowed to Everyone, Anonymous Logon or
//!   Authenticated Users give a warning.

use core::fmt;

use secdesc::{AceFlags, AceRepr, AceType, Acl, AclWriter, SddlContext, SecurityDescriptor, Sid};

use crate::config::{Config, ConfigError, ConfigErrorKind, DACL_SDDL, DaclSource, PrincipalList};
use crate::rights::{FWPM_GENERIC_ALL, WRITE_LIKE, expand_generic};

pub use connsec_nt::security_info::{
    DACL_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION,
    UNPROTECTED_DACL_SECURITY_INFORMATION,
};
pub use secdesc::MAX_ACL_LEN;
use secdesc::{ACL_HEADER_LEN, ControlFlags, SD_HEADER_LEN};
/// What we apply with: `DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION`.
pub const APPLY_SECURITY_INFORMATION: u32 =
    DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION;
/// `SE_DACL_PRESENT` control bit (the codec's [`ControlFlags::DACL_PRESENT`]).
pub const SE_DACL_PRESENT: u16 = ControlFlags::DACL_PRESENT;
/// `SE_DACL_PROTECTED` control bit (the codec's [`ControlFlags::DACL_PROTECTED`]).
pub const SE_DACL_PROTECTED: u16 = ControlFlags::DACL_PROTECTED;

/// `S-1-5-18`, NT AUTHORITY\SYSTEM.
fn system_sid() -> Option<Sid> {
    Sid::new(5, &[18]).ok()
}
/// `S-1-5-32-544`, BUILTIN\Administrators.
fn admins_sid() -> Option<Sid> {
    Sid::new(5, &[32, 544]).ok()
}

/// The broad principals whose write access raises a warning.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BroadPrincipal {
    /// `WD`, Everyone, `S-1-1-0`.
    Everyone,
    /// `AN`, Anonymous Logon, `S-1-5-7`.
    Anonymous,
    /// `AU`, Authenticated Users, `S-1-5-11`.
    AuthenticatedUsers,
}

impl BroadPrincipal {
    /// All three, in report order.
    pub const ALL: [BroadPrincipal; 3] = [
        BroadPrincipal::Everyone,
        BroadPrincipal::Anonymous,
        BroadPrincipal::AuthenticatedUsers,
    ];

    /// The SID.
    #[must_use]
    pub fn sid(self) -> Option<Sid> {
        match self {
            BroadPrincipal::Everyone => Sid::new(1, &[0]).ok(),
            BroadPrincipal::Anonymous => Sid::new(5, &[7]).ok(),
            BroadPrincipal::AuthenticatedUsers => Sid::new(5, &[11]).ok(),
        }
    }

    /// The SDDL alias.
    #[must_use]
    pub fn alias(self) -> &'static str {
        match self {
            BroadPrincipal::Everyone => "WD",
            BroadPrincipal::Anonymous => "AN",
            BroadPrincipal::AuthenticatedUsers => "AU",
        }
    }

    fn index(self) -> usize {
        match self {
            BroadPrincipal::Everyone => 0,
            BroadPrincipal::Anonymous => 1,
            BroadPrincipal::AuthenticatedUsers => 2,
        }
    }
}

/// Why a DACL is unsafe.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UnsafeReason {
    /// The DACL has no ACE: it denies everyone, SYSTEM included.
    EmptyDacl,
    /// SYSTEM does not keep full access.
    SystemLacksFullAccess,
    /// Administrators do not keep full access.
    AdministratorsLackFullAccess,
}

impl UnsafeReason {
    /// A short, static description (for log fields).
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            UnsafeReason::EmptyDacl => "empty DACL denies everyone, SYSTEM included",
            UnsafeReason::SystemLacksFullAccess => "SYSTEM does not keep full access",
            UnsafeReason::AdministratorsLackFullAccess => "Administrators do not keep full access",
        }
    }
}

/// A warning about a DACL that is applied anyway.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PolicyWarning {
    /// `AllowUnsafeDacl` let an unsafe DACL through.
    UnsafeDaclAllowed(UnsafeReason),
    /// A broad principal is allowed write, add or delete rights.
    BroadWriteAccess {
        /// Who.
        who: BroadPrincipal,
        /// The write-like rights it gets.
        rights: u32,
    },
    /// A deny ACE follows an allow ACE (not canonical order; Windows does not reorder).
    NonCanonicalOrder {
        /// Zero-based index of the first such deny ACE.
        ace_index: u16,
    },
}

impl PolicyWarning {
    /// A short, static description (for log fields).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            PolicyWarning::UnsafeDaclAllowed(r) => r.reason(),
            PolicyWarning::BroadWriteAccess { .. } => {
                "write, add or delete rights for a broad group"
            }
            PolicyWarning::NonCanonicalOrder { .. } => "deny ACE after an allow ACE",
        }
    }
}

/// What the checks found.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CheckReport {
    /// Number of ACEs.
    pub ace_count: u16,
    /// Unsafe conditions that `AllowUnsafeDacl` let through.
    pub allowed_unsafe: [Option<UnsafeReason>; 3],
    /// Write-like rights granted to Everyone, Anonymous, Authenticated Users (0 = none).
    pub broad_write: [u32; 3],
    /// Index of the first deny ACE that follows an allow ACE.
    pub non_canonical_at: Option<u16>,
}

impl CheckReport {
    /// Every warning, in a fixed order.
    pub fn warnings(&self) -> impl Iterator<Item = PolicyWarning> + '_ {
        let unsafe_ = self
            .allowed_unsafe
            .iter()
            .flatten()
            .map(|r| PolicyWarning::UnsafeDaclAllowed(*r));
        let broad = BroadPrincipal::ALL.into_iter().filter_map(|who| {
            let rights = self.broad_write.get(who.index()).copied().unwrap_or(0);
            (rights != 0).then_some(PolicyWarning::BroadWriteAccess { who, rights })
        });
        let order = self
            .non_canonical_at
            .map(|ace_index| PolicyWarning::NonCanonicalOrder { ace_index });
        unsafe_.chain(broad).chain(order)
    }
}

/// Why no DACL was built.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PolicyError<'a> {
    /// The configuration is invalid (e.g. `DaclSddl` does not encode).
    Config(ConfigError<'a>),
    /// The DACL is unsafe and `AllowUnsafeDacl` is 0.
    Unsafe(UnsafeReason),
    /// The output buffer is too small; `needed` bytes are required.
    BufferTooSmall {
        /// Bytes required.
        needed: usize,
    },
    /// The DACL would exceed [`MAX_ACL_LEN`].
    TooLarge {
        /// The size it would have.
        size: usize,
    },
    /// The DACL bytes do not parse (a codec bug or corrupt input to [`check_dacl`]).
    InvalidAcl(secdesc::Error),
}

impl fmt::Display for PolicyError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Config(e) => e.fmt(f),
            PolicyError::Unsafe(r) => write!(
                f,
                "refused: {} (set AllowUnsafeDacl to 1 to allow)",
                r.reason()
            ),
            PolicyError::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            PolicyError::TooLarge { size } => {
                write!(f, "DACL of {size} bytes exceeds {MAX_ACL_LEN}")
            }
            PolicyError::InvalidAcl(e) => {
                write!(f, "invalid ACL at byte {}: {}", e.offset, e.kind)
            }
        }
    }
}

impl core::error::Error for PolicyError<'_> {}

/// A built and checked DACL, in the caller's buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Dacl<'o> {
    bytes: &'o [u8],
    report: CheckReport,
}

impl<'o> Dacl<'o> {
    /// The ACL bytes to pass to `FwpmConnectionSetSecurityInfo0`.
    #[must_use]
    pub fn as_bytes(&self) -> &'o [u8] {
        self.bytes
    }
    /// The `SECURITY_INFORMATION` to apply it with ([`APPLY_SECURITY_INFORMATION`]).
    #[must_use]
    pub fn security_info(&self) -> u32 {
        APPLY_SECURITY_INFORMATION
    }
    /// Number of ACEs.
    #[must_use]
    pub fn ace_count(&self) -> u16 {
        self.report.ace_count
    }
    /// What the checks found (warnings included).
    #[must_use]
    pub fn report(&self) -> &CheckReport {
        &self.report
    }
}

/// Builds DACLs from a [`Config`].
#[derive(Clone, Copy, Debug)]
pub struct Policy;

impl Policy {
    /// Bytes `out` must have for [`build`](Self::build): exact for a principals list, an upper
    /// bound for SDDL (the text is transcoded into the tail of `out` and encoded into the head).
    pub fn required_len<'a>(config: &Config<'a>) -> Result<usize, PolicyError<'a>> {
        match config.source {
            DaclSource::Principals(list) => principals_len(&list),
            DaclSource::Sddl(text) => {
                // Each SDDL character encodes to at most 4 bytes (`(A;;;;;UD)`: 10 characters,
                // 40 bytes, is the densest ACE), plus the descriptor header.
                let n = text.ascii_len();
                Ok(n.saturating_mul(5)
                    .saturating_add(SD_HEADER_LEN)
                    .saturating_add(ACL_HEADER_LEN))
            }
        }
    }

    /// Builds the DACL into `out` and runs the checks. Nothing is returned unless every check
    /// passes (or is overridden by `AllowUnsafeDacl`, which the report then records).
    pub fn build<'a, 'o>(
        config: &Config<'a>,
        out: &'o mut [u8],
    ) -> Result<Dacl<'o>, PolicyError<'a>> {
        let bytes: &'o [u8] = match config.source {
            DaclSource::Principals(list) => build_principals(&list, out)?,
            DaclSource::Sddl(text) => {
                let n = text.ascii_len();
                let needed = Self::required_len(config)?;
                if out.len() < needed {
                    return Err(PolicyError::BufferTooSmall { needed });
                }
                let split = out.len().saturating_sub(n);
                let (head, tail) = out.split_at_mut(split);
                let ascii = text
                    .to_ascii(tail)
                    .ok_or(PolicyError::BufferTooSmall { needed })?;
                let sddl_err = |e: secdesc::Error| {
                    PolicyError::Config(ConfigError {
                        value: DACL_SDDL,
                        entry: 0,
                        offset: e.offset.saturating_add(text.lead()),
                        text: text.wide(),
                        kind: ConfigErrorKind::Sddl(e.kind),
                    })
                };
                let len = match secdesc::sddl::encode(ascii, &SddlContext::new(), head) {
                    Ok(len) => len,
                    Err(e) => match e.kind {
                        secdesc::ErrorKind::BufferTooSmall { needed } => {
                            return Err(PolicyError::BufferTooSmall {
                                needed: needed.saturating_add(n),
                            });
                        }
                        secdesc::ErrorKind::AclTooLarge { size } => {
                            return Err(PolicyError::TooLarge { size });
                        }
                        _ => return Err(sddl_err(e)),
                    },
                };
                let head: &'o [u8] = head;
                let sd_bytes = head
                    .get(..len)
                    .ok_or(PolicyError::BufferTooSmall { needed })?;
                let sd =
                    SecurityDescriptor::new_checked(sd_bytes).map_err(PolicyError::InvalidAcl)?;
                let whole = |kind| {
                    PolicyError::Config(ConfigError {
                        value: DACL_SDDL,
                        entry: 0,
                        offset: 0,
                        text: text.wide(),
                        kind,
                    })
                };
                if sd.control().0 & SE_DACL_PRESENT == 0 {
                    return Err(whole(ConfigErrorKind::NotDaclOnly));
                }
                match sd.dacl() {
                    Some(acl) => acl.as_bytes(),
                    None => return Err(whole(ConfigErrorKind::NullDacl)),
                }
            }
        };
        let report = check_dacl(bytes, config.allow_unsafe_dacl)?;
        Ok(Dacl { bytes, report })
    }
}

/// Is `sid` the SID of an entry before index `before`?
fn seen_before(list: &PrincipalList<'_>, before: usize, sid: &Sid) -> bool {
    list.entries()
        .take(before)
        .any(|e| e.is_ok_and(|e| e.sid == *sid))
}

fn principals_len<'a>(list: &PrincipalList<'a>) -> Result<usize, PolicyError<'a>> {
    let mut size = ACL_HEADER_LEN;
    for (i, entry) in list.entries().enumerate() {
        let entry = entry.map_err(PolicyError::Config)?;
        if !seen_before(list, i, &entry.sid) {
            size = size.saturating_add(AceRepr::allow(entry.sid, entry.mask).encoded_len());
        }
    }
    if size > MAX_ACL_LEN {
        return Err(PolicyError::TooLarge { size });
    }
    Ok(size)
}

fn build_principals<'a, 'o>(
    list: &PrincipalList<'a>,
    out: &'o mut [u8],
) -> Result<&'o [u8], PolicyError<'a>> {
    let needed = principals_len(list)?;
    if out.len() < needed {
        return Err(PolicyError::BufferTooSmall { needed });
    }
    let mut writer = AclWriter::new(&mut *out).map_err(PolicyError::InvalidAcl)?;
    for (i, entry) in list.entries().enumerate() {
        let entry = entry.map_err(PolicyError::Config)?;
        if seen_before(list, i, &entry.sid) {
            continue;
        }
        let mask = list
            .entries()
            .skip(i)
            .flatten()
            .filter(|e| e.sid == entry.sid)
            .fold(0u32, |m, e| m | e.mask);
        writer
            .push(&AceRepr::allow(entry.sid, mask))
            .map_err(PolicyError::InvalidAcl)?;
    }
    let len = writer.finish().map_err(PolicyError::InvalidAcl)?;
    let out: &'o [u8] = out;
    out.get(..len)
        .ok_or(PolicyError::BufferTooSmall { needed: len })
}

/// Runs the checks of the module docs over ACL bytes. With `allow_unsafe`, unsafe conditions
/// are recorded in the report instead of refused.
pub fn check_dacl<'a>(
    acl_bytes: &[u8],
    allow_unsafe: bool,
) -> Result<CheckReport, PolicyError<'a>> {
    let acl = Acl::new_checked(acl_bytes).map_err(PolicyError::InvalidAcl)?;
    let mut report = CheckReport {
        ace_count: acl.ace_count(),
        ..CheckReport::default()
    };
    let system = system_sid();
    let admins = admins_sid();
    let everyone = BroadPrincipal::Everyone.sid();
    let authenticated = BroadPrincipal::AuthenticatedUsers.sid();
    let (mut system_allow, mut admins_allow) = (0u32, 0u32);
    let (mut system_denied, mut admins_denied) = (false, false);
    let mut seen_allow = false;
    for (index, ace) in acl.aces().enumerate() {
        let flags = ace.flags().0;
        let Some(sid) = ace.sid() else { continue };
        let mask = expand_generic(ace.mask().0);
        let ace_type = ace.ace_type();
        let explicit = flags & AceFlags::INHERITED == 0;
        if ace_type == AceType::AccessAllowed && explicit {
            seen_allow = true;
        }
        if ace_type == AceType::AccessDenied
            && explicit
            && seen_allow
            && report.non_canonical_at.is_none()
        {
            report.non_canonical_at = u16::try_from(index).ok();
        }
        if flags & AceFlags::INHERIT_ONLY != 0 {
            continue; // does not apply to the object itself
        }
        match ace_type {
            AceType::AccessAllowed => {
                if Some(sid) == system {
                    system_allow |= mask;
                }
                if Some(sid) == admins {
                    admins_allow |= mask;
                }
                for who in BroadPrincipal::ALL {
                    if Some(sid) == who.sid()
                        && let Some(slot) = report.broad_write.get_mut(who.index())
                    {
                        *slot |= mask & WRITE_LIKE;
                    }
                }
            }
            AceType::AccessDenied if mask & FWPM_GENERIC_ALL != 0 => {
                let everybody = Some(sid) == everyone || Some(sid) == authenticated;
                system_denied |= everybody || Some(sid) == system;
                admins_denied |= everybody || Some(sid) == admins;
            }
            _ => {}
        }
    }
    let mut problems = [None; 3];
    if report.ace_count == 0 {
        problems[0] = Some(UnsafeReason::EmptyDacl);
    } else {
        if system_denied || system_allow & FWPM_GENERIC_ALL != FWPM_GENERIC_ALL {
            problems[1] = Some(UnsafeReason::SystemLacksFullAccess);
        }
        if admins_denied || admins_allow & FWPM_GENERIC_ALL != FWPM_GENERIC_ALL {
            problems[2] = Some(UnsafeReason::AdministratorsLackFullAccess);
        }
    }
    if let Some(first) = problems.iter().flatten().next()
        && !allow_unsafe
    {
        return Err(PolicyError::Unsafe(*first));
    }
    report.allowed_unsafe = problems;
    Ok(report)
}
