//! `.reg` and INF files read as Windows applies them, `emit` output as regedit writes it, and
//! errors a person can read. Every file here is written as regedit exports it (UTF-16LE with
//! BOM, CRLF) or as an administrator types it.

mod common;

use common::{assert_code, run, temp_dir};

const KEY: &str = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec\Parameters";
const HEADER: &str = "Windows Registry Editor Version 5.00";
/// The planned DACL for `SY:GENERIC_ALL`, `BA:GENERIC_ALL` (generic rights mapped to WFP's).
const SY_BA: &str = "D:P(A;;0xf07ff;;;SY)(A;;0xf07ff;;;BA)";

/// UTF-16LE with BOM and CRLF line ends, as regedit writes an export.
fn utf16_export(text: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in text.replace('\n', "\r\n").encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

/// regedit's `hex(7):` form of a string list.
fn hex7(items: &[&str]) -> String {
    let mut bytes = Vec::new();
    for s in items {
        for u in s.encode_utf16().chain([0]) {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
    }
    bytes.extend_from_slice(&[0, 0]);
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("hex(7):{}", hex.join(","))
}

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_owned()
}

fn plan_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["--json", "plan"];
    a.extend_from_slice(args);
    let r = run(&a);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {r:?}"))
}

fn sddl(v: &serde_json::Value) -> &str {
    v["descriptor"]["sddl"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
}

#[test]
fn reg_blocks_merge_in_file_order_and_deletions_apply() {
    let dir = temp_dir("sem-merge");
    // An earlier DaclSddl configuration, then a block (another letter case, ControlSet001)
    // that deletes it and sets Principals: the later block wins.
    let text = format!(
        "{HEADER}\n\n[{KEY}]\n\"DaclSddl\"=\"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;WD)\"\n\"AllowUnsafeDacl\"=dword:00000001\n\n\
         [hkey_local_machine\\system\\ControlSet001\\services\\CONNSEC\\parameters]\n\"daclsddl\"=-\n\"Principals\"={}\n\"ALLOWUNSAFEDACL\"=dword:00000000\n\n",
        hex7(&["SY:GENERIC_ALL", "BA:GENERIC_ALL"])
    );
    let f = write(&dir, "merge.reg", &utf16_export(&text));
    let v = plan_json(&["--reg", &f]);
    assert_eq!(v["dacl_source"], "Principals", "{v}");
    assert_eq!(v["allow_unsafe_dacl"], false);
    assert_eq!(sddl(&v), SY_BA);
    // Two control sets are one key only for the current one: said.
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["text"]
            .as_str()
            .unwrap()
            .contains("currentcontrolset and controlset001")),
        "{v}"
    );

    // A value set and then deleted is gone: no policy left.
    let text = format!(
        "{HEADER}\n\n[{KEY}]\n\"Principals\"={}\n\"Principals\"=-\n\n",
        hex7(&["SY:GENERIC_ALL"])
    );
    let f = write(&dir, "gone.reg", &utf16_export(&text));
    let r = run(&["plan", "--reg", &f]);
    assert_code(&r, 1);
    assert!(
        r.stderr.contains("neither Principals nor DaclSddl is set"),
        "{r:?}"
    );
}

#[test]
fn deleting_the_service_key_clears_what_was_there() {
    let dir = temp_dir("sem-clear");
    let text = format!(
        "{HEADER}\n\n[{KEY}]\n\"DaclSddl\"=\"D:P(A;;GA;;;SY)(A;;GA;;;BA)\"\n\n\
         [-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\connsec]\n\n\
         [{KEY}]\n\"Principals\"={}\n\n",
        hex7(&["SY:GENERIC_ALL", "BA:GENERIC_ALL"])
    );
    let f = write(&dir, "clear.reg", &utf16_export(&text));
    let r = run(&["check", &f]);
    assert_code(&r, 0);
    // Nothing depends on the existing key: it was deleted first.
    assert_eq!(r.stdout, format!("{f}: ok (0 errors, 0 warnings)\n"));
}

