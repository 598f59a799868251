//! Blob keys and the storage trait.
//!
//! Keys are built only from `Uuid`s and the closed [`Variant`] enum, never from user-supplied strings, so a
//! key cannot name anything outside `<tenant>/<car>/<photo>/`. Values arriving in requests go through the
//! strict parsers [`BlobKey::parse_variant`] and [`BlobKey::parse`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use uuid::Uuid;

use crate::{MediaError, ProcessedPhoto, SourceFormat, Variant};

/// A boxed, `Send` future: keeps [`BlobStore`] object-safe (`Arc<dyn BlobStore>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Identifies one photo of one car of one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhotoKey {
    pub tenant_id: Uuid,
    pub car_id: Uuid,
    pub photo_id: Uuid,
}

impl PhotoKey {
    pub fn new(tenant_id: Uuid, car_id: Uuid, photo_id: Uuid) -> Self {
        PhotoKey { tenant_id, car_id, photo_id }
    }

    /// The key of one variant of this photo.
    pub fn variant(self, variant: Variant) -> BlobKey {
        BlobKey { photo: self, variant }
    }

    /// The prefix holding all variants of this photo.
    pub fn prefix(self) -> BlobPrefix {
        BlobPrefix::Photo(self)
    }
}

/// The key of one stored file: `<tenant_id>/<car_id>/<photo_id>/<variant file name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobKey {
    pub photo: PhotoKey,
    pub variant: Variant,
}

impl BlobKey {
    pub fn new(tenant_id: Uuid, car_id: Uuid, photo_id: Uuid, variant: Variant) -> Self {
        PhotoKey::new(tenant_id, car_id, photo_id).variant(variant)
    }

    /// Parses the last URL segment when serving (`thumb.webp`, `card.webp`, `large.webp`, `large.jpg`).
    /// Exact match only; everything else (`../x`, `%2e%2e%2f`, `/etc/passwd`, `THUMB.WEBP`, `thumb.png`,
    /// `thumb.webp%00`, ...) is [`MediaError::InvalidKey`].
    pub fn parse_variant(file_name: &str) -> Result<Variant, MediaError> {
        Variant::from_file_name(file_name)
    }

    /// Parses a full relative key `<tenant>/<car>/<photo>/<file name>`. Ids must be canonical (lower-case,
    /// hyphenated) UUIDs, exactly four segments, no leading or trailing `/`.
    pub fn parse(path: &str) -> Result<BlobKey, MediaError> {
        let mut parts = path.split('/');
        let (Some(t), Some(c), Some(p), Some(f), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(MediaError::InvalidKey);
        };
        Ok(BlobKey::new(parse_uuid(t)?, parse_uuid(c)?, parse_uuid(p)?, Variant::from_file_name(f)?))
    }

    /// The relative object path, `/`-separated.
    pub fn path(&self) -> String {
        format!("{}/{}", self.photo.prefix().path(), self.variant.file_name())
    }

    pub fn content_type(&self) -> &'static str {
        self.variant.content_type()
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// A group of keys to delete at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlobPrefix {
    /// Everything of a tenant.
    Tenant(Uuid),
    /// All photos of a car.
    Car { tenant_id: Uuid, car_id: Uuid },
    /// All variants of a photo.
    Photo(PhotoKey),
}

impl BlobPrefix {
    /// The relative path, `/`-separated, without a trailing `/`.
    pub fn path(&self) -> String {
        match self {
            BlobPrefix::Tenant(t) => t.to_string(),
            BlobPrefix::Car { tenant_id, car_id } => format!("{tenant_id}/{car_id}"),
            BlobPrefix::Photo(p) => format!("{}/{}/{}", p.tenant_id, p.car_id, p.photo_id),
        }
    }
}

/// Canonical UUID only: 36 chars, lower-case, hyphenated (rejects braces, `urn:uuid:`, simple form).
fn parse_uuid(segment: &str) -> Result<Uuid, MediaError> {
    if segment.len() != 36 {
        return Err(MediaError::InvalidKey);
    }
    let id = Uuid::try_parse(segment).map_err(|_| MediaError::InvalidKey)?;
    if id.hyphenated().to_string() != segment {
        return Err(MediaError::InvalidKey);
    }
    Ok(id)
}

