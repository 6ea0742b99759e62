//! The test-VM kit's PowerShell scripts, checked on Linux.
//!
//! * Syntax: `scripts/ci/check_ps1.py` parses every `scripts/**/*.ps1` with the tree-sitter
//!   PowerShell grammar. The tests also prove the checker fails on broken input (a temporary file
//!   with an unterminated string, an unclosed block, a PowerShell 7-only operator). When the
//!   Python modules are missing the syntax tests print why and skip, unless the environment
//!   variable `CI` is set: then they fail, because CI must install
//!   `scripts/ci/requirements-ps1.txt`.
//! * Conventions (pure Rust, always run): every script asks for PowerShell 5.1, turns on strict
//!   mode and stop-on-error, is ASCII (Windows PowerShell 5.1 reads BOM-less files in the ANSI
//!   code page), has comment-based help, and every script that changes the machine supports
//!   `-WhatIf`.
//! * The ETW provider GUID in the kit is the `TraceLogging` name hash of `Connsec.Driver` and, once
//!   `crates/events` pins it, equal to the GUID there.

use core::sync::atomic::{AtomicUsize, Ordering};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use connsec_tests::{read_text, repo_root};

/// The provider name and its `TraceLogging` name-hash GUID (`TraceLoggingDynamic.h`; tracelogging
/// 1.2.4 `Guid::from_name`), computed with
/// SHA-1 over the namespace ‖ UTF-16BE("CONNSEC.DRIVER"), byte 7 = (b & 0x0F) | 0x50.
const PROVIDER_NAME: &str = "Connsec.Driver";
const PROVIDER_GUID: &str = "d0cc7703-58db-567c-a55d-17c9b47e8af7";

/// Scripts that change the machine and therefore must support `-WhatIf`/`-Confirm`.
const CHANGING_SCRIPTS: &[&str] = &[
    "Initialize-TestVM.ps1",
    "Install-Connsec.ps1",
    "Trace-Connsec.ps1",
    "Test-ConnsecAccess.ps1",
    "Uninstall-Connsec.ps1",
    "Reset-TestVM.ps1",
];

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn checker() -> PathBuf {
    repo_root().join("scripts/ci/check_ps1.py")
}

/// Whether the tree-sitter modules can be imported. Without them: skip with a reason, or fail
/// under CI.
fn tree_sitter_available(test: &str) -> bool {
    let probe = Command::new(python())
        .args(["-c", "import tree_sitter, tree_sitter_powershell"])
        .output();
    let reason = match probe {
        Ok(out) if out.status.success() => return true,
        Ok(out) => format!(
            "the tree-sitter modules are not importable ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => format!("cannot run {}: {e}", python()),
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {reason}; CI must run `python3 -m pip install -r scripts/ci/requirements-ps1.txt`"
    );
    println!(
        "{test}: SKIPPED: {reason}; install them with \
         `python3 -m pip install -r scripts/ci/requirements-ps1.txt`"
    );
    false
}

fn run_checker(args: &[&Path]) -> Output {
    Command::new(python())
        .arg(checker())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", checker().display()))
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every `.ps1` below `scripts/`, sorted.
fn scripts() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![repo_root().join("scripts")];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ps1"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("connsec-ps1-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_script_in_the_kit_parses() {
    if !tree_sitter_available("every_script_in_the_kit_parses") {
        return;
    }
    let all = scripts();
    assert!(
        all.len() >= CHANGING_SCRIPTS.len(),
        "expected the kit's scripts under scripts/, found {all:?}"
    );
    let out = run_checker(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "{} file(s) parsed without syntax errors",
            all.len()
        )),
        "the checker did not check every script ({} expected): {}",
        all.len(),
        describe(&out)
    );
}

