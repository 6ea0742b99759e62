//! The callout's ETW events, through `connsec-events` (the driver's `TraceLogging` provider).
//!
//! One adapter module, so that the event functions' exact signatures are named in one place.
//!
//! `connsec-events` has no teardown event yet, so a failed undo step (during the unwind of a
//! failed registration, or at unload) is written as `CalloutRegistrationFailed` whose `RegistrationStep` is
//! the undo step's name (`abort_transaction`, `close_session`, `unregister_callout_v4`,
//! `unregister_callout_v6`), which no registration step shares.

use connsec_callout::plan::{Failure, Undo};
use connsec_nt::NtStatus;

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
    connsec_events::callout_registration_failed(undo.name(), status.0);
}
