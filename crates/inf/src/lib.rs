//! Host-side reader for the two text formats that carry connsec's `Parameters` configuration:
//! INF/INX files (`inf/connsec.inx`) and registry exports (`.reg`, as written by regedit).
//!
//! Both readers return registry values as **raw registry bytes**, exactly as the registry would
//! hold them after installation or import (strings as NUL-terminated UTF-16LE, `REG_MULTI_SZ` with
//! its final empty string, `REG_DWORD` as four little-endian bytes), so that the host tool and the
//! repository tests can feed them to `connsec-policy`, which reads raw registry data just as the
//! driver does.
//!
//! Why hand-written: no INF parser exists on crates.io (the only one found on `PyPI`,
//! `wininfparser`, is GPL-3.0), and the `.reg` parser there, `regashii` 0.4, keeps no line
//! numbers and skips lines it cannot read (see [`reg`]). Both grammars are small: see [`inf`] and
//! [`reg`] for exactly what is accepted, and [`merge`] for what an import or install does with
//! the lines.
//!
//! Every error carries the 1-based line it was found on ([`Error::line`], 0 for whole-file
//! problems such as the encoding) and, when the input came from a file, the file name.

#![forbid(unsafe_code)]

mod error;
pub mod inf;
pub mod merge;
pub mod reg;
mod text;
mod value;

pub use error::{Error, ErrorKind};
pub use inf::{AddRegEntry, Field, Inf, InstallOps, Line, Section};
pub use merge::{KeyOp, KeyState, OpKind, UpgradeNote};
pub use reg::{RegFile, RegFormat, RegKey, RegValue, Target};
pub use text::decode_text;
pub use value::{RegType, decode_multi_sz, decode_sz, dword_bytes, multi_sz_bytes, sz_bytes};
