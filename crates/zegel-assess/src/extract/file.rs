//! One attachment (or archive member): record it, detect its format and
//! hand it to the reader for that format.

use super::compressed::{self, Stream};
use super::format::{self, Format};
use super::office::{self, Container};
use super::sheet::{self, Sheet};
use super::{
    archive, html, image, ole, pdf, rtf, text, tnef, uuencode, walk, AttachmentInfo, Ctx,
    ExtractIssue,
};
use crate::finding::Location;
use crate::segment::SegmentRole;
use aho_corasick::AhoCorasick;

/// How deep `location` is nested: 1 for an attachment of the message, 2 for
/// a member of an attached archive, and so on; 0 for subject and body.
pub(crate) fn depth(location: &Location) -> usize {
    match location {
        Location::Attachment(path) => path.len(),
        _ => 0,
    }
}

/// Records an attachment: its [`AttachmentInfo`] and, when it has one, a
/// [`SegmentRole::FileName`] segment with its file name.
pub(crate) fn record(
    ctx: &mut Ctx<'_>,
    location: &Location,
    name: Option<&str>,
    content_type: Option<&str>,
    size: usize,
) {
    if let Some(name) = name {
        // Only the last path component of an archive member is its name.
        let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        ctx.push_text(location, SegmentRole::FileName, file_name.to_string());
    }
    ctx.out.attachments.push(AttachmentInfo {
        location: location.clone(),
        content_type: content_type.map(str::to_ascii_lowercase),
        size,
    });
}

/// Whether `location` may still be read under the depth and size limits;
/// records a `LimitExceeded` issue if not.
fn within_limits(ctx: &mut Ctx<'_>, location: &Location, size: usize) -> bool {
    if depth(location) > ctx.limits.max_depth {
        ctx.limit(location, "max_depth");
        return false;
    }
    if size > ctx.limits.max_attachment_bytes {
        ctx.limit(location, "max_attachment_bytes");
        return false;
    }
    true
}

/// Records an attachment given as bytes and extracts its text.
pub(crate) fn extract_attachment(
    ctx: &mut Ctx<'_>,
    location: &Location,
    name: Option<&str>,
    content_type: Option<&str>,
    bytes: &[u8],
) {
    record(ctx, location, name, content_type, bytes.len());
    if !within_limits(ctx, location, bytes.len()) {
        return;
    }
    let max = ctx.limits.max_text_bytes;
    match format::detect(bytes, name, content_type) {
        Format::Pdf => pdf::extract(ctx, location, bytes),
        Format::Zip => zip_container(ctx, location, bytes),
        Format::Cfb => compound_file(ctx, location, bytes),
        Format::Html => {
            let source = text::decode(bytes, bytes.len());
            let text = html::html_to_text(&source, max);
            ctx.push_text(location, SegmentRole::Attachment, text);
        }
        Format::Text => {
            let text = text::decode(bytes, max);
            uuencoded(ctx, location, &text);
            ctx.push_text(location, SegmentRole::Attachment, text);
        }
        Format::Message => walk::walk_message_bytes(ctx, location, bytes),
        Format::Gzip => compressed::extract_stream(ctx, location, name, bytes, Stream::Gzip),
        Format::Bzip2 => compressed::extract_stream(ctx, location, name, bytes, Stream::Bzip2),
        Format::Xz => compressed::extract_stream(ctx, location, name, bytes, Stream::Xz),
        Format::Tar => compressed::extract_tar(ctx, location, bytes),
        Format::SevenZip => compressed::extract_7z(ctx, location, bytes),
        Format::Rtf => {
            let text = rtf::to_text(bytes, max);
            ctx.push_text(location, SegmentRole::Attachment, text);
        }
        Format::Tnef => tnef::extract(ctx, location, bytes),
        Format::Image => {
            let inline = std::mem::take(&mut ctx.inline);
            image::extract(ctx, location, bytes, inline);
        }
        Format::Signature => {}
        Format::Encrypted => ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        }),
        Format::Binary => ctx.unreadable(location, "zegel cannot read this kind of file"),
    }
}

/// Reads what is encoded inside `text` (found at `location`) as
/// attachments below it: uuencoded files, and a text that is one base64
/// block (sent under a `7bit` label).
pub(crate) fn uuencoded(ctx: &mut Ctx<'_>, location: &Location, text: &str) {
    for (name, bytes) in uuencode::files(text, ctx.limits.max_attachment_bytes) {
        let child = location.child(&name);
        extract_attachment(ctx, &child, Some(&name), None, &bytes);
    }
    if depth(location) < ctx.limits.max_depth {
        if let Some(bytes) = text::hidden_base64(text) {
            let child = location.child("base64");
            extract_attachment(ctx, &child, None, None, &bytes);
        }
    }
}

