//! Small blocking filesystem helpers shared by staging and the local blob store.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Flushes a directory entry change (create, rename, unlink) to disk. No-op where directories cannot be
/// opened as files (non-Unix).
pub(crate) fn fsync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// `create_dir_all` that also fsyncs the parent of every directory it creates, so a later fsync of the
/// leaf directory is enough to make a renamed file reachable after a crash.
pub(crate) fn create_dir_all_durable(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dir_all_durable(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {
            if let Some(parent) = dir.parent() {
                fsync_dir(parent)?;
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `tmp` (which must not exist), fsyncs it, renames it to `dest` and fsyncs the
/// destination directory. On any failure the temp file is removed and `dest` is untouched: readers see
/// either the old file, or the complete new one.
pub(crate) fn write_atomic(tmp: &Path, dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let result = (|| {
        let mut file = fs::OpenOptions::new().write(true).create_new(true).open(tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(tmp, dest)?;
        if let Some(dir) = dest.parent() {
            fsync_dir(dir)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(tmp);
    }
    result
}

/// Removes regular files directly inside `dir` whose name ends with `suffix` and whose modification time is
/// at least `older_than` ago. Returns how many were removed. Missing directory or files that vanish meanwhile
/// are not errors, so running it twice (or concurrently) is harmless.
pub(crate) fn sweep_dir(dir: &Path, suffix: &str, older_than: Duration) -> io::Result<usize> {
    sweep_dir_by(dir, suffix, |_, age| age >= older_than)
}

/// Like [`sweep_dir`], removing the files for which `remove(name, age)` says so.
pub(crate) fn sweep_dir_by(dir: &Path, suffix: &str, remove: impl Fn(&str, Duration) -> bool) -> io::Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.ends_with(suffix) {
            continue;
        }
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if !meta.is_file() {
            continue;
        }
        // A modification time in the future (clock change) counts as age zero.
        let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).unwrap_or(Duration::ZERO);
        if !remove(name, age) {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => {
                removed += 1;
                tracing::info!(file = %entry.path().display(), age_secs = age.as_secs(), "removed leftover temp file");
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    if removed > 0 {
        fsync_dir(dir)?;
    }
    Ok(removed)
}
