//! Why an archive was not made.

use crate::Format;

/// Why an archive was not made. Never holds the password, the contents or
/// (except where said) file names.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// No files to pack: an archive without files helps nobody.
    #[error("nothing to pack: no files")]
    Empty,
    /// More files than [`Limits::max_entries`](crate::Limits::max_entries).
    #[error("too many files for one archive: {count} (at most {limit})")]
    TooManyEntries {
        /// The files offered.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// More bytes than [`Limits::max_total_bytes`](crate::Limits::max_total_bytes).
    #[error("too much to pack: {total} bytes (at most {limit})")]
    TooLarge {
        /// The bytes offered, all files together.
        total: u64,
        /// The limit.
        limit: u64,
    },
    /// An empty password: the archive would not be encrypted.
    #[error("an archive needs a password")]
    EmptyPassword,
    /// The operating system gave no random numbers (for the password, the
    /// salt or the IV).
    #[error("no random numbers from the operating system: {0}")]
    Random(String),
    /// Writing the archive to its destination failed.
    #[error("cannot write the {format} archive: {source}")]
    Write {
        /// The archive format.
        format: Format,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The archive library refused (a bug or a limit of the format); the
    /// detail is the library's message.
    #[error("cannot make the {format} archive: {detail}")]
    Encoder {
        /// The archive format.
        format: Format,
        /// What the library said.
        detail: String,
    },
}
