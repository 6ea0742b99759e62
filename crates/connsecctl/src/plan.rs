//! Planning and diagnosis: raw registry values -> `Config::check` -> `Policy::build` (the DACL
//! checks) -> self-relative descriptor. This is the code path the driver runs at load; the tool
//! adds nothing of its own but the descriptor header around the DACL, for display, and the
//! text of each problem: every problem comes typed from the policy crate ([`Diagnostic`],
//! [`PolicyError`], [`PolicyWarning`]) and is only formatted here.

use std::collections::HashMap;

use connsec_policy::config::{
    ALLOW_UNSAFE_DACL, Config, ConfigErrorKind, DACL_SDDL, DaclSource, Diagnostic, DiagnosticKind,
    PRINCIPALS, RegType, RegValue,
};
use connsec_policy::policy::{
    PROTECTED_DACL_SECURITY_INFORMATION, Policy, PolicyError, PolicyWarning, SE_DACL_PROTECTED,
};
use connsec_policy::rights::{WRITE_DAC, WRITE_OWNER};
use secdesc::{ControlFlags, DescriptorParts};
use serde::Serialize;

use crate::describe::rights_text;
use crate::source::{Value, Values};

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// The driver would refuse the configuration.
    Error,
    /// The driver would apply it; something deserves attention.
    Warning,
    /// Not a problem: what the file would do over an existing key (an upgrade), or what depends
    /// on the registry as it is.
    Note,
}

impl From<connsec_policy::config::Severity> for Severity {
    fn from(s: connsec_policy::config::Severity) -> Self {
        match s {
            connsec_policy::config::Severity::Error => Severity::Error,
            connsec_policy::config::Severity::Warning => Severity::Warning,
        }
    }
}

impl core::fmt::Display for Severity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// A problem with a configuration, located as precisely as the policy crate reports it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) severity: Severity,
    pub(crate) file: Option<String>,
    pub(crate) line: Option<usize>,
    /// The registry value concerned.
    pub(crate) value: Option<String>,
    /// 1-based `Principals` entry, when the problem is in one entry.
    pub(crate) entry: Option<u32>,
    /// Byte offset of the problem in the value's data, when it is at a place in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) byte_offset: Option<usize>,
    pub(crate) message: String,
}

impl Problem {
    /// A problem of the value `value` (its line looked up by name), or of the whole
    /// configuration.
    pub(crate) fn new(
        severity: Severity,
        values: &Values,
        value: Option<&str>,
        message: String,
    ) -> Self {
        let value = value.filter(|v| !v.is_empty());
        let line = value.and_then(|v| values.get(v)).and_then(|v| v.line);
        Self::at(severity, values, value, line, message)
    }

    fn at(
        severity: Severity,
        values: &Values,
        value: Option<&str>,
        line: Option<usize>,
        message: String,
    ) -> Self {
        Self {
            severity,
            file: values.file.clone(),
            line,
            value: value.map(str::to_owned),
            entry: None,
            byte_offset: None,
            message,
        }
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
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
    /// Warnings: unknown values, `OriginalDacl`, and the policy checks' warnings.
    pub(crate) warnings: Vec<Problem>,
}

/// Where each value's UTF-16 name lives -> the value's index. A diagnostic names its value by
/// a slice of one of these names, so its address finds the value in constant time (a scan per
/// diagnostic is quadratic: 100,000 unknown values took seconds). Empty names are left out:
/// they share one dangling address and no diagnostic can be told apart by it.
fn name_index(names: &[Vec<u16>]) -> HashMap<usize, usize> {
    names
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.is_empty())
        .map(|(i, n)| (n.as_ptr() as usize, i))
        .collect()
}

/// A policy-crate diagnostic as a [`Problem`]: the value as named in the input (its own line,
/// found by identity, so a value given twice is reported at the second), the entry, the byte
/// offset and the message.
fn diagnostic_problem(
    values: &Values,
    names: &[Vec<u16>],
    by_address: &HashMap<usize, usize>,
    d: &Diagnostic<'_>,
) -> Problem {
    let index = by_address
        .get(&(d.name.as_ptr() as usize))
        .copied()
        .filter(|&i| {
            names
                .get(i)
                .is_some_and(|n| core::ptr::eq(n.as_slice(), d.name))
        });
    let given: Option<&Value> = index.and_then(|i| values.values.get(i));
    let value = if d.value.is_empty() {
        given.map(|v| v.name.as_str())
    } else {
        Some(d.value)
    };
    let mut p = Problem::at(
        d.severity().into(),
        values,
        value,
        given.and_then(|v| v.line),
        d.message().to_string(),
    );
    p.entry = (d.entry != 0).then_some(d.entry);
    p.byte_offset = (d.entry != 0 || d.offset != 0 || d.byte_offset != 0).then_some(d.byte_offset);
    p
}

/// Who a broad principal is, for a message: `WD (S-1-1-0)`, `S-1-2-0`, `DU (S-1-5-21-…-513)`.
fn who_text(who: connsec_policy::BroadPrincipal) -> String {
    let alias = who.alias();
    match who.sid() {
        Some(sid) if alias.starts_with("S-1-") => sid.to_string(),
        Some(sid) => format!("{alias} ({sid})"),
        None => format!("{alias} (a domain-relative SID, any domain)"),
    }
}

