//! Differential test: `secdesc::sddl::encode` against Samba 4.22's SDDL parser and NDR encoder.
//!
//! 10,000 descriptors (plus 100 with large DACLs) are generated from a fixed seed by the
//! strategies in `common/`, which also write their SDDL text without the codec's formatter. All of
//! them go through `scripts/oracle/samba_sddl.py` in one `/usr/bin/python3` process; Samba's
//! result is re-laid in Windows order by that script. For every case three byte strings must be
//! equal: the codec's, Samba's, and the generator's own model (`common::expected_bytes`). The
//! model says which side is wrong when the two parsers disagree.
//!
//! Environment:
//! * `CONNSEC_DIFF_SEED` — a u64 (decimal or `0x…`) replacing the default seed; the seed in use
//!   is always printed, so a failure reproduces with it.
//! * `CI` — when set, a missing Samba is a failure instead of a skip.
//!
//! Samba comes from `scripts/ci/install-linux-deps.sh` (python3-samba from bookworm-backports).

mod common;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use secdesc::{SddlContext, Sid, sddl};

use common::{GenSd, hex};

/// Cases per run with ordinary descriptors (fixed, so every run checks as much).
const CASES: usize = 10_000;
/// Extra cases with DACLs of up to `LARGE_MAX_ACES` ACEs.
const LARGE_CASES: usize = 100;
const LARGE_MAX_ACES: usize = 300;
/// Default seed; override with `CONNSEC_DIFF_SEED`.
const DEFAULT_SEED: u64 = 0x636f_6e6e_7365_6321; // "connsec!"
/// How many disagreements to print in full.
const SHOW: usize = 20;

const PYTHON: &str = "/usr/bin/python3";

fn oracle_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/oracle/samba_sddl.py")
}

/// `Some(version)` when Debian's python has Samba's bindings, else `None` with the reason printed.
fn samba_version() -> Result<String, String> {
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

fn seed() -> u64 {
    match std::env::var("CONNSEC_DIFF_SEED") {
        Ok(s) => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|e| panic!("CONNSEC_DIFF_SEED={s:?} is not a u64: {e}"))
        }
        Err(_) => DEFAULT_SEED,
    }
}

fn generate(seed: u64) -> Vec<GenSd> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let ordinary = common::descriptor();
    let large = (
        common::acl(common::DACL_ACE_TYPES, LARGE_MAX_ACES),
        prop_sid_opt(),
    )
        .prop_map(|(dacl, owner)| GenSd {
            owner,
            group: None,
            dacl: Some(dacl),
            sacl: None,
            order: vec!['O', 'D'],
        });
    let mut cases = Vec::with_capacity(CASES + LARGE_CASES);
    for _ in 0..CASES {
        cases.push(
            ordinary
                .new_tree(&mut runner)
                .expect("generator never rejects")
                .current(),
        );
    }
    for _ in 0..LARGE_CASES {
        cases.push(
            large
                .new_tree(&mut runner)
                .expect("generator never rejects")
                .current(),
        );
    }
    cases
}

fn prop_sid_opt() -> impl Strategy<Value = Option<common::GenSid>> {
    proptest::option::of(common::sid())
}

/// Runs the oracle once over all texts; one output line per input line.
fn run_oracle(texts: &[String]) -> Vec<String> {
    let mut child = Command::new(PYTHON)
        .arg(oracle_script())
        .arg(common::DOMAIN_SID_TEXT)
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

/// The codec's answer: lowercase hex, or `error: …`.
fn codec(text: &str, ctx: &SddlContext) -> String {
    let len = match sddl::encoded_len(text, ctx) {
        Ok(len) => len,
        Err(e) => {
            return format!(
                "error: encoded_len: {e} (kind {:?}, offset {})",
                e.kind, e.offset
            );
        }
    };
    let mut buf = vec![0xa5u8; len];
    match sddl::encode(text, ctx, &mut buf) {
        Ok(n) if n == len => hex(&buf),
        Ok(n) => format!("error: encode wrote {n} bytes, encoded_len said {len}"),
        Err(e) => format!(
            "error: encode: {e} (kind {:?}, offset {})",
            e.kind, e.offset
        ),
    }
}

#[test]
fn sddl_encode_matches_samba_4_22() {
    let version = match samba_version() {
        Ok(v) => v,
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set and the Samba oracle is unavailable: {why}; \
                 run scripts/ci/install-linux-deps.sh"
            );
            println!("SKIPPED differential test against Samba: {why}");
            println!("(install it with: sudo bash scripts/ci/install-linux-deps.sh)");
            return;
        }
    };
    let seed = seed();
    println!("Samba {version}; seed {seed:#x} (set CONNSEC_DIFF_SEED to change it)");

    let ctx = SddlContext::new()
        .with_domain_sid(Sid::parse(common::DOMAIN_SID_TEXT).expect("test domain SID parses"));
    let cases = generate(seed);
    let texts: Vec<String> = cases.iter().map(GenSd::sddl).collect();
    let samba = run_oracle(&texts);

    let (mut agree, mut codec_wrong, mut samba_wrong, mut both_wrong, mut bytes) = (0, 0, 0, 0, 0);
    let mut shown = 0;
    for ((case, text), samba) in cases.iter().zip(&texts).zip(&samba) {
        let model = hex(&common::expected_bytes(case));
        let ours = codec(text, &ctx);
        let verdict = match (ours == *samba, ours == model, *samba == model) {
            (true, true, _) => {
                agree += 1;
                bytes += model.len() / 2;
                continue;
            }
            (_, false, true) => {
                codec_wrong += 1;
                "codec differs from Samba and the model"
            }
            (_, true, false) => {
                samba_wrong += 1;
                "Samba differs from the codec and the model"
            }
            _ => {
                both_wrong += 1;
                "codec, Samba and model all differ"
            }
        };
        if shown < SHOW {
            shown += 1;
            println!(
                "MISMATCH ({verdict})\n  sddl:  {text}\n  samba: {samba}\n  codec: {ours}\n  model: {model}"
            );
        }
    }
    let total = cases.len();
    println!(
        "differential vs Samba {version}: {total} cases, {agree} identical ({bytes} bytes), \
         {codec_wrong} codec mismatches, {samba_wrong} Samba/generator mismatches, \
         {both_wrong} three-way mismatches; seed {seed:#x}"
    );
    assert!(total >= CASES, "at least {CASES} cases per run");
    assert_eq!(
        agree, total,
        "not every case agreed (seed {seed:#x}); see MISMATCH lines above"
    );
}
