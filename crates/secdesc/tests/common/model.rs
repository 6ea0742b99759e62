//! The model of a generated security descriptor: plain numbers and types, the tables they
//! are drawn from, and each part's SDDL spelling, written here without the codec.

use core::fmt::Write as _;

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
