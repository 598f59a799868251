//! S3-compatible object storage (AWS S3, MinIO, Cloudflare R2…) behind [`BlobStore`],
//! for deployments where several instances cannot share one disk.
//!
//! Object PUTs are atomic by themselves: a reader sees the whole object or none, so
//! no temp-and-rename dance is needed and there is nothing to sweep.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::MediaError;
use crate::blob::{Blob, BlobBody, BlobKey, BlobPrefix, BlobStore, BoxFuture};

/// Where to find the bucket. `endpoint` is for S3-compatible services (MinIO,
/// R2); leave it empty for AWS.
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    pub bucket: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Plain http endpoints (a MinIO on the same host) are refused unless allowed.
    pub allow_http: bool,
}

pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    /// Prepended to every key, so one bucket can hold several deployments.
    root: String,
}

impl std::fmt::Debug for ObjectBlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectBlobStore").field("store", &self.store.to_string()).field("root", &self.root).finish()
    }
}

fn backend(e: object_store::Error) -> MediaError {
    match e {
        object_store::Error::NotFound { .. } => MediaError::NotFound,
        other => MediaError::Io(std::io::Error::other(other.to_string())),
    }
}

impl ObjectBlobStore {
    /// Wraps any object store (tests use the in-memory one).
    pub fn new(store: Arc<dyn ObjectStore>, root: &str) -> ObjectBlobStore {
        ObjectBlobStore { store, root: root.trim_matches('/').to_owned() }
    }

    /// Connects to an S3-compatible bucket.
    pub fn s3(config: &S3Config, root: &str) -> Result<ObjectBlobStore, MediaError> {
        // TLS uses rustls with ring; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(if config.region.is_empty() { "us-east-1" } else { &config.region })
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key)
            .with_allow_http(config.allow_http);
        if let Some(endpoint) = config.endpoint.as_deref().filter(|e| !e.is_empty()) {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder.build().map_err(|e| MediaError::Io(std::io::Error::other(e.to_string())))?;
        Ok(ObjectBlobStore::new(Arc::new(store), root))
    }

    fn path(&self, relative: &str) -> ObjectPath {
        if self.root.is_empty() {
            ObjectPath::from(relative)
        } else {
            ObjectPath::from(format!("{}/{}", self.root, relative))
        }
    }
}

impl BlobStore for ObjectBlobStore {
    fn put<'a>(&'a self, key: &'a BlobKey, bytes: Vec<u8>) -> BoxFuture<'a, Result<(), MediaError>> {
        Box::pin(async move {
            self.store.put(&self.path(&key.path()), PutPayload::from(bytes)).await.map_err(backend)?;
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<Blob, MediaError>> {
        Box::pin(async move {
            let result = self.store.get(&self.path(&key.path())).await.map_err(backend)?;
            let bytes = result.bytes().await.map_err(backend)?;
            Ok(Blob {
                content_type: key.content_type(),
                len: bytes.len() as u64,
                body: BlobBody::Bytes(bytes.to_vec()),
            })
        })
    }

    fn exists<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<bool, MediaError>> {
        Box::pin(async move {
            match self.store.head(&self.path(&key.path())).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(backend(e)),
            }
        })
    }

    fn delete<'a>(&'a self, key: &'a BlobKey) -> BoxFuture<'a, Result<(), MediaError>> {
        Box::pin(async move {
            match self.store.delete(&self.path(&key.path())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(backend(e)),
            }
        })
    }

    fn delete_prefix<'a>(&'a self, prefix: &'a BlobPrefix) -> BoxFuture<'a, Result<(), MediaError>> {
        Box::pin(async move {
            let prefix = self.path(&prefix.path());
            let paths = self.store.list(Some(&prefix)).map(|meta| meta.map(|m| m.location)).boxed();
            let mut deleted = self.store.delete_stream(paths);
            while let Some(result) = deleted.next().await {
                match result {
                    Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(backend(e)),
                }
            }
            Ok(())
        })
    }

    fn sweep_temp(&self, _older_than: Duration) -> BoxFuture<'_, Result<usize, MediaError>> {
        Box::pin(async { Ok(0) })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<BlobKey>, MediaError>> {
        Box::pin(async move {
            let root = (!self.root.is_empty()).then(|| ObjectPath::from(self.root.as_str()));
            let mut listing = self.store.list(root.as_ref());
            let mut keys = Vec::new();
            while let Some(meta) = listing.next().await {
                let location = meta.map_err(backend)?.location;
                let relative = match self.root.is_empty() {
                    true => location.as_ref(),
                    false => location.as_ref().strip_prefix(&self.root).and_then(|r| r.strip_prefix('/')).unwrap_or(""),
                };
                if let Ok(key) = BlobKey::parse(relative) {
                    keys.push(key);
                }
            }
            Ok(keys)
        })
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;
    use uuid::Uuid;

    use super::*;
    use crate::{PhotoKey, ProcessOptions, Variant, demo_car_image, process_bytes, store_photo};

    #[tokio::test]
    async fn a_photo_round_trips_through_an_object_store() {
        let memory = Arc::new(InMemory::new());
        let store = ObjectBlobStore::new(memory.clone(), "garasi");
        let (tenant, car) = (Uuid::now_v7(), Uuid::now_v7());
        let photo = PhotoKey::new(tenant, car, Uuid::now_v7());
        let processed = process_bytes(&demo_car_image("R2", [9, 9, 9], 800, 600), &ProcessOptions::default()).unwrap();
        let stored = store_photo(&store, photo, processed).await.unwrap();
        assert_eq!(stored.variants.len(), 4);
        let mut listed_keys = store.list().await.unwrap();
        listed_keys.sort_by_key(|k| k.path());
        let mut expected: Vec<_> = Variant::ALL.iter().map(|v| photo.variant(*v)).collect();
        expected.sort_by_key(|k| k.path());
        assert_eq!(listed_keys, expected);
        let key = photo.variant(Variant::LargeJpeg);
        assert!(store.exists(&key).await.unwrap());
        let blob = store.get(&key).await.unwrap();
        assert_eq!(blob.content_type, "image/jpeg");
        assert!(blob.into_bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));
        let listed: Vec<_> = memory.list(None).collect().await;
        assert!(listed.iter().all(|m| m.as_ref().unwrap().location.as_ref().starts_with("garasi/")));

        // Another photo of the same car survives deleting the first one.
        let other = PhotoKey::new(tenant, car, Uuid::now_v7());
        store.put(&other.variant(Variant::Thumb), vec![1, 2, 3]).await.unwrap();
        store.delete_prefix(&photo.prefix()).await.unwrap();
        assert!(!store.exists(&key).await.unwrap());
        assert!(store.exists(&other.variant(Variant::Thumb)).await.unwrap());
        assert!(matches!(store.get(&key).await, Err(MediaError::NotFound)));
        store.delete(&key).await.unwrap();
        assert_eq!(store.sweep_temp(Duration::ZERO).await.unwrap(), 0);
    }

    #[test]
    fn s3_configuration_builds_a_client() {
        let config = S3Config {
            bucket: "garasi-media".into(),
            region: "ap-southeast-3".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            access_key_id: "key".into(),
            secret_access_key: "secret".into(),
            allow_http: true,
        };
        assert!(ObjectBlobStore::s3(&config, "prod").is_ok());
    }
}
