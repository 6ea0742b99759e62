#!/usr/bin/python3
"""SDDL -> self-relative security descriptor bytes, computed by Samba (the independent oracle).

Usage: /usr/bin/python3 scripts/oracle/samba_sddl.py [--samba-layout] DOMAIN_SID < sddl-lines
       /usr/bin/python3 scripts/oracle/samba_sddl.py --decode DOMAIN_SID < hex-lines

Reads one SDDL string per line on stdin (a trailing CR/LF is stripped; nothing else is) and
writes exactly one line per input line on stdout:

    <lowercase hex of the descriptor in Windows layout>
or  error: <Samba's message> at <offset>

DOMAIN_SID (e.g. S-1-5-21-1-2-3) resolves the domain-relative aliases (LA, LG, DA, DU, ...).

Samba 4.22 (`python3-samba` from Debian bookworm-backports; Debian's own 4.17 gets FA and
hex authorities wrong) parses the SDDL with `security.descriptor.from_sddl` and encodes each part
with `ndr_pack`. Samba lays a descriptor out as Owner, Group, SACL, DACL and always writes ACL
revision 4; Windows writes SACL, DACL, Owner, Group packed from offset 20, and ACL revision 2
unless an object ACE is present (MS-DTYP 2.4.6; Samba's librpc/ndr/ndr_sec_helper.c). This
script re-lays Samba's parts in Windows order so the bytes are comparable with connsec's
`secdesc::sddl::encode`. `--samba-layout` prints `ndr_pack(sd)` unchanged instead (used by
scripts/measure-callgrind.sh to time Samba's parser and encoder alone).

`--decode` runs the other direction: each line is the hex of a self-relative descriptor,
decoded with `ndr_unpack` (`ndr_pull_security_descriptor`) and written as SDDL with
`as_sddl` (`sddl_encode`), one SDDL line (or `error: ...`) per input line.

The bindings belong to Debian's Python 3.11: run this with /usr/bin/python3, not a pyenv one.
All input is processed in one process, so 10,000+ cases cost one interpreter start-up.
"""

import struct
import sys

from samba.dcerpc import security
from samba.ndr import ndr_pack, ndr_unpack

# ACE types that need ACL revision 4 (ACL_REVISION_DS): the object ACE types.
OBJECT_ACE_TYPES = frozenset({0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x0F, 0x10})
HEADER_LEN = 20


def acl_bytes(acl):
    """ndr_pack(acl) with the revision Windows would write."""
    raw = bytearray(ndr_pack(acl))
    if not any(ace.type in OBJECT_ACE_TYPES for ace in acl.aces):
        raw[0] = 2
    return bytes(raw)


def windows_layout(sd):
    """Header | SACL | DACL | Owner | Group, absent parts skipped (offset 0)."""
    parts = [
        ("sacl", acl_bytes(sd.sacl) if sd.sacl is not None else None),
        ("dacl", acl_bytes(sd.dacl) if sd.dacl is not None else None),
        ("owner", ndr_pack(sd.owner_sid) if sd.owner_sid is not None else None),
        ("group", ndr_pack(sd.group_sid) if sd.group_sid is not None else None),
    ]
    offsets = {}
    body = bytearray()
    for name, data in parts:
        if data is None:
            offsets[name] = 0
        else:
            offsets[name] = HEADER_LEN + len(body)
            body += data
    header = struct.pack(
        "<BBHIIII",
        1,
        0,
        sd.type,
        offsets["owner"],
        offsets["group"],
        offsets["sacl"],
        offsets["dacl"],
    )
    return header + bytes(body)


def describe(exc):
    """One-line error text from Samba's (message, detail, offset, sddl) tuple."""
    args = getattr(exc, "args", ())
    if len(args) >= 3 and isinstance(args[1], str):
        return f"{args[1]} at {args[2]}"
    return " ".join(str(a) for a in args) or type(exc).__name__


def decode(domain):
    """Hex descriptor lines in, SDDL lines out."""
    out = []
    for line in sys.stdin:
        try:
            sd = ndr_unpack(security.descriptor, bytes.fromhex(line.strip()))
            out.append(sd.as_sddl(domain))
        except Exception as exc:  # noqa: BLE001 - every failure becomes one "error:" line
            out.append("error: " + describe(exc).replace("\n", " "))
    return out


def main(argv):
    samba_layout = False
    decoding = False
    args = list(argv[1:])
    if args and args[0] == "--samba-layout":
        samba_layout = True
        args.pop(0)
    elif args and args[0] == "--decode":
        decoding = True
        args.pop(0)
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    domain = security.dom_sid(args[0])
    if decoding:
        out = decode(domain)
        sys.stdout.write("\n".join(out))
        if out:
            sys.stdout.write("\n")
        return 0
    out = []
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        try:
            sd = security.descriptor.from_sddl(text, domain)
            data = ndr_pack(sd) if samba_layout else windows_layout(sd)
            out.append(data.hex())
        except Exception as exc:  # noqa: BLE001 - every failure becomes one "error:" line
            out.append("error: " + describe(exc).replace("\n", " "))
    sys.stdout.write("\n".join(out))
    if out:
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
