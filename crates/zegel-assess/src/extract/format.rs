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
    /// An OLE compound file (legacy Office: XLS, DOC, PPT, an Outlook
    /// `.msg`, or an encrypted OOXML).
    Cfb,
    /// HTML.
    Html,
    /// Plain text, CSV and other text types.
    Text,
    /// A whole e-mail message (`.eml`, `message/rfc822`).
    Message,
    /// One gzip-compressed file (`.gz`, `.tgz`).
    Gzip,
    /// One bzip2-compressed file (`.bz2`).
    Bzip2,
    /// One xz-compressed file (`.xz`).
    Xz,
    /// A 7-Zip archive.
    SevenZip,
    /// A tar archive.
    Tar,
    /// Rich Text Format.
    Rtf,
    /// Outlook's TNEF container (`winmail.dat`).
    Tnef,
    /// A picture (scan, photo, screenshot): text only through OCR.
    Image,
    /// A signature or public key (S/MIME, OpenPGP): no content of its own.
    Signature,
    /// An S/MIME or OpenPGP encrypted part: already protected.
    Encrypted,
    /// Anything else: bytes zegel cannot read (audio, video, programs,
    /// unknown data).
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
    match ct.as_deref() {
        Some(
            "application/pkcs7-signature"
            | "application/x-pkcs7-signature"
            | "application/pgp-signature"
            | "application/pgp-keys",
        ) => return Format::Signature,
        Some(
            "application/pkcs7-mime" | "application/x-pkcs7-mime" | "application/pgp-encrypted",
        ) => return Format::Encrypted,
        _ => {}
    }
    if matches!(ext.as_deref(), Some("p7s" | "sig" | "asc")) {
        return Format::Signature;
    }
    if bytes.starts_with(b"-----BEGIN PGP MESSAGE-----") {
        return Format::Encrypted;
    }
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
        Some("text/rtf" | "application/rtf") => return Format::Rtf,
        Some(t) if t.starts_with("text/") => return Format::Text,
        Some("application/csv" | "application/json" | "application/xml") => return Format::Text,
        _ => {}
    }
    let head = &bytes[..bytes.len().min(512)];
    if contains_ci(head, b"<html") || contains_ci(head, b"<!doctype html") {
        return Format::Html;
    }
    if looks_like_message(bytes) {
        return Format::Message;
    }
    if super::text::looks_like_text(bytes) {
        return Format::Text;
    }
    Format::Binary
}

/// Formats recognisable by their first bytes.
pub(crate) fn by_magic(bytes: &[u8]) -> Option<Format> {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const IMAGES: &[&[u8]] = &[
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF87a",
        b"GIF89a",
        b"BM",
        b"II*\x00",
        b"MM\x00*",
    ];
    const OTHER_BINARY: &[&[u8]] = &[
        b"\x00\x00\x01\x00",
        b"ID3",
        b"OggS",
        b"fLaC",
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
    if bytes.starts_with(b"\x1F\x8B") {
        return Some(Format::Gzip);
    }
    if bytes.starts_with(b"BZh") && bytes.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Some(Format::Bzip2);
    }
    if bytes.starts_with(b"\xFD7zXZ\x00") {
        return Some(Format::Xz);
    }
    if bytes.starts_with(b"7z\xBC\xAF\x27\x1C") {
        return Some(Format::SevenZip);
    }
    if bytes.get(257..262) == Some(b"ustar") {
        return Some(Format::Tar);
    }
    if bytes.starts_with(b"{\\rtf") {
        return Some(Format::Rtf);
    }
    if bytes.starts_with(&[0x78, 0x9F, 0x3E, 0x22]) {
        return Some(Format::Tnef);
    }
    if IMAGES.iter().any(|m| bytes.starts_with(m)) || is_webp(bytes) || is_heic(bytes) {
        return Some(Format::Image);
    }
    if OTHER_BINARY.iter().any(|m| bytes.starts_with(m)) || is_iso_media(bytes) || is_riff(bytes) {
        return Some(Format::Binary);
    }
    None
}

/// Whether `bytes` start like an Internet message (a forwarded mail saved
/// as `ATT00001.dat`): header lines from the first line on, among them at
/// least two of From, To, Subject, Date, Received, Message-ID and
/// MIME-Version, and the blank line that ends the header.
fn looks_like_message(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let Ok(head) =
        std::str::from_utf8(head).or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]))
    else {
        return false;
    };
    let mut known = 0;
    for (n, line) in head.lines().enumerate() {
        if line.is_empty() {
            return n > 0 && known >= 2;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        const KNOWN: &[&str] = &[
            "from",
            "to",
            "subject",
            "date",
            "received",
            "message-id",
            "mime-version",
        ];
        if KNOWN.contains(&name.to_ascii_lowercase().as_str()) {
            known += 1;
        }
    }
    false
}

/// WebP: a RIFF container of type `WEBP`.
fn is_webp(bytes: &[u8]) -> bool {
    bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP")
}

/// Other RIFF containers (WAV, AVI).
fn is_riff(bytes: &[u8]) -> bool {
    bytes.starts_with(b"RIFF")
}

/// HEIC/HEIF/AVIF pictures: ISO media with an image brand.
fn is_heic(bytes: &[u8]) -> bool {
    is_iso_media(bytes)
        && matches!(
            bytes.get(8..12),
            Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"avif" | b"heim" | b"heis")
        )
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
        assert_eq!(detect(b"\x89PNG\r\n", Some("x.csv"), None), Format::Image);
        assert_eq!(detect(b"\x1F\x8B\x08", Some("x.txt"), None), Format::Gzip);
        assert_eq!(
            detect(b"7z\xBC\xAF\x27\x1C\x00", None, None),
            Format::SevenZip
        );
        assert_eq!(detect(b"BZh91AY", None, None), Format::Bzip2);
        assert_eq!(detect(b"\xFD7zXZ\x00\x00", None, None), Format::Xz);
        assert_eq!(
            detect(b"{\\rtf1\\ansi", Some("brief.doc"), None),
            Format::Rtf
        );
        assert_eq!(
            detect(&[0x78, 0x9F, 0x3E, 0x22, 1], None, None),
            Format::Tnef
        );
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
        assert_eq!(
            detect(
                b"From: a@b.nl\r\nSubject: x\r\n\r\nbody",
                Some("ATT00001.dat"),
                None
            ),
            Format::Message
        );
        assert_eq!(
            detect(b"Note: x\nmore text\n\nbody", None, None),
            Format::Text
        );
    }
}
