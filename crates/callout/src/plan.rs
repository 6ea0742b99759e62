//! The registration plan: steps, undo steps, unwind order and teardown, and a runner.
//!
//! At load the driver performs [`STEPS`] in order:
//!
//! 1. `FwpsCalloutRegister3` for the v4 callout, then for the v6 callout. The callouts are
//!    registered *before* any filter names them: a filter whose terminating callout is not
//!    registered is treated as `FWP_ACTION_BLOCK` (`FwpsCalloutUnregisterById0` remarks), and the
//!    filters also carry `FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED` as a second guard.
//! 2. `FwpmEngineOpen0` with `FWPM_SESSION_FLAG_DYNAMIC`: a session of the callout's own, so
//!    that everything it adds is deleted by BFE when the session closes (or the driver dies).
//! 3. `FwpmTransactionBegin0`, then `FwpmProviderAdd0`, `FwpmSubLayerAdd0`, `FwpmCalloutAdd0` ×2,
//!    `FwpmFilterAdd0` ×2, and `FwpmTransactionCommit0`: all of the management objects appear
//!    together, or none does.
//!
//! Each step that leaves something behind has one [`Undo`] ([`RegistrationStep::undo`]). The objects added
//! inside the transaction have none of their own: `FwpmTransactionAbort0` removes all of them at
//! once before the commit, and closing the dynamic session removes them after it. A failure at
//! step *k* runs the undo steps of steps `0..k` in reverse order ([`unwind`]); a failed undo is
//! reported and the unwind goes on, because every later undo is still needed (closing the
//! session also ends a transaction the abort could not end).
//!
//! At unload ([`TEARDOWN`]) the dynamic session is closed first, which deletes the filters,
//! callouts, sublayer and provider (the objects are not deleted one by one: that is what the
//! dynamic session is for), and only then are the callouts unregistered, v6 before v4, so that
//! no filter ever points at an unregistered callout.
//!
//! [`register`] and [`unregister`] run the plan over an [`Executor`], the trait the driver
//! implements with the FFI calls; the tests implement it with a model of the filter engine.

use core::fmt;

use connsec_nt::NtStatus;

use crate::Layer;

/// One registration step, in the order of [`STEPS`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum RegistrationStep {
    /// `FwpsCalloutRegister3` with the control device's WDM `DEVICE_OBJECT`.
    RegisterCallout(Layer),
    /// `FwpmEngineOpen0` with `FWPM_SESSION_FLAG_DYNAMIC`.
    OpenSession,
    /// `FwpmTransactionBegin0(engine, 0)` (read-write).
    BeginTransaction,
    /// `FwpmProviderAdd0` of the connsec provider (not persistent).
    AddProvider,
    /// `FwpmSubLayerAdd0` of the connsec sublayer.
    AddSublayer,
    /// `FwpmCalloutAdd0` of the management object for a registered callout.
    AddCallout(Layer),
    /// `FwpmFilterAdd0` of the filter whose action is the layer's callout.
    AddFilter(Layer),
    /// `FwpmTransactionCommit0`.
    CommitTransaction,
}

/// Every step, in order.
pub const STEPS: [RegistrationStep; 11] = [
    RegistrationStep::RegisterCallout(Layer::AleAuthConnectV4),
    RegistrationStep::RegisterCallout(Layer::AleAuthConnectV6),
    RegistrationStep::OpenSession,
    RegistrationStep::BeginTransaction,
    RegistrationStep::AddProvider,
    RegistrationStep::AddSublayer,
    RegistrationStep::AddCallout(Layer::AleAuthConnectV4),
    RegistrationStep::AddCallout(Layer::AleAuthConnectV6),
    RegistrationStep::AddFilter(Layer::AleAuthConnectV4),
    RegistrationStep::AddFilter(Layer::AleAuthConnectV6),
    RegistrationStep::CommitTransaction,
];

/// What undoes a completed step.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Undo {
    /// `FwpsCalloutUnregisterById0` with the id `FwpsCalloutRegister3` returned.
    UnregisterCallout(Layer),
    /// `FwpmEngineClose0`: BFE deletes every object the dynamic session added (and aborts a
    /// transaction still open on it).
    CloseSession,
    /// `FwpmTransactionAbort0`: every object added inside the transaction disappears.
    AbortTransaction,
}

/// The teardown at unload, after a successful [`register`].
pub const TEARDOWN: [Undo; 3] = [
    Undo::CloseSession,
    Undo::UnregisterCallout(Layer::AleAuthConnectV6),
    Undo::UnregisterCallout(Layer::AleAuthConnectV4),
];

