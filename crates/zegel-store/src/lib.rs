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
//! - `db.rs`: opening the database (SQLite, or PostgreSQL for several
//!   nodes) with its migrations; [`Engine`].
//! - `bulk.rs`: multi-row statements for the group commit.
//! - `group.rs`: group commit: concurrent writes in one transaction.
//! - `queue.rs`: accepting a message with its deliveries in one transaction;
//!   claiming due deliveries with a lease; recording their outcome.
//! - `held.rs`: held messages (policy `hold`, DMARC quarantine): list,
//!   release, delete.
//! - `ids.rs`: typed ids ([`MessageId`], [`PackageId`]).
//! - `audit.rs`: the hash-chained audit log.
//! - `audit_retention.rs`: removing audit rows past the retention behind
//!   a signed checkpoint.
//! - `purge.rs`: destroying originals and delivery copies no longer
//!   needed, old one-time codes and, past the retention, old rows.
//! - `users.rs`: accounts (argon2 password hashes).
//! - `staff.rs`: the staff web: TOTP secrets (sealed), staff sessions,
//!   sent items, offboarding.
//! - `oidc.rs`: the staff web's OpenID Connect sign-ins under way (sealed,
//!   good once) and accounts made at a first sign-in.
//! - `portal.rs`: secure messages (a sealed copy per recipient), one-time
//!   codes (keyed hashes), portal sessions; revoke and expiry.
//! - `confirm.rs`: mail held by a warning, waiting for its sender.
//! - `contacts.rs`: external contacts with a (sealed) mobile number.
//! - `policy.rs`: the policy set on the staff web, versioned.
//! - `rate_limits.rs`: rate limits shared by every node.
//! - `login.rs`: password checks under load and under attack.
//! - `kek.rs`: the key-encryption key ring and its key file; `rekey.rs`:
//!   re-wrapping data keys after a rotation; `node_keys.rs`: which keys
//!   the running nodes hold.
//! - [`audit_export`]: the audit trail as CSV or JSON lines.
//! - `private.rs`: owner-only permissions on what zegel keeps on disk.
//! - `error.rs`: [`StoreError`].

mod audit;
pub mod audit_export;
mod audit_retention;
mod blob_rows;
mod blobs;
mod bulk;
mod confirm;
mod contacts;
mod db;
mod error;
mod group;
mod held;
mod ids;
mod kek;
mod login;
mod node_keys;
mod oidc;
mod policy;
mod portal;
mod private;
mod purge;
mod queue;
mod rate_limits;
mod rekey;
mod s3;
pub mod seal;
mod staff;
mod users;

pub use audit::{
    AuditBreak, AuditEntry, AuditFilter, AuditHead, AuditProblem, Event, RecordedEvent,
};
pub use audit_retention::AuditCheckpoint;
pub use blob_rows::INLINE_LIMIT;
pub use blobs::BlobLocation;
pub use confirm::{ExpiredHold, HoldConfirmation, HoldDecision, HoldWarning, NewConfirmation};
pub use db::Engine;
pub use error::StoreError;
pub use held::HeldMessage;
pub use ids::{MessageId, PackageId};
pub use kek::{Kek, KeyRingInfo};
pub use login::{failure_delay, LoginLimits, LoginRefusal};
pub use node_keys::{NodeKeys, NODE_KEYS_EVERY_SECS, NODE_LIVE_SECS};
pub use policy::StoredPolicy;
pub use portal::{
    token_hash, CodeCheck, CodePurpose, Factor, NewCode, PackageState, PortalSession, SecondFactor,
    SecurePackage, SessionKind, MAX_TRIES,
};
pub use purge::{years, PurgePolicy, PurgeReport, AUDIT_RETENTION_YEARS, KEEP_AFTER_FINAL_DAYS};
pub use queue::{
    Content, DeliveryKind, Job, JobOutcome, MessageVerdict, NewDelivery, NewMessage,
    NewSecureMessage, Summary,
};
pub use rekey::{CodesOnOtherKeys, WrappedCount};
pub use s3::S3Location;
pub use staff::{Handover, NewStatusLink, Offboarded, StaffAccount};
pub use users::{Role, UserInfo};

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The store: a database and a blob folder, sealed with one key-encryption key.
#[derive(Clone)]
pub struct Store {
    engine: Engine,
    pool: db::Pool,
    /// Read-only connections for lookups outside transactions (db.rs).
    reader: db::Pool,
    blobs: blobs::BlobDir,
    kek: std::sync::Arc<Kek>,
    /// Writes committed together (group.rs).
    group: std::sync::Arc<group::GroupCommit>,
    /// The node named as holder of the leases this store claims ("" for
    /// none; queue.rs).
    lease_owner: std::sync::Arc<str>,
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
        private::private_dir(data_dir).map_err(|source| StoreError::Io {
            what: "make the data folder owner-only",
            source,
        })?;
        if database_url.is_none() {
            private::private_database(&data_dir.join("zegel.db")).map_err(|source| {
                StoreError::Io {
                    what: "make the database owner-only",
                    source,
                }
            })?;
        }
        let db = db::open(data_dir, database_url).await?;
        let blobs = blobs::BlobDir::open_at(blobs).await?;
        let group = group::new_group();
        if let Some(conn) = db.checkpointer {
            tokio::spawn(db::run_checkpoints(conn, std::sync::Arc::downgrade(&group)));
        }
        Ok(Store {
            engine: db.engine,
            pool: db.writer,
            reader: db.reader,
            blobs,
            kek: std::sync::Arc::new(kek),
            group,
            lease_owner: "".into(),
        })
    }
}

