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
//! **Checks** ([`check_dacl`]), on the final bytes (`docs/policy-checks.md` lists every SID
//! below with the reason it is there):
//! - never a NULL DACL (the type cannot express one; `D:NO_ACCESS_CONTROL` is an error);
//! - an empty DACL (denies everyone, including SYSTEM) is refused unless `AllowUnsafeDacl`;
//! - no lock-out: SYSTEM (`S-1-5-18`) and Administrators (`S-1-5-32-544`) must each keep full
//!   access: the allow ACEs that name them (excluding inherit-only ACEs) must together cover
//!   `FWPM_GENERIC_ALL` (0x000F07FF; the `GENERIC_ALL` bit counts), and no deny ACE may deny
//!   any of those rights to a SID that every elevated administrator's token, or SYSTEM's,
//!   holds or can hold ([`LOCKOUT_SIDS`], [`LOCKOUT_DOMAIN_RIDS`]). Every deny type counts:
//!   `ACCESS_DENIED`; `ACCESS_DENIED_OBJECT` with or without an object GUID (whether BFE's
//!   access check applies one with a GUID depends on an object type list it does not
//!   document); and the callback types (`ACCESS_DENIED_CALLBACK`, `…_CALLBACK_OBJECT`), whose
//!   condition may hold and whose SID this crate does not read: they count as reaching
//!   administrators whatever their SID. Inherit-only deny ACEs count too (they reach what
//!   inherits). Otherwise refused unless `AllowUnsafeDacl`;
//! - no silent widening: write, add or delete rights ([`WRITE_LIKE`], which includes
//!   `WRITE_DAC`, `WRITE_OWNER`, `GENERIC_WRITE` and `GENERIC_ALL`: the rights that change the
//!   DACL or owner) allowed to a broad group ([`BroadPrincipal`]) give a warning. No
//!   `FWPM_ACTRL_*` right changes the DACL or owner by itself.

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

/// A well-known SID by value: identifier authority and sub-authorities.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WellKnownSid {
    /// The identifier authority (`1` in `S-1-1-0`).
    pub authority: u64,
    /// The sub-authorities.
    pub subs: &'static [u32],
    /// The name Microsoft's "Well-known SIDs" page gives it.
    pub name: &'static str,
}

impl WellKnownSid {
    const fn new(authority: u64, subs: &'static [u32], name: &'static str) -> Self {
        WellKnownSid {
            authority,
            subs,
            name,
        }
    }

    /// Whether `sid` is this SID.
    #[must_use]
    pub fn matches(&self, sid: &Sid) -> bool {
        sid.authority() == self.authority && sid.sub_authorities() == self.subs
    }

    /// The SID.
    #[must_use]
    pub fn sid(&self) -> Option<Sid> {
        Sid::new(self.authority, self.subs).ok()
    }
}

/// SIDs a deny ACE must not name: every elevated administrator's token, or SYSTEM's, holds
/// them, or holds them for some logon (a console, remote desktop, network, batch or service
/// logon), so a deny on them reaches administrators or SYSTEM (Microsoft, "Well-known SIDs";
/// `winnt.h` `SECURITY_*_RID`). `docs/policy-checks.md` gives the reason for each.
pub const LOCKOUT_SIDS: [WellKnownSid; 24] = [
    WellKnownSid::new(1, &[0], "Everyone"),
    WellKnownSid::new(2, &[0], "LOCAL"),
    WellKnownSid::new(2, &[1], "CONSOLE LOGON"),
    WellKnownSid::new(3, &[4], "OWNER RIGHTS"),
    WellKnownSid::new(5, &[2], "NT AUTHORITY\\NETWORK"),
    WellKnownSid::new(5, &[3], "NT AUTHORITY\\BATCH"),
    WellKnownSid::new(5, &[4], "NT AUTHORITY\\INTERACTIVE"),
    WellKnownSid::new(5, &[6], "NT AUTHORITY\\SERVICE"),
    WellKnownSid::new(5, &[11], "NT AUTHORITY\\Authenticated Users"),
    WellKnownSid::new(5, &[14], "NT AUTHORITY\\REMOTE INTERACTIVE LOGON"),
    WellKnownSid::new(5, &[15], "NT AUTHORITY\\This Organization"),
    WellKnownSid::new(5, &[18], "NT AUTHORITY\\SYSTEM"),
    WellKnownSid::new(5, &[32, 544], "BUILTIN\\Administrators"),
    WellKnownSid::new(5, &[32, 545], "BUILTIN\\Users"),
    WellKnownSid::new(5, &[64, 10], "NT AUTHORITY\\NTLM Authentication"),
    WellKnownSid::new(5, &[64, 14], "NT AUTHORITY\\SChannel Authentication"),
    WellKnownSid::new(5, &[64, 21], "NT AUTHORITY\\Digest Authentication"),
    WellKnownSid::new(5, &[65, 1], "NT AUTHORITY\\This Organization Certificate"),
    WellKnownSid::new(5, &[80, 0], "NT SERVICE\\ALL SERVICES"),
    WellKnownSid::new(5, &[113], "NT AUTHORITY\\Local account"),
    WellKnownSid::new(
        5,
        &[114],
        "NT AUTHORITY\\Local account and member of Administrators group",
    ),
    WellKnownSid::new(5, &[1000], "NT AUTHORITY\\Other Organization"),
    WellKnownSid::new(18, &[1], "Authentication authority asserted identity"),
    WellKnownSid::new(18, &[2], "Service asserted identity"),
];

