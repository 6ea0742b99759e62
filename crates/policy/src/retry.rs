//! The retry schedule after a transient apply failure: 1 s, doubling, capped at 60 s.
//!
//! The [`Controller`](crate::flow::Controller) owns a [`Backoff`] and answers
//! [`Controller::next_retry`](crate::flow::Controller::next_retry) with it; the driver only arms
//! its timer with the delay it is told. Hand-written: the schedule is three lines of saturating
//! arithmetic, and the back-off crates on crates.io (`backoff`, `backon`) need `std` timers.

/// First retry delay, in milliseconds; each further retry doubles it, up to [`MAX_DELAY_MS`].
pub const FIRST_DELAY_MS: u32 = 1_000;
/// Longest retry delay, in milliseconds.
pub const MAX_DELAY_MS: u32 = 60_000;

/// The delay before retry number `retry` (0-based): 1 s, 2 s, 4 s, … capped at 60 s.
#[must_use]
pub const fn delay_ms(retry: u32) -> u32 {
    let factor = match 1_u32.checked_shl(if retry > 16 { 16 } else { retry }) {
        Some(factor) => factor,
        None => u32::MAX,
    };
    let delay = FIRST_DELAY_MS.saturating_mul(factor);
    if delay > MAX_DELAY_MS {
        MAX_DELAY_MS
    } else {
        delay
    }
}

/// The load's answer to a retry timer that could not be created (`WdfTimerCreate` failed):
/// go on without one (`None`). Transient failures then wait for the next BFE `RUNNING`
/// notification; the timer only shortens that wait, whereas failing the load would leave the
/// connection objects guarded by their original descriptor.
pub fn timer_or_none<T, E>(created: Result<T, E>) -> Option<T> {
    created.ok()
}

/// Counts the retries scheduled since the last attempt that needed none.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Backoff {
    retries: u32,
}

impl Backoff {
    /// The delay for the next retry, counting it.
    pub fn next_delay(&mut self) -> u32 {
        let delay = delay_ms(self.retries);
        self.retries = self.retries.saturating_add(1);
        delay
    }

    /// Back to the first delay (after an attempt that needs no retry).
    pub fn reset(&mut self) {
        self.retries = 0;
    }

    /// Retries counted so far.
    #[must_use]
    pub fn retries(&self) -> u32 {
        self.retries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_one_second_up_to_a_minute() {
        let delays: [u32; 9] = core::array::from_fn(|i| delay_ms(u32::try_from(i).unwrap()));
        assert_eq!(
            delays,
            [
                1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000
            ]
        );
        assert_eq!(delay_ms(u32::MAX), MAX_DELAY_MS);
    }

    #[test]
    fn the_load_goes_on_without_a_timer() {
        assert_eq!(timer_or_none::<u8, _>(Err(0xC000_009A_u32)), None);
        assert_eq!(timer_or_none::<u8, u32>(Ok(7)), Some(7));
    }

    #[test]
    fn backoff_counts_and_resets() {
        let mut b = Backoff::default();
        assert_eq!(
            [b.next_delay(), b.next_delay(), b.next_delay()],
            [1_000, 2_000, 4_000]
        );
        assert_eq!(b.retries(), 3);
        b.reset();
        assert_eq!(b.next_delay(), 1_000);
    }
}
