//! SDDL unit tests: known Windows bytes (Microsoft Learn, "Security Descriptor String Format" examples), errors with their offsets, and
//! format round trips.

use super::*;
use crate::testutil::Text;

const DOMAIN: &str = "S-1-5-21-2457507606-2709100691-398136650";

fn ctx() -> SddlContext {
    SddlContext::new().with_domain_sid(Sid::parse(DOMAIN).unwrap())
}

fn enc(text: &str) -> ([u8; 1024], usize) {
    let mut buf = [0xa5u8; 1024];
    let n = encode(text, &ctx(), &mut buf).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(encoded_len(text, &ctx()), Ok(n), "{text}");
    (buf, n)
}

fn err(text: &str) -> Error {
    let mut buf = [0u8; 1024];
    let e = encode(text, &ctx(), &mut buf).unwrap_err();
    assert_eq!(encoded_len(text, &ctx()), Err(e), "{text}");
    e
}

fn fmt(bytes: &[u8]) -> Text {
    let sd = SecurityDescriptor::new_checked(bytes).unwrap();
    let mut t = Text::new();
    format(&sd, &ctx(), &mut t).unwrap();
    t
}

#[test]
fn windows_examples() {
    // "" and the D:/S: flag examples, as Windows encodes them.
    let (b, n) = enc("");
    assert_eq!(
        &b[..n],
        &[
            1, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        ]
    );
    assert_eq!(b[n], 0xa5);
    for (text, control) in [
        ("D:", 0x8004u16),
        ("D:P", 0x9004),
        ("D:AI", 0x8404),
        ("D:AR", 0x8104),
        ("S:P", 0xa010),
        ("D:PAIAR", 0x9504),
    ] {
        let (b, n) = enc(text);
        assert_eq!(u16::from_le_bytes([b[2], b[3]]), control, "{text}");
        assert_eq!(
            fmt(&b[..n]).as_str(),
            if text == "D:PAIAR" { "D:PARAI" } else { text }
        );
    }
    let (b, n) = enc("D:");
    assert_eq!(&b[20..n], &[2, 0, 8, 0, 0, 0, 0, 0]);
    let (b, n) = enc("O:BAG:SYD:(A;;KR;;;WD)(A;;KA;;;BA)(A;;KA;;;SY)");
    assert_eq!(b[..n], crate::descriptor::tests::registry_sd());
    assert_eq!(
        fmt(&b[..n]).as_str(),
        "O:BAG:SYD:(A;;KR;;;WD)(A;;KA;;;BA)(A;;KA;;;SY)"
    );
}

#[test]
fn layout_is_sacl_dacl_owner_group_whatever_the_text_order() {
    let a = enc("S:(AU;SA;FA;;;WD)D:(A;;FA;;;SY)G:BUO:BA");
    let b = enc("O:BAG:BUD:(A;;FA;;;SY)S:(AU;SA;FA;;;WD)");
    assert_eq!(a.0[..a.1], b.0[..b.1]);
    let sd = SecurityDescriptor::new_checked(&a.0[..a.1]).unwrap();
    assert_eq!(sd.sacl_offset(), 20);
    assert_eq!(sd.dacl_offset(), 20 + 8 + 20);
    assert_eq!(
        fmt(&a.0[..a.1]).as_str(),
        "O:BAG:BUD:(A;;FA;;;SY)S:(AU;SA;FA;;;WD)"
    );
}

#[test]
fn null_dacl_and_sacl() {
    let (b, n) = enc("D:NO_ACCESS_CONTROL");
    assert_eq!(n, 20);
    assert_eq!(u16::from_le_bytes([b[2], b[3]]), 0x8004);
    let sd = SecurityDescriptor::new_checked(&b[..n]).unwrap();
    assert!(sd.is_dacl_null());
    assert_eq!(fmt(&b[..n]).as_str(), "D:NO_ACCESS_CONTROL");
    let (b, n) = enc("D:PNO_ACCESS_CONTROLS:NO_ACCESS_CONTROL");
    assert_eq!(
        fmt(&b[..n]).as_str(),
        "D:PNO_ACCESS_CONTROLS:NO_ACCESS_CONTROL"
    );
    assert_eq!(
        err("D:NO_ACCESS_CONTROL(A;;GA;;;WD)"),
        Error::new(19, ErrorKind::AcesInNullAcl)
    );
}

