//! What the driver holds between `DriverEntry` and `EvtDriverUnload`, and the unload order.

use connsec_callout::lifecycle::{self, CalloutAction};
use connsec_events::EtwSink;
use connsec_policy::{Config, Controller, ORIGINAL_MAX_LEN, Policy, PolicyDacl, PolicyError};
use wdk_sys::{NTSTATUS, WDFDRIVER};

use crate::{
    bfe::{self, BfeSubscription},
    callout,
    device::ControlDevice,
    etw::EtwRegistration,
    kernel_engine::KernelEngine,
    original::RegistryStore,
    pool::PoolBuffer,
    timer::RetryTimer,
};

/// The policy crate's controller over the kernel engine and `Parameters\OriginalDacl`.
type PolicyController = Controller<KernelEngine, RegistryStore, PoolBuffer>;

/// The DACL flow: the policy crate's controller, which owns its two pool buffers (the DACL and
/// the original descriptor).
pub(crate) struct PolicyState {
    controller: PolicyController,
}

/// Why [`PolicyState::build`] failed.
pub(crate) enum BuildError<'a> {
    /// The policy crate refused the configuration or could not build the DACL.
    Policy(PolicyError<'a>),
    /// A pool allocation failed.
    Status(NTSTATUS),
}

impl PolicyState {
    /// Builds the DACL from `config` into pool memory (exactly the bytes the policy crate
    /// produces), allocates the original-descriptor buffer and creates the controller, which
    /// keeps the original in `driver`'s `Parameters\OriginalDacl`. Nothing is applied here.
    pub(crate) fn build<'a>(
        config: &Config<'a>,
        driver: WDFDRIVER,
    ) -> Result<Self, BuildError<'a>> {
        let needed = Policy::required_len(config).map_err(BuildError::Policy)?;
        let dacl_buffer = PoolBuffer::try_zeroed(needed).map_err(BuildError::Status)?;
        let original_buffer =
            PoolBuffer::try_zeroed(ORIGINAL_MAX_LEN).map_err(BuildError::Status)?;
        let (dacl, report) = PolicyDacl::build(config, dacl_buffer).map_err(BuildError::Policy)?;
        for warning in report.warnings() {
            connsec_events::policy_warning(&warning);
        }
        let controller = Controller::new(
            KernelEngine,
            RegistryStore::new(driver),
            dacl,
            original_buffer,
            config.restore_on_unload,
        );
        Ok(Self { controller })
    }

    /// The controller (to call `on_load` and `on_bfe_state_change` on).
    pub(crate) const fn controller(&mut self) -> &mut PolicyController {
        &mut self.controller
    }
}

/// The callout module's registration, movable between the threads that hold the global lock.
pub(crate) struct CalloutRegistration(pub(crate) callout::Registration);

#[allow(
    clippy::non_send_fields_in_send_ty,
    reason = "the raw handles are what this impl vouches for"
)]
// SAFETY: the registration holds WFP handles, a callout id and the device pointer, all of which
// may be used from any thread at PASSIVE_LEVEL; the driver only ever reaches it through the
// global state, under its wait lock, or by value during teardown.
unsafe impl Send for CalloutRegistration {}

/// Everything the loaded driver owns. Each field releases its resource exactly once; the
/// order they are released in is [`DriverState::shutdown`]'s, not the field order.
pub(crate) struct DriverState {
    /// The BFE state-change subscription (set right after the state is published).
    pub(crate) subscription: Option<BfeSubscription>,
    /// The registered callouts, if their registration succeeded.
    pub(crate) callout: Option<CalloutRegistration>,
    /// The DACL flow.
    pub(crate) policy: PolicyState,
    /// The retry timer (`None` if it could not be created: transient failures then wait for
    /// the next BFE restart).
    pub(crate) retry: Option<RetryTimer>,
    /// The control device (its WDM device object is what WFP was given).
    pub(crate) device: ControlDevice,
    /// The ETW provider's registration.
    pub(crate) etw: EtwRegistration,
}

