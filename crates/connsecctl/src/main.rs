//! `connsecctl`: the connsec host tool. A thin binary over the portable crates: it reads files
//! and options, runs the same `connsec-policy` and `secdesc` code the driver runs, and prints
//! the result as text or JSON. `main` only turns the result of [`run`] into an exit status;
//! errors are one line, `connsecctl: <context>: <error>`, and with `--json` also a JSON object
//! `{"ok": false, "exit": N, "error": {"message": …}}` on stdout (usage errors included).
//!
//! Exit status: 0 success; 1 a clean negative answer (`check` found an error, a `sddl` line
//! failed, the configuration is refused or its file does not read as one, `status` differs,
//! `probe` was denied); 2 usage or I/O error. `plan` and `check` give the same status for the
//! same file. A closed output pipe exits 0 quietly.

// Only the Windows edge module may use `unsafe` (it allows it); everything else is safe code.
#![deny(unsafe_code)]

mod check;
mod cli;
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "status and probe need Windows; the table is tested everywhere"
    )
)]
mod codes;
mod describe;
mod emit;
mod hex;
#[cfg_attr(
    not(windows),
    allow(
        dead_code,
        reason = "status needs Windows; its judgement is tested everywhere"
    )
)]
mod original;
mod plan;
mod sddl_cmd;
mod source;
#[cfg(windows)]
#[allow(unsafe_code, reason = "the FFI edge: one WFP call per unsafe block")]
mod windows;

use core::fmt::Write as _;
use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use secdesc::{SddlContext, SecurityDescriptor, Sid};
use serde::Serialize;

use crate::cli::{Cli, Command, EmitFormat, SddlCommand, SourceArgs};
use crate::describe::Description;
use crate::plan::{Plan, Problem};
use crate::source::Values;

/// Exit status of a run that completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Everything succeeded.
    Success,
    /// A clean negative answer.
    Negative,
    /// An I/O error, already reported in the output (`check` of a file that cannot be read).
    Failed,
}

/// The JSON error object written on stdout for a failure with `--json`.
fn json_error(message: &str, exit: u8) -> serde_json::Value {
    serde_json::json!({ "ok": false, "exit": exit, "error": { "message": message } })
}

fn main() -> ExitCode {
    // Known before parsing, so that a usage error can be reported as JSON too.
    let json = std::env::args_os().skip(1).any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to stdout, exit 0; usage errors exit 2.
        Err(e) if !e.use_stderr() || !json => e.exit(),
        Err(e) => {
            let message = e.render().to_string();
            let _ = out_json(&json_error(message.trim_end(), 2));
            let _ = write!(io::stderr(), "{message}");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Negative) => ExitCode::from(1),
        Ok(Status::Failed) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                let _ = out_json(&json_error(&format!("{e:#}"), 2));
            }
            // stderr may be closed too; nothing more can be done then.
            let _ = writeln!(io::stderr(), "connsecctl: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn context(domain_sid: Option<Sid>) -> SddlContext {
    match domain_sid {
        Some(sid) => SddlContext::new().with_domain_sid(sid),
        None => SddlContext::new(),
    }
}

fn out(text: &str) -> Result<()> {
    let mut w = io::stdout().lock();
    w.write_all(text.as_bytes())?;
    w.flush()?;
    Ok(())
}

fn out_json(value: &impl Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    out(&text)
}

fn run(cli: Cli) -> Result<Status> {
    let json = cli.json;
    match cli.command {
        Command::Plan(source) => cmd_plan(&source, json),
        Command::Check { files } => cmd_check(&files, json),
        Command::Emit {
            format,
            source,
            output,
        } => cmd_emit(format, &source, output.as_deref(), json),
        Command::Explain { input, domain_sid } => cmd_explain(&input, &context(domain_sid), json),
        Command::Sddl { direction } => cmd_sddl(direction, json),
        Command::Status(source) => cmd_status(&source, json),
        Command::Probe => cmd_probe(json),
    }
}

/// A configuration the driver refuses: the problem on stderr (one line), negative status.
fn refused(p: &Problem, json: bool) -> Result<Status> {
    if json {
        out_json(&serde_json::json!({ "ok": false, "exit": 1, "error": p }))?;
    }
    let _ = writeln!(io::stderr(), "connsecctl: {p}");
    Ok(Status::Negative)
}

#[derive(Serialize)]
struct PlanJson<'a> {
    ok: bool,
    origin: &'a str,
    dacl_source: &'a str,
    restore_on_unload: bool,
    allow_unsafe_dacl: bool,
    security_information: u32,
    dacl_hex: String,
    descriptor: &'a Description,
    warnings: &'a [Problem],
    /// What depends on the registry the file is applied to.
    notes: &'a [source::Note],
}

