//! The Base Filtering Engine's state, `FWPM_SERVICE_STATE` (`fwpmtypes.h`).

/// `FWPM_SERVICE_STATE`, as `FwpmBfeStateGet0` and the state-change callback report it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BfeState {
    /// `FWPM_SERVICE_STOPPED` (0).
    Stopped,
    /// `FWPM_SERVICE_START_PENDING` (1).
    StartPending,
    /// `FWPM_SERVICE_STOP_PENDING` (2).
    StopPending,
    /// `FWPM_SERVICE_RUNNING` (3).
    Running,
    /// Any other value.
    Unknown(u32),
}

impl From<u32> for BfeState {
    fn from(v: u32) -> Self {
        match v {
            0 => Self::Stopped,
            1 => Self::StartPending,
            2 => Self::StopPending,
            3 => Self::Running,
            other => Self::Unknown(other),
        }
    }
}

impl From<BfeState> for u32 {
    fn from(s: BfeState) -> Self {
        match s {
            BfeState::Stopped => 0,
            BfeState::StartPending => 1,
            BfeState::StopPending => 2,
            BfeState::Running => 3,
            BfeState::Unknown(v) => v,
        }
    }
}

impl BfeState {
    /// The state from the C enum as bindgen emits it (`i32` for MSVC); a negative value, which
    /// no state has, is `Unknown(u32::MAX)` rather than a wrapped number.
    #[must_use]
    pub fn from_raw(state: i32) -> Self {
        u32::try_from(state).map_or(Self::Unknown(u32::MAX), Self::from)
    }

    /// The `FWPM_SERVICE_*` name without its prefix.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Stopped => "STOPPED",
            Self::StartPending => "START_PENDING",
            Self::StopPending => "STOP_PENDING",
            Self::Running => "RUNNING",
            Self::Unknown(_) => "UNKNOWN",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BfeState;

    #[test]
    fn values_round_trip_and_negatives_are_unknown() {
        for v in 0..6_u32 {
            assert_eq!(u32::from(BfeState::from(v)), v);
        }
        assert_eq!(BfeState::from_raw(3), BfeState::Running);
        assert_eq!(BfeState::from_raw(4), BfeState::Unknown(4));
        assert_eq!(BfeState::from_raw(-1), BfeState::Unknown(u32::MAX));
        assert_eq!(BfeState::StopPending.name(), "STOP_PENDING");
        assert_eq!(BfeState::Unknown(9).name(), "UNKNOWN");
    }
}