impl Store {
    /// The database engine this store runs on.
    pub fn engine(&self) -> Engine {
        self.engine
    }
}

/// The environment variable that points the tests at PostgreSQL: a
/// `postgres://` URL of a database they may create schemas in (the README
/// says how; `scripts/test` sets it when PostgreSQL answers).
pub const TEST_POSTGRES_ENV: &str = "ZEGEL_TEST_POSTGRES";

/// For tests: the `database_url` for a store in `data_dir`: with
/// [`TEST_POSTGRES_ENV`] set, [`test_schema_url`] on that server; else
/// `None`, the default SQLite in the folder.
pub async fn test_database_url(data_dir: &Path) -> Result<Option<String>, StoreError> {
    match std::env::var(TEST_POSTGRES_ENV) {
        Ok(server) => test_schema_url(&server, data_dir).await.map(Some),
        Err(_) => Ok(None),
    }
}

/// For tests: a `database_url` on the PostgreSQL `server` whose schema is
/// `data_dir`'s own (`zt_` and a random id, made at the first call and
/// remembered in the folder, so a test reopening its store finds its data,
/// nodes of one test share it, and tests running at once do not meet).
pub async fn test_schema_url(server: &str, data_dir: &Path) -> Result<String, StoreError> {
    let remembered = data_dir.join("postgres-test-url");
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return Ok(url);
    }
    use sqlx::Connection;
    db::install_drivers();
    let schema = format!("zt_{}", &random_id()[..16]);
    let mut conn = sqlx::AnyConnection::connect(server).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let joiner = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{joiner}options[search_path]={schema}");
    std::fs::create_dir_all(data_dir)
        .and_then(|()| std::fs::write(&remembered, &url))
        .map_err(|source| StoreError::Io {
            what: "remember the test schema",
            source,
        })?;
    Ok(url)
}

/// A store in a fresh temporary folder with a new key, for tests (the
/// folder goes when the returned guard is dropped); on PostgreSQL in a
/// schema of its own when [`TEST_POSTGRES_ENV`] is set.
#[cfg(test)]
pub(crate) async fn test_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = test_store_in(dir.path(), Kek::generate()).await;
    (dir, store)
}

/// The store of tests in `dir` with `kek` (the same database each time
/// for one folder, as [`test_database_url`] remembers its schema).
#[cfg(test)]
pub(crate) async fn test_store_in(dir: &Path, kek: Kek) -> Store {
    let url = test_database_url(dir).await.expect("a PostgreSQL schema");
    Store::open(dir, url.as_deref(), kek)
        .await
        .expect("a store in a temporary folder")
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
