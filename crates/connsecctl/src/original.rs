//! `status`'s judgement, kept apart from the Windows calls so it is tested everywhere: is the
//! original descriptor stored in `Parameters\OriginalDacl` (the self-relative descriptor the
//! driver saved from `FwpmConnectionGetSecurityInfo0` before it first set its DACL), and is the
//! live DACL connsec's (the planned one), that stored original, or something else?
//!
//! DACLs are compared byte for byte, as the driver compares them before it restores.

use connsec_inf::RegType;
use secdesc::SecurityDescriptor;
use serde::Serialize;

use crate::source::Value;

/// What `Parameters\OriginalDacl` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stored {
    /// No such value (the driver has not set its DACL, or restored it and deleted the copy).
    Absent,
    /// A well-formed descriptor; its DACL bytes (`None`: the descriptor has no DACL).
    Present {
        /// Length of the stored descriptor.
        len: usize,
        dacl: Option<Vec<u8>>,
    },
    /// The value or the key cannot be read as a descriptor: why.
    Unreadable(String),
}

/// Whose DACL the connection objects carry now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LiveIs {
    /// The DACL connsec plans from the configuration: connsec's.
    Planned,
    /// The stored original.
    Original,
    /// Neither.
    Other,
}

/// Reads the stored original from the `OriginalDacl` value, if there is one.
pub(crate) fn stored(value: Option<&Value>) -> Stored {
    let Some(v) = value else {
        return Stored::Absent;
    };
    if v.kind != RegType::BINARY {
        return Stored::Unreadable(format!(
            "wrong registry type (expected REG_BINARY, found {})",
            v.kind
        ));
    }
    match SecurityDescriptor::new_checked(&v.data) {
        Ok(sd) => Stored::Present {
            len: v.data.len(),
            dacl: sd.dacl().map(|a| a.as_bytes().to_vec()),
        },
        Err(e) => Stored::Unreadable(format!(
            "not a self-relative security descriptor: at byte {}: {}",
            e.offset, e.kind
        )),
    }
}

/// Classifies the live DACL (`None`: the live descriptor has none).
pub(crate) fn classify(live: Option<&[u8]>, planned: &[u8], stored: &Stored) -> LiveIs {
    if live == Some(planned) {
        return LiveIs::Planned;
    }
    match stored {
        Stored::Present { dacl, .. } if dacl.as_deref() == live => LiveIs::Original,
        _ => LiveIs::Other,
    }
}

/// One line on the stored original.
pub(crate) fn stored_text(s: &Stored) -> String {
    match s {
        Stored::Absent => {
            "not stored (the driver has not applied its DACL since the last verified restore)"
                .to_owned()
        }
        Stored::Present { len, dacl: Some(_) } => format!("stored ({len} bytes)"),
        Stored::Present { len, dacl: None } => {
            format!("stored ({len} bytes; the descriptor has no DACL)")
        }
        Stored::Unreadable(why) => format!("UNREADABLE: {why}"),
    }
}

/// One line on the live DACL.
pub(crate) fn live_text(l: LiveIs, s: &Stored) -> &'static str {
    match (l, s) {
        (LiveIs::Planned, _) => "connsec's (equals the planned DACL)",
        (LiveIs::Original, _) => "the stored original (connsec's DACL is not applied)",
        (LiveIs::Other, Stored::Present { .. }) => {
            "NEITHER the planned DACL nor the stored original"
        }
        (LiveIs::Other, _) => "NOT the planned DACL (no stored original to compare with)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-relative descriptor (control 0x8004: self-relative, DACL present) whose DACL
    /// allows `mask` to S-1-5-18, and that DACL.
    fn descriptor(mask: u32) -> (Vec<u8>, Vec<u8>) {
        let sid = [1u8, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
        let mut ace = vec![0u8, 0, 20, 0];
        ace.extend_from_slice(&mask.to_le_bytes());
        ace.extend_from_slice(&sid);
        let mut acl = vec![2u8, 0, 28, 0, 1, 0, 0, 0];
        acl.extend_from_slice(&ace);
        let mut sd = vec![
            1u8, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,
        ];
        sd.extend_from_slice(&acl);
        (sd, acl)
    }

    fn binary(data: Vec<u8>) -> Value {
        Value {
            name: "OriginalDacl".to_owned(),
            kind: RegType::BINARY,
            data,
            line: None,
        }
    }

    #[test]
    fn the_live_dacl_is_classified() {
        let (orig_sd, orig_acl) = descriptor(0x000f_07ff);
        let (_, planned) = descriptor(0x0002_03f4);
        let s = stored(Some(&binary(orig_sd.clone())));
        assert_eq!(
            s,
            Stored::Present {
                len: orig_sd.len(),
                dacl: Some(orig_acl.clone())
            }
        );
        assert_eq!(classify(Some(&planned), &planned, &s), LiveIs::Planned);
        assert_eq!(classify(Some(&orig_acl), &planned, &s), LiveIs::Original);
        let (_, other) = descriptor(1);
        assert_eq!(classify(Some(&other), &planned, &s), LiveIs::Other);
        assert_eq!(classify(None, &planned, &s), LiveIs::Other);
        // Without a stored original, the original cannot be recognised.
        assert_eq!(
            classify(Some(&orig_acl), &planned, &Stored::Absent),
            LiveIs::Other
        );
        assert!(live_text(LiveIs::Other, &Stored::Absent).contains("no stored original"));
    }

    #[test]
    fn a_bad_stored_value_is_named() {
        let mut v = binary(vec![1, 0]);
        assert!(
            matches!(stored(Some(&v)), Stored::Unreadable(w) if w.starts_with("not a self-relative security descriptor: at byte"))
        );
        v.kind = RegType::SZ;
        assert_eq!(
            stored(Some(&v)),
            Stored::Unreadable("wrong registry type (expected REG_BINARY, found REG_SZ)".into())
        );
        assert_eq!(stored(None), Stored::Absent);
        assert!(stored_text(&Stored::Absent).starts_with("not stored"));
    }
}
