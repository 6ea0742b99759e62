//! A security descriptor as the tool shows it: one row per ACE (type, SID, well-known name,
//! rights by WFP name), the SDDL, and the bytes. Shared by `plan`, `explain` and `status`.

use core::fmt::Write as _;

use secdesc::{Acl, SddlContext, SecurityDescriptor, Sid};
use serde::Serialize;

use crate::hex;

/// Service names whose service SIDs (`NT SERVICE\<name>`) are recognised in output: the WFP
/// and `IPsec` services named in the engine's default DACL (Microsoft's WFP "Access Control"
/// page), `BFE` and `IKEEXT`.
const KNOWN_SERVICES: [&str; 8] = [
    "BFE",
    "MpsSvc",
    "PolicyAgent",
    "IKEEXT",
    "NapAgent",
    "RpcSs",
    "WdiServiceHost",
    "connsec",
];

/// One ACE.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct AceRow {
    /// SDDL ACE type token (`A`, `D`, ...) or `0xNN` for a type without one.
    #[serde(rename = "type")]
    pub(crate) ace_type: String,
    /// ACE flags byte.
    pub(crate) flags: u8,
    /// The SID as Windows prints it; `null` for an ACE type without a SID this codec reads.
    pub(crate) sid: Option<String>,
    /// SDDL alias of the SID, when it has one.
    pub(crate) alias: Option<String>,
    /// Well-known account name (`NT AUTHORITY\SYSTEM`, `NT SERVICE\MpsSvc`, ...).
    pub(crate) name: Option<String>,
    /// The access mask.
    pub(crate) mask: u32,
    /// The mask in WFP right names, joined by `|`.
    pub(crate) rights: String,
}

/// A whole descriptor.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Description {
    /// The control word.
    pub(crate) control: u16,
    pub(crate) owner: Option<String>,
    pub(crate) group: Option<String>,
    /// `None` for a NULL DACL (or none present).
    pub(crate) dacl: Option<Vec<AceRow>>,
    pub(crate) sacl: Option<Vec<AceRow>>,
    pub(crate) sddl: String,
    /// Descriptor length in bytes.
    pub(crate) length: usize,
    /// The descriptor bytes, lowercase hex.
    pub(crate) hex: String,
}

/// The account name of a SID, where there is a well-known one.
pub(crate) fn name_of(sid: &Sid) -> Option<String> {
    if let Some(n) = secdesc::alias::display_name(sid) {
        return Some(n.to_owned());
    }
    KNOWN_SERVICES
        .iter()
        .find(|s| connsec_policy::principal::service_sid(s).is_ok_and(|x| x == *sid))
        .map(|s| format!("NT SERVICE\\{s}"))
}

/// The generic-right bits, which BFE maps to the `FWPM_GENERIC_*` masks.
const GENERIC_BITS: [(&str, u32); 4] = [
    ("GENERIC_READ", 0x8000_0000),
    ("GENERIC_WRITE", 0x4000_0000),
    ("GENERIC_EXECUTE", 0x2000_0000),
    ("GENERIC_ALL", 0x1000_0000),
];

/// The mask as WFP right names (`connsec_policy::rights::write_rights`); generic-right bits,
/// which that function leaves as hex, are named first with a `(bit)` suffix.
pub(crate) fn rights_text(mask: u32) -> String {
    let mut s = String::new();
    let mut rest = mask;
    for (name, bit) in GENERIC_BITS {
        if rest & bit != 0 {
            if !s.is_empty() {
                s.push('|');
            }
            s.push_str(name);
            s.push_str("(bit)");
            rest &= !bit;
        }
    }
    if rest != 0 || mask == 0 {
        if !s.is_empty() {
            s.push('|');
        }
        // Writing into a String cannot fail.
        let _ = connsec_policy::rights::write_rights(rest, &mut s);
    }
    s
}

fn rows(acl: &Acl<'_>, ctx: &SddlContext) -> Vec<AceRow> {
    acl.aces()
        .map(|ace| {
            let t = ace.ace_type();
            let sid = ace.sid();
            let mask = ace.mask().0;
            AceRow {
                ace_type: t
                    .sddl()
                    .map_or_else(|| format!("{:#04x}", u8::from(t)), str::to_owned),
                flags: ace.flags().0,
                sid: sid.map(|s| s.to_string()),
                alias: sid
                    .and_then(|s| secdesc::alias::alias_of(&s, ctx))
                    .map(str::to_owned),
                name: sid.as_ref().and_then(name_of),
                mask,
                rights: rights_text(mask),
            }
        })
        .collect()
}

/// Describes a validated descriptor.
pub(crate) fn describe(sd: &SecurityDescriptor<'_>, ctx: &SddlContext) -> Description {
    let mut sddl = String::new();
    if secdesc::sddl::format(sd, ctx, &mut sddl).is_err() {
        sddl.clear();
        sddl.push_str("(not expressible as SDDL)");
    }
    Description {
        control: sd.control().0,
        owner: sd.owner().map(|s| s.to_string()),
        group: sd.group().map(|s| s.to_string()),
        dacl: sd.dacl().map(|a| rows(&a, ctx)),
        sacl: sd.sacl().map(|a| rows(&a, ctx)),
        sddl,
        length: sd.as_bytes().len(),
        hex: hex::encode(sd.as_bytes()),
    }
}

fn table(out: &mut String, title: &str, rows: &[AceRow]) {
    let _ = writeln!(
        out,
        "{title} ({} ACE{}):",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    if rows.is_empty() {
        return;
    }
    let sid_w = rows
        .iter()
        .map(|r| r.sid.as_deref().unwrap_or("-").len())
        .max()
        .unwrap_or(3)
        .max(3);
    let name_w = rows
        .iter()
        .map(|r| r.name.as_deref().unwrap_or("-").len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "  {:<5}  {:<5}  {:<sid_w$}  {:<name_w$}  {:<10}  RIGHTS",
        "TYPE", "FLAGS", "SID", "NAME", "MASK"
    );
    for r in rows {
        let ty = match r.ace_type.as_str() {
            "A" => "allow",
            "D" => "deny",
            other => other,
        };
        let _ = writeln!(
            out,
            "  {:<5}  0x{:02x}   {:<sid_w$}  {:<name_w$}  0x{:08x}  {}",
            ty,
            r.flags,
            r.sid.as_deref().unwrap_or("-"),
            r.name.as_deref().unwrap_or("-"),
            r.mask,
            r.rights
        );
    }
}

/// Human-readable form.
pub(crate) fn render(d: &Description) -> String {
    let mut out = String::new();
    if let Some(o) = &d.owner {
        let _ = writeln!(out, "Owner: {o}");
    }
    if let Some(g) = &d.group {
        let _ = writeln!(out, "Group: {g}");
    }
    if let Some(rows) = &d.dacl {
        table(&mut out, "DACL", rows);
    } else {
        let present = d.control & secdesc::ControlFlags::DACL_PRESENT != 0;
        let _ = writeln!(
            out,
            "DACL: {}",
            if present {
                "NULL (grants everyone full access)"
            } else {
                "not present"
            }
        );
    }
    if let Some(rows) = &d.sacl {
        table(&mut out, "SACL", rows);
    }
    let _ = writeln!(out, "Control: 0x{:04x}", d.control);
    let _ = writeln!(out, "SDDL: {}", d.sddl);
    let _ = writeln!(out, "Descriptor ({} bytes): {}", d.length, d.hex);
    out
}