#[test]
fn checker_accepts_valid_powershell() {
    if !tree_sitter_available("checker_accepts_valid_powershell") {
        return;
    }
    let dir = TempDir::new("valid");
    let good = dir.write(
        "good.ps1",
        "#Requires -Version 5.1\n\
         [CmdletBinding(SupportsShouldProcess)]\n\
         param([Parameter(Mandatory = $true)][string]$Path, [switch]$Force)\n\
         Set-StrictMode -Version Latest\n\
         $ErrorActionPreference = 'Stop'\n\
         $h = @{ a = 1; b = @(1, 2) }\n\
         try { & pnputil.exe /enum-drivers | Out-Null } finally { Write-Host \"$env:TEMP $PSScriptRoot\" }\n\
         function g {\n    param([string]$A, [int]$B)\n    try { $A } catch { $B }\n}\n\
         $n = @{ a = 1; b = @{ a = 2 }; 'c' = 3 }\n\
         if ($PSCmdlet.ShouldProcess($Path, 'touch')) { exit 0 }\n",
    );
    let out = run_checker(&[&good]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn checker_rejects_injected_syntax_errors() {
    if !tree_sitter_available("checker_rejects_injected_syntax_errors") {
        return;
    }
    let dir = TempDir::new("broken");
    let cases = [
        (
            "unterminated-string.ps1",
            "$ok = 1\n$x = \"abc\nWrite-Host $x\n",
            2,
        ),
        (
            "unclosed-block.ps1",
            "function f {\n  if ($a) {\n    1\n}\n",
            4,
        ),
        ("missing-value.ps1", "$a = 1\n$x =\n", 2),
        ("unclosed-array.ps1", "$y = @(1, 2\n", 1),
        ("ps7-chain.ps1", "$a = 1\ngit status && Write-Host ok\n", 2),
        ("ps7-coalesce.ps1", "$a = $null\n$b = $a ?? 3\n", 2),
        // Accepted by the grammar, rejected by PowerShell's parser: checked on the tree.
        ("try-alone.ps1", "$a = 1\ntry { Get-Item x }\n", 2),
        (
            "duplicate-parameter.ps1",
            "function f {\n    param([string]$Name, [int]$name)\n    $Name\n}\n",
            2,
        ),
        (
            "duplicate-key.ps1",
            "$h = @{\n    Tool = 1\n    'tool' = 2\n}\n",
            3,
        ),
        ("late-param.ps1", "Write-Host 'first'\nparam($x)\n", 2),
        // Commands that exist in only one of Windows PowerShell 5.1 and PowerShell 7.
        (
            "ps51-only.ps1",
            "$a = 1\nGet-WmiObject Win32_OperatingSystem\n",
            2,
        ),
        (
            "ps7-param.ps1",
            "$j = '{}'\n$h = $j | ConvertFrom-Json -AsHashtable\n",
            2,
        ),
        (
            "ps7-encoding.ps1",
            "$a = 1\nSet-Content -Path x -Value y -Encoding utf8NoBOM\n",
            2,
        ),
    ];
    for (name, text, line) in cases {
        let path = dir.write(name, text);
        let out = run_checker(&[&path]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name} was not rejected: {}",
            describe(&out)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expected = format!("{}:{line}:", path.display());
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&expected) && l.contains(": syntax error: ")),
            "{name}: expected a `{expected}<col>: syntax error` line: {}",
            describe(&out)
        );
    }
    // One bad file among good ones still fails the whole run.
    let good = dir.write("good.ps1", "Write-Host 'fine'\n");
    let bad = dir.write("bad.ps1", "if ($true) {\n");
    let out = run_checker(&[&good, &bad]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}

#[test]
fn checker_reports_paths_it_cannot_check() {
    if !tree_sitter_available("checker_reports_paths_it_cannot_check") {
        return;
    }
    let dir = TempDir::new("missing");
    let out = run_checker(&[&dir.0.join("does-not-exist.ps1")]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let out = run_checker(&[&dir.0]); // a folder without any .ps1
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn checker_exits_2_without_tree_sitter() {
    // `python3 -S` skips site-packages, where pip installs the grammar: the checker must say so
    // and exit 2 rather than pass or report syntax errors.
    let probe = Command::new(python())
        .args(["-S", "-c", "import tree_sitter"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {
            println!(
                "checker_exits_2_without_tree_sitter: SKIPPED: tree_sitter is importable even \
                 without site-packages, so its absence cannot be simulated"
            );
            return;
        }
        Ok(_) => {}
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "cannot run {}: {e}",
                python()
            );
            println!(
                "checker_exits_2_without_tree_sitter: SKIPPED: cannot run {}: {e}",
                python()
            );
            return;
        }
    }
    let out = Command::new(python())
        .arg("-S")
        .arg(checker())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", checker().display()));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("requirements-ps1.txt"),
        "the message should say how to install the modules: {}",
        describe(&out)
    );
}

