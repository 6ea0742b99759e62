//! `connsecctl check FILE...`: every problem of a `.reg` or `.inx` configuration, each with its
//! file, line and value name (and `Principals` entry).
//!
//! The policy crate stops at the first error, as the driver must. To report *each* problem the
//! tool runs the same parser once per value (and once per `Principals` entry, as a one-entry
//! list), then once over the whole configuration for problems between values (both or neither
//! of `Principals`/`DaclSddl`, duplicates) and for the DACL checks and warnings.

use std::path::Path;

use anyhow::{Context, Result};
use connsec_inf::{Inf, RegType, decode_multi_sz, dword_bytes, multi_sz_bytes, sz_bytes};
use connsec_policy::config::{
    Config, ConfigErrorKind, DACL_SDDL, PRINCIPALS, RegValue, VALUE_NAMES,
};
use serde::Serialize;

use crate::plan::{self, Problem};
use crate::source::{self, Value, Values};

/// The result for one file.
#[derive(Debug, Serialize)]
pub(crate) struct FileReport {
    pub(crate) file: String,
    /// `reg` or `inf`.
    pub(crate) format: &'static str,
    /// Whether no error was found (warnings allowed).
    pub(crate) ok: bool,
    pub(crate) problems: Vec<Problem>,
}

fn parse_error(file: &str, e: &connsec_inf::Error) -> Problem {
    Problem {
        severity: "error",
        file: Some(file.to_owned()),
        line: (e.line != 0).then_some(e.line),
        value: None,
        entry: None,
        message: e.kind.to_string(),
    }
}

/// Problems of one value checked alone (`None`: fine alone).
fn value_alone(values: &Values, v: &Value) -> Option<Problem> {
    let name: Vec<u16> = v.name.encode_utf16().collect();
    let reg = [RegValue {
        name: &name,
        kind: v.kind.0.into(),
        data: &v.data,
    }];
    match Config::parse(&reg, &mut |_| {}) {
        Err(e) if e.kind != ConfigErrorKind::NoPolicy => {
            let mut p = Problem::error(values, Some(e.value), plan::config_message(&e));
            p.entry = (e.entry != 0).then_some(e.entry);
            Some(p)
        }
        _ => None,
    }
}

/// Each bad `Principals` entry, checked as a one-entry list, renumbered to its place.
fn principal_entries(values: &Values, v: &Value) -> Vec<Problem> {
    let Some(entries) = decode_multi_sz(&v.data) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, entry) in (1u32..).zip(&entries) {
        let one = Value {
            data: multi_sz_bytes([entry.as_str()]),
            ..v.clone()
        };
        if let Some(mut p) = value_alone(values, &one) {
            if p.entry.is_some() {
                // "entry 1 \"text\"" names the one-entry list; name the real entry instead.
                p.message = p.message.replacen("entry 1 ", &format!("entry {i} "), 1);
                p.entry = Some(i);
            }
            out.push(p);
        }
    }
    out
}

/// Checks one configuration's values. `incomplete` says that some lines could not be read
/// (reported already); `unreadable` names the values they write, which count as present for
/// the checks between values. The DACL checks need a complete configuration.
pub(crate) fn check_values(
    values: &Values,
    incomplete: bool,
    unreadable: &[String],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for v in &values.values {
        let Some(p) = value_alone(values, v) else {
            continue;
        };
        if p.entry.is_some()
            && v.name.eq_ignore_ascii_case(PRINCIPALS)
            && v.kind == RegType::MULTI_SZ
        {
            problems.extend(principal_entries(values, v));
        } else {
            problems.push(p);
        }
    }
    if let Some(p) = between_values(values, unreadable) {
        problems.push(p);
    }
    if incomplete || problems.iter().any(Problem::is_error) {
        // The DACL checks need a configuration without errors; the whole run would only
        // repeat the first error found above.
        return problems;
    }
    match plan::plan(values) {
        Ok(plan) => problems.extend(plan.warnings),
        Err(p) => problems.push(p),
    }
    problems
}