#[test]
fn another_service_or_hive_is_never_planned() {
    let dir = temp_dir("sem-other");
    for (name, key) in [
        (
            "other.reg",
            r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec2\Parameters",
        ),
        (
            "hkcu.reg",
            r"HKEY_CURRENT_USER\SYSTEM\CurrentControlSet\Services\connsec\Parameters",
        ),
        (
            "sub.reg",
            r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec\Parameters\Old",
        ),
    ] {
        let text = format!(
            "{HEADER}\n\n[{key}]\n\"Principals\"={}\n\n",
            hex7(&["SY:GENERIC_ALL", "BA:GENERIC_ALL"])
        );
        let f = write(&dir, name, &utf16_export(&text));
        for cmd in ["plan", "check"] {
            let r = if cmd == "plan" {
                run(&["plan", "--reg", &f])
            } else {
                run(&["check", &f])
            };
            // The same problem gives the same exit status in both.
            assert_code(&r, 1);
            let said = if cmd == "plan" { &r.stderr } else { &r.stdout };
            assert!(
                said.contains(&format!("no [{KEY}] key in the file")),
                "{r:?}"
            );
        }
    }
}

#[test]
fn regedit4_exports_are_read_as_ansi() {
    let dir = temp_dir("sem-regedit4");
    // REGEDIT4: hex(7) bytes are ANSI characters, widened on import.
    let ansi: Vec<String> = b"SY:GENERIC_ALL\0BA:GENERIC_ALL\0\0"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = format!(
        "REGEDIT4\r\n\r\n[{KEY}]\r\n\"Principals\"=hex(7):{}\r\n\"DaclSddl\"=-\r\n\r\n",
        ansi.join(",")
    );
    let f = write(&dir, "four.reg", text.as_bytes());
    let v = plan_json(&["--reg", &f]);
    assert_eq!(sddl(&v), SY_BA, "{v}");
    // Non-ASCII text in an ANSI file depends on the code page: refused with its line.
    let f = write(
        &dir,
        "latin.reg",
        format!("REGEDIT4\r\n\r\n[{KEY}]\r\n\"Principals\"=\"caf\u{e9}\"\r\n").as_bytes(),
    );
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    assert!(
        r.stdout
            .starts_with(&format!("{f}:4: error: non-ASCII text")),
        "{r:?}"
    );
}

/// An INF as an administrator writes it: `install` is the body of the file.
fn inf(dir: &std::path::Path, name: &str, body: &str) -> String {
    let text = format!("[Version]\nSignature = \"$WINDOWS NT$\"\nClass = WFPCALLOUTS\n\n{body}");
    write(dir, name, text.as_bytes())
}

const SERVICES: &str = "[DefaultInstall.NT$ARCH$]\nCopyFiles = F\n\n[DefaultInstall.NT$ARCH$.Services]\nAddService = connsec,,Svc\n\n";

#[test]
fn inf_lines_count_only_on_the_install_path() {
    let dir = temp_dir("sem-inf");
    // [Stale] is referenced by nothing: its DaclSddl does not count, and check says so.
    let f = inf(
        &dir,
        "path.inx",
        &format!(
            "{SERVICES}[Svc]\nServiceType = 1\nAddReg = Params\n\n[Params]\n\
             HKR,Parameters,Principals,0x00010000,\"SY:GENERIC_ALL\",\"BA:GENERIC_ALL\"\n\
             HKR,Parameters,DaclSddl,0x00000004\n\n\
             [Stale]\nHKR,Parameters,DaclSddl,,\"D:P(A;;GA;;;WD)\"\n"
        ),
    );
    let v = plan_json(&["--inf", &f]);
    assert_eq!(sddl(&v), SY_BA, "{v}");
    let r = run(&["check", &f]);
    assert_code(&r, 0);
    assert!(
        r.stdout.contains(
            "note: section [Stale] writes the Parameters key but the install never reaches it"
        ),
        "{}",
        r.stdout
    );

    // HKLM lines under the service's Parameters key count too (any control set, any case);
    // another service's do not.
    let f = inf(
        &dir,
        "hklm.inx",
        &format!(
            "{SERVICES}[Svc]\nAddReg = Params\n\n[Params]\n\
             HKLM,System\\CurrentControlSet\\Services\\connsec\\Parameters,Principals,0x00010000,\"SY:GENERIC_ALL\",\"BA:GENERIC_ALL\"\n\
             HKLM,SYSTEM\\ControlSet001\\Services\\Other\\Parameters,DaclSddl,,\"D:P(A;;GA;;;WD)\"\n"
        ),
    );
    let v = plan_json(&["--inf", &f]);
    assert_eq!(sddl(&v), SY_BA, "{v}");

    // No DefaultInstall path: nothing is installed, and plan and check agree (exit 1).
    let f = inf(
        &dir,
        "none.inx",
        "[Svc]\nAddReg = Params\n\n[Params]\nHKR,Parameters,Principals,0x00010000,\"SY:GENERIC_ALL\"\n",
    );
    let r = run(&["plan", "--inf", &f]);
    assert_code(&r, 1);
    assert!(r.stderr.contains("no [DefaultInstall...] section"), "{r:?}");
    assert_code(&run(&["check", &f]), 1);
}

