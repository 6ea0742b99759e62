//! proptest strategies producing [`GenSd`] models (and their parts) with SDDL spellings
//! valid for both Windows' grammar and Samba 4.22's.

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

use super::model::*;

/// Any SID the generators produce: aliases, domain aliases, `S-1-5-21-…` and arbitrary
/// authorities (including ≥ 2³² in hex form).
pub fn sid() -> impl Strategy<Value = GenSid> {
    let well_known = select(WELL_KNOWN).prop_map(|(alias, auth, subs)| GenSid {
        authority: auth,
        subs: subs.to_vec(),
        text: alias.to_owned(),
    });
    let domain_alias = select(DOMAIN_RELATIVE).prop_map(|(alias, rid)| {
        let mut subs = DOMAIN_SUBS.to_vec();
        subs.push(rid);
        GenSid {
            authority: DOMAIN_AUTHORITY,
            subs,
            text: alias.to_owned(),
        }
    });
    let domain_account = (any::<[u32; 3]>(), any::<u32>()).prop_map(|(dom, rid)| {
        let subs = vec![21, dom[0], dom[1], dom[2], rid];
        GenSid {
            text: sid_text(5, &subs, false),
            authority: 5,
            subs,
        }
    });
    let small_authority = prop_oneof![0u64..=18, Just(5u64)];
    // The edges of the grammar: largest decimal, smallest and largest hex authority.
    let edge_authority = select(&[(1u64 << 32) - 1, 1 << 32, (1 << 48) - 1][..]);
    let authority = prop_oneof![
        4 => small_authority,
        2 => 0u64..(1 << 32),
        2 => (1u64 << 32)..(1 << 48),
        1 => edge_authority,
    ];
    let sub_authority = prop_oneof![8 => any::<u32>(), 1 => Just(0u32), 1 => Just(u32::MAX)];
    let generic = (
        authority,
        prop::collection::vec(sub_authority, 1..=15),
        any::<bool>(),
    )
        .prop_map(|(authority, subs, upper)| GenSid {
            text: sid_text(authority, &subs, upper),
            authority,
            subs,
        });
    prop_oneof![4 => well_known, 2 => domain_alias, 2 => domain_account, 2 => generic]
}

/// A GUID with random fields and letter case.
pub fn guid() -> impl Strategy<Value = GenGuid> {
    (
        any::<u32>(),
        any::<u16>(),
        any::<u16>(),
        any::<[u8; 8]>(),
        any::<bool>(),
    )
        .prop_map(|(d1, d2, d3, d4, upper)| GenGuid {
            d1,
            d2,
            d3,
            d4,
            upper,
        })
}

/// An access mask and its spelling: hex (either digit case, maybe zero-padded), rights
/// tokens, or empty (0).
pub fn mask() -> impl Strategy<Value = (u32, String)> {
    let any_mask = prop_oneof![
        any::<u32>(),
        0u32..0x200,
        Just(0x001F_01FF),
        Just(0x0012_0089),
        Just(u32::MAX),
    ];
    // Lower- or upper-case digits, optionally zero-padded to 8 digits.
    let hex = (any_mask, any::<bool>(), any::<bool>()).prop_map(|(m, upper, padded)| {
        let text = match (upper, padded) {
            (false, false) => format!("0x{m:x}"),
            (true, false) => format!("0x{m:X}"),
            (false, true) => format!("0x{m:08x}"),
            (true, true) => format!("0x{m:08X}"),
        };
        (m, text)
    });
    let tokens = subsequence(RIGHTS, 1..=4)
        .prop_shuffle()
        .prop_map(|picked| {
            let mask = picked.iter().fold(0u32, |m, (_, v)| m | v);
            let text: String = picked.iter().map(|(t, _)| *t).collect();
            (mask, text)
        });
    prop_oneof![4 => hex, 5 => tokens, 1 => Just((0, String::new()))]
}

/// ACE flags and their spelling, tokens in any order.
pub fn ace_flags() -> impl Strategy<Value = (u8, String)> {
    subsequence(ACE_FLAGS, 0..=ACE_FLAGS.len())
        .prop_shuffle()
        .prop_map(|picked| {
            let bits = picked.iter().fold(0u8, |f, (_, v)| f | v);
            let text: String = picked.iter().map(|(t, _)| *t).collect();
            (bits, text)
        })
}

