#!/usr/bin/env bash
# connsecctl's Windows build, run under Wine: the Windows code paths (UTF-16 console and file
# output, the registry reader of `status`, the WFP error reporting) run somewhere on every CI
# run, and Wine's `reg import`/`reg export` check what connsecctl reads and writes.
#
#   bash scripts/ci/wine-connsecctl.sh      (from anywhere; run as root on a fresh machine)
#
# Installs (only what is missing): Debian's wine + wine64 (Wine 8) and gcc-mingw-w64-x86-64,
# and the Rust target x86_64-pc-windows-gnu. Builds connsecctl.exe with mingw-w64's linker and
# a one-function bcryptprimitives.dll shim (see scripts/ci/bcryptprimitives-shim.c for why),
# creates a throw-away Wine prefix, and checks, printing each:
#   1. plan, plan --json, check, emit inf print the same under Wine as on Linux;
#   2. emit reg -o writes the same bytes under Wine as on Linux;
#   3. emit reg -> wine reg import -> wine reg export: the exported key holds the emitted
#      values, byte for byte in regedit's text, and check/plan of the export give the same plan;
#   4. status reads the live Parameters key through the registry API (values counted,
#      OriginalDacl seen) and names the WFP step Wine does not implement; without the key it
#      says the key does not exist; --json gives a JSON error object; probe names the error;
#   5. the differential test: generated .reg files imported by Wine and planned by connsecctl
#      hold the same key (crates/connsecctl/tests/wine_differential.rs).
# Takes about two minutes on two cores after the builds.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never

log() { printf 'wine-connsecctl: %s\n' "$*"; }
ok() { printf 'wine-connsecctl: ok: %s\n' "$*"; }
fail() {
    printf 'wine-connsecctl: FAILED: %s\n' "$*" >&2
    exit 1
}

# --- installs --------------------------------------------------------------------------------
if ! command -v wine >/dev/null || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    [ "$(id -u)" -eq 0 ] || fail "wine and mingw-w64 are missing; run as root to install them"
    log "apt-get install wine wine64 gcc-mingw-w64-x86-64"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends wine wine64 gcc-mingw-w64-x86-64 >/dev/null
fi
log "$(wine --version 2>/dev/null), $(x86_64-w64-mingw32-gcc --version | head -n1)"
rustup target add x86_64-pc-windows-gnu >/dev/null 2>&1 || rustup target add x86_64-pc-windows-gnu

# --- build -----------------------------------------------------------------------------------
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
log "cargo build connsecctl for x86_64-pc-windows-gnu and for this host (release)"
cargo build --locked --release -q -p connsecctl --target x86_64-pc-windows-gnu
cargo build --locked --release -q -p connsecctl
WINBIN=target/x86_64-pc-windows-gnu/release
EXE="$WINBIN/connsecctl.exe"
LINUX=target/release/connsecctl
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$WINBIN/bcryptprimitives.dll" \
    scripts/ci/bcryptprimitives-shim.c -ladvapi32
ok "built $EXE and the ProcessPrng shim $WINBIN/bcryptprimitives.dll"

# --- a throw-away prefix ---------------------------------------------------------------------
WORK=$(mktemp -d)
export WINEPREFIX="$WORK/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
    wineserver -k >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
wineboot -i >/dev/null 2>&1 || true
# wineboot returns while the new prefix is still being set up (registry, fonts); a program
# started then can fail to run. Wait for the wineserver of the set-up to finish and exit.
wineserver -w
log "Wine prefix $WINEPREFIX"
KEY='HKLM\SYSTEM\CurrentControlSet\Services\connsec\Parameters'
# A path of this machine as Wine's Z: drive sees it.
winpath() { printf 'Z:%s' "$(realpath "$1" | tr / '\\')"; }
# Runs connsecctl.exe; stdout to $1, stderr to $2; prints the exit status.
runwin() {
    local out=$1 err=$2
    shift 2
    set +e
    wine "$EXE" "$@" >"$out" 2>"$err"
    local rc=$?
    set -e
    echo "$rc"
}

# --- 1. the same output under Wine as on Linux -----------------------------------------------
same() {
    local what=$1
    shift
    local rc_l rc_w
    set +e
    "$LINUX" "$@" >"$WORK/l.out" 2>"$WORK/l.err"
    rc_l=$?
    set -e
    rc_w=$(runwin "$WORK/w.out" "$WORK/w.err" "$@")
    [ "$rc_l" = "$rc_w" ] || fail "$what: exit $rc_w under Wine, $rc_l on Linux; Wine's stderr: $(head -c 2000 "$WORK/w.err")"
    cmp -s "$WORK/l.out" "$WORK/w.out" || {
        diff "$WORK/l.out" "$WORK/w.out" | head -n 20 >&2
        fail "$what: output differs under Wine"
    }
    ok "$what: same output and exit status ($rc_w) under Wine as on Linux"
}
same "plan" plan
same "plan --json" --json plan
same "plan --principal" plan --principal SY:GENERIC_ALL --principal BA:GENERIC_ALL \
    --principal 'NT SERVICE\MpsSvc:GENERIC_READ'
same "check inf/connsec.inx and .reg fixtures" check inf/connsec.inx \
    crates/connsecctl/tests/fixtures/default.reg crates/connsecctl/tests/fixtures/bad.reg
same "plan --inf inf/connsec.inx" plan --inf inf/connsec.inx
same "emit inf" emit inf
same "emit reg (stdout)" emit reg

