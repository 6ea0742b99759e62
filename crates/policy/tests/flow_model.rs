//! The apply/restore flow against a model filter engine that can fail at every step with every
//! status the WFP documentation lists, explored exhaustively over fault sequences.
//!
//! Each run: a lifecycle scenario (load, BFE state changes, unload) × an original descriptor ×
//! `RestoreOnUnload` on/off × one fault script: the first `DEPTH` fallible engine calls take
//! their result from the script (success or one of the statuses), later calls succeed. Every
//! script of length `DEPTH` over that alphabet is run (shorter ones are its prefixes followed by
//! successes). The `OriginalDacl` store draws its results from the same script. After each
//! run the test asserts: no session or engine allocation leaked, no session held across a BFE
//! state change, every DACL set was complete and valid (the policy DACL or the original bytes,
//! never empty or partial), the original was stored before the policy DACL was first set and
//! equals the original descriptor, the original bytes are back (and the stored copy gone)
//! after a successful restore, the retry schedule follows `retry_pending`, and exactly one
//! outcome was reported per controller call. Set `CONNSEC_MODEL_DEPTH` for a deeper search.
//! Crashes and reboots are `tests/crash_model.rs`'s.

mod common;

use core::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use connsec_policy::StoreOp;
use connsec_policy::original::{OriginalDacl, original_dacl};
use connsec_policy::policy::{
    APPLY_SECURITY_INFORMATION, DACL_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION,
    UNPROTECTED_DACL_SECURITY_INFORMATION,
};
use connsec_policy::{
    BfeState, Config, Controller, FilterEngine, NtStatus, ORIGINAL_MAX_LEN, OriginalEvent,
    OriginalStore, Outcome, OutcomeSink, Policy, PolicyDacl,
};
use proptest::prelude::*;
use secdesc::{
    AceFlags, AceRepr, Acl, AclWriter, ControlFlags, DescriptorParts, Sid, encode_descriptor,
};

/// Every failure the documentation lists for these calls.
const STATUSES: [NtStatus; 8] = [
    NtStatus::EPT_NT_NOT_REGISTERED, // BFE not running
    NtStatus::ACCESS_DENIED,
    NtStatus::FWP_TXN_IN_PROGRESS,
    NtStatus::FWP_DYNAMIC_SESSION_IN_PROGRESS,
    NtStatus::FWP_SESSION_ABORTED,
    NtStatus::FWP_TIMEOUT,
    NtStatus::NO_MEMORY,
    NtStatus::INSUFFICIENT_RESOURCES,
];

#[derive(Debug)]
struct Session(u32);
#[derive(Debug)]
struct Allocation(u32, Vec<u8>);

/// The fault script, shared by the engine and the store.
#[derive(Default)]
struct Script {
    faults: Vec<Option<NtStatus>>,
    calls: usize,
}

impl Script {
    /// The scripted result of the next fallible call.
    fn next(&mut self) -> Result<(), NtStatus> {
        let f = self.faults.get(self.calls).copied().flatten();
        self.calls += 1;
        f.map_or(Ok(()), Err)
    }
}

/// `Parameters\OriginalDacl` in memory (durability is the crash model's business).
struct Store {
    script: Rc<RefCell<Script>>,
    value: Option<Vec<u8>>,
    /// Set when the value was written while the policy DACL was already live (a violation).
    writes: usize,
}

impl OriginalStore for Store {
    fn read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, NtStatus> {
        self.script.borrow_mut().next()?;
        match &self.value {
            None => Ok(None),
            Some(v) => {
                let slot = buf.get_mut(..v.len()).ok_or(NtStatus::BUFFER_TOO_SMALL)?;
                slot.copy_from_slice(v);
                Ok(Some(v.len()))
            }
        }
    }
    fn write(&mut self, descriptor: &[u8]) -> Result<(), NtStatus> {
        self.script.borrow_mut().next()?;
        self.value = Some(descriptor.to_vec());
        self.writes += 1;
        Ok(())
    }
    fn remove(&mut self) -> Result<(), NtStatus> {
        self.script.borrow_mut().next()?;
        self.value = None;
        Ok(())
    }
}