/// Records an attachment that the MIME parser already decoded to text
/// (`text/*` parts) and extracts it.
pub(crate) fn extract_text_attachment(
    ctx: &mut Ctx<'_>,
    location: &Location,
    name: Option<&str>,
    content_type: Option<&str>,
    source: &str,
    is_html: bool,
) {
    record(ctx, location, name, content_type, source.len());
    if !within_limits(ctx, location, source.len()) {
        return;
    }
    let max = ctx.limits.max_text_bytes;
    let format = format::detect(source.as_bytes(), name, content_type);
    if !is_html && format == Format::Message {
        return walk::walk_message_bytes(ctx, location, source.as_bytes());
    }
    let is_html = is_html || format == Format::Html;
    let text = if is_html {
        html::html_to_text(source, max)
    } else {
        text::bounded_copy(source, max)
    };
    if !is_html {
        uuencoded(ctx, location, &text);
    }
    ctx.push_text(location, SegmentRole::Attachment, text);
}

/// A ZIP file: an Office/OpenDocument file or an archive.
fn zip_container(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    let mut zip = match archive::open(bytes) {
        Ok(zip) => zip,
        Err(reason) => return ctx.unreadable(location, reason),
    };
    match office::classify(ctx, &mut zip) {
        // ODS is read as ODF XML, not through calamine, whose grid for a
        // 1 KB sheet with repeated rows and columns can take gigabytes.
        kind @ (Container::Docx | Container::Pptx | Container::OdfText | Container::OdfSheet) => {
            office::extract(ctx, location, &mut zip, kind)
        }
        Container::Xlsx => {
            let binary = archive::index_of(&zip, "xl/workbook.bin").is_some();
            if archive::verify(ctx, location, &mut zip) {
                sheet::extract(ctx, location, bytes, Sheet::Xlsx, binary);
            }
        }
        Container::Archive => archive::extract_archive(ctx, location, zip),
    }
}

/// The stream names (UTF-16LE in the CFB directory) that tell what an OLE
/// compound file is.
const CFB_STREAMS: [&str; 5] = [
    "EncryptionInfo",
    "EncryptedPackage",
    "Workbook",
    "WordDocument",
    "PowerPoint Document",
];

/// An OLE compound file: an encrypted OOXML document (it then holds an
/// `EncryptionInfo` stream), an XLS workbook, a Word or PowerPoint 97-2003
/// file, an Outlook item, or something we cannot read. Decided by the
/// names in its root storage; where the directory cannot be listed, by the
/// stream names found in its bytes (as before the directory was read).
fn compound_file(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    let seen = match ole::root_names(bytes) {
        Some(names) => {
            let has = |n: &str| names.iter().any(|x| x == n);
            if names.iter().any(|n| n.starts_with("__substg1.0_")) {
                return ole::extract_msg(ctx, location, bytes);
            }
            [
                has("EncryptionInfo"),
                has("EncryptedPackage"),
                has("Workbook") || has("Book"),
                has("WordDocument"),
                has("PowerPoint Document"),
            ]
        }
        None => scan_stream_names(bytes),
    };
    if seen[0] || seen[1] {
        ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        });
    } else if seen[2] {
        sheet::extract(ctx, location, bytes, Sheet::Xls, false);
    } else if seen[3] {
        ole::extract_doc(ctx, location, bytes);
    } else if seen[4] {
        ole::extract_ppt(ctx, location, bytes);
    } else if ole::is_msg(bytes) {
        ole::extract_msg(ctx, location, bytes);
    } else {
        ctx.unreadable(location, "unsupported OLE document");
    }
}

/// Which of [`CFB_STREAMS`] occur (as UTF-16LE names) in the bytes.
fn scan_stream_names(bytes: &[u8]) -> [bool; 5] {
    let patterns: Vec<Vec<u8>> = CFB_STREAMS
        .iter()
        .map(|s| s.encode_utf16().flat_map(u16::to_le_bytes).collect())
        .collect();
    let mut seen = [false; CFB_STREAMS.len()];
    if let Ok(ac) = AhoCorasick::new(&patterns) {
        for m in ac.find_overlapping_iter(bytes) {
            seen[m.pattern().as_usize()] = true;
        }
    }
    seen[2] |= has_old_book(bytes);
    seen
}

/// Excel 5/95 workbooks call their stream `Book`.
fn has_old_book(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "Book\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}