/// A stored blob, ready to serve.
#[derive(Debug)]
pub struct Blob {
    pub content_type: &'static str,
    pub len: u64,
    pub body: BlobBody,
}

/// The content: an open file to stream (local store; stays valid even if the blob is deleted meanwhile),
/// or bytes (remote stores).
#[derive(Debug)]
pub enum BlobBody {
    File(tokio::fs::File),
    Bytes(Vec<u8>),
}

impl Blob {
    /// Reads the whole blob into memory (e.g. to send the large JPEG over WhatsApp).
    pub async fn into_bytes(self) -> Result<Vec<u8>, MediaError> {
        match self.body {
            BlobBody::Bytes(bytes) => Ok(bytes),
            BlobBody::File(mut file) => {
                let mut bytes = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
                file.read_to_end(&mut bytes).await?;
                Ok(bytes)
            }
        }
    }
}

/// Blob storage. Object-safe: use it as `Arc<dyn BlobStore>`.
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Stores `bytes` under `key` atomically and durably: when this returns `Ok`, the complete blob survives
    /// a crash; on error, no partial blob is visible. Overwrites an existing blob.
    fn put<'a>(&'a self, key: &'a BlobKey, bytes: Vec<u8>) -> BoxFuture<'a, Result<(), MediaError>>;

    /// Opens a blob; [`MediaError::NotFound`] if it does not exist.
    fn get<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<Blob, MediaError>>;

    fn exists<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<bool, MediaError>>;

    /// Deletes one blob; deleting a missing blob is `Ok`.
    fn delete<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<(), MediaError>>;

    /// Deletes every blob under `prefix`; a missing prefix is `Ok`.
    fn delete_prefix<'a>(&'a self, prefix: &'a BlobPrefix) -> BoxFuture<'a, Result<(), MediaError>>;

    /// Removes temp files of interrupted `put`s last modified at least `older_than` ago; returns how many.
    /// Run at start-up. Idempotent.
    fn sweep_temp(&self, older_than: Duration) -> BoxFuture<'_, Result<usize, MediaError>>;

    /// Every stored blob, in no particular order (backups). Anything under the store's
    /// root that is not a valid [`BlobKey`] (temp files, strays) is skipped.
    fn list(&self) -> BoxFuture<'_, Result<Vec<BlobKey>, MediaError>>;
}

/// What was stored, for the database row written after [`store_photo`] succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub photo: PhotoKey,
    pub source_format: SourceFormat,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<StoredVariant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredVariant {
    pub variant: Variant,
    pub width: u32,
    pub height: u32,
    pub size: u64,
}

/// Writes every variant of a processed photo (each atomically). If any write fails, the variants already
/// written are deleted (best effort) and the error is returned: insert the database row only after `Ok`.
pub async fn store_photo<S>(store: &S, photo: PhotoKey, processed: ProcessedPhoto) -> Result<StoredPhoto, MediaError>
where
    S: BlobStore + ?Sized,
{
    let started = std::time::Instant::now();
    let result = write_variants(store, photo, processed).await;
    crate::record_stage("store", started, result.is_ok());
    result
}

async fn write_variants<S>(store: &S, photo: PhotoKey, processed: ProcessedPhoto) -> Result<StoredPhoto, MediaError>
where
    S: BlobStore + ?Sized,
{
    let ProcessedPhoto { source_format, width, height, variants } = processed;
    let mut stored = Vec::with_capacity(variants.len());
    for v in variants {
        let key = photo.variant(v.variant);
        let size = v.bytes.len() as u64;
        if let Err(e) = store.put(&key, v.bytes).await {
            if let Err(cleanup) = store.delete_prefix(&photo.prefix()).await {
                tracing::warn!(%key, error = %cleanup, "could not clean up after a failed photo write");
            }
            return Err(e);
        }
        stored.push(StoredVariant { variant: v.variant, width: v.width, height: v.height, size });
    }
    Ok(StoredPhoto { photo, source_format, width, height, variants: stored })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trip() {
        let key = BlobKey::new(Uuid::now_v7(), Uuid::now_v7(), Uuid::new_v4(), Variant::LargeJpeg);
        let path = key.path();
        assert!(path.ends_with("/large.jpg"));
        assert_eq!(BlobKey::parse(&path).unwrap(), key);
        assert_eq!(key.to_string(), path);
    }
}
