//! One whole lifecycle under a fault plan, and the checks that must hold after it.

use std::collections::BTreeSet;

use super::{FaultPlan, Machine, RUNNING, START_PENDING, STOP_PENDING, STOPPED};

/// Events that report the outcome of one controller call (one per `on_load`, BFE
/// notification, retry and `on_unload`).
pub const OUTCOME_EVENTS: &[&str] = &[
    "PolicyApplied",
    "ApplyFailed",
    "ApplyWaiting",
    "BfeStopped",
    "IgnoredAfterUnload",
    "NoRetryNeeded",
    "RestoreDone",
    "RestoreFailed",
    "RestoreSkipped",
];

/// What one run did and what was wrong with it.
#[derive(Debug, Default)]
pub struct Run {
    pub entry_status: i32,
    pub failable_calls: usize,
    pub failed_sites: BTreeSet<String>,
    pub called_sites: BTreeSet<String>,
    pub problems: Vec<String>,
    pub final_dacl: Vec<u8>,
    pub events: Vec<String>,
}

/// The DACL the configuration produces (what a fault-free load applies).
pub fn configured_dacl(machine: &Machine) -> Vec<u8> {
    super::boot(machine, FaultPlan::default());
    assert_eq!(super::driver_entry(), 0, "fault-free DriverEntry");
    let dacl = super::descriptor().dacl;
    super::unload();
    dacl
}

/// Runs DriverEntry, classify, a BFE restart, the retry timer and unload under `plan`.
pub fn run(machine: &Machine, plan: FaultPlan, configured: &[u8]) -> Run {
    super::boot(machine, plan);
    let original = super::original_descriptor();
    let original_bytes = super::sd::serialize(&original).0;
    let restore = machine
        .values
        .iter()
        .any(|(n, _, v)| *n == "RestoreOnUnload" && v.first() == Some(&1));
    let mut problems = Vec::new();
    let mut controller_calls = 0_usize;
    let check = |step: &str, problems: &mut Vec<String>| {
        let d = super::descriptor();
        if d.dacl != original.dacl && d.dacl != configured {
            problems.push(format!(
                "after {step}: the DACL is neither the original nor the configured one"
            ));
        }
        if d.dacl == configured && restore {
            let stored = super::with(|k| k.registry.get("originaldacl").cloned());
            if stored != Some((3, original_bytes.clone())) {
                problems.push(format!(
                    "after {step}: the configured DACL is in place without OriginalDacl holding the original"
                ));
            }
        }
    };

    let status = super::driver_entry();
    check("DriverEntry", &mut problems);
    let loaded = status >= 0;
    let subscribe_failed = super::with(|k| {
        k.calls
            .iter()
            .any(|c| c.site == "FwpmBfeStateSubscribeChanges0" && c.failed)
    });
    if loaded {
        controller_calls += 1; // on_load
        super::classify_all();
        for state in [STOP_PENDING, STOPPED, START_PENDING, RUNNING] {
            controller_calls += super::with(|k| k.subscriptions.len());
            super::set_bfe(state);
            check("a BFE state change", &mut problems);
        }
        for _ in 0..3 {
            controller_calls += super::fire_timers();
            check("a retry", &mut problems);
        }
        let unload_from = super::with(|k| k.calls.len());
        super::unload();
        controller_calls += 1; // on_unload
        problems.extend(unload_order(unload_from));
        check("unload", &mut problems);
    } else {
        if subscribe_failed {
            controller_calls += 1; // the failing DriverEntry's teardown runs on_unload
        }
        if super::descriptor().dacl != original.dacl {
            problems.push("DriverEntry failed and left the descriptor changed".into());
        }
    }
    problems.extend(super::problems());

    let (events, etw_registered, failable, calls) = super::with(|k| {
        (
            k.events.clone(),
            k.calls.iter().any(|c| c.site == "EtwRegister" && !c.failed),
            k.failable_calls,
            k.calls.clone(),
        )
    });
    let names: Vec<String> = events.iter().map(|e| e.name.clone()).collect();
    let restore_failed = names.iter().any(|n| n == "RestoreFailed");
    let final_dacl = super::descriptor().dacl;
    if loaded && restore && !restore_failed && final_dacl != original.dacl {
        problems.push("unloaded with RestoreOnUnload = 1 and no RestoreFailed event, but the original is not back".into());
    }
    // After a verified restore the stored original is deleted, unless a registry call on that
    // path (after the restoring set) was made to fail: then it stays for the next load, which
    // is the durable copy's purpose.
    let last_set = calls
        .iter()
        .rposition(|c| c.site == "FwpmConnectionSetSecurityInfo0")
        .unwrap_or(0);
    let removal_failed = calls.iter().skip(last_set).any(|c| {
        c.failed
            && matches!(
                c.site.as_str(),
                "WdfDriverOpenParametersRegistryKey" | "WdfRegistryRemoveValue" | "ZwFlushKey"
            )
    });
    if loaded
        && restore
        && names.iter().any(|n| n == "RestoreDone")
        && !removal_failed
        && super::with(|k| k.registry.contains_key("originaldacl"))
    {
        problems.push("OriginalDacl is still stored after a verified restore".into());
    }
    if etw_registered {
        let outcomes = names
            .iter()
            .filter(|n| OUTCOME_EVENTS.contains(&n.as_str()))
            .count();
        if outcomes != controller_calls {
            problems.push(format!(
                "{outcomes} outcome events for {controller_calls} controller calls: {names:?}"
            ));
        }
    }
    Run {
        entry_status: status,
        failable_calls: failable,
        failed_sites: calls
            .iter()
            .filter(|c| c.failed)
            .map(|c| c.site.clone())
            .collect(),
        called_sites: calls.iter().map(|c| c.site.clone()).collect(),
        problems,
        final_dacl,
        events: names,
    }
}

/// The documented unload order (`DriverState::shutdown`): stop BFE notifications, stop the retry
/// timer, restore, unregister the callouts, delete the control device, unregister ETW last. Checks
/// the first occurrence of each step present in the calls made from `from` on.
pub fn unload_order(from: usize) -> Vec<String> {
    const ORDER: &[&str] = &[
        "FwpmBfeStateUnsubscribeChanges0",
        "WdfTimerStop",
        "FwpmEngineOpen0(static)",
        "FwpsCalloutUnregisterById0",
        "WdfObjectDelete(device)",
        "EtwUnregister",
    ];
    let calls = super::with(|k| k.calls[from..].to_vec());
    let first = |site: &str| calls.iter().position(|c| c.site == site);
    let mut problems = Vec::new();
    let mut last: Option<(&str, usize)> = None;
    for step in ORDER {
        if let Some(at) = first(step) {
            if let Some((before, before_at)) = last {
                if at < before_at {
                    problems.push(format!("unload order: {step} before {before}"));
                }
            }
            last = Some((step, at));
        }
    }
    if let Some(at) = first("EtwUnregister") {
        for c in &calls[at + 1..] {
            if !matches!(
                c.site.as_str(),
                "ExFreePool" | "WdfWaitLockAcquire" | "WdfWaitLockRelease"
            ) {
                problems.push(format!("unload order: {} after EtwUnregister", c.site));
            }
        }
    }
    problems
}
