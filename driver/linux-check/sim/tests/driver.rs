//! `driver/src` on the simulated kernel: lifecycles, BFE changes, retries, classify from
//! several threads, and every external call failed in turn.

#![allow(
    missing_docs,
    unreachable_pub,
    clippy::pedantic,
    clippy::nursery,
    clippy::cargo,
    clippy::undocumented_unsafe_blocks,
    clippy::multiple_unsafe_ops_per_block,
    reason = "test harness: kernel-style names and FFI"
)]

extern crate connsec;

mod sim;

use sim::{FaultPlan, Machine};

#[test]
fn a_whole_lifecycle_applies_restores_and_releases_everything() {
    let _one = sim::exclusive();
    sim::boot(&Machine::default_config(), FaultPlan::default());
    let original = sim::descriptor();
    assert_eq!(sim::driver_entry(), 0, "DriverEntry");
    let applied = sim::descriptor();
    assert_ne!(
        applied.dacl, original.dacl,
        "the configured DACL is applied"
    );
    assert_eq!(
        sim::with(|k| k.callouts.len()),
        2,
        "both callouts registered"
    );
    let actions = sim::classify_all();
    assert_eq!(actions, vec![connsec_wfp_sys::FWP_ACTION_PERMIT; 2]);
    sim::unload();
    assert_eq!(sim::descriptor(), original, "restored at unload");
    assert_eq!(sim::problems(), Vec::<String>::new());
    let names = sim::event_names();
    assert_eq!(
        names.first().map(String::as_str),
        Some("DriverLoaded"),
        "{names:?}"
    );
    assert_eq!(
        names.last().map(String::as_str),
        Some("DriverUnloading"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "PolicyApplied"), "{names:?}");
    assert!(names.iter().any(|n| n == "RestoreDone"), "{names:?}");
}

fn bfe_machine(bfe: i32) -> Machine {
    Machine {
        bfe,
        ..Machine::default_config()
    }
}

#[test]
fn a_boot_start_driver_waits_for_bfe_then_applies_and_registers() {
    let _one = sim::exclusive();
    sim::boot(&bfe_machine(sim::STOPPED), FaultPlan::default());
    let original = sim::descriptor();
    assert_eq!(sim::driver_entry(), 0);
    assert_eq!(
        sim::descriptor(),
        original,
        "nothing applied while BFE is stopped"
    );
    assert_eq!(sim::with(|k| k.callouts.len()), 0);
    sim::set_bfe(sim::START_PENDING);
    sim::set_bfe(sim::RUNNING);
    assert_ne!(sim::descriptor().dacl, original.dacl, "applied on RUNNING");
    assert_eq!(
        sim::with(|k| k.callouts.len()),
        2,
        "callouts registered on RUNNING"
    );
    // A BFE restart: the callouts are released on STOP_PENDING, BFE forgets the descriptor,
    // and RUNNING applies and registers again.
    sim::set_bfe(sim::STOP_PENDING);
    assert_eq!(sim::with(|k| (k.callouts.len(), k.sessions.len())), (0, 0));
    sim::set_bfe(sim::STOPPED);
    assert_eq!(sim::descriptor(), original);
    sim::set_bfe(sim::RUNNING);
    assert_ne!(
        sim::descriptor().dacl,
        original.dacl,
        "applied again after the restart"
    );
    assert_eq!(sim::with(|k| k.callouts.len()), 2);
    sim::unload();
    assert_eq!(sim::descriptor(), original);
    assert_eq!(sim::problems(), Vec::<String>::new());
}

#[test]
fn a_transient_failure_is_retried_by_the_timer() {
    let _one = sim::exclusive();
    let machine = Machine::default_config();
    // Find the first non-dynamic FwpmEngineOpen0 of a fault-free load, then fail it.
    sim::boot(&machine, FaultPlan::default());
    assert_eq!(sim::driver_entry(), 0);
    let n = sim::with(|k| {
        let mut failable = 0;
        for c in &k.calls {
            if sim::kernel::FAILABLE_SITES.contains(&c.site.as_str()) {
                failable += 1;
                if c.site == "FwpmEngineOpen0(static)" {
                    return failable;
                }
            }
        }
        panic!("no static session opened")
    });
    sim::unload();
    sim::boot(
        &machine,
        FaultPlan {
            fail_at: [n].into(),
        },
    );
    let original = sim::descriptor();
    assert_eq!(sim::driver_entry(), 0);
    assert_eq!(sim::descriptor(), original, "the first attempt failed");
    assert!(
        sim::with(|k| k.timers.values().any(|t| t.due_100ns == Some(-10_000_000))),
        "retry in 1 s"
    );
    assert_eq!(sim::fire_timers(), 1);
    assert_ne!(sim::descriptor().dacl, original.dacl, "the retry applied");
    assert_eq!(sim::fire_timers(), 0, "no further retry");
    sim::unload();
    assert_eq!(sim::problems(), Vec::<String>::new());
}

