//! `NTSTATUS` plumbing: the one place where the driver's statuses meet the portable crates'.
//!
//! WDF, WFP and the kernel return `NTSTATUS` (`i32`); the policy crate names statuses as
//! `NtStatus(u32)` so that it can print them from the WFP error table. The conversion is
//! bit-for-bit (`cast_unsigned`), never a numeric change.

use connsec_policy::NtStatus;
use wdk_sys::NTSTATUS;

/// `Ok(())` for a success or informational status (`NT_SUCCESS`), `Err(status)` otherwise.
pub(crate) const fn check(status: NTSTATUS) -> Result<(), NTSTATUS> {
    if wdk_sys::NT_SUCCESS(status) {
        Ok(())
    } else {
        Err(status)
    }
}

/// The same 32 bits as the policy crate's status type.
pub(crate) const fn to_policy(status: NTSTATUS) -> NtStatus {
    NtStatus(status.cast_unsigned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_keep_the_bits() {
        let fwp_txn_in_progress = NtStatus(0xC022_000E);
        let raw: NTSTATUS = -1_071_513_586;
        assert_eq!(to_policy(raw), fwp_txn_in_progress);
        assert_eq!(check(raw), Err(raw));
        assert_eq!(check(wdk_sys::STATUS_SUCCESS), Ok(()));
        // Informational statuses (severity 01) are successes, as NT_SUCCESS says.
        assert_eq!(check(0x4000_0000), Ok(()));
    }
}
