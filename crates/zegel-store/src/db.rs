//! Opening the database with its migrations: SQLite in the data folder
//! (the default, one node) or PostgreSQL (`database_url = "postgres://…"`,
//! shared by several nodes).
//!
//! Both are reached through sqlx's `Any` driver, so the store's SQL is
//! written once, in the dialect both engines read alike (`$n`
//! placeholders, flags kept as integers, `lower()` instead of collations);
//! the few statements that must differ (claims with `SKIP LOCKED`, the
//! audit chain's lock) ask [`Engine`].

use crate::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The store's connections (sqlx's `Any`: SQLite or PostgreSQL).
pub(crate) type Conn = sqlx::AnyConnection;
/// A pool of [`Conn`].
pub(crate) type Pool = sqlx::AnyPool;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite in one file: one node.
    Sqlite,
    /// PostgreSQL: one or several nodes.
    Postgres,
}

impl Engine {
    /// The engine a `database_url` names (SQLite when none is given).
    pub fn of_url(url: Option<&str>) -> Engine {
        match url {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Engine::Postgres
            }
            _ => Engine::Sqlite,
        }
    }
}

/// The database: the connections that write, and those that only read.
pub struct Db {
    /// The engine.
    pub engine: Engine,
    /// Everything that writes, and reads inside a transaction. SQLite: one
    /// connection (SQLite has one writer; this also orders the audit
    /// chain). PostgreSQL: a few (the audit chain is ordered by a lock).
    pub writer: Pool,
    /// Read-only connections for lookups outside transactions (the portal's
    /// on every page), so one slow or descheduled query does not hold up
    /// every other page. SQLite: WAL lets them read beside the writer; the
    /// writer itself for an in-memory database.
    pub reader: Pool,
    /// A connection of its own for [`run_checkpoints`] (SQLite on disk
    /// only).
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

/// How many writing connections on PostgreSQL (the group commit uses one
/// at a time; the rest serve writes outside it).
const POSTGRES_WRITERS: u32 = 4;

/// Makes sqlx's `Any` driver know SQLite and PostgreSQL (once per process).
pub(crate) fn install_drivers() {
    sqlx::any::install_default_drivers();
}

/// Opens the database `url` names (SQLite in `data_dir` when none) and
/// applies its migrations.
pub async fn open(data_dir: &Path, url: Option<&str>) -> Result<Db, StoreError> {
    install_drivers();
    match (Engine::of_url(url), url) {
        (Engine::Postgres, Some(url)) => open_postgres(url).await,
        _ => open_sqlite(data_dir, url).await,
    }
}

/// Opens PostgreSQL and applies the migrations. sqlx's migrator holds an
/// advisory lock while it works, so nodes starting at once apply each
/// migration once.
async fn open_postgres(url: &str) -> Result<Db, StoreError> {
    let options = AnyConnectOptions::from_str(url)?;
    let writer = AnyPoolOptions::new()
        .max_connections(POSTGRES_WRITERS)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(options.clone())
        .await?;
    POSTGRES_MIGRATIONS.run(&writer).await?;
    let reader = AnyPoolOptions::new()
        .max_connections(READERS)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("SET default_transaction_read_only = on")
                    .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok(Db {
        engine: Engine::Postgres,
        writer,
        reader,
        checkpointer: None,
    })
}

/// Opens SQLite: WAL with full sync (a committed row survives power loss),
/// the single writer with the migrations, then the readers and the
/// checkpointer.
async fn open_sqlite(data_dir: &Path, url: Option<&str>) -> Result<Db, StoreError> {
    let sqlite = match url {
        Some(url) => SqliteConnectOptions::from_str(url)?,
        None => SqliteConnectOptions::new().filename(data_dir.join("zegel.db")),
    }
    .create_if_missing(true);
    let in_memory = url.is_some_and(|u| u.contains(":memory:") || u.contains("mode=memory"));
    let options = match url {
        // sqlx cannot turn the options of an in-memory database back into
        // a URL; the URL given says it all.
        Some(url) if in_memory => AnyConnectOptions::from_str(url)?,
        _ => AnyConnectOptions::from_url(&sqlite.to_url_lossy())?,
    };
    // No ping before each use: the connection is an open file in this
    // process, not a network peer that may have gone away, and the ping was
    // a round trip to sqlx's connection thread before every query (a third
    // of the message page's database time under load; docs/performance.md).
    let writer = AnyPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                sqlite_pragmas(conn).await?;
                if !in_memory {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(
                        format!("PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}").as_str(),
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await?;
    SQLITE_MIGRATIONS.run(&writer).await?;
    if in_memory {
        return Ok(Db {
            engine: Engine::Sqlite,
            writer: writer.clone(),
            reader: writer,
            checkpointer: None,
        });
    }
    let reader = AnyPoolOptions::new()
        .max_connections(READERS)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlite_pragmas(conn).await?;
                conn.execute("PRAGMA query_only = ON").await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    let checkpointer = sqlite
        .create_if_missing(false)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?;
    Ok(Db {
        engine: Engine::Sqlite,
        writer,
        reader,
        checkpointer: Some(checkpointer),
    })
}

/// The engine a connection belongs to.
pub(crate) fn engine_of(conn: &Conn) -> Engine {
    if conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
        Engine::Postgres
    } else {
        Engine::Sqlite
    }
}

/// A flag column (both schemas keep flags as integers, 0 or 1, so one
/// statement binds and reads them alike on both engines), or a computed
/// one.
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    use sqlx::Row;
    // A computed flag (`x IS NOT NULL AS f`) is a boolean on PostgreSQL.
    match row.try_get::<i64, _>(column) {
        Ok(n) => Ok(n != 0),
        Err(_) => row.try_get::<bool, _>(column),
    }
}

/// What every SQLite connection is set to: full sync, foreign keys, and
/// waiting up to 30 s for a lock instead of failing at once.
async fn sqlite_pragmas(conn: &mut Conn) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 30000").await?;
    Ok(())
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

    /// Nodes starting at once on a new PostgreSQL database: every one
    /// opens, each migration is applied once (sqlx's migrator takes an
    /// advisory lock). PostgreSQL only: one SQLite file has one process.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nodes_starting_at_once_apply_each_migration_once() {
        let Ok(server) = std::env::var(crate::TEST_POSTGRES_ENV) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let url = crate::test_schema_url(&server, dir.path()).await.unwrap();
        let mut nodes = tokio::task::JoinSet::new();
        for n in 0..4 {
            let (url, dir) = (url.clone(), dir.path().join(format!("node{n}")));
            nodes.spawn(async move { Store::open(&dir, Some(&url), Kek::generate()).await });
        }
        let mut stores = Vec::new();
        while let Some(opened) = nodes.join_next().await {
            stores.push(opened.unwrap().expect("every node opens"));
        }
        let applied: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT version, COUNT(*) FROM _sqlx_migrations GROUP BY version ORDER BY version",
        )
        .fetch_all(&stores[0].pool)
        .await
        .unwrap();
        assert_eq!(applied.len(), super::POSTGRES_MIGRATIONS.iter().count());
        assert!(applied.iter().all(|(_, times)| *times == 1), "{applied:?}");
    }

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