#[test]
fn inf_flags_and_delreg_on_a_fresh_install_and_an_upgrade() {
    let dir = temp_dir("sem-flags");
    let f = inf(
        &dir,
        "flags.inx",
        &format!(
            "{SERVICES}[Svc]\nDelReg = Old\nAddReg = Params\n\n[Old]\nHKR,Parameters,DaclSddl\n\n[Params]\n\
             HKR,Parameters,Principals,0x00010008,\"SY:GENERIC_ALL\",\"BA:GENERIC_ALL\"\n\
             HKR,Parameters,RestoreOnUnload,0x00010003,0\n\
             HKR,Parameters,AllowUnsafeDacl,0x00010001,1\n\
             HKR,Parameters,AllowUnsafeDacl,0x00000004\n"
        ),
    );
    // Fresh install: APPEND creates the list, NOCLOBBER writes, DELVAL deletes.
    let v = plan_json(&["--inf", &f]);
    assert_eq!(sddl(&v), SY_BA, "{v}");
    assert_eq!(v["restore_on_unload"], false);
    assert_eq!(v["allow_unsafe_dacl"], false);
    // Upgrade: check says what APPEND and NOCLOBBER do over an existing key.
    let r = run(&["check", &f]);
    assert_code(&r, 0);
    let notes: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains(": note: "))
        .collect();
    assert_eq!(notes.len(), 2, "{}", r.stdout);
    assert!(
        notes[0].starts_with(&format!(
            "{f}:19: note: Principals: over an existing key: FLG_ADDREG_APPEND"
        )),
        "{notes:?}"
    );
    assert!(
        notes[1].starts_with(&format!(
            "{f}:20: note: RestoreOnUnload: over an existing key: FLG_ADDREG_NOCLOBBER"
        )),
        "{notes:?}"
    );

    // HKR in a section the DefaultInstall section itself names is not allowed.
    let f = inf(
        &dir,
        "hkr.inx",
        "[DefaultInstall.NTamd64]\nAddReg = P\n[DefaultInstall.NTamd64.Services]\nAddService = connsec,,Svc\n[Svc]\nServiceType = 1\n[P]\nHKR,Parameters,Principals,0x00010000,\"SY:GENERIC_ALL\"\n",
    );
    let r = run(&["check", &f]);
    assert_code(&r, 1);
    assert!(
        r.stdout
            .contains(&format!("{f}:12: error: Principals: HKR cannot be used")),
        "{}",
        r.stdout
    );
}

