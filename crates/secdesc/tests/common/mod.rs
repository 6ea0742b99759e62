//! Generators shared by `differential_samba.rs` and `properties.rs`.
//!
//! A generated [`GenSd`] is a plain model of a security descriptor: numeric SIDs, ACE types,
//! flags, masks and GUIDs, *together with* one SDDL spelling of each part (aliases or `S-1-…`,
//! rights as hex or as tokens, flags in any order, sections in any order). The SDDL text is
//! written here, from the model, without the codec's formatter, so the differential test compares
//! two independent parsers (connsec's and Samba's) on the same text, and the property tests can
//! compare the codec's view of its own bytes with the model.
//!
//! Everything generated is valid for both Windows' grammar and Samba 4.22's, as checked by hand
//! against Samba (MS-DTYP 2.4.2.1 and 2.4.4; `docs/codec.md` lists the differences):
//! * rights tokens: only those Samba 4.22 knows (no `KA`/`KR`/`KW`/`KX`, `MA`, `AS`);
//! * aliases: upper case only (Samba rejects `sy`, Windows accepts it);
//! * SIDs: revision 1, 1–15 sub-authorities, decimal authority below 2³², `0x` + 12 hex digits
//!   from 2³² up (the strict MS-DTYP grammar; Samba also accepts looser forms we do not emit);
//! * no `D:NO_ACCESS_CONTROL` (Samba rejects it), no conditional or callback ACEs.
//!
//! Modules: [`model`] (the model, its tables and SDDL spelling), [`generators`] (proptest
//! strategies), [`reference`] (the test's own binary encoder), [`samba`] (the Samba 4.22
//! oracle process) and [`vectors`] (the Windows conformance corpus).

// Each test binary uses a different part of these modules.
#![allow(dead_code, unreachable_pub, unused_imports)]

pub mod generators;
pub mod model;
pub mod reference;
pub mod samba;
pub mod vectors;

pub use generators::*;
pub use model::*;
pub use reference::*;