/// Strips `<# ... #>` block comments and `#` line comments well enough for the convention checks
/// (the scripts keep `#` out of strings where a check looks).
fn code_lines(text: &str) -> Vec<&str> {
    let mut in_block = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if in_block {
            if trimmed.contains("#>") {
                in_block = false;
            }
            continue;
        }
        if trimmed.starts_with("<#") {
            in_block = !trimmed.contains("#>");
            continue;
        }
        if trimmed.starts_with('#') && !trimmed.starts_with("#Requires") {
            continue;
        }
        lines.push(line);
    }
    lines
}

#[test]
fn scripts_follow_the_kit_conventions() {
    let all = scripts();
    let names: Vec<String> = all
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for required in CHANGING_SCRIPTS {
        assert!(
            names.iter().any(|n| n == required),
            "scripts/{required} is missing (found {names:?})"
        );
    }
    let mut problems = Vec::new();
    for path in &all {
        let rel = relative(path);
        let text = read_text(&rel);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((n, line)) = text.lines().enumerate().find(|(_, l)| !l.is_ascii()) {
            problems.push(format!("{rel}:{}: non-ASCII text ({line:?})", n + 1));
        }
        let code = code_lines(&text);
        let has = |needle: &str| code.iter().any(|l| l.contains(needle));
        for needle in [
            "#Requires -Version 5.1",
            "Set-StrictMode -Version Latest",
            "$ErrorActionPreference = 'Stop'",
        ] {
            if !has(needle) {
                problems.push(format!("{rel}: lacks `{needle}`"));
            }
        }
        if !text.contains(".SYNOPSIS") {
            problems.push(format!("{rel}: lacks comment-based help (.SYNOPSIS)"));
        }
        if CHANGING_SCRIPTS.contains(&name.as_str()) {
            if !has("[CmdletBinding(SupportsShouldProcess") {
                problems.push(format!(
                    "{rel}: changes the machine but lacks [CmdletBinding(SupportsShouldProcess...)]"
                ));
            }
            if !has("ShouldProcess(") {
                problems.push(format!("{rel}: never calls ShouldProcess(...)"));
            }
            if !text.contains(".EXAMPLE") {
                problems.push(format!("{rel}: lacks an .EXAMPLE in its help"));
            }
        }
        // Exit codes: a script that fails must not exit 0. Every `exit` names a code.
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            if t == "exit" || t.ends_with("; exit") {
                problems.push(format!("{rel}:{}: bare `exit` (name the exit code)", n + 1));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "convention problems:\n{}",
        problems.join("\n")
    );
}

/// Every GUID in the kit that sits on a line naming the provider is the provider's GUID, the
/// `.wprp` and the `.guid` file name it, and `crates/events` (when it exists) pins the same one.
#[test]
fn provider_guid_is_consistent() {
    let wprp = read_text("scripts/etw/connsec.wprp");
    assert!(
        wprp.to_ascii_lowercase().contains(PROVIDER_GUID),
        "scripts/etw/connsec.wprp does not name {PROVIDER_GUID}"
    );
    assert!(
        wprp.contains("NonPagedMemory=\"true\""),
        "scripts/etw/connsec.wprp: kernel providers need NonPagedMemory=\"true\""
    );
    let guid_file = read_text("scripts/etw/connsec.guid");
    let first = guid_file
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with(';'))
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default();
    assert_eq!(
        first.to_ascii_lowercase(),
        PROVIDER_GUID,
        "scripts/etw/connsec.guid"
    );

    let common = read_text("scripts/ConnsecCommon.ps1");
    assert!(
        common.contains(&format!("'{PROVIDER_NAME}'")) && common.contains(PROVIDER_GUID),
        "scripts/ConnsecCommon.ps1 must define the provider name and GUID"
    );
    let windbg = read_text("scripts/windbg/connsec.wds");
    assert!(
        windbg.to_ascii_lowercase().contains(PROVIDER_GUID),
        "connsec.wds lacks the GUID"
    );

    // Any GUID-shaped word in the kit that is not the provider GUID must not claim to be it.
    let mut files = scripts();
    files.push(repo_root().join("scripts/etw/connsec.wprp"));
    files.push(repo_root().join("scripts/windbg/connsec.wds"));
    for path in files {
        let rel = relative(&path);
        let text = read_text(&rel);
        for (n, line) in text.lines().enumerate() {
            if !line.contains(PROVIDER_NAME) && !line.contains("ProviderGuid") {
                continue;
            }
            for word in guid_words(line) {
                assert_eq!(
                    word.to_ascii_lowercase(),
                    PROVIDER_GUID,
                    "{rel}:{}: a GUID next to the provider name that is not its GUID",
                    n + 1
                );
            }
        }
    }

    let events = repo_root().join("crates/events/src");
    if !events.is_dir() {
        println!("provider_guid_is_consistent: crates/events/src absent, cross-check SKIPPED");
        return;
    }
    let mut pinned = Vec::new();
    let mut pending = vec![events];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("listing crates/events/src") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("reading an events source");
                pinned.extend(guid_words(&text).into_iter().map(str::to_ascii_lowercase));
            }
        }
    }
    if pinned.is_empty() {
        println!(
            "provider_guid_is_consistent: crates/events/src pins no GUID text yet, \
             cross-check SKIPPED"
        );
        return;
    }
    assert!(
        pinned.iter().any(|g| g == PROVIDER_GUID),
        "crates/events pins {pinned:?}, the kit uses {PROVIDER_GUID}"
    );
}

