//! The codec's cost workload, shared by `benches/codec.rs`, `examples/workload.rs` (which
//! prints it for `scripts/measure-callgrind.sh`) and the unit tests' size-limit test: a DACL of
//! `aces` allow ACEs whose trustees are 5-sub-authority domain SIDs, with a numeric mask.
//!
//! `D:(A;;0x1200a9;;;S-1-5-21-1004336348-1177238915-682003330-1000)…`, RIDs counting up from
//! 1000. The mask has a bit (`SYNCHRONIZE`, 0x100000) no rights token covers, so the formatter
//! writes it back as the same number and decoding the descriptor gives this text again. Each
//! ACE is 36 bytes; the descriptor is 20 + 8 + 36 × `aces` bytes.
//!
//! With `distinct`, every SID has its own domain (three pseudo-random 32-bit numbers from a
//! fixed linear congruential sequence), so nothing repeats between ACEs.

use core::fmt::Write as _;

/// The domain of the SIDs (one fixed account domain).
pub(crate) const DOMAIN: &str = "S-1-5-21-1004336348-1177238915-682003330";

/// The access mask of every ACE, as the formatter writes it.
pub(crate) const MASK: &str = "0x1200a9";

/// The SDDL text of the workload DACL.
pub(crate) fn dacl(aces: usize, distinct: bool) -> String {
    let mut text = String::from("D:");
    let mut x: u64 = 12_345;
    for rid in (1000..).take(aces) {
        if distinct {
            text.push_str("(A;;0x1200a9;;;S-1-5-21");
            for _ in 0..3 {
                x = (x * 1_103_515_245 + 12_345) % (1 << 32);
                write!(text, "-{x}").unwrap();
            }
            write!(text, "-{rid})").unwrap();
        } else {
            write!(text, "(A;;{MASK};;;{DOMAIN}-{rid})").unwrap();
        }
    }
    text
}

/// The descriptor length of a workload DACL of `aces` ACEs.
#[allow(dead_code)] // not every includer needs it
pub(crate) const fn descriptor_len(aces: usize) -> usize {
    20 + 8 + 36 * aces
}