/// The largest number of undo steps any unwind runs.
pub const MAX_UNDOS: usize = 4;

impl RegistrationStep {
    /// The undo this step needs once it has succeeded, if any.
    #[must_use]
    pub const fn undo(self) -> Option<Undo> {
        match self {
            Self::RegisterCallout(layer) => Some(Undo::UnregisterCallout(layer)),
            Self::OpenSession => Some(Undo::CloseSession),
            Self::BeginTransaction => Some(Undo::AbortTransaction),
            // Removed by the abort before the commit, by closing the dynamic session after it.
            Self::AddProvider
            | Self::AddSublayer
            | Self::AddCallout(_)
            | Self::AddFilter(_)
            | Self::CommitTransaction => None,
        }
    }

    /// The numbered WFP function the step calls.
    #[must_use]
    pub const fn function(self) -> &'static str {
        match self {
            Self::RegisterCallout(_) => "FwpsCalloutRegister3",
            Self::OpenSession => "FwpmEngineOpen0",
            Self::BeginTransaction => "FwpmTransactionBegin0",
            Self::AddProvider => "FwpmProviderAdd0",
            Self::AddSublayer => "FwpmSubLayerAdd0",
            Self::AddCallout(_) => "FwpmCalloutAdd0",
            Self::AddFilter(_) => "FwpmFilterAdd0",
            Self::CommitTransaction => "FwpmTransactionCommit0",
        }
    }

    /// A stable short name for events: `register_callout_v4`, `open_session`, …
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::RegisterCallout(Layer::AleAuthConnectV4) => "register_callout_v4",
            Self::RegisterCallout(Layer::AleAuthConnectV6) => "register_callout_v6",
            Self::OpenSession => "open_session",
            Self::BeginTransaction => "begin_transaction",
            Self::AddProvider => "add_provider",
            Self::AddSublayer => "add_sublayer",
            Self::AddCallout(Layer::AleAuthConnectV4) => "add_callout_v4",
            Self::AddCallout(Layer::AleAuthConnectV6) => "add_callout_v6",
            Self::AddFilter(Layer::AleAuthConnectV4) => "add_filter_v4",
            Self::AddFilter(Layer::AleAuthConnectV6) => "add_filter_v6",
            Self::CommitTransaction => "commit_transaction",
        }
    }

    /// The step's position in [`STEPS`], counted from 1 (for events and debugger output).
    #[must_use]
    pub fn number(self) -> u8 {
        let mut n: u8 = 1;
        for step in STEPS {
            if step == self {
                break;
            }
            n = n.saturating_add(1);
        }
        n
    }
}

impl Undo {
    /// The numbered WFP function the undo calls.
    #[must_use]
    pub const fn function(self) -> &'static str {
        match self {
            Self::UnregisterCallout(_) => "FwpsCalloutUnregisterById0",
            Self::CloseSession => "FwpmEngineClose0",
            Self::AbortTransaction => "FwpmTransactionAbort0",
        }
    }

    /// A stable short name for events: `unregister_callout_v4`, `close_session`, …
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::UnregisterCallout(Layer::AleAuthConnectV4) => "unregister_callout_v4",
            Self::UnregisterCallout(Layer::AleAuthConnectV6) => "unregister_callout_v6",
            Self::CloseSession => "close_session",
            Self::AbortTransaction => "abort_transaction",
        }
    }
}

impl fmt::Display for RegistrationStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} {} ({})",
            self.number(),
            self.name(),
            self.function()
        )
    }
}

impl fmt::Display for Undo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.function())
    }
}

/// The undo steps after the first `completed` steps of [`STEPS`] succeeded, in the order they
/// must run. `completed` above `STEPS.len()` counts as all of them.
#[must_use]
pub fn unwind(completed: usize) -> Unwind {
    Unwind {
        done: STEPS.get(..completed).unwrap_or(&STEPS),
    }
}

/// Iterator returned by [`unwind`].
#[derive(Clone, Debug)]
pub struct Unwind {
    done: &'static [RegistrationStep],
}

impl Iterator for Unwind {
    type Item = Undo;

    fn next(&mut self) -> Option<Undo> {
        while let Some((last, rest)) = self.done.split_last() {
            self.done = rest;
            if let Some(undo) = last.undo() {
                return Some(undo);
            }
        }
        None
    }
}

