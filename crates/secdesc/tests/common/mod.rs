//! Generators shared by `differential_samba.rs` and `properties.rs`.
//!
//! A generated [`GenSd`] is a plain model of a security descriptor: numeric SIDs, ACE types,
//! flags, masks and GUIDs, *together with* one SDDL spelling of each part (aliases or `S-1-…`,
//! rights as hex or as tokens, flags in any order, sections in any order). The SDDL text is
//! written here, from the model, without the codec's formatter, so the differential test compares
//! two independent parsers (connsec's and Samba's) on the same text, and the property tests can
//! compare the codec's view of its own bytes with the model.
//!
//! Everything generated is valid for both Windows' grammar and Samba 4.22's, as checked by hand
//! against Samba (shared/docs/platform-facts.md §4.3–4.5, §4.8):
//! * rights tokens: only those Samba 4.22 knows (no `KA`/`KR`/`KW`/`KX`, `MA`, `AS`);
//! * aliases: upper case only (Samba rejects `sy`, Windows accepts it);
//! * SIDs: revision 1, 1–15 sub-authorities, decimal authority below 2³², `0x` + 12 hex digits
//!   from 2³² up (the strict MS-DTYP grammar; Samba also accepts looser forms we do not emit);
//! * no `D:NO_ACCESS_CONTROL` (Samba rejects it), no conditional or callback ACEs.

// Each test binary uses a different part of this module.
#![allow(dead_code, unreachable_pub)]

use core::fmt::Write as _;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

/// The domain SID the domain-relative aliases (`LA`, `DA`, `EK`, …) resolve against, as text.
pub const DOMAIN_SID_TEXT: &str = "S-1-5-21-3623811015-3361044348-30300820";
/// The same SID's identifier authority.
pub const DOMAIN_AUTHORITY: u64 = 5;
/// The same SID's sub-authorities.
pub const DOMAIN_SUBS: [u32; 4] = [21, 3_623_811_015, 3_361_044_348, 30_300_820];

/// Fixed SDDL aliases and their SIDs (`sid-strings`; Samba `sddl.c` agrees on all of them).
pub const WELL_KNOWN: &[(&str, u64, &[u32])] = &[
    ("WD", 1, &[0]),
    ("CO", 3, &[0]),
    ("CG", 3, &[1]),
    ("OW", 3, &[4]),
    ("NU", 5, &[2]),
    ("IU", 5, &[4]),
    ("SU", 5, &[6]),
    ("AN", 5, &[7]),
    ("ED", 5, &[9]),
    ("PS", 5, &[10]),
    ("AU", 5, &[11]),
    ("RC", 5, &[12]),
    ("SY", 5, &[18]),
    ("LS", 5, &[19]),
    ("NS", 5, &[20]),
    ("WR", 5, &[33]),
    ("BA", 5, &[32, 544]),
    ("BU", 5, &[32, 545]),
    ("BG", 5, &[32, 546]),
    ("PU", 5, &[32, 547]),
    ("AO", 5, &[32, 548]),
    ("SO", 5, &[32, 549]),
    ("PO", 5, &[32, 550]),
    ("BO", 5, &[32, 551]),
    ("RE", 5, &[32, 552]),
    ("RU", 5, &[32, 554]),
    ("RD", 5, &[32, 555]),
    ("NO", 5, &[32, 556]),
    ("MU", 5, &[32, 558]),
    ("LU", 5, &[32, 559]),
    ("IS", 5, &[32, 568]),
    ("CY", 5, &[32, 569]),
    ("ER", 5, &[32, 573]),
    ("CD", 5, &[32, 574]),
    ("RA", 5, &[32, 575]),
    ("ES", 5, &[32, 576]),
    ("MS", 5, &[32, 577]),
    ("HA", 5, &[32, 578]),
    ("AA", 5, &[32, 579]),
    ("RM", 5, &[32, 580]),
    ("UD", 5, &[84, 0, 0, 0, 0, 0]),
    ("AC", 15, &[2, 1]),
    ("LW", 16, &[4096]),
    ("ME", 16, &[8192]),
    ("MP", 16, &[8448]),
    ("HI", 16, &[12288]),
    ("SI", 16, &[16384]),
    ("AS", 18, &[1]),
    ("SS", 18, &[2]),
];