# --- 2. emit reg -o: the same bytes ----------------------------------------------------------
"$LINUX" emit reg -o "$WORK/linux.reg"
rc=$(runwin "$WORK/w.out" "$WORK/w.err" emit reg -o "$(winpath "$WORK")\\win.reg")
[ "$rc" = 0 ] || fail "emit reg -o under Wine: exit $rc: $(cat "$WORK/w.err")"
cmp -s "$WORK/linux.reg" "$WORK/win.reg" || fail "emit reg -o: Wine and Linux files differ"
head -c 2 "$WORK/win.reg" | od -An -tx1 | grep -q 'ff fe' || fail "emit reg -o: no UTF-16LE BOM"
ok "emit reg -o: the same $(stat -c %s "$WORK/win.reg") bytes under Wine as on Linux (UTF-16LE, BOM)"

# --- 3. emit -> reg import -> reg export -> check ---------------------------------------------
wine reg delete 'HKLM\SYSTEM\CurrentControlSet\Services\connsec' /f >/dev/null 2>&1 || true
wine reg import "$(winpath "$WORK/win.reg")" >/dev/null 2>&1 || fail "wine reg import of the emitted file"
wine reg export "$KEY" "$(winpath "$WORK")\\exported.reg" /y >/dev/null 2>&1 ||
    fail "wine reg export $KEY"
# The values as regedit's text, one entry per value (continuations joined), deletions and
# the header left out: Wine lists values sorted by name, emit in plan order.
entries() {
    python3 - "$1" <<'PY'
import sys
text = open(sys.argv[1], "rb").read().decode("utf-16")
entries, cur = [], None
for line in text.split("\r\n"):
    if cur is not None:
        cur += "\r\n" + line
        if not line.endswith("\\"):
            entries.append(cur.replace("\r\n", "<CRLF>")); cur = None
        continue
    if line.startswith(('"', "@")) and not line.endswith("=-"):
        if line.endswith("\\"):
            cur = line
        else:
            entries.append(line)
print("\n".join(sorted(entries)))
PY
}
entries "$WORK/win.reg" >"$WORK/emitted.entries"
entries "$WORK/exported.reg" >"$WORK/exported.entries"
cmp -s "$WORK/emitted.entries" "$WORK/exported.entries" || {
    diff "$WORK/emitted.entries" "$WORK/exported.entries" >&2
    fail "reg export after reg import differs from what emit wrote"
}
ok "emit reg -> wine reg import -> wine reg export: $(wc -l <"$WORK/exported.entries") values, each written exactly as Wine's export writes it"
"$LINUX" check "$WORK/exported.reg" >"$WORK/check.out" || {
    cat "$WORK/check.out" >&2
    fail "check of Wine's export"
}
want=$("$LINUX" --json plan | python3 -c 'import json,sys; print(json.load(sys.stdin)["descriptor"]["hex"])')
got=$("$LINUX" --json plan --reg "$WORK/exported.reg" | python3 -c 'import json,sys; print(json.load(sys.stdin)["descriptor"]["hex"])')
[ "$want" = "$got" ] || fail "plan of Wine's export differs from the plan that was emitted"
rc=$(runwin "$WORK/w.out" "$WORK/w.err" check "$(winpath "$WORK")\\exported.reg")
[ "$rc" = 0 ] || fail "check of Wine's export under Wine: exit $rc"
ok "check of Wine's export passes (Linux and Wine) and plans the same descriptor (${#want} hex digits)"

# --- 4. status and probe: the registry read for real, WFP named --------------------------------
expect_status() {
    local what=$1 pattern=$2
    shift 2
    local rc
    rc=$(runwin "$WORK/w.out" "$WORK/w.err" "$@")
    [ "$rc" = 2 ] || fail "$what: exit $rc (expected 2): $(cat "$WORK/w.err")"
    grep -Eq "$pattern" "$WORK/w.err" || fail "$what: stderr does not match /$pattern/: $(cat "$WORK/w.err")"
    ok "$what: $(cat "$WORK/w.err")"
}
expect_status "status with the imported key" \
    'read HKLM\\SYSTEM\\CurrentControlSet\\Services\\connsec\\Parameters \(3 values; OriginalDacl not stored.*FwpmEngineOpen0 failed: [A-Z_]+: ' \
    status
wine reg add "$KEY" /v OriginalDacl /t REG_BINARY /d "$want" /f >/dev/null 2>&1 ||
    fail "wine reg add OriginalDacl"
expect_status "status with a stored OriginalDacl" \
    "\\(4 values; OriginalDacl stored \\($((${#want} / 2)) bytes\\)\\); then FwpmEngineOpen0 failed: [A-Z_]+: " status
wine reg delete 'HKLM\SYSTEM\CurrentControlSet\Services\connsec' /f >/dev/null 2>&1
expect_status "status without the key" \
    'ERROR_FILE_NOT_FOUND: the Parameters key does not exist — is connsec installed\?' status
rc=$(runwin "$WORK/w.out" "$WORK/w.err" --json status)
[ "$rc" = 2 ] || fail "--json status: exit $rc"
python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); assert v["ok"] is False and v["exit"] == 2 and "ERROR_FILE_NOT_FOUND" in v["error"]["message"], v' "$WORK/w.out" ||
    fail "--json status: no JSON error object on stdout"
ok "--json status: a JSON error object on stdout, exit 2"
expect_status "probe" 'probe: FwpmEngineOpen0 failed: [A-Z_]+: ' probe

# --- 5. the differential test ----------------------------------------------------------------
log "differential: generated .reg files through wine reg import/export against connsecctl"
set +e
CONNSEC_WINE=1 cargo test --locked -q -p connsecctl --test wine_differential -- --show-output \
    >"$WORK/diff.out" 2>&1
rc=$?
set -e
grep -E 'wine differential|planned:|Wine:|panicked' "$WORK/diff.out" || true
[ "$rc" = 0 ] || {
    tail -n 30 "$WORK/diff.out" >&2
    fail "the Wine differential test"
}
ok "differential test passed"
log "all Wine checks passed"
