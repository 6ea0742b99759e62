//! How the driver reads the `Parameters` key: the protocol as a pure step function.
//!
//! The driver asks WDF for each value `Config::parse` names (`config::VALUE_NAMES`), and hands
//! the bytes and the `REG_*` type over exactly as stored. This module decides how it asks;
//! the driver only makes the `WdfRegistryQueryValue` calls and owns the pool buffers.
//!
//! **What KMDF does** (`FxRegKey::_QueryValue`, `src/framework/shared/support/km/fxregkeykm.cpp`
//! in microsoft/Windows-Driver-Frameworks): it queries `KeyValuePartialInformation` into a
//! buffer of its own, reports the length and type on success *and* on
//! `STATUS_BUFFER_OVERFLOW`, but copies the data into the caller's buffer **only on success**.
//! So a non-empty value probed with no buffer yields `STATUS_BUFFER_OVERFLOW` and its length,
//! and a buffer that has become too small (the value grew since the probe) yields
//! `STATUS_BUFFER_OVERFLOW` and **no bytes at all**, never a truncated value.
//!
//! **The protocol** ([`ValueReader`]):
//! 1. probe with no buffer: `STATUS_OBJECT_NAME_NOT_FOUND` means the value is absent (not an
//!    error: `Config::parse` decides whether it was required); `STATUS_BUFFER_OVERFLOW` or a
//!    success gives the length; any other status fails the read;
//! 2. a value longer than [`MAX_VALUE_BYTES`] is not read at all (`STATUS_BUFFER_TOO_SMALL`);
//!    an empty one is read without a second call;
//! 3. read into a buffer of exactly the probed length: on success the value is the first
//!    `min(reported, probed)` bytes (it may have shrunk); on `STATUS_BUFFER_OVERFLOW` (it grew,
//!    nothing was copied) probe and read again, **once**; if it grew again, fail with
//!    `STATUS_BUFFER_TOO_SMALL`.
//!
//! **A missing key** ([`on_key_open_failure`]): no `Parameters` key at all is a configuration
//! like any other with no values; `Config::parse` then reports what is missing. Any other
//! failure to open the key fails the load.

use connsec_nt::NtStatus;

/// Largest value read, in bytes. The policy's own limits are smaller (32 KiB for `Principals`,
/// 64 KiB for `DaclSddl`); this only keeps a corrupt or hostile value from costing more than
/// 1 MiB of pool.
pub const MAX_VALUE_BYTES: u32 = 1024 * 1024;

/// How many times a value is probed before a value that keeps growing is given up.
const MAX_PROBES: u8 = 2;

/// What one `WdfRegistryQueryValue` call returned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct QueryReply {
    /// Its status.
    pub status: NtStatus,
    /// `ValueLengthQueried`: the value's length in bytes.
    pub length: u32,
    /// `ValueType`: the `REG_*` type code.
    pub kind: u32,
}

/// A value that was read: its `REG_*` type and how many bytes of the buffer hold it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ValueRead {
    /// The `REG_*` type code.
    pub kind: u32,
    /// The value's length: the first `len` bytes of the read buffer.
    pub len: usize,
}

/// The next call the protocol wants.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReadAction {
    /// Query with no buffer (`Value` NULL, `ValueLength` 0), then call
    /// [`ValueReader::on_probe`].
    Probe,
    /// Query into a buffer of exactly `len` bytes, then call [`ValueReader::on_read`].
    Read {
        /// The buffer length.
        len: usize,
    },
    /// Finished: the value (`Some`), its absence (`None`), or the status the read fails with.
    Done(Result<Option<ValueRead>, NtStatus>),
}

/// The read protocol for one value, as a state machine with no I/O.
#[derive(Clone, Copy, Debug, Default)]
pub struct ValueReader {
    probes: u8,
    requested: usize,
}

impl ValueReader {
    /// A reader that has made no call yet; its first action is [`ReadAction::Probe`].
    #[must_use]
    pub const fn new() -> Self {
        Self {
            probes: 0,
            requested: 0,
        }
    }

