//! The cost target's workload, for callgrind: SDDL text of a DACL with 256 allow ACEs whose
//! SIDs are 5-sub-authority domain SIDs, encoded `ROUNDS` times.
//!
//! ```text
//! cargo build --release -p secdesc --example encode_256
//! valgrind --tool=callgrind --toggle-collect='encode_256::run' \
//!     target/release/examples/encode_256
//! ```
//!
//! Instructions per output byte = total Ir / (ROUNDS × the byte count this prints).

use core::fmt::Write as _;

use secdesc::{SddlContext, sddl};

const ROUNDS: usize = 10;

fn main() {
    let mut text = String::from("D:");
    for i in 0..256 {
        write!(
            text,
            "(A;;0x1f01ff;;;S-1-5-21-2457507606-2709100691-398136650-{})",
            1000 + i
        )
        .unwrap();
    }
    let ctx = SddlContext::new();
    let mut out = vec![0u8; 16_384];
    let n = run(&text, &ctx, &mut out);
    println!(
        "{ROUNDS} rounds, {n} bytes per descriptor, {} text bytes",
        text.len()
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
