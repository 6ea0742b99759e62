//! Differential test against Wine's `reg import`: generated `.reg` files (repeated keys in any
//! letter case and control set, later values winning, `"Name"=-`, `[-key]` of the key and of a
//! parent, another service's key, every value type, UTF-16LE version 5 and ANSI `REGEDIT4`) are
//! imported into a Wine prefix, the key is exported with `reg export`, and what Wine's registry
//! holds is compared with the key connsecctl plans from the same file.
//!
//! Runs only when `CONNSEC_WINE=1` (set by `scripts/ci/wine-connsecctl.sh`, which creates the
//! prefix); otherwise it prints why it skips. One `cmd /c` batch runs every import and export,
//! so the whole run costs one Wine start. `CONNSEC_WINE_CASES` sets the number of files
//! (default 60) and `CONNSEC_WINE_SEED` the seed, so that a failure can be replayed.
//!
//! Where Wine and Microsoft's documentation disagree the test follows Windows; the cases are
//! listed in `docs/connsecctl.md` ("Differences from Wine").

use core::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use connsec_inf::reg::Target;
use connsec_inf::{RegFile, RegType, merge};
use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};

const KEY: &str = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec\Parameters";

/// proptest's `ChaCha` generator from a seed, so that a seed replays a run.
struct Rng(TestRng);

