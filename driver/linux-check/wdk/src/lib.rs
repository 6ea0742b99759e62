//! `wdk` 0.5.0 for the Linux check of `connsec.sys`: the two items `driver/src` uses.
//! `println!` formats its arguments (so that every `Display` the driver passes runs) and drops
//! the text: the real one sends it to `DbgPrint`, which the simulator has no use for.
#![no_std]

pub use wdk_sys::NT_SUCCESS as nt_success;
pub use wdk_sys::PAGED_CODE as paged_code;

/// Formats like the real `wdk::println!`; the output goes nowhere.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        $crate::__format(core::format_args!($($arg)*));
    }};
}

#[doc(hidden)]
pub fn __format(args: core::fmt::Arguments<'_>) {
    struct Sink;
    impl core::fmt::Write for Sink {
        fn write_str(&mut self, _: &str) -> core::fmt::Result {
            Ok(())
        }
    }
    let _ = core::fmt::write(&mut Sink, args);
}
