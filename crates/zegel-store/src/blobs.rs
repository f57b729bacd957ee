//! Sealed blobs, through object_store (a local folder by default; an
//! S3-compatible store comes with multi-node). object_store's local backend
//! writes a staging file and renames it but does not sync: `put` syncs the
//! file and its folder afterwards, so a blob that was written survives a
//! crash and `250` still means "on disk".

use crate::StoreError;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The blob store.
#[derive(Clone, Debug)]
pub struct BlobDir {
    store: Arc<dyn ObjectStore>,
    /// The folder behind a local store (what `put` syncs).
    local_root: Option<PathBuf>,
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { what, source }
}

fn blob(what: &'static str) -> impl FnOnce(object_store::Error) -> StoreError {
    move |e| StoreError::Io {
        what,
        source: std::io::Error::other(e.to_string()),
    }
}

/// `ab/abcdef…`: a shard folder per two first characters.
fn location(id: &str) -> ObjectPath {
    let shard = id.get(..2).unwrap_or("00");
    ObjectPath::from(format!("{shard}/{id}"))
}

impl BlobDir {
    /// Opens (creating) a local folder as the blob store.
    pub fn open(root: &Path) -> Result<BlobDir, StoreError> {
        std::fs::create_dir_all(root).map_err(io("create the blob folder"))?;
        let store = LocalFileSystem::new_with_prefix(root).map_err(blob("open the blob folder"))?;
        Ok(BlobDir {
            store: Arc::new(store),
            local_root: Some(root.to_path_buf()),
        })
    }

    /// Writes a blob durably.
    pub async fn put(&self, id: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let location = location(id);
        self.store
            .put(&location, PutPayload::from(bytes))
            .await
            .map_err(blob("write a blob"))?;
        if let Some(root) = &self.local_root {
            let file = root.join(location.as_ref());
            tokio::task::spawn_blocking(move || sync_file_and_folder(&file))
                .await
                .map_err(|e| StoreError::Io {
                    what: "sync a blob",
                    source: std::io::Error::other(e.to_string()),
                })??;
        }
        Ok(())
    }

    /// Writes several blobs durably.
    pub async fn put_all(&self, blobs: Vec<(String, Vec<u8>)>) -> Result<(), StoreError> {
        for (id, bytes) in blobs {
            self.put(&id, bytes).await?;
        }
        Ok(())
    }

    /// Reads a blob.
    pub async fn get(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let result = self
            .store
            .get(&location(id))
            .await
            .map_err(blob("read a blob"))?;
        Ok(result.bytes().await.map_err(blob("read a blob"))?.to_vec())
    }

    /// Deletes a blob (gone already is fine).
    pub async fn delete(&self, id: &str) -> Result<(), StoreError> {
        match self.store.delete(&location(id)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(blob("delete a blob")(e)),
        }
    }
}

fn sync_file_and_folder(file: &Path) -> Result<(), StoreError> {
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(io("sync a blob"))?;
    let folder = file.parent().unwrap_or(file);
    std::fs::File::open(folder)
        .and_then(|d| d.sync_all())
        .map_err(io("sync the blob folder"))
}