    /// After a probe.
    pub fn on_probe(&mut self, reply: QueryReply) -> ReadAction {
        self.probes = self.probes.saturating_add(1);
        if reply.status == NtStatus::OBJECT_NAME_NOT_FOUND {
            return ReadAction::Done(Ok(None));
        }
        // The length comes with STATUS_BUFFER_OVERFLOW (a non-empty value) or a success (an
        // empty one); anything else is a failure.
        if reply.status != NtStatus::BUFFER_OVERFLOW && !reply.status.is_success() {
            return ReadAction::Done(Err(reply.status));
        }
        if reply.length > MAX_VALUE_BYTES {
            return ReadAction::Done(Err(NtStatus::BUFFER_TOO_SMALL));
        }
        let Ok(len) = usize::try_from(reply.length) else {
            return ReadAction::Done(Err(NtStatus::BUFFER_TOO_SMALL));
        };
        if len == 0 {
            // An empty value: nothing more to read.
            return ReadAction::Done(Ok(Some(ValueRead {
                kind: reply.kind,
                len: 0,
            })));
        }
        self.requested = len;
        ReadAction::Read { len }
    }

    /// After a read into a buffer of the length [`ReadAction::Read`] asked for.
    pub fn on_read(&mut self, reply: QueryReply) -> ReadAction {
        if reply.status == NtStatus::BUFFER_OVERFLOW {
            // It grew since the probe, and nothing was copied: probe again, once.
            return if self.probes < MAX_PROBES {
                ReadAction::Probe
            } else {
                ReadAction::Done(Err(NtStatus::BUFFER_TOO_SMALL))
            };
        }
        if let Err(status) = reply.status.ok() {
            return ReadAction::Done(Err(status));
        }
        // It may have shrunk since the probe; on success exactly `length` bytes were copied.
        let len =
            usize::try_from(reply.length).map_or(self.requested, |got| got.min(self.requested));
        ReadAction::Done(Ok(Some(ValueRead {
            kind: reply.kind,
            len,
        })))
    }
}

/// The registry calls for one value name, as the driver makes them.
pub trait RegistryQuery {
    /// A buffer the caller owns (pool memory in the driver).
    type Buffer: AsMut<[u8]>;

    /// A zeroed buffer of `len` bytes.
    fn allocate(&mut self, len: usize) -> Result<Self::Buffer, NtStatus>;

    /// One `WdfRegistryQueryValue` call: `None` for the length probe (`Value` NULL,
    /// `ValueLength` 0), else the buffer to read into.
    fn query(&mut self, buffer: Option<&mut [u8]>) -> QueryReply;
}

/// Runs the protocol over `query`: `Ok(None)` if the value does not exist, otherwise the
/// buffer and what it holds (an empty value comes in an empty buffer).
///
/// The loop ends: [`ValueReader`] asks for at most two probes and two reads.
pub fn read_value<Q: RegistryQuery>(
    query: &mut Q,
) -> Result<Option<(Q::Buffer, ValueRead)>, NtStatus> {
    let mut reader = ValueReader::new();
    let mut buffer: Option<Q::Buffer> = None;
    let mut action = ReadAction::Probe;
    loop {
        action = match action {
            ReadAction::Probe => reader.on_probe(query.query(None)),
            ReadAction::Read { len } => {
                // A buffer from an earlier, overflowed read is freed here.
                let buffer = buffer.insert(query.allocate(len)?);
                reader.on_read(query.query(Some(buffer.as_mut())))
            }
            ReadAction::Done(Ok(Some(read))) => {
                let buffer = match buffer.take() {
                    Some(buffer) => buffer,
                    None => query.allocate(0)?,
                };
                return Ok(Some((buffer, read)));
            }
            ReadAction::Done(Ok(None)) => return Ok(None),
            ReadAction::Done(Err(status)) => return Err(status),
        };
    }
}

/// A failure to open the `Parameters` key: `Ok(())` (read no values) when the key does not
/// exist, `Err(status)` (fail the load) otherwise.
pub const fn on_key_open_failure(status: NtStatus) -> Result<(), NtStatus> {
    if status.0 == NtStatus::OBJECT_NAME_NOT_FOUND.0 {
        Ok(())
    } else {
        Err(status)
    }
}
