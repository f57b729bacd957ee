//! What zegel keeps on disk is for zegel alone: the data and blob folders
//! owner-only (0700), the SQLite database and its WAL and shared-memory
//! files owner-only (0600). SQLite creates the WAL and `-shm` files with
//! the database file's mode, so the database file is made 0600 before
//! SQLite first opens it; existing installations are tightened at start.

use std::path::Path;

/// Makes `dir` owner-only (0700).
pub(crate) fn private_dir(dir: &Path) -> std::io::Result<()> {
    set_mode(dir, 0o700)
}

/// Creates the SQLite database file `db` owner-only when it is missing,
/// and makes it and its companions (`-wal`, `-shm`, `-journal`)
/// owner-only when they exist.
pub(crate) fn private_database(db: &Path) -> std::io::Result<()> {
    if !db.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(db)?;
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        if file.exists() {
            set_mode(file, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// A store opened in a fresh folder, and one in a folder an older
    /// version left world-readable: both end up owner-only.
    #[tokio::test]
    async fn the_data_folder_database_and_blobs_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(data.join("zegel.db-wal"), b"").unwrap();
        std::fs::set_permissions(
            data.join("zegel.db-wal"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let store = crate::Store::open(&data, None, crate::Kek::generate())
            .await
            .unwrap();
        store
            .audit(crate::Event::Opened, None, "x", "y")
            .await
            .unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("blobs")), 0o700);
        for name in ["zegel.db", "zegel.db-wal", "zegel.db-shm"] {
            let file = data.join(name);
            if file.exists() {
                assert_eq!(mode(&file), 0o600, "{name}");
            }
        }
        assert!(data.join("zegel.db").exists());
    }
}
