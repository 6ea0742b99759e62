//! The kernel implementation of the policy crate's `FilterEngine` trait.
//!
//! It only moves bytes and statuses between WFP and `connsec_policy::Controller`, which decides
//! everything (when to apply, what to snapshot, what to restore). Each session is a non-dynamic
//! [`EngineSession`] (closed exactly once), each engine allocation a [`WfpSecurityDescriptor`] (freed exactly
//! once). Every method runs at `PASSIVE_LEVEL`, under the driver's wait lock.

use core::ptr;

use connsec_nt::security_info::DACL_SECURITY_INFORMATION;
use connsec_nt::{BfeState, NtStatus};
use connsec_policy::FilterEngine;

use crate::session::{EngineSession, SessionKind};
use crate::{bfe, status, wfp, wfp_box::WfpSecurityDescriptor};

/// The filter engine as seen from kernel mode.
#[derive(Debug, Default)]
pub(crate) struct KernelEngine;

impl FilterEngine for KernelEngine {
    type Session = EngineSession;
    type Allocation = WfpSecurityDescriptor;

    fn bfe_state(&mut self) -> BfeState {
        bfe::current_state()
    }

    fn open_session(&mut self) -> Result<EngineSession, NtStatus> {
        EngineSession::open(SessionKind::NonDynamic)
    }

    fn close_session(&mut self, session: EngineSession) {
        // The flow has no use for the status: the handle is released either way.
        let _status = session.close();
    }

    fn get_connection_security(
        &mut self,
        session: &EngineSession,
    ) -> Result<WfpSecurityDescriptor, NtStatus> {
        // Every out-parameter gets a place: the kernel declaration (`fwpmk.h`) marks all four
        // pointers into the descriptor as outputs, not optional, and Microsoft's samples pass
        // locals. Only `descriptor` is used; the others point into it.
        let mut owner: wfp::PSID = ptr::null_mut();
        let mut group: wfp::PSID = ptr::null_mut();
        let mut dacl: *mut wfp::ACL = ptr::null_mut();
        let mut sacl: *mut wfp::ACL = ptr::null_mut();
        let mut descriptor: wfp::PSECURITY_DESCRIPTOR = ptr::null_mut();
        let read;
        // SAFETY: 1. `session` is an open engine handle, borrowed for the call;
        //         2. `owner`, `group`, `dacl`, `sacl` and `descriptor` are valid places for the
        //            outputs (owner, group and SACL are not requested and stay NULL or point
        //            into the descriptor);
        //         3. no transaction is open on the session (the flow never begins one);
        //         4. PASSIVE_LEVEL (under the driver's wait lock, from DriverEntry, the BFE
        //            callback or unload).
        unsafe {
            read = wfp::FwpmConnectionGetSecurityInfo0(
                session.handle(),
                DACL_SECURITY_INFORMATION,
                &raw mut owner,
                &raw mut group,
                &raw mut dacl,
                &raw mut sacl,
                &raw mut descriptor,
            );
        }
        status::check(read)?;
        // SAFETY: 1. `descriptor` was just returned by a successful
        //            FwpmConnectionGetSecurityInfo0 and is owned by nothing else (the other
        //            outputs point into it and are not used again).
        unsafe { WfpSecurityDescriptor::from_engine(descriptor) }.map_err(NtStatus::from_raw)
    }

    fn allocation_bytes<'a>(&self, allocation: &'a WfpSecurityDescriptor) -> &'a [u8] {
        allocation.as_bytes()
    }

    fn free(&mut self, allocation: WfpSecurityDescriptor) {
        drop(allocation);
    }

    fn set_connection_dacl(
        &mut self,
        session: &EngineSession,
        security_info: u32,
        dacl: &[u8],
    ) -> Result<(), NtStatus> {
        // A whole ACL starts with its 8-byte header; anything shorter is a bug upstream, and
        // an empty slice must never become the NULL DACL ("full access to everyone").
        if dacl.len() < 8 {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        // `ACL` has 16-bit fields; pool buffers are 16-byte aligned and the policy crate's ACL
        // offsets are multiples of 4, so this holds, but it is checked rather than assumed.
        if dacl.as_ptr().align_offset(align_of::<wfp::ACL>()) != 0 {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        #[allow(clippy::cast_ptr_alignment, reason = "alignment checked just above")]
        let acl = dacl.as_ptr().cast::<wfp::ACL>();
        let set;
        // SAFETY: 1. `session` is an open engine handle with no transaction in progress, in a
        //            non-dynamic session (`SessionKind::NonDynamic`), as the function requires;
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
        status::check(set)
    }
}
