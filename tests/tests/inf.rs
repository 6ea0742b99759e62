//! `inf/connsec.inx` held to the code.
//!
//! The INF is read with `connsec-inf` (the same reader the host tool uses) and checked against:
//! the rules for a WFP callout INF that `infverif` enforces (Microsoft: "INF Files for Callout
//! Drivers", "`InfVerif` INF validation errors and warnings"), its own
//! internal references (sections, `%strings%`, source files), the driver crate's output file
//! name, and the `connsec-policy` crate, which must accept the `Parameters` defaults exactly as
//! the registry will hold them, without an error or a warning.

use std::collections::BTreeSet;

use connsec_inf::{AddRegEntry, Inf, RegType, decode_multi_sz};
use connsec_tests::{read_text, repo_root};

const INX: &str = "inf/connsec.inx";

/// `{57465043-616C-6C6F-7574-5F636C617373}`: the WFPCALLOUTS setup class (its bytes spell
/// `WFPCallout_class`), as in every Microsoft WFP sample INF.
const WFPCALLOUTS_CLASS_GUID: &str = "{57465043-616C-6C6F-7574-5F636C617373}";

/// The only sections a callout INF has ("INF Files for Callout Drivers"), before stampinf.
const CALLOUT_INF_SECTIONS: [&str; 7] = [
    "Version",
    "SourceDisksNames",
    "SourceDisksFiles",
    "DestinationDirs",
    "DefaultInstall.NT$ARCH$",
    "DefaultInstall.NT$ARCH$.Services",
    "Strings",
];

/// Directives that `infverif` rejects in a Windows driver INF ("`InfVerif` INF validation
/// errors and warnings"), plus the
/// registry/directory deletions that have no place in an install-only INF.
const FORBIDDEN_DIRECTIVES: [&str; 4] = ["DelFiles", "DelService", "DelReg", "DelDirs"];

fn inx() -> Inf {
    let text = read_text(INX);
    Inf::parse(&text).map_or_else(|e| panic!("{e}"), |i| i.with_file(INX))
}

/// What stampinf does to `$ARCH$` (cargo make: `stampinf -a amd64|arm64`).
fn stamped(arch: &str) -> Inf {
    let text = read_text(INX).replace("$ARCH$", arch);
    Inf::parse(&text).unwrap_or_else(|e| panic!("{INX} stamped for {arch}: {e}"))
}

fn value<'a>(inf: &'a Inf, section: &str, key: &str) -> &'a str {
    inf.section(section)
        .unwrap_or_else(|| panic!("{INX}: no [{section}]"))
        .value(key)
        .map_or_else(|| panic!("{INX}: [{section}] has no {key}"), |f| f.value)
}

/// The install section named by the one `AddService` line, and that line's fields.
fn add_service(inf: &Inf) -> (String, String, String) {
    let services = inf
        .section("DefaultInstall.NT$ARCH$.Services")
        .unwrap_or_else(|| panic!("{INX}: no [DefaultInstall.NT$ARCH$.Services]"));
    let lines: Vec<_> = services.entries("AddService").collect();
    assert_eq!(
        lines.len(),
        1,
        "{INX}: exactly one AddService line expected"
    );
    let fields: Vec<&str> = lines[0].values().map(|f| f.value).collect();
    match fields.as_slice() {
        [name, flags, section, ..] => (
            (*name).to_owned(),
            (*flags).to_owned(),
            (*section).to_owned(),
        ),
        _ => panic!(
            "{INX} line {}: AddService needs name,flags,install-section",
            lines[0].number
        ),
    }
}

/// `%13%\connsec.sys` → (13, "connsec.sys").
fn split_dirid_path(path: &str) -> (u32, &str) {
    let rest = path
        .strip_prefix('%')
        .unwrap_or_else(|| panic!("ServiceBinary {path:?} does not start with a %dirid%"));
    let (dirid, file) = rest
        .split_once("%\\")
        .unwrap_or_else(|| panic!("ServiceBinary {path:?} is not %dirid%\\file"));
    let dirid = dirid
        .parse()
        .unwrap_or_else(|_| panic!("ServiceBinary {path:?}: {dirid:?} is not a dirid"));
    (dirid, file)
}

