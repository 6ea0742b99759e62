//! Where a configuration comes from, turned into the raw registry values the driver would read
//! from its `Parameters` key: the INF's defaults (embedded), an INF file, a `.reg` export, or
//! `--principal`/`--sddl` options. Each value remembers the file and line it came from, so
//! problems can be reported there.
//!
//! Files are read as Windows reads them: a `.reg` file as regedit imports it, an INF as
//! `SetupAPI` installs its default install section for the `connsec` service (see `docs/inf.md`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use connsec_inf::{Inf, KeyState, RegFile, RegType, Target, dword_bytes, multi_sz_bytes, sz_bytes};
use connsec_policy::config::{
    ALLOW_UNSAFE_DACL, DACL_SDDL, PARAMETERS_KEY, PRINCIPALS, RESTORE_ON_UNLOAD, VALUE_NAMES,
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
    /// What depends on the registry the file is applied to (an upgrade over an existing key,
    /// an import over an earlier configuration), and lines that count for nothing.
    pub(crate) notes: Vec<Note>,
    /// Lower-cased name -> index of the first value of that name: [`Values::get`] runs once
    /// per reported problem, so it must not scan the values (100,000 values would take
    /// minutes).
    index: HashMap<String, usize>,
}

/// Something the reader found that does not stop the plan but that a person should know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Note {
    /// The value concerned, if one.
    pub(crate) value: Option<String>,
    /// The line of the file, if one.
    pub(crate) line: Option<usize>,
    pub(crate) text: String,
}

impl Values {
    /// The values of one configuration.
    pub(crate) fn new(
        origin: String,
        file: Option<String>,
        values: Vec<Value>,
        notes: Vec<Note>,
    ) -> Self {
        let mut index = HashMap::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            index.entry(v.name.to_lowercase()).or_insert(i);
        }
        Self {
            origin,
            file,
            values,
            notes,
            index,
        }
    }

    /// The first value named `name` (case-insensitive, as the registry compares names).
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.index
            .get(&name.to_lowercase())
            .and_then(|&i| self.values.get(i))
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// The INF's `Parameters` values after a fresh install; the first error stops it.
pub(crate) fn from_inf_bytes(bytes: &[u8], file: &str) -> Result<Values, connsec_inf::Error> {
    let inf = Inf::from_named_bytes(bytes, file)?;
    let (values, errors) = inf_values(&inf);
    match errors.into_iter().next() {
        None => Ok(values),
        Some((e, _)) => Err(e),
    }
}

/// The service whose key connsec reads (`...\Services\connsec\Parameters`).
const SERVICE: &str = "connsec";

/// Whether a control-set key name is `CurrentControlSet` or `ControlSetNNN`.
fn is_control_set(c: &str) -> bool {
    c.eq_ignore_ascii_case("CurrentControlSet")
        || c.get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case("ControlSet"))
            && c.len() == 13
            && c.bytes().skip(10).all(|b| b.is_ascii_digit())
}

/// How a path under `HKEY_LOCAL_MACHINE` (without the root) relates to connsec's `Parameters`
/// key: `SYSTEM\<CurrentControlSet|ControlSetNNN>\Services\connsec\Parameters`, compared
/// ignoring case as the registry does.
pub(crate) fn parameters_target(path: &str) -> Target {
    let parts: Vec<&str> = path.trim().trim_end_matches('\\').split('\\').collect();
    let want = |i: usize, c: &str| match i {
        0 => c.eq_ignore_ascii_case("SYSTEM"),
        1 => is_control_set(c),
        2 => c.eq_ignore_ascii_case("Services"),
        3 => c.eq_ignore_ascii_case(SERVICE),
        4 => c.eq_ignore_ascii_case("Parameters"),
        _ => false,
    };
    if parts.first().is_none_or(|p| p.is_empty())
        || !parts.iter().enumerate().all(|(i, c)| want(i, c))
    {
        return Target::Other;
    }
    if parts.len() == 5 {
        Target::Key
    } else {
        Target::Ancestor
    }
}

/// [`parameters_target`] for a `.reg` key path, which starts with its root.
fn reg_target(path: &str) -> Target {
    let (root, rest) = path.split_once('\\').unwrap_or((path, ""));
    if root.eq_ignore_ascii_case("HKEY_LOCAL_MACHINE") || root.eq_ignore_ascii_case("HKLM") {
        parameters_target(rest)
    } else {
        Target::Other
    }
}

/// The control set a path under `HKLM` names (lower-cased), if it is about the key.
fn control_set(path_under_hklm: &str) -> Option<String> {
    (parameters_target(path_under_hklm) != Target::Other)
        .then(|| {
            path_under_hklm
                .split('\\')
                .nth(1)
                .map(str::to_ascii_lowercase)
        })
        .flatten()
}

