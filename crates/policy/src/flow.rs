//! The apply/restore flow, generic over a small [`FilterEngine`] trait, an [`OriginalStore`]
//! for the durable copy of the original descriptor, and the storage its buffers live in.
//!
//! The driver implements [`FilterEngine`] over the kernel WFP functions and [`OriginalStore`]
//! over `Parameters\OriginalDacl`, and drives a [`Controller`] from three places, all at
//! `PASSIVE_LEVEL` and serialised by the driver: [`Controller::on_load`] in `DriverEntry` (after
//! subscribing to BFE state changes), [`Controller::on_bfe_state_change`] from the
//! `FwpmBfeStateSubscribeChanges0` callback, and [`Controller::on_unload`] in `EvtDriverUnload`
//! (after unsubscribing). After each call, [`Controller::next_retry`] says whether (and after how
//! many milliseconds) a timer should call [`Controller::on_retry`]: a transient failure at load
//! (a busy transaction, a time-out) otherwise waits for the next BFE restart.
//!
//! The controller owns its storage: the policy DACL ([`PolicyDacl`]) and the original
//! descriptor live in buffers of a type `B: AsRef<[u8]> + AsMut<[u8]>` that it holds by value
//! (as smoltcp's `Packet<T>` holds its storage): pool buffers in the driver, `Vec`s or arrays in
//! tests. `as_ref`/`as_mut` must return the same bytes every time, as they do for those types.
//!
//! Rules the flow keeps (checked under every fault sequence by `tests/flow_model.rs`, and under
//! every crash, reboot and BFE restart by `tests/crash_model.rs`):
//! - **Sessions live for one call.** Each attempt opens a non-dynamic session, does its work
//!   and closes it on every path, so no session is ever kept across a BFE stop and none leaks.
//! - **Engine allocations are freed** on every path, right after their bytes are used.
//! - **The original is durable before anything changes.** Before our DACL is first set, the
//!   original descriptor is known: either a stored copy (a previous load did not restore: it
//!   is used as is, and the live descriptor is *not* taken as the original), or the live
//!   descriptor, written to the store and flushed *before* the set. A store that cannot be
//!   read or written fails the attempt: nothing is set that could not be undone. A stored copy
//!   is never overwritten. If nothing is stored and the live DACL already has our ACEs, the
//!   original is unknown: that is reported, nothing is stored, and no restore is claimed.
//! - **Every restore uses the stored copy**, and the copy is removed only after the restore
//!   was re-read and found equal, byte for byte, to it. With `RestoreOnUnload` 0 the copy is
//!   kept, so the original stays recoverable (by a later load or the uninstall script).
//! - **Only whole, valid DACLs are set**: the built policy DACL, or the original's DACL bytes
//!   exactly. The trait takes `&[u8]`, which cannot be NULL; an original NULL (or absent) DACL
//!   is never restored.
//! - **Exactly one [`Outcome`] per call** of `on_load`, `on_bfe_state_change`, `on_retry` and
//!   `on_unload`; what happens to the original is reported on the side
//!   ([`OutcomeSink::original`]).
//! - At unload the original is restored with `DACL_SECURITY_INFORMATION` plus
//!   `PROTECTED_`/`UNPROTECTED_DACL_SECURITY_INFORMATION` following its `SE_DACL_PROTECTED` bit.

use secdesc::Acl;

use crate::config::Config;
use crate::original::{OriginalDacl, carries_dacl, original_dacl};
use crate::policy::{
    CheckReport, DACL_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION, Policy,
    PolicyError, UNPROTECTED_DACL_SECURITY_INFORMATION,
};
use crate::retry::Backoff;
use crate::status::NtStatus;

pub use connsec_nt::BfeState;

/// The filter-engine operations the flow needs. All are called at `PASSIVE_LEVEL`.
pub trait FilterEngine {
    /// An open session (`FwpmEngineOpen0` handle).
    type Session;
    /// Memory the engine allocated (`PSECURITY_DESCRIPTOR` from `FwpmConnectionGetSecurityInfo0`).
    type Allocation;

