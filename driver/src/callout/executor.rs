//! `connsec_callout::plan::Executor` over the real WFP calls.
//!
//! Each [`RegistrationStep`] is one WFP call; each [`Undo`] consumes the RAII object the matching step
//! created. The order is the plan's (`plan::STEPS`, `plan::unwind`, `plan::TEARDOWN`), not this
//! module's. The management objects (provider, sublayer, callouts, filters) are added inside the
//! transaction and are never deleted one by one: the abort removes them before the commit, and
//! closing the dynamic session removes them after it.

use core::ffi::c_void;
use core::ptr;

use connsec_callout::plan::{Executor, RegistrationStep, Undo};
use connsec_callout::{Layer, keys};
use connsec_nt::NtStatus;

use super::guid;
use super::registration::RegisteredCallout;
use super::transaction::Transaction;
use crate::session::{EngineSession, SessionKind};
use crate::status::check;
use crate::wfp;

/// `STATUS_INVALID_DEVICE_STATE`: a step or undo arrived in a state the plan never produces
/// (for example an abort with no transaction). Only a bug in the plan could cause it.
const STATUS_INVALID_DEVICE_STATE: NtStatus = NtStatus::INVALID_DEVICE_STATE;

const PROVIDER_NAME: &[u16] = connsec_nt::wide!("connsec");
const PROVIDER_DESCRIPTION: &[u16] =
    connsec_nt::wide!("connsec WFP callout driver (connection-object DACL, ALE counters)");
const SUBLAYER_NAME: &[u16] = connsec_nt::wide!("connsec sublayer");

/// Weight of the connsec sublayer among sublayers. 0, the lowest, as Microsoft's `inspect`
/// sample uses: connsec only observes, so it has no reason to be evaluated before anyone.
const SUBLAYER_WEIGHT: u16 = 0;

/// Every WFP object the callout owns. Fields drop in declaration order, which is the teardown
/// order (`plan::TEARDOWN`, with the abort in front for an uncommitted transaction): `Drop` is
/// only the safety net behind `plan::unwind`/`plan::unregister`.
pub(super) struct Wfp {
    txn: Option<Transaction>,
    session: Option<EngineSession>,
    callout_v6: Option<RegisteredCallout>,
    callout_v4: Option<RegisteredCallout>,
    /// The control device's `DEVICE_OBJECT`, for `FwpsCalloutRegister3`.
    device: *mut c_void,
}

/// `FWPM_DISPLAY_DATA0` over static wide strings (WFP copies them; the pointers are never
/// written through, the `*mut` is only the C declaration's).
fn display(name: &'static [u16], description: Option<&'static [u16]>) -> wfp::FWPM_DISPLAY_DATA0 {
    wfp::FWPM_DISPLAY_DATA0 {
        name: name.as_ptr().cast_mut(),
        description: description.map_or(ptr::null_mut(), |d| d.as_ptr().cast_mut()),
    }
}

impl Wfp {
    pub(super) const fn new(device: *mut c_void) -> Self {
        Self {
            txn: None,
            session: None,
            callout_v6: None,
            callout_v4: None,
            device,
        }
    }

    const fn callout_slot(&mut self, layer: Layer) -> &mut Option<RegisteredCallout> {
        match layer {
            Layer::AleAuthConnectV4 => &mut self.callout_v4,
            Layer::AleAuthConnectV6 => &mut self.callout_v6,
        }
    }

    /// The session handle, for a step inside the transaction.
    const fn engine(&self) -> Result<wfp::HANDLE, NtStatus> {
        match (&self.session, &self.txn) {
            (Some(session), Some(_)) => Ok(session.handle()),
            _ => Err(STATUS_INVALID_DEVICE_STATE),
        }
    }

    fn add_provider(&self) -> Result<(), NtStatus> {
        let engine = self.engine()?;
        let provider = wfp::FWPM_PROVIDER0 {
            providerKey: guid(keys::PROVIDER),
            displayData: display(PROVIDER_NAME, Some(PROVIDER_DESCRIPTION)),
            // Not FWPM_PROVIDER_FLAG_PERSISTENT: it lives and dies with the dynamic session.
            flags: 0,
            ..Default::default()
        };
        let status;
        // SAFETY:
        // 1. `engine` is the open dynamic session with a transaction begun (`self.engine()`).
        // 2. `provider` and the strings it points to outlive the call; BFE copies them.
        // 3. The security descriptor argument may be null (default security).
        // 4. IRQL: PASSIVE_LEVEL (registration).
        unsafe {
            status = wfp::FwpmProviderAdd0(engine, &raw const provider, ptr::null_mut());
        }
        check(status)
    }

    fn add_sublayer(&self) -> Result<(), NtStatus> {
        let engine = self.engine()?;
        let mut provider_key = guid(keys::PROVIDER);
        let sublayer = wfp::FWPM_SUBLAYER0 {
            subLayerKey: guid(keys::SUBLAYER),
            displayData: display(SUBLAYER_NAME, None),
            flags: 0,
            providerKey: &raw mut provider_key,
            weight: SUBLAYER_WEIGHT,
            ..Default::default()
        };
        let status;
        // SAFETY:
        // 1. `engine` is the open dynamic session inside its transaction.
        // 2. `sublayer`, the provider key it points to and the static name outlive the call.
        // 3. Null security descriptor = default security.
        // 4. IRQL: PASSIVE_LEVEL (registration).
        unsafe {
            status = wfp::FwpmSubLayerAdd0(engine, &raw const sublayer, ptr::null_mut());
        }
        check(status)
    }

