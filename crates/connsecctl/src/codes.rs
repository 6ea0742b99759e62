//! Win32, RPC and WFP status codes as a person reads them: `NAME (0x…): message`, with the
//! names of `winerror.h` and the messages of Microsoft's "System Error Codes" and "WFP Error
//! Codes" pages, and, where connsecctl knows what the code means for the call that returned it,
//! a hint.
//!
//! The user-mode registry and WFP calls of `status` and `probe` return Win32 errors and WFP
//! `HRESULT`s, listed here; an `NTSTATUS` is named from the shared `connsec_nt::NtStatus`
//! table; anything else is shown as its number.

/// (code, name, message) for the codes `status` and `probe` meet.
const CODES: &[(u32, &str, &str)] = &[
    (
        2,
        "ERROR_FILE_NOT_FOUND",
        "the system cannot find the file specified",
    ),
    (
        3,
        "ERROR_PATH_NOT_FOUND",
        "the system cannot find the path specified",
    ),
    (5, "ERROR_ACCESS_DENIED", "access is denied"),
    (6, "ERROR_INVALID_HANDLE", "the handle is invalid"),
    (
        8,
        "ERROR_NOT_ENOUGH_MEMORY",
        "not enough memory resources are available to process this command",
    ),
    (13, "ERROR_INVALID_DATA", "the data is invalid"),
    (50, "ERROR_NOT_SUPPORTED", "the request is not supported"),
    (87, "ERROR_INVALID_PARAMETER", "the parameter is incorrect"),
    (
        120,
        "ERROR_CALL_NOT_IMPLEMENTED",
        "this function is not supported on this system",
    ),
    (
        126,
        "ERROR_MOD_NOT_FOUND",
        "the specified module could not be found",
    ),
    (
        127,
        "ERROR_PROC_NOT_FOUND",
        "the specified procedure could not be found",
    ),
    (234, "ERROR_MORE_DATA", "more data is available"),
    (259, "ERROR_NO_MORE_ITEMS", "no more data is available"),
    (
        1010,
        "ERROR_BADKEY",
        "the configuration registry key is invalid",
    ),
    (
        1012,
        "ERROR_CANTREAD",
        "the configuration registry key could not be read",
    ),
    (
        1018,
        "ERROR_KEY_DELETED",
        "illegal operation attempted on a registry key that has been marked for deletion",
    ),
    (
        1060,
        "ERROR_SERVICE_DOES_NOT_EXIST",
        "the specified service does not exist as an installed service",
    ),
    (
        1062,
        "ERROR_SERVICE_NOT_ACTIVE",
        "the service has not been started",
    ),
    (1168, "ERROR_NOT_FOUND", "element not found"),
    (
        1722,
        "RPC_S_SERVER_UNAVAILABLE",
        "the RPC server is unavailable",
    ),
    (
        1753,
        "EPT_S_NOT_REGISTERED",
        "there are no more endpoints available from the endpoint mapper",
    ),
    (
        1764,
        "RPC_S_CANNOT_SUPPORT",
        "the requested operation is not supported",
    ),
    (
        0x8032_0001,
        "FWP_E_CALLOUT_NOT_FOUND",
        "the callout does not exist",
    ),
    (0x8032_0008, "FWP_E_NOT_FOUND", "the object does not exist"),
    (
        0x8032_0009,
        "FWP_E_ALREADY_EXISTS",
        "an object with that GUID or LUID already exists",
    ),
    (
        0x8032_000A,
        "FWP_E_IN_USE",
        "the object is referenced by other objects so it cannot be deleted",
    ),
    (
        0x8032_000B,
        "FWP_E_DYNAMIC_SESSION_IN_PROGRESS",
        "the call is not allowed from within a dynamic session",
    ),
    (
        0x8032_000C,
        "FWP_E_WRONG_SESSION",
        "the call was made from the wrong session so it cannot be completed",
    ),
    (
        0x8032_000D,
        "FWP_E_NO_TXN_IN_PROGRESS",
        "the call must be made from within an explicit transaction",
    ),
    (
        0x8032_000E,
        "FWP_E_TXN_IN_PROGRESS",
        "the call is not allowed from within an explicit transaction",
    ),
    (
        0x8032_000F,
        "FWP_E_TXN_ABORTED",
        "the explicit transaction has been forcibly cancelled",
    ),
    (
        0x8032_0010,
        "FWP_E_SESSION_ABORTED",
        "the session has been cancelled",
    ),
    (0x8032_0012, "FWP_E_TIMEOUT", "the operation timed out"),
    (
        0x8032_0013,
        "FWP_E_NET_EVENTS_DISABLED",
        "collection of network diagnostic events is disabled",
    ),
    (
        0x8032_0017,
        "FWP_E_BUILTIN_OBJECT",
        "the object is built in so it cannot be deleted",
    ),
    (
        0x8032_001C,
        "FWP_E_NULL_POINTER",
        "a required pointer is null",
    ),
    (
        0x8032_001E,
        "FWP_E_INVALID_FLAGS",
        "the flags field contains an invalid value",
    ),
    (
        0x8032_0035,
        "FWP_E_INVALID_PARAMETER",
        "the parameter is incorrect",
    ),
];

