//! Build script of `connsec-wfp-sys`.
//!
//! 1. Reads the WDK configuration from the driver workspace (`configure_wdk_library_build_and_then`,
//!    as wdk-sys' own build script does).
//! 2. Generates the WFP bindings `$OUT_DIR/wfp.rs` from the WDK's own `fwpsk.h` and `fwpmk.h`
//!    with wdk-build's bindgen defaults (`bindgen::Builder::wdk_default`), restricted to the
//!    items the driver and its callout use (`WFP_FUNCTIONS`, `WFP_TYPES`, `WFP_VARS`) and the
//!    types those reach. `src/lib.rs` includes the file. wdk-sys 0.5.2 has no WFP subset
//!    (windows-drivers-rs issue #329, PR #595 still open), hence this script.
//! 3. Compiles `$OUT_DIR/wfp_guids.c`: the same headers with `<initguid.h>` in front of the WFP
//!    headers, so every `DEFINE_GUID` constant they declare (`FWPM_LAYER_ALE_AUTH_CONNECT_V4`, …)
//!    gets its definition from the WDK's own values. Without it bindgen's
//!    `extern { static FWPM_LAYER_…: GUID; }` has nothing to link against, and copying the
//!    values by hand is how public drivers ended up with a wrong `FWPM_LAYER_ALE_AUTH_CONNECT_V6`.
//!    `DEFINE_GUID` under `INITGUID` makes the constants `__declspec(selectany)`, so unused ones
//!    are dropped by `/OPT:REF` and a second definition elsewhere cannot clash. This is the
//!    pattern wdk-sys uses for `wdf.c`.
//!
//! The traps of `../shared/docs/platform-facts.md` §2, and how they are handled here:
//! - numbered names: the version-free names (`FwpsCalloutRegister`, `FWPS_CALLOUT`) are macros
//!   that bindgen does not see, so every list below names the numbered items;
//! - `DEFINE_GUID` constants: point 3 above;
//! - duplicated base types: the output is self-contained in this crate (it does not glob
//!   import `wdk_sys`), and only the allowlisted items and their dependencies are generated;
//! - `NET_BUFFER_HEADER`/`NDIS_OPEN_BLOCK` (anonymous typedef members bindgen cannot express,
//!   PR #595): made opaque, so bindgen emits correctly sized blobs instead of a hand-written
//!   layout; nothing in the driver looks inside them;
//! - linking `fwpkclnt`: `src/lib.rs` carries the `#[link]` directive, gated off by the
//!   `suppress-linking` feature like wdk-sys 0.5.2's own link directives.

