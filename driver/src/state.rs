//! What the driver holds between `DriverEntry` and `EvtDriverUnload`, and the unload order.

use connsec_callout::lifecycle::{self, CalloutAction};
use connsec_events::EtwSink;
use connsec_policy::{BfeState, Config, Controller, Policy, PolicyError, snapshot_len};
use wdk_sys::NTSTATUS;

use crate::{
    bfe::{self, BfeSubscription},
    callout,
    device::ControlDevice,
    etw::EtwRegistration,
    kernel_engine::KernelEngine,
    pool::PoolBuffer,
    timer::RetryTimer,
    timer::delay_ms,
};

/// The DACL flow: the policy crate's controller and the two pool buffers it borrows.
pub(crate) struct PolicyState {
    // Field order is drop order: the controller borrows `_dacl` and `_snapshot` (through
    // `PoolBuffer::as_static_mut`), so it must be dropped before them. Nothing else touches
    // the buffers while it lives.
    controller: Controller<'static, 'static, KernelEngine>,
    _dacl: PoolBuffer,
    _snapshot: PoolBuffer,
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
    /// produces), allocates the snapshot buffer and creates the controller. Nothing is
    /// applied here.
    pub(crate) fn build<'a>(config: &Config<'a>) -> Result<Self, BuildError<'a>> {
        let needed = Policy::required_len(config).map_err(BuildError::Policy)?;
        let mut dacl_buffer = PoolBuffer::try_zeroed(needed).map_err(BuildError::Status)?;
        let mut snapshot_buffer = PoolBuffer::try_zeroed(snapshot_len(config.restore_on_unload))
            .map_err(BuildError::Status)?;

        // SAFETY: 1. the slice is used only by `Policy::build` and then by the controller,
        //            which `PolicyState` drops before `_dacl` (field order);
        //         2. `dacl_buffer` is not used in any other way afterwards.
        let dacl_bytes = unsafe { dacl_buffer.as_static_mut() };
        let dacl = Policy::build(config, dacl_bytes).map_err(BuildError::Policy)?;
        for warning in dacl.report().warnings() {
            connsec_events::policy_warning(&warning);
        }

        // SAFETY: 1. the slice is used only by the controller, which `PolicyState` drops before
        //            `_snapshot` (field order);
        //         2. `snapshot_buffer` is not used in any other way afterwards.
        let snapshot_bytes = unsafe { snapshot_buffer.as_static_mut() };
        let controller = Controller::new(
            KernelEngine,
            &dacl,
            config.restore_on_unload,
            snapshot_bytes,
        );
        Ok(Self {
            controller,
            _dacl: dacl_buffer,
            _snapshot: snapshot_buffer,
        })
    }

    /// The controller (to call `on_load` and `on_bfe_state_change` on).
    pub(crate) const fn controller(&mut self) -> &mut Controller<'static, 'static, KernelEngine> {
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
    /// Retries scheduled since the last attempt that needed none (sets the back-off).
    pub(crate) retries: u32,
    /// The control device (its WDM device object is what WFP was given).
    pub(crate) device: ControlDevice,
    /// The ETW provider's registration.
    pub(crate) etw: EtwRegistration,
}

impl DriverState {
    /// After a controller call: (re)arm the retry timer while the last attempt failed with a
    /// transient status, with a doubling back-off; reset the back-off otherwise. While BFE is
    /// not running the timer is left alone: the `RUNNING` notification applies anyway. Runs
    /// under the global lock (`WdfTimerStart` does not wait for anything).
    pub(crate) fn schedule_retry(&mut self) {
        if self.policy.controller().retry_pending() && bfe::current_state() == BfeState::Running {
            if let Some(timer) = &self.retry {
                timer.start(delay_ms(self.retries));
                self.retries = self.retries.saturating_add(1);
            }
        } else if !self.policy.controller().retry_pending() {
            self.retries = 0;
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

    /// Tears everything down in the safe order (issue 4, item 4). Runs at `PASSIVE_LEVEL` in
    /// `EvtDriverUnload`, or in `DriverEntry` when it fails after publishing the state; never
    /// with the global lock held and never in the BFE callback.
    pub(crate) fn shutdown(self) {
        let Self {
            subscription,
            callout,
            mut policy,
            retry,
            retries: _,
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
        //    none is left open here; dropping the flow frees its DACL and snapshot buffers.
        drop(policy);

        // 5. Delete the control device (nothing refers to its DEVICE_OBJECT any more).
        device.delete();

        // 6. Last event, then unregister the ETW provider, last of all.
        connsec_events::driver_unloading();
        drop(etw);
    }
}