/// The name and message of a code, if it is one of [`CODES`].
pub(crate) fn lookup(code: u32) -> Option<(&'static str, &'static str)> {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, m)| (*n, *m))
}

/// `NAME (0x…): message`, the `ntstatus.h` name of an `NTSTATUS`, or `error 0x…`.
pub(crate) fn describe(code: u32) -> String {
    if let Some((name, message)) = lookup(code) {
        return format!("{name} (0x{code:08X}): {message}");
    }
    let status = connsec_nt::NtStatus(code);
    if status.name().is_some() {
        status.to_string()
    } else {
        format!("error 0x{code:08X}")
    }
}

/// What a code means for opening the service's `Parameters` key.
pub(crate) fn registry_hint(code: u32) -> Option<&'static str> {
    match code {
        2 | 3 => Some("the Parameters key does not exist — is connsec installed?"),
        5 => Some("reading the Parameters key needs an administrator"),
        _ => None,
    }
}

/// What a code means for opening a WFP session.
pub(crate) fn wfp_hint(code: u32) -> Option<&'static str> {
    match code {
        5 => Some("the current user may not open a WFP session"),
        1722 | 1753 => Some("the Base Filtering Engine (BFE service) is not running"),
        1764 | 120 | 50 => {
            Some("this system does not implement the WFP management API (Wine, for example)")
        }
        _ => None,
    }
}

/// `NAME: hint (0x…: message)` when there is a hint, else [`describe`].
pub(crate) fn explain(code: u32, hint: Option<&str>) -> String {
    match (lookup(code), hint) {
        (Some((name, message)), Some(h)) => format!("{name}: {h} (0x{code:08X}: {message})"),
        _ => describe(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_names_and_messages() {
        assert_eq!(
            explain(2, registry_hint(2)),
            "ERROR_FILE_NOT_FOUND: the Parameters key does not exist — is connsec installed? \
             (0x00000002: the system cannot find the file specified)"
        );
        assert_eq!(
            describe(0x8032_0008),
            "FWP_E_NOT_FOUND (0x80320008): the object does not exist"
        );
        assert_eq!(describe(0xDEAD), "error 0x0000DEAD");
        assert_eq!(describe(0xC000_0022), "STATUS_ACCESS_DENIED (0xC0000022)");
        assert_eq!(
            describe(0xC000_0024),
            "STATUS_OBJECT_TYPE_MISMATCH (0xC0000024)"
        );
        assert!(explain(1764, wfp_hint(1764)).starts_with("RPC_S_CANNOT_SUPPORT: "));
        // Every code once, every name once.
        for (i, (c, n, _)) in CODES.iter().enumerate() {
            assert!(CODES[..i].iter().all(|(d, m, _)| d != c && m != n), "{n}");
        }
    }
}
