//! What the classify function writes into `FWPS_CLASSIFY_OUT0`.
//!
//! The connsec callout observes; it never blocks. The classify documentation
//! (`FWPS_CALLOUT_CLASSIFY_FN3`, remarks) gives the rules this follows:
//!
//! - a callout may only write `actionType` when `FWPS_RIGHT_ACTION_WRITE` is set in
//!   `classifyOut->rights` (a higher-weight filter in the same sublayer may already have decided
//!   and cleared it; then connsec leaves the decision alone and only counts);
//! - it must clear `FWPS_RIGHT_ACTION_WRITE` when it sets `FWP_ACTION_BLOCK` (never here), or when
//!   it sets `FWP_ACTION_PERMIT` and the filter carries `FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT`;
//!   otherwise a permit leaves the right set, so lower-weight filters can still override it (a
//!   "soft" permit).
//!
//! The constants are the header values; the driver checks them against its bindgen output with
//! `const` assertions, so a mismatch fails the Windows build.

/// `FWPS_RIGHT_ACTION_WRITE` (`fwpstypes.h`): the callout may write `actionType`.
pub const FWPS_RIGHT_ACTION_WRITE: u32 = 0x0000_0001;

/// `FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT` (`fwpstypes.h`, in `FWPS_FILTER3.flags`).
pub const FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT: u32 = 0x0001;

/// `FWP_ACTION_FLAG_TERMINATING` (`fwptypes.h`).
pub const FWP_ACTION_FLAG_TERMINATING: u32 = 0x0000_1000;

/// `FWP_ACTION_FLAG_CALLOUT` (`fwptypes.h`).
pub const FWP_ACTION_FLAG_CALLOUT: u32 = 0x0000_4000;

/// `FWP_ACTION_PERMIT` = `0x2 | FWP_ACTION_FLAG_TERMINATING` (`fwptypes.h`).
pub const FWP_ACTION_PERMIT: u32 = 0x0000_0002 | FWP_ACTION_FLAG_TERMINATING;

/// `FWP_ACTION_BLOCK` = `0x1 | FWP_ACTION_FLAG_TERMINATING` (`fwptypes.h`).
pub const FWP_ACTION_BLOCK: u32 = 0x0000_0001 | FWP_ACTION_FLAG_TERMINATING;

/// `FWP_ACTION_CALLOUT_TERMINATING` = `0x3 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING`
/// (`fwptypes.h`): the action type of the connsec filters.
pub const FWP_ACTION_CALLOUT_TERMINATING: u32 =
    0x0000_0003 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING;

/// The two `FWPS_CLASSIFY_OUT0` fields the callout touches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ClassifyOut {
    /// `actionType`.
    pub action_type: u32,
    /// `rights`.
    pub rights: u32,
}

/// Applies the connsec verdict (permit everything) to `out`, for a filter with `filter_flags`
/// (`FWPS_FILTER3.flags`). Returns whether the action was written.
pub const fn permit(out: &mut ClassifyOut, filter_flags: u32) -> bool {
    if out.rights & FWPS_RIGHT_ACTION_WRITE == 0 {
        return false;
    }
    out.action_type = FWP_ACTION_PERMIT;
    if filter_flags & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT != 0 {
        out.rights &= !FWPS_RIGHT_ACTION_WRITE;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values() {
        assert_eq!(FWP_ACTION_PERMIT, 0x1002);
        assert_eq!(FWP_ACTION_BLOCK, 0x1001);
        assert_eq!(FWP_ACTION_CALLOUT_TERMINATING, 0x5003);
    }

    /// Every combination of the two bits that matter, with the other bits of `rights` and
    /// `flags` set and clear: other bits are never touched.
    #[test]
    fn exhaustive_over_the_bits_that_matter() {
        for write_right in [false, true] {
            for clear_flag in [false, true] {
                for other_rights in [0u32, 0xFFFF_FFFE] {
                    for other_flags in [0u32, 0xFFFE] {
                        for before in [0u32, FWP_ACTION_BLOCK, 0x0000_0003] {
                            let rights = other_rights | u32::from(write_right);
                            let flags = other_flags | u32::from(clear_flag);
                            let mut out = ClassifyOut {
                                action_type: before,
                                rights,
                            };
                            let wrote = permit(&mut out, flags);
                            assert_eq!(wrote, write_right);
                            if write_right {
                                assert_eq!(out.action_type, FWP_ACTION_PERMIT);
                                let expected_rights = if clear_flag {
                                    rights & !FWPS_RIGHT_ACTION_WRITE
                                } else {
                                    rights
                                };
                                assert_eq!(out.rights, expected_rights);
                            } else {
                                // No right: nothing is written at all.
                                assert_eq!(
                                    out,
                                    ClassifyOut {
                                        action_type: before,
                                        rights
                                    }
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