fn policy_warning(w: PolicyWarning) -> (Option<&'static str>, String) {
    match w {
        PolicyWarning::UnsafeDaclAllowed(r) => (
            Some(ALLOW_UNSAFE_DACL),
            format!("unsafe DACL let through by AllowUnsafeDacl=1: {r}"),
        ),
        PolicyWarning::BroadWriteAccess { who, rights } => {
            let mut message = format!(
                "{} is allowed write, add or delete rights: {}",
                who_text(who),
                rights_text(rights)
            );
            if rights & (WRITE_DAC | WRITE_OWNER) != 0 {
                message.push_str(" (WRITE_DAC/WRITE_OWNER: it can change the DACL or the owner)");
            }
            (None, message)
        }
        PolicyWarning::NonCanonicalOrder { ace_index } => (
            Some(DACL_SDDL),
            format!("deny ACE {ace_index} follows an allow ACE (Windows does not reorder ACEs)"),
        ),
    }
}

/// What [`diagnose`] found: every problem, in the order found, and the plan when there is no
/// error.
pub(crate) struct Diagnosis {
    pub(crate) problems: Vec<Problem>,
    pub(crate) plan: Option<Plan>,
}

/// Every problem of `values` and, without errors, the plan: the driver's checks, all of them.
/// With `complete` false (some lines of the file could not be read), the DACL is not built:
/// the values read are not the whole configuration. With `policy_unread` (one of those lines
/// sets `Principals` or `DaclSddl`), "neither is set" is not reported: it would be false.
pub(crate) fn diagnose(values: &Values, complete: bool, policy_unread: bool) -> Diagnosis {
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
    let by_address = name_index(&names);
    let mut problems = Vec::new();
    let config = Config::check(&regs, &mut |d| {
        if !(policy_unread && d.kind == DiagnosticKind::Error(ConfigErrorKind::NoPolicy)) {
            problems.push(diagnostic_problem(values, &names, &by_address, &d));
        }
    });
    let plan = match config {
        Some(config) if complete => match build(values, &config) {
            Ok(mut plan) => {
                problems.append(&mut plan.warnings);
                plan.warnings.clone_from(&problems);
                Some(plan)
            }
            Err(p) => {
                problems.push(p);
                None
            }
        },
        _ => None,
    };
    Diagnosis { problems, plan }
}

/// Runs the driver's configuration and policy code over `values`: the plan, or the first error.
pub(crate) fn plan(values: &Values) -> Result<Plan, Problem> {
    let d = diagnose(values, true, false);
    match (d.plan, d.problems.into_iter().find(Problem::is_error)) {
        (Some(plan), None) => Ok(plan),
        (_, Some(first)) => Err(first),
        (None, None) => Err(Problem::new(
            Severity::Error,
            values,
            None,
            "no plan and no error (a bug in connsecctl)".to_owned(),
        )),
    }
}

/// The DACL of a checked configuration, its warnings and the descriptor around it.
fn build(values: &Values, config: &Config<'_>) -> Result<Plan, Problem> {
    let dacl_source = match config.source {
        DaclSource::Principals(_) => PRINCIPALS,
        DaclSource::Sddl(_) => DACL_SDDL,
    };
    let to_problem = |e: PolicyError<'_>| match e {
        PolicyError::Config(c) => {
            let mut p = Problem::new(
                Severity::Error,
                values,
                Some(c.value),
                c.located().to_string(),
            );
            p.entry = (c.entry != 0).then_some(c.entry);
            p
        }
        other => Problem::new(
            Severity::Error,
            values,
            Some(dacl_source),
            other.to_string(),
        ),
    };
    let mut buf = vec![0u8; Policy::required_len(config).map_err(to_problem)?];
    let dacl = Policy::build(config, &mut buf).map_err(to_problem)?;
    let warnings = dacl
        .report()
        .warnings()
        .map(|w| {
            let (value, message) = policy_warning(w);
            Problem::new(
                Severity::Warning,
                values,
                value.or(Some(dacl_source)),
                message,
            )
        })
        .collect();
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
        Problem::new(
            Severity::Error,
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

#[cfg(test)]
mod tests {
    use super::*;
    use connsec_inf::{RegType as InfType, dword_bytes};

    fn value(name: &str, line: usize) -> Value {
        Value {
            name: name.to_owned(),
            kind: InfType::DWORD,
            data: dword_bytes(1),
            line: Some(line),
        }
    }

    /// Each diagnostic is reported at the line of the value it names, found by the address
    /// of that value's name: a value given twice at its second line, unknown values at their
    /// own lines, and the name-less "no policy" error at none.
    #[test]
    fn diagnostics_carry_the_line_of_their_own_value() {
        let values = Values::new(
            "test".to_owned(),
            Some("test.reg".to_owned()),
            vec![
                value("RestoreOnUnload", 3),
                value("Unknown1", 4),
                value("restoreonunload", 7),
                value("Unknown2", 9),
            ],
            Vec::new(),
        );
        let d = diagnose(&values, true, false);
        let got: Vec<(Severity, Option<usize>, Option<&str>)> = d
            .problems
            .iter()
            .map(|p| (p.severity, p.line, p.value.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Severity::Warning, Some(4), Some("Unknown1")),
                (Severity::Error, Some(7), Some("RestoreOnUnload")),
                (Severity::Warning, Some(9), Some("Unknown2")),
                (Severity::Error, None, None),
            ]
        );
        assert!(d.plan.is_none());
    }
}