    fn add_callout(&self, layer: Layer) -> Result<(), NtStatus> {
        let engine = self.engine()?;
        let mut provider_key = guid(keys::PROVIDER);
        let callout = wfp::FWPM_CALLOUT0 {
            calloutKey: guid(layer.callout_key()),
            displayData: display(layer.callout_name_wide(), None),
            flags: 0,
            providerKey: &raw mut provider_key,
            applicableLayer: guid(layer.layer_key()),
            ..Default::default()
        };
        let status;
        // SAFETY:
        // 1. `engine` is the open dynamic session inside its transaction.
        // 2. `callout`, the provider key and the static name outlive the call.
        // 3. Null security descriptor = default; null `id`: the run-time id is not needed.
        // 4. IRQL: PASSIVE_LEVEL (registration).
        unsafe {
            status =
                wfp::FwpmCalloutAdd0(engine, &raw const callout, ptr::null_mut(), ptr::null_mut());
        }
        check(status)
    }

    fn add_filter(&self, layer: Layer) -> Result<(), NtStatus> {
        let engine = self.engine()?;
        let mut provider_key = guid(keys::PROVIDER);
        let mut filter = wfp::FWPM_FILTER0 {
            filterKey: guid(layer.filter_key()),
            displayData: display(layer.filter_name_wide(), None),
            // A filter whose terminating callout is not registered blocks
            // (`FwpsCalloutUnregisterById0` remarks); with this flag it permits instead.
            flags: wfp::FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED,
            providerKey: &raw mut provider_key,
            layerKey: guid(layer.layer_key()),
            subLayerKey: guid(keys::SUBLAYER),
            // `weight` stays zeroed = FWP_EMPTY: BFE assigns the weight ("auto-weight", as the
            // samples do). No conditions: every connection at the layer is classified.
            numFilterConditions: 0,
            filterCondition: ptr::null_mut(),
            ..Default::default()
        };
        filter.action.type_ = connsec_callout::classify::FWP_ACTION_CALLOUT_TERMINATING;
        filter.action.__bindgen_anon_1.calloutKey = guid(layer.callout_key());
        let status;
        // SAFETY:
        // 1. `engine` is the open dynamic session inside its transaction.
        // 2. `filter`, the provider key and the static name outlive the call; BFE copies them.
        // 3. Null security descriptor = default; null `id`: the filter id is not needed.
        // 4. IRQL: PASSIVE_LEVEL (registration).
        unsafe {
            status =
                wfp::FwpmFilterAdd0(engine, &raw const filter, ptr::null_mut(), ptr::null_mut());
        }
        check(status)
    }
}

impl Executor for Wfp {
    fn execute(&mut self, step: RegistrationStep) -> Result<(), NtStatus> {
        match step {
            RegistrationStep::RegisterCallout(layer) => {
                let registration = RegisteredCallout::register(self.device, layer)?;
                let slot = self.callout_slot(layer);
                if slot.is_some() {
                    // Never produced by the plan; the new registration is released on drop.
                    return Err(STATUS_INVALID_DEVICE_STATE);
                }
                *slot = Some(registration);
                Ok(())
            }
            RegistrationStep::OpenSession => {
                if self.session.is_some() {
                    return Err(STATUS_INVALID_DEVICE_STATE);
                }
                self.session = Some(EngineSession::open(SessionKind::Dynamic)?);
                Ok(())
            }
            RegistrationStep::BeginTransaction => {
                let Some(session) = &self.session else {
                    return Err(STATUS_INVALID_DEVICE_STATE);
                };
                if self.txn.is_some() {
                    return Err(STATUS_INVALID_DEVICE_STATE);
                }
                self.txn = Some(Transaction::begin(session)?);
                Ok(())
            }
            RegistrationStep::AddProvider => self.add_provider(),
            RegistrationStep::AddSublayer => self.add_sublayer(),
            RegistrationStep::AddCallout(layer) => self.add_callout(layer),
            RegistrationStep::AddFilter(layer) => self.add_filter(layer),
            RegistrationStep::CommitTransaction => {
                let txn = self.txn.take().ok_or(STATUS_INVALID_DEVICE_STATE)?;
                txn.commit().map_err(|(txn, status)| {
                    // Kept for the unwind's abort.
                    self.txn = Some(txn);
                    status
                })
            }
        }
    }

    fn undo(&mut self, undo: Undo) -> Result<(), NtStatus> {
        match undo {
            Undo::AbortTransaction => self.txn.take().ok_or(STATUS_INVALID_DEVICE_STATE)?.abort(),
            Undo::CloseSession => {
                // A transaction left open (its abort failed) ends with the session; drop the
                // wrapper without a second abort on the closed handle.
                if let Some(txn) = self.txn.take() {
                    core::mem::forget(txn);
                }
                self.session
                    .take()
                    .ok_or(STATUS_INVALID_DEVICE_STATE)?
                    .close()
            }
            Undo::UnregisterCallout(layer) => self
                .callout_slot(layer)
                .take()
                .ok_or(STATUS_INVALID_DEVICE_STATE)?
                .close(),
        }
    }
}
