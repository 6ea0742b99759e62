//! Self-relative security descriptors and ACLs, as the kernel lays them out (`SECURITY_
//! DESCRIPTOR_RELATIVE`, `ACL`, `ACCESS_ALLOWED_ACE`): enough to hand the driver the
//! connection objects' descriptor and to read back what it set. Hand-written (about 60 lines)
//! because the simulator must not reuse the driver's own codec to judge the driver.

use super::kernel::Descriptor;

/// A SID from its authority and sub-authorities.
pub fn sid(authority: u8, subs: &[u32]) -> Vec<u8> {
    let mut out = vec![
        1,
        u8::try_from(subs.len()).expect("few"),
        0,
        0,
        0,
        0,
        0,
        authority,
    ];
    for s in subs {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// An ACL of ACCESS_ALLOWED_ACEs.
pub fn acl(aces: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (mask, sid) in aces {
        let size = u16::try_from(8 + sid.len()).expect("small");
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&size.to_le_bytes());
        body.extend_from_slice(&mask.to_le_bytes());
        body.extend_from_slice(sid);
    }
    let size = u16::try_from(8 + body.len()).expect("small");
    let mut out = vec![2, 0];
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&u16::try_from(aces.len()).expect("few").to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend(body);
    out
}

/// Is this a well-formed ACL (header, sizes, ACE sizes within it)?
pub fn acl_ok(bytes: &[u8]) -> bool {
    if bytes.len() < 8 || !(bytes[0] == 2 || bytes[0] == 4) {
        return false;
    }
    let size = usize::from(u16::from_le_bytes([bytes[2], bytes[3]]));
    let count = u16::from_le_bytes([bytes[4], bytes[5]]);
    let mut at = 8;
    for _ in 0..count {
        let Some(header) = bytes.get(at..at + 4) else {
            return false;
        };
        let ace = usize::from(u16::from_le_bytes([header[2], header[3]]));
        if ace < 8 {
            return false;
        }
        at += ace;
    }
    at <= size && size == bytes.len()
}

/// The self-relative bytes and the DACL's offset in them.
pub fn serialize(d: &Descriptor) -> (Vec<u8>, usize) {
    let owner_at = 20;
    let group_at = owner_at + d.owner.len();
    let dacl_at = group_at + d.group.len();
    let control: u16 = 0x8000 | 0x0004 | if d.protected { 0x1000 } else { 0 };
    let mut out = vec![1, 0];
    out.extend_from_slice(&control.to_le_bytes());
    for offset in [owner_at, group_at, 0, dacl_at] {
        out.extend_from_slice(&u32::try_from(offset).expect("small").to_le_bytes());
    }
    out.extend_from_slice(&d.owner);
    out.extend_from_slice(&d.group);
    out.extend_from_slice(&d.dacl);
    (out, dacl_at)
}

/// `RtlLengthSecurityDescriptor` of a self-relative descriptor.
///
/// # Safety
///
/// `p` points at a self-relative descriptor.
pub unsafe fn length(p: *const u8) -> u32 {
    let read = |at: usize, n: usize| {
        // SAFETY: within the descriptor (the caller's contract).
        unsafe { std::slice::from_raw_parts(p.add(at), n) }.to_vec()
    };
    let header = read(0, 20);
    let offset = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().expect("4")) as usize;
    let mut end = 20;
    for i in [4, 8] {
        let at = offset(i);
        if at != 0 {
            end = end.max(at + 8 + 4 * usize::from(read(at + 1, 1)[0]));
        }
    }
    for i in [12, 16] {
        let at = offset(i);
        if at != 0 {
            let size = read(at + 2, 2);
            end = end.max(at + usize::from(u16::from_le_bytes([size[0], size[1]])));
        }
    }
    u32::try_from(end).expect("small")
}
