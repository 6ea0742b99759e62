//! Planning: raw registry values -> `connsec_policy::config::Config` -> checks -> DACL ->
//! self-relative descriptor. This is the code path the driver runs at load; the tool adds
//! nothing of its own but the descriptor header around the DACL, for display.

use core::fmt::Write as _;

use connsec_policy::config::{
    Config, ConfigError, ConfigErrorKind, ConfigWarning, DaclSource, RegType, RegValue,
};
use connsec_policy::policy::{
    PROTECTED_DACL_SECURITY_INFORMATION, Policy, PolicyError, PolicyWarning, SE_DACL_PROTECTED,
};
use secdesc::{ControlFlags, DescriptorParts};
use serde::Serialize;

use crate::describe::rights_text;
use crate::source::Values;

/// A problem with a configuration, located as precisely as the policy crate reports it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Problem {
    /// `error` (the driver would refuse the configuration) or `warning` (it would apply it).
    pub(crate) severity: &'static str,
    pub(crate) file: Option<String>,
    pub(crate) line: Option<usize>,
    /// The registry value concerned.
    pub(crate) value: Option<String>,
    /// 1-based `Principals` entry, when the problem is in one entry.
    pub(crate) entry: Option<u32>,
    pub(crate) message: String,
}

impl Problem {
    pub(crate) fn error(values: &Values, value: Option<&str>, message: String) -> Self {
        Self::new("error", values, value, message)
    }

    pub(crate) fn warning(values: &Values, value: Option<&str>, message: String) -> Self {
        Self::new("warning", values, value, message)
    }

    fn new(severity: &'static str, values: &Values, value: Option<&str>, message: String) -> Self {
        let value = value.filter(|v| !v.is_empty());
        Self {
            severity,
            file: values.file.clone(),
            line: value.and_then(|v| values.get(v)).and_then(|v| v.line),
            value: value.map(str::to_owned),
            entry: None,
            message,
        }
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == "error"
    }
}

