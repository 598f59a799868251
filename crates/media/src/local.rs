//! Local filesystem [`BlobStore`]: `<data>/media/<tenant_id>/<car_id>/<photo_id>/<variant>.<ext>`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use uuid::Uuid;

use crate::blob::{Blob, BlobBody, BlobKey, BlobPrefix, BlobStore, BoxFuture};
use crate::{MediaError, fsutil};

/// Name of the blob directory under the data dir.
pub const MEDIA_DIR: &str = "media";
/// Temp directory for in-progress writes, inside the media dir (same filesystem, so `rename` is atomic;
/// never a valid tenant id, so it cannot collide with a key).
const TMP_DIR: &str = ".tmp";
const TMP_SUFFIX: &str = ".tmp";

/// Stores blobs as files under `<data>/media/`. Every write goes through a temp file, `fsync`, `rename`,
/// `fsync` of the directory.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
    tmp: PathBuf,
    /// Names the writing process in temp file names, as in [`crate::Staging::tagged`].
    tag: Option<String>,
}

impl LocalBlobStore {
    /// Uses (and creates if needed) `<data_dir>/media/` and its temp directory.
    pub async fn new(data_dir: impl AsRef<Path>) -> Result<Self, MediaError> {
        let root = data_dir.as_ref().join(MEDIA_DIR);
        let tmp = root.join(TMP_DIR);
        tokio::fs::create_dir_all(&tmp).await?;
        Ok(LocalBlobStore { root, tmp, tag: None })
    }

    /// Names this process in its temp files (see [`LocalBlobStore::sweep_dead`]).
    pub fn tagged(mut self, tag: &str) -> Self {
        self.tag = Some(tag.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-').collect());
        self
    }

    /// Removes temp files older than `older_than`, and at once those of a writer `dead` says is gone.
    pub async fn sweep_dead(
        &self,
        older_than: Duration,
        dead: impl Fn(&str) -> bool + Send + 'static,
    ) -> Result<usize, MediaError> {
        let dir = self.tmp.clone();
        blocking(move || {
            fsutil::sweep_dir_by(&dir, TMP_SUFFIX, |name, age| {
                age >= older_than || crate::staging::writer_tag(name).is_some_and(&dead)
            })
        })
        .await
    }

    /// The `<data>/media` directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `key` lives on disk.
    pub fn path_of(&self, key: &BlobKey) -> PathBuf {
        let p = key.photo;
        self.root
            .join(p.tenant_id.to_string())
            .join(p.car_id.to_string())
            .join(p.photo_id.to_string())
            .join(key.variant.file_name())
    }

    fn path_of_prefix(&self, prefix: &BlobPrefix) -> PathBuf {
        match prefix {
            BlobPrefix::Tenant(t) => self.root.join(t.to_string()),
            BlobPrefix::Car { tenant_id, car_id } => self.root.join(tenant_id.to_string()).join(car_id.to_string()),
            BlobPrefix::Photo(p) => {
                self.root.join(p.tenant_id.to_string()).join(p.car_id.to_string()).join(p.photo_id.to_string())
            }
        }
    }
}

/// Runs blocking filesystem work on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> io::Result<T> + Send + 'static) -> Result<T, MediaError> {
    Ok(tokio::task::spawn_blocking(f).await.map_err(MediaError::processing)??)
}

fn ignore_not_found(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

impl BlobStore for LocalBlobStore {
    fn put<'a>(&'a self, key: &'a BlobKey, bytes: Vec<u8>) -> BoxFuture<'a, Result<(), MediaError>> {
        let dest = self.path_of(key);
        let name = match &self.tag {
            Some(tag) => format!("{tag}~{}{TMP_SUFFIX}", Uuid::new_v4()),
            None => format!("{}{TMP_SUFFIX}", Uuid::new_v4()),
        };
        let tmp = self.tmp.join(name);
        Box::pin(blocking(move || {
            if let Some(dir) = dest.parent() {
                fsutil::create_dir_all_durable(dir)?;
            }
            fsutil::write_atomic(&tmp, &dest, &bytes)
        }))
    }

    fn get<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<Blob, MediaError>> {
        let path = self.path_of(key);
        Box::pin(async move {
            let file = match tokio::fs::File::open(&path).await {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(MediaError::NotFound),
                Err(e) => return Err(e.into()),
            };
            let meta = file.metadata().await?;
            if !meta.is_file() {
                return Err(MediaError::NotFound);
            }
            Ok(Blob { content_type: key.content_type(), len: meta.len(), body: BlobBody::File(file) })
        })
    }

    fn exists<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<bool, MediaError>> {
        let path = self.path_of(key);
        Box::pin(async move {
            match tokio::fs::metadata(&path).await {
                Ok(meta) => Ok(meta.is_file()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn delete<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<(), MediaError>> {
        let path = self.path_of(key);
        Box::pin(blocking(move || {
            ignore_not_found(std::fs::remove_file(&path))?;
            match path.parent() {
                Some(dir) => ignore_not_found(fsutil::fsync_dir(dir)),
                None => Ok(()),
            }
        }))
    }

    fn delete_prefix<'a>(&'a self, prefix: &'a BlobPrefix) -> BoxFuture<'a, Result<(), MediaError>> {
        let path = self.path_of_prefix(prefix);
        Box::pin(blocking(move || {
            ignore_not_found(std::fs::remove_dir_all(&path))?;
            match path.parent() {
                Some(dir) => ignore_not_found(fsutil::fsync_dir(dir)),
                None => Ok(()),
            }
        }))
    }

    fn sweep_temp(&self, older_than: Duration) -> BoxFuture<'_, Result<usize, MediaError>> {
        let dir = self.tmp.clone();
        Box::pin(blocking(move || fsutil::sweep_dir(&dir, TMP_SUFFIX, older_than)))
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<BlobKey>, MediaError>> {
        let root = self.root.clone();
        Box::pin(blocking(move || list_keys(&root)))
    }
}

/// Walks `<media>/<tenant>/<car>/<photo>/<file>`; the temp dir and anything else that
/// does not parse as a key are skipped.
fn list_keys(root: &Path) -> io::Result<Vec<BlobKey>> {
    fn dirs(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            // A stray file where a directory belongs is skipped, like any other stray.
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if let Some(name) = entry.file_name().to_str() {
                out.push((name.to_owned(), entry.path()));
            }
        }
        Ok(out)
    }
    let mut keys = Vec::new();
    for (tenant, tenant_dir) in dirs(root)? {
        if tenant == TMP_DIR || !tenant_dir.is_dir() {
            continue;
        }
        for (car, car_dir) in dirs(&tenant_dir)? {
            for (photo, photo_dir) in dirs(&car_dir)? {
                for (file, path) in dirs(&photo_dir)? {
                    if let Ok(key) = BlobKey::parse(&format!("{tenant}/{car}/{photo}/{file}"))
                        && path.is_file()
                    {
                        keys.push(key);
                    }
                }
            }
        }
    }
    Ok(keys)
}