    /// `FwpmBfeStateGet0`.
    fn bfe_state(&mut self) -> BfeState;
    /// `FwpmEngineOpen0` with a **non-dynamic** session (no `FWPM_SESSION_FLAG_DYNAMIC`).
    fn open_session(&mut self) -> Result<Self::Session, NtStatus>;
    /// `FwpmEngineClose0`; also after `STATUS_FWP_SESSION_ABORTED`.
    fn close_session(&mut self, session: Self::Session);
    /// `FwpmConnectionGetSecurityInfo0(DACL_SECURITY_INFORMATION)`: the whole self-relative
    /// descriptor the engine allocated.
    fn get_connection_security(
        &mut self,
        session: &Self::Session,
    ) -> Result<Self::Allocation, NtStatus>;
    /// The self-relative descriptor bytes of an allocation.
    fn allocation_bytes<'a>(&self, allocation: &'a Self::Allocation) -> &'a [u8];
    /// `FwpmFreeMemory0`.
    fn free(&mut self, allocation: Self::Allocation);
    /// `FwpmConnectionSetSecurityInfo0(security_info, NULL, NULL, dacl, NULL)`; `dacl` is a
    /// whole ACL.
    fn set_connection_dacl(
        &mut self,
        session: &Self::Session,
        security_info: u32,
        dacl: &[u8],
    ) -> Result<(), NtStatus>;
}

/// The durable copy of the original descriptor (`Parameters\OriginalDacl`, `REG_BINARY`). All
/// are called at `PASSIVE_LEVEL`. `write` and `remove` return only once the change is durable
/// ([`crate::original`] flushes the key): the flow's crash safety rests on that.
pub trait OriginalStore {
    /// Copies the stored descriptor into `buf` and returns its length; `Ok(None)` when nothing
    /// is stored. A stored value larger than `buf` is an error (`STATUS_BUFFER_TOO_SMALL`).
    /// A value it returns must be durable: a reader also sees a value whose write was not
    /// flushed (its flush failed), so the store flushes before it answers with one.
    fn read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, NtStatus>;
    /// Stores `descriptor` and flushes.
    fn write(&mut self, descriptor: &[u8]) -> Result<(), NtStatus>;
    /// Removes the stored copy and flushes; removing nothing is a success.
    fn remove(&mut self) -> Result<(), NtStatus>;
}

/// The step of an attempt that failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    /// `FwpmEngineOpen0`.
    OpenSession,
    /// `FwpmConnectionGetSecurityInfo0`.
    ReadSecurity,
    /// Copying the original descriptor (invalid, or larger than
    /// [`ORIGINAL_MAX_LEN`](crate::ORIGINAL_MAX_LEN)).
    Snapshot,
    /// Reading the stored original ([`OriginalStore::read`]; an invalid stored value too).
    ReadOriginal,
    /// Storing the original ([`OriginalStore::write`]).
    StoreOriginal,
    /// `FwpmConnectionSetSecurityInfo0`.
    SetSecurity,
    /// Re-reading the restored descriptor: it differs from the stored original.
    VerifyRestore,
}

impl Step {
    /// A short name (for log fields).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Step::OpenSession => "FwpmEngineOpen0",
            Step::ReadSecurity => "FwpmConnectionGetSecurityInfo0",
            Step::Snapshot => "snapshot",
            Step::ReadOriginal => "read OriginalDacl",
            Step::StoreOriginal => "store OriginalDacl",
            Step::SetSecurity => "FwpmConnectionSetSecurityInfo0",
            Step::VerifyRestore => "verify restore",
        }
    }
}

/// Why the restore at unload did not happen.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RestoreSkip {
    /// `RestoreOnUnload` is 0 (a stored original is kept).
    Disabled,
    /// Nothing was applied and no original is stored, so there is nothing to undo.
    NothingApplied,
    /// The original descriptor had a NULL or no DACL; restoring it would set a NULL DACL.
    OriginalNullDacl,
    /// Nothing was stored and the live DACL was already ours: the original is unknown.
    OriginalUnknown,
    /// BFE is not running at unload.
    BfeNotRunning(BfeState),
    /// Unload was already handled.
    AlreadyUnloaded,
}

