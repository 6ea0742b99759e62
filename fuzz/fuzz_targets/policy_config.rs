//! Raw `Parameters` registry values → `Config::parse` → `Policy::build` → `check_dacl`: the path
//! the driver runs at load on bytes an administrator (or anything with write access to the
//! service key) controls. Nothing may panic; whatever builds must decode as an ACL, never be a
//! NULL DACL, and pass the same checks on its own bytes.
//!
//! Input layout, repeated up to four times: `[name index u8][type u8][len u16 LE][len bytes]`.
//! The name index picks one of the policy crate's value names (or an unknown name), so the
//! fuzzer spends its time in the value parsers instead of guessing names.
#![no_main]

use connsec_policy::config::VALUE_NAMES;
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
        let name = VALUE_NAMES
            .get(usize::from(index) % (VALUE_NAMES.len() + 1))
            .copied()
            .unwrap_or("SomethingElse");
        names.push(name.encode_utf16().collect());
        values.push((RegType::from(u32::from(kind % 12)), value));
    }
    let regs: Vec<RegValue<'_>> = values
        .iter()
        .zip(&names)
        .map(|((kind, data), name)| RegValue { name, kind: *kind, data })
        .collect();
    let Ok(config) = Config::parse(&regs, &mut |_| {}) else {
        return;
    };
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
