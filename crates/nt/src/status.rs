//! [`NtStatus`]: an `NTSTATUS`, with the names of the statuses connsec meets.
//!
//! The names are those of `ntstatus.h` (`STATUS_FWP_*` is facility `0x22`, the NTSTATUS twin of
//! the `FWP_E_*` HRESULTs of `fwpmu.h`); unknown values print as hex only.

use core::fmt;

/// An `NTSTATUS`, kept as its raw 32 bits (`0xC022000B` reads better than `-1071513589`).
///
/// The kernel, WDF and WFP return `NTSTATUS` as a signed `i32` (bindgen's `NTSTATUS`);
/// [`NtStatus::from_raw`] and `i32::from` convert bit for bit, never numerically.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct NtStatus(pub u32);

macro_rules! statuses {
    ($( $(#[$doc:meta])* $name:ident = $value:literal, )*) => {
        impl NtStatus {
            $( $(#[$doc])* pub const $name: NtStatus = NtStatus($value); )*
        }
        /// Every named status, `(value, name)`, in table order.
        pub const NAMED_STATUSES: &[(NtStatus, &str)] = &[
            $( (NtStatus($value), concat!("STATUS_", stringify!($name))), )*
        ];
    };
}

statuses! {
    /// `STATUS_SUCCESS`.
    SUCCESS = 0x0000_0000,
    /// `STATUS_BUFFER_OVERFLOW` (a warning: the length is reported, the data is not copied).
    BUFFER_OVERFLOW = 0x8000_0005,
    /// `STATUS_DEVICE_BUSY` (a warning: `FwpsCalloutUnregisterById` while flows still hold
    /// contexts of the callout).
    DEVICE_BUSY = 0x8000_0011,
    /// `STATUS_UNSUCCESSFUL`.
    UNSUCCESSFUL = 0xC000_0001,
    /// `STATUS_INVALID_HANDLE`.
    INVALID_HANDLE = 0xC000_0008,
    /// `STATUS_INVALID_PARAMETER`.
    INVALID_PARAMETER = 0xC000_000D,
    /// `STATUS_NO_MEMORY`.
    NO_MEMORY = 0xC000_0017,
    /// `STATUS_ACCESS_DENIED`.
    ACCESS_DENIED = 0xC000_0022,
    /// `STATUS_BUFFER_TOO_SMALL`.
    BUFFER_TOO_SMALL = 0xC000_0023,
    /// `STATUS_OBJECT_TYPE_MISMATCH` (a registry value of the wrong `REG_*` type).
    OBJECT_TYPE_MISMATCH = 0xC000_0024,
    /// `STATUS_OBJECT_NAME_NOT_FOUND` (a missing registry value).
    OBJECT_NAME_NOT_FOUND = 0xC000_0034,
    /// `STATUS_UNKNOWN_REVISION`.
    UNKNOWN_REVISION = 0xC000_0058,
    /// `STATUS_REVISION_MISMATCH`.
    REVISION_MISMATCH = 0xC000_0059,
    /// `STATUS_INVALID_ACL`.
    INVALID_ACL = 0xC000_0077,
    /// `STATUS_INVALID_SID`.
    INVALID_SID = 0xC000_0078,
    /// `STATUS_INVALID_SECURITY_DESCR`.
    INVALID_SECURITY_DESCR = 0xC000_0079,
    /// `STATUS_ALLOTTED_SPACE_EXCEEDED`.
    ALLOTTED_SPACE_EXCEEDED = 0xC000_0099,
    /// `STATUS_INSUFFICIENT_RESOURCES`.
    INSUFFICIENT_RESOURCES = 0xC000_009A,
    /// `STATUS_NOT_SUPPORTED`.
    NOT_SUPPORTED = 0xC000_00BB,
    /// `STATUS_INTERNAL_ERROR`.
    INTERNAL_ERROR = 0xC000_00E5,
    /// `STATUS_KEY_DELETED` (a registry key marked for deletion).
    KEY_DELETED = 0xC000_017C,
    /// `STATUS_INVALID_DEVICE_STATE`.
    INVALID_DEVICE_STATE = 0xC000_0184,
    /// `RPC_NT_UNKNOWN_IF`: a candidate for "BFE not running" (undocumented for kernel callers).
    RPC_NT_UNKNOWN_IF = 0xC002_0012,
    /// `RPC_NT_SERVER_UNAVAILABLE`: a candidate for "BFE not running".
    RPC_NT_SERVER_UNAVAILABLE = 0xC002_0017,
    /// `RPC_NT_CALL_FAILED`.
    RPC_NT_CALL_FAILED = 0xC002_001B,
    /// `EPT_NT_NOT_REGISTERED`: the NTSTATUS twin of the `EPT_S_NOT_REGISTERED` (1753) that
    /// user-mode `FwpmEngineOpen0` returns while BFE is stopped.
    EPT_NT_NOT_REGISTERED = 0xC002_0036,
    /// The callout does not exist.
    FWP_CALLOUT_NOT_FOUND = 0xC022_0001,
    /// The filter does not exist.
    FWP_FILTER_NOT_FOUND = 0xC022_0003,
    /// The provider does not exist.
    FWP_PROVIDER_NOT_FOUND = 0xC022_0005,
    /// The sub-layer does not exist.
    FWP_SUBLAYER_NOT_FOUND = 0xC022_0007,
    /// The object does not exist.
    FWP_NOT_FOUND = 0xC022_0008,
    /// An object with that GUID or LUID already exists.
    FWP_ALREADY_EXISTS = 0xC022_0009,
    /// The object is referenced by other objects.
    FWP_IN_USE = 0xC022_000A,
    /// The call is not allowed from within a dynamic session.
    FWP_DYNAMIC_SESSION_IN_PROGRESS = 0xC022_000B,
    /// The call was made from the wrong session.
    FWP_WRONG_SESSION = 0xC022_000C,
    /// The call must be made from within an explicit transaction.
    FWP_NO_TXN_IN_PROGRESS = 0xC022_000D,
    /// The call is not allowed from within an explicit transaction.
    FWP_TXN_IN_PROGRESS = 0xC022_000E,
    /// The explicit transaction has been forcibly cancelled.
    FWP_TXN_ABORTED = 0xC022_000F,
    /// The session has been cancelled (BFE restart): close it, then reopen.
    FWP_SESSION_ABORTED = 0xC022_0010,
    /// The call is not allowed from within a read-only transaction.
    FWP_INCOMPATIBLE_TXN = 0xC022_0011,
    /// The call timed out while waiting to acquire the transaction lock.
    FWP_TIMEOUT = 0xC022_0012,
    /// Collection of network diagnostic events is disabled.
    FWP_NET_EVENTS_DISABLED = 0xC022_0013,
    /// The call is allowed for kernel-mode callers only.
    FWP_KM_CLIENTS_ONLY = 0xC022_0015,
    /// The object lifetimes are incompatible.
    FWP_LIFETIME_MISMATCH = 0xC022_0016,
    /// The object is built in and cannot be deleted.
    FWP_BUILTIN_OBJECT = 0xC022_0017,
    /// A required pointer is null.
    FWP_NULL_POINTER = 0xC022_001C,
    /// The flags are invalid.
    FWP_INVALID_FLAGS = 0xC022_001E,
    /// The display name cannot be null.
    FWP_NULL_DISPLAY_NAME = 0xC022_0023,
    /// The action type is invalid.
    FWP_INVALID_ACTION_TYPE = 0xC022_0024,
    /// A reserved field is nonzero.
    FWP_RESERVED = 0xC022_0029,
    /// A parameter is incorrect.
    FWP_INVALID_PARAMETER = 0xC022_0035,
    /// The callout notification function returned an error.
    FWP_CALLOUT_NOTIFICATION_FAILED = 0xC022_0037,
    /// The cipher transform is invalid.
    FWP_INVALID_CIPHER_TRANSFORM = 0xC022_0039,
    /// Connections are disabled.
    FWP_CONNECTIONS_DISABLED = 0xC022_0041,
    /// The IKEEXT service is not running.
    FWP_IKEEXT_NOT_RUNNING = 0xC022_0044,
    /// The TCP/IP stack is not ready.
    FWP_TCPIP_NOT_READY = 0xC022_0100,
}

impl NtStatus {
    /// The status as the kernel returns it (bindgen's `NTSTATUS` is `i32`), bit for bit.
    #[must_use]
    pub const fn from_raw(status: i32) -> Self {
        Self(status.cast_unsigned())
    }

    /// The signed value the kernel APIs take and return, bit for bit.
    #[must_use]
    pub const fn to_raw(self) -> i32 {
        self.0.cast_signed()
    }

    /// `NT_SUCCESS`: the severity bits say success or information (the value is not negative
    /// as an `i32`).
    #[must_use]
    pub const fn is_success(self) -> bool {
        self.0 & 0x8000_0000 == 0
    }

    /// `Ok(())` for a success or informational status, `Err(self)` otherwise: the one status
    /// check (`NT_SUCCESS(s).then_some(()).ok_or(s)`, as windows-drivers-rs' `wdk` writes it).
    pub const fn ok(self) -> Result<(), Self> {
        if self.is_success() { Ok(()) } else { Err(self) }
    }

    /// The `ntstatus.h` name, e.g. `"STATUS_FWP_TXN_IN_PROGRESS"`, if the table knows it.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        NAMED_STATUSES
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, n)| *n)
    }

    /// The name, or `"(unnamed)"`: for log fields that always need a string.
    #[must_use]
    pub fn name_or_unnamed(self) -> &'static str {
        self.name().unwrap_or("(unnamed)")
    }

    /// Might the same call succeed later? True for a busy or aborted transaction or session,
    /// a timeout, low memory, and the RPC statuses seen while BFE is not (yet) reachable; false
    /// for everything else (access denied, invalid parameters, a dynamic session: retrying
    /// the same call cannot help). The apply/restore flow retries exactly these.
    #[must_use]
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            Self::FWP_TXN_IN_PROGRESS
                | Self::FWP_TXN_ABORTED
                | Self::FWP_SESSION_ABORTED
                | Self::FWP_TIMEOUT
                | Self::NO_MEMORY
                | Self::INSUFFICIENT_RESOURCES
                | Self::EPT_NT_NOT_REGISTERED
                | Self::RPC_NT_SERVER_UNAVAILABLE
                | Self::RPC_NT_CALL_FAILED
                | Self::RPC_NT_UNKNOWN_IF
        )
    }
}

