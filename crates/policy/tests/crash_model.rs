//! The durable original under crashes, reboots and BFE restarts.
//!
//! A model machine holds what survives a crash: the `OriginalDacl` registry value on disk
//! (`durable`; a write or remove is on disk only after its flush, and an unflushed change is
//! either lost or written by the lazy flusher: both are explored) and the connection-objects
//! descriptor BFE keeps. Two hypotheses, since nobody knows yet which is true on Windows:
//! **persist** (BFE keeps the last descriptor set across a BFE restart and a reboot) and
//! **reset** (BFE comes back with its default, the true original).
//!
//! Each sequence runs three boots. Boot 1 and boot 2 each run a lifecycle (load, BFE restarts,
//! unload) with `RestoreOnUnload` 0 or 1 and may crash before any one of their steps (every
//! engine call, every registry assign and flush); a crash loses everything not on disk, then the
//! machine reboots. Boot 3 is a clean load and unload with `RestoreOnUnload` 1.
//!
//! After every step of every boot the original is recoverable: the value on disk is the
//! original, or nothing is on disk and the live descriptor is the original (a stored value that
//! is not the original is a violation too). After every clean unload with `RestoreOnUnload` 1,
//! and so always after boot 3, the live DACL is the original byte for byte, with its protection,
//! and nothing is stored. The test prints `explored N crash sequences`.

mod common;

use core::cell::RefCell;
use std::rc::Rc;

use connsec_policy::original::{OriginalDacl, original_dacl};
use connsec_policy::policy::PROTECTED_DACL_SECURITY_INFORMATION;
use connsec_policy::{
    BfeState, Config, Controller, FilterEngine, NtStatus, ORIGINAL_MAX_LEN, OriginalEvent,
    OriginalStore, Outcome, OutcomeSink, Policy, PolicyDacl,
};
use secdesc::{AceRepr, AclWriter, ControlFlags, DescriptorParts, Sid, encode_descriptor};

/// What BFE does with the descriptor across its restart and a reboot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hypothesis {
    Persist,
    Reset,
}

/// A DACL with its `SE_DACL_PROTECTED` bit.
type Dacl = (Vec<u8>, bool);

/// A registry change: the value assigned (`Some`) or removed (`None`).
#[derive(Clone, Debug)]
struct Change(Option<Vec<u8>>);

/// The machine: what survives a crash, what does not, and the crash point.
#[derive(Clone, Debug)]
struct World {
    hypothesis: Hypothesis,
    /// The true original (BFE's default).
    original: Dacl,
    /// The descriptor BFE enforces now.
    live: Dacl,
    /// What BFE comes back with after a restart or reboot under `Persist`.
    persisted: Dacl,
    bfe: BfeState,
    /// `Parameters\OriginalDacl` on disk.
    durable: Option<Vec<u8>>,
    /// An assigned or removed value not flushed yet.
    pending: Option<Change>,
    /// Whether the lazy flusher wrote the pending change before the crash.
    keep_unflushed: bool,
    steps: usize,
    crash_at: Option<usize>,
    crashed: bool,
    /// Flushes done this boot, the one that fails (if any), and whether it did.
    flushes: usize,
    flush_fault: Option<usize>,
    flush_failed: bool,
    sessions: usize,
    violations: Vec<String>,
}

impl World {
    fn new(hypothesis: Hypothesis, original: Dacl, keep_unflushed: bool) -> Self {
        World {
            hypothesis,
            live: original.clone(),
            persisted: original.clone(),
            original,
            bfe: BfeState::Running,
            durable: None,
            pending: None,
            keep_unflushed,
            steps: 0,
            crash_at: None,
            crashed: false,
            flushes: 0,
            flush_fault: None,
            flush_failed: false,
            sessions: 0,
            violations: Vec::new(),
        }
    }

    /// One step of the machine: false once it has crashed (nothing takes effect any more).
    fn step(&mut self) -> bool {
        if self.crashed || self.crash_at == Some(self.steps) {
            self.crashed = true;
            return false;
        }
        self.steps += 1;
        true
    }

    /// The invariant after every step: the original is on disk, or nothing is and it is live.
    fn check(&mut self, when: &str) {
        match &self.durable {
            Some(sd) => {
                let stored = dacl_of(sd);
                if stored.as_ref() != Some(&self.original) {
                    self.violations
                        .push(format!("{when}: the stored value is not the original"));
                }
            }
            None if self.live != self.original => {
                self.violations
                    .push(format!("{when}: the original is neither stored nor live"));
            }
            None => {}
        }
    }

