//! The README keeps its promises: it opens with the two Linux commands (the default plan and the
//! tests), `.ci/run` runs that same test command, and every repository path it names exists.

use connsec_tests::{read_text, repo_root};

/// The commands of the README's first fenced code block, comments stripped.
fn first_commands(readme: &str) -> Vec<String> {
    let mut lines = readme.lines().skip_while(|l| !l.starts_with("```"));
    lines.next();
    lines
        .take_while(|l| !l.starts_with("```"))
        .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn readme_opens_with_the_plan_and_the_tests() {
    let readme = read_text("README.md");
    assert_eq!(
        first_commands(&readme),
        ["cargo run -p connsecctl -- plan", "cargo test --workspace"],
        "README.md must open with the default plan and the test command"
    );
    // Nothing but the title and the introduction before them.
    let before = &readme[..readme.find("```").expect("a code block")];
    assert!(
        !before.contains("\n## "),
        "a section comes before the two commands"
    );
}

#[test]
fn ci_runs_the_readme_test_command() {
    let ci = read_text(".ci/run");
    assert!(
        ci.lines()
            .any(|l| l.trim().starts_with("cargo test --locked --workspace")),
        ".ci/run must run the README's test command"
    );
}

#[test]
fn paths_named_in_the_readme_exist() {
    let readme = read_text("README.md");
    let mut missing = Vec::new();
    let mut checked = 0;
    for span in readme.split('`').skip(1).step_by(2) {
        let path = span.trim_end_matches('/');
        let named = [
            "crates/", "driver/", "scripts/", "inf/", "tests/", "fuzz/", "docs/", ".ci/",
            ".github/",
        ]
        .iter()
        .any(|p| path.starts_with(p));
        // Build outputs (`driver/target/…`) exist only after a build.
        if !named || path.starts_with("driver/target") || path.contains(['*', '<', ' ', '…']) {
            continue;
        }
        checked += 1;
        if !repo_root().join(path).exists() {
            missing.push(path.to_owned());
        }
    }
    assert!(
        checked > 10,
        "only {checked} paths found: the scan is broken"
    );
    assert!(
        missing.is_empty(),
        "README.md names paths that do not exist: {missing:?}"
    );
}
