//! The durable copy of the original connection-objects descriptor: `Parameters\OriginalDacl`
//! (`REG_BINARY`), the policy crate's `OriginalStore` over KMDF registry calls.
//!
//! The policy crate decides when to read, write and remove it (`connsec_policy::flow`; the
//! semantics are in `docs/original-descriptor.md`); this module only moves the bytes. Each
//! operation opens the service's `Parameters` key with
//! `WdfDriverOpenParametersRegistryKey(driver, KEY_QUERY_VALUE | KEY_SET_VALUE, …)`,
//! does one `WdfRegistryQueryValue`, `WdfRegistryAssignValue(…, REG_BINARY, …)` or
//! `WdfRegistryRemoveValue`, then, for a change or a value found,
//! `ZwFlushKey(WdfRegistryWdmGetHandle(key))`, so that `write` and `remove` return only once the
//! change is on disk and `read` never answers with a value that is not (the flow's crash safety
//! rests on that), and closes the key (`WdfRegistryClose`). Prototypes: `wdfregistry.h` and
//! `wdfdriver.h` (KMDF; unchanged since 1.0, checked against the 1.19 header in
//! microsoft/Windows-Driver-Frameworks), `ZwFlushKey` in `wdm.h` (the "`ZwFlushKey` function" page,
//! Microsoft Learn: it "does not return until all the changed data … has been written to
//! disk"). Every call requires `PASSIVE_LEVEL`; the flow calls the store only there.

use core::ptr;

use connsec_nt::NtStatus;
use connsec_policy::{OriginalStore, config::ORIGINAL_DACL};
use wdk_sys::{
    KEY_QUERY_VALUE, KEY_SET_VALUE, REG_BINARY, STATUS_OBJECT_TYPE_MISMATCH, ULONG, UNICODE_STRING,
    WDF_NO_OBJECT_ATTRIBUTES, WDFDRIVER, WDFKEY, call_unsafe_wdf_function_binding,
};

use crate::status;

/// The value name, UTF-16 with a terminating NUL (not part of the `UNICODE_STRING`).
static VALUE_NAME: &[u16] = connsec_nt::wide!(ORIGINAL_DACL);

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
}

// SAFETY: a WDFDRIVER handle may be used from any thread and stays valid until the driver
// object is deleted after `EvtDriverUnload`; the store is reached only through the driver's
// global state (under its wait lock) or by value during teardown.
unsafe impl Send for RegistryStore {}

impl OriginalStore for RegistryStore {
    fn read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, NtStatus> {
        let key = WritableKey::open(self.driver)?;
        let found = key.query(buf)?;
        // A value whose earlier flush failed is visible but maybe not on disk: the flow may only
        // rely on a durable one.
        if found.is_some() {
            key.flush()?;
        }
        Ok(found)
    }

    fn write(&mut self, descriptor: &[u8]) -> Result<(), NtStatus> {
        let key = WritableKey::open(self.driver)?;
        key.assign(descriptor)?;
        key.flush()
    }

    fn remove(&mut self) -> Result<(), NtStatus> {
        let key = WritableKey::open(self.driver)?;
        match key.remove() {
            Ok(()) | Err(NtStatus::OBJECT_NAME_NOT_FOUND) => {}
            Err(status) => return Err(status),
        }
        key.flush()
    }
}

/// The `UNICODE_STRING` for [`VALUE_NAME`] (its length excludes the NUL).
fn value_name() -> Result<UNICODE_STRING, NtStatus> {
    let units = VALUE_NAME.len().saturating_sub(1);
    let bytes = u16::try_from(units.saturating_mul(2)).map_err(|_| NtStatus::INVALID_PARAMETER)?;
    Ok(UNICODE_STRING {
        Length: bytes,
        MaximumLength: bytes,
        // WDF only reads the name (`PCUNICODE_STRING`).
        Buffer: VALUE_NAME.as_ptr().cast_mut(),
    })
}

/// The `Parameters` key opened for reading and setting values; closed exactly once, by `Drop`.
struct WritableKey {
    key: WDFKEY,
}

impl WritableKey {
    fn open(driver: WDFDRIVER) -> Result<Self, NtStatus> {
        let mut key: WDFKEY = ptr::null_mut();
        let opened;
        // SAFETY: 1. `driver` is the live WDFDRIVER from `WdfDriverCreate` (the store exists
        //            only while the driver is loaded);
        //         2. no object attributes (NULL is allowed);
        //         3. `key` is a valid place for the handle;
        //         4. PASSIVE_LEVEL (the flow calls the store only there).
        unsafe {
            opened = call_unsafe_wdf_function_binding!(
                WdfDriverOpenParametersRegistryKey,
                driver,
                KEY_QUERY_VALUE | KEY_SET_VALUE,
                WDF_NO_OBJECT_ATTRIBUTES,
                &raw mut key,
            );
        }
        status::check(opened)?;
        Ok(Self { key })
    }