fn security_information_text(v: u32) -> String {
    use connsec_policy::policy::{DACL_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION};
    let mut names = Vec::new();
    if v & DACL_SECURITY_INFORMATION != 0 {
        names.push("DACL_SECURITY_INFORMATION");
    }
    if v & PROTECTED_DACL_SECURITY_INFORMATION != 0 {
        names.push("PROTECTED_DACL_SECURITY_INFORMATION");
    }
    format!("{} (0x{v:08x})", names.join(" | "))
}

fn plan_values(values: &Values, plan: &Plan, json: bool) -> Result<()> {
    let sd = SecurityDescriptor::new_checked(&plan.descriptor).map_err(|e| {
        anyhow::anyhow!(
            "planned descriptor does not parse: at byte {}: {}",
            e.offset,
            e.kind
        )
    })?;
    let d = describe::describe(&sd, &SddlContext::new());
    if json {
        return out_json(&PlanJson {
            ok: true,
            origin: &values.origin,
            dacl_source: plan.dacl_source,
            restore_on_unload: plan.restore_on_unload,
            allow_unsafe_dacl: plan.allow_unsafe_dacl,
            security_information: plan.security_information,
            dacl_hex: hex::encode(&plan.dacl),
            descriptor: &d,
            warnings: &plan.warnings,
            notes: &values.notes,
        });
    }
    let mut text = format!(
        "Configuration: {}\nDACL from: {}\nRestoreOnUnload: {}\nAllowUnsafeDacl: {}\nApplied with: FwpmConnectionSetSecurityInfo0, {}\n\n",
        values.origin,
        plan.dacl_source,
        u8::from(plan.restore_on_unload),
        u8::from(plan.allow_unsafe_dacl),
        security_information_text(plan.security_information),
    );
    text.push_str(&describe::render(&d));
    if plan.warnings.is_empty() {
        text.push_str("Warnings: none\n");
    } else {
        text.push_str("Warnings:\n");
        for w in &plan.warnings {
            let _ = writeln!(text, "  {w}");
        }
    }
    if !values.notes.is_empty() {
        text.push_str("Depends on the registry the file is applied to:\n");
        for n in &values.notes {
            let at = n.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            let what = n
                .value
                .as_deref()
                .map(|v| format!("{v}: "))
                .unwrap_or_default();
            let _ = writeln!(text, "  {at}{what}{}", n.text);
        }
    }
    out(&text)
}

/// The values a source gives; a file that does not read as a configuration is a refused
/// configuration (exit 1, as `check` reports it), anything else an error (exit 2).
fn load_or_refuse(source: &SourceArgs, json: bool) -> Result<Result<Values, Status>> {
    match source::load(source) {
        Ok(v) => Ok(Ok(v)),
        Err(e) => match e.downcast_ref::<connsec_inf::Error>() {
            Some(syntax) => {
                let file = syntax.file.clone().unwrap_or_default();
                Ok(Err(refused(&check::syntax_problem(&file, syntax), json)?))
            }
            None => Err(e),
        },
    }
}

fn cmd_plan(source: &SourceArgs, json: bool) -> Result<Status> {
    let values = match load_or_refuse(source, json)? {
        Ok(v) => v,
        Err(status) => return Ok(status),
    };
    match plan::plan(&values) {
        Ok(plan) => {
            plan_values(&values, &plan, json)?;
            Ok(Status::Success)
        }
        Err(p) => refused(&p, json),
    }
}