#[test]
fn inx_is_plain_ascii_for_include_bytes() {
    let bytes = std::fs::read(repo_root().join(INX)).expect("reading the INX");
    if let Some(at) = bytes.iter().position(|b| !b.is_ascii()) {
        panic!("{INX}: byte {at} is not ASCII (the host tool embeds the file as ASCII text)");
    }
    // And it parses (ANSI is one of the two encodings Windows' INF parser takes).
    let _ = inx();
}

#[test]
fn version_section_declares_a_wfp_callout_class() {
    let inf = inx();
    assert!(value(&inf, "Version", "Signature").eq_ignore_ascii_case("$WINDOWS NT$"));
    assert_eq!(value(&inf, "Version", "Class"), "WFPCALLOUTS");
    let guid = value(&inf, "Version", "ClassGuid");
    assert!(
        guid.eq_ignore_ascii_case(WFPCALLOUTS_CLASS_GUID),
        "ClassGuid {guid}"
    );
    // The class GUID spells its own name; a typo in the constant above would show here.
    let hex: String = WFPCALLOUTS_CLASS_GUID
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let spelled: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(spelled, b"WFPCallout_class");

    assert_eq!(value(&inf, "Version", "PnpLockdown"), "1");
    assert_eq!(value(&inf, "Version", "CatalogFile"), "connsec.cat");
    // DriverVer is there for stampinf to fill in.
    assert!(inf.section("Version").unwrap().value("DriverVer").is_some());
    let provider = &inf
        .section("Version")
        .unwrap()
        .value("Provider")
        .unwrap()
        .raw;
    assert!(
        provider.starts_with('%') && provider.ends_with('%'),
        "Provider should be a [Strings] token, found {provider}"
    );
}

#[test]
fn only_the_sections_a_callout_inf_may_have() {
    let inf = inx();
    let (_, _, service_section) = add_service(&inf);
    let install = inf.section("DefaultInstall.NT$ARCH$").unwrap();
    let mut allowed: BTreeSet<String> = CALLOUT_INF_SECTIONS
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    // The sections the install sections name.
    allowed.insert(service_section.to_ascii_lowercase());
    for l in install.entries("CopyFiles") {
        for f in l.values() {
            allowed.insert(f.value.to_ascii_lowercase());
        }
    }
    for (_, _, named) in inf.add_reg_references() {
        allowed.insert(named.to_ascii_lowercase());
    }
    for s in inf.sections() {
        assert!(
            allowed.contains(&s.name.to_ascii_lowercase()),
            "{INX} line {}: [{}] has no place in a callout INF",
            s.line,
            s.name
        );
        let lower = s.name.to_ascii_lowercase();
        assert!(
            lower != "manufacturer",
            "[Manufacturer] with DefaultInstall"
        );
        assert!(!lower.starts_with("defaultuninstall"), "[{}]", s.name);
        assert!(
            lower != "defaultinstall" && lower != "defaultinstall.services",
            "undecorated [{}]: infverif requires DefaultInstall.NT$ARCH$",
            s.name
        );
        for l in &s.lines {
            for d in FORBIDDEN_DIRECTIVES {
                assert!(
                    !l.has_key(d),
                    "{INX} line {}: {d} is invalid in a Windows driver INF",
                    l.number
                );
            }
        }
    }
    for required in CALLOUT_INF_SECTIONS {
        assert!(inf.section(required).is_some(), "{INX}: no [{required}]");
    }
}

#[test]
fn every_referenced_section_exists_after_stampinf() {
    for arch in ["amd64", "arm64"] {
        let inf = stamped(arch);
        let install = format!("DefaultInstall.NT{arch}");
        let services = format!("{install}.Services");
        let install_section = inf
            .section(&install)
            .unwrap_or_else(|| panic!("no [{install}] after stampinf -a {arch}"));
        assert!(inf.section(&services).is_some(), "no [{services}]");

        let mut referenced = Vec::new();
        for l in install_section.entries("CopyFiles") {
            for f in l.values() {
                // `@file` copies one file directly; anything else names a file-list section.
                if !f.value.starts_with('@') {
                    referenced.push((l.number, "CopyFiles", f.value.to_owned()));
                }
            }
        }
        for l in inf.section(&services).unwrap().entries("AddService") {
            let section = l.value(2).map(|f| f.value.to_owned()).unwrap_or_default();
            referenced.push((l.number, "AddService", section));
        }
        for (_, line, named) in inf.add_reg_references() {
            referenced.push((line, "AddReg", named.to_owned()));
        }
        assert!(referenced.len() >= 3, "CopyFiles, AddService and AddReg");
        for (line, directive, named) in referenced {
            assert!(
                !named.is_empty() && inf.section(&named).is_some(),
                "{INX} line {line}: {directive} names [{named}], which does not exist"
            );
        }
    }
}

