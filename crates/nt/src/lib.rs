//! The Windows vocabulary every connsec crate shares, defined once.
//!
//! - [`NtStatus`]: an `NTSTATUS` with `NT_SUCCESS`, the names of the statuses connsec meets
//!   (`ntstatus.h`), and which of them are worth a retry;
//! - [`Guid`]: a GUID with the `GUID` field layout of `guiddef.h`, its little-endian bytes (as
//!   in an object ACE), one parser and one formatter;
//! - [`wide!`]: NUL-terminated UTF-16 literals built at compile time, for the `wchar_t*`
//!   display names, SDDL strings and value names the kernel APIs take;
//! - [`BfeState`]: the Base Filtering Engine's `FWPM_SERVICE_STATE`;
//! - [`security_info`]: the `SECURITY_INFORMATION` bits of `winnt.h`.
//!
//! It is a leaf crate (no dependencies), `no_std`, allocation-free, without `unsafe`, and
//! nothing in it can panic, so every crate the driver links can use it.

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

#[cfg(test)]
extern crate std;

mod bfe;
mod guid;
pub mod security_info;
pub mod status;
pub mod wide;

pub use bfe::BfeState;
pub use guid::{GUID_TEXT_LEN, Guid, GuidError};
pub use status::NtStatus;