fn cmd_check(files: &[std::path::PathBuf], json: bool) -> Result<Status> {
    let (all_ok, unreadable) = check::run(files, json)?;
    if unreadable > 0 {
        // The files' own report (or JSON document) already names each one; this is the summary.
        let _ = writeln!(
            io::stderr(),
            "connsecctl: check: {unreadable} of {} file{} could not be read",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
        return Ok(Status::Failed);
    }
    Ok(if all_ok {
        Status::Success
    } else {
        Status::Negative
    })
}

fn cmd_emit(
    format: EmitFormat,
    source: &SourceArgs,
    output: Option<&std::path::Path>,
    json: bool,
) -> Result<Status> {
    let values = match load_or_refuse(source, json)? {
        Ok(v) => v,
        Err(status) => return Ok(status),
    };
    if let Err(p) = plan::plan(&values) {
        return refused(&p, json);
    }
    let text = match format {
        EmitFormat::Reg => emit::reg(&values),
        EmitFormat::Inf => emit::inf(&values),
    };
    if let Some(path) = output {
        let bytes = match format {
            EmitFormat::Reg => {
                let mut b = vec![0xFF, 0xFE];
                for u in text.encode_utf16() {
                    b.extend_from_slice(&u.to_le_bytes());
                }
                b
            }
            EmitFormat::Inf => text.clone().into_bytes(),
        };
        write_replacing(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        if json {
            out_json(
                &serde_json::json!({ "ok": true, "format": format_name(format), "file": path.display().to_string() }),
            )?;
        }
    } else if json {
        out_json(&serde_json::json!({ "ok": true, "format": format_name(format), "text": text }))?;
    } else {
        out(&text)?;
    }
    Ok(Status::Success)
}

/// Writes `bytes` to a temporary file in `path`'s folder, flushes it to disk and renames it
/// over `path`: the old file stays whole until the new one is complete.
fn write_replacing(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".connsecctl-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn format_name(f: EmitFormat) -> &'static str {
    match f {
        EmitFormat::Reg => "reg",
        EmitFormat::Inf => "inf",
    }
}

/// The descriptor bytes `explain` was given: a file (hex text or raw bytes) or hex digits.
fn explain_bytes(input: &str) -> Result<Vec<u8>> {
    let path = std::path::Path::new(input);
    let (text, what): (Vec<u8>, String) = if path.is_file() {
        let bytes = std::fs::read(path).with_context(|| format!("reading {input}"))?;
        let trimmed = bytes.trim_ascii();
        let is_hex_text = !trimmed.is_empty()
            && trimmed
                .iter()
                .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace());
        if !is_hex_text {
            return Ok(bytes);
        }
        (trimmed.to_vec(), input.to_owned())
    } else {
        (input.as_bytes().to_vec(), "argument".to_owned())
    };
    let digits: Vec<u8> = text
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let mut out = Vec::new();
    hex::decode_into(&digits, &mut out).with_context(|| format!("reading hex from {what}"))?;
    Ok(out)
}

fn cmd_explain(input: &str, ctx: &SddlContext, json: bool) -> Result<Status> {
    let bytes = explain_bytes(input)?;
    let sd = SecurityDescriptor::new_checked(&bytes)
        .map_err(|e| anyhow::anyhow!("explain: at byte {}: {}", e.offset, e.kind))?;
    let d = describe::describe(&sd, ctx);
    if json {
        out_json(&d)?;
    } else {
        out(&describe::render(&d))?;
    }
    Ok(Status::Success)
}

fn cmd_sddl(direction: SddlCommand, json: bool) -> Result<Status> {
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    let batch = match direction {
        SddlCommand::Encode { domain_sid } => {
            sddl_cmd::encode(&context(domain_sid), json, stdin, stdout)
        }
        SddlCommand::Decode { domain_sid } => {
            sddl_cmd::decode(&context(domain_sid), json, stdin, stdout)
        }
    }
    .context("sddl")?;
    Ok(if batch.failed == 0 {
        Status::Success
    } else {
        Status::Negative
    })
}

#[cfg(windows)]
fn cmd_status(source: &SourceArgs, json: bool) -> Result<Status> {
    // The live Parameters key: the configuration the driver reads (without a source option),
    // and the stored original descriptor either way.
    let live = windows::registry_values();
    let values = if source.is_default() {
        live.as_ref()
            .map_err(|e| anyhow::anyhow!("status: {e}"))?
            .clone()
    } else {
        match load_or_refuse(source, json)? {
            Ok(v) => v,
            Err(status) => return Ok(status),
        }
    };
    let plan = match plan::plan(&values) {
        Ok(p) => p,
        Err(p) => return refused(&p, json),
    };
    let stored = match &live {
        Ok(v) => original::stored(v.get(connsec_policy::config::ORIGINAL_DACL)),
        Err(e) => original::Stored::Unreadable(e.to_string()),
    };
    let read = match &live {
        Ok(v) => format!(
            "read {} ({} value{}; OriginalDacl {})",
            v.origin,
            v.values.len(),
            if v.values.len() == 1 { "" } else { "s" },
            original::stored_text(&stored)
        ),
        Err(e) => format!("could not read the Parameters key ({e})"),
    };
    windows::status(&plan, &stored, &read, json)
}

#[cfg(windows)]
fn cmd_probe(json: bool) -> Result<Status> {
    windows::probe(json)
}

#[cfg(not(windows))]
fn cmd_status(_source: &SourceArgs, _json: bool) -> Result<Status> {
    anyhow::bail!(
        "status: needs Windows (it reads the live descriptor with FwpmConnectionGetSecurityInfo0)"
    )
}

#[cfg(not(windows))]
fn cmd_probe(_json: bool) -> Result<Status> {
    anyhow::bail!(
        "probe: needs Windows (it calls the WFP connection enumeration and subscription APIs)"
    )
}
