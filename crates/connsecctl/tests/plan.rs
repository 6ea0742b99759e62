//! `plan`, `emit` and `explain`, run as a user runs them.

#![allow(
    clippy::format_collect,
    reason = "test input and expectations, not hot code"
)]

mod common;

use common::{assert_code, fixture, repo, run, temp_dir};

/// A binary SID built by hand (MS-DTYP 2.4.2.2), independent of the codec under test.
fn sid(authority: u8, subs: &[u32]) -> Vec<u8> {
    let mut b = vec![
        1,
        u8::try_from(subs.len()).unwrap(),
        0,
        0,
        0,
        0,
        0,
        authority,
    ];
    for s in subs {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b
}

/// An `ACCESS_ALLOWED_ACE` built by hand.
fn allow(mask: u32, sid: &[u8]) -> Vec<u8> {
    let size = u16::try_from(8 + sid.len()).unwrap();
    let mut b = vec![0, 0];
    b.extend_from_slice(&size.to_le_bytes());
    b.extend_from_slice(&mask.to_le_bytes());
    b.extend_from_slice(sid);
    b
}

/// The descriptor the INF's defaults must give: SYSTEM and Administrators `FWPM_GENERIC_ALL`
/// (0x000F07FF), Network Configuration Operators, `PolicyAgent` and `MpsSvc`
/// `FWPM_GENERIC_READ|FWPM_GENERIC_EXECUTE` (0x000201D4|0x00020220 = 0x000203F4, `fwpmu.h`); service SIDs S-1-5-80-SHA1(upper-case UTF-16LE name), checked with Python's hashlib.
fn expected_default_descriptor() -> String {
    let aces = [
        allow(0x000F_07FF, &sid(5, &[18])),
        allow(0x000F_07FF, &sid(5, &[32, 544])),
        allow(0x0002_03F4, &sid(5, &[32, 556])),
        allow(
            0x0002_03F4,
            &sid(
                5,
                &[
                    80,
                    3_044_542_841,
                    3_639_452_079,
                    4_096_941_652,
                    1_606_687_743,
                    1_256_249_853,
                ],
            ),
        ),
        allow(
            0x0002_03F4,
            &sid(
                5,
                &[
                    80,
                    3_088_073_201,
                    1_464_728_630,
                    1_879_813_800,
                    1_107_566_885,
                    823_218_052,
                ],
            ),
        ),
    ];
    let body: Vec<u8> = aces.concat();
    let acl_size = u16::try_from(8 + body.len()).unwrap();
    let mut acl = vec![2, 0];
    acl.extend_from_slice(&acl_size.to_le_bytes());
    acl.extend_from_slice(&5u16.to_le_bytes());
    acl.extend_from_slice(&[0, 0]);
    acl.extend_from_slice(&body);
    // Revision 1, control SE_SELF_RELATIVE|SE_DACL_PROTECTED|SE_DACL_PRESENT, no owner, group
    // or SACL, DACL right after the header.
    let mut sd = vec![1, 0];
    sd.extend_from_slice(&0x9004u16.to_le_bytes());
    sd.extend_from_slice(&[0; 12]);
    sd.extend_from_slice(&20u32.to_le_bytes());
    sd.extend_from_slice(&acl);
    sd.iter().map(|b| format!("{b:02x}")).collect()
}

fn json(args: &[&str]) -> serde_json::Value {
    let r = run(args);
    assert_code(&r, 0);
    serde_json::from_str(&r.stdout).expect("valid JSON")
}

#[test]
fn default_plan_matches_the_reviewed_snapshot() {
    let r = run(&["plan"]);
    assert_code(&r, 0);
    let expected = std::fs::read_to_string(fixture("default-plan.txt")).unwrap();
    assert_eq!(
        r.stdout, expected,
        "plan output changed; review and update tests/fixtures/default-plan.txt"
    );
    let r = run(&["--json", "plan"]);
    assert_code(&r, 0);
    let expected = std::fs::read_to_string(fixture("default-plan.json")).unwrap();
    assert_eq!(
        r.stdout, expected,
        "plan --json output changed; review default-plan.json"
    );
}

#[test]
fn default_plan_bytes_match_a_hand_built_descriptor() {
    let v = json(&["--json", "plan"]);
    assert_eq!(v["descriptor"]["hex"], expected_default_descriptor());
    assert_eq!(v["security_information"], 0x8000_0004u32);
    assert_eq!(v["dacl_source"], "Principals");
    let names: Vec<&str> = v["descriptor"]["dacl"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "NT AUTHORITY\\SYSTEM",
            "BUILTIN\\Administrators",
            "BUILTIN\\Network Configuration Operators",
            "NT SERVICE\\PolicyAgent",
            "NT SERVICE\\MpsSvc"
        ]
    );
}

