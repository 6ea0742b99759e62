//! The cost target's workload, for callgrind: SDDL text of a DACL with 256 allow ACEs whose
//! SIDs are 5-sub-authority domain SIDs, encoded `ROUNDS` times.
//!
//! ```text
//! cargo build --release -p secdesc --example encode_256
//! valgrind --tool=callgrind --toggle-collect='encode_256::run' \
//!     target/release/examples/encode_256 [same-domain|distinct-domains|random-domains]
//! # or print the line K times, as input for `connsecctl sddl encode`:
//! target/release/examples/encode_256 random-domains --lines K
//! ```
//!
//! Instructions per output byte = total Ir / (ROUNDS × the byte count this prints).
//!
//! - `same-domain` (the default) is the workload of `scripts/measure-callgrind.sh` (another
//!   domain, same lengths): one domain, RIDs 1000–1255, mask `0x1f01ff`.
//! - `distinct-domains`: every ACE its own domain (the third domain number counts up), so no
//!   repetition between ACEs can be exploited.
//! - `random-domains`: the general case. `S-1-5-21-a-b-c-rid` with all four numbers drawn
//!   uniformly from the whole `u32` range (so mostly 9 or 10 digits, the longest text per
//!   output byte), and rights alternating at random between a random hex mask (`0x…`, 1 to 8
//!   digits) and a file or generic token (`FA`, `FR`, `GA`, …). Fixed seed: the same text on
//!   every run.

use core::fmt::Write as _;

use secdesc::{SddlContext, sddl};

const ROUNDS: usize = 10;

/// xorshift64*: a fixed-seed generator, so the workload is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn u32(&mut self) -> u32 {
        (self.next() >> 32) as u32
    }
}

/// Rights tokens of the `random-domains` workload.
const TOKENS: [&str; 8] = ["FA", "FR", "FW", "FX", "GA", "GR", "KA", "KR"];

fn workload(kind: &str) -> String {
    let mut text = String::from("D:");
    let mut rng = Rng(0x5344_444c_2d32_3536);
    for i in 0..256u32 {
        match kind {
            "same-domain" => write!(
                text,
                "(A;;0x1f01ff;;;S-1-5-21-2457507606-2709100691-398136650-{})",
                1000 + i
            ),
            "distinct-domains" => write!(
                text,
                "(A;;0x1f01ff;;;S-1-5-21-2457507606-2709100691-{}-{})",
                398_136_650 + i,
                1000 + i
            ),
            "random-domains" => {
                let bits = rng.next();
                if bits & 1 == 0 {
                    // 1 to 8 hex digits.
                    let digits = 1 + (bits >> 1) % 8;
                    let mask = rng.u32() >> (32 - 4 * digits);
                    write!(text, "(A;;0x{mask:x};;;").unwrap();
                } else {
                    let token = TOKENS[((bits >> 1) % 8) as usize];
                    write!(text, "(A;;{token};;;").unwrap();
                }
                let (a, b, c, rid) = (rng.u32(), rng.u32(), rng.u32(), rng.u32());
                write!(text, "S-1-5-21-{a}-{b}-{c}-{rid})")
            }
            other => panic!("unknown workload {other:?}"),
        }
        .unwrap();
    }
    text
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map_or("same-domain", String::as_str);
    let text = workload(kind);
    if let Some(k) = args
        .iter()
        .position(|a| a == "--lines")
        .and_then(|i| args.get(i + 1))
    {
        let k: usize = k.parse().expect("--lines takes a count");
        for _ in 0..k {
            println!("{text}");
        }
        return;
    }
    let ctx = SddlContext::new();
    let mut out = vec![0u8; 16_384];
    let n = run(&text, &ctx, &mut out);
    println!(
        "{ROUNDS} rounds, {n} bytes per descriptor, {} text bytes ({kind})",
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
