#!/usr/bin/env bash
# `cargo make package` from the repository root must hand driver/ a cargo-make workspace of its
# own. The root Makefile.toml runs `cargo make --cwd driver package` in a child cargo-make, and
# cargo-make 0.37.24 sets CARGO_MAKE_WORKSPACE_WORKING_DIRECTORY only when it is not set yet
# (`set_workspace_cwd(dir, false)` in `environment/mod.rs`); wdk-build 0.6.0 links its makefile
# into `$CARGO_MAKE_WORKSPACE_WORKING_DIRECTORY/target/`, where driver/Makefile.toml must find it.
#
# The driver itself cannot be built on Linux (wdk-build refuses), so this runs the repository's
# real root Makefile.toml against a stand-in driver/ (a Cargo workspace of its own, like the real
# one) whose `package` task prints what the child sees, and checks that the child's workspace is
# driver/ and that the arguments arrive. It installs cargo-make 0.37.24 (the version the Windows
# workflow pins) when that is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
version=0.37.24

if ! cargo make --version 2>/dev/null | grep -qx "cargo-make $version"; then
    echo "cargo-make-root: installing cargo-make $version"
    cargo install --locked cargo-make --version "$version"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/Makefile.toml" "$work/Makefile.toml"
mkdir -p "$work/member/src" "$work/driver/src"
cat > "$work/Cargo.toml" <<'EOF'
[workspace]
resolver = "3"
members = ["member"]
exclude = ["driver"]
EOF
printf '[package]\nname = "member"\nversion = "0.0.0"\nedition = "2024"\n' > "$work/member/Cargo.toml"
: > "$work/member/src/lib.rs"
printf '[workspace]\n\n[package]\nname = "driver"\nversion = "0.0.0"\nedition = "2024"\n' > "$work/driver/Cargo.toml"
: > "$work/driver/src/lib.rs"
cat > "$work/driver/Makefile.toml" <<'EOF'
[config]
default_to_workspace = false
skip_core_tasks = true

[tasks.package]
script_runner = "@duckscript"
script = '''
echo "workspace=${CARGO_MAKE_WORKSPACE_WORKING_DIRECTORY}"
echo "args=${CARGO_MAKE_TASK_ARGS}"
'''
EOF

out=$(cd "$work" && cargo make package --locked --profile release 2>&1) || {
    echo "$out"
    echo "cargo-make-root: cargo make package failed at the root" >&2
    exit 1
}
workspace=$(printf '%s\n' "$out" | sed -n 's/^workspace=//p' | tr -d '[:space:]')
args=$(printf '%s\n' "$out" | sed -n 's/^args=//p' | sed 's/[[:space:]]*$//')
echo "cargo-make-root: the child's workspace: $workspace; its arguments: $args"
if [ "$workspace" != "$work/driver" ]; then
    echo "cargo-make-root: the child cargo-make in driver/ sees '$workspace' as its workspace, not '$work/driver': wdk-build would link its makefile into the wrong target/" >&2
    exit 1
fi
if [ "$args" != "--locked;--profile;release" ]; then
    echo "cargo-make-root: the arguments did not reach the driver's package task (got '$args')" >&2
    exit 1
fi
echo "cargo-make-root: ok"
