//! SID text → parse → print → parse, and → binary → decode: all must agree; printing is
//! canonical (parsing the printed form prints the same).
#![no_main]

use libfuzzer_sys::fuzz_target;
use secdesc::{SddlContext, Sid, parse_sid_or_alias};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let _ = parse_sid_or_alias(text, &SddlContext::new());
    let Ok(sid) = Sid::parse(text) else { return };
    let printed = sid.to_string();
    assert_eq!(Sid::parse(&printed), Ok(sid), "{text:?} -> {printed:?}");
    let mut bytes = [0u8; Sid::MAX_LEN];
    let n = sid.encode(&mut bytes).unwrap();
    assert_eq!(n, sid.encoded_len());
    assert_eq!(Sid::decode(&bytes[..n]), Ok(sid));
    // Binary input too: any bytes that decode re-encode to the same prefix.
    if let Ok(s) = Sid::decode(data) {
        let mut b = [0u8; Sid::MAX_LEN];
        let n = s.encode(&mut b).unwrap();
        assert_eq!(&b[..n], &data[..n]);
    }
});