/// The kit knows the driver's durable original: `ConnsecCommon.ps1` names the policy crate's
/// value, `Uninstall-Connsec.ps1` deletes it only after the verification that throws on a
/// mismatch and before anything is removed, and `Reset-TestVM.ps1` refuses (without `-Force`)
/// while it or the kit's snapshot exists.
#[test]
fn the_kit_keeps_the_stored_original_until_it_is_verified_back() {
    let common = read_text("scripts/ConnsecCommon.ps1");
    assert!(
        common.contains(&format!(
            "$script:ConnsecOriginalDaclValue = '{}'",
            connsec_policy::config::ORIGINAL_DACL
        )),
        "ConnsecCommon.ps1 names Parameters\\{}",
        connsec_policy::config::ORIGINAL_DACL
    );
    let uninstall = read_text("scripts/Uninstall-Connsec.ps1");
    let at = |needle: &str| {
        uninstall
            .find(needle)
            .unwrap_or_else(|| panic!("Uninstall-Connsec.ps1 lacks {needle:?}"))
    };
    let read = at("$stored = Get-StoredOriginalDacl");
    let restore = at("Set-ConnsecConnectionDacl -Sddl $stored");
    let verify = at("is not the stored original after writing it back");
    let delete = at(
        "Remove-ItemProperty -LiteralPath $script:ConnsecParametersKey -Name $script:ConnsecOriginalDaclValue",
    );
    let package = at("Write-ConnsecStep 'Driver package'");
    assert!(
        read < restore && restore < verify && verify < delete && delete < package,
        "Uninstall-Connsec.ps1: read, restore, verify, delete the stored original, then remove the package"
    );
    let reset = read_text("scripts/Reset-TestVM.ps1");
    for needle in [
        "$script:ConnsecOriginalDaclValue",
        "$script:ConnsecOriginalSddlFile",
        "if ($Force) { Write-Warning $u } else { throw",
    ] {
        assert!(reset.contains(needle), "Reset-TestVM.ps1 lacks {needle:?}");
    }
}

/// The README, `docs/*.md` and the `WinDbg` README, sorted; with `wds`, the `WinDbg` scripts too.
fn doc_sources(wds: bool) -> Vec<String> {
    let mut sources = vec![
        "README.md".to_owned(),
        "scripts/windbg/README.md".to_owned(),
    ];
    let mut dirs = vec![("docs", "md")];
    if wds {
        dirs.push(("scripts/windbg", "wds"));
    }
    for (dir, ext) in dirs {
        let mut names: Vec<String> = std::fs::read_dir(repo_root().join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| {
                e.expect("directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| {
                Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case(ext))
            })
            .map(|n| format!("{dir}/{n}"))
            .collect();
        names.sort();
        sources.extend(names);
    }
    sources
}

/// The keyword constants of `crates/events/src/lib.rs` (`pub const KW_…: u64 = 0x…;`), OR-ed.
fn event_keywords() -> u64 {
    let src = read_text("crates/events/src/lib.rs");
    let mut all = 0;
    let mut found = 0;
    for line in src.lines() {
        let Some(rest) = line.trim().strip_prefix("pub const KW_") else {
            continue;
        };
        let value = rest
            .split("= 0x")
            .nth(1)
            .and_then(|v| v.strip_suffix(';'))
            .unwrap_or_else(|| panic!("crates/events/src/lib.rs: unreadable keyword {line:?}"));
        all |= u64::from_str_radix(value, 16).expect("a hex keyword");
        found += 1;
    }
    assert!(
        found >= 5,
        "crates/events/src/lib.rs: only {found} keywords found"
    );
    all
}

