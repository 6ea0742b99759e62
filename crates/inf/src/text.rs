//! Turning file bytes into text: UTF-16LE with BOM (what regedit and the WDK sample `.inx` use)
//! or UTF-8 (with or without BOM; ASCII is a subset).

use crate::{Error, ErrorKind};

/// Decodes INF or `.reg` file bytes into text.
///
/// Accepts UTF-16LE with BOM `FF FE`, and UTF-8 with or without BOM `EF BB BF`. Rejects
/// UTF-16BE, and UTF-16 without a BOM (recognised by NUL bytes), with a precise error.
/// Errors carry line 0, except invalid UTF-8, which names the line it is on.
pub fn decode_text(bytes: &[u8]) -> Result<String, Error> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        if !rest.len().is_multiple_of(2) {
            return Err(Error::at(0, ErrorKind::Utf16OddLength));
        }
        // ASCII text (what regedit writes for most keys) in one quick pass.
        if rest.chunks_exact(2).all(|c| c[1] == 0 && c[0] < 0x80) {
            let ascii: Vec<u8> = rest.iter().step_by(2).copied().collect();
            return String::from_utf8(ascii)
                .map_err(|_| Error::at(0, ErrorKind::InvalidUtf16 { unit: 0 }));
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        // The whole text at once (the standard library's fast path); only on failure is the
        // offending unit looked for.
        return String::from_utf16(&units).map_err(|_| {
            let unit = char::decode_utf16(units.iter().copied())
                .position(|c| c.is_err())
                .unwrap_or(0);
            Error::at(0, ErrorKind::InvalidUtf16 { unit })
        });
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::at(0, ErrorKind::UnsupportedEncoding("UTF-16BE")));
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if body.contains(&0) {
        return Err(Error::at(
            0,
            ErrorKind::UnsupportedEncoding("NUL bytes (UTF-16 without a byte-order mark?)"),
        ));
    }
    match core::str::from_utf8(body) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let offset = e.valid_up_to();
            let line = body[..offset].split(|&b| b == b'\n').count();
            Err(Error::at(line, ErrorKind::InvalidUtf8 { offset }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16le_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "a\u{e9}\r\n".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&b).unwrap(), "a\u{e9}\r\n");
    }

    #[test]
    fn utf8_bom_stripped() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFx").unwrap(), "x");
    }

    #[test]
    fn rejections() {
        assert_eq!(
            decode_text(&[0xFF, 0xFE, 0x41]).unwrap_err().kind,
            ErrorKind::Utf16OddLength
        );
        assert_eq!(
            decode_text(&[0xFF, 0xFE, 0x00, 0xD8]).unwrap_err().kind,
            ErrorKind::InvalidUtf16 { unit: 0 }
        );
        assert!(matches!(
            decode_text(&[0xFE, 0xFF, 0, 0x41]).unwrap_err().kind,
            ErrorKind::UnsupportedEncoding(_)
        ));
        assert!(matches!(
            decode_text(b"A\0B\0").unwrap_err().kind,
            ErrorKind::UnsupportedEncoding(_)
        ));
        let e = decode_text(b"ok\nbad \xFF\n").unwrap_err();
        assert_eq!((e.line, e.kind), (2, ErrorKind::InvalidUtf8 { offset: 7 }));
    }
}
