#!/usr/bin/env python3
"""Syntax-check PowerShell scripts on Linux with the tree-sitter PowerShell grammar.

There is no PowerShell on the Linux CI machines (Debian has no `pwsh` package, and
PSScriptAnalyzer needs `pwsh`), so the `.ps1` files of the test-VM kit are parsed with a real
PowerShell grammar instead: tree-sitter-powershell (airbus-cert), pinned in
`scripts/ci/requirements-ps1.txt`. Every ERROR node and every MISSING node that tree-sitter
inserts during error recovery is reported as

    <file>:<line>:<column>: syntax error: <what>

with 1-based line and column numbers. This catches unterminated strings, unbalanced braces,
`$x =` without a value, `foreach (...)` without a body and similar mistakes.

The grammar accepts a few things PowerShell's own parser rejects; these are checked on the tree
and reported the same way:

* `try { }` without `catch` or `finally` ("The Try statement is missing its Catch or Finally
  block");
* two parameters with the same name (case-insensitive) in one `param(...)` block ("Duplicate
  parameter");
* two equal keys (case-insensitive, quotes ignored) in one `@{ }` literal ("Duplicate keys ...
  are not allowed in hash literals");
* `param(...)` that is not the first statement (the grammar then reads it as a command named
  `param`; PowerShell reports the misplaced attribute or fails at run time).

The kit runs on Windows PowerShell 5.1 and PowerShell 7. The grammar already rejects the 7-only
operators `??`, `??=`, `?.` and `a ? b : c`; it accepts the 7-only pipeline-chain operators `&&`
and `||`, so those are reported here, and so are commands that exist in only one of the two:
cmdlets removed in PowerShell 7 (`Get-WmiObject`, ...), cmdlets and parameters added after 5.1
(`ForEach-Object -Parallel`, `ConvertFrom-Json -AsHashtable`, `-AsByteStream`,
`-Encoding utf8NoBOM`, ...). Those lists are not exhaustive; they hold what is easy to reach for
by habit.

These extra checks are written by hand because no Linux tool does them: PSScriptAnalyzer (which
has the compatibility rules) needs `pwsh`. The parsing itself is the tree-sitter library's.

One false positive is known: a `param(...)` block followed by a statement on the same line
(`function f { param($a) $a }`) is valid PowerShell but not in this grammar; keep `param(...)`
on its own line.

Usage:
    check_ps1.py [PATH ...]

A PATH may be a file or a folder (searched recursively for `*.ps1`). Without PATH every `*.ps1`
under the repository's `scripts/` folder is checked.

Exit status: 0 when every file parses, 1 when any file has a syntax error, 2 when the check could
not run (tree-sitter modules missing, a path that does not exist, no `.ps1` file found, a file
that cannot be read or decoded).
"""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK = 0
EXIT_SYNTAX = 1
EXIT_CANNOT_RUN = 2

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def load_parser():
    """Returns a tree-sitter parser for PowerShell, or exits 2 when the modules are missing."""
    try:
        import tree_sitter
        import tree_sitter_powershell
    except ImportError as err:
        print(
            f"check_ps1: cannot import the tree-sitter modules ({err}); install them with "
            "`python3 -m pip install -r scripts/ci/requirements-ps1.txt`",
            file=sys.stderr,
        )
        sys.exit(EXIT_CANNOT_RUN)
    language = tree_sitter.Language(tree_sitter_powershell.language())
    return tree_sitter.Parser(language)


