//! The GitHub workflows and the driver's cargo-make file, held to what the driver build needs.
//!
//! The workflows are parsed as YAML (`serde_norway`, the maintained fork of `serde_yaml`) into
//! typed structures, and the makefiles and manifests as TOML, so that a check can only pass on
//! the real key in the real place: the step that installs LLVM must ask for 17.0.6 (windows-
//! drivers-rs: "LLVM 18 has a bug that causes bindings to fail to generate for ARM64. Continue
//! using LLVM 17"), the WDK must come from `NuGet`, Rust and cargo-make must be pinned,
//! `cargo make package` must run both from the repository root and from `driver/` and its package
//! folder must be uploaded, the root `Makefile.toml` must hand `driver/` a clean cargo-make
//! workspace, `driver/Makefile.toml` must override cargo-make's own `package` task (which would
//! otherwise run `cargo package`: `cargo make --print-steps package` lists only `wdk-build-init`,
//! `package` and `end`), and the Linux workflow must run `bash .ci/run`.

use std::collections::BTreeMap;

use connsec_tests::read_text;
use serde::Deserialize;

const WINDOWS: &str = ".github/workflows/windows-driver.yml";
const LINUX: &str = ".github/workflows/linux.yml";
const DRIVER_MAKEFILE: &str = "driver/Makefile.toml";
const ROOT_MAKEFILE: &str = "Makefile.toml";
const DRIVER_MANIFEST: &str = "driver/Cargo.toml";

/// The parts of a workflow file these tests read.
#[derive(Debug, Deserialize)]
struct Workflow {
    #[serde(default)]
    env: BTreeMap<String, serde_norway::Value>,
    jobs: BTreeMap<String, Job>,
}

#[derive(Debug, Deserialize)]
struct Job {
    #[serde(default)]
    env: BTreeMap<String, serde_norway::Value>,
    #[serde(default)]
    strategy: Option<Strategy>,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct Strategy {
    #[serde(default)]
    matrix: BTreeMap<String, serde_norway::Value>,
}

#[derive(Debug, Deserialize)]
struct Step {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uses: Option<String>,
    #[serde(default)]
    run: Option<String>,
    #[serde(default)]
    with: BTreeMap<String, serde_norway::Value>,
    #[serde(default, rename = "working-directory")]
    working_directory: Option<String>,
}

impl Step {
    fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.uses.clone())
            .unwrap_or_else(|| "(unnamed step)".to_owned())
    }

    /// A `with:` input as text (YAML scalars of any type).
    fn input(&self, key: &str) -> Option<String> {
        self.with
            .get(key)
            .map(|v| scalar(v, &format!("{}: input {key}", self.label())))
    }

    /// The lines of its `run:` script, trimmed, without comments and blank lines.
    fn commands(&self) -> Vec<&str> {
        self.run
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }
}

/// A YAML scalar as the text GitHub substitutes for it.
fn scalar(value: &serde_norway::Value, what: &str) -> String {
    match value {
        serde_norway::Value::String(s) => s.clone(),
        serde_norway::Value::Bool(b) => b.to_string(),
        serde_norway::Value::Number(n) => n.to_string(),
        other => panic!("{what} is not a scalar: {other:?}"),
    }
}

