//! SDDL two-letter SID aliases (Microsoft Learn "SID strings").
//!
//! The fixed aliases are built in. Domain-relative ones (`DA`, `DU`, …, forest-root `EA`, `SA`,
//! …) and machine-relative ones (`LA`, `LG`) are a base SID plus a RID: the base comes from the
//! [`SddlContext`]; without it they are an [`ErrorKind::AliasNeedsDomainSid`] naming the alias.
//! Aliases are case-insensitive, as in Windows.

use crate::error::ErrorKind;
use crate::sid::Sid;

/// The base SIDs that domain- and machine-relative aliases are resolved against.
///
/// `LA`/`LG` use the machine SID when one is given, else the domain SID; the forest-root
/// aliases (`RO`, `SA`, `EA`, `EK`) use the root-domain SID when given, else the domain SID.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SddlContext {
    domain: Option<Sid>,
    machine: Option<Sid>,
    root_domain: Option<Sid>,
}

impl SddlContext {
    /// No base SIDs: only the fixed aliases resolve.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            domain: None,
            machine: None,
            root_domain: None,
        }
    }

    /// Resolve domain-relative aliases (and, unless overridden, `LA`/`LG` and the forest-root
    /// ones) against `sid`, e.g. `S-1-5-21-2457507606-2709100691-398136650`.
    #[must_use]
    pub const fn with_domain_sid(mut self, sid: Sid) -> Self {
        self.domain = Some(sid);
        self
    }

    /// Resolve `LA`/`LG` against this machine (local account domain) SID.
    #[must_use]
    pub const fn with_machine_sid(mut self, sid: Sid) -> Self {
        self.machine = Some(sid);
        self
    }

    /// Resolve `RO`, `SA`, `EA`, `EK` against this forest-root domain SID.
    #[must_use]
    pub const fn with_root_domain_sid(mut self, sid: Sid) -> Self {
        self.root_domain = Some(sid);
        self
    }

    /// The domain SID, if given.
    #[must_use]
    pub const fn domain_sid(&self) -> Option<&Sid> {
        self.domain.as_ref()
    }

    fn base(&self, scope: Scope) -> Option<&Sid> {
        match scope {
            Scope::Domain => self.domain.as_ref(),
            Scope::Machine => self.machine.as_ref().or(self.domain.as_ref()),
            Scope::RootDomain => self.root_domain.as_ref().or(self.domain.as_ref()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Domain,
    Machine,
    RootDomain,
}

struct Fixed {
    code: [u8; 2],
    sid: Sid,
    name: &'static str,
}

const fn f(code: [u8; 2], authority: u64, subs: &[u32], name: &'static str) -> Fixed {
    Fixed {
        code,
        sid: Sid::from_table(authority, subs),
        name,
    }
}

/// Fixed aliases, in the order of the "SID strings" page table. When two aliases name one SID
/// (none do today) the first is the one [`alias_of`] returns.
static FIXED: [Fixed; 49] = [
    f(
        *b"AA",
        5,
        &[32, 579],
        "BUILTIN\\Access Control Assistance Operators",
    ),
    f(
        *b"AC",
        15,
        &[2, 1],
        "APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES",
    ),
    f(*b"AN", 5, &[7], "NT AUTHORITY\\ANONYMOUS LOGON"),
    f(*b"AO", 5, &[32, 548], "BUILTIN\\Account Operators"),
    f(
        *b"AS",
        18,
        &[1],
        "Authentication authority asserted identity",
    ),
    f(*b"AU", 5, &[11], "NT AUTHORITY\\Authenticated Users"),
    f(*b"BA", 5, &[32, 544], "BUILTIN\\Administrators"),
    f(*b"BG", 5, &[32, 546], "BUILTIN\\Guests"),
    f(*b"BO", 5, &[32, 551], "BUILTIN\\Backup Operators"),
    f(*b"BU", 5, &[32, 545], "BUILTIN\\Users"),
    f(
        *b"CD",
        5,
        &[32, 574],
        "BUILTIN\\Certificate Service DCOM Access",
    ),
    f(*b"CG", 3, &[1], "CREATOR GROUP"),
    f(*b"CO", 3, &[0], "CREATOR OWNER"),
    f(*b"CY", 5, &[32, 569], "BUILTIN\\Cryptographic Operators"),
    f(
        *b"ED",
        5,
        &[9],
        "NT AUTHORITY\\ENTERPRISE DOMAIN CONTROLLERS",
    ),
    f(*b"ER", 5, &[32, 573], "BUILTIN\\Event Log Readers"),
    f(*b"ES", 5, &[32, 576], "BUILTIN\\RDS Endpoint Servers"),
    f(*b"HA", 5, &[32, 578], "BUILTIN\\Hyper-V Administrators"),
    f(
        *b"HI",
        16,
        &[12288],
        "Mandatory Label\\High Mandatory Level",
    ),
    f(*b"IS", 5, &[32, 568], "BUILTIN\\IIS_IUSRS"),
    f(*b"IU", 5, &[4], "NT AUTHORITY\\INTERACTIVE"),
    f(*b"LS", 5, &[19], "NT AUTHORITY\\LOCAL SERVICE"),
    f(*b"LU", 5, &[32, 559], "BUILTIN\\Performance Log Users"),
    f(*b"LW", 16, &[4096], "Mandatory Label\\Low Mandatory Level"),
    f(
        *b"ME",
        16,
        &[8192],
        "Mandatory Label\\Medium Mandatory Level",
    ),
    f(
        *b"MP",
        16,
        &[8448],
        "Mandatory Label\\Medium Plus Mandatory Level",
    ),
    f(*b"MS", 5, &[32, 577], "BUILTIN\\RDS Management Servers"),
    f(*b"MU", 5, &[32, 558], "BUILTIN\\Performance Monitor Users"),
    f(
        *b"NO",
        5,
        &[32, 556],
        "BUILTIN\\Network Configuration Operators",
    ),
    f(*b"NS", 5, &[20], "NT AUTHORITY\\NETWORK SERVICE"),
    f(*b"NU", 5, &[2], "NT AUTHORITY\\NETWORK"),
    f(*b"OW", 3, &[4], "OWNER RIGHTS"),
    f(*b"PO", 5, &[32, 550], "BUILTIN\\Print Operators"),
    f(*b"PS", 5, &[10], "NT AUTHORITY\\SELF"),
    f(*b"PU", 5, &[32, 547], "BUILTIN\\Power Users"),
    f(*b"RA", 5, &[32, 575], "BUILTIN\\RDS Remote Access Servers"),
    f(*b"RC", 5, &[12], "NT AUTHORITY\\RESTRICTED"),
    f(*b"RD", 5, &[32, 555], "BUILTIN\\Remote Desktop Users"),
    f(*b"RE", 5, &[32, 552], "BUILTIN\\Replicator"),
    f(*b"RM", 5, &[32, 580], "BUILTIN\\Remote Management Users"),
    f(
        *b"RU",
        5,
        &[32, 554],
        "BUILTIN\\Pre-Windows 2000 Compatible Access",
    ),
    f(
        *b"SI",
        16,
        &[16384],
        "Mandatory Label\\System Mandatory Level",
    ),
    f(*b"SO", 5, &[32, 549], "BUILTIN\\Server Operators"),
    f(*b"SS", 18, &[2], "Service asserted identity"),
    f(*b"SU", 5, &[6], "NT AUTHORITY\\SERVICE"),
    f(*b"SY", 5, &[18], "NT AUTHORITY\\SYSTEM"),
    f(
        *b"UD",
        5,
        &[84, 0, 0, 0, 0, 0],
        "NT AUTHORITY\\USER MODE DRIVERS",
    ),
    f(*b"WD", 1, &[0], "Everyone"),
    f(*b"WR", 5, &[33], "NT AUTHORITY\\WRITE RESTRICTED"),
];

/// Relative aliases: code, RID, base.
static RELATIVE: [([u8; 2], u32, Scope); 17] = [
    (*b"LA", 500, Scope::Machine),
    (*b"LG", 501, Scope::Machine),
    (*b"RO", 498, Scope::RootDomain),
    (*b"DA", 512, Scope::Domain),
    (*b"DU", 513, Scope::Domain),
    (*b"DG", 514, Scope::Domain),
    (*b"DC", 515, Scope::Domain),
    (*b"DD", 516, Scope::Domain),
    (*b"CA", 517, Scope::Domain),
    (*b"SA", 518, Scope::RootDomain),
    (*b"EA", 519, Scope::RootDomain),
    (*b"PA", 520, Scope::Domain),
    (*b"CN", 522, Scope::Domain),
    (*b"AP", 525, Scope::Domain),
    (*b"KA", 526, Scope::Domain),
    (*b"EK", 527, Scope::RootDomain),
    (*b"RS", 553, Scope::Domain),
];

/// Resolves a two-letter alias (any case) to its SID.
pub fn resolve(alias: &str, ctx: &SddlContext) -> Result<Sid, ErrorKind> {
    match alias.as_bytes() {
        &[a, b] => resolve_pair([a, b], ctx),
        _ => Err(ErrorKind::Expected(crate::error::Expected::SidOrAlias)),
    }
}

/// [`resolve`] over two raw bytes; the unknown-alias error keeps them as written.
pub(crate) fn resolve_pair(code: [u8; 2], ctx: &SddlContext) -> Result<Sid, ErrorKind> {
    let upper = code.map(|b| b.to_ascii_uppercase());
    if let Some(&(_, rid, scope)) = RELATIVE.iter().find(|(c, _, _)| *c == upper) {
        return ctx
            .base(scope)
            .ok_or(ErrorKind::AliasNeedsDomainSid { alias: upper })?
            .with_rid(rid)
            .map_err(|e| e.kind);
    }
    FIXED
        .iter()
        .find(|e| e.code == upper)
        .map(|e| e.sid)
        .ok_or(ErrorKind::UnknownAlias { alias: code })
}

/// Bit `n` is set when some fixed alias has `n` sub-authorities (1, 2 and 6 today), so
/// [`alias_of`] skips the table for every other SID, e.g. account SIDs of a domain.
const FIXED_COUNTS: u16 = {
    let mut bits = 0u16;
    let mut i = 0;
    while i < FIXED.len() {
        // Compile-time loop: an index out of range fails the build; counts are at most 15.
        #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
        {
            bits |= 1 << FIXED[i].sid.sub_authority_count();
            i += 1;
        }
    }
    bits
};

/// The smallest and largest RID of the relative aliases (498 and 553 today), so [`alias_of`]
/// skips the table for every other RID, e.g. user accounts (1000 and up).
const RELATIVE_RIDS: (u32, u32) = {
    let (mut min, mut max) = (u32::MAX, 0);
    let mut i = 0;
    while i < RELATIVE.len() {
        // Compile-time loop: an index out of range or an overflow fails the build.
        #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
        {
            let rid = RELATIVE[i].1;
            if rid < min {
                min = rid;
            }
            if rid > max {
                max = rid;
            }
            i += 1;
        }
    }
    (min, max)
};

/// The alias Windows writes for `sid` in SDDL, if it has one.
#[must_use]
pub fn alias_of(sid: &Sid, ctx: &SddlContext) -> Option<&'static str> {
    let count = sid.sub_authority_count();
    if FIXED_COUNTS >> count & 1 == 1
        && let Some(e) = FIXED.iter().find(|e| e.sid == *sid)
    {
        return core::str::from_utf8(&e.code).ok();
    }
    let rid = sid.rid();
    if !(RELATIVE_RIDS.0..=RELATIVE_RIDS.1).contains(&rid) {
        return None;
    }
    RELATIVE.iter().find_map(|(code, r, scope)| {
        let base = ctx.base(*scope)?;
        (rid == *r && sid.is_rid_of(base)).then(|| core::str::from_utf8(code).ok())?
    })
}

/// The account name Windows shows for a well-known SID (`NT AUTHORITY\SYSTEM`, …).
#[must_use]
pub fn display_name(sid: &Sid) -> Option<&'static str> {
    FIXED.iter().find(|e| e.sid == *sid).map(|e| e.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sid(s: &str) -> Sid {
        Sid::parse(s).unwrap()
    }

    #[test]
    fn fixed_table_matches_platform_facts() {
        // Microsoft Learn "SID strings": 49 fixed aliases.
        let expect = [
            ("WD", "S-1-1-0"),
            ("CO", "S-1-3-0"),
            ("CG", "S-1-3-1"),
            ("OW", "S-1-3-4"),
            ("NU", "S-1-5-2"),
            ("IU", "S-1-5-4"),
            ("SU", "S-1-5-6"),
            ("AN", "S-1-5-7"),
            ("ED", "S-1-5-9"),
            ("PS", "S-1-5-10"),
            ("AU", "S-1-5-11"),
            ("RC", "S-1-5-12"),
            ("SY", "S-1-5-18"),
            ("LS", "S-1-5-19"),
            ("NS", "S-1-5-20"),
            ("WR", "S-1-5-33"),
            ("BA", "S-1-5-32-544"),
            ("BU", "S-1-5-32-545"),
            ("BG", "S-1-5-32-546"),
            ("PU", "S-1-5-32-547"),
            ("AO", "S-1-5-32-548"),
            ("SO", "S-1-5-32-549"),
            ("PO", "S-1-5-32-550"),
            ("BO", "S-1-5-32-551"),
            ("RE", "S-1-5-32-552"),
            ("RU", "S-1-5-32-554"),
            ("RD", "S-1-5-32-555"),
            ("NO", "S-1-5-32-556"),
            ("MU", "S-1-5-32-558"),
            ("LU", "S-1-5-32-559"),
            ("IS", "S-1-5-32-568"),
            ("CY", "S-1-5-32-569"),
            ("ER", "S-1-5-32-573"),
            ("CD", "S-1-5-32-574"),
            ("RA", "S-1-5-32-575"),
            ("ES", "S-1-5-32-576"),
            ("MS", "S-1-5-32-577"),
            ("HA", "S-1-5-32-578"),
            ("AA", "S-1-5-32-579"),
            ("RM", "S-1-5-32-580"),
            ("UD", "S-1-5-84-0-0-0-0-0"),
            ("AC", "S-1-15-2-1"),
            ("LW", "S-1-16-4096"),
            ("ME", "S-1-16-8192"),
            ("MP", "S-1-16-8448"),
            ("HI", "S-1-16-12288"),
            ("SI", "S-1-16-16384"),
            ("AS", "S-1-18-1"),
            ("SS", "S-1-18-2"),
        ];
        assert_eq!(expect.len(), FIXED.len());
        let ctx = SddlContext::new();
        for (code, text) in expect {
            assert_eq!(resolve(code, &ctx), Ok(sid(text)), "{code}");
            assert_eq!(alias_of(&sid(text), &ctx), Some(code), "{code}");
            assert!(display_name(&sid(text)).is_some(), "{code}");
        }
        // Table construction never truncated anything: each entry round-trips its text.
        for e in &FIXED {
            assert!(!e.sid.sub_authorities().is_empty());
        }
    }

    #[test]
    fn case_insensitive_and_unknown() {
        let ctx = SddlContext::new();
        assert_eq!(resolve("sy", &ctx), Ok(sid("S-1-5-18")));
        assert_eq!(resolve("bA", &ctx), Ok(sid("S-1-5-32-544")));
        assert_eq!(
            resolve("XZ", &ctx),
            Err(ErrorKind::UnknownAlias { alias: *b"XZ" })
        );
        assert!(resolve("S", &ctx).is_err());
    }

    #[test]
    fn relative_aliases() {
        let none = SddlContext::new();
        assert_eq!(
            resolve("la", &none),
            Err(ErrorKind::AliasNeedsDomainSid { alias: *b"LA" })
        );
        assert_eq!(
            resolve("DA", &none),
            Err(ErrorKind::AliasNeedsDomainSid { alias: *b"DA" })
        );
        let dom = sid("S-1-5-21-2457507606-2709100691-398136650");
        let ctx = SddlContext::new().with_domain_sid(dom);
        assert_eq!(
            resolve("LA", &ctx),
            Ok(sid("S-1-5-21-2457507606-2709100691-398136650-500"))
        );
        assert_eq!(
            resolve("lg", &ctx),
            Ok(sid("S-1-5-21-2457507606-2709100691-398136650-501"))
        );
        assert_eq!(
            resolve("EA", &ctx),
            Ok(sid("S-1-5-21-2457507606-2709100691-398136650-519"))
        );
        assert_eq!(
            resolve("RS", &ctx),
            Ok(sid("S-1-5-21-2457507606-2709100691-398136650-553"))
        );
        assert_eq!(
            alias_of(&sid("S-1-5-21-2457507606-2709100691-398136650-512"), &ctx),
            Some("DA")
        );
        assert_eq!(
            alias_of(&sid("S-1-5-21-2457507606-2709100691-398136650-1000"), &ctx),
            None
        );
        let machine = sid("S-1-5-21-1-2-3");
        let ctx = ctx
            .with_machine_sid(machine)
            .with_root_domain_sid(sid("S-1-5-21-7-8-9"));
        assert_eq!(resolve("LA", &ctx), Ok(sid("S-1-5-21-1-2-3-500")));
        assert_eq!(resolve("EA", &ctx), Ok(sid("S-1-5-21-7-8-9-519")));
        assert_eq!(
            resolve("DU", &ctx),
            Ok(sid("S-1-5-21-2457507606-2709100691-398136650-513"))
        );
        assert_eq!(display_name(&sid("S-1-5-18")), Some("NT AUTHORITY\\SYSTEM"));
    }
}
