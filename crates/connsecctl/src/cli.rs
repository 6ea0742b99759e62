//! Command-line arguments (clap derive). Validation that needs more than one argument happens
//! afterwards, in the command modules (ripgrep's two-step parse).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secdesc::Sid;

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  a clean negative answer: `check` found an error, a configuration is refused
     or its file does not read as one (`plan` and `check` agree), a `sddl` line
     failed, `status` found a difference, `probe` was denied something
  2  usage or I/O error (also: `status`/`probe` on a system other than Windows,
     or where WFP cannot be asked); with --json, a JSON error object on stdout
A closed output pipe ends the program quietly with status 0.";

const EXAMPLES: &str = "\
Examples:
  connsecctl plan                                  the INF's default policy
  connsecctl plan --reg params.reg                 a .reg export of the Parameters key
  connsecctl plan --principal SY:GENERIC_ALL --principal BA:GENERIC_ALL \\
                  --principal 'NT SERVICE\\MpsSvc:ENUM|READ|SUBSCRIBE'
  connsecctl plan --sddl 'D:P(A;;GA;;;SY)(A;;GA;;;BA)' --json
  connsecctl check inf/connsec.inx params.reg
  connsecctl emit reg --principal SY:GENERIC_ALL --principal BA:GENERIC_ALL > params.reg
  connsecctl explain 0100048014000000...
  printf 'D:(A;;GA;;;SY)\\n' | connsecctl sddl encode | connsecctl sddl decode";

/// Plan, check, emit and explain the DACL that connsec applies to WFP connection objects.
#[derive(Debug, Parser)]
#[command(name = "connsecctl", version, about, after_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"))]
pub(crate) struct Cli {
    /// Write machine-readable JSON instead of human-readable text.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show the DACL the driver would apply: principals, SDDL and descriptor bytes.
    ///
    /// Without options, plans the INF's default configuration (embedded at build time from
    /// inf/connsec.inx). The plan runs the driver's own code: registry bytes -> configuration
    /// -> checks -> DACL.
    #[command(after_help = EXIT_CODES)]
    Plan(SourceArgs),
    /// Validate a .reg export or an .inx/.inf file; report each problem with file, line and value.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Files to check (.reg, .inx or .inf; other names are recognised by content).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Write a planned policy as a .reg file or as INF `AddReg` lines.
    #[command(after_help = EXIT_CODES)]
    Emit {
        /// What to write.
        format: EmitFormat,
        #[command(flatten)]
        source: SourceArgs,
        /// Write to FILE instead of stdout (a .reg file is then written as UTF-16LE with BOM,
        /// like regedit does).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Decode any self-relative security descriptor (hex text, or a file holding hex text or
    /// raw bytes) into the principals table and SDDL, naming WFP rights.
    #[command(after_help = EXIT_CODES)]
    Explain {
        /// Hex digits, or the path of a file.
        #[arg(value_name = "HEX|FILE")]
        input: String,
        /// Domain SID used to print domain-relative aliases (DA, DU, ...).
        #[arg(long, value_name = "SID", value_parser = parse_sid)]
        domain_sid: Option<Sid>,
    },
    /// Batch SDDL codec over stdin: one input line -> one output line, in order.
    #[command(after_help = EXIT_CODES)]
    Sddl {
        #[command(subcommand)]
        direction: SddlCommand,
    },
    /// (Windows) Compare the live connection-objects DACL with the configured policy (by
    /// default the service's Parameters key in the registry; or the given source).
    #[command(after_help = EXIT_CODES)]
    Status(SourceArgs),
    /// (Windows) Try to enumerate and to subscribe to connection objects as the current user.
    #[command(after_help = EXIT_CODES)]
    Probe,
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub(crate) enum SddlCommand {
    /// SDDL lines in; lowercase hex descriptor (or `error: <message>`) lines out.
    Encode {
        /// Domain SID that domain-relative aliases (DA, DU, LA, ...) resolve against.
        #[arg(long, value_name = "SID", value_parser = parse_sid)]
        domain_sid: Option<Sid>,
    },
    /// Hex descriptor lines in; SDDL (or `error: <message>`) lines out.
    Decode {
        /// Domain SID used to print domain-relative aliases.
        #[arg(long, value_name = "SID", value_parser = parse_sid)]
        domain_sid: Option<Sid>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum EmitFormat {
    /// A regedit export (`Windows Registry Editor Version 5.00`) of the Parameters key.
    Reg,
    /// `HKR,Parameters,...` lines for an INF add-registry section.
    Inf,
}

/// Where the configuration comes from (default: the INF's defaults, embedded at build time).
#[derive(Debug, Clone, Args, Default)]
pub(crate) struct SourceArgs {
    /// A .reg export of the service's Parameters key.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["inf", "sddl", "principal"])]
    pub(crate) reg: Option<PathBuf>,
    /// An INF/INX file: its `HKR,Parameters` `AddReg` lines.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["sddl", "principal"])]
    pub(crate) inf: Option<PathBuf>,
    /// A whole DACL as SDDL (`D:` only), as the `DaclSddl` value.
    #[arg(long, value_name = "TEXT", conflicts_with = "principal")]
    pub(crate) sddl: Option<String>,
    /// A Principals entry `SID-or-alias-or-NT SERVICE\name[:rights]` (repeatable, in order).
    #[arg(long, value_name = "SID[:RIGHTS]")]
    pub(crate) principal: Vec<String>,
    /// With --sddl/--principal: set `AllowUnsafeDacl` to 1.
    #[arg(long, conflicts_with_all = ["reg", "inf"])]
    pub(crate) allow_unsafe_dacl: bool,
    /// With --sddl/--principal: set `RestoreOnUnload` to 0.
    #[arg(long, conflicts_with_all = ["reg", "inf"])]
    pub(crate) no_restore_on_unload: bool,
}

impl SourceArgs {
    /// Whether no source option was given (the embedded INF defaults for `plan`/`emit`, the live
    /// registry for `status`).
    #[cfg_attr(
        not(windows),
        allow(dead_code, reason = "only `status` on Windows asks")
    )]
    pub(crate) fn is_default(&self) -> bool {
        self.reg.is_none() && self.inf.is_none() && self.sddl.is_none() && self.principal.is_empty()
    }
}

fn parse_sid(text: &str) -> Result<Sid, String> {
    Sid::parse(text).map_err(|e| format!("at character {}: {}", e.offset, e.kind))
}
