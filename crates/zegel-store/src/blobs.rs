//! Sealed blobs in a folder. Written to a temporary file, synced, renamed,
//! and the folder synced, so a blob that was written survives a crash.
//! (object_store's local backend does not sync; S3 comes with multi-node.)

use crate::StoreError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The blob folder.
#[derive(Clone, Debug)]
pub struct BlobDir {
    root: PathBuf,
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { what, source }
}

impl BlobDir {
    /// Opens (creating) the folder.
    pub fn open(root: &Path) -> Result<BlobDir, StoreError> {
        std::fs::create_dir_all(root).map_err(io("create the blob folder"))?;
        Ok(BlobDir {
            root: root.to_path_buf(),
        })
    }

    fn path(&self, id: &str) -> PathBuf {
        let shard = id.get(..2).unwrap_or("00");
        self.root.join(shard).join(id)
    }

    /// Writes a blob durably.
    pub fn put(&self, id: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path(id);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(io("create a blob shard"))?;
        let tmp = dir.join(format!(".{id}.tmp"));
        let mut file = std::fs::File::create(&tmp).map_err(io("create a blob"))?;
        file.write_all(bytes).map_err(io("write a blob"))?;
        file.sync_all().map_err(io("sync a blob"))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(io("rename a blob"))?;
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io("sync the blob folder"))
    }

    /// Deletes a blob (gone already is fine).
    pub fn delete(&self, id: &str) -> Result<(), StoreError> {
        match std::fs::remove_file(self.path(id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("delete a blob")(e)),
            _ => Ok(()),
        }
    }

    /// Reads a blob.
    pub fn get(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        std::fs::read(self.path(id)).map_err(io("read a blob"))
    }
}
