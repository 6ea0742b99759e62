#!/usr/bin/env bash
# The codec's checks beyond `cargo test --workspace`, run as `bash scripts/ci/codec.sh`. It runs
# scripts/ci/install-linux-deps.sh first (valgrind, Samba 4.22's Python bindings; nothing to do
# where they are present), so it also works on a fresh machine:
#
#   * secdesc alone, so without the host-only `fast-sddl` feature that the workspace build
#     turns on through connsecctl: the simple SDDL path the driver links, against the Windows
#     vectors, the Samba differential and the properties;
#   * the callgrind targets of `connsecctl sddl encode` and `sddl decode` against Samba
#     (scripts/measure-callgrind.sh, which fails when a target is missed and rewrites
#     reports/callgrind.md; the report is not committed from CI).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/ci/install-linux-deps.sh

printf '\n== secdesc without fast-sddl (the driver build of the codec)\n'
cargo test --locked -p secdesc -- --show-output

printf '\n== callgrind targets (decode >= 15x, <= 20 Ir per character at 256 ACEs; encode >= 12x)\n'
bash scripts/measure-callgrind.sh
