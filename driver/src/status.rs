//! The driver's one status check: an `NTSTATUS` from WDF, WFP or the kernel as a `Result`.
//!
//! WDF, WFP and the kernel return `NTSTATUS` (`i32`); the portable crates name statuses with
//! `connsec_nt::NtStatus` (`u32` bits), converted bit for bit (`NtStatus::from_raw`), never
//! numerically. A function that returns a raw `NTSTATUS` error can still use `?` on the result:
//! `i32: From<NtStatus>`.

use connsec_nt::NtStatus;

use crate::wfp;

/// `Ok(())` for a success or informational status (`NT_SUCCESS`), `Err(status)` otherwise.
pub(crate) const fn check(status: wfp::NTSTATUS) -> Result<(), NtStatus> {
    NtStatus::from_raw(status).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_keep_their_bits() {
        let raw: wfp::NTSTATUS = -1_071_513_586;
        assert_eq!(check(raw), Err(NtStatus::FWP_TXN_IN_PROGRESS));
        assert_eq!(check(0), Ok(()));
        // Informational statuses (severity 01) are successes, as NT_SUCCESS says.
        assert_eq!(check(0x4000_0000), Ok(()));
        let back: wfp::NTSTATUS = NtStatus::FWP_TXN_IN_PROGRESS.into();
        assert_eq!(back, raw);
    }
}
