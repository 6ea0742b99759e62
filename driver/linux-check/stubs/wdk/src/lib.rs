//! Stand-in for `wdk` 0.5.0 (`println!`, `paged_code!`), for the Linux type check only.
#![no_std]
pub use wdk_sys::NT_SUCCESS as nt_success;
pub use wdk_sys::PAGED_CODE as paged_code;
#[macro_export]
macro_rules! println { ($($arg:tt)*) => { { let _ = core::format_args!($($arg)*); } }; }