/// Values from merged operations, with the notes on what depends on the existing key.
fn from_state(file: &str, state: &KeyState, mut notes: Vec<Note>) -> Values {
    let values = state
        .values
        .iter()
        .map(|v| Value {
            name: v.name.clone(),
            kind: v.kind,
            data: v.data.clone(),
            line: Some(v.line),
        })
        .collect();
    // Values the file never mentions keep what the key has: one note for all of them, except
    // the other policy value, whose presence makes the driver refuse to start.
    let mut kept: Vec<&str> = Vec::new();
    for n in &state.upgrade {
        if n.line.is_none() && !is_other_policy(state, &n.name) {
            kept.push(&n.name);
            continue;
        }
        notes.push(Note {
            value: Some(n.name.clone()),
            line: n.line,
            text: upgrade_text(state, n),
        });
    }
    if !kept.is_empty() && !state.values.is_empty() {
        notes.push(Note {
            value: None,
            line: None,
            text: format!(
                "over an existing key, {} keep{} the value{} the key already has, if any (the file neither writes nor deletes {})",
                kept.join(", "),
                if kept.len() == 1 { "s" } else { "" },
                if kept.len() == 1 { "" } else { "s" },
                if kept.len() == 1 { "it" } else { "them" },
            ),
        });
    }
    Values::new(file.to_owned(), Some(file.to_owned()), values, notes)
}

/// The policy value of the other kind than the one the file sets (`DaclSddl` when it sets
/// `Principals`, and the reverse).
fn other_policy(state: &KeyState, name: &str) -> Option<&'static str> {
    let other = if name.eq_ignore_ascii_case(DACL_SDDL) {
        PRINCIPALS
    } else if name.eq_ignore_ascii_case(PRINCIPALS) {
        DACL_SDDL
    } else {
        return None;
    };
    state
        .values
        .iter()
        .any(|v| v.name.eq_ignore_ascii_case(other))
        .then_some(other)
}

fn is_other_policy(state: &KeyState, name: &str) -> bool {
    other_policy(state, name).is_some()
}

/// The note for one value that depends on the existing key; for the other policy value the
/// consequence is spelled out.
fn upgrade_text(state: &KeyState, n: &connsec_inf::UpgradeNote) -> String {
    match other_policy(state, &n.name) {
        Some(set) => format!(
            "over an existing key: {}; if the key has {name}, the driver finds both {set} and {name} and refuses to start (delete it first: \"{name}\"=- in a .reg file, a DelReg line or FLG_ADDREG_DELVAL in an INF)",
            n.text,
            name = n.name,
        ),
        None => format!("over an existing key: {}", n.text),
    }
}

/// The INF's `Parameters` values after a fresh install of its default install section, and
/// every error found on the way (a missing section, a bad line), each with its line and, for a
/// bad line, the value name it writes.
pub(crate) fn inf_values(inf: &Inf) -> (Values, Vec<(connsec_inf::Error, Option<String>)>) {
    let file = inf.file().unwrap_or("INF").to_owned();
    let install = inf.service_key_ops(SERVICE, "Parameters", &parameters_target);
    let state = connsec_inf::merge::apply(&install.ops, &VALUE_NAMES);
    let notes = install
        .unreached
        .iter()
        .map(|(name, line)| Note {
            value: None,
            line: Some(*line),
            text: format!(
                "section [{name}] writes the Parameters key but the install never reaches it ({} -> .Services -> AddService -> AddReg/DelReg); its lines count for nothing",
                install.install_section.as_deref().unwrap_or("[DefaultInstall...]")
            ),
        })
        .collect();
    (from_state(&file, &state, notes), install.errors)
}

/// The `Parameters` key after regedit imports a `.reg` file over a machine without it: the
/// blocks of `HKEY_LOCAL_MACHINE\SYSTEM\<CurrentControlSet|ControlSetNNN>\Services\connsec\
/// Parameters` merged in file order (names compared ignoring case), later values winning, and
/// `"Name"=-` and `[-key]` (of the key or a parent) applied. Another service's key or another
/// hive counts for nothing.
pub(crate) fn from_reg_bytes(bytes: &[u8], file: &str) -> Result<Values, connsec_inf::Error> {
    let reg = RegFile::from_named_bytes(bytes, file)?;
    let full = format!("HKEY_LOCAL_MACHINE\\{PARAMETERS_KEY}");
    if !reg.keys.iter().any(|k| reg_target(&k.path) == Target::Key) {
        let others: Vec<&str> = reg
            .keys
            .iter()
            .filter(|k| !k.delete && k.leaf().eq_ignore_ascii_case("Parameters"))
            .map(|k| k.path.as_str())
            .collect();
        let kind = if others.is_empty() {
            connsec_inf::ErrorKind::NoSuchKey(full)
        } else {
            connsec_inf::ErrorKind::Unsupported(format!(
                "no [{full}] key in the file; [{}] is not connsec's Parameters key",
                others.join("], [")
            ))
        };
        return Err(connsec_inf::Error {
            file: Some(file.to_owned()),
            line: 0,
            kind,
        });
    }
    let ops = reg.ops_for(reg_target);
    let state = connsec_inf::merge::apply(&ops, &VALUE_NAMES);
    let mut sets: Vec<String> = Vec::new();
    for k in &reg.keys {
        let under = k.path.split_once('\\').map_or("", |(_, r)| r);
        if let Some(cs) = control_set(under).filter(|_| reg_target(&k.path) == Target::Key)
            && !sets.contains(&cs)
        {
            sets.push(cs);
        }
    }
    let mut notes = Vec::new();
    if sets.len() > 1 {
        notes.push(Note {
            value: None,
            line: None,
            text: format!(
                "the file writes the key under {}; these are one key only for the control set that is current (HKLM\\SYSTEM\\Select, value Current); planned as one key",
                sets.join(" and ")
            ),
        });
    }
    Ok(from_state(file, &state, notes))
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
    Ok(Values::new(origin, None, values, Vec::new()))
}
