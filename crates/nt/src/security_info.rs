//! `SECURITY_INFORMATION` bits (`winnt.h`), as `FwpmConnectionGetSecurityInfo0` and
//! `FwpmConnectionSetSecurityInfo0` take them.
//!
//! The descriptor's own constants (control bits, header and ACL sizes) are the codec's:
//! `secdesc::ControlFlags`, `secdesc::SD_HEADER_LEN`, `secdesc::MAX_ACL_LEN`.

/// `DACL_SECURITY_INFORMATION`: the DACL is read or written.
pub const DACL_SECURITY_INFORMATION: u32 = 0x0000_0004;
/// `PROTECTED_DACL_SECURITY_INFORMATION`: the supplied DACL is authoritative (no inherited
/// ACEs flow in).
pub const PROTECTED_DACL_SECURITY_INFORMATION: u32 = 0x8000_0000;
/// `UNPROTECTED_DACL_SECURITY_INFORMATION`: inheritable ACEs flow in from the parent.
pub const UNPROTECTED_DACL_SECURITY_INFORMATION: u32 = 0x2000_0000;