/// Domain-relative aliases and their RIDs (all resolved against [`DOMAIN_SID_TEXT`]).
pub const DOMAIN_RELATIVE: &[(&str, u32)] = &[
    ("LA", 500),
    ("LG", 501),
    ("DA", 512),
    ("DU", 513),
    ("DG", 514),
    ("DC", 515),
    ("DD", 516),
    ("CA", 517),
    ("PA", 520),
    ("CN", 522),
    ("AP", 525),
    ("KA", 526),
    ("RS", 553),
    ("RO", 498),
    ("SA", 518),
    ("EA", 519),
    ("EK", 527),
];

/// Rights tokens understood by both Windows and Samba 4.22, with their masks.
pub const RIGHTS: &[(&str, u32)] = &[
    ("GA", 0x1000_0000),
    ("GR", 0x8000_0000),
    ("GW", 0x4000_0000),
    ("GX", 0x2000_0000),
    ("RC", 0x0002_0000),
    ("SD", 0x0001_0000),
    ("WD", 0x0004_0000),
    ("WO", 0x0008_0000),
    ("FA", 0x001F_01FF),
    ("FR", 0x0012_0089),
    ("FW", 0x0012_0116),
    ("FX", 0x0012_00A0),
    ("CC", 0x0000_0001),
    ("DC", 0x0000_0002),
    ("LC", 0x0000_0004),
    ("SW", 0x0000_0008),
    ("RP", 0x0000_0010),
    ("WP", 0x0000_0020),
    ("DT", 0x0000_0040),
    ("LO", 0x0000_0080),
    ("CR", 0x0000_0100),
];

/// ACE flag tokens and their bits (MS-DTYP 2.4.4.1).
pub const ACE_FLAGS: &[(&str, u8)] = &[
    ("OI", 0x01),
    ("CI", 0x02),
    ("NP", 0x04),
    ("IO", 0x08),
    ("ID", 0x10),
    ("SA", 0x40),
    ("FA", 0x80),
];

/// ACE types generated for a DACL: (token, type byte, is an object ACE).
pub const DACL_ACE_TYPES: &[(&str, u8, bool)] = &[
    ("A", 0x00, false),
    ("D", 0x01, false),
    ("OA", 0x05, true),
    ("OD", 0x06, true),
];
/// ACE types generated for a SACL.
pub const SACL_ACE_TYPES: &[(&str, u8, bool)] = &[
    ("AU", 0x02, false),
    ("OU", 0x07, true),
    ("AL", 0x03, false),
    ("OL", 0x08, true),
];

/// `SE_SELF_RELATIVE`, always set in what both encoders write.
pub const SE_SELF_RELATIVE: u16 = 0x8000;
/// `SE_DACL_PRESENT`.
pub const SE_DACL_PRESENT: u16 = 0x0004;
/// `SE_SACL_PRESENT`.
pub const SE_SACL_PRESENT: u16 = 0x0010;

/// A SID: its value and how the SDDL text spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenSid {
    /// Identifier authority (48 bits).
    pub authority: u64,
    /// 1 to 15 sub-authorities.
    pub subs: Vec<u32>,
    /// The spelling used in the SDDL text (alias or `S-1-…`).
    pub text: String,
}

/// A GUID in the binary layout's field order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenGuid {
    /// `Data1`.
    pub d1: u32,
    /// `Data2`.
    pub d2: u16,
    /// `Data3`.
    pub d3: u16,
    /// `Data4`.
    pub d4: [u8; 8],
    /// Write the hex digits in upper case.
    pub upper: bool,
}

impl GenGuid {
    /// The 16 bytes as Windows stores them (first three fields little-endian).
    pub fn bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&self.d1.to_le_bytes());
        b[4..6].copy_from_slice(&self.d2.to_le_bytes());
        b[6..8].copy_from_slice(&self.d3.to_le_bytes());
        b[8..].copy_from_slice(&self.d4);
        b
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    pub fn text(&self) -> String {
        let d = &self.d4;
        let s = format!(
            "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            self.d1, self.d2, self.d3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
        );
        if self.upper { s.to_uppercase() } else { s }
    }
}

/// One ACE: its value and its SDDL spelling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenAce {
    /// The ACE type byte.
    pub ace_type: u8,
    /// Whether the type is an object ACE (has the object-flags word).
    pub is_object: bool,
    /// The ACE flags byte.
    pub flags: u8,
    /// The access mask.
    pub mask: u32,
    /// Object type GUID (object ACEs only).
    pub object_type: Option<GenGuid>,
    /// Inherited object type GUID (object ACEs only).
    pub inherited_object_type: Option<GenGuid>,
    /// The trustee.
    pub sid: GenSid,
    /// `(type;flags;rights;guid;guid;sid)`.
    pub text: String,
}

