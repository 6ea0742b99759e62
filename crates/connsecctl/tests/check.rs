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
        without_notes(&r.stdout)[0],
        format!(
            "{f}: error: no [HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\connsec\\Parameters] key in the file"
        )
    );
    let f = fixture("lockout.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    assert_eq!(
        without_notes(&r.stdout)[0],
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

#[test]
fn a_cut_value_is_an_error_with_its_byte_offset() {
    // "S-1-5-32-544" cut to "S-1-5-32-54", with neither its NUL nor the list's empty string.
    let f = fixture("truncated.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    assert_eq!(
        without_notes(&r.stdout),
        [
            format!(
                "{f}:4: error: Principals: entry 3 \"S-1-5-32-54\" at character 11: string not NUL-terminated: the value is cut short (at byte 82)"
            ),
            format!(
                "{f}:5: error: DaclSddl: at character 15: string not NUL-terminated: the value is cut short (at byte 30)"
            ),
            format!("{f}:5: error: DaclSddl: Principals and DaclSddl are both set"),
            format!("{f}: FAILED (3 errors, 0 warnings)"),
        ]
    );
    let r = run(&["--json", "check", &f]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let p = &v["files"][0]["problems"][0];
    assert_eq!(p["entry"], 3);
    assert_eq!(p["byte_offset"], 82);
    assert_eq!(p["severity"], "error");
    // plan refuses it with the same first error.
    let r = run(&["plan", "--reg", &f]);
    assert_code(&r, 1);
    assert!(r.stderr.contains("entry 3 \"S-1-5-32-54\""), "{}", r.stderr);
}

#[test]
fn original_dacl_is_named_as_the_drivers_own_value() {
    let f = fixture("original.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 0);
    assert_eq!(
        without_notes(&r.stdout),
        [
            format!(
                "{f}:4: warning: Principals: AU (S-1-5-11) is allowed write, add or delete rights: WRITE_DAC (WRITE_DAC/WRITE_OWNER: it can change the DACL or the owner)"
            ),
            format!(
                "{f}:5: warning: OriginalDacl: written by the driver, holds the original descriptor; do not set it in an INF or .reg"
            ),
            format!("{f}: ok (0 errors, 2 warnings)"),
        ]
    );
    let r = run(&["plan", "--reg", &f]);
    assert_code(&r, 0);
    assert!(
        r.stdout
            .contains("warning: OriginalDacl: written by the driver"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_deny_that_reaches_administrators_is_refused() {
    let f = fixture("deny.reg");
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    assert_eq!(
        without_notes(&r.stdout)[0],
        format!(
            "{f}:4: error: DaclSddl: refused: deny ACE 2 reaches administrators or SYSTEM (set AllowUnsafeDacl to 1 to allow)"
        )
    );
}

#[test]
fn every_file_is_checked_after_one_that_cannot_be_read() {
    let good = fixture("good.inx");
    let r = run(&["check", "/nonexistent/a.reg", &good]);
    assert_code(&r, 2);
    let lines = without_notes(&r.stdout);
    assert!(
        lines[0].starts_with("/nonexistent/a.reg: error: cannot be read: "),
        "{lines:?}"
    );
    assert_eq!(
        lines[1..],
        [
            "/nonexistent/a.reg: FAILED (1 error, 0 warnings)".to_owned(),
            format!("{good}: ok (0 errors, 0 warnings)"),
        ]
    );
    assert_eq!(
        r.stderr,
        "connsecctl: check: 1 of 2 files could not be read\n"
    );
    let r = run(&["--json", "check", "/nonexistent/a.reg", &good]);
    assert_code(&r, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["files"][0]["unreadable"], true);
    assert_eq!(v["files"][1]["ok"], true);
}

#[test]
fn check_and_plan_agree_on_the_exit_code() {
    for name in [
        "good.inx",
        "default.reg",
        "bad.reg",
        "bad.inx",
        "broken.inx",
        "lockout.reg",
        "warn.reg",
        "otherkey.reg",
        "truncated.reg",
        "original.reg",
        "deny.reg",
    ] {
        let f = fixture(name);
        let option = if std::path::Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("reg"))
        {
            "--reg"
        } else {
            "--inf"
        };
        let check = run(&["check", &f]);
        let plan = run(&["plan", option, &f]);
        assert_eq!(
            check.code, plan.code,
            "{name}: check {check:?}\nplan {plan:?}"
        );
    }
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
