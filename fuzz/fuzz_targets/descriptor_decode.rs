//! Untrusted descriptor bytes → validated view → SDDL → encode → view: the meaning (owner,
//! group, SDDL-expressible control bits, every ACE) survives, and no accessor panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secdesc::{AceRepr, Acl, ControlFlags, SddlContext, SecurityDescriptor, sddl};

/// DACL control bits SDDL can express (written only under `D:`).
const DACL_BITS: u16 = ControlFlags::DACL_PRESENT
    | ControlFlags::DACL_PROTECTED
    | ControlFlags::DACL_AUTO_INHERIT_REQ
    | ControlFlags::DACL_AUTO_INHERITED;
/// SACL control bits SDDL can express (written only under `S:`).
const SACL_BITS: u16 = ControlFlags::SACL_PRESENT
    | ControlFlags::SACL_PROTECTED
    | ControlFlags::SACL_AUTO_INHERIT_REQ
    | ControlFlags::SACL_AUTO_INHERITED;

/// The control bits that survive SDDL: each ACL's flags when that ACL is present.
fn expressible(control: ControlFlags) -> u16 {
    let mut bits = ControlFlags::SELF_RELATIVE;
    if control.contains(ControlFlags::DACL_PRESENT) {
        bits |= control.0 & DACL_BITS;
    }
    if control.contains(ControlFlags::SACL_PRESENT) {
        bits |= control.0 & SACL_BITS;
    }
    bits
}

fn reprs(acl: Option<Acl<'_>>) -> Vec<AceRepr> {
    acl.map(|a| a.aces().map(|ace| ace.to_repr().unwrap()).collect())
        .unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Ok(sd) = SecurityDescriptor::new_checked(data) else {
        return;
    };
    // Every accessor is total after new_checked.
    let _ = (
        sd.control(),
        sd.rm_control(),
        sd.owner(),
        sd.group(),
        sd.len(),
        sd.as_bytes(),
    );
    for acl in [sd.dacl(), sd.sacl()].into_iter().flatten() {
        assert_eq!(acl.aces().count(), usize::from(acl.ace_count()));
        for ace in acl.aces() {
            let _ = (
                ace.ace_type(),
                ace.flags(),
                ace.mask(),
                ace.sid(),
                ace.object_type(),
            );
            let _ = (ace.inherited_object_type(), ace.to_repr(), ace.as_bytes());
        }
    }
    if sddl::check_formattable(&sd).is_err() {
        return;
    }
    let ctx = SddlContext::new();
    let mut text = String::new();
    sddl::format(&sd, &ctx, &mut text).expect("formattable descriptors format");
    let mut out = vec![0u8; 140_000];
    let n = sddl::encode(&text, &ctx, &mut out).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let again = SecurityDescriptor::new_checked(&out[..n]).expect("our bytes decode");
    assert_eq!(again.owner(), sd.owner(), "{text:?}");
    assert_eq!(again.group(), sd.group(), "{text:?}");
    assert_eq!(again.control().0, expressible(sd.control()), "{text:?}");
    assert_eq!(reprs(again.dacl()), reprs(sd.dacl()), "{text:?}");
    assert_eq!(reprs(again.sacl()), reprs(sd.sacl()), "{text:?}");
    assert_eq!(again.is_dacl_null(), sd.is_dacl_null(), "{text:?}");
});