#[test]
fn every_string_token_is_defined_and_every_string_used() {
    let inf = inx();
    let undefined = inf.undefined_strings();
    assert!(undefined.is_empty(), "undefined %strings%: {undefined:?}");
    let text = read_text(INX).to_ascii_lowercase();
    let strings = inf.section("Strings").expect("[Strings]");
    for l in &strings.lines {
        let key = l.key().expect("a [Strings] line has a key").value;
        assert!(
            text.contains(&format!("%{}%", key.to_ascii_lowercase())),
            "{INX} line {}: string {key} is never used",
            l.number
        );
        let value = l.value(0).expect("a value").value;
        assert!(!value.is_empty(), "{INX} line {}: {key} is empty", l.number);
    }
}

/// The `.sys` file name the driver crate produces: its `[lib] name`, or its package name with
/// `-` replaced by `_` (cargo's rule), plus `.sys` (the WDK build renames the `.dll`).
fn driver_binary_name() -> Option<String> {
    let path = repo_root().join("driver/Cargo.toml");
    let text = std::fs::read_to_string(&path).ok()?;
    let manifest: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lib_name = manifest
        .get("lib")
        .and_then(|l| l.get("name"))
        .and_then(toml::Value::as_str);
    let package_name = manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("{}: no [package] name", path.display()));
    Some(format!(
        "{}.sys",
        lib_name.map_or_else(|| package_name.replace('-', "_"), str::to_owned)
    ))
}

#[test]
fn service_binary_is_the_driver_crates_output_and_is_copied_there() {
    let inf = inx();
    let (_, _, service_section) = add_service(&inf);
    let binary = value(&inf, &service_section, "ServiceBinary");
    let (dirid, file) = split_dirid_path(binary);
    assert_eq!(file, "connsec.sys");
    match driver_binary_name() {
        Some(name) => assert_eq!(
            file, name,
            "ServiceBinary names {file}, the driver crate builds {name}"
        ),
        None => println!(
            "skipped the driver-crate comparison: driver/Cargo.toml does not exist yet \
             (ServiceBinary checked against connsec.sys only)"
        ),
    }

    // The file is copied to the directory the service runs it from.
    let copy_sections: Vec<String> = inf
        .section("DefaultInstall.NT$ARCH$")
        .unwrap()
        .entries("CopyFiles")
        .flat_map(|l| l.values().map(|f| f.value.to_owned()))
        .collect();
    let mut copied = false;
    for section in &copy_sections {
        let dest = inf
            .section("DestinationDirs")
            .and_then(|d| d.value(section).or_else(|| d.value("DefaultDestDir")))
            .map_or_else(
                || panic!("no DestinationDirs entry covers [{section}]"),
                |f| f.value.to_owned(),
            );
        let list = inf.section(section).expect("checked in another test");
        if list
            .lines
            .iter()
            .any(|l| l.raw().split(',').next().map(str::trim) == Some(file))
        {
            copied = true;
            assert_eq!(
                dest.parse::<u32>().ok(),
                Some(dirid),
                "[{section}] copies {file} to dirid {dest}, ServiceBinary runs it from {dirid}"
            );
        }
    }
    assert!(copied, "no CopyFiles section copies {file}");
    // Run from the driver store (driver package isolation).
    assert_eq!(dirid, 13);

    // The file is on a source disk that is declared.
    let sdf = inf.section("SourceDisksFiles").unwrap();
    let entry = sdf
        .lines
        .iter()
        .find(|l| l.key().is_some_and(|k| k.value.eq_ignore_ascii_case(file)))
        .unwrap_or_else(|| panic!("[SourceDisksFiles] does not list {file}"));
    let disk = entry.value(0).map_or("", |f| f.value);
    let sdn = inf.section("SourceDisksNames").unwrap();
    assert!(
        sdn.value(disk).is_some(),
        "{file} is on disk {disk:?}, which [SourceDisksNames] does not declare"
    );
    // Run from the driver store: the SourceDisksFiles subdir must equal the DestinationDirs one
    // (DIRID 13 with no subdir here), and CopyFiles must not rename the file
    // (learn.microsoft.com, "Run From Driver Store").
    let subdir = entry.value(1).map_or("", |f| f.value);
    assert_eq!(
        subdir, "",
        "{file} has source subdir {subdir:?}; the destination has none"
    );
    for section in &copy_sections {
        for l in &inf.section(section).unwrap().lines {
            let fields: Vec<&str> = l.raw().split(',').map(str::trim).collect();
            if fields.first() == Some(&file) {
                let source = fields.get(1).copied().unwrap_or("");
                assert!(
                    source.is_empty() || source.eq_ignore_ascii_case(file),
                    "{INX} line {}: CopyFiles renames {source} to {file}",
                    l.number
                );
            }
        }
    }
}

