//! PDF text through lopdf, isolated against panics.
//!
//! lopdf parses the whole document from the slice (no copy of the input),
//! then text is taken page by page with a bound on each page's decompressed
//! content stream. A PDF that needs a password to open is `Encrypted`; one
//! with only an owner password (printing/copy restrictions) is opened with
//! the empty user password, as every viewer does, and read.

use super::guard::isolate;
use super::{text, Ctx, ExtractIssue};
use crate::finding::Location;
use crate::segment::SegmentRole;
use lopdf::{Document, Error};

/// How reading a PDF went.
enum Outcome {
    /// The text layer, and how many pages have (almost) none of it.
    Text(String, usize),
    Encrypted,
    Failed(String),
}

/// A page with less text than this (non-space characters) is a scan, if
/// the document holds pictures.
const SCANNED_PAGE_CHARS: usize = 16;

/// Extracts the text of a PDF into one attachment segment. Pages without
/// a text layer in a PDF with pictures (a scanned letter) are read by the
/// caller's OCR, or make the PDF unreadable without one.
pub(crate) fn extract(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8]) {
    let max_text = ctx.limits.max_text_bytes;
    let max_stream = ctx.limits.max_attachment_bytes;
    match isolate("PDF", || read(bytes, max_text, max_stream)) {
        Ok(Outcome::Text(text, scanned)) => {
            ctx.push_text(location, SegmentRole::Attachment, text);
            if scanned > 0 && super::format::contains(bytes, b"/Image") {
                scanned_pages(ctx, location, bytes, scanned);
            }
        }
        Ok(Outcome::Encrypted) => ctx.issue(ExtractIssue::Encrypted {
            location: location.clone(),
        }),
        Ok(Outcome::Failed(reason)) | Err(reason) => ctx.unreadable(location, reason),
    }
}

/// OCR of a PDF with `pages` pages without a text layer.
fn scanned_pages(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8], pages: usize) {
    match ctx.ocr {
        Some(ocr) => match ocr.pdf_text(bytes) {
            Ok(text) => ctx.push_text(location, SegmentRole::Attachment, text),
            Err(reason) => ctx.unreadable(
                location,
                format!("scanned PDF could not be read by OCR: {reason}"),
            ),
        },
        None => ctx.unreadable(
            location,
            format!("{pages} scanned page(s) without a text layer and OCR is not available"),
        ),
    }
}

/// Loads the document and collects the text of every page.
fn read(bytes: &[u8], max_text: usize, max_stream: usize) -> Outcome {
    let doc = match Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(Error::InvalidPassword | Error::Decryption(_)) => return Outcome::Encrypted,
        Err(e) => return Outcome::Failed(format!("damaged PDF: {e}")),
    };
    if doc.is_encrypted() {
        // Still encrypted after loading: the empty password did not open it.
        return Outcome::Encrypted;
    }
    let page_map = doc.get_pages();
    let pages: Vec<u32> = page_map.keys().copied().collect();
    if pages.is_empty() {
        return Outcome::Failed("PDF has no pages".into());
    }
    let mut out = String::new();
    let mut failed = 0usize;
    let mut scanned = 0usize;
    let mut first_error = None;
    for (page, id) in &page_map {
        // A truncated file still has its page tree but lost the content.
        if doc
            .get_page_contents(*id)
            .iter()
            .any(|c| doc.get_object(*c).is_err())
        {
            failed += 1;
            first_error.get_or_insert_with(|| "page content is missing".to_string());
            continue;
        }
        match doc.extract_text_with_limit(&[*page], max_stream) {
            Ok(page_text) => {
                let chars = page_text.chars().filter(|c| !c.is_whitespace()).count();
                if chars < SCANNED_PAGE_CHARS {
                    scanned += 1;
                }
                if !text::push_bounded(&mut out, &page_text, max_text) {
                    break;
                }
                out.push('\n');
            }
            Err(e) => {
                failed += 1;
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    if failed == pages.len() {
        let reason = first_error.unwrap_or_default();
        return Outcome::Failed(format!("no page of the PDF could be read: {reason}"));
    }
    if out.trim().is_empty() && !has_eof_marker(bytes) {
        // No text and no end marker: a cut-off file, not an image-only PDF.
        return Outcome::Failed("PDF is truncated".into());
    }
    Outcome::Text(out, scanned)
}

/// Whether `%%EOF` stands in the last KiB (every complete PDF ends so).
fn has_eof_marker(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    super::format::contains(tail, b"%%EOF")
}
