//! How long reading `.reg` and INF files takes, for `reports/reg-reading.md`:
//!
//! ```sh
//! cargo run --release -p connsec-inf --example reading_speed [ROW-FILTER]
//! cargo run --release -p connsec-inf --example reading_speed -- --write DIR
//! ```
//!
//! Generates, in memory, a UTF-16LE regedit export and an INF holding a 16 MiB binary value
//! (wrapped as regedit and an administrator wrap it), and ones holding 100,000 `REG_DWORD`
//! values plus the same at a sixteenth of the size, then times what `connsecctl` does before
//! the policy checks: decoding, parsing, and computing the `Parameters` key (`merge::apply`).
//! Best of five runs each; the sixteenth-size rows show that the time is linear. Every file
//! also sets `Principals`, so that `connsecctl plan` builds a DACL from it; `--write DIR`
//! writes the files to `DIR` instead, for timing whole `connsecctl plan`/`check` runs.

use core::fmt::Write as _;
use core::time::Duration;
use std::time::Instant;

use connsec_inf::reg::Target;
use connsec_inf::{Inf, RegFile, merge};

const KEY: &str = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec\Parameters";

fn utf16le(text: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

/// `n` bytes of hex, wrapped as regedit wraps them after a `first`-character prefix.
fn reg_hex(n: usize, first: usize) -> String {
    let mut out = String::with_capacity(n * 3 + n / 8);
    let mut line = first;
    for i in 0..n {
        let _ = write!(out, "{:02x}", i % 251);
        if i + 1 == n {
            break;
        }
        out.push(',');
        line += 3;
        if line >= 77 {
            out.push_str("\\\r\n  ");
            line = 2;
        }
    }
    out
}

/// The policy every generated file carries, so that `connsecctl plan` builds a DACL from it.
const PRINCIPALS: [&str; 2] = ["SY:GENERIC_ALL", "BA:GENERIC_ALL"];

/// The `.reg` line setting [`PRINCIPALS`] (`REG_MULTI_SZ`, written as `hex(7):` bytes).
fn reg_principals() -> String {
    let mut hex = String::new();
    for s in PRINCIPALS {
        for u in s.encode_utf16().chain([0]) {
            for b in u.to_le_bytes() {
                let _ = write!(hex, "{b:02x},");
            }
        }
    }
    format!("\"Principals\"=hex(7):{hex}00,00\r\n")
}

fn reg_head() -> String {
    format!(
        "Windows Registry Editor Version 5.00\r\n\r\n[{KEY}]\r\n{}",
        reg_principals()
    )
}

fn reg_big(n: usize) -> Vec<u8> {
    utf16le(&format!(
        "{}\"Blob\"=hex:{}\r\n\r\n",
        reg_head(),
        reg_hex(n, 11)
    ))
}

fn reg_many(n: usize) -> Vec<u8> {
    let mut text = reg_head();
    for i in 0..n {
        let _ = write!(text, "\"V{i}\"=dword:{i:08x}\r\n");
    }
    text.push_str("\r\n");
    utf16le(&text)
}

const INF_HEAD: &str = "[Version]\nSignature = \"$WINDOWS NT$\"\n\n[DefaultInstall.NTamd64.Services]\nAddService = connsec,,Svc\n\n[Svc]\nAddReg = P\n\n[P]\nHKR,Parameters,Principals,0x00010000,\"SY:GENERIC_ALL\",\"BA:GENERIC_ALL\"\n";

fn inf_big(n: usize) -> Vec<u8> {
    let mut text = format!("{INF_HEAD}HKR,Parameters,Blob,0x00000001");
    for i in 0..n {
        if i % 25 == 0 && i > 0 {
            text.push_str(",\\\n  ");
            let _ = write!(text, "{:02x}", i % 251);
        } else {
            let _ = write!(text, ",{:02x}", i % 251);
        }
    }
    text.push('\n');
    text.into_bytes()
}

fn inf_many(n: usize) -> Vec<u8> {
    let mut text = INF_HEAD.to_owned();
    for i in 0..n {
        let _ = writeln!(text, "HKR,Parameters,V{i},0x00010001,{i}");
    }
    text.into_bytes()
}

fn target(path: &str) -> Target {
    if path.eq_ignore_ascii_case(KEY) {
        Target::Key
    } else {
        Target::Other
    }
}

fn read_reg(bytes: &[u8]) -> usize {
    let file = RegFile::from_bytes(bytes).expect("generated .reg reads");
    merge::apply(&file.ops_for(target), &[]).values.len()
}

fn read_inf(bytes: &[u8]) -> usize {
    let inf = Inf::from_bytes(bytes).expect("generated INF reads");
    let ops = inf.service_key_ops("connsec", "Parameters", &|_| Target::Other);
    assert!(ops.errors.is_empty(), "{:?}", ops.errors.first());
    merge::apply(&ops.ops, &[]).values.len()
}

fn best(f: &dyn Fn() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut values = 0;
    for _ in 0..5 {
        let t = Instant::now();
        values = f();
        best = best.min(t.elapsed());
    }
    (best, values)
}

/// A row: its name, the file name `--write` gives it, and how to generate its bytes.
type Case = (&'static str, &'static str, fn() -> Vec<u8>);

fn main() {
    const MIB: usize = 1 << 20;
    let cases: [Case; 8] = [
        (".reg, one 16 MiB REG_BINARY value", "big-16MiB.reg", || {
            reg_big(16 * MIB)
        }),
        (".reg, one 1 MiB REG_BINARY value", "big-1MiB.reg", || {
            reg_big(MIB)
        }),
        (".reg, 100,000 REG_DWORD values", "many-100000.reg", || {
            reg_many(100_000)
        }),
        (".reg, 6,250 REG_DWORD values", "many-6250.reg", || {
            reg_many(6_250)
        }),
        (
            "INF, one 16 MiB binary AddReg value",
            "big-16MiB.inf",
            || inf_big(16 * MIB),
        ),
        ("INF, one 1 MiB binary AddReg value", "big-1MiB.inf", || {
            inf_big(MIB)
        }),
        ("INF, 100,000 AddReg lines", "many-100000.inf", || {
            inf_many(100_000)
        }),
        ("INF, 6,250 AddReg lines", "many-6250.inf", || {
            inf_many(6_250)
        }),
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--write DIR`: write the files (for timing `connsecctl plan`/`check` on them) and stop.
    if let [flag, dir] = args.as_slice()
        && flag == "--write"
    {
        for (_, file, make) in &cases {
            let path = std::path::Path::new(dir).join(file);
            std::fs::write(&path, make()).expect("writing a generated file");
            println!("{}", path.display());
        }
        return;
    }
    // An argument picks the rows whose name contains it (`reading_speed 16`).
    let only = args.first().map_or("", String::as_str);
    println!("| input | file size | values | time (best of 5) |");
    println!("|---|---:|---:|---:|");
    for (name, file, make) in cases.iter().filter(|c| c.0.contains(only)) {
        let bytes = make();
        let (time, values) = if std::path::Path::new(file)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("reg"))
        {
            best(&|| read_reg(&bytes))
        } else {
            best(&|| read_inf(&bytes))
        };
        // Tenths of a MiB, in integers.
        let tenths = bytes.len() * 10 / MIB;
        println!(
            "| {name} | {}.{} MiB | {values} | {:.3} s |",
            tenths / 10,
            tenths % 10,
            time.as_secs_f64()
        );
    }
}
