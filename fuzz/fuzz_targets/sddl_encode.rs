//! SDDL text → encode → decode → format → encode: the two encodings must agree, and
//! `encoded_len` must predict the length. Any text that encodes must decode and format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secdesc::{SddlContext, SecurityDescriptor, Sid, sddl};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let domain = Sid::new(5, &[21, 2_457_507_606, 2_709_100_691, 398_136_650]).unwrap();
    let ctx = SddlContext::new().with_domain_sid(domain);
    let mut out = vec![0u8; 140_000];
    let len = sddl::encoded_len(text, &ctx);
    let Ok(n) = sddl::encode(text, &ctx, &mut out) else {
        assert!(
            len.is_err(),
            "encoded_len accepted what encode refused: {text:?}"
        );
        return;
    };
    assert_eq!(len, Ok(n), "{text:?}");
    // A short buffer reports the exact size.
    if n > 0 {
        let mut short = vec![0u8; n - 1];
        let e = sddl::encode(text, &ctx, &mut short).unwrap_err();
        assert_eq!(e.kind, secdesc::ErrorKind::BufferTooSmall { needed: n });
    }
    let sd = SecurityDescriptor::new_checked(&out[..n]).expect("our bytes decode");
    assert_eq!(sd.len(), n);
    sddl::check_formattable(&sd).expect("our ACEs format");
    let mut formatted = String::new();
    sddl::format(&sd, &ctx, &mut formatted).expect("format");
    let mut again = vec![0u8; 140_000];
    let m = sddl::encode(&formatted, &ctx, &mut again)
        .unwrap_or_else(|e| panic!("{text:?} -> {formatted:?}: {e}"));
    assert_eq!(&again[..m], &out[..n], "{text:?} -> {formatted:?}");
});
