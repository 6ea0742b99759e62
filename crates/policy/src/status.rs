//! Statuses: the shared [`NtStatus`] (defined in `connsec-nt`, re-exported here so the flow and
//! its users name one type), and what a refused configuration means for the driver's load.
//!
//! **Error classification.** `DriverEntry` fails when the configuration cannot be read, parsed,
//! built or checked. [`LoadFault`] says whose fault that is, and so which status the load fails
//! with: the administrator's (a bad or unsafe configuration: `STATUS_INVALID_PARAMETER`, which
//! the service control manager shows as "The parameter is incorrect", Win32 error 87), or
//! connsec's own (a buffer `required_len` sized too small, bytes the codec produced that do not
//! parse: `STATUS_INTERNAL_ERROR`). rustls keeps input errors and its own bugs apart the same
//! way. Every failure is reported by an event before the status is returned.

pub use connsec_nt::status::{NAMED_STATUSES, NtStatus};

use crate::config::ConfigError;
use crate::policy::PolicyError;

/// Whose fault a refused load is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LoadFault {
    /// The configuration is invalid, or would apply an unsafe DACL: the administrator fixes it.
    Configuration,
    /// connsec contradicted itself: a bug to report.
    Internal,
}

impl LoadFault {
    /// The status `DriverEntry` returns for it.
    #[must_use]
    pub const fn status(self) -> NtStatus {
        match self {
            Self::Configuration => NtStatus::INVALID_PARAMETER,
            Self::Internal => NtStatus::INTERNAL_ERROR,
        }
    }
}

impl ConfigError<'_> {
    /// Always [`LoadFault::Configuration`]: the values are the administrator's.
    #[must_use]
    pub const fn fault(&self) -> LoadFault {
        LoadFault::Configuration
    }
}

impl PolicyError<'_> {
    /// Whose fault the refusal is.
    #[must_use]
    pub const fn fault(&self) -> LoadFault {
        match self {
            // The configuration's fault: a clear "bad parameter".
            Self::Config(_) | Self::Unsafe(_) | Self::TooLarge { .. } => LoadFault::Configuration,
            // Ours: `required_len` sized the buffer, and the codec produced the bytes.
            Self::BufferTooSmall { .. } | Self::InvalidAcl(_) => LoadFault::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UnsafeReason;

    #[test]
    fn configuration_faults_are_bad_parameters_and_bugs_are_internal() {
        let unsafe_dacl = PolicyError::Unsafe(UnsafeReason::EmptyDacl);
        assert_eq!(unsafe_dacl.fault(), LoadFault::Configuration);
        assert_eq!(
            PolicyError::TooLarge { size: 70_000 }.fault(),
            LoadFault::Configuration
        );
        assert_eq!(
            PolicyError::BufferTooSmall { needed: 8 }.fault(),
            LoadFault::Internal
        );
        assert_eq!(
            LoadFault::Configuration.status(),
            NtStatus::INVALID_PARAMETER
        );
        assert_eq!(LoadFault::Internal.status(), NtStatus(0xC000_00E5));
    }
}