#[test]
fn service_is_a_demand_start_kernel_driver_named_like_the_parameters_key() {
    let inf = inx();
    let (name, flags, section) = add_service(&inf);
    assert_eq!(name, "connsec");
    // No SPSVCINST_ASSOCSERVICE: there is no device to associate with (non-PnP).
    assert!(flags.is_empty() || flags == "0", "AddService flags {flags}");
    assert_eq!(
        connsec_policy::config::PARAMETERS_KEY,
        format!(r"SYSTEM\CurrentControlSet\Services\{name}\Parameters"),
        "the driver reads a Parameters key under another service name"
    );
    assert_eq!(value(&inf, &section, "ServiceType"), "1"); // SERVICE_KERNEL_DRIVER
    assert_eq!(value(&inf, &section, "StartType"), "3"); // SERVICE_DEMAND_START
    assert_eq!(value(&inf, &section, "ErrorControl"), "1"); // SERVICE_ERROR_NORMAL
    let section_lines = &inf.section(&section).unwrap().lines;
    assert!(
        !section_lines
            .iter()
            .any(|l| l.has_key("LoadOrderGroup") || l.has_key("Dependencies")),
        "LoadOrderGroup/Dependencies belong to the boot-start variant only"
    );
    // The boot-start variant is documented next to StartType, commented out.
    let text = read_text(INX);
    for needle in [
        "StartType      = 0",
        "LoadOrderGroup = NDIS",
        "Dependencies   = TCPIP",
    ] {
        let line = text
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{INX}: the boot-start note lacks {needle:?}"));
        assert!(
            line.trim_start().starts_with(';'),
            "{line:?} is not a comment"
        );
    }
}

/// The `AddReg` entries that write values under `HKR\Parameters`. Every other line of the
/// INF's add-registry sections must delete a named `HKR\Parameters` value
/// (`FLG_ADDREG_DELVAL`).
fn parameters(inf: &Inf) -> Vec<AddRegEntry> {
    let entries = inf.add_reg_entries().unwrap_or_else(|e| panic!("{e}"));
    for e in &entries {
        let deletes_value = e.root.eq_ignore_ascii_case("HKR")
            && e.subkey.eq_ignore_ascii_case("Parameters")
            && !e.name.is_empty()
            && e.flags == AddRegEntry::FLG_DELVAL;
        assert!(
            e.is_hkr_value_in("Parameters") || deletes_value,
            "{INX} line {}: writes {}\\{}\\{}; connsec's INF writes or deletes only HKR\\Parameters values",
            e.line,
            e.root,
            e.subkey,
            e.name
        );
    }
    entries
        .into_iter()
        .filter(|e| e.is_hkr_value_in("Parameters"))
        .collect()
}

/// Installing over a key configured earlier (with `DaclSddl`, say) leaves exactly the INF's
/// configuration: every value the driver reads is written or deleted, none is kept from the
/// key. This is the computation `connsecctl plan` makes with the embedded INF.
#[test]
fn install_over_an_existing_key_leaves_exactly_the_inf_configuration() {
    use connsec_inf::merge;
    use connsec_inf::reg::Target;
    use connsec_policy::config::{
        ALLOW_UNSAFE_DACL, DACL_SDDL, PRINCIPALS, RESTORE_ON_UNLOAD, VALUE_NAMES,
    };
    let inf = inx();
    // connsec's INF writes no HKLM path (checked by `parameters`).
    let install = inf.service_key_ops("connsec", "Parameters", &|_| Target::Other);
    assert!(install.errors.is_empty(), "{:?}", install.errors);
    let state = merge::apply(&install.ops, &VALUE_NAMES);
    let written: Vec<&str> = state.values.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(written, [PRINCIPALS, RESTORE_ON_UNLOAD, ALLOW_UNSAFE_DACL]);
    let deleted: Vec<&str> = state.deleted.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        deleted,
        [DACL_SDDL],
        "the INF sets Principals, so it must delete DaclSddl (FLG_ADDREG_DELVAL)"
    );
    assert!(
        state.upgrade.is_empty(),
        "values that keep what an existing key holds: {:?}",
        state.upgrade
    );
}