struct Model {
    bfe: BfeState,
    dacl: Vec<u8>,
    protected: bool,
    script: Rc<RefCell<Script>>,
    next_id: u32,
    sessions: BTreeSet<u32>,
    aborted: BTreeSet<u32>,
    allocations: BTreeSet<u32>,
    /// Successful sets: (security info, bytes).
    sets: Vec<(u32, Vec<u8>)>,
    violations: Vec<String>,
}

impl Model {
    fn new(bfe: BfeState, dacl: Vec<u8>, protected: bool, script: Rc<RefCell<Script>>) -> Self {
        Model {
            bfe,
            dacl,
            protected,
            script,
            next_id: 1,
            sessions: BTreeSet::new(),
            aborted: BTreeSet::new(),
            allocations: BTreeSet::new(),
            sets: Vec::new(),
            violations: Vec::new(),
        }
    }

    /// The scripted result of the next fallible call.
    fn fault(&mut self) -> Result<(), NtStatus> {
        self.script.borrow_mut().next()
    }

    fn check_session(&mut self, s: &Session, what: &str) -> Result<(), NtStatus> {
        if !self.sessions.contains(&s.0) {
            self.violations
                .push(format!("{what} on a closed session {}", s.0));
            return Err(NtStatus::INVALID_HANDLE);
        }
        if self.aborted.contains(&s.0) {
            return Err(NtStatus::FWP_SESSION_ABORTED);
        }
        Ok(())
    }

    /// BFE changes state: sessions open across it are aborted (and a violation: none may be).
    fn set_bfe(&mut self, state: BfeState) {
        if !self.sessions.is_empty() {
            self.violations.push(format!(
                "session(s) {:?} held across BFE -> {state:?}",
                self.sessions
            ));
            self.aborted.extend(self.sessions.iter().copied());
        }
        self.bfe = state;
    }

    fn descriptor(&self) -> Vec<u8> {
        let mut control = ControlFlags::DACL_PRESENT | ControlFlags::SELF_RELATIVE;
        if self.protected {
            control |= ControlFlags::DACL_PROTECTED;
        }
        let parts = DescriptorParts {
            control: ControlFlags(control),
            owner: Sid::new(5, &[32, 544]).ok(),
            group: Sid::new(5, &[18]).ok(),
            sacl: None,
            dacl: Some(&self.dacl),
        };
        let mut out = vec![0u8; 4096];
        let n = encode_descriptor(&parts, &mut out).expect("model descriptor encodes");
        out.truncate(n);
        out
    }
}

impl FilterEngine for Model {
    type Session = Session;
    type Allocation = Allocation;

    fn bfe_state(&mut self) -> BfeState {
        self.bfe
    }

    fn open_session(&mut self) -> Result<Session, NtStatus> {
        self.fault()?;
        if self.bfe != BfeState::Running {
            return Err(NtStatus::EPT_NT_NOT_REGISTERED);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.sessions.insert(id);
        Ok(Session(id))
    }

    fn close_session(&mut self, s: Session) {
        if !self.sessions.remove(&s.0) {
            self.violations
                .push(format!("close of unknown session {}", s.0));
        }
        self.aborted.remove(&s.0);
    }

    fn get_connection_security(&mut self, s: &Session) -> Result<Allocation, NtStatus> {
        self.check_session(s, "get")?;
        self.fault()?;
        let id = self.next_id;
        self.next_id += 1;
        self.allocations.insert(id);
        Ok(Allocation(id, self.descriptor()))
    }

    fn allocation_bytes<'a>(&self, a: &'a Allocation) -> &'a [u8] {
        assert!(
            self.allocations.contains(&a.0),
            "bytes of a freed allocation {}",
            a.0
        );
        &a.1
    }

    fn free(&mut self, a: Allocation) {
        if !self.allocations.remove(&a.0) {
            self.violations
                .push(format!("free of unknown allocation {}", a.0));
        }
    }

    fn set_connection_dacl(&mut self, s: &Session, info: u32, dacl: &[u8]) -> Result<(), NtStatus> {
        self.check_session(s, "set")?;
        match Acl::new_checked(dacl) {
            Ok(acl) if acl.size() == dacl.len() => {}
            Ok(_) => self.violations.push("DACL with bytes past AclSize".into()),
            Err(e) => self.violations.push(format!("invalid DACL set: {e:?}")),
        }
        if info & DACL_SECURITY_INFORMATION == 0 {
            self.violations
                .push(format!("set without DACL_SECURITY_INFORMATION: {info:#x}"));
        }
        self.fault()?;
        self.dacl = dacl.to_vec();
        self.protected = info & PROTECTED_DACL_SECURITY_INFORMATION != 0;
        self.sets.push((info, dacl.to_vec()));
        Ok(())
    }
}

