#!/usr/bin/env bash
# Short fuzzing run of the secdesc codec and the policy crate (cargo-fuzz / libFuzzer): each target for
# FUZZ_SECONDS (default 30) seconds. Exits non-zero when a target crashes; the crashing input
# is left in fuzz/artifacts/<target>/ (turn it into a named regression unit test).
#
# cargo-fuzz needs nightly-only compiler flags (-Zsanitizer=address, …). Only stable Rust is
# installed, so RUSTC_BOOTSTRAP=1 lets stable rustc accept them.
#
# Corpora (fuzz/corpus/, not committed) are seeded with built-in examples and, where
# ../shared/conformance/windows-sddl/ exists, with the Windows SDDL vectors (text for
# sddl_encode, bytes for descriptor_decode).
set -euo pipefail

cd "$(dirname "$0")/../.."
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-30}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

seed() {
    local dir="fuzz/corpus/$1" name="$2" content="$3"
    mkdir -p "$dir"
    printf '%s' "$content" >"$dir/$name"
}
seed sddl_encode registry 'O:BAG:SYD:(A;;KR;;;WD)(A;;KA;;;BA)(A;;KA;;;SY)'
seed sddl_encode all-types 'O:LAG:LGD:PAI(A;OICI;FA;;;SY)(D;;0x1200a9;;;AN)(OA;CI;RPWP;bf967aba-0de6-11d0-a285-00aa003049e2;;PS)S:AI(AU;SAFA;FA;;;WD)(OU;CISA;WP;bf967aba-0de6-11d0-a285-00aa003049e2;4828cc14-1437-45bc-9b07-ad6f015e5f28;WD)(ML;;NW;;;HI)(AL;;FR;;;S-1-0x500000000-32-579)'
seed sddl_encode null 'D:NO_ACCESS_CONTROLS:P'
# sddl_encode_line: the first byte places the line's end in the rest (0xff: all of it).
seed sddl_encode_line dacl "$(printf '\xff')D:P(A;;0x1f01ff;;;SY)(D;;FA;;;S-1-5-21-1-2-3-1001)(A;;GA;;;BA)"
seed sddl_encode_line lookahead "$(printf '\x80')D:(A;;FA;;;WD)(A;;GR;;;S-1-5-32-544)
D:(A;;FA;;;SY)"
seed sid_parse domain 'S-1-5-21-2457507606-2709100691-398136650-1000'
seed sid_parse hex 'S-1-0x000500000000-32-579'
seed sid_parse long 'S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15'
if command -v python3 >/dev/null 2>&1; then
    # policy_config records: [name index][type][len u16 LE][raw registry bytes] (see the target).
    python3 - <<'PY'
import os, struct
os.makedirs("fuzz/corpus/policy_config", exist_ok=True)
def rec(index, kind, data):
    return bytes([index, kind]) + struct.pack("<H", len(data)) + data
multi = "\0".join(["SY:GENERIC_ALL", "BA:GENERIC_ALL", "NO:GENERIC_READ|GENERIC_EXECUTE",
                    "NT SERVICE\\PolicyAgent:GENERIC_READ|GENERIC_EXECUTE"]) + "\0\0"
with open("fuzz/corpus/policy_config/inf-defaults", "wb") as f:
    f.write(rec(0, 7, multi.encode("utf-16-le")) + rec(2, 4, struct.pack("<I", 1)))
with open("fuzz/corpus/policy_config/dacl-sddl", "wb") as f:
    f.write(rec(1, 1, "D:P(A;;GA;;;SY)(A;;GA;;;BA)\0".encode("utf-16-le")) + rec(3, 4, struct.pack("<I", 0)))
PY
fi

shared=../shared/conformance/windows-sddl
if [ -d "$shared" ] && command -v python3 >/dev/null 2>&1; then
    python3 - "$shared" <<'PY'
import gzip, hashlib, json, os, sys
src = sys.argv[1]
for name in ("short-ordinary-acls-v2.json.gz", "oversize-acls.json"):
    path = os.path.join(src, name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt") as f:
        vectors = json.load(f)
    for text, data in vectors.items():
        key = hashlib.sha1(text.encode()).hexdigest()[:16]
        os.makedirs("fuzz/corpus/sddl_encode", exist_ok=True)
        os.makedirs("fuzz/corpus/descriptor_decode", exist_ok=True)
        with open(f"fuzz/corpus/sddl_encode/w-{key}", "w") as out:
            out.write(text)
        with open(f"fuzz/corpus/descriptor_decode/w-{key}", "wb") as out:
            out.write(bytes(data))
PY
    echo "fuzz-smoke: seeded corpora from $shared"
else
    echo "fuzz-smoke: $shared absent (or no python3); built-in seeds only"
fi

status=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
targets=(sddl_encode sddl_encode_line sid_parse descriptor_decode policy_config)
for target in "${targets[@]}"; do
    echo "fuzz-smoke: $target for ${seconds}s"
    set +e
    cargo fuzz run --fuzz-dir fuzz "$target" -- -max_total_time="$seconds" >"$log" 2>&1
    rc=$?
    set -e
    grep -E '^Done [0-9]+ runs' "$log" || true
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$log"
        echo "fuzz-smoke: $target FAILED (exit $rc; crash input in fuzz/artifacts/$target/)"
        status=1
    fi
done
if [ "$status" -eq 0 ]; then
    echo "fuzz-smoke: ${#targets[@]} passed, 0 failed"
fi
exit "$status"