/// The signed `NTSTATUS` the kernel APIs use, so that `?` turns an `NtStatus` error into the
/// status a driver routine returns.
impl From<NtStatus> for i32 {
    fn from(status: NtStatus) -> Self {
        status.to_raw()
    }
}

impl fmt::Display for NtStatus {
    /// `STATUS_FWP_TXN_IN_PROGRESS (0xC022000E)`, or `0x12345678` when unnamed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (0x{:08X})", self.0),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn names_come_from_the_wfp_table() {
        assert_eq!(
            NtStatus(0xC022_000E).name(),
            Some("STATUS_FWP_TXN_IN_PROGRESS")
        );
        assert_eq!(NtStatus::FWP_SESSION_ABORTED.0, 0xC022_0010);
        assert_eq!(
            NtStatus(0xC000_0022).to_string(),
            "STATUS_ACCESS_DENIED (0xC0000022)"
        );
        assert_eq!(NtStatus(0xC0DE_0001).to_string(), "0xC0DE0001");
        assert_eq!(NtStatus(0xC0DE_0001).name_or_unnamed(), "(unnamed)");
    }

    #[test]
    fn fwp_statuses_mirror_the_hresult_low_word() {
        for (status, name) in NAMED_STATUSES {
            if name.starts_with("STATUS_FWP_") {
                assert_eq!(status.0 & 0xFFFF_0000, 0xC022_0000, "{name}");
            }
        }
    }

    #[test]
    fn table_values_are_those_of_ntstatus_h() {
        // A sample per range, as `ntstatus.h` (Windows SDK; mingw-w64's copy) defines them.
        for (status, name) in [
            (0x8000_0011, "STATUS_DEVICE_BUSY"),
            (0xC000_0024, "STATUS_OBJECT_TYPE_MISMATCH"),
            (0xC000_0034, "STATUS_OBJECT_NAME_NOT_FOUND"),
            (0xC000_017C, "STATUS_KEY_DELETED"),
        ] {
            assert_eq!(NtStatus(status).name(), Some(name));
        }
    }

    #[test]
    fn table_has_no_duplicate_values() {
        for (i, (a, an)) in NAMED_STATUSES.iter().enumerate() {
            for (b, bn) in &NAMED_STATUSES[i + 1..] {
                assert_ne!(a, b, "{an} and {bn}");
            }
        }
    }

    #[test]
    fn transient_statuses_are_the_retryable_ones() {
        assert!(NtStatus::FWP_TXN_IN_PROGRESS.is_transient());
        assert!(NtStatus::FWP_TIMEOUT.is_transient());
        assert!(NtStatus::INSUFFICIENT_RESOURCES.is_transient());
        assert!(!NtStatus::ACCESS_DENIED.is_transient());
        assert!(!NtStatus::FWP_DYNAMIC_SESSION_IN_PROGRESS.is_transient());
        assert!(!NtStatus::SUCCESS.is_transient());
    }

    #[test]
    fn success_is_severity_based_and_checked_once() {
        assert!(NtStatus::SUCCESS.is_success());
        // STATUS_TIMEOUT (0x102) and STATUS_PENDING (0x103) are informational: successes.
        assert!(NtStatus(0x0000_0102).is_success());
        assert_eq!(NtStatus(0x0000_0103).ok(), Ok(()));
        assert_eq!(NtStatus(0x4000_0000).ok(), Ok(()));
        // Warnings (0x8...) and errors (0xC...) are not.
        assert_eq!(NtStatus(0x8000_0005).ok(), Err(NtStatus(0x8000_0005)));
        assert_eq!(NtStatus::FWP_TIMEOUT.ok(), Err(NtStatus::FWP_TIMEOUT));
    }

    #[test]
    fn raw_conversions_keep_the_bits() {
        let s = NtStatus::from_raw(-1_071_513_589);
        assert_eq!(s, NtStatus::FWP_DYNAMIC_SESSION_IN_PROGRESS);
        assert_eq!(s.to_raw(), -1_071_513_589);
        assert_eq!(i32::from(s), -1_071_513_589);
        assert_eq!(NtStatus::from_raw(0), NtStatus::SUCCESS);
    }
}
