//! The original connection-objects descriptor: how big it may be, what its DACL is, and
//! whether a live descriptor already carries connsec's DACL.
//!
//! The flow ([`crate::flow`]) keeps the original as the self-relative descriptor bytes
//! `FwpmConnectionGetSecurityInfo0` returned for `DACL_SECURITY_INFORMATION`, durably in
//! `Parameters\OriginalDacl` ([`crate::config::ORIGINAL_DACL`], `REG_BINARY`) and in memory in a
//! buffer of [`ORIGINAL_MAX_LEN`] bytes. `docs/original-descriptor.md` states the semantics.

use secdesc::{Acl, SecurityDescriptor};

use crate::policy::{MAX_ACL_LEN, SE_DACL_PRESENT, SE_DACL_PROTECTED};
use crate::status::NtStatus;

/// Longest original descriptor kept: the 20-byte self-relative header, an owner and a group
/// SID of at most 68 bytes each (15 sub-authorities) and the largest ACL. Only the DACL is
/// asked for, so owner and group are normally absent; a larger descriptor is refused
/// (`STATUS_BUFFER_TOO_SMALL`) and nothing is applied.
pub const ORIGINAL_MAX_LEN: usize = 20 + 68 + 68 + MAX_ACL_LEN;

/// The DACL of an original descriptor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OriginalDacl<'a> {
    /// A DACL: its `AclSize` bytes (slack included) and its `SE_DACL_PROTECTED` bit.
    Dacl {
        /// The ACL bytes.
        bytes: &'a [u8],
        /// `SE_DACL_PROTECTED`.
        protected: bool,
    },
    /// No DACL or a NULL DACL: never restored (that would grant everyone full access).
    Null,
}

/// Parses a self-relative descriptor and returns its DACL; `STATUS_INVALID_SECURITY_DESCR`
/// if the bytes are not a valid descriptor.
pub fn original_dacl(descriptor: &[u8]) -> Result<OriginalDacl<'_>, NtStatus> {
    let sd = SecurityDescriptor::new_checked(descriptor)
        .map_err(|_| NtStatus::INVALID_SECURITY_DESCR)?;
    let control = sd.control().0;
    match sd.dacl() {
        Some(acl) if control & SE_DACL_PRESENT != 0 => Ok(OriginalDacl::Dacl {
            bytes: acl.as_bytes(),
            protected: control & SE_DACL_PROTECTED != 0,
        }),
        _ => Ok(OriginalDacl::Null),
    }
}

/// Does `descriptor` already carry `policy_dacl`'s ACEs, in order? Revision and trailing slack
/// are ignored, so a copy BFE normalised still counts as connsec's own DACL (which must never
/// be stored as the original).
#[must_use]
pub fn carries_dacl(descriptor: &OriginalDacl<'_>, policy_dacl: &[u8]) -> bool {
    let OriginalDacl::Dacl { bytes, .. } = *descriptor else {
        return false;
    };
    match (Acl::new_checked(bytes), Acl::new_checked(policy_dacl)) {
        (Ok(live), Ok(ours)) => live.ace_count() == ours.ace_count() && live.aces().eq(ours.aces()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::{vec, vec::Vec};

    use super::*;
    use secdesc::{AceRepr, AclWriter, ControlFlags, DescriptorParts, Sid, encode_descriptor};

    fn acl(mask: u32, slack: usize) -> Vec<u8> {
        let mut buf = vec![0u8; 128];
        let mut w = AclWriter::new(&mut buf).unwrap();
        w.push(&AceRepr::allow(Sid::new(5, &[18]).unwrap(), mask))
            .unwrap();
        let n = w.finish().unwrap();
        buf.truncate(n + slack);
        let size = u16::try_from(n + slack).unwrap().to_le_bytes();
        buf[2..4].copy_from_slice(&size);
        buf
    }

    fn sd(dacl: Option<&[u8]>, protected: bool) -> Vec<u8> {
        let mut control = ControlFlags::SELF_RELATIVE;
        if dacl.is_some() {
            control |= ControlFlags::DACL_PRESENT;
        }
        if protected {
            control |= ControlFlags::DACL_PROTECTED;
        }
        let parts = DescriptorParts {
            control: ControlFlags(control),
            owner: None,
            group: None,
            sacl: None,
            dacl,
        };
        let mut out = vec![0u8; 256];
        let n = encode_descriptor(&parts, &mut out).unwrap();
        out.truncate(n);
        out
    }

    #[test]
    fn the_dacl_and_its_protection_are_read() {
        let a = acl(1, 4);
        let d = sd(Some(&a), true);
        assert_eq!(
            original_dacl(&d),
            Ok(OriginalDacl::Dacl {
                bytes: &a,
                protected: true
            })
        );
        assert_eq!(original_dacl(&sd(None, false)), Ok(OriginalDacl::Null));
        assert_eq!(
            original_dacl(&[1, 0]),
            Err(NtStatus::INVALID_SECURITY_DESCR)
        );
    }

    #[test]
    fn the_same_aces_count_as_ours_whatever_the_slack() {
        let ours = acl(1, 0);
        let live = acl(1, 8);
        let d = sd(Some(&live), false);
        assert!(carries_dacl(&original_dacl(&d).unwrap(), &ours));
        let other = acl(2, 0);
        let d = sd(Some(&other), false);
        assert!(!carries_dacl(&original_dacl(&d).unwrap(), &ours));
        assert!(!carries_dacl(&OriginalDacl::Null, &ours));
    }
}
