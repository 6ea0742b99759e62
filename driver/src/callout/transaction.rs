//! An explicit read-write transaction on the callout's dynamic session.

use connsec_nt::NtStatus;

use crate::session::EngineSession;
use crate::status::check;
use crate::wfp;

/// A transaction begun with `FwpmTransactionBegin0`; aborted in `Drop` unless committed.
///
/// It keeps a copy of the session handle rather than a borrow, because both live side by side in
/// [`super::executor::Wfp`]; that struct declares the transaction before the session, so it is
/// always dropped (aborted) first, and the plan aborts or commits it before closing the session.
pub(super) struct Transaction {
    engine: wfp::HANDLE,
}

impl Transaction {
    /// `FwpmTransactionBegin0(engine, 0)`: a read-write transaction. `PASSIVE_LEVEL`.
    pub(super) fn begin(session: &EngineSession) -> Result<Self, NtStatus> {
        let engine = session.handle();
        let status;
        // SAFETY:
        // 1. `engine` is an open session handle (`EngineSession` invariant).
        // 2. Flags 0 = read-write (`FWPM_TXN_READ_ONLY` is the only flag).
        // 3. IRQL: PASSIVE_LEVEL (registration).
        unsafe {
            status = wfp::FwpmTransactionBegin0(engine, 0);
        }
        check(status).map(|()| Self { engine })
    }

    /// `FwpmTransactionCommit0`. On failure the transaction is handed back, so that the unwind
    /// can still abort it (as Microsoft's `inspect` sample does after a failed commit).
    pub(super) fn commit(self) -> Result<(), (Self, NtStatus)> {
        let status;
        // SAFETY:
        // 1. `self.engine` is open: the session outlives the transaction (see the type docs).
        // 2. This transaction was begun on it and has not ended (`self` is consumed on success).
        // 3. IRQL: PASSIVE_LEVEL (registration).
        unsafe {
            status = wfp::FwpmTransactionCommit0(self.engine);
        }
        match check(status) {
            Ok(()) => {
                core::mem::forget(self);
                Ok(())
            }
            Err(e) => Err((self, e)),
        }
    }

    /// `FwpmTransactionAbort0`, reporting its status: every object added since `begin` is gone.
    pub(super) fn abort(self) -> Result<(), NtStatus> {
        let engine = self.engine;
        core::mem::forget(self);
        abort_on(engine)
    }
}

fn abort_on(engine: wfp::HANDLE) -> Result<(), NtStatus> {
    let status;
    // SAFETY:
    // 1. `engine` is the open session the transaction was begun on (see `Transaction`).
    // 2. Called once per transaction: `abort` and `commit` forget the wrapper, `Drop` runs
    //    otherwise.
    // 3. IRQL: PASSIVE_LEVEL (registration unwind, unload).
    unsafe {
        status = wfp::FwpmTransactionAbort0(engine);
    }
    check(status)
}

impl Drop for Transaction {
    fn drop(&mut self) {
        // Safety net only: the plan aborts explicitly and reports the status.
        let _ = abort_on(self.engine);
    }
}
