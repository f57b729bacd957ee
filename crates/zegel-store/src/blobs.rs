//! Sealed blobs, through object_store: a local folder (the default) or an
//! S3-compatible bucket (s3.rs). object_store's local backend writes a
//! staging file and renames it but does not sync: `put` syncs the file and
//! its folder afterwards, so a blob that was written survives a crash and
//! `250` still means "on disk". An S3 `PUT` answers only once the object
//! is stored, so nothing more is needed there.

use crate::s3::S3Location;
use crate::StoreError;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the large sealed blobs live (`[storage] blobs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobLocation {
    /// A folder on this machine (by default `<data_dir>/blobs`).
    Local(PathBuf),
    /// A bucket (and prefix) of an S3-compatible object store.
    S3(S3Location),
}

impl BlobLocation {
    /// Parses a `[storage] blobs` value: `s3://BUCKET[/PREFIX]` is a
    /// bucket; any other URL is refused; anything else is a folder (taken
    /// as it is: the caller resolves relative paths).
    pub fn parse(value: &str) -> Result<BlobLocation, StoreError> {
        if value.starts_with("s3://") {
            return S3Location::parse(value).map(BlobLocation::S3);
        }
        if value.contains("://") {
            return Err(StoreError::BadBlobLocation {
                value: value.to_string(),
                reason: "not s3://BUCKET[/PREFIX] and not a folder".into(),
            });
        }
        if value.trim().is_empty() {
            return Err(StoreError::BadBlobLocation {
                value: value.to_string(),
                reason: "empty".into(),
            });
        }
        Ok(BlobLocation::Local(PathBuf::from(value)))
    }
}

impl std::fmt::Display for BlobLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobLocation::Local(dir) => write!(f, "{}", dir.display()),
            BlobLocation::S3(s3) => f.write_str(&s3.url()),
        }
    }
}

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
    move |source| StoreError::Blob { what, source }
}

/// `ab/abcdef…`: a shard folder per two first characters.
fn location(id: &str) -> ObjectPath {
    let shard = id.get(..2).unwrap_or("00");
    ObjectPath::from(format!("{shard}/{id}"))
}

impl BlobDir {
    /// Opens the blob store at `location`. A folder is created when
    /// missing; a bucket must exist, and is checked by writing and
    /// deleting a small probe object, so that a wrong bucket, endpoint or
    /// key shows at start rather than at the first large message.
    pub async fn open_at(location: &BlobLocation) -> Result<BlobDir, StoreError> {
        match location {
            BlobLocation::Local(root) => BlobDir::open(root),
            BlobLocation::S3(s3) => {
                let client = s3.client()?;
                let store: Arc<dyn ObjectStore> = match &s3.prefix {
                    Some(prefix) => Arc::new(PrefixStore::new(client, prefix.as_str())),
                    None => Arc::new(client),
                };
                let dir = BlobDir {
                    store,
                    local_root: None,
                };
                let probe = ObjectPath::from(format!("probe/{}", crate::random_id()));
                dir.store
                    .put(&probe, PutPayload::from_static(b"zegel"))
                    .await
                    .map_err(blob("write to the S3 bucket"))?;
                dir.store
                    .delete(&probe)
                    .await
                    .map_err(blob("delete from the S3 bucket"))?;
                Ok(dir)
            }
        }
    }

    /// Opens (creating) a local folder as the blob store.
    pub fn open(root: &Path) -> Result<BlobDir, StoreError> {
        std::fs::create_dir_all(root).map_err(io("create the blob folder"))?;
        crate::private::private_dir(root).map_err(io("make the blob folder owner-only"))?;
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
