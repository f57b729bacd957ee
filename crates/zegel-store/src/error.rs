//! The store's errors.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A file operation failed.
    #[error("cannot {what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// The blob store (a folder or an S3 bucket) refused or failed.
    #[error("cannot {what}: {source}")]
    Blob {
        /// What was being done.
        what: &'static str,
        /// The cause.
        source: object_store::Error,
    },
    /// A `[storage] blobs` value (or an S3 setting) is not usable.
    #[error("blob location '{value}': {reason}")]
    BadBlobLocation {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Sealed data did not open: wrong key, or changed bytes.
    #[error("sealed data could not be opened (wrong key or tampered)")]
    Unseal,
    /// The key file is not a key file.
    #[error("key file {0} is not a key file (one 64-hex-digit key, or current/next/previous lines of them)")]
    BadKey(String),
    /// A change to the key ring that cannot be made.
    #[error("key ring: {0}")]
    KeyRing(&'static str),
    /// A record that should exist does not.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The content's data key was destroyed (expired or revoked).
    #[error("content destroyed")]
    Destroyed,
    /// A password could not be hashed.
    #[error("password hashing failed")]
    PasswordHash,
    /// A stored value is not one zegel writes (a row changed by hand or by
    /// another version).
    #[error("stored {column} '{value}' is not one zegel writes")]
    Unreadable {
        /// Where it was read.
        column: &'static str,
        /// What it held.
        value: String,
    },
    /// Too many password checks are waiting already (login.rs): try later.
    #[error("too many password checks at once")]
    Busy,
}
