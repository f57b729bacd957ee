//! Extraction: the text of every part of a message, bounded.
//!
//! Walks the MIME tree of a parsed message and produces [`Segment`]s: the
//! subject, the body (plain, or HTML turned into text) and the text of every
//! attachment, recursively into archives and forwarded messages, within
//! [`Limits`]. What cannot be read becomes an [`ExtractIssue`], never a panic.
//!
//! Everything works from memory (no I/O, no threads). One module per job:
//! - `walk`: the MIME tree of a message (also forwarded `message/rfc822`).
//! - `file`: one attachment: detect its format and hand it to a reader.
//! - `format`: format detection, magic bytes first, then name and type.
//! - `text`: TXT/CSV bytes to UTF-8 (BOM, UTF-8, Windows-1252), truncation.
//! - `html`: HTML to plain text.
//! - `archive`: ZIP members through a bounded reader (bomb and password checks).
//! - `office`: DOCX, PPTX and ODT text from their XML parts.
//! - `sheet`: XLSX, XLS and ODS cells (calamine).
//! - `pdf`: PDF text (lopdf); pages without a text layer through OCR.
//! - `compressed`: gzip, bzip2, xz, tar and 7-Zip, bounded like ZIP.
//! - `ole`: Word, PowerPoint 97-2003 and Outlook `.msg` (compound files).
//! - `tnef`: Outlook's `winmail.dat`; `rtf`: RTF and compressed RTF.
//! - `uuencode`: uuencoded files inside text.
//! - `image`: pictures, through the caller's [`Ocr`] when worth it.
//! - `structure`: MIME that two parsers may read differently.
//! - `normalize`: text as a reader sees it (NFKC, no invisible characters).
//! - `guard`: turns a panic in a third-party parser into a reason.

mod archive;
mod cfb_check;
mod compressed;
mod file;
mod format;
pub(crate) mod guard;
mod html;
mod image;
mod le;
mod normalize;
mod office;
mod ole;
mod pdf;
mod rtf;
mod sheet;
mod structure;
mod text;
mod tnef;
mod uuencode;
mod walk;
mod xls_grid;

use crate::finding::Location;
use crate::ocr::Ocr;
use crate::segment::Segment;
use mail_parser::Message;

pub use format::Format;
pub use html::html_to_text;
pub use normalize::normalize;

/// Bounds on the work extraction may do for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// How deep archives and forwarded messages are followed.
    pub max_depth: usize,
    /// The largest single attachment (decoded) that is read.
    pub max_attachment_bytes: usize,
    /// Total bytes that may be decompressed from archives for one message.
    pub max_expanded_bytes: usize,
    /// Largest ratio of uncompressed to compressed size of an archive entry.
    pub max_compression_ratio: u64,
    /// Most entries read from one archive.
    pub max_archive_entries: usize,
    /// Most text kept from one part or attachment.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 5,
            max_attachment_bytes: 64 * 1024 * 1024,
            max_expanded_bytes: 256 * 1024 * 1024,
            max_compression_ratio: 100,
            max_archive_entries: 10_000,
            max_text_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Something extraction could not (fully) read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractIssue {
    /// The attachment is password-protected (already protected: fine).
    Encrypted { location: Location },
    /// The attachment could not be read; `reason` is for people.
    Unreadable { location: Location, reason: String },
    /// An archive expands beyond the ratio or size limits.
    ZipBomb { location: Location },
    /// A depth, size or count limit stopped extraction here.
    LimitExceeded {
        location: Location,
        limit: &'static str,
    },
}

/// An attachment seen while walking the message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttachmentInfo {
    /// Where it stands (nested path for archive members).
    pub location: Location,
    /// Its content type, lowercase, if known.
    pub content_type: Option<String>,
    /// Its decoded size in bytes.
    pub size: usize,
}

/// Everything extraction produced for one message.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Extracted {
    /// Texts in document order: subject first, then bodies, then attachments.
    pub segments: Vec<Segment>,
    /// Attachments seen, including archive members.
    pub attachments: Vec<AttachmentInfo>,
    /// What could not be read.
    pub issues: Vec<ExtractIssue>,
}