/// Relative IDs, in any domain or machine (`S-1-5-21-<a>-<b>-<c>-<rid>`), of accounts and
/// groups that are administrators: a deny on them is a lock-out too. 500: the built-in
/// Administrator account (`LA`); 512: Domain Admins (`DA`); 519: Enterprise Admins (`EA`).
pub const LOCKOUT_DOMAIN_RIDS: [u32; 3] = [500, 512, 519];

/// Whether `sid` is `S-1-5-21-<a>-<b>-<c>-<rid>` with `rid` in `rids`.
fn is_domain_rid(sid: &Sid, rids: &[u32]) -> bool {
    match sid.sub_authorities() {
        [21, _, _, _, rid] => sid.authority() == 5 && rids.contains(rid),
        _ => false,
    }
}

/// Whether a deny ACE on `sid` reaches administrators or SYSTEM.
#[must_use]
pub fn is_lockout_sid(sid: &Sid) -> bool {
    LOCKOUT_SIDS.iter().any(|w| w.matches(sid)) || is_domain_rid(sid, &LOCKOUT_DOMAIN_RIDS)
}

/// The broad principals whose write access raises a warning: groups that hold (nearly) every
/// user, every logon of a kind, every app or every machine.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BroadPrincipal {
    /// `WD`, Everyone, `S-1-1-0`.
    Everyone,
    /// `AN`, Anonymous Logon, `S-1-5-7`.
    Anonymous,
    /// `AU`, Authenticated Users, `S-1-5-11`.
    AuthenticatedUsers,
    /// `BU`, BUILTIN\Users, `S-1-5-32-545`.
    Users,
    /// `BG`, BUILTIN\Guests, `S-1-5-32-546`.
    Guests,
    /// `IU`, INTERACTIVE, `S-1-5-4`.
    Interactive,
    /// `NU`, NETWORK, `S-1-5-2`.
    Network,
    /// `S-1-5-3`, BATCH.
    Batch,
    /// `SU`, SERVICE, `S-1-5-6`.
    Service,
    /// `S-1-5-14`, REMOTE INTERACTIVE LOGON.
    RemoteInteractive,
    /// `S-1-2-0`, LOCAL.
    Local,
    /// `S-1-2-1`, CONSOLE LOGON.
    ConsoleLogon,
    /// `S-1-5-15`, This Organization.
    ThisOrganization,
    /// `S-1-5-113`, Local account.
    LocalAccount,
    /// `AC`, ALL APPLICATION PACKAGES, `S-1-15-2-1`.
    AllAppPackages,
    /// `S-1-15-2-2`, ALL RESTRICTED APPLICATION PACKAGES.
    AllRestrictedAppPackages,
    /// `DU`, Domain Users (`S-1-5-21-…-513`, any domain).
    DomainUsers,
    /// `DG`, Domain Guests (`S-1-5-21-…-514`, any domain).
    DomainGuests,
    /// `DC`, Domain Computers (`S-1-5-21-…-515`, any domain).
    DomainComputers,
    /// `LG`, the Guest account (`S-1-5-21-…-501`, any machine or domain).
    GuestAccount,
}

/// Number of [`BroadPrincipal`]s.
const BROAD_COUNT: usize = 20;

impl BroadPrincipal {
    /// All of them, in report order.
    pub const ALL: [BroadPrincipal; BROAD_COUNT] = [
        BroadPrincipal::Everyone,
        BroadPrincipal::Anonymous,
        BroadPrincipal::AuthenticatedUsers,
        BroadPrincipal::Users,
        BroadPrincipal::Guests,
        BroadPrincipal::Interactive,
        BroadPrincipal::Network,
        BroadPrincipal::Batch,
        BroadPrincipal::Service,
        BroadPrincipal::RemoteInteractive,
        BroadPrincipal::Local,
        BroadPrincipal::ConsoleLogon,
        BroadPrincipal::ThisOrganization,
        BroadPrincipal::LocalAccount,
        BroadPrincipal::AllAppPackages,
        BroadPrincipal::AllRestrictedAppPackages,
        BroadPrincipal::DomainUsers,
        BroadPrincipal::DomainGuests,
        BroadPrincipal::DomainComputers,
        BroadPrincipal::GuestAccount,
    ];