/// One ACE whose type is drawn from `types`.
pub fn ace(types: &'static [(&'static str, u8, bool)]) -> impl Strategy<Value = GenAce> {
    (
        select(types),
        ace_flags(),
        mask(),
        prop::option::of(guid()),
        prop::option::of(guid()),
        sid(),
    )
        .prop_map(
            |((token, ace_type, is_object), (flags, flags_text), (mask, mask_text), o, i, sid)| {
                let (object_type, inherited_object_type) =
                    if is_object { (o, i) } else { (None, None) };
                let g = |g: Option<GenGuid>| g.map(|g| g.text()).unwrap_or_default();
                let text = format!(
                    "({token};{flags_text};{mask_text};{};{};{})",
                    g(object_type),
                    g(inherited_object_type),
                    sid.text
                );
                GenAce {
                    ace_type,
                    is_object,
                    flags,
                    mask,
                    object_type,
                    inherited_object_type,
                    sid,
                    text,
                }
            },
        )
}

/// An ACL of up to `max_aces` ACEs of `types`, with `P`/`AR`/`AI` in any order.
pub fn acl(
    types: &'static [(&'static str, u8, bool)],
    max_aces: usize,
) -> impl Strategy<Value = GenAcl> {
    let flags = subsequence(&[("P", 0u8), ("AR", 1), ("AI", 2)][..], 0..=3).prop_shuffle();
    (flags, prop::collection::vec(ace(types), 0..=max_aces)).prop_map(|(flags, aces)| {
        let has = |bit: u8| flags.iter().any(|(_, b)| *b == bit);
        GenAcl {
            protected: has(0),
            auto_inherit_req: has(1),
            auto_inherited: has(2),
            flags_text: flags.iter().map(|(t, _)| *t).collect(),
            aces,
        }
    })
}

/// A whole descriptor: every part optional, sections in any order.
pub fn descriptor() -> impl Strategy<Value = GenSd> {
    (
        prop::option::weighted(0.7, sid()),
        prop::option::weighted(0.7, sid()),
        prop::option::weighted(0.85, acl(DACL_ACE_TYPES, 8)),
        prop::option::weighted(0.35, acl(SACL_ACE_TYPES, 4)),
        Just(vec!['O', 'G', 'D', 'S']).prop_shuffle(),
    )
        .prop_map(|(owner, group, dacl, sacl, order)| GenSd {
            owner,
            group,
            dacl,
            sacl,
            order,
        })
}

/// A 32-bit number biased towards the edges of decimal parsing: digit-count boundaries and
/// the largest values.
pub fn edgy_u32() -> impl Strategy<Value = u32> {
    const EDGES: &[u32] = &[
        0,
        1,
        9,
        10,
        99,
        100,
        65_535,
        65_536,
        99_999_999,
        100_000_000,
        999_999_999,
        1_000_000_000,
        2_147_483_648,
        4_294_967_294,
        4_294_967_295,
    ];
    prop_oneof![2 => any::<u32>(), 1 => select(EDGES)]
}

/// A DACL in the shape the codec's fast path reads: `(A;;…)`/`(D;;…)` without flags or GUIDs,
/// rights as `0x…` or tokens, `S-1-…` SIDs with a decimal authority and numbers near the
/// edges of decimal parsing; `P`/`AR`/`AI` flags in any order, up to `max_aces` ACEs.
pub fn fast_path_dacl(max_aces: usize) -> impl Strategy<Value = GenSd> {
    let authority = prop_oneof![3 => Just(5u64), 1 => edgy_u32().prop_map(u64::from)];
    let sid = prop_oneof![
        // Account-domain SIDs, the most common shape.
        3 => (edgy_u32(), edgy_u32(), edgy_u32(), edgy_u32()).prop_map(|(a, b, c, rid)| {
            let subs = vec![21, a, b, c, rid];
            GenSid { text: sid_text(5, &subs, false), authority: 5, subs }
        }),
        2 => (authority, prop::collection::vec(edgy_u32(), 1..=15)).prop_map(|(authority, subs)| {
            GenSid { text: sid_text(authority, &subs, false), authority, subs }
        }),
    ];
    let ace = (select(&[("A", 0u8), ("D", 1)][..]), mask(), sid).prop_map(
        |((token, ace_type), (mask, mask_text), sid)| GenAce {
            ace_type,
            is_object: false,
            flags: 0,
            mask,
            object_type: None,
            inherited_object_type: None,
            text: format!("({token};;{mask_text};;;{})", sid.text),
            sid,
        },
    );
    let flags = subsequence(&[("P", 0u8), ("AR", 1), ("AI", 2)][..], 0..=3).prop_shuffle();
    (flags, prop::collection::vec(ace, 1..=max_aces)).prop_map(|(flags, aces)| {
        let has = |bit: u8| flags.iter().any(|(_, b)| *b == bit);
        GenSd {
            owner: None,
            group: None,
            dacl: Some(GenAcl {
                protected: has(0),
                auto_inherit_req: has(1),
                auto_inherited: has(2),
                flags_text: flags.iter().map(|(t, _)| *t).collect(),
                aces,
            }),
            sacl: None,
            order: vec!['D'],
        }
    })
}