impl RestoreSkip {
    /// A short, static description (for log fields).
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            RestoreSkip::Disabled => "RestoreOnUnload is 0; OriginalDacl is kept",
            RestoreSkip::NothingApplied => "nothing was applied and no original is stored",
            RestoreSkip::OriginalNullDacl => "original DACL was NULL; never set a NULL DACL",
            RestoreSkip::OriginalUnknown => "the original is unknown (live DACL was already ours)",
            RestoreSkip::BfeNotRunning(_) => "BFE is not running",
            RestoreSkip::AlreadyUnloaded => "unload already handled",
        }
    }
}

/// The one result of each controller call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome<'d> {
    /// Our DACL is set.
    Applied {
        /// 1-based attempt number.
        attempt: u32,
        /// Number of ACEs (SIDs) in the DACL.
        ace_count: u16,
        /// The DACL bytes set.
        dacl: &'d [u8],
        /// The `SECURITY_INFORMATION` used.
        security_info: u32,
    },
    /// The attempt failed; nothing was changed.
    ApplyFailed {
        /// 1-based attempt number.
        attempt: u32,
        /// The failing step.
        step: Step,
        /// Its status.
        status: NtStatus,
    },
    /// BFE is not running: nothing done now, the next `RUNNING` applies.
    Waiting {
        /// The state seen.
        state: BfeState,
    },
    /// BFE is stopping or stopped; no session is held, the next `RUNNING` applies again.
    BfeStopped {
        /// The state seen.
        state: BfeState,
    },
    /// A call after unload; nothing done.
    Ignored,
    /// [`Controller::on_retry`] with no failed attempt to retry; nothing done.
    NoRetryNeeded,
    /// The original is restored and verified.
    Restored {
        /// The `SECURITY_INFORMATION` used.
        security_info: u32,
        /// The DACL bytes restored (the stored original's).
        dacl: &'d [u8],
    },
    /// The restore failed; the stored original is kept.
    RestoreFailed {
        /// The failing step.
        step: Step,
        /// Its status.
        status: NtStatus,
    },
    /// No restore was attempted.
    RestoreSkipped {
        /// Why.
        reason: RestoreSkip,
    },
}

/// An operation on the [`OriginalStore`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StoreOp {
    /// [`OriginalStore::read`].
    Read,
    /// [`OriginalStore::write`].
    Write,
    /// [`OriginalStore::remove`].
    Remove,
}

impl StoreOp {
    /// A short name (for log fields).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            StoreOp::Read => "read",
            StoreOp::Write => "write",
            StoreOp::Remove => "remove",
        }
    }
}

/// What happened to the original descriptor (reported besides the [`Outcome`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OriginalEvent<'d> {
    /// The live descriptor was stored (and flushed) as the original, before our first set.
    Stored {
        /// The descriptor bytes stored.
        descriptor: &'d [u8],
    },
    /// A stored original was found: a previous load did not restore it. It is used as is; the
    /// live descriptor is not taken as the original.
    FoundStored {
        /// The stored descriptor bytes.
        descriptor: &'d [u8],
    },
    /// Nothing is stored and the live DACL already has our ACEs: the original is unknown.
    Unknown,
    /// A store operation failed (or the stored value is not a valid descriptor).
    StoreFailed {
        /// The operation.
        op: StoreOp,
        /// Its status.
        status: NtStatus,
    },
    /// The stored copy was removed after a verified restore.
    Removed,
}