/// One ACL (DACL or SACL): its control flags, its ACEs and its flags' spelling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenAcl {
    /// `P`: protected.
    pub protected: bool,
    /// `AR`: auto-inherit required.
    pub auto_inherit_req: bool,
    /// `AI`: auto-inherited.
    pub auto_inherited: bool,
    /// The flags as written after `D:`/`S:` (`P`, `AR`, `AI` in some order).
    pub flags_text: String,
    /// The ACEs in order.
    pub aces: Vec<GenAce>,
}

impl GenAcl {
    /// Whether an object ACE forces ACL revision 4.
    pub fn revision(&self) -> u8 {
        if self.aces.iter().any(|a| a.is_object) {
            4
        } else {
            2
        }
    }
}

/// A whole descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenSd {
    /// `O:`.
    pub owner: Option<GenSid>,
    /// `G:`.
    pub group: Option<GenSid>,
    /// `D:`.
    pub dacl: Option<GenAcl>,
    /// `S:`.
    pub sacl: Option<GenAcl>,
    /// Order in which the present sections are written: a permutation of `"OGDS"`.
    pub order: Vec<char>,
}

impl GenSd {
    /// The control word both encoders must write.
    pub fn control(&self) -> u16 {
        let mut c = SE_SELF_RELATIVE;
        if let Some(d) = &self.dacl {
            c |= SE_DACL_PRESENT;
            c |= if d.protected { 0x1000 } else { 0 };
            c |= if d.auto_inherit_req { 0x0100 } else { 0 };
            c |= if d.auto_inherited { 0x0400 } else { 0 };
        }
        if let Some(s) = &self.sacl {
            c |= SE_SACL_PRESENT;
            c |= if s.protected { 0x2000 } else { 0 };
            c |= if s.auto_inherit_req { 0x0200 } else { 0 };
            c |= if s.auto_inherited { 0x0800 } else { 0 };
        }
        c
    }

    /// The SDDL text, written from the model (independent of the codec's formatter).
    pub fn sddl(&self) -> String {
        let mut out = String::new();
        for section in &self.order {
            match section {
                'O' => {
                    if let Some(s) = &self.owner {
                        out.push_str("O:");
                        out.push_str(&s.text);
                    }
                }
                'G' => {
                    if let Some(s) = &self.group {
                        out.push_str("G:");
                        out.push_str(&s.text);
                    }
                }
                'D' => push_acl(&mut out, "D:", self.dacl.as_ref()),
                'S' => push_acl(&mut out, "S:", self.sacl.as_ref()),
                _ => {}
            }
        }
        out
    }
}

fn push_acl(out: &mut String, prefix: &str, acl: Option<&GenAcl>) {
    if let Some(acl) = acl {
        out.push_str(prefix);
        out.push_str(&acl.flags_text);
        for ace in &acl.aces {
            out.push_str(&ace.text);
        }
    }
}

/// Formats a SID in the strict MS-DTYP grammar: decimal authority below 2³², else `0x` and
/// exactly 12 hex digits (upper- or lower-case digits as asked).
pub fn sid_text(authority: u64, subs: &[u32], upper_hex: bool) -> String {
    let mut s = String::from("S-1-");
    if authority < (1 << 32) {
        let _ = write!(s, "{authority}");
    } else if upper_hex {
        let _ = write!(s, "0x{authority:012X}");
    } else {
        let _ = write!(s, "0x{authority:012x}");
    }
    for sub in subs {
        let _ = write!(s, "-{sub}");
    }
    s
}

