//! The pure assessment core of zegel: a message and a policy in, a verdict
//! with findings, warnings and reasons out. No I/O, no async.
//!
//! # Layout
//! - [`assess`]: the [`Assessor`]: parse, extract, detect, review, decide.
//! - [`assessment`]: the result: [`Verdict`], [`Warning`], [`Reason`].
//! - [`policy`]: the rules and the organisation's details.
//! - [`extract`]: the text of every MIME part and attachment, bounded.
//! - [`body`]: body text split into own text, quoted history and signature.
//! - [`detect`]: one detector per finding kind.
//! - [`opinion`]: the learned second opinion over every word of the texts.
//! - [`ocr`]: the seam to an OCR engine the caller provides.
//! - [`recipients`]: internal/external, look-alike domains, visible recipients.
//! - [`finding`], [`segment`]: the data passed between them.
//! - [`i18n`]: Dutch and English words for people.

pub mod assess;
pub mod assessment;
pub mod body;
pub mod detect;
pub mod extract;
pub mod finding;
pub mod i18n;
pub mod ocr;
pub mod opinion;
pub mod policy;
pub mod recipients;
pub mod segment;

pub use assess::{AssessError, Assessor, Envelope};
pub use assessment::{Assessment, Reason, Verdict, Warning, WarningKind};
pub use finding::{Finding, FindingKind, Location, Match};
pub use i18n::{kind_label, Lang, UnknownLang};
pub use ocr::{Ocr, OcrError};
pub use policy::{Policy, UnreadablePolicy, WarningAction};
pub use recipients::Domains;
pub use segment::{Segment, SegmentRole};
