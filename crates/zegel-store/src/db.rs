//! Opening the database with its migrations.

use crate::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The database: one writer, and a few connections that only read.
pub struct Db {
    /// One connection (SQLite has one writer; this also orders the audit
    /// chain). Everything that writes, and reads inside a transaction.
    pub writer: sqlx::SqlitePool,
    /// Read-only connections (WAL lets them read beside the writer; each
    /// sees everything committed before its query began) for the portal's
    /// lookups on every page, so one slow or descheduled query does not
    /// hold up every other page. The writer itself for an in-memory
    /// database.
    pub reader: sqlx::SqlitePool,
}

/// How many read-only connections.
const READERS: u32 = 4;

/// Opens SQLite: WAL with full sync (a committed row survives power loss),
/// the single writer with the migrations, then the readers.
pub async fn open(data_dir: &Path, url: Option<&str>) -> Result<Db, StoreError> {
    let options = match url {
        Some(url) => SqliteConnectOptions::from_str(url)?,
        None => SqliteConnectOptions::new().filename(data_dir.join("zegel.db")),
    }
    .create_if_missing(true)
    .journal_mode(SqliteJournalMode::Wal)
    .synchronous(SqliteSynchronous::Full)
    .foreign_keys(true)
    .busy_timeout(Duration::from_secs(30));
    let in_memory = url.is_some_and(|u| u.contains(":memory:") || u.contains("mode=memory"));
    // No ping before each use: the connection is an open file in this
    // process, not a network peer that may have gone away, and the ping was
    // a round trip to sqlx's connection thread before every query (a third
    // of the message page's database time under load; docs/performance.md).
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(options.clone())
        .await?;
    MIGRATIONS.run(&writer).await?;
    let reader = if in_memory {
        writer.clone()
    } else {
        SqlitePoolOptions::new()
            .max_connections(READERS)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.create_if_missing(false).pragma("query_only", "ON"))
            .await?
    };
    Ok(Db { writer, reader })
}
