//! Per-layer counts of classified connections.
//!
//! `classifyFn` runs at IRQL <= `DISPATCH_LEVEL`, concurrently on every processor, so the counts
//! are lock-free atomics in non-paged static memory (the driver keeps one `static Counters`).
//! Increments are `Relaxed`: each counter is an independent statistic and nothing is ordered
//! against it. The final read at unload happens after the filters are gone and the callouts are
//! unregistered, so no new classify call starts; whether `FwpsCalloutUnregisterById0` also waits
//! for calls already running on other processors is not documented, so the final count may miss
//! such a last increment (the statistic is exact otherwise). A counter
//! wraps at `u64::MAX` instead of panicking; at one connection per nanosecond that takes 584
//! years.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::Layer;

/// The counters, one per [`Layer`].
#[derive(Debug, Default)]
pub struct Counters {
    v4: AtomicU64,
    v6: AtomicU64,
}

/// The counts at one moment.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Snapshot {
    /// Connections classified at `ALE_AUTH_CONNECT_V4`.
    pub v4: u64,
    /// Connections classified at `ALE_AUTH_CONNECT_V6`.
    pub v6: u64,
}

impl Snapshot {
    /// The count for one layer.
    #[must_use]
    pub const fn get(&self, layer: Layer) -> u64 {
        match layer {
            Layer::AleAuthConnectV4 => self.v4,
            Layer::AleAuthConnectV6 => self.v6,
        }
    }
}

impl Counters {
    /// All counts zero; usable in a `static`.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            v4: AtomicU64::new(0),
            v6: AtomicU64::new(0),
        }
    }

    const fn counter(&self, layer: Layer) -> &AtomicU64 {
        match layer {
            Layer::AleAuthConnectV4 => &self.v4,
            Layer::AleAuthConnectV6 => &self.v6,
        }
    }

    /// Counts one classified connection at `layer` (relaxed, wrapping, any IRQL).
    pub fn record(&self, layer: Layer) {
        self.counter(layer).fetch_add(1, Ordering::Relaxed);
    }

    /// Reads both counts.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            v4: self.v4.load(Ordering::Relaxed),
            v6: self.v6.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_layer() {
        let c = Counters::new();
        assert_eq!(c.snapshot(), Snapshot { v4: 0, v6: 0 });
        c.record(Layer::AleAuthConnectV4);
        c.record(Layer::AleAuthConnectV4);
        c.record(Layer::AleAuthConnectV6);
        let s = c.snapshot();
        assert_eq!(s, Snapshot { v4: 2, v6: 1 });
        assert_eq!(s.get(Layer::AleAuthConnectV4), 2);
        assert_eq!(s.get(Layer::AleAuthConnectV6), 1);
    }

    #[test]
    fn concurrent_increments_are_not_lost() {
        static C: Counters = Counters::new();
        let threads: std::vec::Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    let layer = if i % 2 == 0 {
                        Layer::AleAuthConnectV4
                    } else {
                        Layer::AleAuthConnectV6
                    };
                    for _ in 0..10_000 {
                        C.record(layer);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(
            C.snapshot(),
            Snapshot {
                v4: 40_000,
                v6: 40_000
            }
        );
    }

    #[test]
    fn wraps_instead_of_panicking() {
        let c = Counters {
            v4: AtomicU64::new(u64::MAX),
            v6: AtomicU64::new(0),
        };
        c.record(Layer::AleAuthConnectV4);
        assert_eq!(c.snapshot().v4, 0);
    }
}
