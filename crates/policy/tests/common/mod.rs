//! Helpers shared by the integration tests: registry data as Windows stores it.
#![allow(dead_code, unreachable_pub)]

use connsec_policy::{RegType, RegValue};

/// UTF-16 code units of `s` (a value name).
pub fn name(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// `REG_SZ` data: UTF-16LE with a terminating NUL.
pub fn sz(s: &str) -> Vec<u8> {
    s.encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// UTF-16LE without terminator.
pub fn wide(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// `REG_MULTI_SZ` data: each entry NUL-terminated, then a final NUL.
pub fn multi_sz(entries: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend(sz(e));
    }
    out.extend([0, 0]);
    out
}

/// `REG_DWORD` data.
pub fn dword(v: u32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

/// Owned registry values; `values()` borrows them as `RegValue`s.
#[derive(Default)]
pub struct Key {
    items: Vec<(Vec<u16>, RegType, Vec<u8>)>,
}

impl Key {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn with(mut self, value_name: &str, kind: RegType, data: Vec<u8>) -> Self {
        self.items.push((name(value_name), kind, data));
        self
    }
    pub fn principals(self, entries: &[&str]) -> Self {
        self.with("Principals", RegType::MultiSz, multi_sz(entries))
    }
    pub fn values(&self) -> Vec<RegValue<'_>> {
        self.items
            .iter()
            .map(|(n, k, d)| RegValue {
                name: n,
                kind: *k,
                data: d,
            })
            .collect()
    }
}

/// The INF's default `Principals`.
pub fn inf_default_key() -> Key {
    Key::new().principals(&connsec_policy::config::DEFAULT_PRINCIPALS)
}