    /// BFE comes back (restart or reboot) with what the hypothesis says.
    fn bfe_comes_back(&mut self) {
        self.live = match self.hypothesis {
            Hypothesis::Persist => self.persisted.clone(),
            Hypothesis::Reset => self.original.clone(),
        };
        self.bfe = BfeState::Running;
    }

    /// Power returns after a crash: unflushed registry changes are lost (or were written),
    /// sessions are gone, BFE starts again.
    fn reboot(&mut self) {
        if let Some(Change(value)) = self.pending.take()
            && self.keep_unflushed
        {
            self.durable = value;
        }
        self.sessions = 0;
        self.crashed = false;
        self.crash_at = None;
        self.steps = 0;
        self.bfe_comes_back();
        self.check("after reboot");
    }

    fn descriptor(&self) -> Vec<u8> {
        let mut control = ControlFlags::DACL_PRESENT | ControlFlags::SELF_RELATIVE;
        if self.live.1 {
            control |= ControlFlags::DACL_PROTECTED;
        }
        let parts = DescriptorParts {
            control: ControlFlags(control),
            owner: None,
            group: None,
            sacl: None,
            dacl: Some(&self.live.0),
        };
        let mut out = vec![0u8; 4096];
        let n = encode_descriptor(&parts, &mut out).expect("model descriptor encodes");
        out.truncate(n);
        out
    }
}

/// The DACL of a stored descriptor, if it has one.
fn dacl_of(sd: &[u8]) -> Option<Dacl> {
    match original_dacl(sd) {
        Ok(OriginalDacl::Dacl { bytes, protected }) => Some((bytes.to_vec(), protected)),
        _ => None,
    }
}

/// A crashed machine answers nothing; the status is never seen by anyone.
const DEAD: NtStatus = NtStatus::UNSUCCESSFUL;
/// What a failing flush returns.
const FLUSH_FAILED: NtStatus = NtStatus::INSUFFICIENT_RESOURCES;

impl World {
    /// `ZwFlushKey`: one step; the scripted one fails and leaves the change unflushed.
    fn flush(&mut self) -> Result<(), NtStatus> {
        if !self.step() {
            return Err(DEAD);
        }
        let this = self.flushes;
        self.flushes += 1;
        if self.flush_fault == Some(this) {
            self.flush_failed = true;
            return Err(FLUSH_FAILED);
        }
        if let Some(Change(value)) = self.pending.take() {
            self.durable = value;
        }
        self.check("after a flush");
        Ok(())
    }
}

struct Engine(Rc<RefCell<World>>);

impl FilterEngine for Engine {
    type Session = ();
    type Allocation = Vec<u8>;

    fn bfe_state(&mut self) -> BfeState {
        self.0.borrow().bfe
    }
    fn open_session(&mut self) -> Result<(), NtStatus> {
        let mut w = self.0.borrow_mut();
        if !w.step() {
            return Err(DEAD);
        }
        if w.bfe != BfeState::Running {
            return Err(NtStatus::EPT_NT_NOT_REGISTERED);
        }
        w.sessions += 1;
        Ok(())
    }
    fn close_session(&mut self, (): ()) {
        let mut w = self.0.borrow_mut();
        w.sessions = w.sessions.saturating_sub(1);
    }
    fn get_connection_security(&mut self, (): &()) -> Result<Vec<u8>, NtStatus> {
        let mut w = self.0.borrow_mut();
        if !w.step() {
            return Err(DEAD);
        }
        Ok(w.descriptor())
    }
    fn allocation_bytes<'a>(&self, a: &'a Vec<u8>) -> &'a [u8] {
        a
    }
    fn free(&mut self, _: Vec<u8>) {}
    fn set_connection_dacl(&mut self, (): &(), info: u32, dacl: &[u8]) -> Result<(), NtStatus> {
        let mut w = self.0.borrow_mut();
        if !w.step() {
            return Err(DEAD);
        }
        w.live = (
            dacl.to_vec(),
            info & PROTECTED_DACL_SECURITY_INFORMATION != 0,
        );
        w.persisted = w.live.clone();
        w.check("after a set");
        Ok(())
    }
}

struct Store(Rc<RefCell<World>>);

impl Store {
    /// Assign (one step), then flush (another): a crash can fall in between, and the flush
    /// can fail.
    fn change(&mut self, value: Option<Vec<u8>>) -> Result<(), NtStatus> {
        let mut w = self.0.borrow_mut();
        if !w.step() {
            return Err(DEAD);
        }
        w.pending = Some(Change(value));
        w.flush()
    }
}

