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
# wdk-macros caches what it parsed from wdk-sys/src/types.rs (its `scratch` directory); a cache
# older than the file would hide a changed or added PFN_WDF* type.
find "$CARGO_TARGET_DIR" -path '*/build/scratch-*/out/wdk_macros_ast_fragments/*.json' \
    ! -newer "$here/wdk-sys/src/types.rs" -delete 2>/dev/null || true
cargo fmt --check
# multiple_crate_versions: bindgen 0.73 (build script of wfp-sys) uses syn 3, wdk-macros syn 2;
# that is the build graph, not the driver's code.
cargo clippy --locked --all-targets -- -D warnings -A clippy::multiple_crate_versions
cargo test --locked --workspace -- --nocapture 2>&1 | tee "$CARGO_TARGET_DIR/test.log" |
    grep -E '^(test result|fault plans|simulated but)|FAILED|panicked' || true
if grep -qE 'FAILED|panicked|error(\[|:)' "$CARGO_TARGET_DIR/test.log"; then
    cat "$CARGO_TARGET_DIR/test.log" >&2
    echo "linux-check: tests failed" >&2
    exit 1
fi

# Coverage of driver/src by the simulator's runs: rustc's own instrumentation (llvm-tools).
llvm_bin="$(dirname "$(find "$(rustc --print sysroot)/lib/rustlib" -name llvm-profdata | head -1)")"
cov="$CARGO_TARGET_DIR/coverage"
rm -rf "$cov/profraw"
mkdir -p "$cov/profraw"
# Build scripts and proc-macros are instrumented too; their profiles go to build-profraw/.
sim_test="$(CARGO_TARGET_DIR="$cov/target" RUSTFLAGS="$RUSTFLAGS -C instrument-coverage" \
    LLVM_PROFILE_FILE="$cov/build-profraw/%p-%m.profraw" \
    cargo test --locked -p connsec-sim --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)"
LLVM_PROFILE_FILE="$cov/profraw/%p-%m.profraw" "$sim_test" >/dev/null
"$llvm_bin/llvm-profdata" merge -sparse "$cov"/profraw/*.profraw -o "$cov/sim.profdata"
# The paths as rustc saw them (the lib path in Cargo.toml is `../src/lib.rs`).
src="$here/../src"
"$llvm_bin/llvm-cov" export --format=lcov --instr-profile="$cov/sim.profdata" "$sim_test" \
    >"$cov/sim.lcov"
# Per line, the highest count over the regions that start on it (lcov DA records).
awk -v src="$src/" '
    /^SF:/ { file = substr($0, 4); keep = index(file, src) == 1; next }
    keep && /^DA:/ {
        split(substr($0, 4), f, ","); key = substr(file, length(src) + 1) ":" f[1]
        if (!(key in seen) || f[2] > seen[key]) seen[key] = f[2]
    }
    END {
        for (k in seen) { total++; if (seen[k] > 0) hit++; else print "missed " k }
        printf "driver/src: %d of %d lines executed (%.1f%%)\n", hit, total, 100 * hit / total
    }' "$cov/sim.lcov" >"$cov/lines.txt"
grep '^driver/src:' "$cov/lines.txt" | tee "$cov/summary.txt"
missed="$(sed -n 's/^missed //p' "$cov/lines.txt" | sort -t: -k1,1 -k2,2n | tr '\n' ' ')"
[ -z "$missed" ] || echo "not executed (docs/driver-on-linux.md says why): $missed"
grep -h '^external calls failed at least once' "$CARGO_TARGET_DIR/test.log"
# The target: at least 95% of driver/src's lines run on the simulator (docs/driver-on-linux.md
# lists the lines that cannot, and why).
if ! awk '/^driver\/src:/ { gsub(/[(%)]/, "", $7); exit !($7 >= 95) }' "$cov/summary.txt"; then
    echo "linux-check: driver/src line coverage is below 95%" >&2
    exit 1
fi
echo "linux-check: driver/src builds against the generated declarations, lints clean, runs on the simulated kernel"
