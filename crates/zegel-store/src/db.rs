//! Opening the database with its migrations.

use crate::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::ConnectOptions;
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
    /// A connection of its own for [`run_checkpoints`] (none for an
    /// in-memory database).
    pub checkpointer: Option<SqliteConnection>,
}

/// WAL pages after which a commit of the writer copies the WAL into the
/// database itself (SQLite's default is 1,000): a safety net only, should
/// [`run_checkpoints`] fall behind or stop.
const WRITER_CHECKPOINT_PAGES: &str = "20000";

/// How often [`run_checkpoints`] copies the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// How many read-only connections.
const READERS: u32 = 4;

/// Opens SQLite: WAL with full sync (a committed row survives power loss),
/// the single writer with the migrations, then the readers and the
/// checkpointer.
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
        .connect_with(if in_memory {
            options.clone()
        } else {
            options
                .clone()
                .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)
        })
        .await?;
    MIGRATIONS.run(&writer).await?;
    if in_memory {
        return Ok(Db {
            writer: writer.clone(),
            reader: writer,
            checkpointer: None,
        });
    }
    let reader = SqlitePoolOptions::new()
        .max_connections(READERS)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(
            options
                .clone()
                .create_if_missing(false)
                .pragma("query_only", "ON"),
        )
        .await?;
    let checkpointer = options.create_if_missing(false).connect().await?;
    Ok(Db {
        writer,
        reader,
        checkpointer: Some(checkpointer),
    })
}

/// Copies the WAL into the database every [`CHECKPOINT_EVERY`], beside
/// the writer, until `alive` is gone. SQLite would otherwise do it inside
/// the commit that crosses 1,000 WAL pages, making that commit, and every
/// write grouped into it, wait for the copy and the database's fsync. A
/// passive checkpoint takes no lock the writer needs; with `synchronous =
/// FULL` it syncs the database before the WAL is reused, so nothing
/// committed depends on it.
pub(crate) async fn run_checkpoints<T>(mut conn: SqliteConnection, alive: std::sync::Weak<T>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if alive.strong_count() == 0 {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint failed; the writer checkpoints itself");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Kek, Store};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_is_copied_into_the_database_beside_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), None, Kek::from_bytes([7; 32]))
            .await
            .unwrap();
        let database = dir.path().join("zegel.db");
        let before = std::fs::metadata(&database).unwrap().len();
        // About 2,000 pages: far below the writer's own threshold (20,000),
        // so only the background checkpointer copies them.
        for n in 0..40_u8 {
            let mut tx = store.pool.begin().await.unwrap();
            let blob = vec![n; 200 * 1024];
            crate::blob_rows::insert_inline(&mut tx, &[(format!("b{n}"), blob)])
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let mut grown = 0;
        for _ in 0..100 {
            grown = std::fs::metadata(&database).unwrap().len();
            if grown > before + 7 * 1024 * 1024 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            grown > before + 7 * 1024 * 1024,
            "the database file holds the 8 MB written ({before} -> {grown} bytes)"
        );
    }
}