use std::{
    env, fs,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use wdk_build::{ApiSubset, BuilderExt as _, Config};

/// NDIS version macros that `ndis.h` (pulled in by `fwpsk.h`) requires, as Microsoft's WFP
/// samples set them (`network/trans/inspect/sys/inspect.vcxproj`: `NDIS60;NDIS_SUPPORT_NDIS6`).
const NDIS_DEFINES: &str = "#define NDIS60 1\n#define NDIS_SUPPORT_NDIS6 1\n";

/// The WFP headers, in the order the C samples include them (`inspect/sys/TL_drv.c`,
/// `ddproxy/sys/DD_drv.c`): kernel-mode filtering (`fwpsk.h`), then management (`fwpmk.h`).
const WFP_HEADERS: &str = "#include \"ndis.h\"\n#include \"fwpsk.h\"\n#include \"fwpmk.h\"\n";

/// Functions, by their numbered names. The first group is the DACL flow's (`driver/src/engine.rs`,
/// `wfp_box.rs`, `bfe.rs`, `kernel_engine.rs`); the rest are the callout's (`driver/src/callout/`),
/// including the deletes its unwind order needs.
const WFP_FUNCTIONS: &[&str] = &[
    "FwpmEngineOpen0",
    "FwpmEngineClose0",
    "FwpmFreeMemory0",
    "FwpmConnectionGetSecurityInfo0",
    "FwpmConnectionSetSecurityInfo0",
    "FwpmBfeStateGet0",
    "FwpmBfeStateSubscribeChanges0",
    "FwpmBfeStateUnsubscribeChanges0",
    // callout registration (src/callout/)
    "FwpsCalloutRegister3",
    "FwpsCalloutUnregisterById0",
    "FwpsCalloutUnregisterByKey0",
    "FwpmTransactionBegin0",
    "FwpmTransactionCommit0",
    "FwpmTransactionAbort0",
    "FwpmProviderAdd0",
    "FwpmProviderDeleteByKey0",
    "FwpmSubLayerAdd0",
    "FwpmSubLayerDeleteByKey0",
    "FwpmCalloutAdd0",
    "FwpmCalloutDeleteByKey0",
    "FwpmFilterAdd0",
    "FwpmFilterDeleteByKey0",
];

/// Types the driver names directly (the functions above pull in what they reference).
/// Enumerations are generated as modules of constants (`wdk_default` sets
/// `EnumVariation::ModuleConsts`), named after the C enum tag: `FWPM_SERVICE_STATE_::…`.
const WFP_TYPES: &[&str] = &[
    "FWPM_SESSION0",
    "FWPM_SERVICE_STATE",
    "FWPM_SERVICE_STATE_CHANGE_CALLBACK0",
    "FWPS_CALLOUT3",
    "FWPS_CALLOUT_CLASSIFY_FN3",
    "FWPS_CALLOUT_NOTIFY_FN3",
    "FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0",
    "FWPS_CALLOUT_NOTIFY_TYPE",
    "FWPS_INCOMING_VALUES0",
    "FWPS_INCOMING_METADATA_VALUES0",
    "FWPS_CLASSIFY_OUT0",
    "FWPS_FILTER3",
    "FWPM_PROVIDER0",
    "FWPM_SUBLAYER0",
    "FWPM_CALLOUT0",
    "FWPM_FILTER0",
    "FWPM_FILTER_CONDITION0",
    "FWP_ACTION_TYPE",
    "FWPS_BUILTIN_LAYERS_?",
    "FWPS_FIELDS_ALE_AUTH_CONNECT_V4_?",
    "FWPS_FIELDS_ALE_AUTH_CONNECT_V6_?",
];

/// Constants and `DEFINE_GUID` declarations (regexes, anchored by bindgen).
const WFP_VARS: &[&str] = &[
    "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
    "FWPM_LAYER_ALE_AUTH_CONNECT_V6",
    "FWP_ACTION_.*",
    "FWPS_RIGHT_ACTION_WRITE",
    "FWPS_CLASSIFY_OUT_FLAG_.*",
    "FWPM_SESSION_FLAG_.*",
    "FWPM_PROVIDER_FLAG_.*",
    "FWPM_SUBLAYER_FLAG_.*",
    "FWPM_FILTER_FLAG_.*",
    "FWP_CALLOUT_FLAG_.*",
    "FWPS_METADATA_FIELD_.*",
    "FWPM_TXN_READ_ONLY",
];

/// Types generated as opaque blobs of the right size and alignment, whose fields bindgen then
/// neither emits nor follows:
/// - `NET_BUFFER_HEADER`, `NDIS_OPEN_BLOCK`: anonymous members of a typedef'd type, which
///   bindgen cannot express (PR #595 blocklists them and writes the union by hand);
/// - `FWPM_PROVIDER_CONTEXT*`: reached only through a pointer (`FWPS_FILTER3.providerContext`)
///   that the driver never follows; opaque, it keeps the whole IPsec/IKE policy type tree
///   (`ipsectypes.h`, `iketypes.h`) out of the bindings.
const OPAQUE_TYPES: &[&str] = &[
    ".*NET_BUFFER_HEADER",
    ".*NDIS_OPEN_BLOCK",
    "FWPM_PROVIDER_CONTEXT[0-9]_?",
];

fn main() -> anyhow::Result<()> {
    println!("cargo::rerun-if-changed=build.rs");
    wdk_build::configure_wdk_library_build_and_then(|config| {
        let out_dir = PathBuf::from(env::var("OUT_DIR").context("OUT_DIR is set by cargo")?);
        let base_headers = config
            .bindgen_header_contents([ApiSubset::Base])
            .context("listing the WDK base headers")?;
        generate_wfp_bindings(&config, &base_headers, &out_dir)?;
        compile_wfp_guids(&config, &base_headers, &out_dir)
    })
}

/// Writes `$OUT_DIR/wfp.rs`.
fn generate_wfp_bindings(
    config: &Config,
    base_headers: &str,
    out_dir: &Path,
) -> anyhow::Result<()> {
    let header = format!("{base_headers}{NDIS_DEFINES}{WFP_HEADERS}");

    let mut builder = bindgen::Builder::wdk_default(config)
        .context("creating wdk-build's default bindgen builder")?
        .header_contents("wfp-input.h", &header)
        // Only what is listed and what it references; the references come out in this module
        // too, so the file is self-contained (see the module docs of `src/wfp.rs`).
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

/// Compiles the `DEFINE_GUID` constants of the WFP headers into a static library.
fn compile_wfp_guids(config: &Config, base_headers: &str, out_dir: &Path) -> anyhow::Result<()> {
    let source = format!(
        "/* Generated by connsec's build.rs: defines the WFP headers' DEFINE_GUID constants. */\n\
         {base_headers}{NDIS_DEFINES}#include <initguid.h>\n{WFP_HEADERS}"
    );
    let path = out_dir.join("wfp_guids.c");
    fs::write(&path, source).with_context(|| format!("writing {}", path.display()))?;

    let mut build = cc::Build::new();
    for (name, value) in config.preprocessor_definitions() {
        build.define(&name, value.as_deref());
    }
    build
        .includes(
            config
                .include_paths()
                .context("listing the WDK include paths")?,
        )
        .file(&path)
        .try_compile("connsec_wfp_guids")
        .context("compiling wfp_guids.c")?;
    Ok(())
}
