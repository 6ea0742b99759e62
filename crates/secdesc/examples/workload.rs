//! Prints the codec's cost workload (see `benches/workload/mod.rs`), one line per copy, as
//! input for `connsecctl sddl encode` (SDDL) or `connsecctl sddl decode` (hex):
//!
//! ```text
//! cargo run --release -p secdesc --example workload -- sddl|hex ACES COPIES [--distinct]
//! ```
//!
//! `scripts/measure-callgrind.sh` measures both directions with it.

#[path = "../benches/workload/mod.rs"]
mod workload;

use secdesc::{SddlContext, sddl};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: workload sddl|hex ACES COPIES [--distinct]";
    let (Some(form), Some(aces), Some(copies)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let aces: usize = aces.parse().expect("ACES is a number");
    let copies: usize = copies.parse().expect("COPIES is a number");
    let distinct = args.iter().any(|a| a == "--distinct");
    let text = workload::dacl(aces, distinct);
    let line = match form.as_str() {
        "sddl" => text,
        "hex" => {
            let mut bytes = vec![0u8; workload::descriptor_len(aces)];
            let n = sddl::encode(&text, &SddlContext::new(), &mut bytes).expect("workload encodes");
            assert_eq!(n, bytes.len(), "descriptor length");
            faster_hex::hex_string(&bytes)
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let mut out = String::with_capacity((line.len() + 1) * copies);
    for _ in 0..copies {
        out.push_str(&line);
        out.push('\n');
    }
    print!("{out}");
}
