//! Differential test against Samba (the independent SDDL oracle, `scripts/oracle/samba_sddl.py`):
//! the DACL built from a `Principals` list equals Samba's encoding of the same ACEs written as
//! SDDL. Skipped, with a message, where Debian's `python3-samba` 4.22 is not installed
//! (`scripts/ci/install-linux-deps.sh` installs it).

mod common;

use core::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use common::Key;
use connsec_policy::{Config, DaclSource, Policy};

const PRINCIPALS: [&str; 10] = [
    "SY",
    "BA",
    "NO",
    "WD",
    "AU",
    "NS",
    "S-1-5-32-545",
    "S-1-5-21-1000-2000-3000-1105",
    "NT SERVICE\\MpsSvc",
    "NT SERVICE\\TrustedInstaller",
];
const RIGHTS: [&str; 7] = [
    "",
    ":READ",
    ":GENERIC_ALL",
    ":ENUM|SUBSCRIBE",
    ":0x2a0",
    ":GENERIC_READ|GENERIC_EXECUTE",
    ":ADD|DELETE",
];

/// Deterministic principal lists: the INF defaults, then pseudo-random ones (xorshift), each
/// starting with full access for SYSTEM and Administrators so the checks pass.
fn lists() -> Vec<Vec<String>> {
    let mut out = vec![
        connsec_policy::config::DEFAULT_PRINCIPALS
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
    ];
    let mut x: u32 = 0x2545_F491;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as usize
    };
    for _ in 0..60 {
        let mut list = vec!["SY:GENERIC_ALL".to_string(), "BA:GENERIC_ALL".to_string()];
        for _ in 0..next() % 10 {
            list.push(format!(
                "{}{}",
                PRINCIPALS[next() % PRINCIPALS.len()],
                RIGHTS[next() % RIGHTS.len()]
            ));
        }
        out.push(list);
    }
    out
}

fn samba_available() -> bool {
    Command::new("/usr/bin/python3")
        .args(["-c", "import samba.dcerpc.security"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn principal_dacls_match_samba() {
    if !samba_available() {
        println!(
            "skipped: /usr/bin/python3 cannot import samba (install python3-samba 4.22, see scripts/ci/install-linux-deps.sh)"
        );
        return;
    }
    let mut sddl_lines = String::new();
    let mut ours = Vec::new();
    for list in lists() {
        let refs: Vec<&str> = list.iter().map(String::as_str).collect();
        let key = Key::new().principals(&refs);
        let values = key.values();
        let config = Config::parse(&values, &mut |_| {}).unwrap();
        let mut buf = vec![0u8; Policy::required_len(&config).unwrap()];
        let dacl = Policy::build(&config, &mut buf).unwrap();
        // The same ACEs as SDDL: one (A;;mask;;;SID) per distinct SID, in first-seen order.
        let DaclSource::Principals(entries) = config.source else {
            unreachable!()
        };
        let mut merged: Vec<(String, u32)> = Vec::new();
        for e in entries.entries() {
            let e = e.unwrap();
            let sid = e.sid.to_string();
            match merged.iter_mut().find(|(s, _)| *s == sid) {
                Some((_, m)) => *m |= e.mask,
                None => merged.push((sid, e.mask)),
            }
        }
        let mut line = String::from("D:");
        for (sid, mask) in merged {
            write!(line, "(A;;0x{mask:x};;;{sid})").unwrap();
        }
        sddl_lines.push_str(&line);
        sddl_lines.push('\n');
        ours.push((line, dacl.as_bytes().to_vec()));
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/oracle/samba_sddl.py"
    );
    let mut child = Command::new("/usr/bin/python3")
        .args([script, "S-1-5-21-1-2-3"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the Samba oracle");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sddl_lines.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "oracle failed");
    let text = String::from_utf8(output.stdout).unwrap();
    let answers: Vec<&str> = text.lines().collect();
    assert_eq!(answers.len(), ours.len());
    for ((sddl, bytes), answer) in ours.iter().zip(answers) {
        assert!(!answer.starts_with("error"), "{sddl}: {answer}");
        // Windows layout: the DACL starts right after the 20-byte header (no SACL).
        let hex = bytes.iter().fold(String::new(), |mut h, b| {
            write!(h, "{b:02x}").unwrap();
            h
        });
        assert_eq!(&answer[40..], hex, "{sddl}");
    }
    println!("{} principal lists matched Samba byte for byte", ours.len());
}
