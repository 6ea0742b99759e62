//! The Windows conformance corpus: SDDL strings with the bytes
//! `ConvertStringSecurityDescriptorToSecurityDescriptorW` made for them (recorded by Samba;
//! GPL-3.0 data kept outside the repository and never copied into it). Tests that read it
//! print why they skip where it is absent.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Where the corpus is looked for: `conformance/windows-sddl` in the team folder beside the
/// repository's parent directory.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/windows-sddl")
}

/// One vector file (JSON, gzip-compressed when its name ends in `.gz`): SDDL → bytes.
pub fn load(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut raw = Vec::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file).read_to_end(&mut raw)
    } else {
        let mut file = file;
        file.read_to_end(&mut raw)
    }
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The vectors of the file `name` in [`dir`], or `None` where it is absent.
pub fn named(name: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let path = dir().join(name);
    path.exists().then(|| load(&path).into_iter().collect())
}

/// The machine SID the vectors' `LA`/`LG` were resolved against (the corpus' README).
pub const DOMAIN: &str = "S-1-5-21-2457507606-2709100691-398136650";
