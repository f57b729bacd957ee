//! Plain text files (TXT, CSV) to UTF-8, and truncation of long texts.
//!
//! Attachments often come without a charset: Excel writes CSV in
//! Windows-1252, Notepad writes UTF-16 with a byte order mark, and some
//! exports write UTF-16 or UTF-32 without one. Order: a BOM decides;
//! otherwise the NUL-byte pattern of UTF-16/UTF-32 (LE or BE); otherwise
//! valid UTF-8; otherwise Windows-1252 (which maps every byte, so nothing
//! is lost).

use encoding_rs::{Encoding, WINDOWS_1252};

/// Decodes the bytes of a text file to UTF-8, reading at most `max_bytes`
/// of input (a char boundary is respected after decoding).
pub(crate) fn decode(bytes: &[u8], max_bytes: usize) -> String {
    // Cut the input first so a huge file is not decoded or copied whole:
    // UTF-16 needs twice the bytes for the same text, UTF-8 and
    // Windows-1252 at most `max_bytes + 1` (a cut inside a UTF-8 character
    // costs one replacement character at the end, and the caller truncates
    // the decoded text to `max_bytes` at a char boundary).
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let input = &bytes[bom_len..bytes.len().min(max_bytes.saturating_mul(2))];
        let (text, _) = encoding.decode_without_bom_handling(input);
        return text.into_owned();
    }
    if let Some(wide) = wide_encoding(bytes) {
        return decode_wide(wide, &bytes[..bytes.len().min(max_bytes.saturating_mul(4))]);
    }
    // One byte more than the bound, so the caller's truncation notices the cut.
    let input = &bytes[..bytes.len().min(max_bytes.saturating_add(1))];
    match std::str::from_utf8(input) {
        Ok(text) => text.to_owned(),
        // A valid prefix cut mid-character by the bound above is still UTF-8.
        Err(e) if e.error_len().is_none() && input.len() < bytes.len() => {
            String::from_utf8_lossy(input).into_owned()
        }
        Err(_) => WINDOWS_1252
            .decode_without_bom_handling(input)
            .0
            .into_owned(),
    }
}

/// A wide Unicode encoding without a byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wide {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// Recognises UTF-16 or UTF-32 text without a BOM by where its NUL bytes
/// stand in the first 4 KiB: mostly Latin text has a NUL in every other
/// (UTF-16) or three of four (UTF-32) bytes, at a fixed position.
pub(crate) fn wide_encoding(bytes: &[u8]) -> Option<Wide> {
    let sample = &bytes[..bytes.len().min(4096) & !3];
    if sample.len() < 8 {
        return None;
    }
    let mut zero_at = [0usize; 4];
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            zero_at[i % 4] += 1;
        }
    }
    let quarter = sample.len() / 4;
    let mostly = |n: usize| n * 10 >= quarter * 9;
    let rarely = |n: usize| n * 10 <= quarter;
    let [z0, z1, z2, z3] = zero_at;
    if mostly(z1) && mostly(z2) && mostly(z3) && rarely(z0) {
        return Some(Wide::Utf32Le);
    }
    if mostly(z0) && mostly(z1) && mostly(z2) && rarely(z3) {
        return Some(Wide::Utf32Be);
    }
    if mostly(z1) && mostly(z3) && rarely(z0) && rarely(z2) {
        return Some(Wide::Utf16Le);
    }
    if mostly(z0) && mostly(z2) && rarely(z1) && rarely(z3) {
        return Some(Wide::Utf16Be);
    }
    None
}

/// Decodes wide text (invalid units become U+FFFD).
fn decode_wide(wide: Wide, bytes: &[u8]) -> String {
    match wide {
        Wide::Utf16Le => encoding_rs::UTF_16LE
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
        Wide::Utf16Be => encoding_rs::UTF_16BE
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
        Wide::Utf32Le | Wide::Utf32Be => bytes
            .chunks_exact(4)
            .map(|c| {
                let unit = [c[0], c[1], c[2], c[3]];
                let cp = if wide == Wide::Utf32Le {
                    u32::from_le_bytes(unit)
                } else {
                    u32::from_be_bytes(unit)
                };
                char::from_u32(cp).unwrap_or('\u{FFFD}')
            })
            .collect(),
    }
}

