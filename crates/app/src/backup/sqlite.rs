//! SQLite: the database is copied with `VACUUM INTO` (a consistent snapshot taken in one
//! read transaction while Garasi keeps writing), and rows are counted in that copy. A
//! restore replaces the database file, which needs Garasi stopped.

use std::io;
use std::path::Path;

use anyhow::Context;
use garasi_store::backup::{RowCounts, sqlite_file_counts, sqlite_snapshot};

/// The database inside the archive.
pub const DB_PATH: &str = "database/garasi.sqlite";

/// Snapshots `src` to `dest` and counts the snapshot's rows.
pub async fn dump(src: &Path, dest: &Path) -> anyhow::Result<RowCounts> {
    sqlite_snapshot(src, dest).await.with_context(|| format!("cannot snapshot {}", src.display()))?;
    sqlite_file_counts(dest).await.context("counting rows in the snapshot")
}

/// Puts a database file in place of `target` atomically, dropping the old file's WAL and
/// shared-memory files (they belong to the old database).
pub fn install(staged: &Path, target: &Path) -> io::Result<()> {
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("garasi.db");
    let tmp = target.with_file_name(format!(".{name}.{}.restore", uuid::Uuid::new_v4().simple()));
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::copy(staged, &tmp)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let side = target.with_file_name(format!("{name}{suffix}"));
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    std::fs::rename(&tmp, target)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}
