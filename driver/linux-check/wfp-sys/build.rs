//! Generates `$OUT_DIR/wfp.rs` for the Linux check: bindgen over mingw-w64's `fwptypes.h` and
//! `fwpmtypes.h` (Debian's `mingw-w64-x86-64-dev`, `/usr/share/mingw-w64/include`), for the
//! `x86_64-pc-windows-msvc` target so that C enums come out as MSVC lays them out (`int`),
//! restricted to the lists the real build uses (`driver/wfp-sys/lists.rs`, included below) with
//! the options wdk-build's `wdk_default` sets that matter for the output (core, `Default`
//! derives, enums as modules of constants). Functions are not taken from these headers: mingw
//! ships only the user-mode `fwpmu.h` (which returns `DWORD`, where the kernel's `fwpmk.h`
//! returns `NTSTATUS`); `src/lib.rs` declares the kernel prototypes and checks them against
//! windows-sys. `FWPS_*` items are not in any package here; `src/lib.rs` declares them too.

use std::{env, path::PathBuf};

include!("../../wfp-sys/lists.rs");

/// The types the kernel prototypes reference. On Windows, allowlisting the functions pulls them
/// in; here the functions are declared by hand, so their parameter types are named.
const PROTOTYPE_TYPES: &[&str] = &[
    "HANDLE",
    "ACL",
    "PACL",
    "PSID",
    "SECURITY_INFORMATION",
    "PSECURITY_DESCRIPTOR",
    "SEC_WINNT_AUTH_IDENTITY_W",
];

/// Where Debian's mingw-w64-x86-64-dev puts the Windows headers (overridable for other hosts).
const DEFAULT_INCLUDE: &str = "/usr/share/mingw-w64/include";

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../../wfp-sys/lists.rs");
    println!("cargo::rerun-if-env-changed=CONNSEC_MINGW_INCLUDE");
    let include = env::var("CONNSEC_MINGW_INCLUDE").unwrap_or_else(|_| DEFAULT_INCLUDE.into());
    assert!(
        PathBuf::from(&include).join("fwpmtypes.h").is_file(),
        "{include}/fwpmtypes.h is missing: install mingw-w64-x86-64-dev (apt-get install \
         mingw-w64-x86-64-dev) or set CONNSEC_MINGW_INCLUDE"
    );
    let header = format!(
        "#define NTDDI_VERSION {NTDDI_VERSION}\n#define _WIN32_WINNT 0x0A00\n\
         #include <windows.h>\n#include <fwptypes.h>\n#include <fwpmtypes.h>\n{NTDDI_GUARD}"
    );
    // clang's own headers (`x86intrin.h`, which mingw's `winnt.h` includes); wdk-build likewise
    // turns bindgen's host include detection off and passes the include paths itself.
    let resource_dir =
        std::process::Command::new(env::var("CLANG_PATH").unwrap_or_else(|_| "clang".into()))
            .arg("-print-resource-dir")
            .output()
            .expect("running clang -print-resource-dir (apt-get install clang)");
    let resource_dir = String::from_utf8(resource_dir.stdout).expect("a UTF-8 path");
    let mut builder = bindgen::Builder::default()
        .clang_arg(format!("-isystem{}/include", resource_dir.trim()))
        .header_contents("wfp-input.h", &header)
        .clang_arg("--target=x86_64-pc-windows-msvc")
        .clang_arg(format!("-I{include}"))
        .clang_arg("-fms-extensions")
        // mingw-w64's `_mingw.h` defines `__attribute__` away unless `__GNUC__` is defined, and
        // its intrinsics headers need the attribute; MSVC layout rules are unaffected.
        .clang_arg("-fgnuc-version=4.2.1")
        .clang_arg("-nostdinc")
        .clang_arg("-fno-builtin")
        .detect_include_paths(false)
        .use_core()
        // The C types as the *target* (LLP64 Windows) has them: `long` is 32 bits there, but
        // `core::ffi::c_long` is the host's (64 bits on Linux). See `ctypes` in src/lib.rs.
        .ctypes_prefix("crate::ctypes")
        .derive_default(true)
        .default_enum_style(bindgen::EnumVariation::ModuleConsts)
        .allowlist_recursively(true)
        // The kernel prototypes are declared in src/lib.rs (see the module docs).
        .blocklist_function(".*");
    for ty in WFP_TYPES.iter().chain(PROTOTYPE_TYPES) {
        builder = builder.allowlist_type(*ty);
    }
    for var in WFP_VARS {
        builder = builder.allowlist_var(*var);
    }
    for opaque in OPAQUE_TYPES {
        builder = builder.opaque_type(*opaque);
    }
    println!("cargo::rerun-if-changed=src/lib.rs");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("wfp.rs");
    builder
        .generate()
        .expect("generating the WFP bindings from mingw-w64's fwptypes.h and fwpmtypes.h")
        .write_to_file(&out)
        .expect("writing wfp.rs");
    // Every listed function must be declared by src/lib.rs, so the lists stay the one source.
    let lib = std::fs::read_to_string("src/lib.rs").expect("reading src/lib.rs");
    for function in WFP_FUNCTIONS {
        assert!(
            lib.contains(&format!("pub fn {function}(")),
            "{function} is in lists.rs but src/lib.rs does not declare it"
        );
    }
}
