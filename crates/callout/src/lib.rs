//! The connsec WFP callout, minus the FFI.
//!
//! connsec registers one counting callout at each of the two ALE auth-connect layers
//! (`FWPM_LAYER_ALE_AUTH_CONNECT_V4`/`_V6`). Every decision about it that is not a call into the
//! kernel lives here, so that it is tested on Linux and the driver (`driver/src/callout/`) only
//! translates it into `Fwps*`/`Fwpm*` calls:
//!
//! - [`keys`]: the fixed GUIDs (as `connsec_nt::Guid`) of the provider, the sublayer, the two callouts and
//!   the two filters, and the SDK values of the layer GUIDs they attach to;
//! - [`Layer`]: which layers, with their display names (as `&str` and as NUL-terminated UTF-16
//!   for `FWPM_DISPLAY_DATA0`);
//! - [`plan`]: the registration steps in order, the undo step each one needs, the exact unwind
//!   order after a failure at any step, the teardown at unload, and a runner over a small
//!   [`plan::Executor`] trait that the driver implements with the real calls;
//! - [`lifecycle`]: when BFE state changes register or release the callout;
//! - [`classify`]: what the classify function writes into `FWPS_CLASSIFY_OUT0`;
//! - [`Counters`]: the per-layer classification counters, safe at `DISPATCH_LEVEL`.
//!
//! The crate is `no_std`, allocates nothing and has no `unsafe`; nothing in it can panic.

#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
    )
)]

#[cfg(test)]
extern crate std;

pub mod classify;
mod counters;
pub mod keys;
mod layer;
pub mod lifecycle;
pub mod plan;

pub use counters::{Counters, Snapshot};
pub use layer::Layer;
