//! Writes `$OUT_DIR/call_unsafe_wdf_function_binding.rs`: the `macro_rules!` wrapper that
//! wdk-sys 0.5.2's build script generates (its `CALL_UNSAFE_WDF_BINDING_TEMPLATE`), pointing the
//! wdk-macros proc-macro at this crate's `src/types.rs` instead of bindgen's `types.rs`.

use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/types.rs");
    let types = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("src")
        .join("types.rs");
    let types = types.to_str().expect("a UTF-8 path");
    let source = format!(
        "/// Calls a WDF function by name through `WdfFunctions` (wdk-sys 0.5.2's macro).\n\
         #[macro_export]\n\
         macro_rules! call_unsafe_wdf_function_binding {{\n\
         \x20   ( $($tt:tt)* ) => {{\n\
         \x20       $crate::__proc_macros::call_unsafe_wdf_function_binding! (\n\
         \x20           r\"{types}\",\n\
         \x20           $($tt)*\n\
         \x20       )\n\
         \x20   }}\n\
         }}\n"
    );
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"))
        .join("call_unsafe_wdf_function_binding.rs");
    fs::write(out, source).expect("writing call_unsafe_wdf_function_binding.rs");
}
