//! When the callout is registered and released as the Base Filtering Engine comes and goes.
//!
//! The callout's WFP objects live in a dynamic session, and `FwpmEngineOpen0` (the plan's
//! `open_session` step) needs BFE running. So:
//!
//! - BFE `RUNNING` and nothing registered: **register** (at load when BFE already runs, and on
//!   the `RUNNING` notification when the driver starts before BFE, `StartType = 0`);
//! - BFE `STOP_PENDING` or `STOPPED` while registered: **release** (BFE drops the dynamic
//!   session's provider, sublayer, callouts and filters with it; the `FwpsCalloutRegister3`
//!   registrations stay until unregistered, so the next `RUNNING` must start from nothing);
//! - anything else (`START_PENDING`, an unknown state, `RUNNING` while registered, a stop
//!   while not registered): **nothing**.
//!
//! A registration that fails is reported and unwound by the plan; the next `RUNNING`
//! notification tries again.

use connsec_nt::BfeState;

/// What the driver does with the callout after a BFE state is known.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CalloutAction {
    /// Run the registration plan (`plan::register`).
    Register,
    /// Run the teardown (`plan::unregister`).
    Release,
    /// Leave the callout as it is.
    Nothing,
}

/// The action for BFE in `state` when the callout is (`registered`) or is not registered.
#[must_use]
pub const fn on_bfe_state(state: BfeState, registered: bool) -> CalloutAction {
    match (state, registered) {
        (BfeState::Running, false) => CalloutAction::Register,
        (BfeState::StopPending | BfeState::Stopped, true) => CalloutAction::Release,
        (BfeState::Running, true)
        | (BfeState::StopPending | BfeState::Stopped, false)
        | (BfeState::StartPending | BfeState::Unknown(_), _) => CalloutAction::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_registration() {
        use CalloutAction::{Nothing, Register, Release};
        let table = [
            (BfeState::Running, false, Register),
            (BfeState::Running, true, Nothing),
            (BfeState::StopPending, true, Release),
            (BfeState::StopPending, false, Nothing),
            (BfeState::Stopped, true, Release),
            (BfeState::Stopped, false, Nothing),
            (BfeState::StartPending, false, Nothing),
            (BfeState::StartPending, true, Nothing),
            (BfeState::Unknown(7), false, Nothing),
            (BfeState::Unknown(7), true, Nothing),
        ];
        for (state, registered, action) in table {
            assert_eq!(
                on_bfe_state(state, registered),
                action,
                "{state:?} {registered}"
            );
        }
    }

    #[test]
    fn a_bfe_restart_releases_then_registers_afresh() {
        // Registered, BFE stops, comes back: release once, register once.
        let mut registered = true;
        let mut actions = std::vec::Vec::new();
        for state in [
            BfeState::StopPending,
            BfeState::Stopped,
            BfeState::StartPending,
            BfeState::Running,
            BfeState::Running,
        ] {
            let action = on_bfe_state(state, registered);
            match action {
                CalloutAction::Register => registered = true,
                CalloutAction::Release => registered = false,
                CalloutAction::Nothing => {}
            }
            actions.push(action);
        }
        assert_eq!(
            actions,
            [
                CalloutAction::Release,
                CalloutAction::Nothing,
                CalloutAction::Nothing,
                CalloutAction::Register,
                CalloutAction::Nothing
            ]
        );
    }
}
