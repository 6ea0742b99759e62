//! Round-trip properties of the codec over 10,000 generated descriptors per property.
//!
//! For every generated `x` (strategies in `common/`, which also give a reference byte model and
//! an SDDL spelling written without the codec):
//! * `encode(x)` — built with [`AclWriter`] and [`encode_descriptor`] — equals the model bytes;
//! * `decode(encode(x)) == x`: [`SecurityDescriptor::new_checked`] and the views give back the
//!   control word, owner, group, ACL revisions and every ACE as an [`AceRepr`];
//! * `encode(parse(format(x))) == encode(x)`, with and without a domain SID in the context;
//! * `format` is stable: `format(parse(format(x))) == format(x)`;
//! * the generator's own SDDL spelling parses to the same bytes:
//!   `sddl::encode(text(x)) == encode(x)`, and `sddl::encoded_len` agrees; so does the same
//!   text with every alias in lower case, and allow/deny DACLs with numbers at the edges of
//!   decimal parsing;
//! * with the feature `fast-sddl`, the encoder's fast path and its simple path agree on
//!   allow/deny DACLs and one-byte edits of them, errors included, and so does
//!   `sddl::encode_line` on them as a batch line with look-ahead (the text cut anywhere).
//!
//! Failures print proptest's minimal counter-example; nothing is persisted to disk.

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use secdesc::{
    AccessMask, AceFlags, AceRepr, AceType, AclWriter, ControlFlags, DescriptorParts, Guid,
    SddlContext, SecurityDescriptor, Sid, descriptor_len, encode_descriptor, sddl,
};

use common::{GenAce, GenAcl, GenGuid, GenSd, GenSid, hex};

/// Cases per property (at least 10,000 per CI run).
const CASES: u32 = 10_000;

fn fail(what: &str, e: impl core::fmt::Display) -> TestCaseError {
    TestCaseError::fail(format!("{what}: {e}"))
}

fn sid_of(g: &GenSid) -> Sid {
    Sid::new(g.authority, &g.subs).expect("generated SIDs are valid")
}

fn guid_of(g: &GenGuid) -> Guid {
    Guid::from_fields(g.d1, g.d2, g.d3, g.d4)
}

fn repr_of(a: &GenAce) -> AceRepr {
    AceRepr {
        ace_type: AceType::from(a.ace_type),
        flags: AceFlags(a.flags),
        mask: AccessMask(a.mask),
        object_type: a.object_type.as_ref().map(guid_of),
        inherited_object_type: a.inherited_object_type.as_ref().map(guid_of),
        sid: sid_of(&a.sid),
    }
}

/// One ACL through the codec's writer, in a buffer sized from `AceRepr::encoded_len`.
fn write_acl(acl: &GenAcl) -> Result<Vec<u8>, TestCaseError> {
    let reprs: Vec<AceRepr> = acl.aces.iter().map(repr_of).collect();
    let len = secdesc::ACL_HEADER_LEN + reprs.iter().map(AceRepr::encoded_len).sum::<usize>();
    let mut buf = vec![0xa5u8; len];
    let mut w = AclWriter::new(&mut buf).map_err(|e| fail("AclWriter::new", e))?;
    for (i, r) in reprs.iter().enumerate() {
        w.push(r)
            .map_err(|e| fail(&format!("AclWriter::push (ACE {i})"), e))?;
    }
    let n = w.finish().map_err(|e| fail("AclWriter::finish", e))?;
    prop_assert_eq!(
        n,
        len,
        "AclWriter wrote a different length than the ACEs add up to"
    );
    Ok(buf)
}

/// `encode(x)`: the descriptor through `encode_descriptor`.
fn encode(x: &GenSd) -> Result<Vec<u8>, TestCaseError> {
    let sacl = x.sacl.as_ref().map(write_acl).transpose()?;
    let dacl = x.dacl.as_ref().map(write_acl).transpose()?;
    let parts = DescriptorParts {
        control: ControlFlags(x.control()),
        owner: x.owner.as_ref().map(sid_of),
        group: x.group.as_ref().map(sid_of),
        sacl: sacl.as_deref(),
        dacl: dacl.as_deref(),
    };
    let len = descriptor_len(&parts);
    let mut out = vec![0xa5u8; len];
    let n = encode_descriptor(&parts, &mut out).map_err(|e| fail("encode_descriptor", e))?;
    prop_assert_eq!(
        n,
        len,
        "encode_descriptor wrote a different length than descriptor_len"
    );
    Ok(out)
}

