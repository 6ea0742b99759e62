//! The durable original's edge cases, one scenario each: a stored copy wins over the live
//! descriptor, an invalid stored value stops the apply, a live DACL that is already ours makes
//! the original unknown, `RestoreOnUnload` 0 keeps the stored copy, and an original NULL DACL is
//! never restored.

mod common;

use connsec_policy::policy::{APPLY_SECURITY_INFORMATION, DACL_SECURITY_INFORMATION};
use connsec_policy::{
    BfeState, Config, Controller, FilterEngine, NtStatus, ORIGINAL_MAX_LEN, OriginalEvent,
    OriginalStore, Outcome, OutcomeSink, Policy, PolicyDacl, RestoreSkip, Step,
};
use secdesc::{AceRepr, AclWriter, ControlFlags, DescriptorParts, Sid, encode_descriptor};

/// An engine that is always up and never fails, holding one descriptor's DACL (empty: a NULL
/// DACL).
struct Engine {
    live: Vec<u8>,
    sets: Vec<(u32, Vec<u8>)>,
}

impl FilterEngine for Engine {
    type Session = ();
    type Allocation = Vec<u8>;
    fn bfe_state(&mut self) -> BfeState {
        BfeState::Running
    }
    fn open_session(&mut self) -> Result<(), NtStatus> {
        Ok(())
    }
    fn close_session(&mut self, (): ()) {}
    fn get_connection_security(&mut self, (): &()) -> Result<Vec<u8>, NtStatus> {
        Ok(descriptor(&self.live))
    }
    fn allocation_bytes<'a>(&self, a: &'a Vec<u8>) -> &'a [u8] {
        a
    }
    fn free(&mut self, _: Vec<u8>) {}
    fn set_connection_dacl(&mut self, (): &(), info: u32, dacl: &[u8]) -> Result<(), NtStatus> {
        self.live = dacl.to_vec();
        self.sets.push((info, dacl.to_vec()));
        Ok(())
    }
}

/// `OriginalDacl` in memory, counting writes.
#[derive(Default)]
struct Store {
    value: Option<Vec<u8>>,
    writes: usize,
}

impl OriginalStore for Store {
    fn read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, NtStatus> {
        let Some(v) = &self.value else {
            return Ok(None);
        };
        buf.get_mut(..v.len())
            .ok_or(NtStatus::BUFFER_TOO_SMALL)?
            .copy_from_slice(v);
        Ok(Some(v.len()))
    }
    fn write(&mut self, descriptor: &[u8]) -> Result<(), NtStatus> {
        self.value = Some(descriptor.to_vec());
        self.writes += 1;
        Ok(())
    }
    fn remove(&mut self) -> Result<(), NtStatus> {
        self.value = None;
        Ok(())
    }
}

#[derive(Default)]
struct Log(Vec<String>);

impl OutcomeSink for Log {
    fn outcome(&mut self, o: &Outcome<'_>) {
        self.0.push(format!("{o:?}"));
    }
    fn original(&mut self, e: &OriginalEvent<'_>) {
        let kind = format!("{e:?}");
        self.0
            .push(kind.split([' ', '{']).next().unwrap_or("").to_string());
    }
}

/// A self-relative descriptor with `dacl` (empty: `D:NO_ACCESS_CONTROL`, DACL present at
/// offset 0).
fn descriptor(dacl: &[u8]) -> Vec<u8> {
    if dacl.is_empty() {
        let mut sd = vec![1, 0, 0x04, 0x80];
        sd.extend([0u8; 16]);
        return sd;
    }
    let parts = DescriptorParts {
        control: ControlFlags(ControlFlags::DACL_PRESENT | ControlFlags::SELF_RELATIVE),
        owner: None,
        group: None,
        sacl: None,
        dacl: Some(dacl),
    };
    let mut out = vec![0u8; 1024];
    let n = encode_descriptor(&parts, &mut out).unwrap();
    out.truncate(n);
    out
}

/// A DACL granting `mask` to Users.
fn users_dacl(mask: u32) -> Vec<u8> {
    let mut buf = vec![0u8; 64];
    let mut w = AclWriter::new(&mut buf).unwrap();
    w.push(&AceRepr::allow(Sid::new(5, &[32, 545]).unwrap(), mask))
        .unwrap();
    let n = w.finish().unwrap();
    buf.truncate(n);
    buf
}

fn policy() -> PolicyDacl<Vec<u8>> {
    let key = common::inf_default_key();
    let values = key.values();
    let config = Config::parse(&values, &mut |_| {}).unwrap();
    PolicyDacl::build(&config, vec![0u8; Policy::required_len(&config).unwrap()])
        .unwrap()
        .0
}

fn controller(live: Vec<u8>, store: Store, restore: bool) -> Controller<Engine, Store, Vec<u8>> {
    let engine = Engine {
        live,
        sets: Vec::new(),
    };
    Controller::new(
        engine,
        store,
        policy(),
        vec![0u8; ORIGINAL_MAX_LEN],
        restore,
    )
}