/// Problems between values (both or neither of `Principals` and `DaclSddl`, a value given
/// twice): the policy parser run over the same value names with well-formed data of the right
/// type, so that an error inside one value cannot hide them.
fn between_values(values: &Values, unreadable: &[String]) -> Option<Problem> {
    let stand_ins = unreadable.iter().map(|name| Value {
        name: name.clone(),
        kind: RegType::NONE,
        data: Vec::new(),
        line: None,
    });
    let shaped: Vec<Value> = values
        .values
        .iter()
        .cloned()
        .chain(stand_ins)
        .map(|v| {
            let (kind, data) = if v.name.eq_ignore_ascii_case(PRINCIPALS) {
                (
                    RegType::MULTI_SZ,
                    multi_sz_bytes(["SY:GENERIC_ALL", "BA:GENERIC_ALL"]),
                )
            } else if v.name.eq_ignore_ascii_case(DACL_SDDL) {
                (RegType::SZ, sz_bytes("D:P(A;;GA;;;SY)(A;;GA;;;BA)"))
            } else if VALUE_NAMES.iter().any(|n| v.name.eq_ignore_ascii_case(n)) {
                (RegType::DWORD, dword_bytes(0))
            } else {
                (v.kind, v.data.clone())
            };
            Value {
                kind,
                data,
                ..v.clone()
            }
        })
        .collect();
    let names: Vec<Vec<u16>> = shaped
        .iter()
        .map(|v| v.name.encode_utf16().collect())
        .collect();
    let regs: Vec<RegValue<'_>> = shaped
        .iter()
        .zip(&names)
        .map(|(v, n)| RegValue {
            name: n,
            kind: v.kind.0.into(),
            data: &v.data,
        })
        .collect();
    let e = Config::parse(&regs, &mut |_| {}).err()?;
    matches!(
        e.kind,
        ConfigErrorKind::BothPolicies | ConfigErrorKind::NoPolicy | ConfigErrorKind::DuplicateValue
    )
    .then(|| Problem::error(values, Some(e.value), plan::config_message(&e)))
}

/// Checks one file.
pub(crate) fn check_file(path: &Path) -> Result<FileReport> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = path.display().to_string();
    let is_reg = source::is_reg(path, &bytes);
    let format = if is_reg { "reg" } else { "inf" };
    let mut problems = Vec::new();
    let mut unreadable = Vec::new();
    let mut incomplete = false;
    let mut notes = Vec::new();
    let loaded = if is_reg {
        source::from_reg_bytes(&bytes, &file)
    } else {
        match Inf::from_named_bytes(&bytes, &file) {
            Ok(inf) => {
                // Undefined %strkey% tokens anywhere are errors for the INF tools too.
                for (line, key) in inf.undefined_strings() {
                    problems.push(Problem {
                        severity: "error",
                        file: Some(file.clone()),
                        line: Some(line),
                        value: None,
                        entry: None,
                        message: format!("%{key}% is not defined in [Strings]"),
                    });
                }
                // Every bad AddReg line, not only the first; the values of the good ones are
                // checked below.
                let (values, errors) = source::inf_values(&inf);
                unreadable.extend(errors.iter().filter_map(|(_, name)| name.clone()));
                incomplete = !errors.is_empty();
                for (e, name) in &errors {
                    let mut p = parse_error(&file, e);
                    p.value.clone_from(name);
                    if !problems
                        .iter()
                        .any(|q| q.line == p.line && q.message == p.message)
                    {
                        problems.push(p);
                    }
                }
                Ok(values)
            }
            Err(e) => Err(e),
        }
    };
    match loaded {
        Ok(values) => {
            problems.extend(check_values(&values, incomplete, &unreadable));
            // What the file would do over an existing key (source.rs computes it), after the
            // problems.
            notes.extend(values.notes.iter().map(|n| Problem {
                severity: "note",
                file: Some(file.clone()),
                line: n.line,
                value: n.value.clone(),
                entry: None,
                message: n.text.clone(),
            }));
        }
        Err(e) => problems.push(parse_error(&file, &e)),
    }
    problems.sort_by_key(|p| p.line.unwrap_or(0));
    problems.extend(notes);
    let ok = !problems.iter().any(Problem::is_error);
    Ok(FileReport {
        file,
        format,
        ok,
        problems,
    })
}
