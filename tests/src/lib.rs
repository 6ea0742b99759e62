//! Repository-level tests for connsec.
//!
//! The tests in `tests/tests/` hold the parts of the repository that no compiler checks (the INF,
//! the GitHub workflows, the PowerShell scripts, the README) to the code. This library only gives
//! them the repository paths.

use std::path::{Path, PathBuf};

/// The repository root (the folder that holds the workspace `Cargo.toml`).
#[must_use]
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Reads a file below the repository root as UTF-8 text, or UTF-16LE when it starts with a BOM.
///
/// # Panics
///
/// Panics with the path when the file cannot be read or decoded: these are test helpers.
#[must_use]
pub fn read_text(relative: &str) -> String {
    let path = repo_root().join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).unwrap_or_else(|e| panic!("{}: bad UTF-16: {e}", path.display()))
    } else {
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: bad UTF-8: {e}", path.display()))
    }
}