#[test]
fn every_ace_type_flag_and_right() {
    let text = "D:(A;OICINPIOIDCRSAFA;GAGRGWGXRCSDWDWO;;;WD)(D;;CCDCLCSWRPWPDTLOCR;;;AN)\
                (OA;CI;RPWP;bf967aba-0de6-11d0-a285-00aa003049e2;;PS)\
                (OD;;CR;;4828cc14-1437-45bc-9b07-ad6f015e5f28;AU)\
                (OA;;CR;00299570-246d-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;BA)\
                S:(AU;SA;FA;;;WD)(AL;FA;FR;;;SY)(OU;CISA;WP;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)\
                (OL;;FW;;;BU)(ML;;NWNRNX;;;HI)(ML;;NW;;;LW)";
    let (b, n) = enc(text);
    let sd = SecurityDescriptor::new_checked(&b[..n]).unwrap();
    assert_eq!(sd.dacl().unwrap().revision(), 4);
    assert_eq!(sd.sacl().unwrap().revision(), 4);
    let first = sd.dacl().unwrap().aces().next().unwrap();
    assert_eq!(first.flags(), AceFlags(0xff));
    assert_eq!(first.mask().0, 0xf00f_0000);
    let expect = "D:(A;OICINPIOIDCRSAFA;SDRCWDWOGAGXGWGR;;;WD)(D;;CCDCLCSWRPWPDTLOCR;;;AN)\
                  (OA;CI;RPWP;bf967aba-0de6-11d0-a285-00aa003049e2;;PS)\
                  (OD;;CR;;4828cc14-1437-45bc-9b07-ad6f015e5f28;AU)\
                  (OA;;CR;00299570-246d-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;BA)\
                  S:(AU;SA;FA;;;WD)(AL;FA;FR;;;SY)(OU;CISA;WP;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)\
                  (OL;;FW;;;BU)(ML;;NWNRNX;;;HI)(ML;;NW;;;LW)";
    assert_eq!(fmt(&b[..n]).as_str(), expect.replace(' ', ""));
    // Rights: tokens, hex and decimal are the same bytes; registry/file composites.
    let masks = |t: &str| {
        let (b, n) = enc(t);
        let sd = SecurityDescriptor::new_checked(&b[..n]).unwrap();
        sd.dacl().unwrap().aces().next().unwrap().mask().0
    };
    assert_eq!(masks("D:(A;;FA;;;WD)"), 0x1f_01ff);
    assert_eq!(masks("D:(A;;0x1F01ff;;;WD)"), 0x1f_01ff);
    assert_eq!(masks("D:(A;;2032127;;;WD)"), 0x1f_01ff);
    assert_eq!(masks("D:(A;;KX;;;WD)"), 0x2_0019);
    assert_eq!(masks("D:(A;;KW;;;WD)"), 0x2_0006);
    assert_eq!(masks("D:(A;;FX;;;WD)"), 0x12_00a0);
    assert_eq!(masks("D:(A;;0;;;WD)"), 0);
    assert_eq!(masks("D:(A;;;;;WD)"), 0);
    assert_eq!(masks("D:(A;;0xffffffff;;;WD)"), u32::MAX);
    // TP is 0x40 like SA.
    let (b, n) = enc("S:(AU;TP;FA;;;WD)");
    let sd = SecurityDescriptor::new_checked(&b[..n]).unwrap();
    assert_eq!(
        sd.sacl().unwrap().aces().next().unwrap().flags(),
        AceFlags(0x40)
    );
    // Hex masks without tokens are written in hex.
    let (b, n) = enc("D:(A;;0x200;;;WD)(A;;0x1;;;WD)");
    assert_eq!(fmt(&b[..n]).as_str(), "D:(A;;0x200;;;WD)(A;;CC;;;WD)");
}

