//! The callout's ETW events, through `connsec-events` (the driver's `TraceLogging` provider).
//!
//! One adapter module, so that the event functions' exact signatures are named in one place.

use connsec_callout::plan::{Failure, Undo};
use connsec_callout::NtStatus;

/// Registration succeeded: the callouts are registered and their filters are in place.
pub(super) fn registered() {
    connsec_events::callout_registered();
}

/// Registration failed at `failure.step` and was unwound; one more event per undo step that
/// failed too.
pub(super) fn registration_failed(failure: &Failure) {
    connsec_events::callout_registration_failed(failure.step.name(), failure.status.0);
    for (undo, status) in failure.undo_failures.iter() {
        teardown_failed(undo, status);
    }
}

/// An undo step (unwind or unload) failed.
pub(super) fn teardown_failed(undo: Undo, status: NtStatus) {
    connsec_events::callout_teardown_failed(undo.name(), status.0);
}
