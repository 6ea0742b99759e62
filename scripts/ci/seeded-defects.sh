#!/usr/bin/env bash
# Mutation check for the durable original: applies each patch in scripts/ci/seeded-defects/ to
# crates/policy/src/flow.rs, runs the crash and flow models, and fails unless every seeded
# defect makes them fail. The tree is restored after each patch (also on error or interrupt).
#
#   overwrite-stored-original.patch   a stored copy is ignored and the live descriptor written over it
#   restore-from-live-snapshot.patch  the live descriptor at load is what unload restores
#   remove-before-set.patch           the stored copy is removed before the restore's set succeeded
#
# Needs only cargo (the models are ordinary integration tests of connsec-policy).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
applied=""
revert() { if [ -n "$applied" ]; then git apply -R "$applied"; applied=""; fi; }
trap revert EXIT INT TERM

if ! git diff --quiet -- crates/policy/src/flow.rs; then
    echo "seeded-defects: crates/policy/src/flow.rs has local changes; commit or stash them first" >&2
    exit 2
fi

caught=0
total=0
for patch in scripts/ci/seeded-defects/*.patch; do
    total=$((total + 1))
    name="$(basename "$patch" .patch)"
    git apply "$patch"
    applied="$patch"
    log="${TMPDIR:-/tmp}/seeded-defect-$name.log"
    if cargo test --quiet --locked -p connsec-policy --test crash_model --test flow_model \
        >"$log" 2>&1; then
        echo "seeded-defects: $name was NOT caught (log: $log)" >&2
    elif ! grep -q "panicked at" "$log"; then
        # A patch that no longer compiles proves nothing: it must be brought up to date.
        echo "seeded-defects: $name did not build or run (log: $log)" >&2
    else
        caught=$((caught + 1))
        echo "seeded-defects: $name caught: $(grep -m1 -A1 "panicked at" "$log" | tail -n1)"
    fi
    revert
done
echo "seeded-defects: $caught of $total seeded defects caught by the models"
[ "$caught" -eq "$total" ]