#[test]
fn sids_and_aliases() {
    let (b, n) = enc("O:S-1-0x500000000-32-579G:lgD:(A;;GA;;;la)(A;;GA;;;S-1-5-21-1-2-3-4)");
    assert_eq!(
        fmt(&b[..n]).as_str(),
        "O:S-1-0x000500000000-32-579G:LGD:(A;;GA;;;LA)(A;;GA;;;S-1-5-21-1-2-3-4)"
    );
    let mut buf = [0u8; 64];
    assert_eq!(
        encode("D:(A;;GA;;;LA)", &SddlContext::new(), &mut buf).unwrap_err(),
        Error::new(11, ErrorKind::AliasNeedsDomainSid { alias: *b"LA" })
    );
    assert_eq!(
        parse_sid_or_alias("sy", &ctx()),
        Ok(Sid::parse("S-1-5-18").unwrap())
    );
    assert_eq!(
        parse_sid_or_alias("S-1-5-18", &ctx()),
        Ok(Sid::parse("S-1-5-18").unwrap())
    );
    assert_eq!(
        parse_sid_or_alias("SYS", &ctx()).unwrap_err(),
        Error::new(2, ErrorKind::Expected(Expected::End))
    );
    assert_eq!(
        parse_sid_or_alias("", &ctx()).unwrap_err().kind,
        ErrorKind::Expected(Expected::SidOrAlias)
    );
}

#[test]
fn errors_name_offset_and_expectation() {
    use ErrorKind as K;
    use Expected as E;
    let cases: &[(&str, usize, ErrorKind)] = &[
        ("X", 0, K::Expected(E::SectionTag)),
        ("xD:", 0, K::Expected(E::SectionTag)),
        ("D:(A;;GA;;;WD):", 14, K::Expected(E::AclFlagOrAce)),
        ("O:SY:", 4, K::Expected(E::End)),
        ("D:PG", 3, K::Expected(E::AclFlagOrAce)),
        (
            "S:(AU;SA;FA;;;WD)D:(A;;FA;;;SY)S:",
            31,
            K::DuplicateSection { tag: b'S' },
        ),
        ("D:D:", 2, K::DuplicateSection { tag: b'D' }),
        ("D:S:D:", 4, K::DuplicateSection { tag: b'D' }),
        ("O:", 2, K::Expected(E::SidOrAlias)),
        ("O:XZ", 2, K::UnknownAlias { alias: *b"XZ" }),
        ("O:SYX", 4, K::Expected(E::End)),
        ("O:S-1-5", 7, K::NoSubAuthorities),
        ("D:Q", 2, K::Expected(E::AclFlagOrAce)),
        ("D:(", 3, K::Expected(E::AceType)),
        ("D:(B;;GA;;;WD)", 3, K::Expected(E::AceType)),
        ("D:(AX;;GA;;;WD)", 3, K::Expected(E::AceType)),
        (
            "D:(XA;;FX;;;WD;(@User.Title==\"PM\"))",
            3,
            K::UnsupportedConditionalAce,
        ),
        ("D:(ZA;;FX;;;WD)", 3, K::UnsupportedConditionalAce),
        (
            "S:(RA;;;;;WD;(\"Project\",TS,0,\"Windows\"))",
            3,
            K::UnsupportedResourceAttribute,
        ),
        ("S:(SP;;;;;WD)", 3, K::UnsupportedAceType { ace_type: 0x13 }),
        ("D:(A;XX;GA;;;WD)", 5, K::Expected(E::AceFlag)),
        ("D:(A;O", 5, K::Expected(E::AceFlag)),
        ("D:(A;;GQ;;;WD)", 6, K::Expected(E::Right)),
        ("D:(A;;0x;;;WD)", 8, K::Expected(E::HexDigit)),
        ("D:(A;;0x100000000;;;WD)", 6, K::NumberTooLarge),
        ("D:(A;;4294967296;;;WD)", 6, K::NumberTooLarge),
        ("D:(A;;0777;;;WD)", 6, K::LeadingZero),
        (
            "D:(A;;GA;bf967aba-0de6-11d0-a285-00aa003049e2;;WD)",
            9,
            K::GuidOnNonObjectAce,
        ),
        (
            "D:(OA;;GA;bf967aba-0de6-11d0-a285-00aa003049e;;WD)",
            45,
            K::Expected(E::Guid),
        ),
        (
            "D:(OA;;GA;{bf967aba-0de6-11d0-a285-00aa003049e2};;WD)",
            10,
            K::Expected(E::Guid),
        ),
        ("D:(A;;GA;;;WD", 13, K::Expected(E::Char(b')'))),
        ("D:(A;;GA;;;WD;)", 13, K::Expected(E::Char(b')'))),
        ("D:(A;;GA;;;S-1-5-0x1)", 18, K::Expected(E::Char(b')'))),
        (
            "D:(A;;GA;;;S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16)",
            52,
            K::TooManySubAuthorities,
        ),
        (
            "(A;;GA;;;S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16)(A;;GA;;;WD)",
            0,
            K::Expected(E::SectionTag),
        ),
        (
            "D:(A;;GA;;;S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16)(A;;GA;;;WD)",
            52,
            K::TooManySubAuthorities,
        ),
        (
            "D:(A;;GA;;;S-1-5-21-1-2-3-4294967296)(A;;GA;;;WD)",
            26,
            K::NumberTooLarge,
        ),
        (
            "D:(A;;GA;;;S-1-5-21-1-2-3-04)(A;;GA;;;WD)",
            26,
            K::LeadingZero,
        ),
        (
            "D:(A;;GA;;;S-1-5-21-1-2-3-)(A;;GA;;;WD)",
            26,
            K::Expected(E::Digit),
        ),
        ("D:(A;;GA;;;)", 11, K::Expected(E::SidOrAlias)),
        ("D:(A;;GA;;;WD) ", 14, K::Expected(E::AclFlagOrAce)),
        ("D:(A;;GA;;;WD)P", 14, K::Expected(E::AclFlagOrAce)),
        // Non-ASCII text: the offset counts characters, not bytes.
        ("D:(A;;GA;;;WD)(é", 15, K::Expected(E::AceType)),
        ("O:é", 2, K::Expected(E::SidOrAlias)),
    ];
    for &(text, offset, kind) in cases {
        assert_eq!(err(text), Error::new(offset, kind), "{text}");
    }
}