#[derive(Default)]
struct Recorder {
    outcomes: Vec<String>,
    applied: usize,
    restored: usize,
    last: Option<String>,
    last_failure: Option<NtStatus>,
    originals: Vec<String>,
    remove_failed: bool,
}

impl OutcomeSink for Recorder {
    fn outcome(&mut self, o: &Outcome<'_>) {
        match o {
            Outcome::Applied { .. } => self.applied += 1,
            Outcome::Restored { .. } => self.restored += 1,
            _ => {}
        }
        self.last_failure = match o {
            Outcome::ApplyFailed { status, .. } => Some(*status),
            _ => None,
        };
        let kind = format!("{o:?}");
        let kind = kind.split([' ', '{', '(']).next().unwrap_or("").to_string();
        self.last = Some(kind.clone());
        self.outcomes.push(kind);
    }
    fn original(&mut self, e: &OriginalEvent<'_>) {
        self.remove_failed |= matches!(
            e,
            OriginalEvent::StoreFailed {
                op: StoreOp::Remove,
                ..
            }
        );
        let kind = format!("{e:?}");
        self.originals
            .push(kind.split([' ', '{', '(']).next().unwrap_or("").to_string());
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Load,
    Bfe(BfeState),
    Retry,
    Unload,
}

fn scenarios() -> Vec<(&'static str, BfeState, Vec<Event>)> {
    use BfeState::*;
    use Event::*;
    vec![
        ("load-unload", Running, vec![Load, Unload]),
        (
            "bfe-restart",
            Running,
            vec![
                Load,
                Bfe(StopPending),
                Bfe(Stopped),
                Bfe(StartPending),
                Bfe(Running),
                Unload,
            ],
        ),
        (
            "wait-for-bfe",
            Stopped,
            vec![Load, Bfe(StartPending), Bfe(Running), Unload],
        ),
        (
            "retry-on-running",
            Running,
            vec![Load, Bfe(Running), Bfe(Running), Unload],
        ),
        (
            "bfe-down-at-unload",
            Running,
            vec![Load, Bfe(StopPending), Bfe(Stopped), Unload],
        ),
        ("never-running", StartPending, vec![Load, Unload]),
        ("retry", Running, vec![Load, Retry, Retry, Unload]),
    ]
}

/// An original DACL as BFE might return it: inherited ACEs, and 4 bytes of slack after the
/// ACEs (`AclSize` > used) so that "restore exactly those bytes" is tested byte for byte.
fn original_acl() -> Vec<u8> {
    let mut aces = vec![
        AceRepr::allow(Sid::new(5, &[32, 544]).unwrap(), 0x000F_07FF),
        AceRepr::allow(Sid::new(1, &[0]).unwrap(), 0x0000_0050),
    ];
    aces[1].flags = AceFlags(AceFlags::INHERITED);
    let mut buf = vec![0u8; 256];
    let mut w = AclWriter::new(&mut buf).unwrap();
    for a in &aces {
        w.push(a).unwrap();
    }
    let n = w.finish().unwrap();
    buf.truncate(n + 4);
    let size = u16::try_from(n + 4).unwrap().to_le_bytes();
    buf[2] = size[0];
    buf[3] = size[1];
    Acl::new_checked(&buf).expect("slack ACL parses");
    buf
}

fn scripts(depth: usize) -> Vec<Vec<Option<NtStatus>>> {
    let alphabet: Vec<Option<NtStatus>> = core::iter::once(None)
        .chain(STATUSES.iter().copied().map(Some))
        .collect();
    let mut all = vec![Vec::new()];
    for _ in 0..depth {
        all = all
            .into_iter()
            .flat_map(|p| alphabet.iter().map(move |a| [p.clone(), vec![*a]].concat()))
            .collect();
    }
    all
}

/// One run's fixed inputs.
struct Case<'p> {
    name: &'static str,
    initial: BfeState,
    events: &'p [Event],
    orig_protected: bool,
    restore: bool,
    policy: &'p PolicyDacl<Vec<u8>>,
    original: &'p [u8],
}

