//! `connsecctl check FILE...`: every problem of each `.reg` or `.inx` configuration, each with
//! its file, line and value name (and `Principals` entry), and a summary line per file.
//!
//! Formatting only: the problems of the values come from the policy crate's own diagnostics
//! (`Config::check` through [`plan::diagnose`], the checks the driver runs), the problems of
//! the file's syntax from the INF/`.reg` reader. Every file is checked, also after one that
//! cannot be read; a file that cannot be read is reported and makes the exit status 2, as for
//! `plan`.

use std::path::{Path, PathBuf};

use connsec_inf::Inf;
use connsec_policy::config::{DACL_SDDL, PRINCIPALS};
use serde::Serialize;

use crate::plan::{self, Problem, Severity};
use crate::source;

/// The result for one file.
#[derive(Debug, Serialize)]
pub(crate) struct FileReport {
    pub(crate) file: String,
    /// `reg` or `inf`; `None` when the file could not be read.
    pub(crate) format: Option<&'static str>,
    /// Whether no error was found (warnings allowed).
    pub(crate) ok: bool,
    /// The file could not be read (an I/O error, reported as its only problem).
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub(crate) unreadable: bool,
    pub(crate) problems: Vec<Problem>,
}

impl FileReport {
    fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }
}

/// An error of the file itself (not of a value), at `line` if known.
fn file_problem(file: &str, line: Option<usize>, message: String) -> Problem {
    Problem {
        severity: Severity::Error,
        file: (!file.is_empty()).then(|| file.to_owned()),
        line,
        value: None,
        entry: None,
        byte_offset: None,
        message,
    }
}

/// A syntax error of the file, as a problem.
pub(crate) fn syntax_problem(file: &str, e: &connsec_inf::Error) -> Problem {
    file_problem(file, (e.line != 0).then_some(e.line), e.kind.to_string())
}

/// Checks one file; a file that cannot be read gives a report with that one problem.
pub(crate) fn check_file(path: &Path) -> FileReport {
    let file = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return FileReport {
                problems: vec![file_problem(&file, None, format!("cannot be read: {e}"))],
                file,
                format: None,
                ok: false,
                unreadable: true,
            };
        }
    };
    let is_reg = source::is_reg(path, &bytes);
    let mut problems = Vec::new();
    if is_reg {
        match source::from_reg_bytes(&bytes, &file) {
            Ok(values) => {
                problems.extend(plan::diagnose(&values, true, false).problems);
                problems.extend(notes(&values));
            }
            Err(e) => problems.push(syntax_problem(&file, &e)),
        }
    } else {
        match Inf::from_named_bytes(&bytes, &file) {
            Ok(inf) => problems.extend(check_inf(&inf, &file)),
            Err(e) => problems.push(syntax_problem(&file, &e)),
        }
    }
    // Problems by line, then the notes on what the file would do over an existing key.
    problems.sort_by_key(|p| (p.severity == Severity::Note, p.line.unwrap_or(0)));
    FileReport {
        ok: !problems.iter().any(Problem::is_error),
        file,
        format: Some(if is_reg { "reg" } else { "inf" }),
        unreadable: false,
        problems,
    }
}

/// An INF: undefined `%strkey%` tokens, every bad `AddReg` line, then the values of the good
/// lines.
fn check_inf(inf: &Inf, file: &str) -> Vec<Problem> {
    let mut problems: Vec<Problem> = inf
        .undefined_strings()
        .into_iter()
        .map(|(line, key)| {
            file_problem(
                file,
                Some(line),
                format!("%{key}% is not defined in [Strings]"),
            )
        })
        .collect();
    let (values, errors) = source::inf_values(inf);
    for (e, name) in &errors {
        let mut p = syntax_problem(file, e);
        p.value.clone_from(name);
        if !problems
            .iter()
            .any(|q| q.line == p.line && q.message == p.message)
        {
            problems.push(p);
        }
    }
    // A line that could not be read may set a policy value.
    let policy_unread = errors.iter().any(|(_, name)| {
        name.as_deref().is_some_and(|n| {
            n.eq_ignore_ascii_case(PRINCIPALS) || n.eq_ignore_ascii_case(DACL_SDDL)
        })
    });
    problems.extend(plan::diagnose(&values, errors.is_empty(), policy_unread).problems);
    problems.extend(notes(&values));
    problems
}

/// What the file would do over an existing key (computed by `source`), after the problems.
fn notes(values: &source::Values) -> impl Iterator<Item = Problem> + '_ {
    values.notes.iter().map(|n| Problem {
        severity: Severity::Note,
        file: values.file.clone(),
        line: n.line,
        value: n.value.clone(),
        entry: None,
        byte_offset: None,
        message: n.text.clone(),
    })
}

/// Checks every file in turn and prints the problems and a summary line per file (or one JSON
/// document). Returns whether every file passed, and how many files could not be read (an
/// unreadable file is an I/O error, exit 2, once all files are reported).
pub(crate) fn run(files: &[PathBuf], json: bool) -> anyhow::Result<(bool, usize)> {
    use core::fmt::Write as _;
    let reports: Vec<FileReport> = files.iter().map(|f| check_file(f)).collect();
    let all_ok = reports.iter().all(|r| r.ok);
    if json {
        crate::out_json(&serde_json::json!({ "ok": all_ok, "files": reports }))?;
    } else {
        let mut text = String::new();
        for r in &reports {
            for p in &r.problems {
                let _ = writeln!(text, "{p}");
            }
            let errors = r.count(Severity::Error);
            let warnings = r.count(Severity::Warning);
            let _ = writeln!(
                text,
                "{}: {} ({errors} error{}, {warnings} warning{})",
                r.file,
                if r.ok { "ok" } else { "FAILED" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            );
        }
        crate::out(&text)?;
    }
    let unreadable = reports.iter().filter(|r| r.unreadable).count();
    Ok((all_ok, unreadable))
}
