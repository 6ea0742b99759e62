//! The kernel implementation of the policy crate's `FilterEngine` trait.
//!
//! It only moves bytes and statuses between WFP and `connsec_policy::Controller`, which decides
//! everything (when to apply, what to snapshot, what to restore). Each session is an [`Engine`]
//! (closed exactly once), each engine allocation a [`WfpSecurityDescriptor`] (freed exactly
//! once). Every method runs at `PASSIVE_LEVEL`, under the driver's wait lock.

use core::ptr;

use connsec_policy::{BfeState, FilterEngine, NtStatus};
use wdk_sys::STATUS_INVALID_PARAMETER;

use crate::{bfe, engine::Engine, status, wfp, wfp_box::WfpSecurityDescriptor};

/// `DACL_SECURITY_INFORMATION`: the only part of the descriptor the driver reads.
const DACL_SECURITY_INFORMATION: u32 = connsec_policy::policy::DACL_SECURITY_INFORMATION;

/// The filter engine as seen from kernel mode.
#[derive(Debug, Default)]
pub(crate) struct KernelEngine;

impl FilterEngine for KernelEngine {
    type Session = Engine;
    type Allocation = WfpSecurityDescriptor;

    fn bfe_state(&mut self) -> BfeState {
        bfe::current_state()
    }

    fn open_session(&mut self) -> Result<Engine, NtStatus> {
        Engine::open().map_err(status::to_policy)
    }

    fn close_session(&mut self, session: Engine) {
        // The flow has no use for the status: the handle is released either way.
        let _status = session.close();
    }

    fn get_connection_security(
        &mut self,
        session: &Engine,
    ) -> Result<WfpSecurityDescriptor, NtStatus> {
        let mut dacl: *mut wfp::ACL = ptr::null_mut();
        let mut descriptor: wfp::PSECURITY_DESCRIPTOR = ptr::null_mut();
        let read;
        // SAFETY: 1. `session` is an open engine handle, borrowed for the call;
        //         2. owner, group and SACL are not requested and their out-pointers may be
        //            NULL; `dacl` and `descriptor` are valid places for the outputs;
        //         3. no transaction is open on the session (the flow never begins one);
        //         4. PASSIVE_LEVEL (under the driver's wait lock, from DriverEntry, the BFE
        //            callback or unload).
        unsafe {
            read = wfp::FwpmConnectionGetSecurityInfo0(
                session.handle(),
                DACL_SECURITY_INFORMATION,
                ptr::null_mut(),
                ptr::null_mut(),
                &raw mut dacl,
                ptr::null_mut(),
                &raw mut descriptor,
            );
        }
        status::check(read).map_err(status::to_policy)?;
        // SAFETY: 1. `descriptor` was just returned by a successful
        //            FwpmConnectionGetSecurityInfo0 and is owned by nothing else (`dacl` points
        //            into it and is not used again).
        unsafe { WfpSecurityDescriptor::from_engine(descriptor) }.map_err(status::to_policy)
    }

    fn allocation_bytes<'a>(&self, allocation: &'a WfpSecurityDescriptor) -> &'a [u8] {
        allocation.as_bytes()
    }

    fn free(&mut self, allocation: WfpSecurityDescriptor) {
        drop(allocation);
    }

    fn set_connection_dacl(
        &mut self,
        session: &Engine,
        security_info: u32,
        dacl: &[u8],
    ) -> Result<(), NtStatus> {
        // A whole ACL starts with its 8-byte header; anything shorter is a bug upstream, and
        // an empty slice must never become the NULL DACL ("full access to everyone").
        if dacl.len() < 8 {
            return Err(status::to_policy(STATUS_INVALID_PARAMETER));
        }
        // `ACL` has 16-bit fields; pool buffers are 16-byte aligned and the policy crate's ACL
        // offsets are multiples of 4, so this holds, but it is checked rather than assumed.
        if dacl.as_ptr().align_offset(align_of::<wfp::ACL>()) != 0 {
            return Err(status::to_policy(STATUS_INVALID_PARAMETER));
        }
        #[allow(clippy::cast_ptr_alignment, reason = "alignment checked just above")]
        let acl = dacl.as_ptr().cast::<wfp::ACL>();
        let set;
        // SAFETY: 1. `session` is an open engine handle with no transaction in progress, in a
        //            non-dynamic session (`Engine::open`), as the function requires;
        //         2. `dacl` is a whole, valid ACL built (or snapshotted) and checked by the
        //            policy crate, non-NULL and aligned (checked above),
        //            and only read during the call;
        //         3. owner, group and SACL are NULL: not set;
        //         4. PASSIVE_LEVEL (see the module docs).
        unsafe {
            set = wfp::FwpmConnectionSetSecurityInfo0(
                session.handle(),
                security_info,
                ptr::null(),
                ptr::null(),
                acl,
                ptr::null(),
            );
        }
        status::check(set).map_err(status::to_policy)
    }
}
