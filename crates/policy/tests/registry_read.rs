//! The `Parameters` read protocol against a model of KMDF's `WdfRegistryQueryValue`.
//!
//! The model is `FxRegKey::_QueryValue` (`src/framework/shared/support/km/fxregkeykm.cpp` in
//! microsoft/Windows-Driver-Frameworks): the length and type are reported on success and on
//! `STATUS_BUFFER_OVERFLOW`, the data copied only on success.

use connsec_policy::NtStatus;
use connsec_policy::registry_read::{
    MAX_VALUE_BYTES, QueryReply, ReadAction, RegistryQuery, ValueRead, ValueReader,
    on_key_open_failure, read_value,
};

const REG_SZ: u32 = 1;
const REG_MULTI_SZ: u32 = 7;

/// One value as KMDF sees it. `versions` are what the value holds at each successive call (the
/// last one stays); `None` is a missing value.
struct KmdfValue {
    versions: Vec<Option<(u32, Vec<u8>)>>,
    calls: usize,
    allocations: Vec<usize>,
    fail_with: Option<NtStatus>,
    fail_allocation: bool,
}

impl KmdfValue {
    fn new(versions: &[Option<(u32, &[u8])>]) -> Self {
        Self {
            versions: versions
                .iter()
                .map(|v| v.map(|(kind, bytes)| (kind, bytes.to_vec())))
                .collect(),
            calls: 0,
            allocations: Vec::new(),
            fail_with: None,
            fail_allocation: false,
        }
    }

    fn read(&mut self) -> Result<Option<(u32, Vec<u8>)>, NtStatus> {
        read_value(self).map(|read| read.map(|(data, read)| (read.kind, data[..read.len].to_vec())))
    }
}

impl RegistryQuery for KmdfValue {
    type Buffer = Vec<u8>;

    fn allocate(&mut self, len: usize) -> Result<Vec<u8>, NtStatus> {
        self.allocations.push(len);
        if self.fail_allocation {
            Err(NtStatus::INSUFFICIENT_RESOURCES)
        } else {
            Ok(vec![0; len])
        }
    }

    fn query(&mut self, buffer: Option<&mut [u8]>) -> QueryReply {
        let at = self.calls.min(self.versions.len() - 1);
        self.calls += 1;
        let mut reply = QueryReply {
            status: NtStatus::SUCCESS,
            length: 0,
            kind: 0,
        };
        if let Some(status) = self.fail_with {
            reply.status = status;
            return reply;
        }
        let Some((kind, data)) = &self.versions[at] else {
            reply.status = NtStatus::OBJECT_NAME_NOT_FOUND;
            return reply;
        };
        reply.length = u32::try_from(data.len()).unwrap();
        reply.kind = *kind;
        reply.status = match buffer {
            Some(buffer) if buffer.len() >= data.len() => {
                buffer[..data.len()].copy_from_slice(data);
                NtStatus::SUCCESS
            }
            None if data.is_empty() => NtStatus::SUCCESS,
            _ => NtStatus::BUFFER_OVERFLOW,
        };
        reply
    }
}

#[test]
fn a_value_is_probed_then_read_exactly() {
    let mut value = KmdfValue::new(&[Some((REG_MULTI_SZ, b"S\0Y\0\0\0\0\0"))]);
    assert_eq!(
        value.read(),
        Ok(Some((REG_MULTI_SZ, b"S\0Y\0\0\0\0\0".to_vec())))
    );
    assert_eq!(value.calls, 2);
    assert_eq!(
        value.allocations,
        [8],
        "a buffer of exactly the probed length"
    );
}

#[test]
fn empty_and_missing_values() {
    let mut empty = KmdfValue::new(&[Some((REG_SZ, b""))]);
    assert_eq!(empty.read(), Ok(Some((REG_SZ, Vec::new()))));
    assert_eq!(empty.calls, 1, "no second call for an empty value");
    let mut missing = KmdfValue::new(&[None]);
    assert_eq!(missing.read(), Ok(None));
    assert!(missing.allocations.is_empty());
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
    assert_eq!(value.allocations, [4, 8]);
}