#[test]
fn buffer_too_small_names_the_exact_size() {
    let text = "O:BAG:SYD:(A;;KR;;;WD)(A;;KA;;;BA)(A;;KA;;;SY)";
    let mut small = [0u8; 0x77];
    assert_eq!(
        encode(text, &ctx(), &mut small).unwrap_err(),
        Error::new(0, ErrorKind::BufferTooSmall { needed: 0x78 })
    );
    let mut exact = [0u8; 0x78];
    assert_eq!(encode(text, &ctx(), &mut exact), Ok(0x78));
}

#[test]
fn acl_size_limit() {
    // 3,276 ACEs of 20 bytes fill 65,528 bytes; one more passes 65,532.
    let mut text = std::vec![0u8; 16 + 3277 * 14];
    text[..2].copy_from_slice(b"D:");
    let ace = b"(A;;GA;;;SY)";
    let mut at = 2;
    for _ in 0..3277 {
        text[at..at + ace.len()].copy_from_slice(ace);
        at += ace.len();
    }
    let ok_end = 2 + 3276 * ace.len();
    let s = core::str::from_utf8(&text[..ok_end]).unwrap();
    assert_eq!(encoded_len(s, &ctx()), Ok(20 + 8 + 3276 * 20));
    let s = core::str::from_utf8(&text[..at]).unwrap();
    assert_eq!(
        encoded_len(s, &ctx()),
        Err(Error::new(
            ok_end,
            ErrorKind::AclTooLarge {
                size: 8 + 3277 * 20
            }
        ))
    );
}