#[test]
fn emit_reg_is_what_regedit_exports_and_replaces_an_earlier_configuration() {
    let dir = temp_dir("sem-emit");
    let out = dir.join("params.reg");
    std::fs::write(&out, b"old contents").unwrap();
    let o = out.to_str().unwrap();
    let r = run(&[
        "emit",
        "reg",
        "--principal",
        "SY:GENERIC_ALL",
        "--principal",
        "BA:GENERIC_ALL",
        "-o",
        o,
    ]);
    assert_code(&r, 0);
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xFE]);
    let units: Vec<u16> = bytes[2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    let principals = "\"Principals\"=hex(7):53,00,59,00,3a,00,47,00,45,00,4e,00,45,00,52,00,49,00,43,\\\r\n  00,5f,00,41,00,4c,00,4c,00,00,00,42,00,41,00,3a,00,47,00,45,00,4e,00,45,00,\\\r\n  52,00,49,00,43,00,5f,00,41,00,4c,00,4c,00,00,00,00,00\r\n";
    assert_eq!(
        text,
        format!(
            "{HEADER}\r\n\r\n[{KEY}]\r\n\"DaclSddl\"=-\r\n{principals}\"RestoreOnUnload\"=dword:00000001\r\n\"AllowUnsafeDacl\"=dword:00000000\r\n\r\n"
        )
    );
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");

    // Imported after an earlier DaclSddl configuration (one file, the blocks in the order the
    // two imports apply them): exactly the planned key.
    let earlier = format!(
        "[{KEY}]\r\n\"DaclSddl\"=\"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;WD)\"\r\n\"AllowUnsafeDacl\"=dword:00000001\r\n\r\n"
    );
    let later = text.split_once("\r\n\r\n").unwrap().1;
    let both = format!("{HEADER}\r\n\r\n{earlier}{later}");
    let f = write(&dir, "both.reg", &utf16_export(&both));
    let v = plan_json(&["--reg", &f]);
    assert_eq!(sddl(&v), SY_BA, "{v}");
    assert_eq!(v["allow_unsafe_dacl"], false);
    assert_eq!(v["notes"], serde_json::json!([]), "{v}");

    // emit inf deletes the other kind too, and reads back as the same plan.
    let r = run(&["emit", "inf", "--sddl", "D:P(A;;GA;;;SY)(A;;GA;;;BA)"]);
    assert_code(&r, 0);
    assert!(
        r.stdout
            .contains("HKR,Parameters,\"Principals\",0x00000004\n"),
        "{}",
        r.stdout
    );
    let f = inf(
        &dir,
        "e.inx",
        &format!("{SERVICES}[Svc]\nAddReg = P\n[P]\n{}", r.stdout),
    );
    let v = plan_json(&["--inf", &f]);
    assert_eq!(v["dacl_source"], "DaclSddl");
}

#[test]
fn failures_are_reported_in_order_and_as_json() {
    let dir = temp_dir("sem-errors");
    let good = common::fixture("default.reg");
    let missing = dir.join("missing.reg");
    let gone = missing.to_str().unwrap();
    // a.reg first, then the missing file; the run is an I/O error.
    let r = run(&["check", &good, gone]);
    assert_code(&r, 2);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], format!("{good}: ok (0 errors, 0 warnings)"));
    assert!(
        lines[1].starts_with(&format!("{gone}: error: cannot be read: ")),
        "{lines:?}"
    );
    assert_eq!(lines[2], format!("{gone}: FAILED (1 error, 0 warnings)"));
    let r = run(&["--json", "check", &good, gone]);
    assert_code(&r, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["files"][0]["ok"], true);
    assert_eq!(v["files"][1]["unreadable"], true);

    // Every failure with --json is a JSON object on stdout: I/O (2), usage (2), refused (1).
    for (args, code) in [
        (vec!["--json", "plan", "--reg", gone], 2),
        (vec!["--json", "plan", "--bogus"], 2),
        (
            vec!["plan", "--json", "--reg", "a.reg", "--inf", "b.inx"],
            2,
        ),
        (vec!["--json", "plan", "--principal", "WD:GENERIC_READ"], 1),
    ] {
        let r = run(&args);
        assert_code(&r, code);
        let v: serde_json::Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {r:?}"));
        assert_eq!(v["ok"], false, "{args:?}");
        assert_eq!(v["exit"], code, "{args:?}");
        assert!(v["error"]["message"].is_string(), "{args:?}: {v}");
    }

    // A malformed file: the same exit status from plan and check.
    let f = write(
        &dir,
        "bad.reg",
        format!("{HEADER}\r\n\r\n[{KEY}]\r\n\"A\"=dword:xyz\r\n").as_bytes(),
    );
    let planned = run(&["plan", "--reg", &f]);
    let checked = run(&["check", &f]);
    assert_code(&planned, 1);
    assert_code(&checked, 1);
    assert_eq!(
        planned.stderr,
        format!(
            "connsecctl: {f}:4: error: value data \"dword:xyz\" is not \"text\", dword:, hex:, hex(N): or -\n"
        )
    );
}