#[test]
fn a_value_that_keeps_growing_is_an_error() {
    let mut value = KmdfValue::new(&[
        Some((REG_SZ, b"A\0")),
        Some((REG_SZ, b"AB\0\0")),
        Some((REG_SZ, b"AB\0\0")),
        Some((REG_SZ, b"ABC\0\0\0")),
    ]);
    assert_eq!(value.read(), Err(NtStatus::BUFFER_TOO_SMALL));
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
    assert_eq!(value.read(), Err(NtStatus::BUFFER_TOO_SMALL));
    assert_eq!(value.calls, 1, "only the probe");
    assert!(value.allocations.is_empty());
}

#[test]
fn other_statuses_and_allocation_failures_are_passed_on() {
    let mut value = KmdfValue::new(&[Some((REG_SZ, b"A\0"))]);
    value.fail_with = Some(NtStatus::INSUFFICIENT_RESOURCES);
    assert_eq!(value.read(), Err(NtStatus::INSUFFICIENT_RESOURCES));
    let mut value = KmdfValue::new(&[Some((REG_SZ, b"A\0"))]);
    value.fail_allocation = true;
    assert_eq!(value.read(), Err(NtStatus::INSUFFICIENT_RESOURCES));
    assert_eq!(value.calls, 1, "no read without a buffer");
}

/// The step function on its own: every reply to a probe and to a read.
#[test]
fn the_step_function_decides_each_reply() {
    let reply = |status: NtStatus, length: u32| QueryReply {
        status,
        length,
        kind: REG_SZ,
    };
    let mut r = ValueReader::new();
    assert_eq!(
        r.on_probe(reply(NtStatus::OBJECT_NAME_NOT_FOUND, 0)),
        ReadAction::Done(Ok(None))
    );
    let mut r = ValueReader::new();
    assert_eq!(
        r.on_probe(reply(NtStatus::ACCESS_DENIED, 0)),
        ReadAction::Done(Err(NtStatus::ACCESS_DENIED))
    );
    let mut r = ValueReader::new();
    assert_eq!(
        r.on_probe(reply(NtStatus::BUFFER_OVERFLOW, MAX_VALUE_BYTES)),
        ReadAction::Read {
            len: usize::try_from(MAX_VALUE_BYTES).unwrap()
        }
    );
    let mut r = ValueReader::new();
    assert_eq!(
        r.on_probe(reply(NtStatus::BUFFER_OVERFLOW, MAX_VALUE_BYTES + 1)),
        ReadAction::Done(Err(NtStatus::BUFFER_TOO_SMALL))
    );
    // A read that reports more than was asked for copies at most the buffer.
    let mut r = ValueReader::new();
    assert_eq!(
        r.on_probe(reply(NtStatus::BUFFER_OVERFLOW, 4)),
        ReadAction::Read { len: 4 }
    );
    assert_eq!(
        r.on_read(reply(NtStatus::SUCCESS, 6)),
        ReadAction::Done(Ok(Some(ValueRead {
            kind: REG_SZ,
            len: 4
        })))
    );
    // Overflow on the first read probes again; on the second it gives up.
    let mut r = ValueReader::new();
    r.on_probe(reply(NtStatus::BUFFER_OVERFLOW, 4));
    assert_eq!(
        r.on_read(reply(NtStatus::BUFFER_OVERFLOW, 8)),
        ReadAction::Probe
    );
    r.on_probe(reply(NtStatus::BUFFER_OVERFLOW, 8));
    assert_eq!(
        r.on_read(reply(NtStatus::BUFFER_OVERFLOW, 12)),
        ReadAction::Done(Err(NtStatus::BUFFER_TOO_SMALL))
    );
    // A failed read fails with its own status.
    let mut r = ValueReader::new();
    r.on_probe(reply(NtStatus::BUFFER_OVERFLOW, 4));
    assert_eq!(
        r.on_read(reply(NtStatus::INVALID_PARAMETER, 0)),
        ReadAction::Done(Err(NtStatus::INVALID_PARAMETER))
    );
}

#[test]
fn a_missing_key_is_an_empty_configuration_other_failures_fail_the_load() {
    assert_eq!(on_key_open_failure(NtStatus::OBJECT_NAME_NOT_FOUND), Ok(()));
    assert_eq!(
        on_key_open_failure(NtStatus::ACCESS_DENIED),
        Err(NtStatus::ACCESS_DENIED)
    );
}
