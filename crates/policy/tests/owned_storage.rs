//! `PolicyDacl` owns its storage by value and finds the DACL in it again, wherever the build put
//! it: at the start (a principals list) or after a descriptor header (`DaclSddl`).

mod common;

use common::{Key, sz};
use connsec_policy::{Config, Policy, PolicyDacl, RegType};

/// The DACL a borrowed build gives, where it starts in that build's buffer, and the owned one.
fn built(key: &Key) -> (Vec<u8>, usize, PolicyDacl<Vec<u8>>) {
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).unwrap();
    let len = Policy::required_len(&config).unwrap();
    let mut reference = vec![0u8; len];
    let base = reference.as_ptr().addr();
    let dacl = Policy::build(&config, &mut reference).unwrap();
    let offset = dacl.as_bytes().as_ptr().addr() - base;
    let expected = dacl.as_bytes().to_vec();
    let (owned, report) = PolicyDacl::build(&config, vec![0u8; len]).unwrap();
    assert_eq!(owned.ace_count(), report.ace_count);
    (expected, offset, owned)
}

#[test]
fn a_principals_dacl_is_the_start_of_the_storage() {
    let (expected, offset, owned) = built(&common::inf_default_key());
    assert_eq!(offset, 0);
    assert_eq!(owned.as_bytes(), expected.as_slice());
    assert_eq!(
        usize::from(u16::from_le_bytes([expected[2], expected[3]])),
        expected.len()
    );
}

#[test]
fn an_sddl_dacl_is_found_after_the_descriptor_header() {
    let key = Key::new().with("DaclSddl", RegType::Sz, sz("D:P(A;;GA;;;SY)(A;;GA;;;BA)"));
    let (expected, offset, owned) = built(&key);
    assert!(offset >= 20, "the DACL follows the descriptor header");
    assert_eq!(owned.as_bytes(), expected.as_slice());
    assert_eq!(owned.ace_count(), 2);
    // Moving the owner moves nothing the DACL depends on.
    let moved = Box::new(owned);
    assert_eq!(moved.as_bytes(), expected.as_slice());
}

#[test]
fn storage_can_be_an_array() {
    let key = common::inf_default_key();
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).unwrap();
    assert!(Policy::required_len(&config).unwrap() <= 512);
    let (owned, _) = PolicyDacl::build(&config, [0u8; 512]).unwrap();
    let (expected, _, _) = built(&key);
    assert_eq!(owned.as_bytes(), expected.as_slice());
}

#[test]
fn too_little_storage_is_an_error_not_a_panic() {
    let key = common::inf_default_key();
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).unwrap();
    assert!(PolicyDacl::build(&config, [0u8; 8]).is_err());
}
