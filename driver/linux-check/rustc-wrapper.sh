#!/bin/sh
# RUSTC_WRAPPER for the Linux check: compiles the `tracelogging` crate as on Windows
# (`--cfg windows`), so that its `kernel_mode` feature calls EtwRegister/EtwWriteTransfer, which
# the simulator defines and records; every other crate is compiled unchanged. tracelogging
# gates its whole ETW implementation on `cfg(windows)` (its `src/native.rs`).
rustc="$1"
shift
case " $* " in
*" --crate-name tracelogging "*)
    exec "$rustc" "$@" --cfg windows -A explicit_builtin_cfgs_in_flags ;;
esac
exec "$rustc" "$@"