/// SDDL text to bytes, with `encoded_len` checked against what `encode` writes.
fn sddl_encode(text: &str, ctx: &SddlContext) -> Result<Vec<u8>, TestCaseError> {
    let len =
        sddl::encoded_len(text, ctx).map_err(|e| fail(&format!("encoded_len({text:?})"), e))?;
    let mut out = vec![0xa5u8; len];
    let n = sddl::encode(text, ctx, &mut out).map_err(|e| fail(&format!("encode({text:?})"), e))?;
    prop_assert_eq!(
        n,
        len,
        "sddl::encode wrote a different length than sddl::encoded_len"
    );
    Ok(out)
}

fn format(sd: &SecurityDescriptor<'_>, ctx: &SddlContext) -> Result<String, TestCaseError> {
    let mut text = String::new();
    sddl::format(sd, ctx, &mut text).map_err(|e| fail("sddl::format", e))?;
    Ok(text)
}

fn domain_ctx() -> SddlContext {
    SddlContext::new().with_domain_sid(Sid::parse(common::DOMAIN_SID_TEXT).expect("domain SID"))
}

/// The ACEs of an ACL view as reprs (`None` for an ACE `to_repr` cannot express).
fn aces_of(acl: &secdesc::Acl<'_>) -> Vec<Option<AceRepr>> {
    acl.aces().map(|a| a.to_repr()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// `encode(x)` equals the model, and `decode(encode(x)) == x`.
    #[test]
    fn decode_of_encode_is_identity(x in common::descriptor()) {
        let bytes = encode(&x)?;
        prop_assert_eq!(hex(&bytes), hex(&common::expected_bytes(&x)), "codec bytes differ from the model");

        let sd = SecurityDescriptor::new_checked(&bytes).map_err(|e| fail("new_checked", e))?;
        prop_assert_eq!(sd.len(), bytes.len());
        prop_assert_eq!(sd.as_bytes(), &bytes[..]);
        prop_assert_eq!(sd.control().0, x.control());
        prop_assert_eq!(sd.owner(), x.owner.as_ref().map(sid_of));
        prop_assert_eq!(sd.group(), x.group.as_ref().map(sid_of));
        for (name, view, model) in [("SACL", sd.sacl(), &x.sacl), ("DACL", sd.dacl(), &x.dacl)] {
            match (view, model) {
                (None, None) => {}
                (Some(view), Some(model)) => {
                    prop_assert_eq!(view.revision(), model.revision(), "{} revision", name);
                    prop_assert_eq!(usize::from(view.ace_count()), model.aces.len(), "{} ACE count", name);
                    let want: Vec<Option<AceRepr>> = model.aces.iter().map(|a| Some(repr_of(a))).collect();
                    prop_assert_eq!(aces_of(&view), want, "{} ACEs", name);
                }
                (view, model) => {
                    return Err(fail(name, format!("decoded present={} but generated present={}", view.is_some(), model.is_some())));
                }
            }
        }
    }

    /// `encode(parse(format(x))) == encode(x)`, and `format` is a fixed point.
    #[test]
    fn format_then_parse_gives_the_same_bytes(x in common::descriptor(), with_domain in any::<bool>()) {
        let bytes = encode(&x)?;
        let sd = SecurityDescriptor::new_checked(&bytes).map_err(|e| fail("new_checked", e))?;
        let ctx = if with_domain { domain_ctx() } else { SddlContext::new() };
        let text = format(&sd, &ctx)?;
        let again = sddl_encode(&text, &ctx)?;
        prop_assert_eq!(hex(&again), hex(&bytes), "encode(parse(format(x))) != encode(x); format gave {:?}", text);

        let sd2 = SecurityDescriptor::new_checked(&again).map_err(|e| fail("new_checked (again)", e))?;
        prop_assert_eq!(format(&sd2, &ctx)?, text, "format is not stable");
    }

    /// The generator's SDDL (aliases, tokens, any flag and section order) parses to `encode(x)`.
    #[test]
    fn generated_sddl_parses_to_the_encoded_bytes(x in common::descriptor()) {
        let bytes = encode(&x)?;
        let text = x.sddl();
        let parsed = sddl_encode(&text, &domain_ctx())?;
        prop_assert_eq!(hex(&parsed), hex(&bytes), "sddl::encode({:?}) != encode(x)", text);
    }

    /// The same for allow/deny DACLs with numbers at the edges of decimal parsing (the shape
    /// of the `fast-sddl` path), where `format` must also round-trip.
    #[test]
    fn fast_path_shaped_sddl_round_trips(x in common::fast_path_dacl(16)) {
        let bytes = encode(&x)?;
        prop_assert_eq!(hex(&bytes), hex(&common::expected_bytes(&x)), "codec bytes differ from the model");
        let text = x.sddl();
        let ctx = SddlContext::new();
        prop_assert_eq!(hex(&sddl_encode(&text, &ctx)?), hex(&bytes), "sddl::encode({:?}) != encode(x)", text);
        let sd = SecurityDescriptor::new_checked(&bytes).map_err(|e| fail("new_checked", e))?;
        let formatted = format(&sd, &ctx)?;
        prop_assert_eq!(hex(&sddl_encode(&formatted, &ctx)?), hex(&bytes), "format gave {:?}", formatted);
    }

    /// With the feature `fast-sddl`, the fast path gives the simple path's result (bytes, or
    /// error kind and offset) for allow/deny DACLs and one-byte edits of them.
    #[cfg(feature = "fast-sddl")]
    #[test]
    fn fast_and_simple_paths_agree(
        x in common::fast_path_dacl(16),
        at in any::<proptest::sample::Index>(),
        byte in proptest::sample::select(b"0123456789-;()xXSaAfFD:P ".as_slice()),
        edit in 0u8..4,
        cut in any::<proptest::sample::Index>(),
    ) {
        let mut text = x.sddl().into_bytes();
        let i = at.index(text.len() + 1);
        match edit {
            0 if i < text.len() => text[i] = byte,
            1 => text.insert(i, byte),
            2 if i < text.len() => { text.remove(i); }
            _ => text.truncate(i),
        }
        let text = String::from_utf8(text).expect("ASCII edits keep UTF-8");
        let ctx = SddlContext::new();
        let (mut fast, mut simple) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
        let f = sddl::encode(&text, &ctx, &mut fast);
        let s = sddl::encode_simple(&text, &ctx, &mut simple);
        prop_assert_eq!(f, s, "{:?}", text);
        if let Ok(n) = f {
            prop_assert_eq!(hex(&fast[..n]), hex(&simple[..n]), "{:?}", text);
        }
        // As a line of a batch (`encode_line`): whole, and cut anywhere with the rest of the
        // text after the cut as look-ahead, which must not change the result (the text is
        // ASCII, so byte and character offsets agree).
        for len in [text.len(), cut.index(text.len() + 1)] {
            let mut line = vec![0u8; 1 << 16];
            let l = sddl::encode_line(text.as_bytes(), len, &ctx, &mut line);
            let s = sddl::encode_simple(&text[..len], &ctx, &mut simple);
            prop_assert_eq!(l, s, "encode_line, len {}: {:?}", len, text);
            if let Ok(n) = l {
                prop_assert_eq!(hex(&line[..n]), hex(&simple[..n]), "len {}: {:?}", len, text);
            }
        }
    }

    /// Aliases are case-insensitive, as in Windows (`D:(A;;GA;;;lg)` is `D:(A;;GA;;;LG)`).
    #[test]
    fn lower_case_aliases_parse_the_same(x in common::descriptor()) {
        let text = common::alias_case(&x.sddl(), false);
        let ctx = domain_ctx();
        prop_assert_eq!(hex(&sddl_encode(&text, &ctx)?), hex(&encode(&x)?), "{:?}", text);
    }
}