impl Extracted {
    /// Drops repeated segments, attachments and issues (the same part seen
    /// by two readings of the message), keeping the first.
    fn dedupe(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.segments
            .retain(|s| seen.insert((s.location.clone(), s.role, s.text.clone())));
        let mut kept = std::collections::HashSet::new();
        self.attachments.retain(|a| kept.insert(a.clone()));
        let mut issues: Vec<ExtractIssue> = Vec::new();
        self.issues.retain(|i| {
            let new = !issues.contains(i);
            if new {
                issues.push(i.clone());
            }
            new
        });
    }
}

/// Extracts the text of every part of `message`.
///
/// Never panics on bad input: what cannot be read is reported in
/// [`Extracted::issues`].
pub fn extract_message(message: &Message<'_>, limits: &Limits) -> Extracted {
    extract_message_with(message, limits, None)
}

/// [`extract_message`] with an OCR engine for scans and photos (without
/// one they are unreadable). MIME structure that parsers may read
/// differently is reported as unreadable too (see `structure`).
pub fn extract_message_with(
    message: &Message<'_>,
    limits: &Limits,
    ocr: Option<&dyn Ocr>,
) -> Extracted {
    let mut ctx = Ctx::new(limits);
    ctx.ocr = ocr;
    walk::walk_message(&mut ctx, message, None);
    // MIME that parsers read differently: every other reading too.
    let readings = structure::readings(message);
    for reading in &readings {
        if let Ok(Some(other)) = guard::isolate("e-mail", || {
            mail_parser::MessageParser::default().parse(reading.as_slice())
        }) {
            walk::walk_message(&mut ctx, &other, None);
        }
    }
    if !readings.is_empty() {
        ctx.out.dedupe();
    }
    ctx.out
}

/// Extracts the text of one file (an attachment outside a message, or a
/// document handed in by an add-in), as if it were attached as `name`.
pub fn extract_file(
    name: &str,
    content_type: Option<&str>,
    bytes: &[u8],
    limits: &Limits,
) -> Extracted {
    let mut ctx = Ctx::new(limits);
    let location = Location::Body.child(name);
    file::extract_attachment(&mut ctx, &location, Some(name), content_type, bytes);
    ctx.out
}

/// The state of one extraction: the limits, what was found so far and the
/// archive budget left.
pub(crate) struct Ctx<'l> {
    /// The bounds for this message.
    pub(crate) limits: &'l Limits,
    /// Segments, attachments and issues so far.
    pub(crate) out: Extracted,
    /// Bytes decompressed from archives so far (against `max_expanded_bytes`).
    pub(crate) expanded: usize,
    /// The OCR engine, if the caller has one.
    pub(crate) ocr: Option<&'l dyn Ocr>,
    /// Whether the attachment being read is a picture the HTML shows inline.
    pub(crate) inline: bool,
}

impl<'l> Ctx<'l> {
    fn new(limits: &'l Limits) -> Ctx<'l> {
        Ctx {
            limits,
            out: Extracted::default(),
            expanded: 0,
            ocr: None,
            inline: false,
        }
    }

    /// Records an issue.
    pub(crate) fn issue(&mut self, issue: ExtractIssue) {
        self.out.issues.push(issue);
    }

    /// Records an `Unreadable` issue at `location`.
    pub(crate) fn unreadable(&mut self, location: &Location, reason: impl Into<String>) {
        self.issue(ExtractIssue::Unreadable {
            location: location.clone(),
            reason: reason.into(),
        });
    }

    /// Records a `LimitExceeded` issue at `location`.
    pub(crate) fn limit(&mut self, location: &Location, limit: &'static str) {
        self.issue(ExtractIssue::LimitExceeded {
            location: location.clone(),
            limit,
        });
    }

    /// Adds a text segment, normalised as a reader sees it, truncated to
    /// `max_text_bytes` (with an issue), skipped when it is only white space.
    pub(crate) fn push_text(
        &mut self,
        location: &Location,
        role: crate::segment::SegmentRole,
        text: String,
    ) {
        let mut text = normalize::normalize(text);
        if text.trim().is_empty() {
            return;
        }
        if text::truncate(&mut text, self.limits.max_text_bytes) {
            self.limit(location, "max_text_bytes");
        }
        self.out
            .segments
            .push(Segment::new(location.clone(), role, text));
    }
}

#[cfg(test)]
mod tests;
