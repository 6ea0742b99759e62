//! `wdk-panic` 0.5.0 for the Linux check of `connsec.sys`: empty. The real crate defines the
//! `#[panic_handler]` of a `no_std` driver; in the simulator's test binary `std` provides it, so
//! a panic in the driver fails the test that caused it.
#![no_std]