#[test]
fn check_formattable_names_unsupported_aces() {
    let (mut b, n) = enc("D:(A;;GA;;;WD)(A;;GA;;;SY)");
    b[20 + 8 + 20] = 0x09; // second ACE becomes a callback ACE
    let sd = SecurityDescriptor::new_checked(&b[..n]).unwrap();
    assert_eq!(
        check_formattable(&sd),
        Err(Error::new(
            48,
            ErrorKind::UnsupportedAceType { ace_type: 9 }
        ))
    );
    let mut t = Text::new();
    assert!(format(&sd, &ctx(), &mut t).is_err());
}

/// A small deterministic generator (xorshift64*), so the test needs no dependency. Its casts
/// truncate on purpose (random bits).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Numbers of every digit length, edges included.
    #[allow(clippy::cast_possible_truncation)]
    fn number(&mut self) -> u32 {
        match self.below(6) {
            0 => 0,
            1 => u32::MAX,
            2 => self.below(10) as u32,
            3 => self.below(100_000) as u32,
            4 => 1_000_000_000 + self.below(3_000_000_000) as u32,
            _ => self.next() as u32,
        }
    }
}

/// The SDDL encoder against the generic writer (`AclWriter` + `encode_descriptor`), over SIDs
/// that share, extend and shorten each other's prefixes, with every buffer size from too
/// small to ample.
#[test]
#[allow(clippy::cast_possible_truncation)]
fn encoder_matches_the_generic_writer() {
    use crate::{AclWriter, DescriptorParts, encode_descriptor};
    use core::fmt::Write as _;
    use std::string::String;
    use std::vec::Vec;

    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for round in 0..400 {
        let mut text = String::from("D:");
        let mut reprs = Vec::new();
        let mut prev: Option<(u64, Vec<u32>)> = None;
        let aces = 1 + rng.below(12) as usize;
        for _ in 0..aces {
            let (authority, mut subs) = match (&prev, rng.below(5)) {
                // Same prefix, new last number (accounts of one domain).
                (Some((a, s)), 0 | 1) => {
                    let mut s = s.clone();
                    *s.last_mut().unwrap() = rng.number();
                    (*a, s)
                }
                // One more sub-authority than the previous SID.
                (Some((a, s)), 2) if s.len() < 15 => {
                    let mut s = s.clone();
                    s.push(rng.number());
                    (*a, s)
                }
                _ => {
                    let authority = [5u64, 5, 1, 0, 18, 4_294_967_295][rng.below(6) as usize];
                    let n = 1 + rng.below(15) as usize;
                    let mut subs: Vec<u32> = (0..n).map(|_| rng.number()).collect();
                    if authority == 5 && rng.below(2) == 0 {
                        subs[0] = 21;
                    }
                    (authority, subs)
                }
            };
            if subs.is_empty() {
                subs.push(1);
            }
            let sid = Sid::new(authority, &subs).unwrap();
            let mask = rng.next() as u32;
            let deny = rng.below(3) == 0;
            // Hex or token rights.
            let rights = if rng.below(3) == 0 && mask & 1 == 1 {
                (0x1f_01ff, String::from("FA"))
            } else {
                (mask, std::format!("0x{mask:x}"))
            };
            write!(
                text,
                "({};;{};;;{sid})",
                if deny { "D" } else { "A" },
                rights.1
            )
            .unwrap();
            reprs.push(if deny {
                AceRepr::deny(sid, rights.0)
            } else {
                AceRepr::allow(sid, rights.0)
            });
            prev = Some((authority, subs));
        }
        let mut acl = std::vec![0u8; 65_536];
        let mut w = AclWriter::new(&mut acl).unwrap();
        for r in &reprs {
            w.push(r).unwrap();
        }
        let acl_len = w.finish().unwrap();
        let parts = DescriptorParts {
            dacl: Some(&acl[..acl_len]),
            ..Default::default()
        };
        let mut want = std::vec![0u8; 70_000];
        let want_len = encode_descriptor(&parts, &mut want).unwrap();

        let ctx = SddlContext::new();
        assert_eq!(
            encoded_len(&text, &ctx),
            Ok(want_len),
            "round {round}: {text}"
        );
        // Every buffer size around the boundary, and one ample.
        for size in [
            want_len.saturating_sub(90),
            want_len - 1,
            want_len,
            want_len + 3,
            70_000,
        ] {
            let mut out = std::vec![0xa5u8; size];
            match encode(&text, &ctx, &mut out) {
                Ok(n) => {
                    assert!(size >= want_len);
                    assert_eq!(n, want_len);
                    assert_eq!(
                        out[..n],
                        want[..want_len],
                        "round {round} size {size}: {text}"
                    );
                }
                Err(e) => {
                    assert!(size < want_len, "round {round} size {size}: {e}");
                    assert_eq!(e.kind, ErrorKind::BufferTooSmall { needed: want_len });
                }
            }
        }
    }
}