    /// The fixed SID, or the relative ID for the domain-relative ones.
    fn which(self) -> Result<(u64, &'static [u32]), u32> {
        match self {
            BroadPrincipal::Everyone => Ok((1, &[0])),
            BroadPrincipal::Anonymous => Ok((5, &[7])),
            BroadPrincipal::AuthenticatedUsers => Ok((5, &[11])),
            BroadPrincipal::Users => Ok((5, &[32, 545])),
            BroadPrincipal::Guests => Ok((5, &[32, 546])),
            BroadPrincipal::Interactive => Ok((5, &[4])),
            BroadPrincipal::Network => Ok((5, &[2])),
            BroadPrincipal::Batch => Ok((5, &[3])),
            BroadPrincipal::Service => Ok((5, &[6])),
            BroadPrincipal::RemoteInteractive => Ok((5, &[14])),
            BroadPrincipal::Local => Ok((2, &[0])),
            BroadPrincipal::ConsoleLogon => Ok((2, &[1])),
            BroadPrincipal::ThisOrganization => Ok((5, &[15])),
            BroadPrincipal::LocalAccount => Ok((5, &[113])),
            BroadPrincipal::AllAppPackages => Ok((15, &[2, 1])),
            BroadPrincipal::AllRestrictedAppPackages => Ok((15, &[2, 2])),
            BroadPrincipal::DomainUsers => Err(513),
            BroadPrincipal::DomainGuests => Err(514),
            BroadPrincipal::DomainComputers => Err(515),
            BroadPrincipal::GuestAccount => Err(501),
        }
    }

    /// The SID; `None` for the domain-relative ones (their SID depends on the domain).
    #[must_use]
    pub fn sid(self) -> Option<Sid> {
        let (authority, subs) = self.which().ok()?;
        Sid::new(authority, subs).ok()
    }

    /// Whether `sid` is this principal (in any domain, for the domain-relative ones).
    #[must_use]
    pub fn matches(self, sid: &Sid) -> bool {
        match self.which() {
            Ok((authority, subs)) => sid.authority() == authority && sid.sub_authorities() == subs,
            Err(rid) => is_domain_rid(sid, &[rid]),
        }
    }

    /// The SDDL alias, or the SID string where SDDL has none.
    #[must_use]
    pub fn alias(self) -> &'static str {
        match self {
            BroadPrincipal::Everyone => "WD",
            BroadPrincipal::Anonymous => "AN",
            BroadPrincipal::AuthenticatedUsers => "AU",
            BroadPrincipal::Users => "BU",
            BroadPrincipal::Guests => "BG",
            BroadPrincipal::Interactive => "IU",
            BroadPrincipal::Network => "NU",
            BroadPrincipal::Batch => "S-1-5-3",
            BroadPrincipal::Service => "SU",
            BroadPrincipal::RemoteInteractive => "S-1-5-14",
            BroadPrincipal::Local => "S-1-2-0",
            BroadPrincipal::ConsoleLogon => "S-1-2-1",
            BroadPrincipal::ThisOrganization => "S-1-5-15",
            BroadPrincipal::LocalAccount => "S-1-5-113",
            BroadPrincipal::AllAppPackages => "AC",
            BroadPrincipal::AllRestrictedAppPackages => "S-1-15-2-2",
            BroadPrincipal::DomainUsers => "DU",
            BroadPrincipal::DomainGuests => "DG",
            BroadPrincipal::DomainComputers => "DC",
            BroadPrincipal::GuestAccount => "LG",
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
    /// A deny ACE reaches administrators or SYSTEM: it names a SID their tokens hold
    /// ([`LOCKOUT_SIDS`], [`LOCKOUT_DOMAIN_RIDS`]), or it is a callback deny ACE.
    DenyReachesAdministrators {
        /// Zero-based index of the first such ACE.
        ace_index: u16,
    },
}

impl UnsafeReason {
    /// A short, static description (for log fields).
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            UnsafeReason::EmptyDacl => "empty DACL denies everyone, SYSTEM included",
            UnsafeReason::SystemLacksFullAccess => "SYSTEM does not keep full access",
            UnsafeReason::AdministratorsLackFullAccess => "Administrators do not keep full access",
            UnsafeReason::DenyReachesAdministrators { .. } => {
                "a deny ACE reaches administrators or SYSTEM"
            }
        }
    }
}

