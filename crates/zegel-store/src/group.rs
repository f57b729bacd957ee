//! Group commit: writes that arrive while the single writer connection is
//! busy are committed together, in one transaction with one sync of the
//! WAL, instead of one fsync each.
//!
//! Each caller queues its write and then either finds it done (another
//! caller led the batch it was in) or takes the lead: it takes everything
//! queued and commits it. The batch first runs as one plain transaction
//! (the fast path: no statements but the writes'). If any write fails,
//! that transaction is rolled back and the batch runs again with every
//! write in a savepoint of its own (writes are re-runnable: `Fn`, not
//! `FnOnce`), so a write that fails is rolled back alone and reports its
//! own error; the others still commit. A caller learns of success only
//! after the commit, so a write reported done is as durable as one
//! committed alone.
//!
//! The batch runs in a task of its own: a caller that is dropped (its
//! client went away) does not abort the others' writes.
//!
//! Writes mostly do not run their inserts themselves: they hand rows and
//! audit events to their [`Batch`], which writes each kind of row with
//! multi-row statements (bulk.rs) and appends the events with one read of
//! the chain's head (audit.rs `append_all`), after the batch's last write,
//! in the same transaction. Every statement is a round trip to sqlx's
//! connection thread, and those round trips bound the gateway
//! (docs/performance.md): a batch of 16 writes went from about 40
//! statements to about 8.
//!
//! SQLite has no group commit of its own and sqlx offers none, hence this
//! small module.

use crate::audit::NewEvent;
use crate::bulk::{Rows, Shape};
use crate::db::Conn;
use crate::{Store, StoreError};
use sqlx::{Any, Transaction};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 64;

/// One write: statements in the batch's transaction, and audit events.
pub(crate) type Write = Box<
    dyn for<'c> Fn(
            &'c mut Batch,
        ) -> Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'c>>
        + Send
        + Sync,
>;

/// What a write works on: the batch's transaction, and the rows and
/// audit events the batch will write once its writes have run.
pub(crate) struct Batch {
    tx: Transaction<'static, Any>,
    /// Rows by shape, in the order the shapes were first used (so rows
    /// that others refer to, pushed first, are written first).
    rows: Vec<Rows>,
    events: Vec<NewEvent>,
}

impl Batch {
    /// The connection, inside the batch's transaction.
    pub(crate) fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Records an audit event, appended to the chain in this transaction
    /// after the batch's last write.
    pub(crate) fn audit(
        &mut self,
        at: i64,
        event: crate::Event,
        message_id: Option<&str>,
        subject: &str,
        detail: &str,
    ) {
        self.events
            .push(NewEvent::new(at, event, message_id, subject, detail));
    }

    /// Rows of `shape`, written after the batch's last write (rows of a
    /// shape used earlier in the batch first).
    pub(crate) fn rows(&mut self, shape: &'static Shape) -> &mut Rows {
        let at = match self
            .rows
            .iter()
            .position(|r| std::ptr::eq(r.shape(), shape))
        {
            Some(at) => at,
            None => {
                self.rows.push(Rows::new(shape));
                self.rows.len() - 1
            }
        };
        &mut self.rows[at]
    }

    /// Writes the rows and events handed over so far.
    async fn flush(&mut self) -> Result<(), StoreError> {
        for rows in &mut self.rows {
            rows.flush(&mut self.tx).await?;
        }
        crate::audit::append_all(&mut self.tx, &self.events).await?;
        self.events.clear();
        Ok(())
    }

    /// Forgets the rows and events handed over since the last flush.
    fn forget(&mut self) {
        self.rows.clear();
        self.events.clear();
    }

