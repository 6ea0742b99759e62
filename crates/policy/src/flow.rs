//! The apply/restore flow, generic over a small [`FilterEngine`] trait.
//!
//! The driver implements [`FilterEngine`] over the kernel WFP functions and drives a
//! [`Controller`] from three places, all at `PASSIVE_LEVEL` and serialised by the driver:
//! [`Controller::on_load`] in `DriverEntry` (after subscribing to BFE state changes),
//! [`Controller::on_bfe_state_change`] from the `FwpmBfeStateSubscribeChanges0` callback, and
//! [`Controller::on_unload`] in `EvtDriverUnload` (after unsubscribing). Optionally, when
//! [`Controller::retry_pending`] is true after a call, a driver timer or work item may call
//! [`Controller::on_retry`] later: a transient failure at load (a busy transaction, a timeout)
//! otherwise waits for the next BFE restart.
//!
//! Rules the flow keeps (and the model test in `tests/flow_model.rs` checks under every fault
//! sequence):
//! - **Sessions live for one call.** Each attempt opens a non-dynamic session, does its work
//!   and closes it on every path, so no session is ever kept across a BFE stop and none leaks.
//!   A BFE stop therefore has nothing to close; a BFE start applies again.
//! - **Engine allocations are freed** on every path, right after the snapshot is copied.
//! - **Snapshot once.** When `RestoreOnUnload` is on, the first successful read of the
//!   connection security descriptor is copied into the caller's buffer before our DACL is first
//!   set, and never taken again (so it is never our own DACL). No snapshot, no apply: the
//!   attempt fails rather than change what it could not restore.
//! - **Only whole, valid DACLs are set**: the built policy DACL, or the snapshot bytes exactly.
//!   The trait takes `&[u8]`, which cannot be NULL.
//! - **Exactly one [`Outcome`] per call** of `on_load`, `on_bfe_state_change` and `on_unload`.
//! - At unload the snapshot is restored with `DACL_SECURITY_INFORMATION` plus
//!   `PROTECTED_`/`UNPROTECTED_DACL_SECURITY_INFORMATION` following the original descriptor's
//!   `SE_DACL_PROTECTED` bit. An original NULL (or absent) DACL is not restored: that would set
//!   a NULL DACL, which this driver never does; the outcome says so.

use secdesc::SecurityDescriptor;

use crate::policy::{
    DACL_SECURITY_INFORMATION, Dacl, MAX_ACL_LEN, PROTECTED_DACL_SECURITY_INFORMATION,
    SE_DACL_PRESENT, SE_DACL_PROTECTED, UNPROTECTED_DACL_SECURITY_INFORMATION,
};
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

/// The step of an attempt that failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    /// `FwpmEngineOpen0`.
    OpenSession,
    /// `FwpmConnectionGetSecurityInfo0`.
    ReadSecurity,
    /// Copying the original DACL (descriptor invalid, or larger than the snapshot buffer).
    Snapshot,
    /// `FwpmConnectionSetSecurityInfo0`.
    SetSecurity,
}

impl Step {
    /// A short name (for log fields).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Step::OpenSession => "FwpmEngineOpen0",
            Step::ReadSecurity => "FwpmConnectionGetSecurityInfo0",
            Step::Snapshot => "snapshot",
            Step::SetSecurity => "FwpmConnectionSetSecurityInfo0",
        }
    }
}

/// Why the restore at unload did not happen.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RestoreSkip {
    /// `RestoreOnUnload` is 0.
    Disabled,
    /// Our DACL was never applied, so there is nothing to undo.
    NothingApplied,
    /// The original descriptor had a NULL or no DACL; restoring it would set a NULL DACL.
    OriginalNullDacl,
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
            RestoreSkip::Disabled => "RestoreOnUnload is 0",
            RestoreSkip::NothingApplied => "nothing was applied",
            RestoreSkip::OriginalNullDacl => "original DACL was NULL; never set a NULL DACL",
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
    /// The snapshot is restored.
    Restored {
        /// The `SECURITY_INFORMATION` used.
        security_info: u32,
        /// The DACL bytes restored (the snapshot).
        dacl: &'d [u8],
    },
    /// The restore failed.
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