#[test]
fn classify_runs_on_several_threads_while_bfe_changes() {
    let _one = sim::exclusive();
    let counts = |events: &[sim::kernel::Event]| {
        let e = events
            .iter()
            .find(|e| e.name == "CalloutCounts")
            .expect("CalloutCounts");
        let v = |i: usize| u64::from_le_bytes(e.fields[i].clone().try_into().expect("u64"));
        v(0) + v(1)
    };
    sim::boot(&Machine::default_config(), FaultPlan::default());
    assert_eq!(sim::driver_entry(), 0);
    sim::unload();
    let before = counts(&sim::with(|k| k.events.clone()));

    sim::boot(&Machine::default_config(), FaultPlan::default());
    assert_eq!(sim::driver_entry(), 0);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..250 {
                    let actions = sim::classify_all();
                    assert!(
                        actions
                            .iter()
                            .all(|a| *a == connsec_wfp_sys::FWP_ACTION_PERMIT)
                    );
                }
            })
        })
        .collect();
    // BFE notifications from another system thread while this one fires the retry timer: both
    // contend for the driver's wait lock with the classify threads running.
    let notifier = std::thread::spawn(|| {
        for _ in 0..20 {
            sim::set_bfe(sim::RUNNING);
        }
    });
    for _ in 0..20 {
        sim::fire_timers();
    }
    notifier.join().expect("BFE notification thread");
    for t in threads {
        t.join().expect("classify thread");
    }
    sim::unload();
    let after = counts(&sim::with(|k| k.events.clone()));
    assert_eq!(
        after - before,
        4 * 250 * 2,
        "every classify call was counted once"
    );
    assert_eq!(sim::problems(), Vec::<String>::new());
}

#[test]
fn a_bad_configuration_fails_the_load_and_changes_nothing() {
    let _one = sim::exclusive();
    for machine in [
        Machine {
            values: vec![],
            ..Machine::default_config()
        },
        Machine {
            values: vec![("Principals", 7, sim::multi_sz(&["not a principal"]))],
            ..Machine::default_config()
        },
        Machine {
            values: vec![("Principals", 1, b"S\0Y\0\0\0".to_vec())],
            ..Machine::default_config()
        },
        // A DACL that locks SYSTEM out: refused by the policy crate.
        Machine {
            values: vec![("Principals", 7, sim::multi_sz(&["BA:GENERIC_READ"]))],
            ..Machine::default_config()
        },
    ] {
        sim::boot(&machine, FaultPlan::default());
        let original = sim::descriptor();
        assert!(sim::driver_entry() < 0);
        assert_eq!(sim::descriptor(), original);
        assert_eq!(sim::problems(), Vec::<String>::new());
        let names = sim::event_names();
        assert!(
            names
                .iter()
                .any(|n| n == "ConfigError" || n == "PolicyRefused"),
            "{names:?}"
        );
    }
}

