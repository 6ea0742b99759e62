#!/usr/bin/env bash
# Shows that the simulator catches real driver bugs: each defect in seeded-defects.py is applied
# to a scratch copy of driver/src, the simulator's tests run against it, and the script fails
# unless every defect makes a test fail. The tree itself is never modified.
# Usage: bash driver/linux-check/seeded-defects.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

export CARGO_TARGET_DIR="$repo/driver/target/linux-check"
mkdir -p "$CARGO_TARGET_DIR/native"
ar rc "$CARGO_TARGET_DIR/native/librpcrt4.a"
export RUSTC_WRAPPER="$here/rustc-wrapper.sh"
# No -D warnings: a defect need not be lint-clean to be worth catching at run time.
export RUSTFLAGS="-L native=$CARGO_TARGET_DIR/native"

count="$(python3 "$here/seeded-defects.py" count)"
caught=0
for i in $(seq 0 $((count - 1))); do
    name="$(python3 "$here/seeded-defects.py" name "$i")"
    rm -rf "$scratch/driver" "$scratch/crates" "$scratch/Cargo.toml"
    mkdir -p "$scratch/driver"
    cp -r "$repo/driver/src" "$repo/driver/linux-check" "$repo/driver/wfp-sys" "$scratch/driver/"
    # The portable crates inherit from the root workspace.
    ln -s "$repo/crates" "$scratch/crates"
    ln -s "$repo/Cargo.toml" "$scratch/Cargo.toml"
    python3 "$here/seeded-defects.py" apply "$i" "$scratch/driver/src"
    if (cd "$scratch/driver/linux-check" && cargo test -q -p connsec-sim >"$scratch/log" 2>&1); then
        echo "NOT CAUGHT: $name"
    elif grep -q '^---- ' "$scratch/log"; then
        caught=$((caught + 1))
        echo "caught: $name"
        grep -E '^---- ' "$scratch/log" | sed 's/^/    /' | head -6
        grep -m3 -E 'leaked|violation|deleted|neither|WdfDeviceInit|left:|failing runs' "$scratch/log" |
            cut -c1-200 | sed 's/^/    /' || true
    else
        echo "NOT RUN (the defect does not build): $name"
        grep -m5 -E '^error' "$scratch/log" | sed 's/^/    /' || true
    fi
done
echo "seeded defects caught: $caught of $count"
[ "$caught" -eq "$count" ]