impl Rng {
    fn new(seed: u64) -> Self {
        let bytes: Vec<u8> = seed.to_le_bytes().repeat(4);
        Self(TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(',');
            // regedit's continuation now and then, as exports have it.
            if i % 19 == 0 {
                out.push_str("\\\r\n  ");
            }
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// UTF-16LE with a NUL, or (REGEDIT4) ANSI bytes with a NUL.
fn string_bytes(s: &str, ansi: bool) -> Vec<u8> {
    if ansi {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        b
    } else {
        connsec_inf::sz_bytes(s)
    }
}

fn value_line(rng: &mut Rng, ansi: bool) -> String {
    let name = rng.pick(&[
        "Principals",
        "PRINCIPALS",
        "DaclSddl",
        "daclsddl",
        "RestoreOnUnload",
        "Extra",
        "@",
    ]);
    let name = if name == "@" {
        "@".to_owned()
    } else {
        format!("\"{name}\"")
    };
    let text = rng.pick(&[
        "SY:GENERIC_ALL",
        "D:P(A;;GA;;;SY)",
        "a \\\\ b",
        "q\\\"uote",
        "NT SERVICE\\\\MpsSvc:READ",
        "x",
    ]);
    let plain = text.replace("\\\\", "\\").replace("\\\"", "\"");
    let data = match rng.below(9) {
        0 | 1 => format!("\"{text}\""),
        2 => format!("dword:{:08x}", rng.next() >> 32),
        3 => format!("hex:{}", hex(&rng.next().to_le_bytes()[..=rng.below(7)])),
        4 => {
            let mut b = string_bytes(&plain, ansi);
            b.extend(string_bytes("BA:GENERIC_ALL", ansi));
            b.push(0);
            if !ansi {
                b.push(0);
            }
            format!("hex(7):{}", hex(&b))
        }
        5 => format!("hex(2):{}", hex(&string_bytes("%SystemRoot%\\x", ansi))),
        6 => format!("hex(b):{}", hex(&rng.next().to_le_bytes())),
        7 => "hex(0):".to_owned(),
        _ => "-".to_owned(),
    };
    format!("{name}={data}")
}

fn key_line(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=3 => format!("[{KEY}]"),
        4 => format!("[{}]", KEY.to_ascii_lowercase()),
        5 => r"[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\connsec\Parameters]".to_owned(),
        6 => format!("[-{KEY}]"),
        7 => r"[-HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec]".to_owned(),
        8 => {
            r"[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec2\Parameters]".to_owned()
        }
        _ => r"[HKEY_CURRENT_USER\Software\connsec\Parameters]".to_owned(),
    }
}

/// One generated file: its bytes and whether it is `REGEDIT4`.
fn generate(rng: &mut Rng) -> (Vec<u8>, bool) {
    let ansi = rng.below(4) == 0;
    let mut text = String::from(if ansi {
        "REGEDIT4\r\n\r\n"
    } else {
        "Windows Registry Editor Version 5.00\r\n\r\n"
    });
    let _ = write!(text, "[{KEY}]\r\n");
    for _ in 0..=rng.below(14) {
        let line = if rng.below(4) == 0 {
            key_line(rng)
        } else {
            value_line(rng, ansi)
        };
        text.push_str(&line);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    if ansi {
        (text.into_bytes(), true)
    } else {
        let mut b = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        (b, false)
    }
}

/// What connsecctl plans: the key's values after the import over a missing key.
fn planned(bytes: &[u8]) -> Vec<(String, RegType, Vec<u8>)> {
    let file = RegFile::from_bytes(bytes).expect("generated files read");
    let ops = file.ops_for(|p| {
        let (root, rest) = p.split_once('\\').unwrap_or((p, ""));
        if !root.eq_ignore_ascii_case("HKEY_LOCAL_MACHINE") {
            return Target::Other;
        }
        let want = [
            "SYSTEM",
            "CurrentControlSet",
            "Services",
            "connsec",
            "Parameters",
        ];
        let parts: Vec<&str> = rest.split('\\').collect();
        // Only CurrentControlSet: Wine 8 keeps it as a key of its own, not a link to
        // ControlSet001 as Windows does (HKLM\SYSTEM\Select, Current = 1); that connsecctl
        // plans both as one key, as on Windows, is tested in tests/semantics.rs.
        let ok = parts.len() <= want.len()
            && parts
                .iter()
                .zip(want)
                .all(|(a, b)| a.eq_ignore_ascii_case(b));
        match (ok, parts.len()) {
            (true, 5) => Target::Key,
            (true, 1..) => Target::Ancestor,
            _ => Target::Other,
        }
    });
    let mut v: Vec<_> = merge::apply(&ops, &[])
        .values
        .into_iter()
        .map(|v| (v.name.to_lowercase(), v.kind, v.data))
        .collect();
    v.sort();
    v
}

/// What Wine's registry holds, from its `reg export` (absent file: no key).
fn exported(path: &Path) -> Vec<(String, RegType, Vec<u8>)> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let file = RegFile::from_bytes(&bytes).expect("Wine's export reads");
    let mut v: Vec<_> = file
        .keys
        .iter()
        .filter(|k| k.path.eq_ignore_ascii_case(KEY))
        .flat_map(|k| k.values.iter())
        .map(|v| (v.name.to_lowercase(), v.kind, v.data.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn wine_reg_import_holds_what_plan_computes() {
    if std::env::var_os("CONNSEC_WINE").is_none_or(|v| v != "1") {
        println!(
            "skipped: set CONNSEC_WINE=1 with wine on PATH and a WINEPREFIX (scripts/ci/wine-connsecctl.sh does)"
        );
        return;
    }
    let cases: usize = std::env::var("CONNSEC_WINE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("CONNSEC_WINE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00C0_FFEE);
    let dir = std::env::temp_dir().join(format!("connsec-wine-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng::new(seed);
    let mut batch = String::from("@echo off\r\n");
    let mut files = Vec::new();
    let mut ansi_count = 0;
    for i in 0..cases {
        let (bytes, ansi) = generate(&mut rng);
        ansi_count += usize::from(ansi);
        let input = dir.join(format!("in{i}.reg"));
        std::fs::write(&input, &bytes).unwrap();
        let win = |p: &Path| format!("Z:{}", p.display().to_string().replace('/', "\\"));
        let output = dir.join(format!("out{i}.reg"));
        // A fresh key for every case: delete what the previous case left.
        let _ = write!(
            batch,
            "reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\connsec /f >nul 2>&1\r\n\
             reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\connsec2 /f >nul 2>&1\r\n\
             reg import {} >nul 2>&1\r\n\
             reg export {KEY} {} /y >nul 2>&1\r\n",
            win(&input),
            win(&output)
        );
        files.push((input, output, bytes));
    }
    let bat = dir.join("run.bat");
    std::fs::write(&bat, &batch).unwrap();
    let status = Command::new("wine")
        .args(["cmd", "/c"])
        .arg(format!(
            "Z:{}",
            bat.display().to_string().replace('/', "\\")
        ))
        .env("WINEDEBUG", "-all")
        .status()
        .expect("run wine");
    assert!(status.success(), "wine cmd /c run.bat: {status}");
    let mut failures = Vec::new();
    let mut values = 0;
    for (input, output, bytes) in &files {
        let want = planned(bytes);
        let got = exported(output);
        values += want.len();
        if want != got {
            failures.push(format!(
                "{}:\n  planned: {want:?}\n  Wine:    {got:?}",
                input.display()
            ));
        }
    }
    println!(
        "wine differential: {cases} generated .reg files ({ansi_count} REGEDIT4, {} UTF-16LE), {values} values planned, seed {seed}: {} differ",
        cases - ansi_count,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