#[test]
fn every_source_of_the_default_gives_the_same_descriptor() {
    let want = expected_default_descriptor();
    let inx = repo("inf/connsec.inx");
    let inx = inx.to_str().unwrap();
    let from =
        |args: &[&str]| json(&[&["--json", "plan"], args].concat())["descriptor"]["hex"].clone();
    assert_eq!(from(&["--inf", inx]), want);
    assert_eq!(from(&["--reg", &fixture("default.reg")]), want);
    assert_eq!(
        from(&[
            "--principal",
            "SY:GENERIC_ALL",
            "--principal",
            "BA:GENERIC_ALL",
            "--principal",
            "NO:GENERIC_READ|GENERIC_EXECUTE",
            "--principal",
            "NT SERVICE\\PolicyAgent:GENERIC_READ|GENERIC_EXECUTE",
            "--principal",
            "NT SERVICE\\MpsSvc:GENERIC_READ|GENERIC_EXECUTE",
        ]),
        want
    );
}

#[test]
fn sddl_source_and_warnings() {
    let v = json(&[
        "--json",
        "plan",
        "--sddl",
        "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GW;;;WD)",
    ]);
    assert_eq!(v["dacl_source"], "DaclSddl");
    assert_eq!(
        v["descriptor"]["sddl"],
        "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GW;;;WD)"
    );
    let w = v["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0]["severity"], "warning");
    assert!(
        w[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("WD (S-1-1-0) is allowed write"),
        "{w:?}"
    );
    let rows = v["descriptor"]["dacl"].as_array().unwrap();
    assert_eq!(rows[2]["rights"], "GENERIC_WRITE(bit)");
}

#[test]
fn refused_configurations_exit_1_with_one_line() {
    let r = run(&["plan", "--principal", "WD:GENERIC_ALL"]);
    assert_code(&r, 1);
    assert_eq!(
        r.stderr,
        "connsecctl: error: Principals: refused: SYSTEM does not keep full access (set AllowUnsafeDacl to 1 to allow)\n"
    );
    assert!(r.stdout.is_empty());
    let r = run(&[
        "plan",
        "--principal",
        "WD:GENERIC_ALL",
        "--allow-unsafe-dacl",
    ]);
    assert_code(&r, 0);
    assert!(r.stdout.contains("AllowUnsafeDacl: 1"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("unsafe DACL let through by AllowUnsafeDacl=1"),
        "{}",
        r.stdout
    );
    let r = run(&["plan", "--principal", "SY:GENERIC_ALL", "--principal", "XX"]);
    assert_code(&r, 1);
    assert_eq!(
        r.stderr,
        "connsecctl: error: Principals: entry 2 \"XX\" at character 0: unknown SDDL alias (unknown SID alias \"XX\")\n"
    );
    let r = run(&["plan", "--reg", &fixture("lockout.reg")]);
    assert_code(&r, 1);
    assert!(
        r.stderr.starts_with(&format!(
            "connsecctl: {}:4: error: DaclSddl: refused:",
            fixture("lockout.reg")
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let r = run(&["plan", "--reg", "a.reg", "--inf", "b.inx"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
    let r = run(&["plan", "--reg", "/nonexistent/p.reg"]);
    assert_code(&r, 2);
    assert!(
        r.stderr
            .starts_with("connsecctl: reading /nonexistent/p.reg: "),
        "{}",
        r.stderr
    );
    let r = run(&["plan", "--allow-unsafe-dacl"]);
    assert_code(&r, 2);
    let r = run(&["frobnicate"]);
    assert_code(&r, 2);
}

#[test]
fn emit_round_trips_through_plan() {
    let dir = temp_dir("emit");
    let want = expected_default_descriptor();
    // .reg to a file: UTF-16LE with BOM, as regedit writes it.
    let reg = dir.join("p.reg");
    assert_code(&run(&["emit", "reg", "-o", reg.to_str().unwrap()]), 0);
    let bytes = std::fs::read(&reg).unwrap();
    assert_eq!(&bytes[..4], &[0xFF, 0xFE, b'W', 0]);
    let v = json(&["--json", "plan", "--reg", reg.to_str().unwrap()]);
    assert_eq!(v["descriptor"]["hex"], want);
    // .reg on stdout (UTF-8) reads back the same.
    let r = run(&["emit", "reg"]);
    assert_code(&r, 0);
    assert!(r.stdout.starts_with("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\connsec\\Parameters]\r\n"));
    std::fs::write(dir.join("u.reg"), &r.stdout).unwrap();
    let v = json(&[
        "--json",
        "plan",
        "--reg",
        dir.join("u.reg").to_str().unwrap(),
    ]);
    assert_eq!(v["descriptor"]["hex"], want);
    // INF lines, wrapped in a service section, read back the same; quotes and percent signs
    // in SDDL survive.
    let sddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x20220;;;S-1-5-80-1-2-3-4-5)";
    let r = run(&["emit", "inf", "--sddl", sddl, "--no-restore-on-unload"]);
    assert_code(&r, 0);
    assert!(
        r.stdout
            .contains("HKR,Parameters,\"DaclSddl\",0x00000000,\"D:P(A;;GA;;;SY)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("HKR,Parameters,\"RestoreOnUnload\",0x00010001,0"),
        "{}",
        r.stdout
    );
    let inf = format!(
        "[DefaultInstall.NTamd64.Services]\nAddService = connsec,,Svc\n[Svc]\nAddReg = Params\n\n[Params]\n{}",
        r.stdout
    );
    std::fs::write(dir.join("p.inx"), inf).unwrap();
    let a = json(&[
        "--json",
        "plan",
        "--inf",
        dir.join("p.inx").to_str().unwrap(),
    ]);
    let b = json(&["--json", "plan", "--sddl", sddl, "--no-restore-on-unload"]);
    assert_eq!(a["descriptor"]["hex"], b["descriptor"]["hex"]);
    assert_eq!(a["restore_on_unload"], false);
    // JSON shape.
    let v = json(&["--json", "emit", "inf"]);
    assert_eq!(v["format"], "inf");
    assert!(v["text"].as_str().unwrap().contains("\"SY:GENERIC_ALL\""));
    // A refused policy is not emitted.
    let r = run(&["emit", "reg", "--principal", "WD:GENERIC_READ"]);
    assert_code(&r, 1);
    assert!(r.stdout.is_empty());
}

#[test]
fn explain_decodes_hex_files_and_binary() {
    let dir = temp_dir("explain");
    let hex = expected_default_descriptor();
    let text = run(&["explain", &hex]);
    assert_code(&text, 0);
    assert!(text.stdout.contains("DACL (5 ACEs):"), "{}", text.stdout);
    assert!(
        text.stdout.contains("NT SERVICE\\MpsSvc"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("BEGIN_READ_TXN|CLASSIFY|ENUM|OPEN|READ|READ_STATS|SUBSCRIBE|READ_CONTROL")
    );
    assert!(
        text.stdout.contains("SDDL: D:P(A;;0xf07ff;;;SY)"),
        "{}",
        text.stdout
    );
    // The same from a hex text file (with whitespace) and from raw bytes.
    let spaced: String = hex
        .as_bytes()
        .chunks(32)
        .map(|c| format!("{}\n", core::str::from_utf8(c).unwrap()))
        .collect();
    std::fs::write(dir.join("sd.txt"), spaced).unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    std::fs::write(dir.join("sd.bin"), &bytes).unwrap();
    assert_eq!(
        run(&["explain", dir.join("sd.txt").to_str().unwrap()]).stdout,
        text.stdout
    );
    assert_eq!(
        run(&["explain", dir.join("sd.bin").to_str().unwrap()]).stdout,
        text.stdout
    );
    // Owner, group, deny ACEs, generic bits, JSON.
    let r = run(&["sddl", "encode"]);
    assert_code(&r, 0);
    let enc = common::run_with(
        &["sddl", "encode"],
        b"O:BAG:SYD:(D;;GW;;;WD)(A;OICI;GA;;;SY)\n",
    );
    let v = json(&["--json", "explain", enc.stdout.trim()]);
    assert_eq!(v["owner"], "S-1-5-32-544");
    assert_eq!(v["group"], "S-1-5-18");
    assert_eq!(v["dacl"][0]["type"], "D");
    assert_eq!(v["dacl"][0]["name"], "Everyone");
    assert_eq!(v["dacl"][1]["flags"], 3);
    assert_eq!(v["sddl"], "O:BAG:SYD:(D;;GW;;;WD)(A;OICI;GA;;;SY)");
    // Bad input: the codec's offset, exit 2.
    let r = run(&["explain", "0100"]);
    assert_code(&r, 2);
    assert!(
        r.stderr.starts_with("connsecctl: explain: at byte 0: "),
        "{}",
        r.stderr
    );
    let r = run(&["explain", "01zz"]);
    assert_code(&r, 2);
    assert_eq!(
        r.stderr,
        "connsecctl: reading hex from argument: at character 2: not a hex digit\n"
    );
}

#[cfg(not(windows))]
#[test]
fn status_and_probe_need_windows() {
    for cmd in ["status", "probe"] {
        let r = run(&[cmd]);
        assert_code(&r, 2);
        assert!(
            r.stderr
                .starts_with(&format!("connsecctl: {cmd}: needs Windows")),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn help_documents_exit_codes_and_examples() {
    let r = run(&["--help"]);
    assert_code(&r, 0);
    assert!(r.stdout.contains("Exit status:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("connsecctl plan --reg params.reg"),
        "{}",
        r.stdout
    );
    let r = run(&["sddl", "--help"]);
    assert_code(&r, 0);
    assert!(r.stdout.contains("2  usage or I/O error"), "{}", r.stdout);
}