    /// Writes what was handed over and commits.
    async fn commit(mut self) -> Result<(), StoreError> {
        self.flush().await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// A queued write and where its outcome goes.
struct Queued {
    write: Write,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The writes waiting for the writer, and who leads the next batch.
#[derive(Default)]
pub(crate) struct GroupCommit {
    queued: Mutex<Vec<Queued>>,
    leader: tokio::sync::Mutex<()>,
    /// Transactions committed (for tests and figures).
    batches: std::sync::atomic::AtomicU64,
    /// Batches that had to run write by write in savepoints (a write
    /// failed on the fast path).
    isolated: std::sync::atomic::AtomicU64,
}

/// Makes a [`Write`] from a closure (for the closure's signature to be
/// inferred as taking any lifetime).
pub(crate) fn write<F>(f: F) -> Write
where
    F: for<'c> Fn(
            &'c mut Batch,
        ) -> Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'c>>
        + Send
        + Sync
        + 'static,
{
    Box::new(f)
}

impl Store {
    /// Runs `write` in a transaction, committed together with the writes
    /// queued beside it; returns once that commit is durable.
    pub(crate) async fn write_grouped(&self, write: Write) -> Result<(), StoreError> {
        let (done, mut outcome) = oneshot::channel();
        self.group
            .queued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Queued { write, done });
        loop {
            tokio::select! {
                biased;
                result = &mut outcome => {
                    // Closed: the batch it was in failed before reaching it.
                    return result.unwrap_or(Err(StoreError::NotFound("the result of a grouped write")));
                }
                _lead = self.group.leader.lock() => {
                    let batch: Vec<Queued> = {
                        let mut queued = self.group.queued.lock().unwrap_or_else(|e| e.into_inner());
                        let take = queued.len().min(MAX_BATCH);
                        queued.drain(..take).collect()
                    };
                    if !batch.is_empty() {
                        let store = self.clone();
                        // Ours is in this batch or was in an earlier one;
                        // either way `outcome` is ready after this.
                        let _ = tokio::spawn(async move { store.commit_batch(batch).await }).await;
                    }
                }
            }
        }
    }

    /// Commits `batch` in one transaction and tells each write its
    /// outcome: all together if none fails, else each in a savepoint.
    async fn commit_batch(&self, batch: Vec<Queued>) {
        let ok = self.commit_together(&batch).await.is_ok();
        if ok {
            self.group
                .batches
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            for Queued { done, .. } in batch {
                let _ = done.send(Ok(()));
            }
            return;
        }
        self.group
            .isolated
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.commit_isolated(batch).await;
    }

    /// The fast path: every write of `batch` in one transaction, without
    /// savepoints; rolled back whole (on drop) when one fails.
    async fn commit_together(&self, batch: &[Queued]) -> Result<(), StoreError> {
        let mut open = self.begin_batch().await?;
        for queued in batch {
            (queued.write)(&mut open).await?;
        }
        open.commit().await
    }

    /// A batch's transaction.
    async fn begin_batch(&self) -> Result<Batch, StoreError> {
        Ok(Batch {
            tx: self.pool.begin().await?,
            rows: Vec::new(),
            events: Vec::new(),
        })
    }

    /// Commits `batch` in one transaction, each write in a savepoint with
    /// its rows and events written right after it (so a row that fails is
    /// the failing write's), and tells each its outcome.
    async fn commit_isolated(&self, batch: Vec<Queued>) {
        let mut dones = Vec::with_capacity(batch.len());
        let mut failed = Vec::new();
        let committed: Result<(), StoreError> = async {
            let mut open = self.begin_batch().await?;
            for Queued { write, done } in batch {
                sqlx::query("SAVEPOINT grouped_write")
                    .execute(open.conn())
                    .await?;
                let outcome = match write(&mut open).await {
                    Ok(()) => open.flush().await,
                    Err(e) => Err(e),
                };
                match outcome {
                    Ok(()) => {
                        sqlx::query("RELEASE grouped_write")
                            .execute(open.conn())
                            .await?;
                        dones.push(done);
                    }
                    Err(e) => {
                        sqlx::query("ROLLBACK TO grouped_write")
                            .execute(open.conn())
                            .await?;
                        sqlx::query("RELEASE grouped_write")
                            .execute(open.conn())
                            .await?;
                        open.forget();
                        failed.push((done, e));
                    }
                }
            }
            open.commit().await?;
            self.group
                .batches
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        }
        .await;
        for (done, e) in failed {
            let _ = done.send(Err(e));
        }
        match committed {
            Ok(()) => {
                for done in dones {
                    let _ = done.send(Ok(()));
                }
            }
            Err(e) => {
                let why = e.to_string();
                for done in dones {
                    let _ = done.send(Err(StoreError::Database(sqlx::Error::Protocol(format!(
                        "group commit failed: {why}"
                    )))));
                }
            }
        }
        // Writes taken out of the queue but not reached (the transaction
        // failed before them) were dropped with `batch`: their callers see
        // the channel closed and report an error.
    }
}

/// A new, empty group (for `Store::open`).
pub(crate) fn new_group() -> Arc<GroupCommit> {
    Arc::new(GroupCommit::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use crate::Kek;

    /// A user row, the way the batch writes rows.
    static USERS: Shape = Shape {
        head: "INSERT INTO users (email, password_hash, created_at) SELECT column1, 'x', 1 FROM (VALUES ",
        tail: ") AS v",
        width: 1,
    };

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_commit_together_and_a_failing_one_alone_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            dir.path(),
            crate::test_database_url(dir.path())
                .await
                .unwrap()
                .as_deref(),
            Kek::from_bytes([7; 32]),
        )
        .await
        .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..200 {
            let store = store.clone();
            tasks.spawn(async move {
                let result = store
                    .write_grouped(write(move |batch| {
                        Box::pin(async move {
                            batch.audit(1, Event::Stored, None, &format!("w{n}"), "");
                            let email = format!("w{n}@zorg.nl");
                            if n % 2 == 0 {
                                sqlx::query("INSERT INTO users (email, password_hash, created_at) VALUES ($1, 'x', 1)")
                                    .bind(&email)
                                    .execute(batch.conn())
                                    .await?;
                            } else {
                                batch.rows(&USERS).push([email.as_str().into()]);
                            }
                            if n % 50 == 7 {
                                // After its own rows: the savepoint must undo
                                // the user row, and its event must go too.
                                sqlx::query("INSERT INTO no_such_table VALUES (1)")
                                    .execute(batch.conn())
                                    .await?;
                            }
                            if n % 50 == 21 {
                                // A row that fails only when the batch
                                // writes it: the write is still the one
                                // that fails.
                                batch.rows(&USERS).push([email.as_str().into()]);
                            }
                            Ok(())
                        })
                    }))
                    .await;
                (n, result.is_ok())
            });
        }
        let fails = |n: i32| n % 50 == 7 || n % 50 == 21;
        let mut ok = 0;
        while let Some(done) = tasks.join_next().await {
            let (n, succeeded) = done.unwrap();
            assert_eq!(succeeded, !fails(n), "write {n}");
            ok += usize::from(succeeded);
        }
        assert_eq!(ok, 192);
        let batches = store
            .group
            .batches
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(batches < 200, "{batches} transactions for 200 writes");
        let isolated = store
            .group
            .isolated
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            (1..=8).contains(&isolated),
            "only batches with a failing write run in savepoints: {isolated}"
        );
        let entries = store.audit_entries(0).await.unwrap();
        assert_eq!(
            entries.len(),
            192,
            "exactly the successful writes, once each"
        );
        assert!(entries
            .iter()
            .all(|e| !fails(e.subject[1..].parse().unwrap())));
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(users, 192, "the failing writes' rows were undone");
        assert!(
            store.verify_audit().await.unwrap().is_empty(),
            "the hash chain holds"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batches_without_a_failure_take_the_fast_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            dir.path(),
            crate::test_database_url(dir.path())
                .await
                .unwrap()
                .as_deref(),
            Kek::from_bytes([7; 32]),
        )
        .await
        .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..100 {
            let store = store.clone();
            tasks.spawn(async move {
                store
                    .write_grouped(write(move |batch| {
                        Box::pin(async move {
                            batch.audit(1, Event::Stored, None, &format!("w{n}"), "");
                            Ok(())
                        })
                    }))
                    .await
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap().unwrap();
        }
        let relaxed = std::sync::atomic::Ordering::Relaxed;
        assert_eq!(store.group.isolated.load(relaxed), 0);
        assert_eq!(store.audit_entries(0).await.unwrap().len(), 100);
        assert!(store.verify_audit().await.unwrap().is_empty());
    }
}
