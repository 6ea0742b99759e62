//! The test's own encoder of the binary format (MS-DTYP 2.4.2.2, 2.4.4–2.4.6), a third
//! opinion beside the codec and Samba, and the hex the tests compare in.

use super::model::{GenAce, GenAcl, GenSd, GenSid};

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
/// MS-DTYP 2.4.5–2.4.6), a third opinion beside the codec and Samba.
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
