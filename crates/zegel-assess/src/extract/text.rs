//! Plain text files (TXT, CSV) to UTF-8, and truncation of long texts.
//!
//! Attachments often come without a charset: Excel writes CSV in
//! Windows-1252, Notepad writes UTF-16 with a byte order mark. Order: a BOM
//! decides; otherwise valid UTF-8; otherwise Windows-1252 (which maps every
//! byte, so nothing is lost).

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

/// Whether `bytes` look like text: no NUL bytes and few control characters
/// in the first 8 KiB (a UTF-16 BOM counts as text).
pub(crate) fn looks_like_text(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() {
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