/// Any SID the generators produce: aliases, domain aliases, `S-1-5-21-…` and arbitrary
/// authorities (including ≥ 2³² in hex form).
pub fn sid() -> impl Strategy<Value = GenSid> {
    let well_known = select(WELL_KNOWN).prop_map(|(alias, auth, subs)| GenSid {
        authority: auth,
        subs: subs.to_vec(),
        text: alias.to_owned(),
    });
    let domain_alias = select(DOMAIN_RELATIVE).prop_map(|(alias, rid)| {
        let mut subs = DOMAIN_SUBS.to_vec();
        subs.push(rid);
        GenSid {
            authority: DOMAIN_AUTHORITY,
            subs,
            text: alias.to_owned(),
        }
    });
    let domain_account = (any::<[u32; 3]>(), any::<u32>()).prop_map(|(dom, rid)| {
        let subs = vec![21, dom[0], dom[1], dom[2], rid];
        GenSid {
            text: sid_text(5, &subs, false),
            authority: 5,
            subs,
        }
    });
    let small_authority = prop_oneof![0u64..=18, Just(5u64)];
    // The edges of the grammar: largest decimal, smallest and largest hex authority.
    let edge_authority = select(&[(1u64 << 32) - 1, 1 << 32, (1 << 48) - 1][..]);
    let authority = prop_oneof![
        4 => small_authority,
        2 => 0u64..(1 << 32),
        2 => (1u64 << 32)..(1 << 48),
        1 => edge_authority,
    ];
    let sub_authority = prop_oneof![8 => any::<u32>(), 1 => Just(0u32), 1 => Just(u32::MAX)];
    let generic = (
        authority,
        prop::collection::vec(sub_authority, 1..=15),
        any::<bool>(),
    )
        .prop_map(|(authority, subs, upper)| GenSid {
            text: sid_text(authority, &subs, upper),
            authority,
            subs,
        });
    prop_oneof![4 => well_known, 2 => domain_alias, 2 => domain_account, 2 => generic]
}

/// A GUID with random fields and letter case.
pub fn guid() -> impl Strategy<Value = GenGuid> {
    (
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
        any::<[u8; 8]>(),
        any::<bool>(),
    )
        .prop_map(|(d1, d2, d3, d4, upper)| GenGuid {
            d1,
            d2,
            d3,
            d4,
            upper,
        })
}

/// An access mask and its spelling: hex (either digit case, maybe zero-padded), rights
/// tokens, or empty (0).
pub fn mask() -> impl Strategy<Value = (u32, String)> {
    let any_mask = prop_oneof![
        any::<u32>(),
        0u32..0x200,
        Just(0x001F_01FF),
        Just(0x0012_0089),
        Just(u32::MAX),
    ];
    // Lower- or upper-case digits, optionally zero-padded to 8 digits.
    let hex = (any_mask, any::<bool>(), any::<bool>()).prop_map(|(m, upper, padded)| {
        let text = match (upper, padded) {
            (false, false) => format!("0x{m:x}"),
            (true, false) => format!("0x{m:X}"),
            (false, true) => format!("0x{m:08x}"),
            (true, true) => format!("0x{m:08X}"),
        };
        (m, text)
    });
    let tokens = subsequence(RIGHTS, 1..=4)
        .prop_shuffle()
        .prop_map(|picked| {
            let mask = picked.iter().fold(0u32, |m, (_, v)| m | v);
            let text: String = picked.iter().map(|(t, _)| *t).collect();
            (mask, text)
        });
    prop_oneof![4 => hex, 5 => tokens, 1 => Just((0, String::new()))]
}

/// ACE flags and their spelling, tokens in any order.
pub fn ace_flags() -> impl Strategy<Value = (u8, String)> {
    subsequence(ACE_FLAGS, 0..=ACE_FLAGS.len())
        .prop_shuffle()
        .prop_map(|picked| {
            let bits = picked.iter().fold(0u8, |f, (_, v)| f | v);
            let text: String = picked.iter().map(|(t, _)| *t).collect();
            (bits, text)
        })
}

/// One ACE whose type is drawn from `types`.
pub fn ace(types: &'static [(&'static str, u8, bool)]) -> impl Strategy<Value = GenAce> {
    (
        select(types),
        ace_flags(),
        mask(),
        prop::option::of(guid()),
        prop::option::of(guid()),
        sid(),
    )
        .prop_map(
            |((token, ace_type, is_object), (flags, flags_text), (mask, mask_text), o, i, sid)| {
                let (object_type, inherited_object_type) =
                    if is_object { (o, i) } else { (None, None) };
                let g = |g: Option<GenGuid>| g.map(|g| g.text()).unwrap_or_default();
                let text = format!(
                    "({token};{flags_text};{mask_text};{};{};{})",
                    g(object_type),
                    g(inherited_object_type),
                    sid.text
                );
                GenAce {
                    ace_type,
                    is_object,
                    flags,
                    mask,
                    object_type,
                    inherited_object_type,
                    sid,
                    text,
                }
            },
        )
}

