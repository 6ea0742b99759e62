//! Encode, decode and format costs for DACLs of 1, 16 and 256 allow ACEs with 5-sub-authority
//! domain SIDs (36-byte ACEs): `cargo bench -p secdesc --bench codec`.

use core::fmt::Write as _;

use divan::{Bencher, black_box};
use secdesc::{SddlContext, SecurityDescriptor, sddl};

fn main() {
    divan::main();
}

/// `O:BAG:SYD:(A;;0x1f01ff;;;S-1-5-21-…-1000)…` with `n` ACEs.
fn dacl_text(n: usize) -> String {
    let mut s = String::from("O:BAG:SYD:");
    for i in 0..n {
        write!(
            s,
            "(A;;0x1f01ff;;;S-1-5-21-2457507606-2709100691-398136650-{})",
            1000 + i
        )
        .unwrap();
    }
    s
}

const SIZES: [usize; 3] = [1, 16, 256];

#[divan::bench(args = SIZES)]
fn encode(bencher: Bencher<'_, '_>, n: usize) {
    let text = dacl_text(n);
    let ctx = SddlContext::new();
    let mut out = vec![0u8; sddl::encoded_len(&text, &ctx).unwrap()];
    bencher
        .counter(divan::counter::BytesCount::new(out.len()))
        .bench_local(|| sddl::encode(black_box(&text), &ctx, black_box(&mut out)).unwrap());
}

#[divan::bench(args = SIZES)]
fn encoded_len(bencher: Bencher<'_, '_>, n: usize) {
    let text = dacl_text(n);
    let ctx = SddlContext::new();
    bencher.bench_local(|| sddl::encoded_len(black_box(&text), &ctx).unwrap());
}

#[divan::bench(args = SIZES)]
fn decode(bencher: Bencher<'_, '_>, n: usize) {
    let text = dacl_text(n);
    let ctx = SddlContext::new();
    let mut out = vec![0u8; sddl::encoded_len(&text, &ctx).unwrap()];
    sddl::encode(&text, &ctx, &mut out).unwrap();
    bencher
        .counter(divan::counter::BytesCount::new(out.len()))
        .bench_local(|| {
            let sd = SecurityDescriptor::new_checked(black_box(&out)).unwrap();
            let mut masks = 0u32;
            for ace in sd.dacl().unwrap().aces() {
                masks ^= ace.to_repr().unwrap().mask.0;
            }
            masks
        });
}

#[divan::bench(args = SIZES)]
fn format(bencher: Bencher<'_, '_>, n: usize) {
    let text = dacl_text(n);
    let ctx = SddlContext::new();
    let mut out = vec![0u8; sddl::encoded_len(&text, &ctx).unwrap()];
    sddl::encode(&text, &ctx, &mut out).unwrap();
    let sd = SecurityDescriptor::new_checked(&out).unwrap();
    let mut s = String::with_capacity(text.len() * 2);
    bencher.bench_local(|| {
        s.clear();
        sddl::format(black_box(&sd), &ctx, &mut s).unwrap();
    });
}
