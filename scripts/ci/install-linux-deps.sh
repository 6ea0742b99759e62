#!/usr/bin/env bash
# Installs the Linux-side dependencies of connsec's verification tests, idempotently.
#
#   * python3-samba 4.22 from Debian bookworm-backports: the independent SDDL oracle used by
#     crates/secdesc/tests/differential_samba.rs (through scripts/oracle/samba_sddl.py, run with
#     Debian's /usr/bin/python3 3.11, which owns the dist-packages the bindings land in).
#     Debian 12's own Samba 4.17 is NOT an oracle (its FA alias is 0x1ff, and it misparses
#     S-1-0x... authorities; both fixed in later Samba releases), so the backports suite is
#     required.
#   * valgrind (callgrind), used by scripts/measure-callgrind.sh.
#
# Run as root. Runs `apt-get update` at most once, and only when something must be installed.
# Prints what it did. Exits non-zero if an install fails or the result does not work.
set -euo pipefail

log() { printf 'install-linux-deps: %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root (apt-get install)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
BACKPORTS_FILE=/etc/apt/sources.list.d/connsec-bookworm-backports.sources
SAMBA_MIN_MINOR=22
updated=0

apt_update_once() {
    if [ "$updated" -eq 0 ]; then
        log "apt-get update"
        apt-get update -qq
        updated=1
    fi
}

# Version of the Samba Python bindings under Debian's python, or empty when absent.
samba_version() {
    /usr/bin/python3 - <<'PY' 2>/dev/null || true
import samba
from samba.dcerpc import security  # noqa: F401  (the bindings the oracle needs)
print(samba.version)
PY
}

samba_ok() {
    local v
    v="$(samba_version)"
    case "$v" in
        4.*)
            local minor="${v#4.}"
            minor="${minor%%.*}"
            [ "$minor" -ge "$SAMBA_MIN_MINOR" ] 2>/dev/null
            ;;
        *) return 1 ;;
    esac
}

if [ ! -x /usr/bin/python3 ]; then
    apt_update_once
    log "installing Debian's python3 (the Samba bindings belong to it)"
    apt-get install -y -qq --no-install-recommends python3
fi

# --- python3-samba from bookworm-backports -------------------------------------------------
if samba_ok; then
    log "python3-samba $(samba_version) already present: nothing to do"
else
    # shellcheck source=/dev/null
    codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
    if [ "$codename" != "bookworm" ]; then
        log "this recipe is for Debian 12 (bookworm); found '${codename:-unknown}'" >&2
        exit 1
    fi
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        log "adding apt source $BACKPORTS_FILE (bookworm-backports, main)"
        cat >"$BACKPORTS_FILE" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    else
        log "a bookworm-backports apt source is already configured"
    fi
    apt_update_once
    log "installing python3-samba from bookworm-backports"
    apt-get install -y -qq -t bookworm-backports --no-install-recommends python3-samba
    if ! samba_ok; then
        log "python3-samba installed but 'from samba.dcerpc import security' under /usr/bin/python3 does not give Samba >= 4.$SAMBA_MIN_MINOR (got '$(samba_version)')" >&2
        exit 1
    fi
    log "python3-samba $(samba_version) installed"
fi

# --- valgrind --------------------------------------------------------------------------------
if command -v valgrind >/dev/null 2>&1; then
    log "valgrind $(valgrind --version) already present: nothing to do"
else
    apt_update_once
    log "installing valgrind"
    apt-get install -y -qq --no-install-recommends valgrind
    log "valgrind $(valgrind --version) installed"
fi

log "done"
