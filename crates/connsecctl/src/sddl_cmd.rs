//! `connsecctl sddl encode|decode`: one SDDL string (or hex descriptor) per input line, one
//! result per output line, in order.
//!
//! Built for throughput (`reports/callgrind.md` measures instructions per descriptor): stdin
//! is read in large blocks and split with `memchr` (SIMD; a per-byte newline scan would cost
//! more than hex-encoding the result), every line is encoded into one reused descriptor buffer
//! and formatted straight into one reused output buffer, hex goes through `faster-hex` (SIMD),
//! UTF-8 is checked only for a line that fails (SDDL that encodes is ASCII), and nothing is
//! allocated per line once the buffers have grown to the largest line.

use std::io::{self, Read, Write};

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

/// Encodes the SDDL `line` into `bin` (grown as needed), returning the descriptor length or
/// the message for the line: text that encodes is ASCII, so UTF-8 is checked only to report
/// an error (the codec's offset in characters, or where the UTF-8 breaks).
pub(crate) fn encode_sddl(
    line: &[u8],
    ctx: &SddlContext,
    bin: &mut Vec<u8>,
) -> Result<usize, String> {
    loop {
        match secdesc::sddl::encode_bytes(line, ctx, bin) {
            Ok(n) => return Ok(n),
            Err(secdesc::Error {
                kind: ErrorKind::BufferTooSmall { needed },
                ..
            }) if needed > bin.len() => bin.resize(needed, 0),
            Err(e) => {
                return Err(match core::str::from_utf8(line) {
                    Err(utf8) => format!("at byte {}: input is not UTF-8", utf8.valid_up_to()),
                    Ok(text) => {
                        text_error(secdesc::sddl::encode(text, ctx, bin).err().unwrap_or(e))
                    }
                });
            }
        }
    }
}

/// Reads lines out of one growable buffer filled with large `read` calls (which bypass the
/// standard input's own small buffer), so a line is never copied: it is handed out as a slice.
struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Start of the first line not handed out yet.
    start: usize,
    /// End of the data read.
    end: usize,
    /// Bytes before this offset are known to hold no newline.
    scanned: usize,
    eof: bool,
}

impl<R: Read> LineReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 1 << 20],
            start: 0,
            end: 0,
            scanned: 0,
            eof: false,
        }
    }

    /// The next line (without its `\n` or `\r\n`), or `None` at the end of the input.
    fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.scanned..self.end]) {
                let (s, nl) = (self.start, self.scanned + i);
                self.start = nl + 1;
                self.scanned = self.start;
                return Ok(Some(chomp(&self.buf[s..nl])));
            }
            self.scanned = self.end;
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let s = self.start;
                self.start = self.end;
                return Ok(Some(chomp(&self.buf[s..self.end])));
            }
            if self.start > 0 {
                // Move the partial line to the front: at most one line per buffer refill.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.scanned -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// An output buffer written to its sink in large chunks, into which results are formatted in
/// place: nothing is zeroed or copied once the buffer has reached its working size.
struct OutBuf<W: Write> {
    inner: W,
    buf: Vec<u8>,
    pos: usize,
}

impl<W: Write> OutBuf<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            buf: vec![0; 1 << 17],
            pos: 0,
        }
    }

    /// `n` writable bytes at the current position; [`advance`](Self::advance) commits them.
    fn reserve(&mut self, n: usize) -> io::Result<&mut [u8]> {
        if self.buf.len() - self.pos < n {
            self.flush_buf()?;
            if self.buf.len() < n {
                self.buf.resize(n, 0);
            }
        }
        Ok(&mut self.buf[self.pos..self.pos + n])
    }

    fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.reserve(bytes.len())?.copy_from_slice(bytes);
        self.advance(bytes.len());
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.buf[..self.pos])?;
        self.pos = 0;
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush_buf()?;
        self.inner.flush()
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
    input: impl Read,
    output: impl Write,
) -> io::Result<Batch> {
    let mut lines = LineReader::new(input);
    let mut w = OutBuf::new(output);
    let mut bin = vec![0u8; 1 << 14];
    let mut scratch = Vec::new();
    let mut batch = Batch::default();
    while let Some(line) = lines.next_line()? {
        batch.lines += 1;
        let result = encode_sddl(line, ctx, &mut bin);
        match (result, json) {
            (Ok(len), false) => {
                let n = 2 * len + 1;
                let out = w.reserve(n)?;
                let (digits, nl) = out.split_at_mut(2 * len);
                hex::encode_to_slice(&bin[..len], digits);
                nl[0] = b'\n';
                w.advance(n);
            }
            (Ok(len), true) => {
                scratch.clear();
                json_line(&mut scratch, batch.lines, "hex", &hex::encode(&bin[..len]));
                w.write(&scratch)?;
            }
            (Err(msg), false) => {
                batch.failed += 1;
                w.write(b"error: ")?;
                w.write(msg.as_bytes())?;
                w.write(b"\n")?;
            }
            (Err(msg), true) => {
                batch.failed += 1;
                scratch.clear();
                json_line(&mut scratch, batch.lines, "error", &msg);
                w.write(&scratch)?;
            }
        }
    }
    w.finish()?;
    Ok(batch)
}

