//! The service's `Parameters` key: the one wrapper over its WDF and kernel calls
//! ([`ParametersKey`]), and the configuration values read as raw bytes for the policy crate.
//!
//! The driver decides nothing here: it asks WDF for each value the policy crate names
//! (`connsec_policy::config::VALUE_NAMES`, the single source of truth shared with the INF), by
//! the protocol `connsec_policy::registry_read` decides (probe, read, grow-and-retry once, size
//! cap), keeps the bytes and the `REG_*` type exactly as stored, and hands them to
//! `Config::parse`, which checks types, lengths, terminators and contents and names the value
//! at fault. `WdfDriverOpenParametersRegistryKey` opens `HKLM\…\Services\connsec\Parameters`.
//! Prototypes: `wdfregistry.h` and `wdfdriver.h` (KMDF; unchanged since 1.0, checked against
//! the 1.19 header in microsoft/Windows-Driver-Frameworks), `ZwFlushKey` in `wdm.h`. All at
//! `PASSIVE_LEVEL`.

use core::ptr;

use connsec_nt::NtStatus;
use connsec_policy::registry_read::{self, QueryReply, RegistryQuery};
use connsec_policy::{RegType, RegValue, config::VALUE_NAMES};
use wdk_sys::{
    ACCESS_MASK, REG_BINARY, ULONG, UNICODE_STRING, WDF_NO_OBJECT_ATTRIBUTES, WDFDRIVER, WDFKEY,
    call_unsafe_wdf_function_binding,
};

use crate::{pool::PoolBuffer, status};

/// Longest value name, in UTF-16 units, that [`WIDE_NAMES`] holds.
const MAX_NAME_UNITS: usize = 32;

/// The number of values the policy crate reads.
pub(crate) const VALUE_COUNT: usize = VALUE_NAMES.len();

/// `VALUE_NAMES` as UTF-16 (`connsec_nt::wide::encode`), built when compiling: a name that is
/// too long or not ASCII is a build error, so no name is encoded at run time.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: an out-of-range index or an overflow is a build error"
)]
static WIDE_NAMES: [[u16; MAX_NAME_UNITS]; VALUE_COUNT] = {
    let mut out = [[0; MAX_NAME_UNITS]; VALUE_COUNT];
    let mut i = 0;
    while i < VALUE_COUNT {
        assert!(
            VALUE_NAMES[i].len() <= MAX_NAME_UNITS,
            "a Parameters value name is too long"
        );
        assert!(
            connsec_nt::wide::is_ascii(VALUE_NAMES[i]),
            "a Parameters value name is not ASCII"
        );
        out[i] = connsec_nt::wide::encode::<MAX_NAME_UNITS>(VALUE_NAMES[i]);
        i += 1;
    }
    out
};

/// A value name: `VALUE_NAMES[index]` as UTF-16, without terminator.
#[derive(Clone, Copy)]
pub(crate) struct WideName {
    units: &'static [u16],
}

impl WideName {
    /// The name of `VALUE_NAMES[index]`; `None` past the end.
    fn of(index: usize) -> Option<Self> {
        let name = VALUE_NAMES.get(index)?;
        // ASCII (checked when compiling): one unit per byte.
        let units = WIDE_NAMES.get(index)?.get(..name.len())?;
        Some(Self { units })
    }

    /// A name whose units (without terminator) are static: e.g. `OriginalDacl`.
    pub(crate) const fn from_static(units: &'static [u16]) -> Self {
        Self { units }
    }

    /// The units, without terminator.
    pub(crate) const fn as_units(&self) -> &'static [u16] {
        self.units
    }

    /// A `UNICODE_STRING` over the units (a static buffer).
    fn unicode_string(&self) -> Option<UNICODE_STRING> {
        let bytes = u16::try_from(self.units.len().checked_mul(2)?).ok()?;
        Some(UNICODE_STRING {
            Length: bytes,
            MaximumLength: bytes,
            // WDF only reads it (`PCUNICODE_STRING`).
            Buffer: self.units.as_ptr().cast_mut(),
        })
    }
}

/// One value as stored: its name, its `REG_*` type code and its bytes.
pub(crate) struct RawValue {
    name: WideName,
    kind: u32,
    data: PoolBuffer,
    len: usize,
}

impl RawValue {
    /// The policy crate's view of it, borrowing `self`.
    pub(crate) fn as_reg_value(&self) -> RegValue<'_> {
        RegValue {
            name: self.name.as_units(),
            kind: RegType::from(self.kind),
            data: self.bytes(),
        }
    }

    fn bytes(&self) -> &[u8] {
        self.data.as_slice().get(..self.len).unwrap_or(&[])
    }
}

/// Every value of the `Parameters` key that the policy crate reads, in `VALUE_NAMES` order;
/// `None` where the value is absent.
pub(crate) struct ParameterValues {
    values: [Option<RawValue>; VALUE_COUNT],
}

impl ParameterValues {
    /// No values (the key does not exist).
    pub(crate) const fn none() -> Self {
        Self {
            values: [const { None }; VALUE_COUNT],
        }
    }

