#!/usr/bin/env bash
# The driver shell on Linux (docs/driver-on-linux.md): installs what the check needs on a fresh
# Debian/Ubuntu machine, then runs driver/linux-check/run.sh, which
#   - generates the WFP declarations with bindgen 0.73 from mingw-w64's headers and builds the
#     real driver/src against them, the KMDF 1.33 function types and the real wdk-macros;
#   - checks formatting and the driver's own lint table (clippy, warnings are errors);
#   - runs the driver on the simulated kernel: lifecycles, BFE changes, the retry timer,
#     classify on several threads, every failable external call failed alone and in pairs;
#   - prints `driver/src: N of M lines executed (P%)` (rustc -C instrument-coverage, llvm-tools)
#     and `external calls failed at least once: K of K`.
# Installs: clang and libclang-dev (bindgen), mingw-w64-x86-64-dev (the Windows headers),
# binutils (ar), and the rustup components llvm-tools, clippy, rustfmt.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v clang >/dev/null || need+=(clang)
[ -e /usr/share/mingw-w64/include/fwpmtypes.h ] || need+=(mingw-w64-x86-64-dev)
ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || need+=(libclang-dev)
command -v ar >/dev/null || need+=(binutils)
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "driver-sim: missing ${need[*]}; run as root or apt-get install them" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
rustup component add llvm-tools clippy rustfmt

bash driver/linux-check/run.sh

# Each seeded driver bug (a missing unwind step, a leaked pool buffer, a reordered unload,
# teardown under the wait lock, swapped out-parameters) must make a simulator test fail.
bash driver/linux-check/seeded-defects.sh
