//! Pictures: scans, photos of forms, screenshots. Their text is read by
//! OCR when they can hold a document's worth of it; logos and small
//! inline images are not (decided by size, and by whether the HTML shows
//! them inline, where signatures and banners live).

use super::{Ctx, ExtractIssue};
use crate::finding::Location;
use crate::segment::SegmentRole;

/// An attached picture smaller than this (in either direction) holds no
/// line of text worth reading.
const MIN_SIDE: usize = 64;
/// A picture shown inline by the HTML is read only from this many pixels
/// on (about 500 × 500): screenshots and pasted scans, not logos.
const MIN_INLINE_PIXELS: usize = 250_000;

/// Reads a picture at `location`; `inline` when the HTML shows it.
pub(crate) fn extract(ctx: &mut Ctx<'_>, location: &Location, bytes: &[u8], inline: bool) {
    let size = match imagesize::blob_size(bytes) {
        Ok(size) => size,
        Err(e) => return ctx.unreadable(location, format!("damaged picture: {e}")),
    };
    let (w, h) = (size.width, size.height);
    let worth = if inline {
        w.saturating_mul(h) >= MIN_INLINE_PIXELS
    } else {
        w >= MIN_SIDE && h >= MIN_SIDE / 4
    };
    if !worth {
        return;
    }
    match ctx.ocr {
        Some(ocr) => match ocr.image_text(bytes) {
            Ok(text) => ctx.push_text(location, SegmentRole::Attachment, text),
            Err(reason) => ctx.issue(ExtractIssue::Unreadable {
                location: location.clone(),
                reason: format!("picture could not be read by OCR: {reason}"),
            }),
        },
        None => ctx.unreadable(
            location,
            format!("picture of {w}×{h} pixels may hold text and OCR is not available"),
        ),
    }
}