#[test]
fn parameters_are_exactly_the_policy_values_with_their_types_and_defaults() {
    use connsec_policy::config::{
        ALLOW_UNSAFE_DACL, DEFAULT_ALLOW_UNSAFE_DACL, DEFAULT_PRINCIPALS,
        DEFAULT_RESTORE_ON_UNLOAD, PRINCIPALS, RESTORE_ON_UNLOAD, VALUE_NAMES,
    };
    let inf = inx();
    let entries = parameters(&inf);
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, [PRINCIPALS, RESTORE_ON_UNLOAD, ALLOW_UNSAFE_DACL]);
    for e in &entries {
        assert!(
            VALUE_NAMES.contains(&e.name.as_str()),
            "{INX} line {}: the driver does not read {}",
            e.line,
            e.name
        );
    }
    let by_name = |n: &str| entries.iter().find(|e| e.name == n).unwrap();

    let principals = by_name(PRINCIPALS);
    assert_eq!(principals.kind, Some(RegType::MULTI_SZ));
    let decoded = decode_multi_sz(&principals.data).expect("Principals is valid REG_MULTI_SZ data");
    assert_eq!(decoded, DEFAULT_PRINCIPALS);
    // The backslash survives INF quoting as one character (no escape, no line continuation).
    assert!(
        decoded
            .iter()
            .any(|p| p.starts_with("NT SERVICE\\PolicyAgent:"))
    );

    for (name, default) in [
        (RESTORE_ON_UNLOAD, DEFAULT_RESTORE_ON_UNLOAD),
        (ALLOW_UNSAFE_DACL, DEFAULT_ALLOW_UNSAFE_DACL),
    ] {
        let e = by_name(name);
        assert_eq!(e.kind, Some(RegType::DWORD), "{name}");
        assert_eq!(e.data, u32::from(default).to_le_bytes(), "{name}");
    }
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

#[test]
fn parameters_parse_in_the_policy_crate_without_errors_or_warnings() {
    use connsec_policy::Policy;
    use connsec_policy::config::{Config, DaclSource, RegValue};
    let inf = inx();
    let entries = parameters(&inf);
    let names: Vec<Vec<u16>> = entries.iter().map(|e| utf16(&e.name)).collect();
    let values: Vec<RegValue<'_>> = entries
        .iter()
        .zip(&names)
        .map(|(e, name)| RegValue {
            name,
            kind: e.kind.expect("value lines only").0.into(),
            data: &e.data,
        })
        .collect();
    let mut warnings = Vec::new();
    let config = Config::parse(&values, &mut |w| warnings.push(format!("{w:?}")))
        .unwrap_or_else(|e| panic!("the policy crate rejects the INF defaults: {e}"));
    assert!(warnings.is_empty(), "warnings: {warnings:?}");
    assert!(config.restore_on_unload);
    assert!(!config.allow_unsafe_dacl);
    let DaclSource::Principals(list) = config.source else {
        panic!(
            "the INF sets Principals, the policy crate saw {:?}",
            config.source
        )
    };
    assert_eq!(list.len(), 5);
    for entry in list.entries() {
        entry.unwrap_or_else(|e| panic!("Principals entry rejected: {e}"));
    }

    // And the DACL the driver would apply builds, passes every check, and warns about nothing.
    let len = Policy::required_len(&config).unwrap_or_else(|e| panic!("{e}"));
    let mut buf = vec![0u8; len];
    let dacl = Policy::build(&config, &mut buf).unwrap_or_else(|e| panic!("{e}"));
    let dacl_warnings: Vec<_> = dacl.report().warnings().collect();
    assert!(dacl_warnings.is_empty(), "DACL warnings: {dacl_warnings:?}");
    assert_eq!(dacl.ace_count(), 5, "one ACE per Principals entry");
    assert_eq!(dacl.as_bytes().len(), len);
}
