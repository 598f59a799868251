mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TempDir;
use garasi_media::{
    BlobBody, BlobKey, BlobPrefix, BlobStore, LocalBlobStore, MediaError, PhotoKey, ProcessOptions, Variant,
    demo_car_image, process_bytes, store_photo,
};
use uuid::Uuid;

fn photo_key() -> PhotoKey {
    PhotoKey::new(Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7())
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn parse_variant_accepts_only_the_four_file_names() {
    assert_eq!(BlobKey::parse_variant("thumb.webp").unwrap(), Variant::Thumb);
    assert_eq!(BlobKey::parse_variant("card.webp").unwrap(), Variant::Card);
    assert_eq!(BlobKey::parse_variant("large.webp").unwrap(), Variant::Large);
    assert_eq!(BlobKey::parse_variant("large.jpg").unwrap(), Variant::LargeJpeg);
    let hostile = [
        "",
        ".",
        "..",
        "../thumb.webp",
        "..%2fthumb.webp",
        "%2e%2e%2fthumb.webp",
        "%2e%2e/%2e%2e/etc/passwd",
        "..\\thumb.webp",
        "/etc/passwd",
        "/thumb.webp",
        "thumb.webp/",
        "./thumb.webp",
        "thumb.webp/../../secret",
        "thumb.webp\0.png",
        "thumb.webp%00",
        "THUMB.WEBP",
        "Thumb.webp",
        " thumb.webp",
        "thumb.webp ",
        "thumb.png",
        "thumb",
        "large.jpeg",
        "large_jpeg.jpg",
        "original.jpg",
        "thumb.webp.php",
        "C:\\thumb.webp",
        "thumb%2ewebp",
    ];
    for s in hostile {
        assert!(matches!(BlobKey::parse_variant(s), Err(MediaError::InvalidKey)), "accepted {s:?}");
    }
}

#[test]
fn parse_full_key_is_strict() {
    let key = photo_key().variant(Variant::Card);
    let good = key.path();
    assert_eq!(BlobKey::parse(&good).unwrap(), key);
    let (t, c, p) = (key.photo.tenant_id, key.photo.car_id, key.photo.photo_id);
    let bad = [
        format!("/{good}"),
        format!("{good}/"),
        format!("../{good}"),
        format!("{t}/{c}/{p}/../card.webp"),
        format!("{t}/{c}/../{p}/card.webp"),
        format!("{t}/{c}/{p}/x/card.webp"),
        format!("{t}/{c}/card.webp"),
        format!("{t}//{c}/{p}/card.webp"),
        format!("{}/{c}/{p}/card.webp", t.to_string().to_uppercase()),
        format!("{}/{c}/{p}/card.webp", t.simple()),
        format!("{{{t}}}/{c}/{p}/card.webp"),
        format!("{}/{c}/{p}/card.webp", t.urn()),
        format!("{t}/{c}/{p}/card.png"),
        format!("{t}%2f{c}%2f{p}%2fcard.webp"),
    ];
    for s in bad {
        assert!(matches!(BlobKey::parse(&s), Err(MediaError::InvalidKey)), "accepted {s:?}");
    }
}

#[tokio::test]
async fn local_layout_and_round_trip_through_dyn_store() {
    let dir = TempDir::new();
    let local = LocalBlobStore::new(dir.path()).await.unwrap();
    let store: Arc<dyn BlobStore> = Arc::new(local.clone());
    let photo = photo_key();
    let key = photo.variant(Variant::Thumb);

    assert!(!store.exists(&key).await.unwrap());
    assert!(matches!(store.get(&key).await, Err(MediaError::NotFound)));

    store.put(&key, b"first".to_vec()).await.unwrap();
    let expected = dir
        .path()
        .join("media")
        .join(photo.tenant_id.to_string())
        .join(photo.car_id.to_string())
        .join(photo.photo_id.to_string())
        .join("thumb.webp");
    assert_eq!(local.path_of(&key), expected);
    assert_eq!(std::fs::read(&expected).unwrap(), b"first");
    assert!(store.exists(&key).await.unwrap());

    store.put(&key, b"second, longer".to_vec()).await.unwrap(); // overwrite
    let blob = store.get(&key).await.unwrap();
    assert_eq!(blob.content_type, "image/webp");
    assert_eq!(blob.len, 14);
    assert!(matches!(blob.body, BlobBody::File(_)));
    assert_eq!(blob.into_bytes().await.unwrap(), b"second, longer");

    let jpg = photo.variant(Variant::LargeJpeg);
    store.put(&jpg, b"jpeg".to_vec()).await.unwrap();
    assert_eq!(store.get(&jpg).await.unwrap().content_type, "image/jpeg");
    assert!(local.path_of(&jpg).ends_with("large.jpg"));

    store.delete(&key).await.unwrap();
    assert!(!store.exists(&key).await.unwrap());
    store.delete(&key).await.unwrap(); // deleting twice is fine

    store.delete_prefix(&photo.prefix()).await.unwrap();
    assert!(!store.exists(&jpg).await.unwrap());
    store.delete_prefix(&photo.prefix()).await.unwrap();
    assert!(files_under(&dir.path().join("media/.tmp")).is_empty(), "no temp files left behind");
}

#[tokio::test]
async fn delete_prefix_scopes() {
    let dir = TempDir::new();
    let store = LocalBlobStore::new(dir.path()).await.unwrap();
    let tenant = Uuid::now_v7();
    let (car_a, car_b) = (Uuid::now_v7(), Uuid::now_v7());
    let a1 = PhotoKey::new(tenant, car_a, Uuid::now_v7());
    let a2 = PhotoKey::new(tenant, car_a, Uuid::now_v7());
    let b1 = PhotoKey::new(tenant, car_b, Uuid::now_v7());
    let other = PhotoKey::new(Uuid::now_v7(), car_a, Uuid::now_v7());
    for p in [a1, a2, b1, other] {
        store.put(&p.variant(Variant::Card), vec![1]).await.unwrap();
    }
    store.delete_prefix(&a1.prefix()).await.unwrap();
    assert!(!store.exists(&a1.variant(Variant::Card)).await.unwrap());
    assert!(store.exists(&a2.variant(Variant::Card)).await.unwrap());
    store.delete_prefix(&BlobPrefix::Car { tenant_id: tenant, car_id: car_a }).await.unwrap();
    assert!(!store.exists(&a2.variant(Variant::Card)).await.unwrap());
    assert!(store.exists(&b1.variant(Variant::Card)).await.unwrap());
    store.delete_prefix(&BlobPrefix::Tenant(tenant)).await.unwrap();
    assert!(!store.exists(&b1.variant(Variant::Card)).await.unwrap());
    assert!(store.exists(&other.variant(Variant::Card)).await.unwrap(), "other tenants are untouched");
}

#[tokio::test]
async fn failed_put_leaves_neither_partial_file_nor_temp() {
    let dir = TempDir::new();
    let store = LocalBlobStore::new(dir.path()).await.unwrap();
    let key = photo_key().variant(Variant::Large);
    // Make the final rename fail after the temp file was fully written and fsynced: a non-empty directory
    // sits where the blob should go.
    let dest = store.path_of(&key);
    std::fs::create_dir_all(dest.join("blocker")).unwrap();
    let err = store.put(&key, vec![9; 100_000]).await.unwrap_err();
    assert!(matches!(err, MediaError::Io(_)), "{err:?}");
    assert!(files_under(&dir.path().join("media/.tmp")).is_empty(), "temp file removed");
    assert!(dest.is_dir(), "destination untouched");
}

#[tokio::test]
async fn store_photo_writes_all_variants_or_nothing() {
    let dir = TempDir::new();
    let store: Arc<dyn BlobStore> = Arc::new(LocalBlobStore::new(dir.path()).await.unwrap());
    let processed =
        process_bytes(&demo_car_image("Suzuki Ertiga", [240, 240, 240], 640, 480), &ProcessOptions::default()).unwrap();

    let photo = photo_key();
    let stored = store_photo(&*store, photo, processed.clone()).await.unwrap();
    assert_eq!(stored.variants.len(), 4);
    for v in &stored.variants {
        let key = photo.variant(v.variant);
        let bytes = store.get(&key).await.unwrap().into_bytes().await.unwrap();
        assert_eq!(bytes.len() as u64, v.size);
        assert_eq!(bytes, processed.variant(v.variant).unwrap().bytes);
    }

    // A failure midway (the third variant cannot be written) removes the variants already written.
    let local = LocalBlobStore::new(dir.path()).await.unwrap();
    let broken = photo_key();
    std::fs::create_dir_all(local.path_of(&broken.variant(Variant::Large)).join("blocker")).unwrap();
    let err = store_photo(&local, broken, processed).await.unwrap_err();
    assert!(matches!(err, MediaError::Io(_)), "{err:?}");
    for v in Variant::ALL {
        assert!(!local.exists(&broken.variant(v)).await.unwrap(), "{v} left behind");
    }
    assert!(files_under(&dir.path().join("media/.tmp")).is_empty());
}

#[tokio::test]
async fn sweep_temp_removes_leftovers_and_is_idempotent() {
    let dir = TempDir::new();
    let store = LocalBlobStore::new(dir.path()).await.unwrap();
    let tmp = dir.path().join("media/.tmp");
    // What a crash between write and rename leaves behind.
    std::fs::write(tmp.join(format!("{}.tmp", Uuid::new_v4())), b"partial").unwrap();
    std::fs::write(tmp.join(format!("{}.tmp", Uuid::new_v4())), b"partial").unwrap();
    assert_eq!(store.sweep_temp(Duration::from_secs(600)).await.unwrap(), 0, "fresh files are kept");
    assert_eq!(store.sweep_temp(Duration::ZERO).await.unwrap(), 2);
    assert_eq!(store.sweep_temp(Duration::ZERO).await.unwrap(), 0);
    assert!(files_under(&tmp).is_empty());
}

#[tokio::test]
async fn list_finds_every_stored_blob_and_skips_temp_files_and_strays() {
    let dir = TempDir::new();
    let store = LocalBlobStore::new(dir.path()).await.unwrap();
    assert!(store.list().await.unwrap().is_empty());
    let (a, b) = (photo_key(), photo_key());
    store.put(&a.variant(Variant::Thumb), vec![1]).await.unwrap();
    store.put(&a.variant(Variant::LargeJpeg), vec![2]).await.unwrap();
    store.put(&b.variant(Variant::Card), vec![3]).await.unwrap();
    std::fs::write(dir.path().join(format!("media/.tmp/{}.tmp", Uuid::new_v4())), b"partial").unwrap();
    std::fs::write(dir.path().join(format!("media/{}/catatan.txt", a.tenant_id)), b"stray").unwrap();
    let mut listed = store.list().await.unwrap();
    listed.sort_by_key(BlobKey::path);
    let mut expected = vec![a.variant(Variant::Thumb), a.variant(Variant::LargeJpeg), b.variant(Variant::Card)];
    expected.sort_by_key(BlobKey::path);
    assert_eq!(listed, expected);
}
