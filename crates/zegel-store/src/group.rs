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
//! SQLite has no group commit of its own and sqlx offers none, hence this
//! small module.

use crate::{Store, StoreError};
use sqlx::{Connection, SqliteConnection};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 64;

/// One write: statements on the connection, inside a transaction.
pub(crate) type Write = Box<
    dyn for<'c> Fn(
            &'c mut SqliteConnection,
        ) -> Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'c>>
        + Send
        + Sync,
>;

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
            &'c mut SqliteConnection,
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
        if self.commit_together(&batch).await.is_ok() {
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
        let mut tx = self.pool.begin().await?;
        for queued in batch {
            (queued.write)(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Commits `batch` in one transaction, each write in a savepoint, and
    /// tells each its outcome.
    async fn commit_isolated(&self, batch: Vec<Queued>) {
        let mut dones = Vec::with_capacity(batch.len());
        let mut failed = Vec::new();
        let committed: Result<(), StoreError> = async {
            let mut tx = self.pool.begin().await?;
            for Queued { write, done } in batch {
                let mut savepoint = tx.begin().await?;
                match write(&mut savepoint).await {
                    Ok(()) => {
                        savepoint.commit().await?;
                        dones.push(done);
                    }
                    Err(e) => {
                        savepoint.rollback().await?;
                        failed.push((done, e));
                    }
                }
            }
            tx.commit().await?;
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
    use crate::Kek;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_commit_together_and_a_failing_one_alone_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), None, Kek::from_bytes([7; 32]))
            .await
            .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..200 {
            let store = store.clone();
            tasks.spawn(async move {
                let result = store
                    .write_grouped(write(move |conn| {
                        Box::pin(async move {
                            crate::audit::append(conn, 1, "test", None, &format!("w{n}"), "")
                                .await?;
                            if n % 50 == 7 {
                                // After its own row: the savepoint must undo it.
                                sqlx::query("INSERT INTO no_such_table VALUES (1)")
                                    .execute(&mut *conn)
                                    .await?;
                            }
                            Ok(())
                        })
                    }))
                    .await;
                (n, result.is_ok())
            });
        }
        let mut ok = 0;
        while let Some(done) = tasks.join_next().await {
            let (n, succeeded) = done.unwrap();
            assert_eq!(succeeded, n % 50 != 7, "write {n}");
            ok += usize::from(succeeded);
        }
        assert_eq!(ok, 196);
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
            (1..=4).contains(&isolated),
            "only batches with a failing write run in savepoints: {isolated}"
        );
        let entries = store.audit_entries(0).await.unwrap();
        assert_eq!(
            entries.len(),
            196,
            "exactly the successful writes, once each"
        );
        assert!(entries
            .iter()
            .all(|e| !matches!(e.subject.as_str(), "w7" | "w57" | "w107" | "w157")));
        assert!(
            store.verify_audit().await.unwrap().is_empty(),
            "the hash chain holds"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batches_without_a_failure_take_the_fast_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), None, Kek::from_bytes([7; 32]))
            .await
            .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..100 {
            let store = store.clone();
            tasks.spawn(async move {
                store
                    .write_grouped(write(move |conn| {
                        Box::pin(async move {
                            crate::audit::append(conn, 1, "test", None, &format!("w{n}"), "").await
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