fn workflow(path: &str) -> Workflow {
    serde_norway::from_str(&read_text(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn toml_file(path: &str) -> toml::Table {
    read_text(path)
        .parse()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `${{ env.NAME }}` resolved from the job's, then the workflow's `env:`; other text as is.
fn resolve(text: &str, job: &Job, wf: &Workflow) -> String {
    let mut out = text.to_owned();
    while let Some(start) = out.find("${{") {
        let end = out[start..].find("}}").map_or_else(
            || panic!("unterminated expression in {text:?}"),
            |e| start + e + 2,
        );
        let expr = out[start + 3..end - 2].trim();
        let Some(name) = expr.strip_prefix("env.") else {
            // Not an env lookup (matrix, github context): leave the rest unresolved.
            break;
        };
        let value = job.env.get(name).or_else(|| wf.env.get(name)).map_or_else(
            || panic!("{text:?}: no env {name} in the job or the workflow"),
            |v| scalar(v, &format!("env {name}")),
        );
        out.replace_range(start..end, &value);
    }
    out
}

/// The only job of the Windows workflow.
fn windows_job(wf: &Workflow) -> &Job {
    assert_eq!(wf.jobs.len(), 1, "{WINDOWS}: one packaging job");
    wf.jobs.values().next().expect("one job")
}

/// The one step that uses the local action `name` (copied from windows-drivers-rs).
fn local_action<'a>(job: &'a Job, name: &str) -> &'a Step {
    let want = format!("./.github/actions/{name}");
    let found: Vec<&Step> = job
        .steps
        .iter()
        .filter(|s| s.uses.as_deref() == Some(want.as_str()))
        .collect();
    assert_eq!(found.len(), 1, "{WINDOWS}: exactly one step uses {want}");
    found[0]
}

fn is_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn windows_workflow_pins_llvm_17_0_6() {
    let wf = workflow(WINDOWS);
    let job = windows_job(&wf);
    let llvm = local_action(job, "install-llvm");
    let version = llvm
        .input("version")
        .unwrap_or_else(|| panic!("{WINDOWS}: install-llvm has no version input"));
    assert_eq!(resolve(&version, job, &wf), "17.0.6", "{WINDOWS}: LLVM");
    // LLVM comes before anything that runs bindgen (the cargo make step).
    let llvm_at = job.steps.iter().position(|s| core::ptr::eq(s, llvm));
    let make_at = job
        .steps
        .iter()
        .position(|s| s.commands().iter().any(|c| c.starts_with("cargo make ")));
    assert!(
        llvm_at < make_at,
        "{WINDOWS}: LLVM is installed before cargo make runs"
    );
}

#[test]
fn windows_workflow_installs_the_wdk_from_nuget() {
    let wf = workflow(WINDOWS);
    let job = windows_job(&wf);
    let wdk = local_action(job, "install-wdk");
    assert_eq!(wdk.input("source").as_deref(), Some("nuget"), "{WINDOWS}");
    // The NuGet path needs host and target (windows-drivers-rs `install-wdk/action.yaml`).
    assert_eq!(wdk.input("host").as_deref(), Some("amd64"), "{WINDOWS}");
    assert_eq!(wdk.input("target").as_deref(), Some("amd64"), "{WINDOWS}");
    let version = resolve(&wdk.input("version").expect("a WDK version"), job, &wf);
    let parts: Vec<&str> = version.split('.').collect();
    assert!(
        (3..=4).contains(&parts.len())
            && parts.first() == Some(&"10")
            && parts.iter().all(|p| p.parse::<u32>().is_ok()),
        "{WINDOWS}: WDK version {version:?} is 10.0.XXXXX[.YYYY]"
    );
    // The actions come from windows-drivers-rs at a pinned commit.
    let pinned = wf.env.get("WINDOWS_DRIVERS_RS_REF").map_or_else(
        || panic!("{WINDOWS}: no WINDOWS_DRIVERS_RS_REF"),
        |v| scalar(v, "WINDOWS_DRIVERS_RS_REF"),
    );
    assert!(
        is_sha(&pinned),
        "{WINDOWS}: windows-drivers-rs pinned to a commit"
    );
    let checkout = job
        .steps
        .iter()
        .find(|s| s.input("repository").as_deref() == Some("microsoft/windows-drivers-rs"))
        .unwrap_or_else(|| panic!("{WINDOWS}: no checkout of windows-drivers-rs' actions"));
    assert_eq!(
        checkout.input("ref").map(|r| resolve(&r, job, &wf)),
        Some(pinned)
    );
}

#[test]
fn windows_workflow_packages_from_the_root_and_from_driver_and_uploads_the_package_folder() {
    let wf = workflow(WINDOWS);
    let job = windows_job(&wf);
    let make: Vec<&Step> = job
        .steps
        .iter()
        .filter(|s| {
            s.commands().iter().any(|c| {
                c.split_whitespace()
                    .take(3)
                    .eq(["cargo", "make", "package"])
            })
        })
        .collect();
    assert_eq!(make.len(), 1, "{WINDOWS}: one `cargo make package` step");
    let make = make[0];
    // The step runs in every directory of the matrix, and the matrix has the root and driver/.
    assert_eq!(
        make.working_directory.as_deref(),
        Some("${{ matrix.dir }}"),
        "{WINDOWS}: `cargo make package` runs in the matrix's directory"
    );
    let dirs: Vec<String> = job
        .strategy
        .as_ref()
        .and_then(|s| s.matrix.get("dir"))
        .and_then(serde_norway::Value::as_sequence)
        .unwrap_or_else(|| panic!("{WINDOWS}: no dir matrix"))
        .iter()
        .map(|d| scalar(d, "matrix dir"))
        .collect();
    assert_eq!(
        dirs,
        [".", "driver"],
        "{WINDOWS}: package from the repository root and from driver/"
    );
    let command = make
        .commands()
        .into_iter()
        .find(|c| c.starts_with("cargo make package"))
        .expect("the command");
    assert!(command.contains("--locked"), "{WINDOWS}: {command}");
    // RUSTFLAGS would replace driver/.cargo/config.toml's +crt-static (wdk-build 0.6.0 then fails
    // with `StaticCrtNotEnabled`).
    let clears = make
        .commands()
        .iter()
        .position(|c| c.replace(' ', "") == "$env:RUSTFLAGS=$null");
    let runs = make
        .commands()
        .iter()
        .position(|c| c.starts_with("cargo make package"));
    assert!(
        clears.is_some() && clears < runs,
        "{WINDOWS}: RUSTFLAGS is cleared first"
    );

    // Every profile in the matrix is one cargo knows, and lands in a folder the upload matches.
    let profiles = job
        .strategy
        .as_ref()
        .and_then(|s| s.matrix.get("profile"))
        .and_then(serde_norway::Value::as_sequence)
        .unwrap_or_else(|| panic!("{WINDOWS}: no profile matrix"));
    assert!(!profiles.is_empty());
    for profile in profiles {
        assert!(
            matches!(profile.as_str(), Some("dev" | "release")),
            "{WINDOWS}: profile {profile:?}"
        );
    }

    let upload: Vec<&Step> = job
        .steps
        .iter()
        .filter(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .collect();
    assert_eq!(upload.len(), 1, "{WINDOWS}: one upload step");
    let upload = upload[0];
    assert_eq!(
        upload.input("path").as_deref(),
        Some("driver/target/*/connsec_package"),
        "{WINDOWS}: the package folder of wdk-build's makefile (<out>/<crate>_package)"
    );
    assert_eq!(
        upload.input("if-no-files-found").as_deref(),
        Some("error"),
        "{WINDOWS}: a missing package fails the job"
    );
    let at = |s: &Step| job.steps.iter().position(|x| core::ptr::eq(x, s));
    assert!(at(make) < at(upload), "{WINDOWS}: upload after packaging");
    // After a root build, the job proves the makefile link went to driver/target/.
    let link_check = job.steps.iter().position(|s| {
        s.commands()
            .iter()
            .any(|c| c.contains("Test-Path driver/target/rust-driver-makefile.toml"))
    });
    assert!(
        link_check.is_some() && link_check > at(make),
        "{WINDOWS}: a step checks driver/target/rust-driver-makefile.toml after packaging"
    );
}

/// The toolchain the driver builds with does not float: Rust is a fixed release no older than
/// wdk-build 0.6.0's `rust-version` (1.91), and cargo-make is the 0.37.24 whose environment
/// handling the root `Makefile.toml` relies on.
#[test]
fn windows_workflow_pins_rust_and_cargo_make() {
    let wf = workflow(WINDOWS);
    let job = windows_job(&wf);
    let rust: Vec<&Step> = job
        .steps
        .iter()
        .filter(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("dtolnay/rust-toolchain@"))
        })
        .collect();
    assert_eq!(rust.len(), 1, "{WINDOWS}: one Rust installation");
    let toolchain = resolve(
        &rust[0].input("toolchain").expect("a toolchain input"),
        job,
        &wf,
    );
    let parts: Vec<u32> = toolchain
        .split('.')
        .map(|p| {
            p.parse()
                .unwrap_or_else(|_| panic!("{WINDOWS}: Rust {toolchain} is not a pinned release"))
        })
        .collect();
    assert_eq!(parts.len(), 3, "{WINDOWS}: Rust {toolchain} is not x.y.z");
    assert!(
        parts[0] == 1 && parts[1] >= 91,
        "{WINDOWS}: Rust {toolchain} is older than wdk-build 0.6.0's 1.91"
    );
    let linux = workflow(LINUX);
    let linux_rust = linux.env.get("RUST_VERSION").map_or_else(
        || panic!("{LINUX}: no RUST_VERSION"),
        |v| scalar(v, "RUST_VERSION"),
    );
    assert_eq!(toolchain, linux_rust, "{WINDOWS} and {LINUX} use one Rust");

    let tool = local_action(job, "install-cargo-tool");
    assert_eq!(
        resolve(&tool.input("tool").expect("a tool input"), job, &wf),
        "cargo-make@0.37.24",
        "{WINDOWS}: cargo-make pinned"
    );
}

/// From the repository root, `cargo make package` runs a child cargo-make in `driver/`, which
/// must not inherit the root as its workspace (else wdk-build links its makefile into the root's
/// `target/` and `driver/Makefile.toml`'s `extend` finds nothing).
#[test]
fn root_makefile_hands_driver_its_own_workspace() {
    let makefile = toml_file(ROOT_MAKEFILE);
    let package = makefile
        .get("tasks")
        .and_then(|t| t.get("package"))
        .and_then(toml::Value::as_table)
        .unwrap_or_else(|| panic!("{ROOT_MAKEFILE}: no [tasks.package]"));
    let args: Vec<&str> = package
        .get("args")
        .and_then(toml::Value::as_array)
        .unwrap_or_else(|| panic!("{ROOT_MAKEFILE}: [tasks.package] has no args"))
        .iter()
        .filter_map(toml::Value::as_str)
        .collect();
    assert_eq!(
        package.get("command").and_then(toml::Value::as_str),
        Some("cargo")
    );
    assert_eq!(
        args,
        ["make", "--cwd", "driver", "package", "${@}"],
        "{ROOT_MAKEFILE}: forwards to driver/ with every argument"
    );
    let unset = package
        .get("env")
        .and_then(|e| e.get("CARGO_MAKE_WORKSPACE_WORKING_DIRECTORY"))
        .and_then(|v| v.get("unset"))
        .and_then(toml::Value::as_bool);
    assert_eq!(
        unset,
        Some(true),
        "{ROOT_MAKEFILE}: [tasks.package] unsets CARGO_MAKE_WORKSPACE_WORKING_DIRECTORY"
    );
    let default = makefile
        .get("tasks")
        .and_then(|t| t.get("default"))
        .and_then(|d| d.get("alias"))
        .and_then(toml::Value::as_str);
    assert_eq!(
        default,
        Some("package"),
        "{ROOT_MAKEFILE}: `cargo make` packages"
    );
}

/// One OS floor everywhere: the driver is built against KMDF 1.33 with 1.31 as its minimum (the
/// framework of Windows 10 2004 to 22H2), and the README, the build guide and the VM check say
/// Windows 10 2004 (build 19041) and KMDF 1.31.
#[test]
fn kmdf_floor_and_supported_windows_agree() {
    let manifest = toml_file(DRIVER_MANIFEST);
    let model = manifest
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("wdk"))
        .and_then(|w| w.get("driver-model"))
        .and_then(toml::Value::as_table)
        .unwrap_or_else(|| panic!("{DRIVER_MANIFEST}: no [package.metadata.wdk.driver-model]"));
    let int = |key: &str| model.get(key).and_then(toml::Value::as_integer);
    assert_eq!(
        model.get("driver-type").and_then(toml::Value::as_str),
        Some("KMDF")
    );
    assert_eq!(int("kmdf-version-major"), Some(1));
    assert_eq!(int("target-kmdf-version-minor"), Some(33));
    assert_eq!(
        int("minimum-kmdf-version-minor"),
        Some(31),
        "{DRIVER_MANIFEST}: KMDF 1.31 minimum (Windows 10 2004)"
    );
    for doc in ["README.md", "docs/building-on-windows.md"] {
        let text = read_text(doc).replace('\n', " ");
        assert!(
            text.contains("Windows 10 version 2004 (build 19041)"),
            "{doc}: states the Windows 10 2004 floor"
        );
        assert!(
            text.contains("minimum-kmdf-version-minor = 31"),
            "{doc}: states the KMDF 1.31 minimum"
        );
    }
    let vm = read_text("scripts/Initialize-TestVM.ps1");
    assert!(
        vm.contains("$build -lt 19041"),
        "Initialize-TestVM.ps1 checks build 19041"
    );
    assert!(
        vm.contains("FileMinorPart -lt 31"),
        "Initialize-TestVM.ps1 checks KMDF 1.31"
    );
}

