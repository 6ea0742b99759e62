#!/usr/bin/env bash
# Builds driver/src (callout module included) on Linux against generated declarations, lints it,
# and runs it on the simulated kernel in sim/ (see README.md and docs/driver-on-linux.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

# The lint tables must be the driver's own.
table() { sed -n '/^\[workspace\.lints\.rust\]/,$p' "$1"; }
if ! diff <(table ../Cargo.toml) <(table Cargo.toml) >/dev/null; then
    echo "linux-check: the [workspace.lints] tables of driver/Cargo.toml and driver/linux-check/Cargo.toml differ" >&2
    diff <(table ../Cargo.toml) <(table Cargo.toml) >&2 || true
    exit 1
fi

export CARGO_TARGET_DIR="$here/../target/linux-check"
# driver/.cargo/config.toml sets +crt-static for the real (Windows) build; on Linux it would stop
# proc-macros from building. A set RUSTFLAGS replaces that config's build.rustflags.
# tracelogging is compiled as on Windows (rustc-wrapper.sh) so that its kernel_mode ETW calls
# reach the simulator; its `cfg(windows)` code also names rpcrt4 (`Guid::new`, unused), which an
# empty archive satisfies.
mkdir -p "$CARGO_TARGET_DIR/native"
ar rc "$CARGO_TARGET_DIR/native/librpcrt4.a"
export RUSTC_WRAPPER="$here/rustc-wrapper.sh"
export RUSTFLAGS="-D warnings -L native=$CARGO_TARGET_DIR/native"
cargo fmt --check
# multiple_crate_versions: bindgen 0.73 (build script of wfp-sys) uses syn 3, wdk-macros syn 2;
# that is the build graph, not the driver's code.
cargo clippy --all-targets -- -D warnings -A clippy::multiple_crate_versions
cargo test
echo "linux-check: driver/src builds against the generated declarations, lints clean, and its tests pass"