/// An ACL of up to `max_aces` ACEs of `types`, with `P`/`AR`/`AI` in any order.
pub fn acl(
    types: &'static [(&'static str, u8, bool)],
    max_aces: usize,
) -> impl Strategy<Value = GenAcl> {
    let flags = subsequence(&[("P", 0u8), ("AR", 1), ("AI", 2)][..], 0..=3).prop_shuffle();
    (flags, prop::collection::vec(ace(types), 0..=max_aces)).prop_map(|(flags, aces)| {
        let has = |bit: u8| flags.iter().any(|(_, b)| *b == bit);
        GenAcl {
            protected: has(0),
            auto_inherit_req: has(1),
            auto_inherited: has(2),
            flags_text: flags.iter().map(|(t, _)| *t).collect(),
            aces,
        }
    })
}

/// A whole descriptor: every part optional, sections in any order.
pub fn descriptor() -> impl Strategy<Value = GenSd> {
    (
        prop::option::weighted(0.7, sid()),
        prop::option::weighted(0.7, sid()),
        prop::option::weighted(0.85, acl(DACL_ACE_TYPES, 8)),
        prop::option::weighted(0.35, acl(SACL_ACE_TYPES, 4)),
        Just(vec!['O', 'G', 'D', 'S']).prop_shuffle(),
    )
        .prop_map(|(owner, group, dacl, sacl, order)| GenSd {
            owner,
            group,
            dacl,
            sacl,
            order,
        })
}

/// Appends a binary SID (MS-DTYP 2.4.2.2): revision 1, count, 6-byte big-endian authority,
/// little-endian sub-authorities.
pub fn push_sid(out: &mut Vec<u8>, sid: &GenSid) {
    out.push(1);
    out.push(u8::try_from(sid.subs.len()).expect("at most 15 sub-authorities"));
    out.extend_from_slice(&sid.authority.to_be_bytes()[2..]);
    for sub in &sid.subs {
        out.extend_from_slice(&sub.to_le_bytes());
    }
}

/// Appends one ACE (MS-DTYP 2.4.4): header, mask, object flags and GUIDs for object ACEs, SID.
pub fn push_ace(out: &mut Vec<u8>, ace: &GenAce) {
    let start = out.len();
    out.extend_from_slice(&[ace.ace_type, ace.flags, 0, 0]);
    out.extend_from_slice(&ace.mask.to_le_bytes());
    if ace.is_object {
        let flags = u32::from(ace.object_type.is_some())
            | (u32::from(ace.inherited_object_type.is_some()) << 1);
        out.extend_from_slice(&flags.to_le_bytes());
        for g in [ace.object_type, ace.inherited_object_type]
            .into_iter()
            .flatten()
        {
            out.extend_from_slice(&g.bytes());
        }
    }
    push_sid(out, &ace.sid);
    let size = u16::try_from(out.len() - start).expect("ACE fits in u16");
    out[start + 2..start + 4].copy_from_slice(&size.to_le_bytes());
}

/// Appends one ACL (MS-DTYP 2.4.5): revision 2, or 4 with an object ACE; no slack.
pub fn push_acl_bytes(out: &mut Vec<u8>, acl: &GenAcl) {
    let start = out.len();
    let count = u16::try_from(acl.aces.len()).expect("ACE count fits in u16");
    out.extend_from_slice(&[acl.revision(), 0, 0, 0]);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    for ace in &acl.aces {
        push_ace(out, ace);
    }
    let size = u16::try_from(out.len() - start).expect("ACL fits in u16");
    out[start + 2..start + 4].copy_from_slice(&size.to_le_bytes());
}

/// The reference bytes for a descriptor, as Windows lays it out: 20-byte header, then SACL,
/// DACL, owner, group packed from offset 20; absent parts have offset 0.
///
/// This is the test's own model of the format (a few lines, straight from MS-DTYP and
/// platform-facts §4.1–4.2), a third opinion beside the codec and Samba.
pub fn expected_bytes(sd: &GenSd) -> Vec<u8> {
    let mut body = Vec::new();
    let offset = |present: bool, body: &Vec<u8>| -> u32 {
        if present {
            u32::try_from(20 + body.len()).expect("offset fits in u32")
        } else {
            0
        }
    };
    let sacl_at = offset(sd.sacl.is_some(), &body);
    if let Some(s) = &sd.sacl {
        push_acl_bytes(&mut body, s);
    }
    let dacl_at = offset(sd.dacl.is_some(), &body);
    if let Some(d) = &sd.dacl {
        push_acl_bytes(&mut body, d);
    }
    let owner_at = offset(sd.owner.is_some(), &body);
    if let Some(o) = &sd.owner {
        push_sid(&mut body, o);
    }
    let group_at = offset(sd.group.is_some(), &body);
    if let Some(g) = &sd.group {
        push_sid(&mut body, g);
    }
    let mut out = vec![1, 0];
    out.extend_from_slice(&sd.control().to_le_bytes());
    for off in [owner_at, group_at, sacl_at, dacl_at] {
        out.extend_from_slice(&off.to_le_bytes());
    }
    out.extend_from_slice(&body);
    out
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    faster_hex::hex_string(bytes)
}

