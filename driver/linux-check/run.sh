#!/usr/bin/env bash
# Type-checks and lints driver/src (callout module included) on Linux, against the stub crates
# in stubs/ (see README.md). It proves the Rust is well-formed and lint-clean against the API
# shapes written down in the stubs; it does not prove those shapes match the real bindings.
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
export RUSTFLAGS="-D warnings"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
echo "linux-check: driver/src type-checks, lints clean and its unit tests pass against the stubs"
