//! The original connection-objects descriptor: how big it may be, what its DACL is, and
//! whether a live descriptor already carries connsec's DACL.
//!
//! The flow ([`crate::flow`]) keeps the original as the self-relative descriptor bytes
//! `FwpmConnectionGetSecurityInfo0` returned for `DACL_SECURITY_INFORMATION`, durably in
//! `Parameters\OriginalDacl` ([`crate::config::ORIGINAL_DACL`], `REG_BINARY`) and in memory in a
//! buffer of [`ORIGINAL_MAX_LEN`] bytes. `docs/original-descriptor.md` states the semantics.
//!
//! **The durable copy.** [`read`], [`write`](fn@write) and [`remove`] are the store operations
//! ([`OriginalStore`](crate::flow::OriginalStore)) over one open key ([`OriginalValue`]): the
//! driver makes the registry calls and this module decides what their statuses mean:
//! - `read`: an absent value (`STATUS_OBJECT_NAME_NOT_FOUND`) is `Ok(None)`; a value larger
//!   than the buffer (`STATUS_BUFFER_OVERFLOW`: KMDF then copies nothing, see
//!   [`crate::registry_read`]) is `STATUS_BUFFER_TOO_SMALL`; a value that is not `REG_BINARY`
//!   is `STATUS_OBJECT_TYPE_MISMATCH`; a value found is flushed before it is returned, because a
//!   value whose earlier flush failed is visible but maybe not on disk, and the flow may only
//!   rely on a durable one;
//! - `write`: assign, then flush;
//! - `remove`: remove (removing nothing is a success), then flush.
//!
//! The flush is `ZwFlushKey`, which "does not return until all the changed data … has been
//! written to disk" (the "`ZwFlushKey` function" page, Microsoft Learn): `write` and `remove`
//! return only once the change is durable, as the flow's crash safety needs.

use secdesc::{Acl, SecurityDescriptor};

use crate::config::RegType;
use crate::policy::{MAX_ACL_LEN, SE_DACL_PRESENT, SE_DACL_PROTECTED};
use crate::registry_read::QueryReply;
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

/// `Parameters\OriginalDacl` in one open `Parameters` key (read and set access): each method is
/// one registry call, returning what the call returned.
pub trait OriginalValue {
    /// `WdfRegistryQueryValue` into all of `buf`.
    fn query(&mut self, buf: &mut [u8]) -> QueryReply;
    /// `WdfRegistryAssignValue(REG_BINARY, bytes)`.
    fn assign(&mut self, bytes: &[u8]) -> NtStatus;
    /// `WdfRegistryRemoveValue`.
    fn remove(&mut self) -> NtStatus;
    /// `ZwFlushKey` on the key.
    fn flush(&mut self) -> NtStatus;
}

/// [`OriginalStore::read`](crate::flow::OriginalStore::read): the stored descriptor's length
/// in `buf`, `Ok(None)` when nothing is stored (see the module documentation).
pub fn read(key: &mut impl OriginalValue, buf: &mut [u8]) -> Result<Option<usize>, NtStatus> {
    let reply = key.query(buf);
    match reply.status {
        NtStatus::OBJECT_NAME_NOT_FOUND => return Ok(None),
        // Larger than the buffer: nothing was copied.
        NtStatus::BUFFER_OVERFLOW => return Err(NtStatus::BUFFER_TOO_SMALL),
        status => status.ok()?,
    }
    if RegType::from(reply.kind) != RegType::Binary {
        return Err(NtStatus::OBJECT_TYPE_MISMATCH);
    }
    let len = usize::try_from(reply.length).map_err(|_| NtStatus::BUFFER_TOO_SMALL)?;
    if len > buf.len() {
        return Err(NtStatus::BUFFER_TOO_SMALL);
    }
    key.flush().ok()?;
    Ok(Some(len))
}

/// [`OriginalStore::write`](crate::flow::OriginalStore::write): assign, then flush.
pub fn write(key: &mut impl OriginalValue, descriptor: &[u8]) -> Result<(), NtStatus> {
    key.assign(descriptor).ok()?;
    key.flush().ok()
}