/// Receives each outcome (the driver writes ETW events; tests keep a list).
pub trait OutcomeSink {
    /// One outcome; called exactly once per controller call.
    fn outcome(&mut self, outcome: &Outcome<'_>);
    /// A BFE state change the controller was told about (before its outcome).
    fn bfe_state(&mut self, _state: BfeState) {}
    /// What happened to the original descriptor (before the call's outcome).
    fn original(&mut self, _event: &OriginalEvent<'_>) {}
}

/// The policy DACL in storage the controller owns: the bytes [`Policy::build`] produced, found
/// again by their range in the buffer.
#[derive(Clone, Debug)]
pub struct PolicyDacl<B> {
    storage: B,
    start: usize,
    len: usize,
    ace_count: u16,
    security_info: u32,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> PolicyDacl<B> {
    /// Builds the DACL for `config` into `storage` (at least [`Policy::required_len`] bytes) and
    /// runs the checks; returns it with their report.
    pub fn build<'a>(
        config: &Config<'a>,
        mut storage: B,
    ) -> Result<(Self, CheckReport), PolicyError<'a>> {
        let base = storage.as_ref().as_ptr().addr();
        let (start, len, report, security_info) = {
            let dacl = Policy::build(config, storage.as_mut())?;
            let bytes = dacl.as_bytes();
            // `bytes` lies inside `storage` (the SDDL path leaves it after a descriptor header).
            let start = bytes.as_ptr().addr().saturating_sub(base);
            (start, bytes.len(), *dacl.report(), dacl.security_info())
        };
        let this = PolicyDacl {
            storage,
            start,
            len,
            ace_count: report.ace_count,
            security_info,
        };
        // Found again where it was built: a whole ACL of exactly `len` bytes.
        let acl = Acl::new_checked(this.as_bytes()).map_err(PolicyError::InvalidAcl)?;
        if acl.size() != len || acl.ace_count() != report.ace_count {
            return Err(PolicyError::BufferTooSmall { needed: len });
        }
        Ok((this, report))
    }

    /// The ACL bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.storage
            .as_ref()
            .get(self.start..self.start.saturating_add(self.len))
            .unwrap_or(&[])
    }

    /// Number of ACEs.
    #[must_use]
    pub fn ace_count(&self) -> u16 {
        self.ace_count
    }

    /// The `SECURITY_INFORMATION` to apply it with.
    #[must_use]
    pub fn security_info(&self) -> u32 {
        self.security_info
    }
}

/// What the controller knows about the original this load.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Original {
    /// Not established yet (no attempt got that far).
    NotRead,
    /// Durably stored; its `len` bytes are at the start of the original buffer.
    Stored { len: usize },
    /// Nothing stored and the live DACL was already ours.
    Unknown,
}

/// How an apply attempt ended.
#[derive(Clone, Copy)]
enum Attempt {
    Applied(u32),
    Failed(u32, Step, NtStatus),
}

/// Drives apply and restore (see the module docs).
#[derive(Debug)]
pub struct Controller<E, S, B> {
    engine: E,
    store: S,
    dacl: PolicyDacl<B>,
    original_buf: B,
    original: Original,
    restore_on_unload: bool,
    applied: bool,
    unloaded: bool,
    attempts: u32,
    last_failure: Option<NtStatus>,
    backoff: Backoff,
}

