//! connsec policy: the service's `Parameters` key read from raw registry bytes
//! ([`config`]), WFP rights by name ([`rights`]), principals and service SIDs
//! ([`principal`]), the DACL they give and the checks before applying ([`policy`]), the
//! apply/restore flow over a small filter-engine trait ([`flow`]), how the driver reads the
//! key ([`registry_read`]) and whose fault a refused load is ([`status`]).
//!
//! Like the rustls core, this crate does no I/O: the driver reads the registry and calls WFP,
//! this crate decides. It is `no_std`, allocation-free and panic-free; every buffer that can be
//! large (the DACL, the original descriptor) is the caller's storage, sized with
//! `required_len`/[`ORIGINAL_MAX_LEN`], and the [`Controller`] owns it by value.
//!
//! Typical use in the driver (`PASSIVE_LEVEL`):
//!
//! ```text
//! let config = Config::parse(&values, &mut |w| events::config_warning(&w))?;
//! let (dacl, report) = PolicyDacl::build(&config, pool_alloc(Policy::required_len(&config)?)?)?;
//! let original = pool_alloc(ORIGINAL_MAX_LEN)?;
//! let mut ctl = Controller::new(WfpEngine, RegistryStore, dacl, original, config.restore_on_unload);
//! ctl.on_load(&mut EtwSink);
//! if let Some(ms) = ctl.next_retry() { timer.start(ms) }
//! ```

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

pub mod config;
pub mod flow;
pub mod original;
pub mod policy;
pub mod principal;
pub mod registry_read;
pub mod retry;
pub mod rights;
pub mod status;
mod text;

pub use config::{
    Config, ConfigError, ConfigErrorKind, ConfigWarning, DaclSource, PrincipalEntry, PrincipalList,
    RegType, RegValue, SddlText,
};
pub use flow::{
    BfeState, Controller, FilterEngine, OriginalEvent, OriginalStore, Outcome, OutcomeSink,
    PolicyDacl, RestoreSkip, Step, StoreOp,
};
pub use original::ORIGINAL_MAX_LEN;
pub use policy::{
    BroadPrincipal, CheckReport, Dacl, Policy, PolicyError, PolicyWarning, UnsafeReason, check_dacl,
};
pub use principal::{PrincipalError, PrincipalErrorKind, parse_principal, service_sid};
pub use rights::{RightsError, RightsErrorKind, parse_rights, write_rights};
pub use status::{LoadFault, NtStatus};
pub use text::Wide;