/// Re-cases every two-letter token in a SID position: after `O:`/`G:`, or after a `;` and
/// followed by `)` (an owner or group alias may also be followed by a section tag or the end).
/// Windows and the codec take aliases in any case, Samba only in upper case.
pub fn alias_case(text: &str, upper: bool) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    for i in 1..b.len() {
        let starts =
            (b[i - 1] == b':' && i >= 2 && matches!(b[i - 2], b'O' | b'G')) || b[i - 1] == b';';
        let two = i + 2 <= b.len() && b[i].is_ascii_alphabetic() && b[i + 1].is_ascii_alphabetic();
        let ends = b
            .get(i + 2)
            .is_none_or(|&c| c == b')' || b.get(i + 3) == Some(&b':'));
        if starts && two && ends {
            for c in &mut out[i..i + 2] {
                *c = if upper {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
            }
        }
    }
    String::from_utf8(out).expect("ASCII")
}

/// A 32-bit number biased towards the edges of decimal parsing: digit-count boundaries and
/// the largest values.
pub fn edgy_u32() -> impl Strategy<Value = u32> {
    const EDGES: &[u32] = &[
        0,
        1,
        9,
        10,
        99,
        100,
        65_535,
        65_536,
        99_999_999,
        100_000_000,
        999_999_999,
        1_000_000_000,
        2_147_483_648,
        4_294_967_294,
        4_294_967_295,
    ];
    prop_oneof![2 => any::<u32>(), 1 => select(EDGES)]
}

/// A DACL in the shape the codec's fast path reads: `(A;;…)`/`(D;;…)` without flags or GUIDs,
/// rights as `0x…` or tokens, `S-1-…` SIDs with a decimal authority and numbers near the
/// edges of decimal parsing; `P`/`AR`/`AI` flags in any order, up to `max_aces` ACEs.
pub fn fast_path_dacl(max_aces: usize) -> impl Strategy<Value = GenSd> {
    let authority = prop_oneof![3 => Just(5u64), 1 => edgy_u32().prop_map(u64::from)];
    let sid = prop_oneof![
        // Account-domain SIDs, the most common shape.
        3 => (edgy_u32(), edgy_u32(), edgy_u32(), edgy_u32()).prop_map(|(a, b, c, rid)| {
            let subs = vec![21, a, b, c, rid];
            GenSid { text: sid_text(5, &subs, false), authority: 5, subs }
        }),
        2 => (authority, prop::collection::vec(edgy_u32(), 1..=15)).prop_map(|(authority, subs)| {
            GenSid { text: sid_text(authority, &subs, false), authority, subs }
        }),
    ];
    let ace = (select(&[("A", 0u8), ("D", 1)][..]), mask(), sid).prop_map(
        |((token, ace_type), (mask, mask_text), sid)| GenAce {
            ace_type,
            is_object: false,
            flags: 0,
            mask,
            object_type: None,
            inherited_object_type: None,
            text: format!("({token};;{mask_text};;;{})", sid.text),
            sid,
        },
    );
    let flags = subsequence(&[("P", 0u8), ("AR", 1), ("AI", 2)][..], 0..=3).prop_shuffle();
    (flags, prop::collection::vec(ace, 1..=max_aces)).prop_map(|(flags, aces)| {
        let has = |bit: u8| flags.iter().any(|(_, b)| *b == bit);
        GenSd {
            owner: None,
            group: None,
            dacl: Some(GenAcl {
                protected: has(0),
                auto_inherit_req: has(1),
                auto_inherited: has(2),
                flags_text: flags.iter().map(|(t, _)| *t).collect(),
                aces,
            }),
            sacl: None,
            order: vec!['D'],
        }
    })
}
