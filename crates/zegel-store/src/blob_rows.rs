//! Where a sealed blob lives: small ones (up to [`INLINE_LIMIT`]) as a row
//! of `inline_blobs`, written in the same transaction as the rows that
//! point at them, so one database sync makes the message durable; larger
//! ones as files through `blobs.rs` (synced before the rows commit). Every
//! read and delete goes through here, so callers never ask which.
//!
//! Why: a typical mail is a few to a few hundred KB. Writing it as a file
//! cost two fsyncs (file and folder) and three blocking hops before the
//! row commit on every accept; in the row it shares the group commit's one
//! WAL sync with every message accepted beside it (group.rs).

use crate::bulk::{Cell, Rows, Shape};
use crate::{Store, StoreError};
use sqlx::Row;

/// The largest sealed blob kept in the database (bytes).
pub const INLINE_LIMIT: usize = 256 * 1024;

/// Blobs to write for one operation, split by where they go.
#[derive(Default)]
pub(crate) struct BlobWrites {
    /// Up to [`INLINE_LIMIT`]: rows, inserted with the operation's rows.
    pub inline: Vec<(String, Vec<u8>)>,
    /// Larger: files, written (and synced) before the rows commit.
    pub files: Vec<(String, Vec<u8>)>,
}

impl BlobWrites {
    /// Adds a sealed blob.
    pub fn push(&mut self, id: String, sealed: Vec<u8>) {
        if sealed.len() <= INLINE_LIMIT {
            self.inline.push((id, sealed));
        } else {
            self.files.push((id, sealed));
        }
    }
}

/// An inline blob's row ([`inline_blob_row`]).
pub(crate) static INLINE_BLOBS: Shape = Shape {
    head: "INSERT INTO inline_blobs (id, data) VALUES ",
    tail: "",
    width: 2,
};

/// The values of an inline blob, in the order of [`INLINE_BLOBS`].
pub(crate) fn inline_blob_row(id: &str, sealed: &[u8]) -> [Cell; 2] {
    [id.into(), sealed.into()]
}

/// Inserts the inline blobs in the caller's transaction.
pub(crate) async fn insert_inline(
    conn: &mut crate::db::Conn,
    inline: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    let mut rows = Rows::new(&INLINE_BLOBS);
    for (id, data) in inline {
        rows.push(inline_blob_row(id, data));
    }
    rows.flush(conn).await
}

impl Store {
    /// Writes the file blobs of `writes` durably (call before committing
    /// the rows that point at them).
    pub(crate) async fn put_file_blobs(&self, writes: &mut BlobWrites) -> Result<(), StoreError> {
        if writes.files.is_empty() {
            return Ok(());
        }
        self.blobs.put_all(std::mem::take(&mut writes.files)).await
    }

    /// Reads a sealed blob, wherever it lives.
    pub(crate) async fn read_blob(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query("SELECT data FROM inline_blobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        match row {
            Some(row) => Ok(row.try_get("data")?),
            None => self.blobs.get(id).await,
        }
    }

    /// Deletes a sealed blob, wherever it lives (gone already is fine).
    pub(crate) async fn delete_blob(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM inline_blobs WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.blobs.delete(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn small_blobs_are_rows_large_ones_files_and_both_read_and_delete() {
        let (dir, store) = crate::test_store().await;
        let mut writes = BlobWrites::default();
        writes.push("aa-small".into(), vec![1; 1000]);
        writes.push("bb-large".into(), vec![2; INLINE_LIMIT + 1]);
        assert_eq!(writes.inline.len(), 1);
        assert_eq!(writes.files.len(), 1);
        store.put_file_blobs(&mut writes).await.unwrap();
        let mut tx = store.pool.begin().await.unwrap();
        insert_inline(&mut tx, &writes.inline).await.unwrap();
        tx.commit().await.unwrap();

        let files = walk(&dir.path().join("blobs"));
        assert_eq!(files, ["bb-large"], "only the large blob is a file");
        assert_eq!(store.read_blob("aa-small").await.unwrap(), vec![1; 1000]);
        assert_eq!(
            store.read_blob("bb-large").await.unwrap().len(),
            INLINE_LIMIT + 1
        );
        store.delete_blob("aa-small").await.unwrap();
        store.delete_blob("bb-large").await.unwrap();
        store.delete_blob("bb-large").await.unwrap();
        assert!(store.read_blob("aa-small").await.is_err());
        assert!(store.read_blob("bb-large").await.is_err());
        assert!(walk(&dir.path().join("blobs")).is_empty());
    }

    fn walk(root: &std::path::Path) -> Vec<String> {
        let mut out = Vec::new();
        for shard in std::fs::read_dir(root).unwrap() {
            let shard = shard.unwrap().path();
            if shard.is_dir() {
                for f in std::fs::read_dir(shard).unwrap() {
                    out.push(f.unwrap().file_name().to_string_lossy().to_string());
                }
            }
        }
        out
    }
}