impl core::fmt::Display for Problem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            _ => {}
        }
        write!(f, "{}: ", self.severity)?;
        if let Some(v) = &self.value {
            write!(f, "{v}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The planned DACL and what it came from.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// `Principals` or `DaclSddl`.
    pub(crate) dacl_source: &'static str,
    pub(crate) restore_on_unload: bool,
    pub(crate) allow_unsafe_dacl: bool,
    /// The `SECURITY_INFORMATION` the driver applies the DACL with.
    pub(crate) security_information: u32,
    /// The DACL bytes passed to `FwpmConnectionSetSecurityInfo0`.
    pub(crate) dacl: Vec<u8>,
    /// A self-relative descriptor holding just that DACL (with `SE_DACL_PROTECTED` when the
    /// DACL is applied protected).
    pub(crate) descriptor: Vec<u8>,
    /// Warnings: unknown values, and the policy checks' warnings.
    pub(crate) warnings: Vec<Problem>,
}

/// Text of a configuration error, without the value name (which [`Problem`] carries). The
/// same facts as `ConfigError`'s `Display`, except that codec errors are shown with the codec's
/// own message instead of their debug form.
pub(crate) fn config_message(e: &ConfigError<'_>) -> String {
    use connsec_policy::principal::{PrincipalError, PrincipalErrorKind};
    use connsec_policy::rights::{RightsError, RightsErrorKind};
    let mut s = String::new();
    if e.entry != 0 {
        let _ = write!(s, "entry {} \"{}\" ", e.entry, e.text);
    }
    if e.offset != 0 || e.entry != 0 {
        let _ = write!(s, "at character {}: ", e.offset);
    }
    s.push_str(e.kind.reason());
    let _ = match e.kind {
        ConfigErrorKind::WrongType { expected, found } => {
            write!(s, " (expected {}, found {})", expected.name(), found.name())
        }
        ConfigErrorKind::TooLarge { len, max } => write!(s, " ({len} bytes, at most {max})"),
        ConfigErrorKind::OddLength { len } | ConfigErrorKind::DwordLength { len } => {
            write!(s, " ({len} bytes)")
        }
        ConfigErrorKind::NotZeroOrOne { value } => write!(s, " (found {value})"),
        ConfigErrorKind::Rights(RightsError {
            kind: RightsErrorKind::UnknownBits { bits },
            ..
        }) => {
            write!(s, " (0x{bits:08X})")
        }
        ConfigErrorKind::Principal(PrincipalError {
            kind: PrincipalErrorKind::Sid(kind),
            ..
        })
        | ConfigErrorKind::Sddl(kind) => write!(s, " ({kind})"),
        _ => Ok(()),
    };
    s
}

fn policy_warning(w: PolicyWarning) -> (Option<&'static str>, String) {
    match w {
        PolicyWarning::UnsafeDaclAllowed(r) => (
            Some(connsec_policy::config::ALLOW_UNSAFE_DACL),
            format!(
                "unsafe DACL let through by AllowUnsafeDacl=1: {}",
                r.reason()
            ),
        ),
        PolicyWarning::BroadWriteAccess { who, rights } => (
            None,
            format!(
                "{} ({}) is allowed write, add or delete rights: {}",
                who.alias(),
                who.sid().map(|s| s.to_string()).unwrap_or_default(),
                rights_text(rights)
            ),
        ),
        PolicyWarning::NonCanonicalOrder { ace_index } => (
            Some(connsec_policy::config::DACL_SDDL),
            format!("deny ACE {ace_index} follows an allow ACE (Windows does not reorder ACEs)"),
        ),
    }
}

/// Runs the driver's configuration and policy code over `values`.
pub(crate) fn plan(values: &Values) -> Result<Plan, Problem> {
    let names: Vec<Vec<u16>> = values
        .values
        .iter()
        .map(|v| v.name.encode_utf16().collect())
        .collect();
    let regs: Vec<RegValue<'_>> = values
        .values
        .iter()
        .zip(&names)
        .map(|(v, n)| RegValue {
            name: n,
            kind: RegType::from(v.kind.0),
            data: &v.data,
        })
        .collect();
    let mut warnings = Vec::new();
    let config = Config::parse(&regs, &mut |w| match w {
        ConfigWarning::UnknownValue { name } => {
            let name = String::from_utf16_lossy(name);
            warnings.push(Problem::warning(
                values,
                Some(&name),
                "not a connsec value; the driver ignores it".to_owned(),
            ));
        }
    })
    .map_err(|e| {
        let mut p = Problem::error(values, Some(e.value), config_message(&e));
        p.entry = (e.entry != 0).then_some(e.entry);
        p
    })?;
    let dacl_source = match config.source {
        DaclSource::Principals(_) => connsec_policy::config::PRINCIPALS,
        DaclSource::Sddl(_) => connsec_policy::config::DACL_SDDL,
    };
    let to_problem = |e: PolicyError<'_>| match e {
        PolicyError::Config(c) => {
            let mut p = Problem::error(values, Some(c.value), config_message(&c));
            p.entry = (c.entry != 0).then_some(c.entry);
            p
        }
        other => Problem::error(values, Some(dacl_source), other.to_string()),
    };
    let mut buf = vec![0u8; Policy::required_len(&config).map_err(to_problem)?];
    let dacl = Policy::build(&config, &mut buf).map_err(to_problem)?;
    for w in dacl.report().warnings() {
        let (value, message) = policy_warning(w);
        warnings.push(Problem::warning(
            values,
            value.or(Some(dacl_source)),
            message,
        ));
    }
    let security_information = dacl.security_info();
    let mut control = 0;
    if security_information & PROTECTED_DACL_SECURITY_INFORMATION != 0 {
        control |= SE_DACL_PROTECTED;
    }
    let parts = DescriptorParts {
        control: ControlFlags(control),
        dacl: Some(dacl.as_bytes()),
        ..DescriptorParts::default()
    };
    let mut descriptor = vec![0u8; secdesc::descriptor_len(&parts)];
    let n = secdesc::encode_descriptor(&parts, &mut descriptor).map_err(|e| {
        Problem::error(
            values,
            None,
            format!("building the descriptor: at byte {}: {}", e.offset, e.kind),
        )
    })?;
    descriptor.truncate(n);
    Ok(Plan {
        dacl_source,
        restore_on_unload: config.restore_on_unload,
        allow_unsafe_dacl: config.allow_unsafe_dacl,
        security_information,
        dacl: dacl.as_bytes().to_vec(),
        descriptor,
        warnings,
    })
}