/// Performs the steps against the filter engine; the driver implements it with the FFI calls.
pub trait Executor {
    /// Performs one step.
    fn execute(&mut self, step: RegistrationStep) -> Result<(), NtStatus>;
    /// Undoes one step that succeeded earlier.
    fn undo(&mut self, undo: Undo) -> Result<(), NtStatus>;
}

/// The undo steps that failed during an unwind or a teardown, in the order they ran.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct UndoFailures {
    entries: [Option<(Undo, NtStatus)>; MAX_UNDOS],
}

impl UndoFailures {
    fn push(&mut self, undo: Undo, status: NtStatus) {
        if let Some(slot) = self.entries.iter_mut().find(|e| e.is_none()) {
            *slot = Some((undo, status));
        }
    }

    /// Whether every undo step succeeded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(Option::is_none)
    }

    /// The failed undo steps with their statuses.
    pub fn iter(&self) -> impl Iterator<Item = (Undo, NtStatus)> + '_ {
        self.entries.iter().filter_map(|e| *e)
    }
}

/// A registration that failed and was unwound.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Failure {
    /// The step that failed.
    pub step: RegistrationStep,
    /// What it returned.
    pub status: NtStatus,
    /// Undo steps of the unwind that failed too (each was still attempted).
    pub undo_failures: UndoFailures,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with {}", self.step, self.status)?;
        for (undo, status) in self.undo_failures.iter() {
            write!(f, "; unwinding, {undo} failed with {status}")?;
        }
        Ok(())
    }
}

impl core::error::Error for Failure {}

/// Runs every step of [`STEPS`]; at the first failure, runs [`unwind`] for the steps that
/// succeeded and returns the failure. A status that is not `NT_SUCCESS` from the executor is the
/// failure; the executor decides what counts as one.
pub fn register<E: Executor + ?Sized>(exec: &mut E) -> Result<(), Failure> {
    for (completed, step) in STEPS.into_iter().enumerate() {
        if let Err(status) = exec.execute(step) {
            let mut undo_failures = UndoFailures::default();
            for undo in unwind(completed) {
                if let Err(s) = exec.undo(undo) {
                    undo_failures.push(undo, s);
                }
            }
            return Err(Failure {
                step,
                status,
                undo_failures,
            });
        }
    }
    Ok(())
}