/// `right_token` (one `match`) gives what the formatting tables say, for every byte pair; the
/// covered-bit constants are the tables' unions.
#[test]
fn right_token_matches_the_tables() {
    assert_eq!(RIGHT_BITS.iter().fold(0, |a, (_, v)| a | v), SINGLE_BITS);
    assert_eq!(RIGHT_LABEL.iter().fold(0, |a, (_, v)| a | v), LABEL_BITS);
    for a in 0..=255u8 {
        for b in 0..=255u8 {
            let want = RIGHT_BITS
                .iter()
                .chain(&RIGHT_COMPOSITES)
                .chain(&RIGHT_LABEL)
                .find(|(k, _)| *k == [a, b])
                .map(|&(_, v)| v);
            assert_eq!(right_token([a, b]), want, "{:?}", [a, b]);
        }
    }
}

/// A random DACL of the cost target's general shape: allow or deny ACEs naming
/// `S-1-5-21-a-b-c-rid` SIDs of distinct domains, every number of a random length of 1 to
/// 10 digits, rights as hex masks of 1 to 8 digits (either case, leading zeros too) or as
/// tokens; one in six repeats the previous SID's domain. Returns the text and the ACEs it
/// means.
#[allow(clippy::cast_possible_truncation)]
fn general_dacl(rng: &mut Rng) -> (std::string::String, std::vec::Vec<AceRepr>) {
    use core::fmt::Write as _;
    const TOKENS: [(&str, u32); 10] = [
        ("FA", 0x001f_01ff),
        ("FR", 0x0012_0089),
        ("GA", 0x1000_0000),
        ("GR", 0x8000_0000),
        ("KA", 0x000f_003f),
        ("KX", 0x0002_0019),
        ("RC", 0x0002_0000),
        ("WD", 0x0004_0000),
        ("CC", 0x0000_0001),
        ("SD", 0x0001_0000),
    ];
    let number = |rng: &mut Rng| -> u32 {
        let digits = 1 + rng.below(10) as u32;
        let lo = if digits == 1 {
            0
        } else {
            10u64.pow(digits - 1)
        };
        let hi = 10u64.pow(digits).min(1 << 32);
        (lo + rng.below(hi - lo)) as u32
    };
    let mut text = std::string::String::from("D:");
    let mut reprs = std::vec::Vec::new();
    let mut prev: Option<std::vec::Vec<u32>> = None;
    for _ in 0..=rng.below(40) {
        let subs = match (&prev, rng.below(6)) {
            (Some(p), 0) => {
                let mut s = p.clone();
                *s.last_mut().unwrap() = number(rng);
                s
            }
            _ => std::vec![21, number(rng), number(rng), number(rng), number(rng)],
        };
        let sid = Sid::new(5, &subs).unwrap();
        let deny = rng.below(4) == 0;
        let mask = if rng.below(3) == 0 {
            let mut mask = 0;
            let mut s = std::string::String::new();
            for _ in 0..=rng.below(3) {
                let (t, v) = TOKENS[rng.below(TOKENS.len() as u64) as usize];
                s.push_str(t);
                mask |= v;
            }
            write!(text, "({};;{s};;;{sid})", if deny { "D" } else { "A" }).unwrap();
            mask
        } else {
            let digits = 1 + rng.below(8) as u32;
            let mask = (rng.next() as u32) >> (32 - 4 * digits);
            let mut hex = std::format!("{mask:0w$x}", w = digits as usize);
            if rng.below(3) == 0 {
                hex.make_ascii_uppercase();
            }
            write!(text, "({};;0x{hex};;;{sid})", if deny { "D" } else { "A" }).unwrap();
            mask
        };
        reprs.push(if deny {
            AceRepr::deny(sid, mask)
        } else {
            AceRepr::allow(sid, mask)
        });
        prev = Some(subs);
    }
    (text, reprs)
}