impl<E: FilterEngine, S: OriginalStore, B: AsRef<[u8]> + AsMut<[u8]>> Controller<E, S, B> {
    /// A controller for `dacl`. `original_buf` must have
    /// [`ORIGINAL_MAX_LEN`](crate::ORIGINAL_MAX_LEN) bytes (the driver allocates it from pool);
    /// with a shorter one an original that does not fit fails the attempt
    /// (`STATUS_BUFFER_TOO_SMALL`) and nothing is applied.
    pub fn new(
        engine: E,
        store: S,
        dacl: PolicyDacl<B>,
        original_buf: B,
        restore_on_unload: bool,
    ) -> Self {
        Controller {
            engine,
            store,
            dacl,
            original_buf,
            original: Original::NotRead,
            restore_on_unload,
            applied: false,
            unloaded: false,
            attempts: 0,
            last_failure: None,
            backoff: Backoff::default(),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &E {
        &self.engine
    }

    /// The engine, mutably (e.g. for the driver's other WFP work).
    pub fn engine_mut(&mut self) -> &mut E {
        &mut self.engine
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the engine and the store back.
    pub fn into_parts(self) -> (E, S) {
        (self.engine, self.store)
    }

    /// Has our DACL been set at least once?
    #[must_use]
    pub fn is_applied(&self) -> bool {
        self.applied
    }

    /// The original descriptor this load uses (stored durably), once known.
    #[must_use]
    pub fn original(&self) -> Option<&[u8]> {
        match self.original {
            Original::Stored { len } => self.original_buf.as_ref().get(..len),
            Original::NotRead | Original::Unknown => None,
        }
    }

    /// At load: apply now if BFE runs, otherwise wait for `RUNNING`.
    pub fn on_load(&mut self, sink: &mut dyn OutcomeSink) {
        let state = self.engine.bfe_state();
        if self.unloaded {
            sink.outcome(&Outcome::Ignored);
        } else if state == BfeState::Running {
            let attempt = self.attempt_apply(sink);
            sink.outcome(&self.apply_outcome(attempt));
        } else {
            sink.outcome(&Outcome::Waiting { state });
        }
    }

    /// From the BFE state-change callback: `RUNNING` applies (again), a stop has nothing to
    /// close (sessions never outlive a call), anything else waits. Never unsubscribes.
    pub fn on_bfe_state_change(&mut self, state: BfeState, sink: &mut dyn OutcomeSink) {
        sink.bfe_state(state);
        if self.unloaded {
            sink.outcome(&Outcome::Ignored);
            return;
        }
        match state {
            BfeState::Running => {
                let attempt = self.attempt_apply(sink);
                sink.outcome(&self.apply_outcome(attempt));
            }
            BfeState::StopPending | BfeState::Stopped => {
                sink.outcome(&Outcome::BfeStopped { state });
            }
            BfeState::StartPending | BfeState::Unknown(_) => {
                sink.outcome(&Outcome::Waiting { state });
            }
        }
    }

    /// Did the last attempt fail with a status a later retry may fix
    /// ([`NtStatus::is_transient`])? False after unload.
    #[must_use]
    pub fn retry_pending(&self) -> bool {
        !self.unloaded && self.last_failure.is_some_and(NtStatus::is_transient)
    }

    /// After a controller call: the delay in milliseconds after which the driver should call
    /// [`on_retry`](Self::on_retry), or `None` for no timer. A retry is due while
    /// [`retry_pending`](Self::retry_pending) and BFE runs (while it does not, its `RUNNING`
    /// notification applies anyway); the delays double from 1 s up to 60 s
    /// ([`crate::retry`]), and start over once an attempt needs no retry.
    pub fn next_retry(&mut self) -> Option<u32> {
        if !self.retry_pending() {
            self.backoff.reset();
            return None;
        }
        if self.engine.bfe_state() != BfeState::Running {
            return None;
        }
        Some(self.backoff.next_delay())
    }

    /// A retry (the driver's timer or work item, `PASSIVE_LEVEL`): applies again if the last
    /// attempt failed and BFE runs; otherwise reports why nothing was done. One outcome.
    pub fn on_retry(&mut self, sink: &mut dyn OutcomeSink) {
        if self.unloaded {
            sink.outcome(&Outcome::Ignored);
        } else if self.last_failure.is_none() {
            sink.outcome(&Outcome::NoRetryNeeded);
        } else {
            match self.engine.bfe_state() {
                BfeState::Running => {
                    let attempt = self.attempt_apply(sink);
                    sink.outcome(&self.apply_outcome(attempt));
                }
                state => sink.outcome(&Outcome::Waiting { state }),
            }
        }
    }

    /// At unload: restore the stored original when configured (see the module docs).
    pub fn on_unload(&mut self, sink: &mut dyn OutcomeSink) {
        let already = self.unloaded;
        self.unloaded = true;
        if already {
            sink.outcome(&Outcome::RestoreSkipped {
                reason: RestoreSkip::AlreadyUnloaded,
            });
        } else {
            let outcome = self.restore(sink);
            sink.outcome(&outcome);
        }
    }

    fn apply_outcome(&self, attempt: Attempt) -> Outcome<'_> {
        match attempt {
            Attempt::Applied(attempt) => Outcome::Applied {
                attempt,
                ace_count: self.dacl.ace_count(),
                dacl: self.dacl.as_bytes(),
                security_info: self.dacl.security_info(),
            },
            Attempt::Failed(attempt, step, status) => Outcome::ApplyFailed {
                attempt,
                step,
                status,
            },
        }
    }

    fn attempt_apply(&mut self, sink: &mut dyn OutcomeSink) -> Attempt {
        self.attempts = self.attempts.saturating_add(1);
        let attempt = self.attempts;
        let result = match self.engine.open_session() {
            Ok(session) => {
                let result = self.apply_in(&session, sink);
                self.engine.close_session(session);
                result
            }
            Err(status) => Err((Step::OpenSession, status)),
        };
        self.last_failure = result.err().map(|(_, status)| status);
        match result {
            Ok(()) => {
                self.applied = true;
                Attempt::Applied(attempt)
            }
            Err((step, status)) => Attempt::Failed(attempt, step, status),
        }
    }

    fn apply_in(
        &mut self,
        session: &E::Session,
        sink: &mut dyn OutcomeSink,
    ) -> Result<(), (Step, NtStatus)> {
        if self.original == Original::NotRead {
            self.establish_original(session, sink)?;
        }
        self.engine
            .set_connection_dacl(session, self.dacl.security_info(), self.dacl.as_bytes())
            .map_err(|s| (Step::SetSecurity, s))
    }

    /// Finds the original before the first set: the stored copy if there is one, else the
    /// live descriptor, stored and flushed here (or "unknown" if it is already ours).
    fn establish_original(
        &mut self,
        session: &E::Session,
        sink: &mut dyn OutcomeSink,
    ) -> Result<(), (Step, NtStatus)> {
        if let Some(len) = self.read_stored(sink)? {
            self.original = Original::Stored { len };
            let descriptor = self.original_buf.as_ref().get(..len).unwrap_or(&[]);
            sink.original(&OriginalEvent::FoundStored { descriptor });
            return Ok(());
        }
        let allocation = self
            .engine
            .get_connection_security(session)
            .map_err(|s| (Step::ReadSecurity, s))?;
        let copied = copy_original(
            self.engine.allocation_bytes(&allocation),
            self.original_buf.as_mut(),
            self.dacl.as_bytes(),
        );
        self.engine.free(allocation);
        let (len, already_ours) = copied.map_err(|s| (Step::Snapshot, s))?;
        if already_ours {
            self.original = Original::Unknown;
            sink.original(&OriginalEvent::Unknown);
            return Ok(());
        }
        let descriptor = self.original_buf.as_ref().get(..len).unwrap_or(&[]);
        if let Err(status) = self.store.write(descriptor) {
            sink.original(&OriginalEvent::StoreFailed {
                op: StoreOp::Write,
                status,
            });
            return Err((Step::StoreOriginal, status));
        }
        sink.original(&OriginalEvent::Stored { descriptor });
        self.original = Original::Stored { len };
        Ok(())
    }

    /// Reads the stored original into the original buffer; an invalid stored value is an
    /// error (it is neither used nor overwritten).
    fn read_stored(
        &mut self,
        sink: &mut dyn OutcomeSink,
    ) -> Result<Option<usize>, (Step, NtStatus)> {
        let read = self
            .store
            .read(self.original_buf.as_mut())
            .and_then(|len| match len {
                Some(len) => {
                    let bytes = self
                        .original_buf
                        .as_ref()
                        .get(..len)
                        .ok_or(NtStatus::BUFFER_TOO_SMALL)?;
                    original_dacl(bytes).map(|_| Some(len))
                }
                None => Ok(None),
            });
        read.map_err(|status| {
            sink.original(&OriginalEvent::StoreFailed {
                op: StoreOp::Read,
                status,
            });
            (Step::ReadOriginal, status)
        })
    }

    fn restore(&mut self, sink: &mut dyn OutcomeSink) -> Outcome<'_> {
        let skip = |reason| Outcome::RestoreSkipped { reason };
        if !self.restore_on_unload {
            return skip(RestoreSkip::Disabled);
        }
        if self.original == Original::Unknown {
            return skip(RestoreSkip::OriginalUnknown);
        }
        let state = self.engine.bfe_state();
        if state != BfeState::Running {
            return skip(RestoreSkip::BfeNotRunning(state));
        }
        let len = match self.original {
            Original::Stored { len } => len,
            // No attempt got as far as the original; a previous load may still have left one.
            Original::NotRead | Original::Unknown => match self.read_stored(sink) {
                Ok(Some(len)) => {
                    self.original = Original::Stored { len };
                    let descriptor = self.original_buf.as_ref().get(..len).unwrap_or(&[]);
                    sink.original(&OriginalEvent::FoundStored { descriptor });
                    len
                }
                Ok(None) => return skip(RestoreSkip::NothingApplied),
                Err((step, status)) => return Outcome::RestoreFailed { step, status },
            },
        };
        let stored = self.original_buf.as_ref().get(..len).unwrap_or(&[]);
        let (bytes, protected) = match original_dacl(stored) {
            Ok(OriginalDacl::Dacl { bytes, protected }) => (bytes, protected),
            Ok(OriginalDacl::Null) => return skip(RestoreSkip::OriginalNullDacl),
            Err(status) => {
                return Outcome::RestoreFailed {
                    step: Step::ReadOriginal,
                    status,
                };
            }
        };
        let security_info = DACL_SECURITY_INFORMATION
            | if protected {
                PROTECTED_DACL_SECURITY_INFORMATION
            } else {
                UNPROTECTED_DACL_SECURITY_INFORMATION
            };
        let session = match self.engine.open_session() {
            Ok(session) => session,
            Err(status) => {
                return Outcome::RestoreFailed {
                    step: Step::OpenSession,
                    status,
                };
            }
        };
        let result = set_and_verify(&mut self.engine, &session, security_info, bytes, protected);
        self.engine.close_session(session);
        if let Err((step, status)) = result {
            return Outcome::RestoreFailed { step, status };
        }
        // Verified: only now may the stored copy go.
        match self.store.remove() {
            Ok(()) => sink.original(&OriginalEvent::Removed),
            Err(status) => sink.original(&OriginalEvent::StoreFailed {
                op: StoreOp::Remove,
                status,
            }),
        }
        Outcome::Restored {
            security_info,
            dacl: bytes,
        }
    }
}

/// Sets the original DACL, then reads the descriptor back and checks that its DACL is those
/// bytes exactly, with the same protection.
fn set_and_verify<E: FilterEngine>(
    engine: &mut E,
    session: &E::Session,
    security_info: u32,
    dacl: &[u8],
    protected: bool,
) -> Result<(), (Step, NtStatus)> {
    engine
        .set_connection_dacl(session, security_info, dacl)
        .map_err(|s| (Step::SetSecurity, s))?;
    let allocation = engine
        .get_connection_security(session)
        .map_err(|s| (Step::VerifyRestore, s))?;
    let same = matches!(
        original_dacl(engine.allocation_bytes(&allocation)),
        Ok(OriginalDacl::Dacl { bytes, protected: p }) if bytes == dacl && p == protected
    );
    engine.free(allocation);
    if same {
        Ok(())
    } else {
        Err((Step::VerifyRestore, NtStatus::UNSUCCESSFUL))
    }
}

/// Copies a live self-relative descriptor into `buf` after checking it; returns its length and
/// whether its DACL already has `policy_dacl`'s ACEs.
fn copy_original(
    sd_bytes: &[u8],
    buf: &mut [u8],
    policy_dacl: &[u8],
) -> Result<(usize, bool), NtStatus> {
    let dacl = original_dacl(sd_bytes)?;
    let ours = carries_dacl(&dacl, policy_dacl);
    let slot = buf
        .get_mut(..sd_bytes.len())
        .ok_or(NtStatus::BUFFER_TOO_SMALL)?;
    slot.copy_from_slice(sd_bytes);
    Ok((sd_bytes.len(), ours))
}