impl DriverState {
    /// After a controller call: (re)arm the retry timer with the delay the controller asks
    /// for, if any. Runs under the global lock (`WdfTimerStart` does not wait for anything).
    pub(crate) fn schedule_retry(&mut self) {
        if let Some(delay_ms) = self.policy.controller().next_retry()
            && let Some(timer) = &self.retry
        {
            timer.start(delay_ms);
        }
    }

    /// Registers the callouts if they are not registered and BFE runs (`FwpmEngineOpen0`, one of
    /// the registration steps, needs it). Called under the global lock at `PASSIVE_LEVEL`: from
    /// `DriverEntry` after the first apply, and from the BFE state callback on `RUNNING`, which
    /// is what registers them at all when the driver starts before BFE (`StartType = 0`). A
    /// failure was already reported by an ETW event and fully unwound; the next `RUNNING`
    /// notification tries again.
    pub(crate) fn register_callout_if_needed(&mut self) {
        let action = lifecycle::on_bfe_state(bfe::current_state(), self.callout.is_some());
        if action != CalloutAction::Register {
            return;
        }
        let device = self.device.wdm_device_object();
        // SAFETY: 1. PASSIVE_LEVEL (DriverEntry or the BFE state callback, both under the global
        //            wait lock);
        //         2. `device` is the WDM object of `self.device`, which `shutdown` (and
        //            `release_callout`) delete only after `Registration::unregister` returned.
        let registered = unsafe { callout::register(device) };
        if let Ok(registration) = registered {
            self.callout = Some(CalloutRegistration(registration));
        }
    }

    /// Unregisters the callouts when BFE stops: the dynamic session's filters, callouts,
    /// sublayer and provider go away with BFE, so the registration is ended here (closing the
    /// session while BFE is still `STOP_PENDING`, as Microsoft's `WFPSampler` closes its engine handle) and
    /// [`register_callout_if_needed`](Self::register_callout_if_needed) registers afresh on the
    /// next `RUNNING`. Called from the BFE state callback under the global lock, at
    /// `PASSIVE_LEVEL`; it does not touch the BFE subscription.
    pub(crate) fn release_callout(&mut self) {
        if let Some(CalloutRegistration(callout)) = self.callout.take() {
            callout.unregister();
        }
    }

    /// Tears everything down in the safe order (below). Runs at `PASSIVE_LEVEL` in
    /// `EvtDriverUnload`, or in `DriverEntry` when it fails after publishing the state; never
    /// with the global lock held and never in the BFE callback.
    pub(crate) fn shutdown(self) {
        let Self {
            subscription,
            callout,
            mut policy,
            retry,
            device,
            etw,
        } = self;

        // 1. Stop BFE notifications. This waits for a callback in progress, which is why the
        //    state was taken out of the global first: that callback finds `None` and returns.
        if let Some(subscription) = subscription {
            let _status = subscription.unsubscribe();
        }

        // 1b. Stop the retry timer; this waits for a retry in progress, which (like the BFE
        //     callback) finds no state and returns.
        if let Some(retry) = retry {
            retry.stop();
        }

        // 2. Restore the original descriptor when configured (the controller decides whether,
        //    and reports the outcome as one event).
        policy.controller().on_unload(&mut EtwSink);

        // 3. Unregister the callouts (they close their own dynamic session first), then report
        //    the final classify counts.
        if let Some(CalloutRegistration(callout)) = callout {
            callout.unregister();
            let counts = callout::counts();
            connsec_events::callout_counts(counts.v4, counts.v6);
        }

        // 4. Close sessions: the flow opens one per attempt and closes it before returning, so
        //    none is left open here; dropping the flow frees its DACL and original buffers.
        drop(policy);

        // 5. Delete the control device (nothing refers to its DEVICE_OBJECT any more).
        device.delete();

        // 6. Last event, then unregister the ETW provider, last of all.
        connsec_events::driver_unloading();
        drop(etw);
    }
}