/// The generic writer's bytes for a DACL of `reprs` (`AclWriter` + `encode_descriptor`).
fn generic_bytes(reprs: &[AceRepr]) -> std::vec::Vec<u8> {
    use crate::{AclWriter, DescriptorParts, encode_descriptor};
    let mut acl = std::vec![0u8; 65_536];
    let mut w = AclWriter::new(&mut acl).unwrap();
    for r in reprs {
        w.push(r).unwrap();
    }
    let acl_len = w.finish().unwrap();
    let parts = DescriptorParts {
        dacl: Some(&acl[..acl_len]),
        ..Default::default()
    };
    let mut want = std::vec![0u8; 70_000];
    let n = encode_descriptor(&parts, &mut want).unwrap();
    want.truncate(n);
    want
}

/// Encodes `text` with a buffer of `size`: the result and the bytes.
fn encode_with(text: &str, size: usize) -> (Result<usize, Error>, std::vec::Vec<u8>) {
    let mut out = std::vec![0xa5u8; size];
    let r = encode(text, &ctx(), &mut out);
    (r, out)
}

/// The encoder on random distinct-domain DACLs equals the generic writer's bytes; for the
/// texts and for mutations of them (a byte replaced, inserted or removed, the text cut short),
/// a short buffer gives the same error as an ample one, or `BufferTooSmall` naming exactly
/// the length the ample one wrote, and `encoded_len` agrees. With the feature `fast-sddl`,
/// the fast path gives the simple path's result for each of them (bytes, or error kind and
/// offset), into ample and short buffers.
#[test]
#[allow(clippy::cast_possible_truncation)]
fn encoder_is_consistent_across_buffer_sizes() {
    const BYTES: &[u8] = b"0123456789-;()xXSaAfFgD:P \xc3";
    let mut rng = Rng(0x0d15_71ac_7d0a_a125);
    let mut errors = 0;
    for round in 0..1500 {
        let (text, reprs) = general_dacl(&mut rng);
        let want = generic_bytes(&reprs);
        let (r, out) = encode_with(&text, 70_000);
        assert_eq!(r, Ok(want.len()), "round {round}: {text}");
        assert_eq!(out[..want.len()], want[..], "round {round}: {text}");
        let mut variants = std::vec![
            text.clone(),
            text.replacen("(A;;", "(A;CIOI;", 1),
            text.replacen("(A;;", "(OA;;", 1),
            text.replacen(";;;S-1-5-21-", ";;;S-1-16-", 1),
            text.replacen(";;;S-1-5-21-", ";;;S-1-5-21-0", 1),
            text.replacen(";;;S-1-5-21-", ";;;BA)(D;;FA;;;S-1-5-21-", 1),
            text.replacen("0x", "0X", 1),
            text.replacen("0x", "1", 1),
            std::format!("{text}(A;;0x1;;;S-1-5-21-4294967295-1-2-3)"),
        ];
        for _ in 0..4 {
            let mut b = text.clone().into_bytes();
            let at = rng.below(b.len() as u64 + 1) as usize;
            let byte = BYTES[rng.below(BYTES.len() as u64) as usize];
            match rng.below(4) {
                0 if at < b.len() => b[at] = byte,
                1 => b.insert(at, byte),
                2 if at < b.len() => {
                    b.remove(at);
                }
                _ => b.truncate(at),
            }
            if byte == 0xc3 && at <= b.len() {
                // Keep it UTF-8: é.
                b.insert((at + 1).min(b.len()), 0xa9);
            }
            if let Ok(s) = std::string::String::from_utf8(b) {
                variants.push(s);
            }
        }
        for v in &variants {
            let ample = encode_with(v, 70_000);
            assert_eq!(encoded_len(v, &ctx()), ample.0, "{v}");
            let size = want.len().saturating_sub(1 + rng.below(80) as usize);
            let short = encode_with(v, size);
            #[cfg(feature = "fast-sddl")]
            for (size, fast) in [(70_000, &ample), (size, &short)] {
                let mut out = std::vec![0xa5u8; size];
                let simple = encode_simple(v, &ctx(), &mut out);
                assert_eq!(fast.0, simple, "fast and simple path, size {size}: {v}");
                if let Ok(n) = simple {
                    assert_eq!(fast.1[..n], out[..n], "fast and simple path: {v}");
                }
            }
            match ample.0 {
                Ok(n) if n > size => assert_eq!(
                    short.0,
                    Err(Error::new(0, ErrorKind::BufferTooSmall { needed: n })),
                    "round {round} size {size}: {v}"
                ),
                Ok(n) => assert_eq!(short.1[..n], ample.1[..n], "round {round}: {v}"),
                Err(e) => {
                    errors += 1;
                    assert_eq!(short.0, Err(e), "round {round} size {size}: {v}");
                }
            }
        }
    }
    // The mutations reach the error paths.
    assert!(errors > 1000, "{errors}");
}

