//! `check` over good and bad `.reg`/`.inx` fixtures.

mod common;

use common::{assert_code, fixture, repo, run};

#[test]
fn good_files_pass() {
    let inx = repo("inf/connsec.inx");
    for f in [
        fixture("good.inx"),
        fixture("default.reg"),
        inx.to_str().unwrap().to_owned(),
    ] {
        let r = run(&["check", &f]);
        assert_code(&r, 0);
        assert_eq!(
            without_notes(&r.stdout),
            [format!("{f}: ok (0 errors, 0 warnings)")]
        );
    }
}

#[test]
fn every_problem_has_file_line_and_value() {
    let f = fixture("bad.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    let expected = [
        format!(
            "{f}:4: error: Principals: entry 2 \"XX:GENERIC_ALL\" at character 0: unknown SDDL alias (unknown SID alias \"XX\")"
        ),
        format!("{f}:4: error: Principals: entry 3 \"BA:FOO\" at character 3: unknown right name"),
        format!("{f}:8: error: RestoreOnUnload: must be 0 or 1 (found 2)"),
        format!(
            "{f}:9: error: AllowUnsafeDacl: wrong registry type (expected REG_DWORD, found REG_SZ)"
        ),
        format!("{f}: FAILED (4 errors, 0 warnings)"),
    ];
    assert_eq!(without_notes(&r.stdout), expected);

    let f = fixture("bad.inx");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    let expected = [
        format!("{f}:3: error: %Missing% is not defined in [Strings]"),
        format!(
            "{f}:12: error: Principals: entry 3 \"WD:GENERIC_ALL|0x100000\" at character 15: hex mask has bits that are no WFP right (0x00100000)"
        ),
        format!("{f}:13: error: DaclSddl: Principals and DaclSddl are both set"),
        format!("{f}:14: error: AllowUnsafeDacl: must be 0 or 1 (found 7)"),
        format!("{f}: FAILED (4 errors, 0 warnings)"),
    ];
    assert_eq!(without_notes(&r.stdout), expected);
}

#[test]
fn syntax_errors_and_refusals() {
    let f = fixture("broken.inx");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    // The bad line is reported with its value; without it the INF sets no policy value.
    assert_eq!(
        without_notes(&r.stdout),
        [
            format!("{f}: error: neither Principals nor DaclSddl is set"),
            format!("{f}:8: error: RestoreOnUnload: \"yes\" is not a 32-bit number for REG_DWORD"),
            format!("{f}: FAILED (2 errors, 0 warnings)"),
        ]
    );
    // Every bad AddReg line is reported (not only the first); an unreadable policy value does
    // not also count as missing.
    let dir = common::temp_dir("check-inf");
    let inx = dir.join("m.inx");
    std::fs::write(
        &inx,
        "[S]\nAddReg = P, Q\n[P]\nHKR,Parameters,Principals,0x00010000,\"SY:GENERIC_ALL\",,\"BA:GENERIC_ALL\"\nHKR,Parameters,RestoreOnUnload,0x00010001,yes\nHKR,Parameters,AllowUnsafeDacl,0x00010001,3\nHKR,Parameters,X,0x00000100,1\n[DefaultInstall.NTamd64.Services]\nAddService = connsec,,S\n",
    )
    .unwrap();
    let f = inx.to_str().unwrap();
    let r = run(&["check", f]);
    assert_code(&r, 1);
    assert_eq!(
        without_notes(&r.stdout),
        [
            format!("{f}:2: error: section [Q] does not exist"),
            format!(
                "{f}:4: error: Principals: REG_MULTI_SZ element 1 is empty (an empty string ends the list)"
            ),
            format!("{f}:5: error: RestoreOnUnload: \"yes\" is not a 32-bit number for REG_DWORD"),
            format!("{f}:6: error: AllowUnsafeDacl: must be 0 or 1 (found 3)"),
            format!("{f}:7: error: X: AddReg flags 0x00000100 are not supported"),
            format!("{f}: FAILED (5 errors, 0 warnings)"),
        ]
    );
    let f = fixture("otherkey.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    assert_eq!(
        r.stdout.lines().next().unwrap(),
        format!(
            "{f}: error: no [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\connsec\\Parameters] key in the file"
        )
    );
    let f = fixture("lockout.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    assert_eq!(
        r.stdout.lines().next().unwrap(),
        format!(
            "{f}:4: error: DaclSddl: refused: SYSTEM does not keep full access (set AllowUnsafeDacl to 1 to allow)"
        )
    );
}

#[test]
fn warnings_do_not_fail() {
    let f = fixture("warn.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 0);
    assert_eq!(
        without_notes(&r.stdout),
        [
            format!(
                "{f}:5: warning: DaclSddl: WD (S-1-1-0) is allowed write, add or delete rights: ADD|ADD_LINK|BEGIN_WRITE_TXN|WRITE|DELETE"
            ),
            format!("{f}:7: warning: Comment: not a connsec value; the driver ignores it"),
            format!("{f}: ok (0 errors, 2 warnings)"),
        ]
    );
}

#[test]
fn several_files_and_json() {
    let (good, bad) = (fixture("good.inx"), fixture("bad.reg"));
    let r = run(&["--json", "check", &good, &bad]);
    assert_code(&r, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["files"][0]["ok"], true);
    assert_eq!(v["files"][0]["format"], "inf");
    let p = &v["files"][1]["problems"][2];
    assert_eq!(p["file"], bad.as_str());
    assert_eq!(p["line"], 8);
    assert_eq!(p["value"], "RestoreOnUnload");
    assert_eq!(p["severity"], "error");
    assert_eq!(v["files"][1]["problems"][0]["entry"], 2);
    // An unreadable file is an I/O error, exit 2.
    let r = run(&["check", "/nonexistent.reg"]);
    assert_code(&r, 2);
}

/// The output lines other than `note:` lines (what a file would do over an existing key, which
/// tests/semantics.rs checks).
fn without_notes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| !l.contains(": note: "))
        .map(str::to_owned)
        .collect()
}
