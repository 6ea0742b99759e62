//! A security-descriptor codec for Windows: SIDs, ACEs, ACLs, self-relative descriptors and
//! SDDL, byte-exact with `ConvertStringSecurityDescriptorToSecurityDescriptorW`.
//!
//! `#![no_std]`, no `alloc`, `#![forbid(unsafe_code)]`, no panics: it is linked into the
//! connsec kernel driver. The core does no I/O: callers pass text or bytes in and provide the
//! output buffer ([`sddl::encoded_len`] and the `encoded_len`/`descriptor_len` functions size
//! it exactly).
//!
//! # Why hand-written
//!
//! No existing crate is `no_std`, writes Windows' exact layout and validates untrusted input
//! (`sddl`, `windows-sddl`, `win-sid`, `smb-dtyp` on crates.io all need `std`, and
//! most write another layout or accept off-spec SIDs), so the codec is written here, checked
//! against Windows' own output (`tests/conformance.rs`).
//!
//! # Example
//!
//! ```
//! use secdesc::{SddlContext, SecurityDescriptor, sddl};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ctx = SddlContext::new();
//! let text = "O:BAG:SYD:P(A;;GA;;;SY)(A;;GA;;;BA)";
//! let mut buf = [0u8; 128]; // or size it with sddl::encoded_len
//! let n = sddl::encode(text, &ctx, &mut buf)?;
//! let sd = SecurityDescriptor::new_checked(&buf[..n])?;
//! assert_eq!(sd.dacl().map(|d| d.ace_count()), Some(2));
//! let mut back = String::new();
//! sddl::format(&sd, &ctx, &mut back)?;
//! assert_eq!(back, text);
//! # Ok(())
//! # }
//! ```
//!
//! # Pieces
//!
//! - [`Sid`]: strict string grammar and binary form; [`alias`]: SDDL two-letter aliases with an
//!   [`SddlContext`] for domain- and machine-relative ones.
//! - [`Ace`], [`Acl`], [`SecurityDescriptor`]: validated read-only views over untrusted bytes
//!   (`new_checked` proves every offset in range; no accessor can panic afterwards), following
//!   offsets, so any self-relative layout decodes. Unknown ACE types are kept byte for byte.
//! - [`AceRepr`]: the meaning of an ACE; [`AclWriter`] and [`encode_descriptor`] write ACLs and
//!   descriptors in Windows' layout (header | SACL | DACL | Owner | Group; ACL revision 2
//!   unless an object ACE needs 4).
//! - [`sddl`]: one-pass SDDL → bytes, and bytes → SDDL ([`sddl::format_into`] into a buffer,
//!   [`sddl::format`] into any `fmt::Write`).
//! - Binary input is read through a checked reader and output written through a checked
//!   writer (`codec.rs`); a broken invariant of the codec is [`ErrorKind::Internal`], never
//!   wrong bytes.
//! - Feature `fast-sddl` (host tools only; the driver does not enable it): a faster encoder
//!   path for runs of plain allow/deny ACEs, tested against the simple one.
//!
//! # Windows quirks
//!
//! Windows sometimes writes an ACL with trailing zero slack and revision 4 although it holds
//! no object ACE (9 vectors of `oversize-acls.json`, 4 of the train file; each holds a
//! zero-mask ACE duplicating another ACE's type, flags and SID). This codec never writes that:
//! its ACLs are exactly header + ACEs at revision 2 unless an object ACE is present. The views
//! accept Windows' quirky bytes ([`Acl::used_len`] tells the slack), and the conformance test
//! checks that our bytes equal Windows' after normalising the revision and removing the slack.
//!
//! Errors are small `Copy` values ([`Error`]): the character offset in text or the byte offset
//! in binary input, and an [`ErrorKind`] saying what was expected there.

#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
    )
)]

mod ace;
mod acl;
pub mod alias;
mod codec;
mod descriptor;
mod error;
pub mod sddl;
mod sid;
mod text;

#[cfg(test)]
extern crate std;
#[cfg(test)]
mod testutil;

pub use ace::{ACE_HEADER_LEN, AccessMask, Ace, AceFlags, AceRepr, AceType, Guid};
pub use acl::{ACL_HEADER_LEN, ACL_REVISION, ACL_REVISION_DS, Aces, Acl, AclWriter, MAX_ACL_LEN};
pub use alias::SddlContext;
pub use descriptor::{
    ControlFlags, DescriptorParts, SD_HEADER_LEN, SecurityDescriptor, descriptor_len,
    encode_descriptor,
};
pub use error::{Error, ErrorKind, Expected, Part};
pub use sddl::parse_sid_or_alias;
pub use sid::{SID_HEADER_LEN, Sid};