/// The ACL size limit with many 36-byte ACEs: the ACE over it is named, into a buffer and
/// when counting.
#[test]
fn acl_size_limit_with_many_aces() {
    use core::fmt::Write as _;
    // 1,820 ACEs of 36 bytes make an ACL of 65,528 bytes; one more passes 65,532.
    let mut text = std::string::String::from("D:");
    let mut ends = std::vec::Vec::new();
    for i in 0..1821u32 {
        write!(
            text,
            "(A;;0x1f01ff;;;S-1-5-21-{}-{}-{}-{})",
            4_000_000_000 - i,
            i,
            7 * i,
            1000 + i
        )
        .unwrap();
        ends.push(text.len());
    }
    let ok = &text[..ends[1819]];
    let mut out = std::vec![0u8; 70_000];
    assert_eq!(encode(ok, &ctx(), &mut out), Ok(20 + 8 + 1820 * 36));
    assert_eq!(encoded_len(ok, &ctx()), Ok(20 + 8 + 1820 * 36));
    let want = Err(Error::new(
        ends[1819],
        ErrorKind::AclTooLarge {
            size: 8 + 1821 * 36,
        },
    ));
    assert_eq!(encode(&text, &ctx(), &mut out), want);
    assert_eq!(encoded_len(&text, &ctx()), want);
    #[cfg(feature = "fast-sddl")]
    assert_eq!(encode_simple(&text, &ctx(), &mut out), want);
}

/// Text that encodes is ASCII: a non-ASCII byte anywhere in a valid text is an error at its
/// byte offset or before (so `encode_bytes` needs no UTF-8 check first).
#[test]
fn encode_bytes_refuses_every_non_ascii_byte() {
    let text = b"O:BAG:SYD:PAI(A;CIOI;0x1f01ff;;;S-1-5-21-1-2-3-1000)(OA;;RP;bf967aba-0de6-11d0-a285-00aa003049e2;;AU)S:(AU;SA;FA;;;WD)";
    let mut out = [0u8; 1024];
    assert!(encode_bytes(text, &ctx(), &mut out).is_ok());
    for at in 0..=text.len() {
        for b in 0x80..=0xffu8 {
            let mut t = text.to_vec();
            t.insert(at, b);
            let e = encode_bytes(&t, &ctx(), &mut out).unwrap_err();
            assert!(e.offset <= at, "{at} {b:#x}: {e}");
        }
    }
}