/// What a run produced (for the totals).
struct RunResult {
    applied: bool,
    restored: bool,
    outcomes: Vec<String>,
    originals: Vec<String>,
}

/// Fault-free runs give the intended result: applied iff BFE ran before unload, restored iff
/// BFE also runs at unload.
fn check_fault_free(case: &Case<'_>, applied: bool, unload: &str, ctx: &str) {
    let first_unload = case.events.iter().position(|e| matches!(e, Event::Unload));
    let before_unload = &case.events[..first_unload.unwrap_or(case.events.len())];
    let mut state = case.initial;
    let mut reaches_running = false;
    for e in before_unload {
        match e {
            Event::Load => reaches_running |= state == BfeState::Running,
            Event::Bfe(s) => {
                state = *s;
                reaches_running |= state == BfeState::Running;
            }
            Event::Retry | Event::Unload => {}
        }
    }
    assert_eq!(applied, reaches_running, "{ctx}");
    if case.restore && reaches_running && state == BfeState::Running {
        assert_eq!(unload, "Restored", "{ctx}");
    }
}

/// Every DACL set is whole: the policy DACL with `APPLY_SECURITY_INFORMATION`, or the original
/// bytes with the original's protection.
fn check_sets(case: &Case<'_>, sets: &[(u32, Vec<u8>)], ctx: &str) {
    let policy_bytes = case.policy.as_bytes();
    let restore_info = DACL_SECURITY_INFORMATION
        | if case.orig_protected {
            PROTECTED_DACL_SECURITY_INFORMATION
        } else {
            UNPROTECTED_DACL_SECURITY_INFORMATION
        };
    for (info, bytes) in sets {
        let is_policy = bytes == policy_bytes && *info == APPLY_SECURITY_INFORMATION;
        let is_original = bytes == case.original && *info == restore_info;
        assert!(
            is_policy || is_original,
            "unexpected set {info:#x} {bytes:02x?}: {ctx}"
        );
    }
}

type ModelController = Controller<Model, Store, Vec<u8>>;

/// The retry schedule: a delay exactly while a retry is pending and BFE runs, doubling from 1 s
/// while retries keep being needed, from 1 s again after one that was not.
fn check_retry(ctl: &mut ModelController, delays: &mut Vec<u32>, ctx: &str) {
    let pending = ctl.retry_pending();
    let running = ctl.engine().bfe == BfeState::Running;
    if let Some(ms) = ctl.next_retry() {
        assert!(pending && running, "retry without need: {ctx}");
        let n = u32::try_from(delays.len()).unwrap();
        assert_eq!(ms, connsec_policy::retry::delay_ms(n), "back-off: {ctx}");
        delays.push(ms);
    } else {
        assert!(!(pending && running), "no retry while pending: {ctx}");
        if !pending {
            delays.clear();
        }
    }
}

/// A controller over a fresh model and store that share `script`.
fn controller(case: &Case<'_>, script: &[Option<NtStatus>]) -> ModelController {
    let shared = Rc::new(RefCell::new(Script {
        faults: script.to_vec(),
        calls: 0,
    }));
    let model = Model::new(
        case.initial,
        case.original.to_vec(),
        case.orig_protected,
        Rc::clone(&shared),
    );
    let store = Store {
        script: shared,
        value: None,
        writes: 0,
    };
    Controller::new(
        model,
        store,
        case.policy.clone(),
        vec![0u8; ORIGINAL_MAX_LEN],
        case.restore,
    )
}

/// Written once; gone after a restore (unless removing it failed); kept otherwise.
fn check_store(store: &Store, applied: bool, restored: bool, remove_failed: bool, ctx: &str) {
    assert!(store.writes <= 1, "the original was stored twice: {ctx}");
    if restored {
        assert!(
            store.value.is_none() || remove_failed,
            "stored copy kept after a restore: {ctx}"
        );
    } else if applied {
        assert!(store.value.is_some(), "stored copy lost: {ctx}");
    }
}

