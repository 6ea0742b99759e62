//! `connsecctl sddl encode|decode`: one SDDL string (or hex descriptor) per input line, one
//! result per output line, in order.
//!
//! Built for throughput (issue 2 measures instructions per output byte): stdin is read with one
//! reused line buffer, every line is encoded into one reused descriptor buffer and one reused
//! output buffer, stdout is locked once behind a `BufWriter`, and nothing is allocated per line
//! once the buffers have grown to the largest line.

use std::io::{self, BufRead, Write};

use secdesc::{ErrorKind, SddlContext, SecurityDescriptor};

use crate::hex;

/// What a batch run found: how many lines, how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) lines: usize,
    pub(crate) failed: usize,
}

/// Removes the line terminator (`\n` or `\r\n`).
fn chomp(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A codec error on text input, as the CLI reports it.
pub(crate) fn text_error(e: secdesc::Error) -> String {
    format!("at character {}: {}", e.offset, e.kind)
}

/// A codec error on binary input, as the CLI reports it.
pub(crate) fn binary_error(e: secdesc::Error) -> String {
    format!("at byte {}: {}", e.offset, e.kind)
}

/// Encodes `text` into `bin` (grown as needed), returning the descriptor length.
pub(crate) fn encode_sddl(
    text: &str,
    ctx: &SddlContext,
    bin: &mut Vec<u8>,
) -> Result<usize, secdesc::Error> {
    loop {
        match secdesc::sddl::encode(text, ctx, bin) {
            Err(secdesc::Error { kind: ErrorKind::BufferTooSmall { needed }, .. })
                if needed > bin.len() =>
            {
                bin.resize(needed, 0);
            }
            other => return other,
        }
    }
}

fn json_line(out: &mut Vec<u8>, line: usize, key: &str, value: &str) {
    // serde_json escapes the string; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &serde_json::json!({ "line": line, key: value }));
    out.push(b'\n');
}

/// `sddl encode`: SDDL lines in, lowercase hex (or `error: <message>`) lines out.
pub(crate) fn encode(
    ctx: &SddlContext,
    json: bool,
    mut input: impl BufRead,
    output: impl Write,
) -> io::Result<Batch> {
    let mut w = io::BufWriter::with_capacity(1 << 16, output);
    let mut line = Vec::with_capacity(1 << 16);
    let mut bin = vec![0u8; 1 << 14];
    let mut out = Vec::with_capacity(1 << 16);
    let mut batch = Batch::default();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        batch.lines += 1;
        out.clear();
        let result = match core::str::from_utf8(chomp(&line)) {
            Ok(text) => encode_sddl(text, ctx, &mut bin).map_err(text_error),
            Err(e) => Err(format!("at byte {}: input is not UTF-8", e.valid_up_to())),
        };
        match (result, json) {
            (Ok(len), false) => {
                hex::encode_into(&bin[..len], &mut out);
                out.push(b'\n');
            }
            (Ok(len), true) => json_line(&mut out, batch.lines, "hex", &hex::encode(&bin[..len])),
            (Err(msg), false) => {
                batch.failed += 1;
                out.extend_from_slice(b"error: ");
                out.extend_from_slice(msg.as_bytes());
                out.push(b'\n');
            }
            (Err(msg), true) => {
                batch.failed += 1;
                json_line(&mut out, batch.lines, "error", &msg);
            }
        }
        w.write_all(&out)?;
    }
    w.flush()?;
    Ok(batch)
}

/// `sddl decode`: hex lines in, SDDL (or `error: <message>`) lines out.
pub(crate) fn decode(
    ctx: &SddlContext,
    json: bool,
    mut input: impl BufRead,
    output: impl Write,
) -> io::Result<Batch> {
    let mut w = io::BufWriter::with_capacity(1 << 16, output);
    let mut line = Vec::with_capacity(1 << 16);
    let mut bin = Vec::with_capacity(1 << 14);
    let mut text = String::with_capacity(1 << 16);
    let mut batch = Batch::default();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        batch.lines += 1;
        text.clear();
        let result = hex::decode_into(chomp(&line).trim_ascii(), &mut bin)
            .map_err(|e| e.to_string())
            .and_then(|()| SecurityDescriptor::new_checked(&bin).map_err(binary_error))
            .and_then(|sd| {
                secdesc::sddl::format(&sd, ctx, &mut text)
                    .map_err(|_| "descriptor cannot be written as SDDL".to_owned())
            });
        match (result, json) {
            (Ok(()), false) => {
                w.write_all(text.as_bytes())?;
                w.write_all(b"\n")?;
            }
            (Ok(()), true) => {
                let mut out = Vec::new();
                json_line(&mut out, batch.lines, "sddl", &text);
                w.write_all(&out)?;
            }
            (Err(msg), false) => {
                batch.failed += 1;
                writeln!(w, "error: {msg}")?;
            }
            (Err(msg), true) => {
                batch.failed += 1;
                let mut out = Vec::new();
                json_line(&mut out, batch.lines, "error", &msg);
                w.write_all(&out)?;
            }
        }
    }
    w.flush()?;
    Ok(batch)
}
