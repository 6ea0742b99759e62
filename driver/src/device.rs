//! The control device object WFP needs.
//!
//! `FwpmBfeStateSubscribeChanges0` and `FwpsCalloutRegister3` take "a device object that was
//! previously created by the callout driver". A non-PnP KMDF driver gets one from a control
//! device, created as Microsoft's WFP samples do (`network/trans/inspect/sys/TL_drv.c`,
//! `ddproxy/sys/DD_drv.c`): `WdfControlDeviceInitAllocate` with `SDDL_DEVOBJ_KERNEL_ONLY`
//! (`"D:P"`, no user-mode access at all: the device has no I/O queues), type
//! `FILE_DEVICE_NETWORK`, `FILE_DEVICE_SECURE_OPEN`, `WdfDeviceCreate`, then
//! `WdfControlFinishInitializing`. All at `PASSIVE_LEVEL`.

use core::ptr;

use wdk_sys::{
    BOOLEAN, FILE_DEVICE_NETWORK, FILE_DEVICE_SECURE_OPEN, NTSTATUS, PDEVICE_OBJECT,
    PWDFDEVICE_INIT, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_DEVICE_STATE, UNICODE_STRING,
    WDF_NO_OBJECT_ATTRIBUTES, WDFDEVICE, WDFDRIVER, call_unsafe_wdf_function_binding,
};

use crate::status;

/// `SDDL_DEVOBJ_KERNEL_ONLY` from `wdmsec.h`, which is not among the headers wdk-sys binds:
/// a protected DACL with no entries, so only kernel-mode code can open the device.
static SDDL_DEVOBJ_KERNEL_ONLY: &[u16] = connsec_nt::wide!("D:P");

/// The control device; deleted exactly once, by [`ControlDevice::delete`] or by `Drop`.
pub(crate) struct ControlDevice {
    device: WDFDEVICE,
}

impl ControlDevice {
    /// Creates and finishes initialising the control device of `driver`.
    pub(crate) fn create(driver: WDFDRIVER) -> Result<Self, NTSTATUS> {
        // The UNICODE_STRING lengths exclude the terminating NUL that `wide!` appends.
        let sddl_units = SDDL_DEVOBJ_KERNEL_ONLY.len().saturating_sub(1);
        let sddl_bytes = u16::try_from(sddl_units.saturating_mul(2))
            .map_err(|_| STATUS_INSUFFICIENT_RESOURCES)?;
        let sddl = UNICODE_STRING {
            Length: sddl_bytes,
            MaximumLength: sddl_bytes,
            // WDF only reads the string (the parameter is `PCUNICODE_STRING`).
            Buffer: SDDL_DEVOBJ_KERNEL_ONLY.as_ptr().cast_mut(),
        };

        let mut device_init: PWDFDEVICE_INIT;
        // SAFETY: 1. `driver` is the live WDFDRIVER that `WdfDriverCreate` returned;
        //         2. `sddl` points at a static UTF-16 string and outlives the call, which copies
        //            it into the new security descriptor;
        //         3. PASSIVE_LEVEL (DriverEntry), as the function requires.
        unsafe {
            device_init = call_unsafe_wdf_function_binding!(
                WdfControlDeviceInitAllocate,
                driver,
                &raw const sddl
            );
        }
        if device_init.is_null() {
            return Err(STATUS_INSUFFICIENT_RESOURCES);
        }

        // SAFETY: 1. `device_init` is the non-null WDFDEVICE_INIT allocated above and not yet
        //            passed to WdfDeviceCreate.
        unsafe {
            call_unsafe_wdf_function_binding!(
                WdfDeviceInitSetDeviceType,
                device_init,
                FILE_DEVICE_NETWORK
            );
        }
        let or_in_values: BOOLEAN = 0;
        // SAFETY: 1. as above, `device_init` is live and not yet consumed;
        //         2. FALSE replaces the characteristics with exactly FILE_DEVICE_SECURE_OPEN.
        unsafe {
            call_unsafe_wdf_function_binding!(
                WdfDeviceInitSetCharacteristics,
                device_init,
                FILE_DEVICE_SECURE_OPEN,
                or_in_values,
            );
        }

        let mut device: WDFDEVICE = ptr::null_mut();
        let created;
        // SAFETY: 1. `device_init` is live; on success WDF takes it over and sets it to NULL;
        //         2. no object attributes are needed (NULL is allowed);
        //         3. `device` is a valid place for the new handle.
        unsafe {
            created = call_unsafe_wdf_function_binding!(
                WdfDeviceCreate,
                &raw mut device_init,
                WDF_NO_OBJECT_ATTRIBUTES,
                &raw mut device,
            );
        }
        if let Err(failure) = status::check(created) {
            // "If WdfDeviceCreate fails, the driver must call WdfDeviceInitFree" for a
            // structure from WdfControlDeviceInitAllocate (WdfControlDeviceInitAllocate docs).
            // SAFETY: 1. WdfDeviceCreate failed, so `device_init` still belongs to this driver
            //            and is freed exactly once, here.
            unsafe {
                call_unsafe_wdf_function_binding!(WdfDeviceInitFree, device_init);
            }
            return Err(failure.into());
        }
        if device.is_null() {
            return Err(STATUS_INVALID_DEVICE_STATE);
        }
        let this = Self { device };

        // SAFETY: 1. `device` is the control device just created and not yet finished;
        //         2. PASSIVE_LEVEL.
        unsafe {
            call_unsafe_wdf_function_binding!(WdfControlFinishInitializing, this.device);
        }
        Ok(this)
    }

    /// The framework handle (for objects parented to the device). Valid while `self` lives.
    pub(crate) const fn handle(&self) -> WDFDEVICE {
        self.device
    }

    /// The WDM `DEVICE_OBJECT` behind the control device (for the WFP calls that want one).
    /// It stays valid until this value is deleted or dropped.
    pub(crate) fn wdm_device_object(&self) -> PDEVICE_OBJECT {
        let object;
        // SAFETY: 1. `self.device` is a live WDFDEVICE (private field, only this module sets
        //            it, and it is deleted only when `self` goes away).
        unsafe {
            object = call_unsafe_wdf_function_binding!(WdfDeviceWdmGetDeviceObject, self.device);
        }
        object
    }

    /// Deletes the control device now (unload order); dropping does the same.
    pub(crate) fn delete(self) {
        drop(self);
    }
}

impl Drop for ControlDevice {
    fn drop(&mut self) {
        // A driver may delete its control device in EvtDriverUnload or earlier ("Using Control
        // Device Objects"); without this the framework would delete it after unload returns.
        // SAFETY: 1. `self.device` is live and deleted exactly once, here;
        //         2. PASSIVE_LEVEL (unload, or a failing DriverEntry).
        unsafe {
            call_unsafe_wdf_function_binding!(WdfObjectDelete, self.device.cast());
        }
    }
}

// SAFETY: a WDFDEVICE handle may be used from any thread; the driver serialises every use of
// the global state that holds it with its wait lock.
unsafe impl Send for ControlDevice {}