/// Formats `sd` as SDDL and a newline straight into `w`'s buffer (grown when the text is
/// longer than this first guess of two characters per descriptor byte).
fn format_line<W: Write>(
    sd: &SecurityDescriptor<'_>,
    ctx: &SddlContext,
    w: &mut OutBuf<W>,
) -> io::Result<Result<(), String>> {
    let mut room = 2 * sd.len() + 64;
    loop {
        let out = w.reserve(room)?;
        match secdesc::sddl::format_into(sd, ctx, out) {
            Ok(n) if n < out.len() => {
                out[n] = b'\n';
                w.advance(n + 1);
                return Ok(Ok(()));
            }
            Ok(n) => room = n + 1,
            Err(secdesc::Error {
                kind: ErrorKind::BufferTooSmall { needed },
                ..
            }) => room = needed + 1,
            Err(e) => return Ok(Err(binary_error(e))),
        }
    }
}

/// `sddl decode`: hex lines in, SDDL (or `error: <message>`) lines out.
pub(crate) fn decode(
    ctx: &SddlContext,
    json: bool,
    input: impl Read,
    output: impl Write,
) -> io::Result<Batch> {
    let mut lines = LineReader::new(input);
    let mut w = OutBuf::new(output);
    let mut bin = Vec::with_capacity(1 << 14);
    let mut text = String::new();
    let mut scratch = Vec::new();
    let mut batch = Batch::default();
    while let Some(line) = lines.next_line()? {
        batch.lines += 1;
        let sd = hex::decode_into(line.trim_ascii(), &mut bin)
            .map_err(|e| e.to_string())
            .and_then(|()| SecurityDescriptor::new_checked(&bin).map_err(binary_error));
        let result = match (&sd, json) {
            (Ok(sd), false) => format_line(sd, ctx, &mut w)?,
            (Ok(sd), true) => {
                text.clear();
                secdesc::sddl::format(sd, ctx, &mut text).map_err(|_| {
                    secdesc::sddl::check_formattable(sd).err().map_or_else(
                        || "descriptor cannot be written as SDDL".to_owned(),
                        binary_error,
                    )
                })
            }
            (Err(msg), _) => Err(msg.clone()),
        };
        let (key, value) = match &result {
            Ok(()) if !json => continue,
            Ok(()) => ("sddl", text.as_str()),
            Err(msg) => {
                batch.failed += 1;
                ("error", msg.as_str())
            }
        };
        if json {
            scratch.clear();
            json_line(&mut scratch, batch.lines, key, value);
            w.write(&scratch)?;
        } else {
            w.write(b"error: ")?;
            w.write(value.as_bytes())?;
            w.write(b"\n")?;
        }
    }
    w.finish()?;
    Ok(batch)
}
