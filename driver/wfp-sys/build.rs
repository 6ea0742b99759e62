//! Build script of `connsec-wfp-sys`.
//!
//! 1. Reads the WDK configuration from the driver workspace (`configure_wdk_library_build_and_then`,
//!    as wdk-sys' own build script does).
//! 2. Generates the WFP bindings `$OUT_DIR/wfp.rs` from the WDK's own `fwpsk.h` and `fwpmk.h`
//!    with wdk-build's bindgen defaults (`bindgen::Builder::wdk_default`), restricted to the
//!    items listed in `lists.rs` (functions, types, constants, opaque types) and the types those
//!    reach. `src/lib.rs` includes the file. wdk-sys 0.5.2 has no WFP subset (windows-drivers-rs
//!    issue #329, PR #595 still open), hence this script. The Linux check
//!    (`driver/linux-check/wfp-sys/build.rs`) reads the same `lists.rs`.
//!
//! The traps of generating WFP bindings, and how they are handled here:
//! - numbered names: the version-free names (`FwpsCalloutRegister`, `FWPS_CALLOUT`) are macros
//!   that bindgen does not see, so every list names the numbered items;
//! - `NTDDI_VERSION`: the `*3` callout types exist only for `NTDDI_VERSION >= NTDDI_WIN10_RS3`;
//!   it is defined explicitly (`lists.rs`: `NTDDI_WIN10_VB`, the oldest Windows the driver
//!   supports) and an `#error` after the includes stops the generation if the headers saw less;
//! - `DEFINE_GUID` constants: not bound at all. The only GUIDs the driver passes are the ALE
//!   auth-connect layer keys, and those are `connsec_callout::keys` constants (its tests compare
//!   them with the headers' values), so no object file has to define them;
//! - duplicated base types: the output is self-contained in this crate (it does not glob
//!   import `wdk_sys`), and only the allowlisted items and their dependencies are generated;
//! - `NET_BUFFER_HEADER`/`NDIS_OPEN_BLOCK` (anonymous typedef members bindgen cannot express,
//!   PR #595) and the classify inputs the driver only passes through: made opaque, so bindgen
//!   emits correctly sized blobs; nothing in the driver looks inside them;
//! - linking `fwpkclnt`: `src/lib.rs` carries the `#[link]` directive, gated off by the
//!   `suppress-linking` feature like wdk-sys 0.5.2's own link directives.

use std::{
    env,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use wdk_build::{ApiSubset, BuilderExt as _, Config};

include!("lists.rs");

/// NDIS version macros that `ndis.h` (pulled in by `fwpsk.h`) requires, as Microsoft's WFP
/// samples set them (`network/trans/inspect/sys/inspect.vcxproj`: `NDIS60;NDIS_SUPPORT_NDIS6`).
const NDIS_DEFINES: &str = "#define NDIS60 1\n#define NDIS_SUPPORT_NDIS6 1\n";

/// The WFP headers, in the order the C samples include them (`inspect/sys/TL_drv.c`,
/// `ddproxy/sys/DD_drv.c`): kernel-mode filtering (`fwpsk.h`), then management (`fwpmk.h`).
const WFP_HEADERS: &str = "#include \"ndis.h\"\n#include \"fwpsk.h\"\n#include \"fwpmk.h\"\n";

fn main() -> anyhow::Result<()> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=lists.rs");
    wdk_build::configure_wdk_library_build_and_then(|config| {
        let out_dir = PathBuf::from(env::var("OUT_DIR").context("OUT_DIR is set by cargo")?);
        let base_headers = config
            .bindgen_header_contents([ApiSubset::Base])
            .context("listing the WDK base headers")?;
        generate_wfp_bindings(&config, &base_headers, &out_dir)
    })
}

/// Writes `$OUT_DIR/wfp.rs`.
fn generate_wfp_bindings(
    config: &Config,
    base_headers: &str,
    out_dir: &Path,
) -> anyhow::Result<()> {
    // `NTDDI_VERSION` first: `sdkddkver.h` (in the base headers) keeps a value already defined.
    let header = format!(
        "#define NTDDI_VERSION {NTDDI_VERSION}\n{base_headers}{NDIS_DEFINES}{WFP_HEADERS}{NTDDI_GUARD}"
    );

    let mut builder = bindgen::Builder::wdk_default(config)
        .context("creating wdk-build's default bindgen builder")?
        .header_contents("wfp-input.h", &header)
        // Only what is listed and what it references; the references come out in this module
        // too, so the file is self-contained (see the module docs of `src/lib.rs`).
        .allowlist_recursively(true);
    for function in WFP_FUNCTIONS {
        builder = builder.allowlist_function(*function);
    }
    for ty in WFP_TYPES {
        builder = builder.allowlist_type(*ty);
    }
    for var in WFP_VARS {
        builder = builder.allowlist_var(*var);
    }
    for opaque in OPAQUE_TYPES {
        builder = builder.opaque_type(*opaque);
    }

    let output = out_dir.join("wfp.rs");
    builder
        .generate()
        .context("generating the WFP bindings from fwpsk.h and fwpmk.h")?
        .write_to_file(&output)
        .with_context(|| format!("writing {}", output.display()))?;
    Ok(())
}