/// Runs [`TEARDOWN`] after a successful [`register`]; every step is attempted, and the ones that
/// failed are returned.
pub fn unregister<E: Executor + ?Sized>(exec: &mut E) -> UndoFailures {
    let mut failures = UndoFailures::default();
    for undo in TEARDOWN {
        if let Err(s) = exec.undo(undo) {
            failures.push(undo, s);
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::string::{String, ToString};
    use std::vec::Vec;
    use std::{format, vec};

    const FAIL: NtStatus = NtStatus(0xC022_0009); // STATUS_FWP_ALREADY_EXISTS
    const UNDO_FAIL: NtStatus = NtStatus(0xC022_0010); // STATUS_FWP_SESSION_ABORTED

    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
    enum Object {
        Provider,
        Sublayer,
        Callout(Layer),
        Filter(Layer),
    }

    /// A model of the filter engine: what exists, and which rules a call would break.
    #[derive(Default)]
    struct Model {
        registered: BTreeSet<Layer>,
        session: bool,
        txn: bool,
        pending: BTreeSet<Object>,
        committed: BTreeSet<Object>,
        calls: Vec<String>,
        violations: Vec<String>,
        fail_step: Option<usize>,
        fail_undos: BTreeSet<Undo>,
        executed: usize,
    }

    impl Model {
        fn exists(&self, o: Object) -> bool {
            self.pending.contains(&o) || self.committed.contains(&o)
        }

        fn require(&mut self, ok: bool, what: &str) {
            if !ok {
                self.violations.push(what.to_string());
            }
        }

        fn add(&mut self, o: Object) {
            self.require(self.session && self.txn, "add outside a transaction");
            self.require(!self.exists(o), "added twice");
            self.pending.insert(o);
        }

        fn is_clean(&self) -> bool {
            self.registered.is_empty()
                && !self.session
                && !self.txn
                && self.pending.is_empty()
                && self.committed.is_empty()
        }
    }

    impl Executor for Model {
        fn execute(&mut self, step: RegistrationStep) -> Result<(), NtStatus> {
            self.calls.push(step.name().to_string());
            let index = self.executed;
            self.executed += 1;
            if self.fail_step == Some(index) {
                return Err(FAIL);
            }
            match step {
                RegistrationStep::RegisterCallout(l) => {
                    let new = self.registered.insert(l);
                    self.require(new, "registered twice");
                }
                RegistrationStep::OpenSession => {
                    self.require(!self.session, "second session");
                    self.session = true;
                }
                RegistrationStep::BeginTransaction => {
                    self.require(self.session && !self.txn, "begin without session");
                    self.txn = true;
                }
                RegistrationStep::AddProvider => self.add(Object::Provider),
                RegistrationStep::AddSublayer => {
                    self.require(self.exists(Object::Provider), "sublayer before provider");
                    self.add(Object::Sublayer);
                }
                RegistrationStep::AddCallout(l) => {
                    self.require(self.exists(Object::Provider), "callout before provider");
                    self.add(Object::Callout(l));
                }
                RegistrationStep::AddFilter(l) => {
                    self.require(self.exists(Object::Sublayer), "filter before sublayer");
                    self.require(self.exists(Object::Callout(l)), "filter before callout");
                    // A filter naming an unregistered terminating callout would block.
                    self.require(self.registered.contains(&l), "filter before registration");
                    self.add(Object::Filter(l));
                }
                RegistrationStep::CommitTransaction => {
                    self.require(self.txn, "commit without transaction");
                    self.txn = false;
                    let pending = core::mem::take(&mut self.pending);
                    self.committed.extend(pending);
                }
            }
            Ok(())
        }

        fn undo(&mut self, undo: Undo) -> Result<(), NtStatus> {
            self.calls.push(undo.name().to_string());
            let fails = self.fail_undos.contains(&undo);
            match undo {
                Undo::AbortTransaction => {
                    self.require(self.txn, "abort without transaction");
                    if !fails {
                        self.txn = false;
                        self.pending.clear();
                    }
                }
                Undo::CloseSession => {
                    // Closing always ends the session and, being dynamic, its objects; BFE
                    // aborts an open transaction first. A failure status is still reported.
                    self.require(self.session, "close without session");
                    self.session = false;
                    self.txn = false;
                    self.pending.clear();
                    self.committed.clear();
                }
                Undo::UnregisterCallout(l) => {
                    self.require(
                        !self.exists(Object::Filter(l)),
                        "unregistered while a filter names the callout",
                    );
                    self.require(self.registered.contains(&l), "unregister unknown id");
                    if !fails {
                        self.registered.remove(&l);
                    }
                }
            }
            if fails { Err(UNDO_FAIL) } else { Ok(()) }
        }
    }

    #[test]
    fn success_then_teardown_leaves_nothing() {
        let mut m = Model::default();
        assert_eq!(register(&mut m), Ok(()));
        assert_eq!(m.violations, Vec::<String>::new());
        assert_eq!(m.registered.len(), 2);
        assert!(m.session && !m.txn);
        assert_eq!(m.committed.len(), 6);
        let names: Vec<&str> = STEPS.iter().map(|s| s.name()).collect();
        assert_eq!(m.calls, names);

        m.calls.clear();
        assert!(unregister(&mut m).is_empty());
        assert_eq!(m.violations, Vec::<String>::new());
        assert!(m.is_clean());
        assert_eq!(
            m.calls,
            [
                "close_session",
                "unregister_callout_v6",
                "unregister_callout_v4"
            ]
        );
    }

    /// The expected unwind for a failure at each step, written out by hand.
    #[test]
    fn unwind_table() {
        use Layer::{AleAuthConnectV4 as V4, AleAuthConnectV6 as V6};
        use Undo::*;
        let expected: [&[Undo]; 12] = [
            &[],
            &[UnregisterCallout(V4)],
            &[UnregisterCallout(V6), UnregisterCallout(V4)],
            &[CloseSession, UnregisterCallout(V6), UnregisterCallout(V4)],
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
            // After the commit nothing is unwound by `register`; this is TEARDOWN + the abort.
            &[
                AbortTransaction,
                CloseSession,
                UnregisterCallout(V6),
                UnregisterCallout(V4),
            ],
        ];
        for (completed, want) in expected.iter().enumerate() {
            let got: Vec<Undo> = unwind(completed).collect();
            assert_eq!(got, *want, "after {completed} steps");
            assert!(got.len() <= MAX_UNDOS);
        }
        // Out of range counts as everything.
        assert_eq!(
            unwind(99).collect::<Vec<_>>(),
            unwind(STEPS.len()).collect::<Vec<_>>()
        );
        // The teardown is the full unwind without the abort: the transaction was committed.
        let full: Vec<Undo> = unwind(STEPS.len())
            .filter(|u| *u != AbortTransaction)
            .collect();
        assert_eq!(full, TEARDOWN);
    }

    /// A failure at every step, with every subset of the undo steps failing as well.
    #[test]
    fn exhaustive_failures_unwind_completely() {
        let undos = [
            Undo::AbortTransaction,
            Undo::CloseSession,
            Undo::UnregisterCallout(Layer::AleAuthConnectV6),
            Undo::UnregisterCallout(Layer::AleAuthConnectV4),
        ];
        for fail_at in 0..STEPS.len() {
            for mask in 0u8..16 {
                let fail_undos: BTreeSet<Undo> = undos
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, u)| *u)
                    .collect();
                let mut m = Model {
                    fail_step: Some(fail_at),
                    fail_undos: fail_undos.clone(),
                    ..Model::default()
                };
                let err = register(&mut m).unwrap_err();
                let ctx = format!("failing at {fail_at}, undo mask {mask:04b}");
                assert_eq!(err.step, STEPS[fail_at], "{ctx}");
                assert_eq!(err.status, FAIL, "{ctx}");
                assert_eq!(m.violations, Vec::<String>::new(), "{ctx}");

                // Calls: the steps up to and including the failed one, then the unwind.
                let mut want: Vec<String> = STEPS[..=fail_at]
                    .iter()
                    .map(|s| s.name().to_string())
                    .collect();
                let expected_undos: Vec<Undo> = unwind(fail_at).collect();
                want.extend(expected_undos.iter().map(|u| u.name().to_string()));
                assert_eq!(m.calls, want, "{ctx}");

                // Exactly the failing undo steps are reported, in run order.
                let reported: Vec<Undo> = err.undo_failures.iter().map(|(u, _)| u).collect();
                let expected_reported: Vec<Undo> = expected_undos
                    .iter()
                    .copied()
                    .filter(|u| fail_undos.contains(u))
                    .collect();
                assert_eq!(reported, expected_reported, "{ctx}");
                assert!(err.undo_failures.iter().all(|(_, s)| s == UNDO_FAIL));

                // With no undo failing, nothing is left behind.
                if fail_undos.is_empty() {
                    assert!(m.is_clean(), "{ctx}");
                    assert!(err.undo_failures.is_empty());
                }
                // Whatever failed, no management object outlives the unwind: the session close
                // takes them with it.
                if fail_at >= 2 {
                    assert!(m.pending.is_empty() && m.committed.is_empty(), "{ctx}");
                }
            }
        }
    }

    #[test]
    fn teardown_attempts_every_step_even_after_failures() {
        let mut m = Model::default();
        register(&mut m).unwrap();
        m.fail_undos = [Undo::UnregisterCallout(Layer::AleAuthConnectV6)].into();
        m.calls.clear();
        let failures = unregister(&mut m);
        assert_eq!(
            failures.iter().collect::<Vec<_>>(),
            vec![(Undo::UnregisterCallout(Layer::AleAuthConnectV6), UNDO_FAIL)]
        );
        assert_eq!(
            m.calls,
            [
                "close_session",
                "unregister_callout_v6",
                "unregister_callout_v4"
            ]
        );
        assert_eq!(m.registered, [Layer::AleAuthConnectV6].into());
    }

    #[test]
    fn names_numbers_and_display() {
        let names: BTreeSet<&str> = STEPS.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), STEPS.len());
        for (i, step) in STEPS.iter().enumerate() {
            assert_eq!(usize::from(step.number()), i + 1);
        }
        assert_eq!(
            STEPS[8].to_string(),
            "step 9 add_filter_v4 (FwpmFilterAdd0)"
        );
        let f = Failure {
            step: RegistrationStep::OpenSession,
            status: NtStatus(0xC002_0036),
            undo_failures: UndoFailures::default(),
        };
        assert_eq!(
            f.to_string(),
            "step 3 open_session (FwpmEngineOpen0) failed with STATUS_EPT_NT_NOT_REGISTERED (0xC0020036)"
        );
        let mut u = UndoFailures::default();
        u.push(Undo::CloseSession, UNDO_FAIL);
        let f = Failure {
            undo_failures: u,
            ..f
        };
        assert_eq!(
            f.to_string(),
            "step 3 open_session (FwpmEngineOpen0) failed with STATUS_EPT_NT_NOT_REGISTERED \
             (0xC0020036); unwinding, close_session (FwpmEngineClose0) failed with \
             STATUS_FWP_SESSION_ABORTED (0xC0220010)"
        );
    }
}
