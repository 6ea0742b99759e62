//! Encode, decode and format costs for the workload DACL (`workload/mod.rs`) of 5, 8, 64
//! and 256 allow ACEs: `cargo bench -p secdesc --bench codec`.

mod workload;

use divan::{Bencher, black_box};
use secdesc::{SddlContext, SecurityDescriptor, sddl};

fn main() {
    divan::main();
}

fn dacl_text(n: usize) -> String {
    workload::dacl(n, false)
}

const SIZES: [usize; 4] = [5, 8, 64, 256];

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
    let mut s = vec![0u8; text.len()];
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench_local(|| sddl::format_into(black_box(&sd), &ctx, &mut s).unwrap());
}
