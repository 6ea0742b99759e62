//! NUL-terminated UTF-16 text built at compile time (`wchar_t*` for the kernel APIs).
//!
//! WFP display names, the control device's SDDL and registry value names are `wchar_t` text.
//! The driver has no allocator on those paths, so the text is encoded once, at compile time, by
//! [`wide!`](crate::wide!), from the same `&str` constants the tests and the docs use. Only
//! ASCII is accepted; anything else is a compile error.

/// Encodes the bytes of `text` as UTF-16 units into an array of `N` units; the units after the
/// text stay 0, so with `N = text.len() + 1` the result is NUL-terminated.
///
/// It never panics: text longer than `N` is cut, and a non-ASCII byte becomes `?`. The
/// [`wide!`](crate::wide!) macro picks `N` and refuses non-ASCII text at compile time, so neither
/// case happens through it.
#[must_use]
pub const fn encode<const N: usize>(text: &str) -> [u16; N] {
    let mut out = [0u16; N];
    let mut rest: &[u8] = text.as_bytes();
    let mut slots: &mut [u16] = &mut out;
    while let ([b, tail @ ..], [slot, more @ ..]) = (rest, slots) {
        let b = if b.is_ascii() { *b } else { b'?' };
        // Widening a byte; `u16::from` is not callable in a `const fn`.
        *slot = b as u16;
        rest = tail;
        slots = more;
    }
    out
}

/// Whether every byte of `text` is ASCII (`str::is_ascii` as a `const fn` helper for the macro).
#[must_use]
pub const fn is_ascii(text: &str) -> bool {
    text.is_ascii()
}

/// `wide!("text")` is a `&'static [u16]` holding `text` as UTF-16 plus a NUL, built at compile
/// time.
#[macro_export]
macro_rules! wide {
    ($text:expr) => {{
        const TEXT: &str = $text;
        const _: () = assert!($crate::wide::is_ascii(TEXT), "wide! text must be ASCII");
        const WIDE: [u16; TEXT.len() + 1] = $crate::wide::encode::<{ TEXT.len() + 1 }>(TEXT);
        &WIDE
    }};
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    #[test]
    fn encodes_with_one_terminator() {
        const W: &[u16] = crate::wide!("connsec");
        let expected: Vec<u16> = "connsec".encode_utf16().chain([0]).collect();
        assert_eq!(W, expected.as_slice());
    }

    #[test]
    fn encode_cuts_and_replaces_instead_of_panicking() {
        assert_eq!(super::encode::<3>("abcd"), [0x61, 0x62, 0x63]);
        assert_eq!(super::encode::<3>("\u{e9}"), [0x3f, 0x3f, 0]);
        assert!(!super::is_ascii("caf\u{e9}"));
    }

    #[test]
    fn empty_text_is_just_the_terminator() {
        const W: &[u16] = crate::wide!("");
        assert_eq!(W, &[0]);
    }
}
