//! The NTSTATUS a failed WFP call returned, as data.

use core::fmt;

/// An `NTSTATUS` value, kept as its raw 32 bits (`0xC022000B` reads better than `-1071513589`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NtStatus(pub u32);

impl NtStatus {
    /// `STATUS_SUCCESS`.
    pub const SUCCESS: Self = Self(0);

    /// The value of a signed `NTSTATUS` as the kernel returns it (bindgen's `NTSTATUS` is `i32`).
    #[must_use]
    pub const fn from_raw(status: i32) -> Self {
        Self(status.cast_unsigned())
    }

    /// `NT_SUCCESS`: the severity bits say success or information (the value is not negative
    /// as an `i32`).
    #[must_use]
    pub const fn is_success(self) -> bool {
        self.0 & 0x8000_0000 == 0
    }
}

impl fmt::Display for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08X}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn raw_values_and_severity() {
        // STATUS_FWP_DYNAMIC_SESSION_IN_PROGRESS (platform-facts 3.8).
        let s = NtStatus::from_raw(-1_071_513_589);
        assert_eq!(s, NtStatus(0xC022_000B));
        assert_eq!(s.to_string(), "0xC022000B");
        assert!(!s.is_success());
        assert!(NtStatus::SUCCESS.is_success());
        // STATUS_PENDING (0x103) is a success code for NT_SUCCESS.
        assert!(NtStatus(0x103).is_success());
        // Warnings (0x8...) are not.
        assert!(!NtStatus(0x8000_0005).is_success());
    }
}