/// Runs one case under one fault script and asserts every invariant.
fn run(case: &Case<'_>, script: &[Option<NtStatus>]) -> RunResult {
    let ctx = format!(
        "{} protected={} restore={} script={script:?}",
        case.name, case.orig_protected, case.restore
    );
    let policy_bytes = case.policy.as_bytes();
    let mut ctl = controller(case, script);
    let mut rec = Recorder::default();
    let mut delays = Vec::new();
    for (calls, ev) in case.events.iter().enumerate() {
        match *ev {
            Event::Load => ctl.on_load(&mut rec),
            Event::Bfe(state) => {
                ctl.engine_mut().set_bfe(state);
                ctl.on_bfe_state_change(state, &mut rec);
            }
            Event::Retry => ctl.on_retry(&mut rec),
            Event::Unload => ctl.on_unload(&mut rec),
        }
        if let Some(status) = rec.last_failure {
            assert_eq!(
                ctl.retry_pending(),
                status.is_transient(),
                "retry_pending: {ctx}"
            );
        }
        check_retry(&mut ctl, &mut delays, &ctx);
        // The store holds the original from before the first set on, or the original is
        // unknown (never here: the model's original is not the policy DACL).
        if ctl.is_applied() && !rec.outcomes.iter().any(|o| o == "Restored") {
            let stored = ctl.store().value.clone();
            assert!(stored.is_some(), "applied without a stored original: {ctx}");
        }
        assert_eq!(rec.outcomes.len(), calls + 1, "one outcome per call: {ctx}");
        assert!(
            ctl.engine().sessions.is_empty(),
            "session kept after a call: {ctx}"
        );
    }
    let applied = rec.applied > 0;
    let restored = rec.restored > 0;
    let remove_failed = rec.remove_failed;
    let snapshot = ctl.original().map(|sd| match original_dacl(sd) {
        Ok(OriginalDacl::Dacl { bytes, protected }) => Some((bytes.to_vec(), protected)),
        _ => None,
    });
    // The outcome of the first unload (later calls are ignored or skipped).
    let first_unload = case.events.iter().position(|e| matches!(e, Event::Unload));
    let unload = first_unload
        .and_then(|i| rec.outcomes.get(i).cloned())
        .unwrap_or_default();
    let (m, store) = ctl.into_parts();
    assert!(m.violations.is_empty(), "{:?}: {ctx}", m.violations);
    check_store(&store, applied, restored, remove_failed, &ctx);
    assert!(
        m.sessions.is_empty(),
        "leaked sessions {:?}: {ctx}",
        m.sessions
    );
    assert!(m.allocations.is_empty(), "leaked allocations: {ctx}");
    check_sets(case, &m.sets, &ctx);
    let policy_sets = m.sets.iter().filter(|(_, b)| b == policy_bytes).count();
    assert_eq!(
        policy_sets, rec.applied,
        "Applied outcomes = successful policy sets: {ctx}"
    );
    if applied {
        assert_eq!(
            snapshot,
            Some(Some((case.original.to_vec(), case.orig_protected))),
            "stored original: {ctx}"
        );
    }
    if !case.restore {
        assert_eq!(unload, "RestoreSkipped", "{ctx}");
    }
    // A restore whose set succeeded but whose re-read failed leaves the original live too.
    let original_set_last = m.sets.last().is_some_and(|(_, b)| b == case.original);
    if restored {
        assert!(
            original_set_last,
            "Restored without setting the original: {ctx}"
        );
    }
    let expected_final = if !applied || original_set_last {
        case.original
    } else {
        policy_bytes
    };
    assert_eq!(m.dacl, expected_final, "final DACL ({unload}): {ctx}");
    if restored {
        assert_eq!(
            m.protected, case.orig_protected,
            "protection restored: {ctx}"
        );
    }
    if script.iter().all(Option::is_none) {
        check_fault_free(case, applied, &unload, &ctx);
    }
    RunResult {
        applied,
        restored,
        outcomes: rec.outcomes,
        originals: rec.originals,
    }
}