fn parse_mask(text: &str) -> u64 {
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or_else(|| panic!("mask {text:?} is not 0x…"));
    u64::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("mask {text:?}: {e}"))
}

/// Every connsec event carries a non-zero keyword, and a `TraceLogging` provider writes a keyworded
/// event only to sessions whose `MatchAnyKeyword` shares a bit with it: every tracelog command the
/// kit and the docs give, and the GUID file, must enable all of connsec's keywords.
#[test]
fn every_trace_command_enables_connsec_s_keywords() {
    let keywords = event_keywords();
    let guid_file = read_text("scripts/etw/connsec.guid");
    let lines: Vec<&str> = guid_file
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "scripts/etw/connsec.guid: one guid;matchanykeyword;level line"
    );
    let fields: Vec<&str> = lines[0].split(';').collect();
    assert_eq!(fields.len(), 3, "scripts/etw/connsec.guid: {:?}", lines[0]);
    assert_eq!(
        parse_mask(fields[1]) & keywords,
        keywords,
        "scripts/etw/connsec.guid: the mask misses a keyword"
    );
    assert_eq!(
        fields[2], "5",
        "scripts/etw/connsec.guid: level 5 (verbose)"
    );

    let common = read_text("scripts/ConnsecCommon.ps1");
    let kit_mask = common
        .lines()
        .find_map(|l| l.trim().strip_prefix("$script:ConnsecKeywordMask = '"))
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or_else(|| panic!("ConnsecCommon.ps1 defines no $script:ConnsecKeywordMask"));
    assert_eq!(
        parse_mask(kit_mask) & keywords,
        keywords,
        "ConnsecCommon.ps1: mask"
    );
    assert!(
        common.contains("'-matchanykw', $script:ConnsecKeywordMask")
            && common.contains("$guid, $script:ConnsecKeywordMask"),
        "ConnsecCommon.ps1: tracelog and logman use the kit's mask"
    );

    let sources = doc_sources(true);
    let mut checked = 0;
    let mut problems = Vec::new();
    for source in &sources {
        for (n, line) in read_text(source).lines().enumerate() {
            let Some(at) = line.find("tracelog -start") else {
                continue;
            };
            checked += 1;
            let words: Vec<&str> = line[at..]
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '-')))
                .collect();
            let mask = words
                .iter()
                .position(|w| *w == "-matchanykw")
                .and_then(|i| words.get(i + 1));
            match mask {
                Some(m) if parse_mask(m) & keywords == keywords => {}
                _ => problems.push(format!("{source}:{}: {}", n + 1, line.trim())),
            }
            if words.contains(&"-flag") {
                problems.push(format!("{source}:{}: -flag instead of -matchanykw", n + 1));
            }
        }
        for (n, line) in read_text(source).lines().enumerate() {
            if line.contains("Get-WinEvent -Path") && !line.contains("-Oldest") {
                problems.push(format!(
                    "{source}:{}: Get-WinEvent on an .etl needs -Oldest",
                    n + 1
                ));
            }
        }
    }
    assert!(
        checked >= 4,
        "only {checked} tracelog commands found: is the scan broken?"
    );
    assert!(
        problems.is_empty(),
        "tracelog commands without a MatchAnyKeyword covering 0x{keywords:x}:\n{}",
        problems.join("\n")
    );
}

/// Parameters a script declares: every `$Name` between its `param(` and `Set-StrictMode` lines.
fn declared_parameters(text: &str) -> Vec<String> {
    let start = text.find("\nparam(").unwrap_or(0);
    let end = text.find("\nSet-StrictMode").unwrap_or(text.len());
    let block = text.get(start..end).unwrap_or_default();
    block
        .split('$')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|n| !n.is_empty() && n != "true" && n != "false")
        .collect()
}

