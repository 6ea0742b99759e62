//! Stand-in for `wdk-panic` 0.5.0 (a panic handler), for the Linux type check only.
#![no_std]
#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
