//! The cost target's workload, for callgrind: SDDL text of a DACL with 256 allow ACEs whose
//! SIDs are 5-sub-authority domain SIDs, encoded `ROUNDS` times.
//!
//! ```text
//! cargo build --release -p secdesc --example encode_256
//! valgrind --tool=callgrind --toggle-collect='encode_256::run' \
//!     target/release/examples/encode_256 [same-domain|distinct-domains]
//! ```
//!
//! Instructions per output byte = total Ir / (ROUNDS × the byte count this prints).
//! `same-domain` (the default) is the target's workload: one domain, RIDs 1000–1255, so the
//! encoder's repeated-domain memo applies from the second ACE on. `distinct-domains` gives
//! every ACE its own domain, which defeats the memo and shows the cost of full SID parsing.

use core::fmt::Write as _;

use secdesc::{SddlContext, sddl};

const ROUNDS: usize = 10;

fn main() {
    let distinct = std::env::args()
        .nth(1)
        .is_some_and(|a| a == "distinct-domains");
    let mut text = String::from("D:");
    for i in 0..256u32 {
        let domain = if distinct {
            398_136_650 + i
        } else {
            398_136_650
        };
        write!(
            text,
            "(A;;0x1f01ff;;;S-1-5-21-2457507606-2709100691-{domain}-{})",
            1000 + i
        )
        .unwrap();
    }
    let ctx = SddlContext::new();
    let mut out = vec![0u8; 16_384];
    let n = run(&text, &ctx, &mut out);
    println!(
        "{ROUNDS} rounds, {n} bytes per descriptor, {} text bytes ({})",
        text.len(),
        if distinct {
            "distinct domains"
        } else {
            "same domain"
        }
    );
}

/// The measured part: `ROUNDS` encodes (callgrind toggles collection on this function).
#[inline(never)]
fn run(text: &str, ctx: &SddlContext, out: &mut [u8]) -> usize {
    let mut n = 0;
    for _ in 0..ROUNDS {
        n = sddl::encode(
            core::hint::black_box(text),
            ctx,
            core::hint::black_box(&mut *out),
        )
        .unwrap();
    }
    n
}
