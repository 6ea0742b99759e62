//! Raw `Parameters` registry values → `Config::parse` → `Policy::build` → `check_dacl`: the path
//! the driver runs at load on bytes an administrator (or anything with write access to the
//! service key) controls. Nothing may panic; whatever builds must decode as an ACL, never be a
//! NULL DACL, and pass the same checks on its own bytes. `Config::check` (what `connsecctl
//! check` formats) must agree with `Config::parse`: a configuration exactly when no error, the
//! same first error, and every byte offset inside the value it names.
//!
//! Input layout, repeated up to four times: `[name index u8][type u8][len u16 LE][len bytes]`.
//! The name index picks one of the policy crate's value names, `OriginalDacl` or an unknown
//! name, so the fuzzer spends its time in the value parsers instead of guessing names.
#![no_main]

use connsec_policy::config::{ORIGINAL_DACL, Severity, VALUE_NAMES};
use connsec_policy::{Config, Policy, RegType, RegValue, check_dacl};
use libfuzzer_sys::fuzz_target;
use secdesc::Acl;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    let mut names: Vec<Vec<u16>> = Vec::new();
    let mut values: Vec<(RegType, &[u8])> = Vec::new();
    while values.len() < 4 {
        let Some((&[index, kind, l0, l1], tail)) = rest.split_first_chunk::<4>() else {
            break;
        };
        let len = usize::from(u16::from_le_bytes([l0, l1])).min(tail.len());
        let (value, tail) = tail.split_at(len);
        rest = tail;
        let name = match usize::from(index) % (VALUE_NAMES.len() + 2) {
            i if i < VALUE_NAMES.len() => VALUE_NAMES[i],
            i if i == VALUE_NAMES.len() => ORIGINAL_DACL,
            _ => "SomethingElse",
        };
        names.push(name.encode_utf16().collect());
        values.push((RegType::from(u32::from(kind % 12)), value));
    }
    let regs: Vec<RegValue<'_>> = values
        .iter()
        .zip(&names)
        .map(|((kind, data), name)| RegValue {
            name,
            kind: *kind,
            data,
        })
        .collect();
    let mut first_error = None;
    let checked = Config::check(&regs, &mut |d| {
        if d.severity() == Severity::Error && first_error.is_none() {
            first_error = d.error();
        }
        if let Some(v) = regs.iter().find(|v| core::ptr::eq(v.name, d.name)) {
            assert!(d.byte_offset <= v.data.len(), "{d:?}");
        }
    });
    let parsed = Config::parse(&regs, &mut |_| {});
    assert_eq!(parsed.err(), first_error);
    assert_eq!(checked.is_some(), first_error.is_none());
    let Some(config) = checked else {
        return;
    };
    assert_eq!(Config::parse(&regs, &mut |_| {}), Ok(config));
    let Ok(len) = Policy::required_len(&config) else {
        return;
    };
    let mut buf = vec![0u8; len];
    if let Ok(dacl) = Policy::build(&config, &mut buf) {
        let acl = Acl::new_checked(dacl.as_bytes()).expect("a built DACL decodes");
        assert_eq!(acl.ace_count(), dacl.ace_count());
        assert!(check_dacl(dacl.as_bytes(), config.allow_unsafe_dacl).is_ok());
    }
});
