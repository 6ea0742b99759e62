//! `connsecctl`: the connsec host tool. A thin binary over the portable crates (STYLE 4.1):
//! it reads files and options, runs the same `connsec-policy` and `secdesc` code the driver
//! runs, and prints the result as text or JSON. `main` only turns the result of [`run`] into an
//! exit status (STYLE 4.2); errors are one line, `connsecctl: <context>: <error>` (STYLE 4.3).
//!
//! Exit status: 0 success; 1 a clean negative answer (`check` found an error, a `sddl` line
//! failed, the configuration is refused, `status` differs, `probe` was denied); 2 usage or I/O
//! error. A closed output pipe exits 0 quietly.

// Only the Windows edge module may use `unsafe` (it allows it); everything else is safe code.
#![deny(unsafe_code)]

mod check;
mod cli;
mod describe;
mod emit;
mod hex;
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Negative) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
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
        out_json(&serde_json::json!({ "ok": false, "error": p }))?;
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
    out(&text)
}

fn cmd_plan(source: &SourceArgs, json: bool) -> Result<Status> {
    // A file that does not parse is a refused configuration (exit 1), as for `check`.
    let values = match source::load(source) {
        Ok(values) => values,
        Err(e) => match e.downcast_ref::<connsec_inf::Error>() {
            Some(syntax) => {
                let file = syntax.file.clone().unwrap_or_default();
                return refused(&check::syntax_problem(&file, syntax), json);
            }
            None => return Err(e),
        },
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
    Ok(if check::run(files, json)? {
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
    let values = source::load(source)?;
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
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
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
    // Without a source option: the configuration the driver reads, from the live registry.
    let values = if source.is_default() {
        windows::registry_values()?
    } else {
        source::load(source)?
    };
    let plan = match plan::plan(&values) {
        Ok(p) => p,
        Err(p) => return refused(&p, json),
    };
    windows::status(&plan, json)
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
