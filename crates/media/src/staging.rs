//! Receiving uploads: stream to `<data>/incoming/<uuid>.part` with a byte limit.
//!
//! The staging directory must be on the same filesystem as the blob store (both live under the data dir).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use uuid::Uuid;

use crate::MediaError;
use crate::fsutil;

/// Name of the staging directory under the data dir.
pub const INCOMING_DIR: &str = "incoming";
/// Suffix of staged files.
pub const PART_SUFFIX: &str = ".part";

const CHUNK: usize = 64 * 1024;

/// Copies `reader` into `writer`, counting bytes, and fails with [`MediaError::TooLarge`] as soon as more
/// than `max_bytes` arrive (the excess is never written). Flushes `writer` at the end and returns the
/// number of bytes copied.
///
/// For a `Stream` of `Bytes` (axum multipart), either wrap it in `tokio_util::io::StreamReader`, or use
/// [`Staging::begin`] and [`StagedUpload::write_chunk`].
pub async fn write_limited<R, W>(reader: &mut R, writer: &mut W, max_bytes: u64) -> Result<u64, MediaError>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0u8; CHUNK];
    let mut total: u64 = 0;
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > max_bytes {
            return Err(MediaError::TooLarge { max_bytes });
        }
        writer.write_all(&buf[..n]).await?;
    }
    writer.flush().await?;
    Ok(total)
}

/// The staging area `<data>/incoming/`.
#[derive(Debug, Clone)]
pub struct Staging {
    dir: PathBuf,
    /// Names the writing process in each file name (`<tag>~<uuid>.part`), so a successor can
    /// remove what a killed process left without waiting for the age limit.
    tag: Option<String>,
}

/// The writer's tag of a staged or temp file name (`<tag>~<uuid><suffix>`), if it has one.
pub fn writer_tag(name: &str) -> Option<&str> {
    name.split_once('~').map(|(tag, _)| tag).filter(|t| !t.is_empty())
}

impl Staging {
    /// Uses (and creates if needed) `<data_dir>/incoming/`.
    pub async fn new(data_dir: impl AsRef<Path>) -> Result<Self, MediaError> {
        let dir = data_dir.as_ref().join(INCOMING_DIR);
        tokio::fs::create_dir_all(&dir).await?;
        Ok(Staging { dir, tag: None })
    }

