//! The service's `Parameters` key, read as raw bytes for the policy crate.
//!
//! The driver decides nothing here: it asks WDF for each value the policy crate names
//! (`connsec_policy::config::VALUE_NAMES`, the single source of truth shared with the INF), keeps
//! the bytes and the `REG_*` type exactly as stored, and hands them to `Config::parse`, which
//! checks types, lengths, terminators and contents and names the value at fault.
//!
//! `WdfDriverOpenParametersRegistryKey` opens `HKLM\…\Services\connsec\Parameters`;
//! `WdfRegistryQueryValue` is asked twice per value: once with no buffer for the length, then
//! with a pool buffer of exactly that length (again, once, if the value grew in between: KMDF
//! then returns `STATUS_BUFFER_OVERFLOW` and copies nothing). A value that is absent
//! (`STATUS_OBJECT_NAME_NOT_FOUND`) is simply not handed over. All at `PASSIVE_LEVEL`.

use core::ptr;

use connsec_policy::{RegType, RegValue, config::VALUE_NAMES};
use wdk_sys::{
    KEY_QUERY_VALUE, NTSTATUS, STATUS_BUFFER_OVERFLOW, STATUS_BUFFER_TOO_SMALL,
    STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_NOT_FOUND, ULONG, UNICODE_STRING,
    WDF_NO_OBJECT_ATTRIBUTES, WDFDRIVER, WDFKEY, call_unsafe_wdf_function_binding,
};

use crate::{pool::PoolBuffer, status};

/// Longest value name, in UTF-16 units, that [`WideName`] holds.
const MAX_NAME_UNITS: usize = 32;

// Every name the policy crate lists fits a `WideName` (checked when compiling, so `WideName::new`
// cannot fail for them at run time).
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: an out-of-range index or an overflow is a build error"
)]
const _: () = {
    let mut i = 0;
    while i < VALUE_NAMES.len() {
        assert!(
            VALUE_NAMES[i].len() <= MAX_NAME_UNITS,
            "a Parameters value name is too long"
        );
        i += 1;
    }
};

/// The number of values the policy crate reads.
pub(crate) const VALUE_COUNT: usize = VALUE_NAMES.len();

/// Largest value read, in bytes. The policy crate's own limits are smaller (32 KiB for
/// `Principals`, 64 KiB for `DaclSddl`); this only keeps a corrupt or hostile value from
/// costing more than 1 MiB of pool. A larger value is not read at all: it fails the load with
/// `STATUS_BUFFER_TOO_SMALL` (a `ParameterReadFailed` event that names it).
const MAX_VALUE_BYTES: ULONG = 1024 * 1024;

/// A value name as UTF-16, in a small fixed buffer (no allocation).
#[derive(Clone, Copy)]
pub(crate) struct WideName {
    units: [u16; MAX_NAME_UNITS],
    len: usize,
}

impl WideName {
    /// Encodes `name`; `None` if it has more than [`MAX_NAME_UNITS`] units.
    fn new(name: &str) -> Option<Self> {
        let mut units = [0_u16; MAX_NAME_UNITS];
        let mut len = 0_usize;
        for unit in name.encode_utf16() {
            *units.get_mut(len)? = unit;
            len = len.checked_add(1)?;
        }
        Some(Self { units, len })
    }

    /// The units, without terminator.
    pub(crate) fn as_units(&self) -> &[u16] {
        self.units.get(..self.len).unwrap_or(&[])
    }

