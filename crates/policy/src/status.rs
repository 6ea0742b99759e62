//! Statuses: the shared [`NtStatus`] (defined in `connsec-nt`, re-exported here so the flow
//! and its users name one type).

pub use connsec_nt::status::{NAMED_STATUSES, NtStatus};