    /// The present values as the policy crate wants them, in `VALUE_NAMES` order.
    pub(crate) fn reg_values(&self) -> ([RegValue<'_>; VALUE_COUNT], usize) {
        let empty = RegValue {
            name: &[],
            kind: RegType::None,
            data: &[],
        };
        let mut out = [empty; VALUE_COUNT];
        let mut count = 0_usize;
        for value in self.values.iter().flatten() {
            if let Some(slot) = out.get_mut(count) {
                *slot = value.as_reg_value();
                count = count.saturating_add(1);
            }
        }
        (out, count)
    }
}

/// The driver's `Parameters` key, opened by `WdfDriverOpenParametersRegistryKey` and closed
/// exactly once (`WdfRegistryClose`) when dropped. Each method is one WDF or kernel call that
/// returns the call's status; the portable crates decide what it means
/// (`connsec_policy::registry_read` for the configuration, `connsec_policy::original` for
/// `OriginalDacl`). Every call, `WdfRegistryClose` included, requires `PASSIVE_LEVEL`: the key
/// is only used in `DriverEntry` and in the policy flow, both at `PASSIVE_LEVEL`.
pub(crate) struct ParametersKey {
    /// Only this module can read or forge the handle.
    key: WDFKEY,
}

impl ParametersKey {
    /// Opens the key with `access` (`KEY_QUERY_VALUE`, `| KEY_SET_VALUE` to change values).
    pub(crate) fn open(driver: WDFDRIVER, access: ACCESS_MASK) -> Result<Self, NtStatus> {
        let mut key: WDFKEY = ptr::null_mut();
        let opened;
        // SAFETY: 1. `driver` is the live WDFDRIVER from WdfDriverCreate (the driver object
        //            outlives DriverEntry and every flow call);
        //         2. no object attributes (NULL is allowed);
        //         3. `key` is a valid place for the handle;
        //         4. PASSIVE_LEVEL.
        unsafe {
            opened = call_unsafe_wdf_function_binding!(
                WdfDriverOpenParametersRegistryKey,
                driver,
                access,
                WDF_NO_OBJECT_ATTRIBUTES,
                &raw mut key,
            );
        }
        status::check(opened)?;
        Ok(Self { key })
    }

    /// Reads every value in `VALUE_NAMES` (then closes the key). The error names the value
    /// that could not be read.
    pub(crate) fn read_all(self) -> Result<ParameterValues, (&'static str, NtStatus)> {
        let mut values: [Option<RawValue>; VALUE_COUNT] = [const { None }; VALUE_COUNT];
        for ((index, slot), name) in values.iter_mut().enumerate().zip(VALUE_NAMES) {
            *slot = self.read(index).map_err(|status| (name, status))?;
        }
        Ok(ParameterValues { values })
    }

    /// Reads `VALUE_NAMES[index]` by the `registry_read` protocol; `Ok(None)` if it does not
    /// exist.
    fn read(&self, index: usize) -> Result<Option<RawValue>, NtStatus> {
        let wide = WideName::of(index).ok_or(NtStatus::INVALID_PARAMETER)?;
        let mut query = ValueQuery {
            key: self,
            name: wide,
        };
        Ok(
            registry_read::read_value(&mut query)?.map(|(ValueBuffer(data), read)| RawValue {
                name: wide,
                kind: read.kind,
                data,
                len: read.len,
            }),
        )
    }

    /// `WdfRegistryQueryValue` of `name` into `buffer`, or with no buffer (the length probe).
    pub(crate) fn query(&self, name: WideName, buffer: Option<&mut [u8]>) -> QueryReply {
        let mut reply = QueryReply {
            status: NtStatus::INVALID_PARAMETER,
            length: 0,
            kind: 0,
        };
        let Some(unicode) = name.unicode_string() else {
            return reply;
        };
        let (length, value) = match buffer {
            Some(buffer) => {
                let Ok(length) = ULONG::try_from(buffer.len()) else {
                    return reply;
                };
                (length, buffer.as_mut_ptr().cast())
            }
            None => (0, ptr::null_mut()),
        };
        let status;
        // SAFETY: 1. `self.key` is open (private field, closed only in Drop);
        //         2. `unicode` points at the static units of `name`;
        //         3. `value` and `length` are the pointer and length of one live, writable
        //            buffer, or NULL and 0 (allowed: the length only);
        //         4. `reply.length` and `reply.kind` are valid places for the outputs (ULONG);
        //         5. PASSIVE_LEVEL.
        unsafe {
            status = call_unsafe_wdf_function_binding!(
                WdfRegistryQueryValue,
                self.key,
                &raw const unicode,
                length,
                value,
                &raw mut reply.length,
                &raw mut reply.kind,
            );
        }
        reply.status = NtStatus::from_raw(status);
        reply
    }

