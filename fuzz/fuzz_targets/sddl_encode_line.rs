//! connsecctl's batch encoder (`sddl::encode_line`, feature `fast-sddl`) against the simple
//! path the driver links (`sddl::encode_simple`): the first byte picks where the line ends, the
//! rest is the line followed by look-ahead bytes the fast path may read but must never let
//! change the result. Both must accept the same lines and write the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secdesc::{SddlContext, Sid, sddl};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else {
        return;
    };
    // The line is a prefix of `bytes`; whatever follows it is look-ahead.
    let len = if bytes.is_empty() {
        0
    } else {
        usize::from(cut) * bytes.len() / 255
    };
    let Ok(text) = core::str::from_utf8(&bytes[..len]) else {
        return;
    };
    let domain = Sid::new(5, &[21, 2_457_507_606, 2_709_100_691, 398_136_650]).unwrap();
    let ctx = SddlContext::new().with_domain_sid(domain);
    let mut fast = vec![0u8; 140_000];
    let mut simple = vec![0u8; 140_000];
    let by_line = sddl::encode_line(bytes, len, &ctx, &mut fast);
    let by_simple = sddl::encode_simple(text, &ctx, &mut simple);
    match (by_line, by_simple) {
        (Ok(n), Ok(m)) => assert_eq!(&fast[..n], &simple[..m], "{text:?}"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("{text:?}: encode_line {a:?}, simple path {b:?}"),
    }
});
