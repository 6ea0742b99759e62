//! The durable copy of the original connection-objects descriptor: `Parameters\OriginalDacl`
//! (`REG_BINARY`), the policy crate's `OriginalStore` over the [`ParametersKey`] calls.
//!
//! The policy crate decides when to read, write and remove it (`connsec_policy::flow`; the
//! semantics are in `docs/original-descriptor.md`) and what each registry status means
//! (`connsec_policy::original`: absent, too large, not `REG_BINARY`, flushed before it is
//! relied on); this module only opens the key for each operation, with
//! `KEY_QUERY_VALUE | KEY_SET_VALUE`, and passes the calls through. Every call requires
//! `PASSIVE_LEVEL`; the flow calls the store only there.

use connsec_nt::NtStatus;
use connsec_policy::registry_read::QueryReply;
use connsec_policy::{
    OriginalStore,
    config::ORIGINAL_DACL,
    original::{self, OriginalValue},
};
use wdk_sys::{KEY_QUERY_VALUE, KEY_SET_VALUE, WDFDRIVER};

use crate::registry::{ParametersKey, WideName};

/// `ORIGINAL_DACL` as UTF-16, without terminator, built when compiling.
static NAME_UNITS: [u16; ORIGINAL_DACL.len()] = {
    assert!(
        connsec_nt::wide::is_ascii(ORIGINAL_DACL),
        "the OriginalDacl value name is not ASCII"
    );
    connsec_nt::wide::encode::<{ ORIGINAL_DACL.len() }>(ORIGINAL_DACL)
};

/// The value name.
const NAME: WideName = WideName::from_static(&NAME_UNITS);

/// `Parameters\OriginalDacl` of the driver's service. Each operation opens and closes the key.
#[derive(Debug)]
pub(crate) struct RegistryStore {
    /// Only this module can read or forge the handle.
    driver: WDFDRIVER,
}

impl RegistryStore {
    /// The store of `driver`'s `Parameters` key.
    pub(crate) const fn new(driver: WDFDRIVER) -> Self {
        Self { driver }
    }

    /// The key, opened for reading and setting values; closed when the result is dropped.
    fn open(&self) -> Result<OriginalKey, NtStatus> {
        ParametersKey::open(self.driver, KEY_QUERY_VALUE | KEY_SET_VALUE).map(OriginalKey)
    }
}

// SAFETY: a WDFDRIVER handle may be used from any thread and stays valid until the driver
// object is deleted after `EvtDriverUnload`; the store is reached only through the driver's
// global state (under its wait lock) or by value during teardown.
unsafe impl Send for RegistryStore {}

impl OriginalStore for RegistryStore {
    fn read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, NtStatus> {
        original::read(&mut self.open()?, buf)
    }

    fn write(&mut self, descriptor: &[u8]) -> Result<(), NtStatus> {
        original::write(&mut self.open()?, descriptor)
    }

    fn remove(&mut self) -> Result<(), NtStatus> {
        original::remove(&mut self.open()?)
    }
}

/// The open key's calls on `OriginalDacl`.
struct OriginalKey(ParametersKey);

impl OriginalValue for OriginalKey {
    fn query(&mut self, buf: &mut [u8]) -> QueryReply {
        self.0.query(NAME, Some(buf))
    }

    fn assign(&mut self, bytes: &[u8]) -> NtStatus {
        self.0.assign_binary(NAME, bytes)
    }

    fn remove(&mut self) -> NtStatus {
        self.0.remove(NAME)
    }

    fn flush(&mut self) -> NtStatus {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_name_is_the_policy_crates() {
        let expected: Vec<u16> = ORIGINAL_DACL.encode_utf16().collect();
        assert_eq!(NAME.as_units(), expected.as_slice());
    }
}
