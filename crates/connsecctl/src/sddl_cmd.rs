//! `connsecctl sddl encode|decode`: one SDDL string (or hex descriptor) per input line, one
//! result per output line, in order.
//!
//! Built for throughput (`reports/callgrind.md` measures instructions per descriptor): stdin
//! is read in large blocks and split with `memchr` (SIMD; a per-byte newline scan would cost
//! more than hex-encoding the result), each SDDL line goes to the encoder together with the
//! rest of the read buffer as look-ahead (`secdesc::sddl::encode_line`: a `D:` line of plain
//! allow/deny ACEs is then one run of the fast path), every line is encoded into one reused
//! descriptor buffer (hex decoded into one that is grown but never zeroed per line) and
//! formatted straight into one reused output buffer, hex goes through `faster-hex` (SIMD),
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

/// Encodes the SDDL line `line[..len]` into `bin` (grown as needed), returning the descriptor
/// length or the message for the line. `line[len..]` is the rest of the reader's buffer, which
/// the codec may read as look-ahead (`secdesc::sddl::encode_line`). Text that encodes is
/// ASCII, so UTF-8 is checked only to report an error (the codec's offset in characters, or
/// where the UTF-8 breaks).
pub(crate) fn encode_sddl(
    line: &[u8],
    len: usize,
    ctx: &SddlContext,
    bin: &mut Vec<u8>,
) -> Result<usize, String> {
    loop {
        match secdesc::sddl::encode_line(line, len, ctx, bin) {
            Ok(n) => return Ok(n),
            // Grown with room to spare: the fast path writes an ACE only where a largest one
            // (76 bytes) would fit, and takes the slower full path otherwise.
            Err(secdesc::Error {
                kind: ErrorKind::BufferTooSmall { needed },
                ..
            }) if needed > bin.len() => bin.resize(needed.saturating_add(128), 0),
            Err(e) => {
                let line = line.get(..len).unwrap_or(line);
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
        Self::with_capacity(inner, 1 << 20)
    }

    fn with_capacity(inner: R, capacity: usize) -> Self {
        Self {
            inner,
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
            scanned: 0,
            eof: false,
        }
    }

    /// The next line (without its `\n` or `\r\n`), or `None` at the end of the input.
    fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        Ok(self
            .next_line_and_rest()?
            .map(|(rest, len)| rest.get(..len).unwrap_or(rest)))
    }

    /// The next line as the rest of the buffer from its start and the line's length (without
    /// its `\n` or `\r\n`): the bytes after the line are look-ahead for the encoder.
    fn next_line_and_rest(&mut self) -> io::Result<Option<(&[u8], usize)>> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.scanned..self.end]) {
                let (s, nl) = (self.start, self.scanned + i);
                self.start = nl + 1;
                self.scanned = self.start;
                let len = chomp(&self.buf[s..nl]).len();
                return Ok(Some((&self.buf[s..], len)));
            }
            self.scanned = self.end;
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let s = self.start;
                self.start = self.end;
                let len = chomp(&self.buf[s..self.end]).len();
                return Ok(Some((&self.buf[s..], len)));
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
    while let Some((line, len)) = lines.next_line_and_rest()? {
        batch.lines += 1;
        let result = encode_sddl(line, len, ctx, &mut bin);
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
    // Grown to the longest descriptor, never cleared: each line uses its first bytes.
    let mut bin = Vec::new();
    let mut text = String::new();
    let mut scratch = Vec::new();
    let mut batch = Batch::default();
    while let Some(line) = lines.next_line()? {
        batch.lines += 1;
        let digits = line.trim_ascii();
        let n = digits.len() / 2;
        if bin.len() < n {
            bin.resize(n, 0);
        }
        let bytes = &mut bin[..n];
        let sd = hex::decode_to_slice(digits, bytes)
            .map_err(|e| e.to_string())
            .and_then(|()| SecurityDescriptor::new_checked(bytes).map_err(binary_error));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its data a few bytes per `read`, so lines straddle reads and the reader's
    /// buffer is compacted and grown, leaving stale bytes after the data.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// Every line through the batch encoder (with the look-ahead the reader gives it) has the
    /// simple path's result for that line alone: DACLs, each of their prefixes (so the next
    /// line continues the cut ACE), CRLF endings and a last line without a newline.
    #[test]
    fn batch_lines_match_the_simple_path() {
        let ctx = SddlContext::new();
        let dacls = [
            "D:(A;;0x1200a9;;;S-1-5-21-1004336348-1177238915-682003330-1000)(D;;FA;;;S-1-5-32-544)",
            "D:(A;;GA;;;S-1-5-21-1-2-3-4)(A;;0x1;;;S-1-5-21-4294967295-1-2-3)",
            "O:BAD:(A;;GA;;;SY)",
        ];
        let mut lines = Vec::new();
        for d in dacls {
            for cut in (0..=d.len()).rev() {
                lines.push(d[..cut].to_owned());
            }
        }
        // The last line, without a newline (an empty one would be no line).
        lines.push("D:(A;;GA;;;WD)".to_owned());
        let mut input = String::new();
        for (i, l) in lines.iter().enumerate() {
            input.push_str(l);
            if i + 1 < lines.len() {
                input.push_str(if i % 3 == 0 { "\r\n" } else { "\n" });
            }
        }
        for capacity in [16, 1 << 20] {
            let mut reader = LineReader::with_capacity(Trickle(input.as_bytes()), capacity);
            let mut bin = vec![0u8; 8];
            let mut simple = vec![0u8; 1 << 12];
            for want in &lines {
                let (line, len) = reader.next_line_and_rest().unwrap().unwrap();
                assert_eq!(&line[..len], want.as_bytes());
                let got = encode_sddl(line, len, &ctx, &mut bin).map(|n| bin[..n].to_vec());
                let expected = secdesc::sddl::encode_simple(want, &ctx, &mut simple)
                    .map(|n| simple[..n].to_vec())
                    .map_err(text_error);
                assert_eq!(got, expected, "{want:?}");
            }
            assert!(reader.next_line_and_rest().unwrap().is_none());
        }
    }
}