#[test]
fn a_stored_copy_is_used_and_the_live_descriptor_is_not_taken() {
    let true_original = users_dacl(1);
    let stored = Store {
        value: Some(descriptor(&true_original)),
        writes: 0,
    };
    // Something else is live (e.g. connsec's DACL kept by BFE, or an edit since).
    let mut ctl = controller(users_dacl(7), stored, true);
    let mut log = Log::default();
    ctl.on_load(&mut log);
    ctl.on_unload(&mut log);
    assert_eq!(log.0[0], "FoundStored");
    assert!(log.0[1].starts_with("Applied"), "{:?}", log.0);
    assert_eq!(log.0[2], "Removed");
    assert!(log.0[3].starts_with("Restored"), "{:?}", log.0);
    let (engine, store) = ctl.into_parts();
    assert_eq!(engine.live, true_original, "the stored original is back");
    assert_eq!(store.writes, 0, "a stored copy is never overwritten");
    assert!(store.value.is_none());
}

#[test]
fn an_invalid_stored_value_stops_the_apply_and_stays() {
    let garbage = vec![1u8, 0, 4, 0x80, 0xFF];
    let stored = Store {
        value: Some(garbage.clone()),
        writes: 0,
    };
    let mut ctl = controller(users_dacl(1), stored, true);
    let mut log = Log::default();
    ctl.on_load(&mut log);
    assert_eq!(log.0[0], "StoreFailed");
    assert_eq!(
        log.0[1],
        format!(
            "{:?}",
            Outcome::ApplyFailed {
                attempt: 1,
                step: Step::ReadOriginal,
                status: NtStatus::INVALID_SECURITY_DESCR,
            }
        )
    );
    let (engine, store) = ctl.into_parts();
    assert!(engine.sets.is_empty(), "nothing is set");
    assert_eq!(
        store.value,
        Some(garbage),
        "nor is the stored value touched"
    );
}

#[test]
fn a_live_dacl_that_is_already_ours_makes_the_original_unknown() {
    let ours = policy().as_bytes().to_vec();
    let mut ctl = controller(ours.clone(), Store::default(), true);
    let mut log = Log::default();
    ctl.on_load(&mut log);
    ctl.on_unload(&mut log);
    assert_eq!(log.0[0], "Unknown");
    assert!(log.0[1].starts_with("Applied"), "{:?}", log.0);
    assert_eq!(
        log.0[2],
        format!(
            "{:?}",
            Outcome::RestoreSkipped {
                reason: RestoreSkip::OriginalUnknown
            }
        )
    );
    let (engine, store) = ctl.into_parts();
    assert_eq!(
        store.writes, 0,
        "connsec's own DACL is never stored as the original"
    );
    assert_eq!(engine.sets, vec![(APPLY_SECURITY_INFORMATION, ours)]);
}

#[test]
fn restore_on_unload_0_keeps_the_stored_copy() {
    let original = users_dacl(1);
    let mut ctl = controller(original.clone(), Store::default(), false);
    let mut log = Log::default();
    ctl.on_load(&mut log);
    ctl.on_unload(&mut log);
    assert_eq!(log.0[0], "Stored");
    assert_eq!(
        log.0[2],
        format!(
            "{:?}",
            Outcome::RestoreSkipped {
                reason: RestoreSkip::Disabled
            }
        )
    );
    let (engine, store) = ctl.into_parts();
    assert_eq!(store.value, Some(descriptor(&original)));
    assert_ne!(engine.live, original, "connsec's DACL stays live");
    // A later load with RestoreOnUnload 1 restores from it.
    let mut next = controller(engine.live, store, true);
    let mut log = Log::default();
    next.on_load(&mut log);
    next.on_unload(&mut log);
    let (engine, store) = next.into_parts();
    assert_eq!(engine.live, original);
    assert_eq!(
        engine
            .sets
            .last()
            .map(|(info, _)| info & DACL_SECURITY_INFORMATION),
        Some(DACL_SECURITY_INFORMATION)
    );
    assert!(store.value.is_none());
}

#[test]
fn an_original_null_dacl_is_never_restored() {
    let mut ctl = controller(Vec::new(), Store::default(), true);
    let mut log = Log::default();
    ctl.on_load(&mut log);
    ctl.on_unload(&mut log);
    ctl.on_unload(&mut log);
    assert_eq!(log.0[0], "Stored");
    assert!(log.0[1].starts_with("Applied"), "{:?}", log.0);
    let skipped = |reason| format!("{:?}", Outcome::RestoreSkipped { reason });
    assert_eq!(log.0[2], skipped(RestoreSkip::OriginalNullDacl));
    assert_eq!(log.0[3], skipped(RestoreSkip::AlreadyUnloaded));
    let (engine, store) = ctl.into_parts();
    assert_eq!(engine.sets.len(), 1, "only the policy DACL was set");
    assert!(
        store.value.is_some(),
        "the NULL-DACL original stays stored (the uninstall script decides)"
    );
}
