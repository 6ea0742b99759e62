//! The README and the docs keep their promises: the README opens with the two Linux commands (the
//! default plan and the tests), `.ci/run` runs that same test command, the README stays short,
//! every repository path the README and `docs/*.md` name exists, every relative link in them
//! points at a file that exists (and, with a `#fragment`, at a heading it has), and none of them
//! points outside the repository.

use std::path::{Path, PathBuf};

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

/// `README.md` and every `docs/*.md`, as paths relative to the repository root.
fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_owned()];
    let dir = repo_root().join("docs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|e| {
            e.expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        })
        .collect();
    names.sort();
    docs.extend(names.into_iter().map(|n| format!("docs/{n}")));
    docs
}

/// The GitHub anchor of a Markdown heading: lower case, spaces to `-`, punctuation other than
/// `-` and `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of every heading in `text` outside fenced code blocks.
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` link target in `text`.
fn link_targets(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|t| t.split_whitespace().next().unwrap_or_default().to_owned())
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
fn readme_is_short_and_links_every_topic() {
    let readme = read_text("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= 260,
        "README.md has {lines} lines: move detail into docs/"
    );
    assert!(
        readme.contains("```mermaid"),
        "README.md shows the flow as a Mermaid diagram"
    );
    for doc in documents().iter().skip(1) {
        assert!(
            readme.contains(&format!("]({doc})")),
            "README.md does not link {doc}"
        );
    }
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
fn paths_named_in_the_docs_exist() {
    let mut missing = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let text = read_text(&doc);
        for span in text.split('`').skip(1).step_by(2) {
            let path = span.trim_end_matches('/');
            let named = [
                "crates/", "driver/", "scripts/", "inf/", "tests/", "fuzz/", "docs/", ".ci/",
                ".github/",
            ]
            .iter()
            .any(|p| path.starts_with(p));
            // Build outputs (`driver/target/…`) exist only after a build.
            if !named || path.starts_with("driver/target") || path.contains(['*', '<', ' ', '…'])
            {
                continue;
            }
            checked += 1;
            if !repo_root().join(path).exists() {
                missing.push(format!("{doc}: {path}"));
            }
        }
    }
    assert!(
        checked > 40,
        "only {checked} paths found: the scan is broken"
    );
    assert!(
        missing.is_empty(),
        "the docs name paths that do not exist: {missing:?}"
    );
}

#[test]
fn relative_links_in_the_docs_resolve() {
    let root = repo_root();
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let text = read_text(&doc);
        let dir = Path::new(&doc).parent().unwrap_or(Path::new(""));
        for target in link_targets(&text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            checked += 1;
            let (file, fragment) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let (path, linked_text) = if file.is_empty() {
                (PathBuf::from(&doc), text.clone())
            } else {
                let path = dir.join(file);
                let full = root.join(&path);
                // A link must stay inside the repository.
                let inside = full
                    .canonicalize()
                    .is_ok_and(|p| p.starts_with(root.canonicalize().expect("repository root")));
                if !inside {
                    broken.push(format!(
                        "{doc}: {target} (missing or outside the repository)"
                    ));
                    continue;
                }
                let linked = if full.is_file() {
                    std::fs::read_to_string(&full).unwrap_or_default()
                } else {
                    String::new()
                };
                (path, linked)
            };
            if !fragment.is_empty()
                && Path::new(&path).extension().is_some_and(|e| e == "md")
                && !anchors(&linked_text).iter().any(|a| a == fragment)
            {
                broken.push(format!(
                    "{doc}: {target} (no heading #{fragment} in {})",
                    path.display()
                ));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: the scan is broken"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn docs_point_nowhere_outside_the_repository() {
    // Spelled in pieces, so that a search of the repository for them finds no hit here.
    let forbidden = [
        concat!("../", "shared"),
        concat!("platform", "-facts"),
        concat!("/wo", "rk/"),
        concat!("STY", "LE "),
    ];
    let mut found = Vec::new();
    for doc in documents() {
        for (n, line) in read_text(&doc).lines().enumerate() {
            for word in forbidden {
                if line.contains(word) {
                    found.push(format!("{doc}:{}: {word}", n + 1));
                }
            }
            // A tracker number ("issue" and a digit) means nothing to a reader of a clone.
            let lower = line.to_lowercase();
            for (at, _) in lower.match_indices("issue ") {
                if lower[at + 6..].starts_with(|c: char| c.is_ascii_digit()) {
                    found.push(format!("{doc}:{}: an issue number", n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn anchors_follow_github() {
    assert_eq!(
        anchor(" How the INF is held to the code"),
        "how-the-inf-is-held-to-the-code"
    );
    assert_eq!(
        anchor(" The driver: building and packaging `connsec.sys`"),
        "the-driver-building-and-packaging-connsecsys"
    );
    assert_eq!(
        anchor(" 5. VM: prepare (once), then reboot"),
        "5-vm-prepare-once-then-reboot"
    );
}
