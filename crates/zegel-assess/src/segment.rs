//! A segment is one piece of text taken from a message, with where it came
//! from. Extraction produces segments; detectors read them.

use crate::finding::Location;

/// What part of the message a segment is, which decides how detectors treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentRole {
    /// The decoded Subject header.
    Subject,
    /// Text the sender wrote in this message.
    Body,
    /// Quoted history of earlier messages in a reply or forward.
    Quoted,
    /// A signature block or greeting; detectors skip it.
    Signature,
    /// The body of a forwarded message (split like a body, located as an attachment).
    Forwarded,
    /// Text extracted from an attachment.
    Attachment,
    /// The file name of an attachment (so `dossier_jansen.pdf` can count).
    FileName,
}

/// One piece of text with its location and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Where it came from.
    pub location: Location,
    /// What part of the message it is.
    pub role: SegmentRole,
    /// The text, normalised to UTF-8.
    pub text: String,
}

impl Segment {
    /// A new segment.
    pub fn new(location: Location, role: SegmentRole, text: impl Into<String>) -> Segment {
        Segment {
            location,
            role,
            text: text.into(),
        }
    }
}
