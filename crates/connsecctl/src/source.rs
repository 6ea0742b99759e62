//! Where a configuration comes from, turned into the raw registry values the driver would read
//! from its `Parameters` key: the INF's defaults (embedded), an INF file, a `.reg` export, or
//! `--principal`/`--sddl` options. Each value remembers the file and line it came from, so
//! problems can be reported there.

use std::path::Path;

use anyhow::{Context, Result, bail};
use connsec_inf::{Inf, RegFile, RegType, dword_bytes, multi_sz_bytes, sz_bytes};
use connsec_policy::config::{
    ALLOW_UNSAFE_DACL, DACL_SDDL, PARAMETERS_KEY, PRINCIPALS, RESTORE_ON_UNLOAD,
};

use crate::cli::SourceArgs;

/// The INF the driver package installs, embedded at build time.
pub(crate) const DEFAULT_INX: &[u8] = include_bytes!("../../../inf/connsec.inx");
/// How the embedded INF is named in output.
pub(crate) const DEFAULT_INX_NAME: &str = "inf/connsec.inx (embedded)";

/// One registry value under `Parameters`, as raw registry bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Value {
    pub(crate) name: String,
    pub(crate) kind: RegType,
    pub(crate) data: Vec<u8>,
    /// 1-based line in [`Values::file`], when the value came from a file.
    pub(crate) line: Option<usize>,
}

/// The `Parameters` values of one configuration, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Values {
    /// What the values came from (a file name, or a description of the options).
    pub(crate) origin: String,
    /// The file the values came from, if any.
    pub(crate) file: Option<String>,
    #[expect(
        clippy::struct_field_names,
        reason = "`values.values` reads as the values of a configuration"
    )]
    pub(crate) values: Vec<Value>,
}

impl Values {
    /// The first value named `name` (case-insensitive).
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// The `HKR,Parameters,...` values of an INF's `AddReg` sections; the first error stops it.
pub(crate) fn from_inf_bytes(bytes: &[u8], file: &str) -> Result<Values, connsec_inf::Error> {
    let inf = Inf::from_named_bytes(bytes, file)?;
    let (values, errors) = inf_values(&inf);
    match errors.into_iter().next() {
        None => Ok(values),
        Some((e, _)) => Err(e),
    }
}

/// The `HKR,Parameters,...` values of an INF's `AddReg` sections, and every error found on the
/// way (a missing section, a bad line), each with its line and, for a bad line, the value name
/// it writes.
pub(crate) fn inf_values(inf: &Inf) -> (Values, Vec<(connsec_inf::Error, Option<String>)>) {
    let file = inf.file().unwrap_or("INF").to_owned();
    let mut values = Vec::new();
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (_, line, name) in inf.add_reg_references() {
        if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            continue;
        }
        seen.push(name);
        let Some(section) = inf.section(name) else {
            let kind = connsec_inf::ErrorKind::MissingSection(name.to_owned());
            errors.push((
                connsec_inf::Error {
                    file: Some(file.clone()),
                    line,
                    kind,
                },
                None,
            ));
            continue;
        };
        for l in &section.lines {
            match inf.add_reg_line(&section.name, l) {
                Ok(e) if e.is_hkr_value_in("Parameters") => {
                    if let Some(kind) = e.kind {
                        values.push(Value {
                            name: e.name,
                            kind,
                            data: e.data,
                            line: Some(e.line),
                        });
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    let name = l
                        .values
                        .get(2)
                        .map(|f| f.value.clone())
                        .filter(|n| !n.is_empty());
                    errors.push((err, name));
                }
            }
        }
    }
    let values = Values {
        origin: file.clone(),
        file: Some(file),
        values,
    };
    (values, errors)
}

/// The values under the `Parameters` key of a `.reg` export: the key whose path is
/// `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\connsec\Parameters`, else the last
/// key whose name is `Parameters`.
pub(crate) fn from_reg_bytes(bytes: &[u8], file: &str) -> Result<Values, connsec_inf::Error> {
    let reg = RegFile::from_named_bytes(bytes, file)?;
    let full = format!("HKEY_LOCAL_MACHINE\\{PARAMETERS_KEY}");
    let key = reg
        .keys
        .iter()
        .rev()
        .find(|k| {
            !k.delete
                && (k.path.eq_ignore_ascii_case(&full)
                    || k.path
                        .eq_ignore_ascii_case(&format!("HKLM\\{PARAMETERS_KEY}")))
        })
        .or_else(|| reg.key_with_leaf("Parameters"));
    let Some(key) = key else {
        return Err(connsec_inf::Error {
            file: Some(file.to_owned()),
            line: 0,
            kind: connsec_inf::ErrorKind::NoSuchKey(full),
        });
    };
    let values = key
        .values
        .iter()
        .map(|v| Value {
            name: v.name.clone(),
            kind: v.kind,
            data: v.data.clone(),
            line: Some(v.line),
        })
        .collect();
    Ok(Values {
        origin: file.to_owned(),
        file: Some(file.to_owned()),
        values,
    })
}

/// Whether `path`/`bytes` look like a `.reg` export rather than an INF.
pub(crate) fn is_reg(path: &Path, bytes: &[u8]) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("reg") => true,
        Some(e) if e.eq_ignore_ascii_case("inx") || e.eq_ignore_ascii_case("inf") => false,
        _ => connsec_inf::decode_text(bytes).is_ok_and(|t| {
            let first = t
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("");
            first == connsec_inf::reg::HEADER || first == "REGEDIT4"
        }),
    }
}

/// The values the source options describe.
pub(crate) fn load(args: &SourceArgs) -> Result<Values> {
    if let Some(path) = &args.reg {
        let name = path.display().to_string();
        return Ok(from_reg_bytes(&read(path)?, &name)?);
    }
    if let Some(path) = &args.inf {
        let name = path.display().to_string();
        return Ok(from_inf_bytes(&read(path)?, &name)?);
    }
    if args.sddl.is_none() && args.principal.is_empty() {
        if args.allow_unsafe_dacl || args.no_restore_on_unload {
            bail!("--allow-unsafe-dacl and --no-restore-on-unload need --sddl or --principal");
        }
        return from_inf_bytes(DEFAULT_INX, DEFAULT_INX_NAME)
            .context("the embedded default INF does not parse");
    }
    let mut values = Vec::new();
    let origin = if let Some(sddl) = &args.sddl {
        values.push(Value {
            name: DACL_SDDL.to_owned(),
            kind: RegType::SZ,
            data: sz_bytes(sddl),
            line: None,
        });
        "--sddl".to_owned()
    } else {
        let data = multi_sz_bytes(args.principal.iter().map(String::as_str));
        values.push(Value {
            name: PRINCIPALS.to_owned(),
            kind: RegType::MULTI_SZ,
            data,
            line: None,
        });
        "--principal".to_owned()
    };
    values.push(Value {
        name: RESTORE_ON_UNLOAD.to_owned(),
        kind: RegType::DWORD,
        data: dword_bytes(u32::from(!args.no_restore_on_unload)),
        line: None,
    });
    values.push(Value {
        name: ALLOW_UNSAFE_DACL.to_owned(),
        kind: RegType::DWORD,
        data: dword_bytes(u32::from(args.allow_unsafe_dacl)),
        line: None,
    });
    Ok(Values {
        origin,
        file: None,
        values,
    })
}
