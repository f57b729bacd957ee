//! zegel's durable state. Everything zegel promises after answering `250`
//! lives here: the accepted messages (sealed), the queue of deliveries, the
//! portal packages, the accounts and the audit trail.
//!
//! # Layout
//! - `seal.rs`: envelope encryption: a data key per blob, wrapped by the
//!   key-encryption key (XChaCha20-Poly1305, RustCrypto).
//! - `blob_rows.rs`: where a sealed blob lives: small ones as database rows
//!   committed with the rows that use them, large ones as files.
//! - `blobs.rs`: sealed blobs through object_store: a local folder (synced
//!   after each write) or an S3-compatible bucket ([`BlobLocation`]).
//! - `s3.rs`: the S3 location and object_store's S3 client over hyper and
//!   rustls (ring).
//! - `db.rs`: opening SQLite with its migrations.
//! - `queue.rs`: accepting a message with its deliveries in one transaction;
//!   claiming due deliveries with a lease; recording their outcome.
//! - `held.rs`: held messages (policy `hold`, DMARC quarantine): list,
//!   release, delete.
//! - `audit.rs`: the hash-chained audit log.
//! - `users.rs`: accounts (argon2 password hashes).
//! - `staff.rs`: the staff web: TOTP secrets (sealed), staff sessions,
//!   sent items, offboarding.
//! - `oidc.rs`: the staff web's OpenID Connect sign-ins under way (sealed,
//!   good once) and accounts made at a first sign-in.
//! - `portal.rs`: secure messages (a sealed copy per recipient), one-time
//!   codes (keyed hashes), portal sessions; revoke and expiry.
//! - `error.rs`: [`StoreError`].

mod audit;
pub mod audit_export;
mod blob_rows;
mod blobs;
mod bulk;
mod contacts;
mod db;
mod error;
mod group;
mod held;
mod oidc;
mod policy;
mod portal;
mod queue;
mod s3;
pub mod seal;
mod staff;
mod users;

pub use audit::{AuditBreak, AuditEntry, AuditFilter, AuditHead, AuditProblem};
pub use blob_rows::INLINE_LIMIT;
pub use blobs::BlobLocation;
pub use error::StoreError;
pub use held::HeldMessage;
pub use policy::StoredPolicy;
pub use portal::{
    token_hash, CodeCheck, Factor, NewCode, PackageState, PortalSession, SecondFactor,
    SecurePackage, MAX_TRIES,
};
pub use queue::{
    Content, DeliveryKind, Job, JobOutcome, NewDelivery, NewMessage, NewSecureMessage, Summary,
};
pub use s3::S3Location;
pub use seal::Kek;
pub use staff::{Handover, StaffAccount, STAFF_SESSION};
pub use users::{Role, UserInfo};

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The store: a database and a blob folder, sealed with one key-encryption key.
#[derive(Clone)]
pub struct Store {
    pool: sqlx::SqlitePool,
    /// Read-only connections for lookups outside transactions (db.rs).
    reader: sqlx::SqlitePool,
    blobs: blobs::BlobDir,
    kek: std::sync::Arc<Kek>,
    /// Writes committed together (group.rs).
    group: std::sync::Arc<group::GroupCommit>,
}

impl Store {
    /// Opens (creating when missing) the store in `data_dir`: the database
    /// `zegel.db` (or `database_url`) and the `blobs/` folder; applies the
    /// migrations.
    pub async fn open(
        data_dir: &Path,
        database_url: Option<&str>,
        kek: Kek,
    ) -> Result<Store, StoreError> {
        let blobs = BlobLocation::Local(data_dir.join("blobs"));
        Store::open_with_blobs(data_dir, database_url, &blobs, kek).await
    }

    /// [`Store::open`] with the large blobs at `blobs` (a folder or an
    /// S3-compatible bucket; see [`BlobLocation`]).
    pub async fn open_with_blobs(
        data_dir: &Path,
        database_url: Option<&str>,
        blobs: &BlobLocation,
        kek: Kek,
    ) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            what: "create the data folder",
            source,
        })?;
        let db = db::open(data_dir, database_url).await?;
        let blobs = blobs::BlobDir::open_at(blobs).await?;
        let group = group::new_group();
        if let Some(conn) = db.checkpointer {
            tokio::spawn(db::run_checkpoints(conn, std::sync::Arc::downgrade(&group)));
        }
        Ok(Store {
            pool: db.writer,
            reader: db.reader,
            blobs,
            kek: std::sync::Arc::new(kek),
            group,
        })
    }
}

/// A store in a fresh temporary folder with a new key, for tests (the
/// folder goes when the returned guard is dropped).
#[cfg(test)]
pub(crate) async fn test_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(dir.path(), None, Kek::generate())
        .await
        .expect("a store in a temporary folder");
    (dir, store)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A random identifier of 128 bits, hex.
pub fn random_id() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// An identifier for rows that are written in order (messages, blobs,
/// packages): 128 bits, hex, like [`random_id`], but its first 48 bits
/// are the time in milliseconds and only the other 80 are random. New
/// rows then land at the end of their indexes instead of on a random page
/// of each (fewer pages changed per commit, docs/performance.md); 80
/// random bits still make one unguessable. Not for secrets: those use
/// [`random_id`].
pub fn ordered_id() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let random: [u8; 10] = rand::random();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&random);
    hex::encode(bytes)
}
