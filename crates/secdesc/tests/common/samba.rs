//! The Samba 4.22 oracle: `scripts/oracle/samba_sddl.py` run by Debian's Python, one process
//! for a whole batch of SDDL lines.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub const PYTHON: &str = "/usr/bin/python3";

pub fn oracle_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/oracle/samba_sddl.py")
}

/// `Some(version)` when Debian's python has Samba's bindings, else `None` with the reason printed.
pub fn samba_version() -> Result<String, String> {
    let out = Command::new(PYTHON)
        .args([
            "-c",
            "import samba; from samba.dcerpc import security; from samba.ndr import ndr_pack; \
             print(samba.version)",
        ])
        .output()
        .map_err(|e| format!("cannot run {PYTHON}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{PYTHON} has no Samba bindings: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let minor = version
        .strip_prefix("4.")
        .and_then(|r| r.split('.').next()?.parse::<u32>().ok());
    match minor {
        Some(m) if m >= 22 => Ok(version),
        _ => Err(format!(
            "Samba {version} is not 4.22 or later (Debian 12's 4.17 is no oracle)"
        )),
    }
}

/// Samba's version when the oracle can run; otherwise prints `SKIPPED <what>: <why>` and
/// gives `None`, except under CI (the variable `CI` set), where a missing oracle is a failure.
pub fn available(what: &str) -> Option<String> {
    match samba_version() {
        Ok(version) => Some(version),
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set and the Samba oracle is unavailable: {why}; \
                 run scripts/ci/install-linux-deps.sh"
            );
            println!("SKIPPED {what}: {why}");
            None
        }
    }
}

/// Runs the oracle once over all texts; one output line per input line.
pub fn run_oracle(texts: &[String]) -> Vec<String> {
    run_oracle_with(texts, super::DOMAIN_SID_TEXT)
}

/// [`run_oracle`] with another domain SID for the domain-relative aliases.
pub fn run_oracle_with(texts: &[String], domain: &str) -> Vec<String> {
    let mut child = Command::new(PYTHON)
        .arg(oracle_script())
        .arg(domain)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Samba oracle");
    let input: String = texts.iter().flat_map(|t| [t.as_str(), "\n"]).collect();
    let mut stdin = child.stdin.take().expect("oracle stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("wait for the Samba oracle");
    writer
        .join()
        .expect("writer thread")
        .expect("write SDDL to the oracle");
    assert!(
        out.status.success(),
        "oracle failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .expect("oracle writes ASCII")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines.len(),
        texts.len(),
        "the oracle must answer every line exactly once"
    );
    lines
}