    /// A `UNICODE_STRING` over the units, valid while `self` is not moved or dropped.
    fn unicode_string(&self) -> Option<UNICODE_STRING> {
        let bytes = u16::try_from(self.len.checked_mul(2)?).ok()?;
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

/// The driver's `Parameters` key, closed exactly once when dropped.
pub(crate) struct ParametersKey {
    key: WDFKEY,
}

impl ParametersKey {
    /// Opens the key for reading values.
    pub(crate) fn open(driver: WDFDRIVER) -> Result<Self, NTSTATUS> {
        let mut key: WDFKEY = ptr::null_mut();
        let opened;
        // SAFETY: 1. `driver` is the live WDFDRIVER from WdfDriverCreate;
        //         2. no object attributes (NULL is allowed);
        //         3. `key` is a valid place for the handle;
        //         4. PASSIVE_LEVEL (DriverEntry).
        unsafe {
            opened = call_unsafe_wdf_function_binding!(
                WdfDriverOpenParametersRegistryKey,
                driver,
                KEY_QUERY_VALUE,
                WDF_NO_OBJECT_ATTRIBUTES,
                &raw mut key,
            );
        }
        status::check(opened)?;
        Ok(Self { key })
    }

    /// Reads every value in `VALUE_NAMES` (then closes the key). The error names the value
    /// that could not be read.
    pub(crate) fn read_all(self) -> Result<ParameterValues, (&'static str, NTSTATUS)> {
        let mut values: [Option<RawValue>; VALUE_COUNT] = [const { None }; VALUE_COUNT];
        for (slot, name) in values.iter_mut().zip(VALUE_NAMES) {
            *slot = self.read(name).map_err(|status| (name, status))?;
        }
        Ok(ParameterValues { values })
    }

    /// Reads one value; `Ok(None)` if it does not exist (see [`read_value`]).
    fn read(&self, name: &'static str) -> Result<Option<RawValue>, NTSTATUS> {
        let wide = WideName::new(name).ok_or(STATUS_INVALID_PARAMETER)?;
        let unicode = wide.unicode_string().ok_or(STATUS_INVALID_PARAMETER)?;
        let key = self.key;
        let mut query = |buffer: Option<&mut [u8]>, got: &mut ULONG, kind: &mut ULONG| {
            let (length, value) = match buffer {
                Some(buffer) => match ULONG::try_from(buffer.len()) {
                    Ok(length) => (length, buffer.as_mut_ptr().cast()),
                    Err(_) => return STATUS_INVALID_PARAMETER,
                },
                None => (0, ptr::null_mut()),
            };
            let status;
            // SAFETY: 1. `key` is the open WDFKEY (private field of `self`, closed only in Drop);
            //         2. `unicode` points into `wide`, which outlives every call;
            //         3. `value` and `length` are the pointer and length of one live, writable
            //            buffer, or NULL and 0 (allowed: the length only);
            //         4. `got` and `kind` are valid places for the outputs;
            //         5. PASSIVE_LEVEL (DriverEntry).
            unsafe {
                status = call_unsafe_wdf_function_binding!(
                    WdfRegistryQueryValue,
                    key,
                    &raw const unicode,
                    length,
                    value,
                    ptr::from_mut(got),
                    ptr::from_mut(kind),
                );
            }
            status
        };
        Ok(read_value(&mut query)?.map(|(kind, data, len)| RawValue {
            name: wide,
            kind,
            data,
            len,
        }))
    }
}

/// One `WdfRegistryQueryValue` call for a fixed key and value name: `Value` and `ValueLength`
/// are the buffer's pointer and length (NULL and 0 for `None`), then `ValueLengthQueried` and
/// `ValueType`.
type Query<'a> = dyn FnMut(Option<&mut [u8]>, &mut ULONG, &mut ULONG) -> NTSTATUS + 'a;

/// Reads one value through `query`: a length probe with no buffer, then a read into a pool
/// buffer of exactly that length. `Ok(None)` if the value does not exist, otherwise its
/// `REG_*` type, the buffer and the length read.
///
/// What KMDF does (`FxRegKey::_QueryValue`, `src/framework/shared/support/km/fxregkeykm.cpp`
/// in microsoft/Windows-Driver-Frameworks): it queries `KeyValuePartialInformation` into a
/// buffer of its own, reports the length and type on success *and* on
/// `STATUS_BUFFER_OVERFLOW`, but copies the data into `Value` **only on success**. So a
/// non-empty value probed with no buffer yields `STATUS_BUFFER_OVERFLOW` and its length, and a
/// buffer that has become too small (the value grew since the probe) yields
/// `STATUS_BUFFER_OVERFLOW` and **no bytes at all**, never a truncated value: the value is then
/// probed and read again, once. `STATUS_BUFFER_TOO_SMALL` if it grows again, or if it is larger
/// than [`MAX_VALUE_BYTES`] (it is not read at all then).
fn read_value(query: &mut Query<'_>) -> Result<Option<(ULONG, PoolBuffer, usize)>, NTSTATUS> {
    for _attempt in 0..2 {
        let mut needed: ULONG = 0;
        let mut kind: ULONG = 0;
        let probed = query(None, &mut needed, &mut kind);
        if probed == STATUS_OBJECT_NAME_NOT_FOUND {
            return Ok(None);
        }
        // The length comes with STATUS_BUFFER_OVERFLOW (a non-empty value) or success (an
        // empty one); anything else is a failure.
        if probed != STATUS_BUFFER_OVERFLOW {
            status::check(probed)?;
        }
        if needed > MAX_VALUE_BYTES {
            return Err(STATUS_BUFFER_TOO_SMALL);
        }
        let len = usize::try_from(needed).map_err(|_| STATUS_INVALID_PARAMETER)?;
        let mut data = PoolBuffer::try_zeroed(len)?;
        if len == 0 {
            // An empty value: nothing more to read (and no buffer to pass).
            return Ok(Some((kind, data, 0)));
        }
        let mut got: ULONG = 0;
        let read = query(Some(data.as_mut_slice()), &mut got, &mut kind);
        if read == STATUS_BUFFER_OVERFLOW {
            // It grew since the probe, and nothing was copied: probe again.
            continue;
        }
        status::check(read)?;
        // It may have shrunk since the probe; on success exactly `got` bytes were copied.
        let len = usize::try_from(got).map_or(len, |got| got.min(len));
        return Ok(Some((kind, data, len)));
    }
    Err(STATUS_BUFFER_TOO_SMALL)
}

impl Drop for ParametersKey {
    fn drop(&mut self) {
        // SAFETY: 1. `self.key` is the key opened in `open` and closed exactly once, here;
        //         2. PASSIVE_LEVEL (DriverEntry).
        unsafe {
            call_unsafe_wdf_function_binding!(WdfRegistryClose, self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use wdk_sys::{STATUS_INSUFFICIENT_RESOURCES, STATUS_SUCCESS};

    use super::*;

    #[test]
    fn value_names_encode_as_utf16_without_terminator() {
        for name in VALUE_NAMES {
            let wide = WideName::new(name).expect("every policy value name fits");
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
    fn a_name_longer_than_the_buffer_is_refused() {
        let long = "x".repeat(MAX_NAME_UNITS + 1);
        assert!(WideName::new(&long).is_none());
        assert!(WideName::new(&long[1..]).is_some());
    }

    #[test]
    fn present_values_are_handed_over_in_value_names_order_with_type_and_bytes() {
        let value = |name: &str, kind: u32, bytes: &[u8]| {
            let mut data = PoolBuffer::try_zeroed(bytes.len() + 4).expect("allocation");
            data.as_mut_slice()[..bytes.len()].copy_from_slice(bytes);
            RawValue {
                name: WideName::new(name).expect("short"),
                kind,
                data,
                len: bytes.len(),
            }
        };
        let mut values: [Option<RawValue>; VALUE_COUNT] = [const { None }; VALUE_COUNT];
        // Only the first and the last value are present.
        values[0] = Some(value(VALUE_NAMES[0], 7, b"S\0Y\0\0\0\0\0"));
        values[VALUE_COUNT - 1] = Some(value(VALUE_NAMES[VALUE_COUNT - 1], 4, &[1, 0, 0, 0]));
        let values = ParameterValues { values };

        let (reg_values, count) = values.reg_values();
        assert_eq!(count, 2);
        let first = &reg_values[0];
        assert_eq!(
            first.name,
            WideName::new(VALUE_NAMES[0]).unwrap().as_units()
        );
        assert_eq!(first.kind, RegType::MultiSz);
        // Exactly the bytes read, not the whole pool buffer.
        assert_eq!(first.data, b"S\0Y\0\0\0\0\0");
        let second = &reg_values[1];
        assert_eq!(second.kind, RegType::Dword);
        assert_eq!(second.data, &[1, 0, 0, 0]);
    }

    /// `WdfRegistryQueryValue` as KMDF implements it (`FxRegKey::_QueryValue`): the length and
    /// type are reported on success and on `STATUS_BUFFER_OVERFLOW`, the data copied only on
    /// success. `versions` are what the value holds at each successive call (the last one
    /// stays); `None` is a missing value.
    struct KmdfValue {
        versions: Vec<Option<(u32, Vec<u8>)>>,
        calls: usize,
        fail_with: Option<NTSTATUS>,
    }

    impl KmdfValue {
        fn new(versions: &[Option<(u32, &[u8])>]) -> Self {
            Self {
                versions: versions
                    .iter()
                    .map(|v| v.map(|(kind, bytes)| (kind, bytes.to_vec())))
                    .collect(),
                calls: 0,
                fail_with: None,
            }
        }

        fn query(
            &mut self,
            buffer: Option<&mut [u8]>,
            got: &mut ULONG,
            kind: &mut ULONG,
        ) -> NTSTATUS {
            let at = self.calls.min(self.versions.len() - 1);
            self.calls += 1;
            if let Some(status) = self.fail_with {
                return status;
            }
            let Some((value_kind, data)) = &self.versions[at] else {
                return STATUS_OBJECT_NAME_NOT_FOUND;
            };
            *got = ULONG::try_from(data.len()).unwrap();
            *kind = *value_kind;
            match buffer {
                Some(buffer) if buffer.len() >= data.len() => {
                    buffer[..data.len()].copy_from_slice(data);
                    STATUS_SUCCESS
                }
                None if data.is_empty() => STATUS_SUCCESS,
                _ => STATUS_BUFFER_OVERFLOW,
            }
        }

        fn read(&mut self) -> Result<Option<(u32, Vec<u8>)>, NTSTATUS> {
            let mut query =
                |b: Option<&mut [u8]>, g: &mut ULONG, k: &mut ULONG| self.query(b, g, k);
            read_value(&mut query)
                .map(|read| read.map(|(kind, data, len)| (kind, data.as_slice()[..len].to_vec())))
        }
    }

    const REG_SZ: u32 = 1;
    const REG_MULTI_SZ: u32 = 7;

    #[test]
    fn a_value_is_probed_then_read_exactly() {
        let mut value = KmdfValue::new(&[Some((REG_MULTI_SZ, b"S\0Y\0\0\0\0\0"))]);
        assert_eq!(
            value.read(),
            Ok(Some((REG_MULTI_SZ, b"S\0Y\0\0\0\0\0".to_vec())))
        );
        assert_eq!(value.calls, 2);
    }

    #[test]
    fn empty_and_missing_values() {
        assert_eq!(
            KmdfValue::new(&[Some((REG_SZ, b""))]).read(),
            Ok(Some((REG_SZ, Vec::new())))
        );
        assert_eq!(KmdfValue::new(&[None]).read(), Ok(None));
    }

    #[test]
    fn a_value_that_grew_after_the_probe_is_read_again_never_as_zeros() {
        // Probe sees 4 bytes; the read finds 8 (KMDF copies nothing); the second probe and read
        // see the 8 bytes.
        let mut value = KmdfValue::new(&[
            Some((REG_SZ, b"A\0\0\0")),
            Some((REG_SZ, b"AB\0\0\0\0\0\0")),
        ]);
        assert_eq!(value.read(), Ok(Some((REG_SZ, b"AB\0\0\0\0\0\0".to_vec()))));
        assert_eq!(value.calls, 4);
    }

    #[test]
    fn a_value_that_keeps_growing_is_an_error() {
        let mut value = KmdfValue::new(&[
            Some((REG_SZ, b"A\0")),
            Some((REG_SZ, b"AB\0\0")),
            Some((REG_SZ, b"AB\0\0")),
            Some((REG_SZ, b"ABC\0\0\0")),
        ]);
        assert_eq!(value.read(), Err(STATUS_BUFFER_TOO_SMALL));
        assert_eq!(value.calls, 4);
    }

    #[test]
    fn a_value_that_shrank_after_the_probe_is_read_at_its_new_length() {
        let mut value = KmdfValue::new(&[Some((REG_SZ, b"AB\0\0")), Some((REG_SZ, b"A\0"))]);
        assert_eq!(value.read(), Ok(Some((REG_SZ, b"A\0".to_vec()))));
    }

    #[test]
    fn a_value_over_the_limit_is_refused_without_reading_it() {
        let huge = vec![0_u8; usize::try_from(MAX_VALUE_BYTES).unwrap() + 2];
        let mut value = KmdfValue::new(&[Some((REG_SZ, &huge))]);
        assert_eq!(value.read(), Err(STATUS_BUFFER_TOO_SMALL));
        assert_eq!(value.calls, 1, "only the probe");
    }

    #[test]
    fn other_statuses_are_passed_on() {
        let mut value = KmdfValue::new(&[Some((REG_SZ, b"A\0"))]);
        value.fail_with = Some(STATUS_INSUFFICIENT_RESOURCES);
        assert_eq!(value.read(), Err(STATUS_INSUFFICIENT_RESOURCES));
    }
}