impl OriginalStore for Store {
    fn read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, NtStatus> {
        let mut w = self.0.borrow_mut();
        if !w.step() {
            return Err(DEAD);
        }
        // A reader sees an assigned value before its flush, as the registry does; the store
        // flushes before it answers with a value, so that it never hands out one that is not
        // on disk (the `OriginalStore::read` contract).
        let value = match &w.pending {
            Some(Change(value)) => value.clone(),
            None => w.durable.clone(),
        };
        if value.is_some() && w.pending.is_some() {
            w.flush()?;
        }
        match value {
            None => Ok(None),
            Some(v) => {
                buf.get_mut(..v.len())
                    .ok_or(NtStatus::BUFFER_TOO_SMALL)?
                    .copy_from_slice(&v);
                Ok(Some(v.len()))
            }
        }
    }
    fn write(&mut self, descriptor: &[u8]) -> Result<(), NtStatus> {
        self.change(Some(descriptor.to_vec()))
    }
    fn remove(&mut self) -> Result<(), NtStatus> {
        self.change(None)
    }
}

#[derive(Default)]
struct Recorder {
    outcomes: Vec<String>,
    found_stored: usize,
    unknown: usize,
}

impl OutcomeSink for Recorder {
    fn outcome(&mut self, o: &Outcome<'_>) {
        self.outcomes.push(format!("{o:?}"));
    }
    fn original(&mut self, e: &OriginalEvent<'_>) {
        match e {
            OriginalEvent::FoundStored { .. } => self.found_stored += 1,
            OriginalEvent::Unknown => self.unknown += 1,
            _ => {}
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Load,
    BfeRestart,
    Unload,
}

/// One boot's lifecycle: the BFE state at load and the events.
#[derive(Clone, Copy, Debug)]
struct Lifecycle {
    name: &'static str,
    bfe_at_load: BfeState,
    events: &'static [Event],
}

const LIFECYCLES: [Lifecycle; 3] = [
    Lifecycle {
        name: "load-unload",
        bfe_at_load: BfeState::Running,
        events: &[Event::Load, Event::Unload],
    },
    Lifecycle {
        name: "bfe-restart",
        bfe_at_load: BfeState::Running,
        events: &[Event::Load, Event::BfeRestart, Event::Unload],
    },
    Lifecycle {
        name: "boot-start",
        bfe_at_load: BfeState::Stopped,
        events: &[Event::Load, Event::BfeRestart, Event::Unload],
    },
];

/// One boot: a fresh controller (nothing survives in memory) over the world.
#[derive(Clone, Copy)]
struct Boot {
    life: Lifecycle,
    restore: bool,
    crash_at: Option<usize>,
    flush_fault: Option<usize>,
}

/// Runs one boot and returns the world after it (rebooted if it crashed), and the number of
/// steps it took. Panics on a violation.
fn run_boot(world: &World, boot: Boot, policy: &PolicyDacl<Vec<u8>>, ctx: &str) -> (World, usize) {
    let mut start = world.clone();
    start.crash_at = boot.crash_at;
    start.steps = 0;
    start.flushes = 0;
    start.flush_fault = boot.flush_fault;
    start.flush_failed = false;
    start.bfe = boot.life.bfe_at_load;
    // What a reader sees at load: an unflushed change (a removal whose flush failed) counts.
    let stored_at_load = match &start.pending {
        Some(Change(value)) => value.is_some(),
        None => start.durable.is_some(),
    };
    let shared = Rc::new(RefCell::new(start));
    let mut ctl = Controller::new(
        Engine(Rc::clone(&shared)),
        Store(Rc::clone(&shared)),
        policy.clone(),
        vec![0u8; ORIGINAL_MAX_LEN],
        boot.restore,
    );
    let mut rec = Recorder::default();
    for event in boot.life.events {
        match event {
            Event::Load => ctl.on_load(&mut rec),
            Event::BfeRestart => {
                for state in [BfeState::StopPending, BfeState::Stopped] {
                    shared.borrow_mut().bfe = state;
                    ctl.on_bfe_state_change(state, &mut rec);
                }
                shared.borrow_mut().bfe_comes_back();
                ctl.on_bfe_state_change(BfeState::Running, &mut rec);
            }
            Event::Unload => ctl.on_unload(&mut rec),
        }
        let w = shared.borrow();
        assert_eq!(w.sessions, 0, "session left open: {ctx}");
        assert!(w.violations.is_empty(), "{:?}: {ctx}", w.violations);
    }
    drop(ctl);
    let mut end = Rc::try_unwrap(shared)
        .expect("the controller is gone")
        .into_inner();
    let (steps, crashed) = (end.steps, end.crashed);
    if crashed {
        end.reboot();
        assert!(end.violations.is_empty(), "{:?}: {ctx}", end.violations);
    } else if end.flush_failed {
        // A failed flush fails its step (reported); the invariant above still held throughout.
    } else if boot.restore {
        assert_eq!(
            end.live, end.original,
            "clean unload did not restore: {ctx}"
        );
        assert!(
            end.durable.is_none(),
            "stored copy kept after a restore: {ctx}"
        );
    } else {
        assert!(
            end.durable.is_some(),
            "RestoreOnUnload 0 lost the original: {ctx}"
        );
    }
    // What the events say: checked after the state, so that a seeded defect is caught by what
    // it does to the original rather than by what it reports.
    if stored_at_load && !crashed && !end.flush_failed && boot.life.bfe_at_load == BfeState::Running
    {
        assert!(
            rec.found_stored > 0,
            "a stored original went unreported: {ctx}"
        );
    }
    assert_eq!(
        rec.unknown, 0,
        "original unknown, yet it was stored or live: {ctx}"
    );
    (end, steps)
}

/// The true original: protected, an ACE with 4 bytes of slack after it.
fn original() -> Dacl {
    let mut buf = vec![0u8; 128];
    let mut w = AclWriter::new(&mut buf).unwrap();
    w.push(&AceRepr::allow(
        Sid::new(5, &[32, 545]).unwrap(),
        0x0000_0001,
    ))
    .unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n + 4);
    buf[2..4].copy_from_slice(&u16::try_from(n + 4).unwrap().to_le_bytes());
    (buf, true)
}

/// Boot 1's variants: every lifecycle, `RestoreOnUnload` 1 and 0, and no failing flush or the
/// first or second `ZwFlushKey` of the boot failing.
fn boot1_variants() -> Vec<(Lifecycle, bool, Option<usize>)> {
    let mut all = Vec::new();
    for life in LIFECYCLES {
        for restore in [true, false] {
            for flush in [None, Some(0), Some(1)] {
                all.push((life, restore, flush));
            }
        }
    }
    all
}

#[test]
fn the_original_survives_every_crash_reboot_and_bfe_restart() {
    let key = common::inf_default_key();
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).expect("INF defaults parse");
    let (policy, _) = PolicyDacl::build(&config, vec![0u8; Policy::required_len(&config).unwrap()])
        .expect("INF defaults build");
    let boot3 = Boot {
        life: LIFECYCLES[0],
        restore: true,
        crash_at: None,
        flush_fault: None,
    };
    let mut explored = 0usize;
    let mut crashes = 0usize;
    for hypothesis in [Hypothesis::Persist, Hypothesis::Reset] {
        for keep_unflushed in [false, true] {
            let world = World::new(hypothesis, original(), keep_unflushed);
            for (life1, restore1, flush1) in boot1_variants() {
                {
                    let clean1 = Boot {
                        life: life1,
                        restore: restore1,
                        crash_at: None,
                        flush_fault: flush1,
                    };
                    let (_, steps1) = run_boot(&world, clean1, &policy, "dry run");
                    for crash1 in (0..=steps1).map(Some).chain([None]) {
                        let b1 = Boot {
                            crash_at: crash1,
                            ..clean1
                        };
                        let ctx1 = format!(
                            "{hypothesis:?} keep_unflushed={keep_unflushed} boot1={} restore={restore1} failing flush={flush1:?} crash={crash1:?}",
                            life1.name
                        );
                        let (after1, _) = run_boot(&world, b1, &policy, &ctx1);
                        for life2 in LIFECYCLES {
                            for restore2 in [true, false] {
                                let clean2 = Boot {
                                    life: life2,
                                    restore: restore2,
                                    crash_at: None,
                                    flush_fault: None,
                                };
                                let (_, steps2) = run_boot(&after1, clean2, &policy, &ctx1);
                                for crash2 in (0..=steps2).map(Some).chain([None]) {
                                    let ctx = format!(
                                        "{ctx1} boot2={} restore={restore2} crash={crash2:?}",
                                        life2.name
                                    );
                                    let b2 = Boot {
                                        crash_at: crash2,
                                        ..clean2
                                    };
                                    let (after2, _) = run_boot(&after1, b2, &policy, &ctx);
                                    let (last, _) = run_boot(&after2, boot3, &policy, &ctx);
                                    assert_eq!(last.live, last.original, "{ctx}");
                                    assert!(last.durable.is_none(), "{ctx}");
                                    explored += 1;
                                    crashes += usize::from(crash1.is_some())
                                        + usize::from(crash2.is_some());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    println!(
        "explored {explored} crash sequences (3 boots each; BFE persists / resets the descriptor; unflushed registry changes lost / written; {} lifecycles x RestoreOnUnload 0/1 per boot; in boot 1 no, the first or the second registry flush fails; a crash before any step of boots 1 and 2; {crashes} crashes in all)",
        LIFECYCLES.len()
    );
    assert!(explored > 1000 && crashes > explored);
}
