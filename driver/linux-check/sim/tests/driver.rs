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