def collect(args: list[str]) -> list[Path]:
    """Expands the command-line paths into a sorted list of `.ps1` files."""
    roots = [Path(a) for a in args] if args else [REPO_ROOT / "scripts"]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.rglob("*.ps1") if p.is_file()))
        elif root.is_file():
            files.append(root)
        else:
            print(f"check_ps1: {root}: no such file or folder", file=sys.stderr)
            sys.exit(EXIT_CANNOT_RUN)
    if not files:
        print(f"check_ps1: no .ps1 file under {', '.join(map(str, roots))}", file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
    return files


def decode(path: Path) -> bytes:
    """Reads a script and returns it as UTF-8 without a byte-order mark.

    PowerShell 5.1 reads BOM-less files in the ANSI code page, so scripts are kept ASCII or saved
    with a BOM; both UTF-8 and UTF-16 BOMs are accepted here.
    """
    raw = path.read_bytes()
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        text = raw.decode("utf-16")
    else:
        text = raw.decode("utf-8-sig")
    return text.encode("utf-8")


def describe(node) -> str:
    """A short description of an ERROR or MISSING node."""
    if node.is_missing:
        return f"missing {node.type!r}"
    first = node.text.decode("utf-8", "replace").splitlines()
    snippet = first[0].strip() if first else ""
    if len(snippet) > 40:
        snippet = snippet[:37] + "..."
    what = f"unexpected {snippet!r}" if snippet else "unexpected end of input"
    end_row = node.end_point[0]
    if end_row > node.start_point[0]:
        # Error recovery often swallows everything up to the end of the enclosing block: say how
        # far, so the real mistake (an unclosed quote or brace) can be found in that range.
        what += f" (the unparsable region ends at line {end_row + 1})"
    return what


# Cmdlets that exist in only one of Windows PowerShell 5.1 and PowerShell 7 (lower case).
ONLY_IN_51 = {
    "get-wmiobject", "set-wmiinstance", "invoke-wmimethod", "remove-wmiobject",
    "register-wmievent", "get-eventlog", "new-eventlog", "write-eventlog", "clear-eventlog",
    "remove-eventlog", "limit-eventlog", "show-eventlog", "new-webserviceproxy",
    "export-console", "get-pssnapin", "add-pssnapin", "remove-pssnapin", "update-list",
    "convertfrom-string", "convert-string", "get-controlpanelitem",
    "show-controlpanelitem", "get-transaction", "start-transaction", "complete-transaction",
    "undo-transaction", "use-transaction",
}
ONLY_IN_7 = {
    "join-string", "get-error", "test-json", "convertfrom-markdown", "show-markdown",
    "get-markdownoption", "set-markdownoption", "remove-alias", "remove-service",
    "get-uptime",
}
# Parameters added after 5.1, by cmdlet (lower case, without the dash).
PARAMS_ONLY_IN_7 = {
    "foreach-object": {"parallel", "throttlelimit", "asjob"},
    "convertfrom-json": {"ashashtable", "depth", "noenumerate"},
    "convertto-json": {"enumsasstrings", "asarray", "escapehandling"},
    "get-content": {"asbytestream"},
    "set-content": {"asbytestream"},
    "add-content": {"asbytestream"},
    "invoke-webrequest": {"skipcertificatecheck", "authentication", "token"},
    "invoke-restmethod": {"skipcertificatecheck", "authentication", "token"},
    "start-process": {"environment"},
    "test-connection": {"targetname", "tcpport"},
    "select-string": {"raw", "noemphasis"},
    "get-childitem": {"followsymlink"},
}
# -Encoding values 5.1 does not know.
ENCODINGS_ONLY_IN_7 = {"utf8nobom", "utf8bom", "ansi"}


def compatibility(node) -> list[tuple[int, int, str]]:
    """Commands or parameters that exist in only one of PowerShell 5.1 and 7."""
    name_node = node.child_by_field_name("command_name")
    if name_node is None:
        return []
    name = name_node.text.decode("utf-8", "replace").lower()
    row, col = node.start_point
    if name in ONLY_IN_51:
        return [(row + 1, col + 1, f"{name_node.text.decode()!r} does not exist in PowerShell 7 "
                 "(use the CIM / Get-WinEvent equivalents)")]
    if name in ONLY_IN_7:
        return [(row + 1, col + 1, f"{name_node.text.decode()!r} is not available in Windows "
                 "PowerShell 5.1 (the kit must run on 5.1 and 7)")]
    elements = node.child_by_field_name("command_elements")
    if elements is None:
        return []
    found = []
    items = [c for c in elements.children if c.type != "command_argument_sep"]
    for i, item in enumerate(items):
        if item.type != "command_parameter":
            continue
        param = item.text.decode("utf-8", "replace").lstrip("-").rstrip(":").lower()
        prow, pcol = item.start_point
        if param in PARAMS_ONLY_IN_7.get(name, ()):
            found.append((prow + 1, pcol + 1, f"{name_node.text.decode()} {item.text.decode()} "
                          "is not available in Windows PowerShell 5.1 (the kit must run on 5.1 and 7)"))
        if param == "encoding" and i + 1 < len(items):
            value = items[i + 1].text.decode("utf-8", "replace").strip("'\"").lower()
            if value in ENCODINGS_ONLY_IN_7:
                vrow, vcol = items[i + 1].start_point
                found.append((vrow + 1, vcol + 1, f"-Encoding {value} is not available in Windows PowerShell "
                              "5.1 (it knows ASCII, UTF8 (with BOM), Unicode, Default, ...)"))
    return found


def key_text(node) -> str:
    """A hash-literal key or parameter name, normalised the way PowerShell compares them."""
    text = node.text.decode("utf-8", "replace").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text.lower()


def duplicates(children, what: str) -> list[tuple[int, int, str]]:
    """Reports every node after the first with an already-seen key."""
    seen: dict[str, int] = {}
    found = []
    for node in children:
        key = key_text(node)
        if key in seen:
            row, col = node.start_point
            found.append((row + 1, col + 1, f"duplicate {what} {node.text.decode('utf-8', 'replace').strip()!r} "
                          f"(first on line {seen[key]})"))
        else:
            seen[key] = node.start_point[0] + 1
    return found


def semantic(node) -> list[tuple[int, int, str]]:
    """The checks for what the grammar accepts but PowerShell's parser rejects (see above)."""
    row, col = node.start_point
    kinds = [c.type for c in node.children]
    if node.type == "try_statement" and "catch_clauses" not in kinds and "finally_clause" not in kinds:
        return [(row + 1, col + 1, "'try' without 'catch' or 'finally'")]
    if node.type == "parameter_list":
        names = []
        for param in node.children:
            if param.type == "script_parameter":
                names.extend(c for c in param.children if c.type == "variable")
        return duplicates(names, "parameter")
    if node.type == "hash_literal_body":
        keys = []
        for entry in node.children:
            if entry.type == "hash_entry":
                keys.extend(c for c in entry.children if c.type == "key_expression")
        return duplicates(keys, "hash key")
    if node.type == "command":
        name = node.child_by_field_name("command_name")
        if name is not None and name.text.decode("utf-8", "replace").lower() == "param":
            return [(row + 1, col + 1, "'param(...)' is not the first statement of its script or "
                     "script block, so PowerShell does not read it as a parameter block")]
        return compatibility(node)
    return []


def errors(parser, source: bytes) -> list[tuple[int, int, str]]:
    """Returns (line, column, description) for each problem, 1-based, sorted by position."""
    tree = parser.parse(source)
    found = []
    stack = [tree.root_node]
    while stack:  # iterative depth-first walk: deep scripts must not hit the recursion limit
        node = stack.pop()
        if node.type == "pipeline_chain_tail":
            row, col = node.start_point
            op = node.text.decode("utf-8", "replace").strip()
            found.append((row + 1, col + 1, f"{op!r} needs PowerShell 7 (Windows PowerShell 5.1 "
                          "has no pipeline-chain operators; use `if ($LASTEXITCODE -eq 0)`)"))
        if node.is_error or node.is_missing:
            row, col = node.start_point
            found.append((row + 1, col + 1, describe(node)))
            continue  # children of an ERROR node only repeat the same problem
        found.extend(semantic(node))
        stack.extend(reversed(node.children))
    found.sort()
    return found


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return EXIT_OK
    parser = load_parser()
    status = EXIT_OK
    files = collect(argv)
    for path in files:
        try:
            source = decode(path)
        except (OSError, UnicodeDecodeError) as err:
            print(f"{path}: cannot read: {err}", file=sys.stderr)
            return EXIT_CANNOT_RUN
        for line, col, what in errors(parser, source):
            print(f"{path}:{line}:{col}: syntax error: {what}")
            status = EXIT_SYNTAX
    if status == EXIT_OK:
        print(f"check_ps1: {len(files)} file(s) parsed without syntax errors")
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # `check_ps1.py | head`: the reader left, nothing more to say
        sys.exit(EXIT_OK)
