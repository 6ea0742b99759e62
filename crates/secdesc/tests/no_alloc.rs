//! Proves the codec makes no heap allocation: a counting global allocator watches this
//! thread while encode, decode, format and the error paths run over real inputs.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::fmt::Write as _;
use std::alloc::System;

use secdesc::{AceRepr, AclWriter, SddlContext, SecurityDescriptor, Sid, sddl};

struct Counting;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the thread-locals may already be gone while a thread shuts down.
    let _ = WATCHING.try_with(|w| {
        if w.get() {
            let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
        }
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract holds exactly as it does for `System`; counting touches only
// const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same `layout` the caller gave us, which satisfies `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn allocations_during(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|a| a.set(0));
    WATCHING.with(|w| w.set(true));
    f();
    WATCHING.with(|w| w.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// A fixed-size text sink for `format`.
struct Fixed {
    buf: [u8; 8192],
    len: usize,
}

impl core::fmt::Write for Fixed {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(core::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

const INPUTS: &[&str] = &[
    "",
    "D:",
    "D:NO_ACCESS_CONTROL",
    "O:BAG:SYD:(A;;KR;;;WD)(A;;KA;;;BA)(A;;KA;;;SY)",
    "O:LAG:LGD:PAI(A;OICI;FA;;;SY)(D;;0x1200a9;;;AN)(A;CIIO;GA;;;S-1-5-21-1-2-3-1001)\
     S:AI(AU;SAFA;FA;;;WD)(OU;CISA;WP;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)(ML;;NW;;;HI)",
    "O:S-1-0x500000000-32-579D:(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;BA)",
];

const BAD_INPUTS: &[&str] = &[
    "D:(XA;;FX;;;WD;(@User.Title==\"PM\"))",
    "D:(A;;GA;;;XZ)",
    "O:S-1-5-0x",
    "D:(A;;GA;;;WD)é",
    "D:(A;;GA;;;DA)",
];

fn exercise(ctx: &SddlContext, text: &str, buf: &mut [u8], out: &mut Fixed, again: &mut [u8]) {
    let n = sddl::encode(text, ctx, buf).unwrap();
    assert_eq!(sddl::encoded_len(text, ctx), Ok(n));
    let sd = SecurityDescriptor::new_checked(&buf[..n]).unwrap();
    for acl in [sd.dacl(), sd.sacl()].into_iter().flatten() {
        for ace in acl.aces() {
            let repr = ace.to_repr().unwrap();
            assert_eq!(repr.encoded_len(), ace.size());
        }
    }
    out.len = 0;
    sddl::format(&sd, ctx, out).unwrap();
    let text2 = core::str::from_utf8(&out.buf[..out.len]).unwrap();
    let m = sddl::encode(text2, ctx, again).unwrap();
    assert_eq!(again[..m], buf[..n]);
    // Buffer-too-small path.
    assert!(sddl::encode(text, ctx, &mut buf[..n - 1]).is_err());
}

#[test]
fn codec_makes_no_heap_allocation() {
    let ctx = SddlContext::new().with_domain_sid(Sid::parse("S-1-5-21-1-2-3").unwrap());
    // Real Windows inputs where available: loaded before counting starts.
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/windows-sddl/short-ordinary-acls-v2.json.gz");
    let vectors: Vec<String> = if shared.exists() {
        let f = std::fs::File::open(&shared).unwrap();
        let map: std::collections::BTreeMap<String, Vec<u8>> =
            serde_json::from_reader(flate2::read::GzDecoder::new(f)).unwrap();
        map.into_keys().collect()
    } else {
        println!(
            "note: {} absent; using built-in inputs only",
            shared.display()
        );
        Vec::new()
    };
    let mut buf = vec![0u8; 70_000];
    let mut again = vec![0u8; 70_000];
    let mut out = Box::new(Fixed {
        buf: [0; 8192],
        len: 0,
    });
    let mut acl = vec![0u8; 256];
    let mut errors = String::with_capacity(4096);

    let count = allocations_during(|| {
        for text in INPUTS
            .iter()
            .copied()
            .chain(vectors.iter().map(String::as_str))
        {
            exercise(&ctx, text, &mut buf, &mut out, &mut again);
        }
        for text in BAD_INPUTS {
            let e = sddl::encode(text, &SddlContext::new(), &mut buf).unwrap_err();
            write!(errors, "{e}").unwrap(); // within the reserved capacity
        }
        let mut w = AclWriter::new(&mut acl).unwrap();
        w.push(&AceRepr::allow(Sid::parse("S-1-5-18").unwrap(), 0x1f_01ff))
            .unwrap();
        w.finish().unwrap();
        assert!(Sid::parse("S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15").is_err());
        assert!(SecurityDescriptor::new_checked(&buf[..19]).is_err());
    });
    println!(
        "no_alloc: {} inputs encoded, decoded, formatted and re-encoded; {} allocations",
        INPUTS.len() + vectors.len(),
        count
    );
    assert_eq!(count, 0, "the codec allocated");
}

#[test]
fn the_counter_sees_allocations() {
    // The harness itself must be able to fail: an allocation inside the window is counted.
    let count = allocations_during(|| drop(core::hint::black_box(vec![1u8; 16])));
    assert_eq!(count, 1);
}