#[test]
fn every_remote_action_is_pinned_to_a_commit() {
    for path in [WINDOWS, LINUX] {
        let wf = workflow(path);
        for job in wf.jobs.values() {
            for step in &job.steps {
                let Some(uses) = step.uses.as_deref() else {
                    continue;
                };
                if uses.starts_with("./") {
                    continue;
                }
                let (_, rev) = uses
                    .split_once('@')
                    .unwrap_or_else(|| panic!("{path}: {uses} has no @revision"));
                assert!(is_sha(rev), "{path}: {uses} is not pinned to a commit SHA");
            }
        }
    }
}

#[test]
fn driver_makefile_overrides_cargo_makes_package_task() {
    let makefile = toml_file(DRIVER_MAKEFILE);
    let package = makefile
        .get("tasks")
        .and_then(|t| t.get("package"))
        .and_then(toml::Value::as_table)
        .unwrap_or_else(|| panic!("{DRIVER_MAKEFILE}: no [tasks.package]"));
    assert_eq!(
        package.get("clear").and_then(toml::Value::as_bool),
        Some(true),
        "{DRIVER_MAKEFILE}: [tasks.package] clears cargo-make's `cargo package` task"
    );
    assert_eq!(
        package.get("alias").and_then(toml::Value::as_str),
        Some("package-driver-flow"),
        "{DRIVER_MAKEFILE}: `package` is windows-drivers-rs' driver flow"
    );
    assert_eq!(
        makefile.get("extend").and_then(toml::Value::as_str),
        Some("target/rust-driver-makefile.toml"),
        "{DRIVER_MAKEFILE}: extends the makefile that load_script links into target/"
    );
}