impl fmt::Display for UnsafeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeReason::DenyReachesAdministrators { ace_index } => {
                write!(f, "deny ACE {ace_index} reaches administrators or SYSTEM")
            }
            other => f.write_str(other.reason()),
        }
    }
}

/// A warning about a DACL that is applied anyway.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PolicyWarning {
    /// `AllowUnsafeDacl` let an unsafe DACL through.
    UnsafeDaclAllowed(UnsafeReason),
    /// A broad principal is allowed write, add or delete rights (maybe the right to change the
    /// DACL or owner: `WRITE_DAC`, `WRITE_OWNER`).
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
    /// Unsafe conditions that `AllowUnsafeDacl` let through: empty DACL, a deny ACE that
    /// reaches administrators, SYSTEM's and Administrators' missing rights.
    pub allowed_unsafe: [Option<UnsafeReason>; 4],
    /// Write-like rights granted to each [`BroadPrincipal`], in [`BroadPrincipal::ALL`] order
    /// (0 = none).
    pub broad_write: [u32; BROAD_COUNT],
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
        let broad = BroadPrincipal::ALL
            .into_iter()
            .zip(self.broad_write)
            .filter_map(|(who, rights)| {
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
            PolicyError::Unsafe(r) => {
                write!(f, "refused: {r} (set AllowUnsafeDacl to 1 to allow)")
            }
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

/// An ACE's access mask. The codec reads it for the types it supports; every ACE type MS-DTYP
/// defines (2.4.4, callback and compound types included) has its `Mask` at offset 4, so for the
/// others it is read from the bytes here (0 if the ACE is too short to have one).
fn ace_mask(ace: &secdesc::Ace<'_>) -> u32 {
    if ace.ace_type().is_supported() {
        return ace.mask().0;
    }
    match ace.as_bytes().get(4..8) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
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
    let (mut system_allow, mut admins_allow) = (0u32, 0u32);
    let mut lockout_deny = None;
    let mut seen_allow = false;
    for (index, ace) in acl.aces().enumerate() {
        let index = u16::try_from(index).unwrap_or(u16::MAX);
        let flags = ace.flags().0;
        let ace_type = ace.ace_type();
        let mask = expand_generic(ace_mask(&ace));
        let explicit = flags & AceFlags::INHERITED == 0;
        let is_deny = matches!(
            ace_type,
            AceType::AccessDenied
                | AceType::AccessDeniedObject
                | AceType::AccessDeniedCallback
                | AceType::AccessDeniedCallbackObject
        );
        if ace_type == AceType::AccessAllowed && explicit {
            seen_allow = true;
        }
        if is_deny && explicit && seen_allow && report.non_canonical_at.is_none() {
            report.non_canonical_at = Some(index);
        }
        let sid = ace.sid();
        // A deny ACE on a SID in every administrator's (or SYSTEM's) token; a callback deny
        // ACE counts as one whatever its SID (its condition may hold). Inherit-only ACEs count:
        // they reach what inherits.
        let callback = matches!(
            ace_type,
            AceType::AccessDeniedCallback | AceType::AccessDeniedCallbackObject
        );
        if is_deny
            && mask & FWPM_GENERIC_ALL != 0
            && lockout_deny.is_none()
            && (callback || sid.is_none_or(|sid| is_lockout_sid(&sid)))
        {
            lockout_deny = Some(index);
        }
        let Some(sid) = sid else { continue };
        let allows = matches!(
            ace_type,
            AceType::AccessAllowed | AceType::AccessAllowedObject
        );
        if allows {
            // Broad write access is widening wherever the ACE applies (inherit-only included).
            for (who, slot) in BroadPrincipal::ALL
                .iter()
                .zip(report.broad_write.iter_mut())
            {
                if who.matches(&sid) {
                    *slot |= mask & WRITE_LIKE;
                }
            }
        }
        // Only plain allow ACEs on the object itself count towards full access.
        if ace_type == AceType::AccessAllowed && flags & AceFlags::INHERIT_ONLY == 0 {
            if Some(sid) == system {
                system_allow |= mask;
            }
            if Some(sid) == admins {
                admins_allow |= mask;
            }
        }
    }
    let mut problems = [None; 4];
    if report.ace_count == 0 {
        problems[0] = Some(UnsafeReason::EmptyDacl);
    } else {
        problems[1] =
            lockout_deny.map(|ace_index| UnsafeReason::DenyReachesAdministrators { ace_index });
        if system_allow & FWPM_GENERIC_ALL != FWPM_GENERIC_ALL {
            problems[2] = Some(UnsafeReason::SystemLacksFullAccess);
        }
        if admins_allow & FWPM_GENERIC_ALL != FWPM_GENERIC_ALL {
            problems[3] = Some(UnsafeReason::AdministratorsLackFullAccess);
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