/// Receives each outcome (the driver writes ETW events; tests keep a list).
pub trait OutcomeSink {
    /// One outcome; called exactly once per controller call.
    fn outcome(&mut self, outcome: &Outcome<'_>);
    /// A BFE state change the controller was told about (before its outcome).
    fn bfe_state(&mut self, _state: BfeState) {}
}

/// The snapshot buffer size needed: [`MAX_ACL_LEN`] when restoring, else 0.
#[must_use]
pub const fn snapshot_len(restore_on_unload: bool) -> usize {
    if restore_on_unload { MAX_ACL_LEN } else { 0 }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Snapshot {
    None,
    Taken { len: usize, protected: bool },
    NullDacl,
}

/// Drives apply and restore (see the module docs).
#[derive(Debug)]
pub struct Controller<'d, 's, E: FilterEngine> {
    engine: E,
    dacl: &'d [u8],
    ace_count: u16,
    security_info: u32,
    restore_on_unload: bool,
    snapshot_buf: &'s mut [u8],
    snapshot: Snapshot,
    applied: bool,
    unloaded: bool,
    attempts: u32,
    last_failure: Option<NtStatus>,
}

impl<'d, 's, E: FilterEngine> Controller<'d, 's, E> {
    /// A controller for `dacl`. `snapshot_buf` must have [`snapshot_len`] bytes (the driver
    /// allocates it from pool); a shorter one makes the snapshot step fail with
    /// `STATUS_BUFFER_TOO_SMALL` when the original DACL does not fit.
    pub fn new(
        engine: E,
        dacl: &Dacl<'d>,
        restore_on_unload: bool,
        snapshot_buf: &'s mut [u8],
    ) -> Self {
        Controller {
            engine,
            dacl: dacl.as_bytes(),
            ace_count: dacl.ace_count(),
            security_info: dacl.security_info(),
            restore_on_unload,
            snapshot_buf,
            snapshot: Snapshot::None,
            applied: false,
            unloaded: false,
            attempts: 0,
            last_failure: None,
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

    /// Gives the engine back.
    pub fn into_engine(self) -> E {
        self.engine
    }

    /// Has our DACL been set at least once?
    #[must_use]
    pub fn is_applied(&self) -> bool {
        self.applied
    }

    /// The snapshot: the original DACL bytes and whether it was protected.
    #[must_use]
    pub fn snapshot(&self) -> Option<(&[u8], bool)> {
        match self.snapshot {
            Snapshot::Taken { len, protected } => Some((self.snapshot_buf.get(..len)?, protected)),
            Snapshot::None | Snapshot::NullDacl => None,
        }
    }

    /// At load: apply now if BFE runs, otherwise wait for `RUNNING`.
    pub fn on_load(&mut self, sink: &mut dyn OutcomeSink) {
        let state = self.engine.bfe_state();
        let outcome = if self.unloaded {
            Outcome::Ignored
        } else if state == BfeState::Running {
            self.attempt_apply()
        } else {
            Outcome::Waiting { state }
        };
        sink.outcome(&outcome);
    }

    /// From the BFE state-change callback: `RUNNING` applies (again), a stop has nothing to
    /// close (sessions never outlive a call), anything else waits. Never unsubscribes.
    pub fn on_bfe_state_change(&mut self, state: BfeState, sink: &mut dyn OutcomeSink) {
        sink.bfe_state(state);
        let outcome = if self.unloaded {
            Outcome::Ignored
        } else {
            match state {
                BfeState::Running => self.attempt_apply(),
                BfeState::StopPending | BfeState::Stopped => Outcome::BfeStopped { state },
                BfeState::StartPending | BfeState::Unknown(_) => Outcome::Waiting { state },
            }
        };
        sink.outcome(&outcome);
    }

    /// Did the last attempt fail with a status a later retry may fix
    /// ([`NtStatus::is_transient`])? False after unload.
    #[must_use]
    pub fn retry_pending(&self) -> bool {
        !self.unloaded && self.last_failure.is_some_and(NtStatus::is_transient)
    }

    /// A retry (the driver's timer or work item, `PASSIVE_LEVEL`): applies again if the last
    /// attempt failed and BFE runs; otherwise reports why nothing was done. One outcome.
    pub fn on_retry(&mut self, sink: &mut dyn OutcomeSink) {
        let outcome = if self.unloaded {
            Outcome::Ignored
        } else if self.last_failure.is_none() {
            Outcome::NoRetryNeeded
        } else {
            match self.engine.bfe_state() {
                BfeState::Running => self.attempt_apply(),
                state => Outcome::Waiting { state },
            }
        };
        sink.outcome(&outcome);
    }

    /// At unload: restore the snapshot when configured and something was applied.
    pub fn on_unload(&mut self, sink: &mut dyn OutcomeSink) {
        let already = self.unloaded;
        self.unloaded = true;
        let outcome = if already {
            Outcome::RestoreSkipped {
                reason: RestoreSkip::AlreadyUnloaded,
            }
        } else {
            self.restore()
        };
        sink.outcome(&outcome);
    }

    fn attempt_apply(&mut self) -> Outcome<'d> {
        self.attempts = self.attempts.saturating_add(1);
        let attempt = self.attempts;
        let session = match self.engine.open_session() {
            Ok(session) => session,
            Err(status) => {
                self.last_failure = Some(status);
                return Outcome::ApplyFailed {
                    attempt,
                    step: Step::OpenSession,
                    status,
                };
            }
        };
        let result = self.apply_in(&session);
        self.engine.close_session(session);
        self.last_failure = result.err().map(|(_, status)| status);
        match result {
            Ok(()) => {
                self.applied = true;
                Outcome::Applied {
                    attempt,
                    ace_count: self.ace_count,
                    dacl: self.dacl,
                    security_info: self.security_info,
                }
            }
            Err((step, status)) => Outcome::ApplyFailed {
                attempt,
                step,
                status,
            },
        }
    }

    fn apply_in(&mut self, session: &E::Session) -> Result<(), (Step, NtStatus)> {
        if self.restore_on_unload && self.snapshot == Snapshot::None {
            let allocation = self
                .engine
                .get_connection_security(session)
                .map_err(|s| (Step::ReadSecurity, s))?;
            let taken =
                store_snapshot(self.engine.allocation_bytes(&allocation), self.snapshot_buf);
            self.engine.free(allocation);
            self.snapshot = taken.map_err(|s| (Step::Snapshot, s))?;
        }
        self.engine
            .set_connection_dacl(session, self.security_info, self.dacl)
            .map_err(|s| (Step::SetSecurity, s))
    }

    fn restore(&mut self) -> Outcome<'_> {
        let skip = |reason| Outcome::RestoreSkipped { reason };
        if !self.restore_on_unload {
            return skip(RestoreSkip::Disabled);
        }
        if !self.applied {
            return skip(RestoreSkip::NothingApplied);
        }
        let (len, protected) = match self.snapshot {
            Snapshot::Taken { len, protected } => (len, protected),
            // `applied` with restore on implies a snapshot; NullDacl is the only other case.
            Snapshot::NullDacl | Snapshot::None => return skip(RestoreSkip::OriginalNullDacl),
        };
        let state = self.engine.bfe_state();
        if state != BfeState::Running {
            return skip(RestoreSkip::BfeNotRunning(state));
        }
        let security_info = DACL_SECURITY_INFORMATION
            | if protected {
                PROTECTED_DACL_SECURITY_INFORMATION
            } else {
                UNPROTECTED_DACL_SECURITY_INFORMATION
            };
        let Some(bytes) = self.snapshot_buf.get(..len) else {
            return Outcome::RestoreFailed {
                step: Step::Snapshot,
                status: NtStatus::BUFFER_TOO_SMALL,
            };
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
        let result = self
            .engine
            .set_connection_dacl(&session, security_info, bytes);
        self.engine.close_session(session);
        match result {
            Ok(()) => Outcome::Restored {
                security_info,
                dacl: bytes,
            },
            Err(status) => Outcome::RestoreFailed {
                step: Step::SetSecurity,
                status,
            },
        }
    }
}

/// Copies the DACL of a self-relative descriptor into `buf`.
fn store_snapshot(sd_bytes: &[u8], buf: &mut [u8]) -> Result<Snapshot, NtStatus> {
    let sd =
        SecurityDescriptor::new_checked(sd_bytes).map_err(|_| NtStatus::INVALID_SECURITY_DESCR)?;
    let control = sd.control().0;
    let protected = control & SE_DACL_PROTECTED != 0;
    let acl = match sd.dacl() {
        Some(acl) if control & SE_DACL_PRESENT != 0 => acl,
        _ => return Ok(Snapshot::NullDacl),
    };
    let bytes = acl.as_bytes();
    let slot = buf
        .get_mut(..bytes.len())
        .ok_or(NtStatus::BUFFER_TOO_SMALL)?;
    slot.copy_from_slice(bytes);
    Ok(Snapshot::Taken {
        len: bytes.len(),
        protected,
    })
}