/// Every `.\<Script>.ps1 -Param` in the README, `docs/*.md`, the `WinDbg` README and the scripts' own
/// help names a script of the kit and a parameter it declares (or a common parameter).
#[test]
fn documented_invocations_match_the_scripts() {
    const COMMON: &[&str] = &["whatif", "confirm", "verbose", "debug", "erroraction"];
    let mut sources = doc_sources(false);
    sources.extend(scripts().iter().map(|p| relative(p)));
    let mut checked = 0;
    let mut problems = Vec::new();
    for source in &sources {
        let text = read_text(source);
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find(".\\") {
                rest = rest.get(at + 2..).unwrap_or_default();
                let Some(end) = rest.find(".ps1") else { break };
                let name = rest.get(..end).unwrap_or_default();
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    continue;
                }
                let script = format!("scripts/{name}.ps1");
                if !repo_root().join(&script).is_file() {
                    problems.push(format!("{source}:{}: {script} does not exist", n + 1));
                    continue;
                }
                let declared = declared_parameters(&read_text(&script));
                // Arguments up to the end of this command (`;`, `|` or the next script call).
                let args = rest.get(end + 4..).unwrap_or_default();
                let args = args.split([';', '|']).next().unwrap_or_default();
                let args = args.split(".\\").next().unwrap_or_default();
                for word in args.split_whitespace() {
                    let Some(param) = word.strip_prefix('-') else {
                        continue;
                    };
                    let param = param
                        .split(':')
                        .next()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if param.is_empty() || !param.chars().all(|c| c.is_ascii_alphanumeric()) {
                        continue;
                    }
                    checked += 1;
                    if !declared.contains(&param) && !COMMON.contains(&param.as_str()) {
                        problems.push(format!(
                            "{source}:{}: {name}.ps1 has no parameter -{param}",
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} documented parameters found: is the parser broken?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The value of `name="..."` inside one XML start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag.get(start..)?.find('"')?;
    tag.get(start..start + len)
}

/// WPR finds a profile by `Id` = `<Name>.<DetailLevel>.<LoggingMode>` and refuses the file
/// otherwise; every collector and provider a profile names must be defined in the file.
#[test]
fn wprp_profiles_are_well_formed() {
    let wprp = read_text("scripts/etw/connsec.wprp");
    let tags: Vec<&str> = wprp
        .split('<')
        .filter_map(|t| t.split('>').next())
        .collect();
    let ids = |element: &str| -> Vec<&str> {
        tags.iter()
            .filter(|t| t.starts_with(&format!("{element} ")))
            .filter_map(|t| attribute(t, "Id"))
            .collect()
    };
    let collectors = ids("EventCollector");
    let providers = ids("EventProvider");
    assert!(
        !providers.is_empty(),
        "connsec.wprp defines no EventProvider"
    );
    let mut profiles = 0;
    for tag in tags.iter().filter(|t| t.starts_with("Profile ")) {
        profiles += 1;
        let get = |a: &str| attribute(tag, a).unwrap_or_else(|| panic!("<{tag}> lacks {a}"));
        assert_eq!(
            get("Id"),
            format!(
                "{}.{}.{}",
                get("Name"),
                get("DetailLevel"),
                get("LoggingMode")
            ),
            "profile Id must be Name.DetailLevel.LoggingMode"
        );
        assert_eq!(
            get("Name"),
            "Connsec",
            "Trace-Connsec.ps1 starts `connsec.wprp!Connsec`"
        );
    }
    assert_eq!(profiles, 2, "expected a File and a Memory profile");
    for tag in &tags {
        if let Some(rest) = tag.strip_prefix("EventCollectorId ") {
            let v = attribute(&format!(" {rest}"), "Value")
                .unwrap_or_default()
                .to_owned();
            assert!(collectors.contains(&v.as_str()), "undefined collector {v}");
        }
        if let Some(rest) = tag.strip_prefix("EventProviderId ") {
            let v = attribute(&format!(" {rest}"), "Value")
                .unwrap_or_default()
                .to_owned();
            assert!(providers.contains(&v.as_str()), "undefined provider {v}");
        }
    }
    let common = read_text("scripts/ConnsecCommon.ps1");
    assert!(
        common.contains("'etw\\connsec.wprp'") && common.contains("\"$profilePath!Connsec\""),
        "ConnsecCommon.ps1 must start etw\\connsec.wprp's profile by its Name (`<file>!Connsec`)"
    );
}

/// GUID-shaped words (8-4-4-4-12 hex digits) in `text`.
fn guid_words(text: &str) -> Vec<&str> {
    let groups = [8, 4, 4, 4, 12];
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            parts.len() == groups.len() && parts.iter().zip(groups).all(|(p, n)| p.len() == n)
        })
        .collect()
}