/// Whether `bytes` look like text: no NUL bytes and few control characters
/// in the first 8 KiB (a UTF-16 BOM, or the NUL pattern of UTF-16/UTF-32
/// without one, counts as text).
pub(crate) fn looks_like_text(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() || wide_encoding(bytes).is_some() {
        return true;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.is_empty() || sample.contains(&0) {
        return false;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    control * 100 <= sample.len()
}

/// The bytes of `text` when the whole of it is a base64 block (a body
/// sent base64-encoded under a `7bit` label: what a reader decodes with
/// one click): at least 64 characters of the base64 alphabet in lines of
/// equal length, decoding cleanly.
pub(crate) fn hidden_base64(text: &str) -> Option<Vec<u8>> {
    // Prose has words with a space between them early on; base64 has none.
    let head = &text.as_bytes()[..text.len().min(256)];
    if head
        .windows(3)
        .any(|w| w[0].is_ascii_alphanumeric() && w[1] == b' ' && w[2].is_ascii_alphanumeric())
    {
        return None;
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let total: usize = lines.iter().map(|l| l.len()).sum();
    if total < 64 || lines.is_empty() {
        return None;
    }
    let width = lines[0].len();
    let regular = lines[..lines.len() - 1].iter().all(|l| l.len() == width)
        && lines[lines.len() - 1].len() <= width;
    let alphabet = lines.iter().all(|l| {
        l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    });
    // Ordinary words are base64 characters too: a base64 block has digits
    // or case changes inside long runs, and no spaces (already excluded).
    if !regular || !alphabet || width < 16 {
        return None;
    }
    mail_parser::decoders::base64::base64_decode(text.as_bytes())
}

/// Truncates `text` to at most `max` bytes at a char boundary; returns
/// whether anything was cut.
pub(crate) fn truncate(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text.shrink_to_fit();
    true
}

/// Copies at most `max + 1` bytes of `text` (at a char boundary), so a
/// later [`truncate`] to `max` still notices the cut without the whole text
/// being copied first.
pub(crate) fn bounded_copy(text: &str, max: usize) -> String {
    let mut at = text.len().min(max.saturating_add(1));
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    text[..at].to_string()
}

/// Appends `piece` to `out` unless `out` already holds `max` bytes; returns
/// `false` once the bound is reached (callers stop reading then).
pub(crate) fn push_bounded(out: &mut String, piece: &str, max: usize) -> bool {
    if out.len() >= max {
        return false;
    }
    out.push_str(piece);
    out.len() < max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_windows1252_and_utf16_are_decoded() {
        assert_eq!(decode("café".as_bytes(), 100), "café");
        assert_eq!(decode(b"caf\xe9", 100), "café");
        assert_eq!(decode(b"\xff\xfeh\x00i\x00", 100), "hi");
    }

    #[test]
    fn utf16_and_utf32_without_bom_are_recognised() {
        let text = "BSN 111222333 van mevrouw Jansen";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let be32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        for bytes in [le, be, le32, be32] {
            assert!(looks_like_text(&bytes));
            assert_eq!(decode(&bytes, 1000), text);
        }
        assert_eq!(wide_encoding(b"plain old text here"), None);
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let mut s = String::from("aé");
        assert!(truncate(&mut s, 2));
        assert_eq!(s, "a");
        let mut s = String::from("abc");
        assert!(!truncate(&mut s, 3));
    }

    #[test]
    fn binary_is_not_text() {
        assert!(!looks_like_text(b"\x89PNG\r\n\x1a\n\x00\x00"));
        assert!(looks_like_text(b"naam;plaats\r\n"));
    }
}