/// The wdk-build that `load_script` compiles is the one the driver builds with: the makefile it
/// links comes from the wdk-build in `driver/Cargo.lock`, and the script's own copy must agree.
#[test]
fn driver_makefile_loads_the_driver_s_wdk_build() {
    let makefile = toml_file(DRIVER_MAKEFILE);
    let script = makefile
        .get("config")
        .and_then(|c| c.get("load_script"))
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("{DRIVER_MAKEFILE}: no [config] load_script"));
    assert!(script.contains("wdk_build::cargo_make::load_rust_driver_makefile()"));
    let script_version = script
        .lines()
        .find_map(|l| {
            l.trim_start_matches("//!")
                .trim()
                .strip_prefix("wdk-build = ")
        })
        .map_or_else(
            || panic!("{DRIVER_MAKEFILE}: load_script names no wdk-build"),
            |v| v.trim_matches('"').to_owned(),
        );
    let manifest = toml_file(DRIVER_MANIFEST);
    let build_dep = manifest
        .get("build-dependencies")
        .and_then(|d| d.get("wdk-build"))
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("{DRIVER_MANIFEST}: no wdk-build build-dependency"));
    assert_eq!(
        script_version, build_dep,
        "{DRIVER_MAKEFILE} vs {DRIVER_MANIFEST}"
    );
    // `RUSTFLAGS` must not reach the driver build (it would drop +crt-static).
    let unset = makefile
        .get("env")
        .and_then(|e| e.get("RUSTFLAGS"))
        .and_then(|r| r.get("unset"))
        .and_then(toml::Value::as_bool);
    assert_eq!(
        unset,
        Some(true),
        "{DRIVER_MAKEFILE}: [env] RUSTFLAGS unset"
    );
}

#[test]
fn linux_workflow_runs_ci_run() {
    let wf = workflow(LINUX);
    let runs_ci: Vec<&Step> = wf
        .jobs
        .values()
        .flat_map(|j| &j.steps)
        .filter(|s| s.commands().contains(&"bash .ci/run"))
        .collect();
    assert_eq!(runs_ci.len(), 1, "{LINUX}: one step runs `bash .ci/run`");
    assert_eq!(
        runs_ci[0].working_directory, None,
        "{LINUX}: `.ci/run` runs from the repository root"
    );
    // The checkout happens before it.
    let job = wf
        .jobs
        .values()
        .find(|j| j.steps.iter().any(|s| core::ptr::eq(s, runs_ci[0])))
        .expect("its job");
    let checkout = job.steps.iter().position(|s| {
        s.uses
            .as_deref()
            .is_some_and(|u| u.starts_with("actions/checkout@"))
    });
    let ci = job.steps.iter().position(|s| core::ptr::eq(s, runs_ci[0]));
    assert!(
        checkout.is_some() && checkout < ci,
        "{LINUX}: checkout first"
    );
}