/// Fails the n-th failable call, for every n of the lifecycle, then every pair (n, m); checks
/// each run; prints what was covered. Three machines: the INF's configuration, the same with
/// `RestoreOnUnload` = 0, and BFE stopped at boot (a boot-start driver). About 11,000 runs,
/// seconds on one core.
#[test]
fn every_external_call_fails_once_and_in_pairs() {
    let _one = sim::exclusive();
    let mut no_restore = Machine::default_config();
    no_restore.values[1].2 = 0_u32.to_le_bytes().to_vec();
    let machines = [
        ("INF configuration", Machine::default_config()),
        ("RestoreOnUnload = 0", no_restore),
        ("BFE stopped at boot", bfe_machine(sim::STOPPED)),
    ];
    let mut failed_sites = std::collections::BTreeSet::new();
    let mut called_sites = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for (label, machine) in &machines {
        let configured = sim::scenario::configured_dacl(&Machine {
            bfe: sim::RUNNING,
            ..machine.clone()
        });
        let baseline = sim::scenario::run(machine, FaultPlan::default(), &configured);
        assert_eq!(
            baseline.problems,
            Vec::<String>::new(),
            "{label}: fault-free run"
        );
        let total = baseline.failable_calls;
        called_sites.extend(baseline.called_sites.clone());
        let mut plans: Vec<Vec<usize>> = (1..=total).map(|n| vec![n]).collect();
        for n in 1..=total {
            for m in n + 1..=total {
                plans.push(vec![n, m]);
            }
        }
        let runs = plans.len();
        for plan in plans {
            let fail_at = plan.iter().copied().collect();
            let run = sim::scenario::run(machine, FaultPlan { fail_at }, &configured);
            failed_sites.extend(run.failed_sites);
            called_sites.extend(run.called_sites);
            if !run.problems.is_empty() {
                failures.push(format!("{label}, fail_at {plan:?}: {:?}", run.problems));
            }
        }
        println!(
            "fault plans ({label}): {runs} runs over {total} failable calls (every single failure and every pair)"
        );
    }
    let failable: Vec<&str> = sim::kernel::FAILABLE_SITES
        .iter()
        .copied()
        .filter(|s| called_sites.contains(*s))
        .collect();
    let never_failed: Vec<&&str> = failable
        .iter()
        .filter(|s| !failed_sites.contains(**s))
        .collect();
    println!(
        "external calls failed at least once: {} of {}",
        failable.len() - never_failed.len(),
        failable.len()
    );
    let not_called: Vec<&&str> = sim::kernel::FAILABLE_SITES
        .iter()
        .filter(|s| !called_sites.contains(**s))
        .collect();
    if !not_called.is_empty() {
        println!("simulated but never called by the driver: {not_called:?}");
    }
    assert!(never_failed.is_empty(), "never failed: {never_failed:?}");
    assert!(
        failures.is_empty(),
        "{} failing runs:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn an_allowed_unsafe_dacl_is_applied_with_a_warning_and_restored() {
    let _one = sim::exclusive();
    let machine = Machine {
        values: vec![
            ("Principals", 7, sim::multi_sz(&["BA:GENERIC_READ"])),
            ("AllowUnsafeDacl", 4, 1_u32.to_le_bytes().to_vec()),
            ("RestoreOnUnload", 4, 1_u32.to_le_bytes().to_vec()),
        ],
        ..Machine::default_config()
    };
    let configured = sim::scenario::configured_dacl(&machine);
    let run = sim::scenario::run(&machine, FaultPlan::default(), &configured);
    assert_eq!(run.problems, Vec::<String>::new());
    assert!(
        run.events.iter().any(|n| n == "PolicyWarning"),
        "{:?}",
        run.events
    );
    assert_eq!(run.final_dacl, sim::original_descriptor().dacl);
}

#[test]
fn a_stored_original_from_an_earlier_load_is_used_and_bad_ones_are_refused() {
    let _one = sim::exclusive();
    let machine = Machine::default_config();
    let configured = sim::scenario::configured_dacl(&machine);
    let original = sim::sd::serialize(&sim::original_descriptor()).0;
    // A crash after the first set: the original is stored and the configured DACL is live.
    let mut crashed = machine.clone();
    crashed.values.push(("OriginalDacl", 3, original.clone()));
    let run = sim::scenario::run(&crashed, FaultPlan::default(), &configured);
    assert_eq!(run.problems, Vec::<String>::new());
    assert_eq!(run.final_dacl, sim::original_descriptor().dacl);
    // A stored value of the wrong type, or larger than any descriptor: never used as the
    // original; whatever the driver does, the checks hold.
    for bad in [(1_u32, original.clone()), (3, vec![0_u8; 70_000])] {
        let mut machine = machine.clone();
        machine.values.push(("OriginalDacl", bad.0, bad.1));
        let run = sim::scenario::run(&machine, FaultPlan::default(), &configured);
        assert_eq!(run.problems, Vec::<String>::new(), "{:?}", run.events);
    }
}

#[test]
fn classify_without_an_output_touches_nothing() {
    let _one = sim::exclusive();
    sim::boot(&Machine::default_config(), FaultPlan::default());
    assert_eq!(sim::driver_entry(), 0);
    sim::classify_without_out();
    sim::unload();
    assert_eq!(sim::problems(), Vec::<String>::new());
}

#[test]
fn the_simulator_flags_a_passive_level_call_at_dispatch_level() {
    let _one = sim::exclusive();
    sim::boot(&Machine::default_config(), FaultPlan::default());
    sim::kernel::IRQL.with(|i| i.set(2));
    sim::with(|k| {
        k.call("FwpmEngineOpen0(static)", false);
        k.call("ExAllocatePool2", false);
    });
    sim::kernel::IRQL.with(|i| i.set(0));
    assert_eq!(
        sim::with(|k| k.violations.clone()),
        vec!["FwpmEngineOpen0(static) called at IRQL 2".to_owned()]
    );
}

#[test]
fn callbacks_in_flight_during_unload_find_no_state_and_change_nothing() {
    let _one = sim::exclusive();
    sim::boot(&Machine::default_config(), FaultPlan::default());
    let original = sim::descriptor();
    assert_eq!(sim::driver_entry(), 0);
    sim::with(|k| k.callbacks_in_flight_at_teardown = true);
    let outcomes = |names: &[String]| {
        names
            .iter()
            .filter(|n| sim::scenario::OUTCOME_EVENTS.contains(&n.as_str()))
            .count()
    };
    let before = outcomes(&sim::event_names());
    sim::unload();
    // The BFE notification and the retry that were in progress ran after the state was taken
    // out: only on_unload's outcome is added, and everything is released.
    assert_eq!(
        outcomes(&sim::event_names()),
        before + 1,
        "{:?}",
        sim::event_names()
    );
    assert_eq!(sim::descriptor(), original);
    assert_eq!(sim::problems(), Vec::<String>::new());
}