#[test]
fn every_fault_sequence_keeps_the_invariants() {
    let depth: usize = std::env::var("CONNSEC_MODEL_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(4);
    assert!(depth >= 4, "depth 4 is the minimum the CI runs");
    let key = common::inf_default_key();
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).expect("INF defaults parse");
    let (policy, _) = PolicyDacl::build(&config, vec![0u8; Policy::required_len(&config).unwrap()])
        .expect("INF defaults build");
    let original = original_acl();
    let scripts = scripts(depth);
    let (mut explored, mut applied_runs, mut restored_runs) = (0usize, 0usize, 0usize);
    let mut kinds = BTreeSet::new();
    let mut original_kinds = BTreeSet::new();
    for (name, initial, events) in scenarios() {
        for orig_protected in [false, true] {
            for restore in [true, false] {
                let case = Case {
                    name,
                    initial,
                    events: &events,
                    orig_protected,
                    restore,
                    policy: &policy,
                    original: &original,
                };
                for script in &scripts {
                    let r = run(&case, script);
                    explored += 1;
                    applied_runs += usize::from(r.applied);
                    restored_runs += usize::from(r.restored);
                    kinds.extend(r.outcomes);
                    original_kinds.extend(r.originals);
                }
            }
        }
    }
    println!(
        "explored {explored} fault sequences (depth {depth}; {} statuses + success per call; {} scenarios x 2 originals x RestoreOnUnload on/off); {applied_runs} applied, {restored_runs} restored; outcomes seen: {kinds:?}; original events seen: {original_kinds:?}",
        STATUSES.len(),
        scenarios().len()
    );
    assert!(explored >= 7 * 2 * 2 * 9usize.pow(4));
    assert!(restored_runs > 0 && applied_runs > restored_runs);
    for kind in [
        "Applied",
        "ApplyFailed",
        "Waiting",
        "NoRetryNeeded",
        "BfeStopped",
        "Restored",
        "RestoreFailed",
        "RestoreSkipped",
    ] {
        assert!(kinds.contains(kind), "never saw {kind}");
    }
    for kind in ["Stored", "StoreFailed", "Removed"] {
        assert!(
            original_kinds.contains(kind),
            "never saw original event {kind}"
        );
    }
}

fn bfe_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Bfe(BfeState::Stopped)),
        Just(Event::Bfe(BfeState::StartPending)),
        Just(Event::Bfe(BfeState::StopPending)),
        Just(Event::Bfe(BfeState::Running)),
        Just(Event::Bfe(BfeState::Unknown(7))),
    ]
}

fn fault() -> impl Strategy<Value = Option<NtStatus>> {
    prop_oneof![
        3 => Just(None),
        1 => proptest::sample::select(&STATUSES[..]).prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        // Integration tests have no lib.rs/main.rs for the default failure file.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Longer lifecycles than the exhaustive search: load, up to 10 BFE changes, unload, then
    /// late notifications and a second unload; up to 16 scripted faults.
    #[test]
    fn random_lifecycles_keep_the_invariants(
        initial in prop_oneof![Just(BfeState::Running), Just(BfeState::Stopped), Just(BfeState::StartPending)],
        middle in prop::collection::vec(prop_oneof![4 => bfe_event(), 1 => Just(Event::Retry)], 0..10),
        late in prop::collection::vec(prop_oneof![bfe_event(), Just(Event::Unload), Just(Event::Retry)], 0..3),
        script in prop::collection::vec(fault(), 0..16),
        orig_protected in any::<bool>(),
        restore in any::<bool>(),
    ) {
        let key = common::inf_default_key();
        let values = key.values();
        let config = Config::parse(&values, &mut |_| {}).unwrap();
        let (policy, _) = PolicyDacl::build(&config, vec![0u8; Policy::required_len(&config).unwrap()]).unwrap();
        let original = original_acl();
        let mut events = vec![Event::Load];
        events.extend(middle);
        events.push(Event::Unload);
        events.extend(late);
        let case = Case { name: "random", initial, events: &events, orig_protected, restore, policy: &policy, original: &original };
        let r = run(&case, &script);
        prop_assert_eq!(r.outcomes.len(), events.len());
    }
}