    /// Copies the value into `buf`: `Ok(None)` if it does not exist, an error if it is not
    /// `REG_BINARY` or does not fit.
    fn query(&self, buf: &mut [u8]) -> Result<Option<usize>, NtStatus> {
        let name = value_name()?;
        let length = ULONG::try_from(buf.len()).map_err(|_| NtStatus::INVALID_PARAMETER)?;
        let mut got: ULONG = 0;
        let mut kind: ULONG = 0;
        let queried;
        // SAFETY: 1. `self.key` is open (private field, closed only in Drop);
        //         2. `name` points at a static string;
        //         3. `buf` is live and writable for `length` bytes, its own length;
        //         4. `got` and `kind` are valid places for the outputs;
        //         5. PASSIVE_LEVEL.
        unsafe {
            queried = call_unsafe_wdf_function_binding!(
                WdfRegistryQueryValue,
                self.key,
                &raw const name,
                length,
                buf.as_mut_ptr().cast(),
                &raw mut got,
                &raw mut kind,
            );
        }
        match NtStatus::from_raw(queried) {
            NtStatus::OBJECT_NAME_NOT_FOUND => return Ok(None),
            // Larger than the buffer: nothing was copied.
            NtStatus::BUFFER_OVERFLOW => return Err(NtStatus::BUFFER_TOO_SMALL),
            other => other.ok()?,
        }
        if kind != REG_BINARY {
            return Err(NtStatus::from_raw(STATUS_OBJECT_TYPE_MISMATCH));
        }
        let len = usize::try_from(got).map_err(|_| NtStatus::BUFFER_TOO_SMALL)?;
        if len > buf.len() {
            return Err(NtStatus::BUFFER_TOO_SMALL);
        }
        Ok(Some(len))
    }

    /// `WdfRegistryAssignValue(REG_BINARY)`.
    fn assign(&self, bytes: &[u8]) -> Result<(), NtStatus> {
        let name = value_name()?;
        let length = ULONG::try_from(bytes.len()).map_err(|_| NtStatus::INVALID_PARAMETER)?;
        let assigned;
        // SAFETY: 1. `self.key` is open, with KEY_SET_VALUE;
        //         2. `name` points at a static string;
        //         3. `bytes` is live for `length` bytes and only read (`_In_reads_`);
        //         4. PASSIVE_LEVEL.
        unsafe {
            assigned = call_unsafe_wdf_function_binding!(
                WdfRegistryAssignValue,
                self.key,
                &raw const name,
                REG_BINARY,
                length,
                bytes.as_ptr().cast_mut().cast(),
            );
        }
        status::check(assigned)
    }

    /// `WdfRegistryRemoveValue`.
    fn remove(&self) -> Result<(), NtStatus> {
        let name = value_name()?;
        let removed;
        // SAFETY: 1. `self.key` is open, with KEY_SET_VALUE;
        //         2. `name` points at a static string;
        //         3. PASSIVE_LEVEL.
        unsafe {
            removed = call_unsafe_wdf_function_binding!(
                WdfRegistryRemoveValue,
                self.key,
                &raw const name
            );
        }
        status::check(removed)
    }

    /// `ZwFlushKey` on the key's WDM handle: returns once the hive is on disk.
    fn flush(&self) -> Result<(), NtStatus> {
        let handle;
        // SAFETY: 1. `self.key` is open; the handle stays owned by it (not closed here);
        //         2. PASSIVE_LEVEL.
        unsafe {
            handle = call_unsafe_wdf_function_binding!(WdfRegistryWdmGetHandle, self.key);
        }
        let flushed;
        // SAFETY: 1. `handle` is the open kernel handle of `self.key`, live while `self` is;
        //         2. PASSIVE_LEVEL, as `ZwFlushKey` requires.
        unsafe {
            flushed = wdk_sys::ntddk::ZwFlushKey(handle);
        }
        status::check(flushed)
    }
}

impl Drop for WritableKey {
    fn drop(&mut self) {
        // SAFETY: 1. `self.key` is open and closed exactly once, here;
        //         2. PASSIVE_LEVEL.
        unsafe {
            call_unsafe_wdf_function_binding!(WdfRegistryClose, self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_name_is_the_policy_crates() {
        let name = value_name().expect("short name");
        let expected: Vec<u16> = ORIGINAL_DACL.encode_utf16().collect();
        assert_eq!(usize::from(name.Length), expected.len() * 2);
        assert_eq!(VALUE_NAME.get(..expected.len()), Some(expected.as_slice()));
        assert_eq!(VALUE_NAME.last(), Some(&0));
    }
}