    /// `WdfRegistryAssignValue(name, REG_BINARY, bytes)`; needs `KEY_SET_VALUE`.
    pub(crate) fn assign_binary(&self, name: WideName, bytes: &[u8]) -> NtStatus {
        let (Some(unicode), Ok(length)) = (name.unicode_string(), ULONG::try_from(bytes.len()))
        else {
            return NtStatus::INVALID_PARAMETER;
        };
        let assigned;
        // SAFETY: 1. `self.key` is open;
        //         2. `unicode` points at the static units of `name`;
        //         3. `bytes` is live for `length` bytes and only read (`_In_reads_`);
        //         4. PASSIVE_LEVEL.
        unsafe {
            assigned = call_unsafe_wdf_function_binding!(
                WdfRegistryAssignValue,
                self.key,
                &raw const unicode,
                REG_BINARY,
                length,
                bytes.as_ptr().cast_mut().cast(),
            );
        }
        NtStatus::from_raw(assigned)
    }

    /// `WdfRegistryRemoveValue(name)`; needs `KEY_SET_VALUE`.
    pub(crate) fn remove(&self, name: WideName) -> NtStatus {
        let Some(unicode) = name.unicode_string() else {
            return NtStatus::INVALID_PARAMETER;
        };
        let removed;
        // SAFETY: 1. `self.key` is open;
        //         2. `unicode` points at the static units of `name`;
        //         3. PASSIVE_LEVEL.
        unsafe {
            removed = call_unsafe_wdf_function_binding!(
                WdfRegistryRemoveValue,
                self.key,
                &raw const unicode
            );
        }
        NtStatus::from_raw(removed)
    }

    /// `ZwFlushKey` on the key's WDM handle: returns once the hive is on disk.
    pub(crate) fn flush(&self) -> NtStatus {
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
        NtStatus::from_raw(flushed)
    }
}

/// A pool buffer as the read protocol's buffer type.
struct ValueBuffer(PoolBuffer);

impl AsMut<[u8]> for ValueBuffer {
    fn as_mut(&mut self) -> &mut [u8] {
        self.0.as_mut_slice()
    }
}

/// The read protocol's calls for one value name of an open key.
struct ValueQuery<'a> {
    key: &'a ParametersKey,
    name: WideName,
}

impl RegistryQuery for ValueQuery<'_> {
    type Buffer = ValueBuffer;

    fn allocate(&mut self, len: usize) -> Result<ValueBuffer, NtStatus> {
        PoolBuffer::try_zeroed(len)
            .map(ValueBuffer)
            .map_err(NtStatus::from_raw)
    }

    fn query(&mut self, buffer: Option<&mut [u8]>) -> QueryReply {
        self.key.query(self.name, buffer)
    }
}

impl Drop for ParametersKey {
    fn drop(&mut self) {
        // SAFETY: 1. `self.key` is the key opened in `open` and closed exactly once, here;
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
    fn value_names_encode_as_utf16_without_terminator() {
        for (index, name) in VALUE_NAMES.iter().enumerate() {
            let wide = WideName::of(index).expect("every policy value name is in the table");
            let expected: Vec<u16> = name.encode_utf16().collect();
            assert_eq!(wide.as_units(), expected.as_slice(), "{name}");
            let unicode = wide.unicode_string().expect("short name");
            assert_eq!(usize::from(unicode.Length), expected.len() * 2, "{name}");
            assert_eq!(unicode.MaximumLength, unicode.Length, "{name}");
            assert_eq!(
                unicode.Buffer.cast_const(),
                wide.as_units().as_ptr(),
                "{name}"
            );
        }
    }

    #[test]
    fn no_key_means_no_values() {
        let (_, count) = ParameterValues::none().reg_values();
        assert_eq!(count, 0);
    }

    #[test]
    fn there_is_no_name_past_the_table() {
        assert!(WideName::of(VALUE_COUNT).is_none());
    }

    #[test]
    fn present_values_are_handed_over_in_value_names_order_with_type_and_bytes() {
        let value = |index: usize, kind: u32, bytes: &[u8]| {
            let mut data = PoolBuffer::try_zeroed(bytes.len() + 4).expect("allocation");
            data.as_mut_slice()[..bytes.len()].copy_from_slice(bytes);
            RawValue {
                name: WideName::of(index).expect("in the table"),
                kind,
                data,
                len: bytes.len(),
            }
        };
        let mut values: [Option<RawValue>; VALUE_COUNT] = [const { None }; VALUE_COUNT];
        // Only the first and the last value are present.
        values[0] = Some(value(0, 7, b"S\0Y\0\0\0\0\0"));
        values[VALUE_COUNT - 1] = Some(value(VALUE_COUNT - 1, 4, &[1, 0, 0, 0]));
        let values = ParameterValues { values };

        let (reg_values, count) = values.reg_values();
        assert_eq!(count, 2);
        let first = &reg_values[0];
        assert_eq!(first.name, WideName::of(0).unwrap().as_units());
        assert_eq!(first.kind, RegType::MultiSz);
        // Exactly the bytes read, not the whole pool buffer.
        assert_eq!(first.data, b"S\0Y\0\0\0\0\0");
        let second = &reg_values[1];
        assert_eq!(second.kind, RegType::Dword);
        assert_eq!(second.data, &[1, 0, 0, 0]);
    }
}