/// [`OriginalStore::remove`](crate::flow::OriginalStore::remove): remove (an absent value is
/// not an error), then flush.
pub fn remove(key: &mut impl OriginalValue) -> Result<(), NtStatus> {
    match key.remove() {
        NtStatus::OBJECT_NAME_NOT_FOUND => {}
        status => status.ok()?,
    }
    key.flush().ok()
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

    /// A key holding at most one value, recording the calls made on it.
    #[derive(Default)]
    struct FakeKey {
        /// The stored value: its `REG_*` type and bytes.
        value: Option<(u32, Vec<u8>)>,
        /// The status every call of that name returns instead of doing its work.
        fail: Option<(&'static str, NtStatus)>,
        calls: Vec<&'static str>,
    }

    impl FakeKey {
        fn holding(kind: u32, bytes: &[u8]) -> Self {
            Self {
                value: Some((kind, bytes.to_vec())),
                ..Self::default()
            }
        }

        fn failing(mut self, call: &'static str, status: NtStatus) -> Self {
            self.fail = Some((call, status));
            self
        }

        fn call(&mut self, name: &'static str) -> Option<NtStatus> {
            self.calls.push(name);
            self.fail.filter(|(n, _)| *n == name).map(|(_, s)| s)
        }
    }

    impl OriginalValue for FakeKey {
        fn query(&mut self, buf: &mut [u8]) -> QueryReply {
            let mut reply = QueryReply {
                status: NtStatus::SUCCESS,
                length: 0,
                kind: 0,
            };
            if let Some(status) = self.call("query") {
                reply.status = status;
                return reply;
            }
            let Some((kind, bytes)) = &self.value else {
                reply.status = NtStatus::OBJECT_NAME_NOT_FOUND;
                return reply;
            };
            reply.kind = *kind;
            reply.length = u32::try_from(bytes.len()).unwrap();
            // As KMDF: the length and type always, the data only when it fits.
            if bytes.len() > buf.len() {
                reply.status = NtStatus::BUFFER_OVERFLOW;
            } else {
                buf[..bytes.len()].copy_from_slice(bytes);
            }
            reply
        }

        fn assign(&mut self, bytes: &[u8]) -> NtStatus {
            if let Some(status) = self.call("assign") {
                return status;
            }
            self.value = Some((3, bytes.to_vec()));
            NtStatus::SUCCESS
        }

        fn remove(&mut self) -> NtStatus {
            if let Some(status) = self.call("remove") {
                return status;
            }
            match self.value.take() {
                Some(_) => NtStatus::SUCCESS,
                None => NtStatus::OBJECT_NAME_NOT_FOUND,
            }
        }

        fn flush(&mut self) -> NtStatus {
            self.call("flush").unwrap_or(NtStatus::SUCCESS)
        }
    }

    #[test]
    fn a_binary_value_that_fits_is_read_and_flushed_first() {
        let mut key = FakeKey::holding(3, &[1, 2, 3]);
        let mut buf = [0u8; 8];
        assert_eq!(read(&mut key, &mut buf), Ok(Some(3)));
        assert_eq!(buf[..3], [1, 2, 3]);
        assert_eq!(key.calls, ["query", "flush"]);
        // A value filling the buffer exactly fits.
        let mut key = FakeKey::holding(3, &[7; 8]);
        assert_eq!(read(&mut key, &mut buf), Ok(Some(8)));
    }

    #[test]
    fn an_absent_value_is_none_and_nothing_is_flushed() {
        let mut key = FakeKey::default();
        assert_eq!(read(&mut key, &mut [0u8; 8]), Ok(None));
        assert_eq!(key.calls, ["query"]);
    }

    #[test]
    fn a_value_that_is_too_large_or_not_binary_or_unflushed_is_an_error() {
        let mut buf = [0u8; 4];
        let mut key = FakeKey::holding(3, &[0; 5]);
        assert_eq!(read(&mut key, &mut buf), Err(NtStatus::BUFFER_TOO_SMALL));
        assert_eq!(key.calls, ["query"]);
        // REG_SZ, REG_NONE, REG_DWORD: not what connsec wrote.
        for kind in [1, 0, 4] {
            let mut key = FakeKey::holding(kind, &[0; 4]);
            assert_eq!(
                read(&mut key, &mut buf),
                Err(NtStatus::OBJECT_TYPE_MISMATCH),
                "type {kind}"
            );
        }
        let mut key = FakeKey::holding(3, &[0; 4]).failing("flush", NtStatus::ACCESS_DENIED);
        assert_eq!(read(&mut key, &mut buf), Err(NtStatus::ACCESS_DENIED));
        let mut key = FakeKey::holding(3, &[0; 4]).failing("query", NtStatus::ACCESS_DENIED);
        assert_eq!(read(&mut key, &mut buf), Err(NtStatus::ACCESS_DENIED));
    }

    #[test]
    fn a_reported_length_past_the_buffer_is_refused() {
        /// A query that claims success with more bytes than the buffer holds.
        struct Lying;
        impl OriginalValue for Lying {
            fn query(&mut self, buf: &mut [u8]) -> QueryReply {
                QueryReply {
                    status: NtStatus::SUCCESS,
                    length: u32::try_from(buf.len()).unwrap() + 1,
                    kind: 3,
                }
            }
            fn assign(&mut self, _: &[u8]) -> NtStatus {
                NtStatus::SUCCESS
            }
            fn remove(&mut self) -> NtStatus {
                NtStatus::SUCCESS
            }
            fn flush(&mut self) -> NtStatus {
                NtStatus::SUCCESS
            }
        }
        assert_eq!(
            read(&mut Lying, &mut [0u8; 4]),
            Err(NtStatus::BUFFER_TOO_SMALL)
        );
    }

    #[test]
    fn write_assigns_binary_then_flushes() {
        let mut key = FakeKey::default();
        assert_eq!(write(&mut key, &[9, 9]), Ok(()));
        assert_eq!(key.value, Some((3, vec![9, 9])));
        assert_eq!(key.calls, ["assign", "flush"]);
        let mut key = FakeKey::default().failing("assign", NtStatus::ACCESS_DENIED);
        assert_eq!(write(&mut key, &[9]), Err(NtStatus::ACCESS_DENIED));
        assert_eq!(key.calls, ["assign"]);
        let mut key = FakeKey::default().failing("flush", NtStatus::NO_MEMORY);
        assert_eq!(write(&mut key, &[9]), Err(NtStatus::NO_MEMORY));
    }

    #[test]
    fn removing_nothing_succeeds_and_every_removal_is_flushed() {
        let mut key = FakeKey::holding(3, &[1]);
        assert_eq!(remove(&mut key), Ok(()));
        assert_eq!(key.value, None);
        assert_eq!(key.calls, ["remove", "flush"]);
        let mut key = FakeKey::default();
        assert_eq!(remove(&mut key), Ok(()));
        assert_eq!(key.calls, ["remove", "flush"]);
        let mut key = FakeKey::holding(3, &[1]).failing("remove", NtStatus::ACCESS_DENIED);
        assert_eq!(remove(&mut key), Err(NtStatus::ACCESS_DENIED));
        assert_eq!(key.calls, ["remove"]);
    }
}
