//! Which reader an attachment needs: magic bytes first, then the file name
//! extension, then the declared content type.

/// The formats extraction knows how to read (or knows to skip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// PDF document.
    Pdf,
    /// A ZIP container: an archive, or DOCX/XLSX/PPTX/ODT/ODS inside (the
    /// archive module decides by its members).
    Zip,
    /// An OLE compound file (legacy Office: XLS, DOC, or an encrypted OOXML).
    Cfb,
    /// HTML.
    Html,
    /// Plain text, CSV and other text types.
    Text,
    /// A whole e-mail message (`.eml`, `message/rfc822`).
    Message,
    /// Images, audio, video and other binary data without text to read.
    Binary,
}

/// Decides the format of an attachment from its content, name and type.
pub fn detect(bytes: &[u8], name: Option<&str>, content_type: Option<&str>) -> Format {
    if let Some(format) = by_magic(bytes) {
        return format;
    }
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let ct = content_type.map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm" | "xhtml") => return Format::Html,
        Some("txt" | "csv" | "tsv" | "text" | "md" | "log" | "xml" | "json" | "ics" | "vcf") => {
            return Format::Text
        }
        Some("eml") => return Format::Message,
        _ => {}
    }
    match ct.as_deref() {
        Some("text/html" | "application/xhtml+xml") => return Format::Html,
        Some("message/rfc822") => return Format::Message,
        Some(t) if t.starts_with("text/") => return Format::Text,
        Some("application/csv" | "application/json" | "application/xml") => return Format::Text,
        _ => {}
    }
    let head = &bytes[..bytes.len().min(512)];
    if contains_ci(head, b"<html") || contains_ci(head, b"<!doctype html") {
        return Format::Html;
    }
    if super::text::looks_like_text(bytes) {
        return Format::Text;
    }
    Format::Binary
}

/// Formats recognisable by their first bytes.
fn by_magic(bytes: &[u8]) -> Option<Format> {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const BINARY: &[&[u8]] = &[
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF87a",
        b"GIF89a",
        b"BM",
        b"II*\x00",
        b"MM\x00*",
        b"RIFF",
        b"\x00\x00\x01\x00",
        b"ID3",
        b"OggS",
        b"fLaC",
        b"\x1F\x8B",
        b"7z\xBC\xAF\x27\x1C",
        b"Rar!",
        b"MZ",
        b"\x7FELF",
    ];
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if bytes.starts_with(CFB) {
        return Some(Format::Cfb);
    }
    // The PDF header may follow some junk, within the first KiB.
    if contains(&bytes[..bytes.len().min(1024)], b"%PDF-") {
        return Some(Format::Pdf);
    }
    if BINARY.iter().any(|m| bytes.starts_with(m)) || is_iso_media(bytes) {
        return Some(Format::Binary);
    }
    None
}

/// MP4/MOV/HEIC: `ftyp` at offset 4.
fn is_iso_media(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && &bytes[4..8] == b"ftyp"
}

/// Whether `needle` occurs in `hay`.
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether `needle` occurs in `hay`, ASCII case-insensitive.
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_beats_extension() {
        assert_eq!(
            detect(b"%PDF-1.7 ...", Some("brief.txt"), None),
            Format::Pdf
        );
        assert_eq!(detect(b"PK\x03\x04rest", Some("x.pdf"), None), Format::Zip);
        assert_eq!(detect(b"\x89PNG\r\n", Some("x.csv"), None), Format::Binary);
    }

    #[test]
    fn extension_then_type_then_content() {
        assert_eq!(detect(b"a;b", Some("x.csv"), None), Format::Text);
        assert_eq!(detect(b"<p>x", None, Some("text/html")), Format::Html);
        assert_eq!(
            detect(b"hello", None, Some("application/octet-stream")),
            Format::Text
        );
        assert_eq!(detect(b"\x00\x01\x02", None, None), Format::Binary);
    }
}