    /// Names this process in the files it creates (`tag` in `[A-Za-z0-9.-]`; see [`Staging::sweep_dead`]).
    pub fn tagged(mut self, tag: &str) -> Self {
        self.tag = Some(tag.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-').collect());
        self
    }

    /// The staging directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates a new empty `<uuid>.part` file (random v4 name, `create_new`). The caller owns the file:
    /// nothing removes it except [`Staging::sweep`]. Prefer [`Staging::begin`] or [`Staging::receive`],
    /// which clean up after themselves.
    pub async fn create(&self) -> Result<(PathBuf, tokio::fs::File), MediaError> {
        let name = match &self.tag {
            Some(tag) => format!("{tag}~{}{PART_SUFFIX}", Uuid::new_v4()),
            None => format!("{}{PART_SUFFIX}", Uuid::new_v4()),
        };
        let path = self.dir.join(name);
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
        Ok((path, file))
    }

    /// Starts a chunk-by-chunk upload limited to `max_bytes`. If the [`StagedUpload`] is dropped before
    /// [`StagedUpload::finish`] (error, client gone, request cancelled), its `.part` file is removed.
    pub async fn begin(&self, max_bytes: u64) -> Result<StagedUpload, MediaError> {
        let (path, file) = self.create().await?;
        Ok(StagedUpload { file, written: 0, max_bytes, staged: StagedFile { path: Some(path), size: 0 } })
    }

    /// Streams `reader` into a new `.part` file, at most `max_bytes`. On any error the partial file is
    /// removed; on success the returned [`StagedFile`] removes it when dropped.
    pub async fn receive<R>(&self, reader: &mut R, max_bytes: u64) -> Result<StagedFile, MediaError>
    where
        R: AsyncRead + Unpin + ?Sized,
    {
        let mut upload = self.begin(max_bytes).await?;
        let size = write_limited(reader, &mut upload.file, max_bytes).await?;
        upload.written = size;
        upload.finish().await
    }

    /// Removes `*.part` files last modified at least `older_than` ago; returns how many were removed.
    /// At start-up, before the server accepts uploads, `Duration::ZERO` is safe for a single instance
    /// (nothing can be in flight); when several processes share the data dir, or for a periodic sweep, use a
    /// margin longer than any upload can take (e.g. 30 minutes). Idempotent.
    pub async fn sweep(&self, older_than: Duration) -> Result<usize, MediaError> {
        let dir = self.dir.clone();
        let removed = tokio::task::spawn_blocking(move || fsutil::sweep_dir(&dir, PART_SUFFIX, older_than))
            .await
            .map_err(MediaError::processing)??;
        Ok(removed)
    }
}

impl Staging {
    /// Removes `*.part` files older than `older_than`, and at once those whose writer's tag
    /// `dead` says belongs to a process that is gone (a killed predecessor). Idempotent.
    pub async fn sweep_dead(
        &self,
        older_than: Duration,
        dead: impl Fn(&str) -> bool + Send + 'static,
    ) -> Result<usize, MediaError> {
        let dir = self.dir.clone();
        let removed = tokio::task::spawn_blocking(move || {
            fsutil::sweep_dir_by(&dir, PART_SUFFIX, |name, age| {
                age >= older_than || writer_tag(name).is_some_and(&dead)
            })
        })
        .await
        .map_err(MediaError::processing)??;
        Ok(removed)
    }
}

/// An upload being written chunk by chunk (see [`Staging::begin`]).
#[derive(Debug)]
pub struct StagedUpload {
    file: tokio::fs::File,
    written: u64,
    max_bytes: u64,
    staged: StagedFile,
}

impl StagedUpload {
    /// Appends one chunk; [`MediaError::TooLarge`] once the total would exceed the limit (the chunk is not
    /// written, and dropping the upload removes the file).
    pub async fn write_chunk(&mut self, chunk: &[u8]) -> Result<(), MediaError> {
        let total = self.written + chunk.len() as u64;
        if total > self.max_bytes {
            return Err(MediaError::TooLarge { max_bytes: self.max_bytes });
        }
        self.file.write_all(chunk).await?;
        self.written = total;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Path of the `.part` file.
    pub fn path(&self) -> &Path {
        self.staged.path()
    }

    /// Flushes and closes the file (data is fully readable through the path afterwards). An empty upload is
    /// [`MediaError::Empty`].
    pub async fn finish(mut self) -> Result<StagedFile, MediaError> {
        self.file.flush().await?;
        if self.written == 0 {
            return Err(MediaError::Empty);
        }
        self.staged.size = self.written;
        Ok(self.staged)
    }
}

/// A complete staged upload. Dropping it removes the `.part` file (a quick, synchronous unlink);
/// [`StagedFile::into_path`] keeps it.
#[derive(Debug)]
pub struct StagedFile {
    path: Option<PathBuf>,
    size: u64,
}

impl StagedFile {
    /// Path of the staged file, to pass to [`crate::process`].
    pub fn path(&self) -> &Path {
        self.path.as_deref().expect("path is present until drop")
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Keeps the file on disk and returns its path; the caller (or a later sweep) must remove it.
    pub fn into_path(mut self) -> PathBuf {
        self.path.take().expect("path is present until drop")
    }

    /// Removes the file now, reporting errors (dropping removes it too, silently).
    pub async fn remove(mut self) -> Result<(), MediaError> {
        let path = self.path.take().expect("path is present until drop");
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take()
            && let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %path.display(), error = %e, "could not remove staged upload");
        }
    }
}
