//! The GitHub workflows and the driver's cargo-make file, held to what the driver build needs.
//!
//! The workflows are parsed as YAML (`serde_norway`, the maintained fork of `serde_yaml`) into
//! typed structures, and the makefiles and manifests as TOML, so that a check can only pass on
//! the real key in the real place: the step that installs LLVM must ask for 17.0.6 (windows-
//! drivers-rs: "LLVM 18 has a bug that causes bindings to fail to generate for ARM64. Continue
//! using LLVM 17"), the WDK must come from `NuGet`, `cargo make package` must run in `driver/` and
//! its package folder must be uploaded, `driver/Makefile.toml` must override cargo-make's own
//! `package` task (which would otherwise run `cargo package`, platform-facts §1.7), and the
//! Linux workflow must run `bash .ci/run`.

use std::collections::BTreeMap;

use connsec_tests::read_text;
use serde::Deserialize;

const WINDOWS: &str = ".github/workflows/windows-driver.yml";
const LINUX: &str = ".github/workflows/linux.yml";
const DRIVER_MAKEFILE: &str = "driver/Makefile.toml";
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
fn windows_workflow_packages_in_driver_and_uploads_the_package_folder() {
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
    assert_eq!(
        make.working_directory.as_deref(),
        Some("driver"),
        "{WINDOWS}: `cargo make package` runs in driver/"
    );
    let command = make
        .commands()
        .into_iter()
        .find(|c| c.starts_with("cargo make package"))
        .expect("the command");
    assert!(command.contains("--locked"), "{WINDOWS}: {command}");
    // RUSTFLAGS would replace driver/.cargo/config.toml's +crt-static (platform-facts §1.3).
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
