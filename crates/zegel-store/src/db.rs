//! Opening the database with its migrations.

use crate::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Opens SQLite: WAL with full sync (a committed row survives power loss),
/// one connection (SQLite has one writer; this also orders the audit chain).
pub async fn open(data_dir: &Path, url: Option<&str>) -> Result<sqlx::SqlitePool, StoreError> {
    let options = match url {
        Some(url) => SqliteConnectOptions::from_str(url)?,
        None => SqliteConnectOptions::new().filename(data_dir.join("zegel.db")),
    }
    .create_if_missing(true)
    .journal_mode(SqliteJournalMode::Wal)
    .synchronous(SqliteSynchronous::Full)
    .foreign_keys(true)
    .busy_timeout(Duration::from_secs(30));
    // No ping before each use: the connection is an open file in this
    // process, not a network peer that may have gone away, and the ping was
    // a round trip to sqlx's connection thread before every query (a third
    // of the message page's database time under load; docs/performance.md).
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(options)
        .await?;
    MIGRATIONS.run(&pool).await?;
    Ok(pool)
}
