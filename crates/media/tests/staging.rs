mod common;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use common::TempDir;
use garasi_media::{MediaError, Staging, write_limited};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

const MB: u64 = 1024 * 1024;

fn part_files(staging: &Staging) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(staging.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".part"))
        .collect();
    names.sort();
    names
}

/// Yields `ok_bytes` bytes, then fails like a dropped connection.
struct FailingReader {
    ok_bytes: usize,
}

impl AsyncRead for FailingReader {
    fn poll_read(mut self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.ok_bytes == 0 {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::ConnectionReset, "client went away")));
        }
        let n = self.ok_bytes.min(buf.remaining()).min(10_000);
        buf.put_slice(&vec![0xAB; n]);
        self.ok_bytes -= n;
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn staging_dir_and_part_names() {
    let dir = TempDir::new();
    let staging = Staging::new(dir.path()).await.unwrap();
    assert_eq!(staging.dir(), dir.path().join("incoming"));
    let (path, _file) = staging.create().await.unwrap();
    assert_eq!(path.parent().unwrap(), staging.dir());
    let name = path.file_name().unwrap().to_str().unwrap();
    let stem = name.strip_suffix(".part").unwrap();
    assert!(uuid::Uuid::parse_str(stem).is_ok(), "{name}");
}

#[tokio::test]
async fn receive_streams_to_a_part_file_and_drop_removes_it() {
    let dir = TempDir::new();
    let staging = Staging::new(dir.path()).await.unwrap();
    let data = vec![7u8; 300_000];
    let staged = staging.receive(&mut &data[..], 15 * MB).await.unwrap();
    assert_eq!(staged.size(), 300_000);
    assert_eq!(std::fs::read(staged.path()).unwrap(), data);
    let path = staged.path().to_path_buf();
    drop(staged);
    assert!(!path.exists());
    assert!(part_files(&staging).is_empty());

    let staged = staging.receive(&mut &data[..], 15 * MB).await.unwrap();
    let path = staged.into_path();
    assert!(path.exists(), "into_path keeps the file");
}

#[tokio::test]
async fn oversize_stream_is_too_large_and_leaves_no_part_file() {
    let dir = TempDir::new();
    let staging = Staging::new(dir.path()).await.unwrap();
    let mut body = tokio::io::repeat(0x42).take(16 * MB);
    let err = staging.receive(&mut body, 15 * MB).await.unwrap_err();
    assert!(matches!(err, MediaError::TooLarge { max_bytes } if max_bytes == 15 * MB), "{err:?}");
    assert_eq!(err.to_string(), "Ukuran file terlalu besar. Maksimal 15 MB per foto.");
    assert_eq!(err.status_code(), 413);
    assert!(part_files(&staging).is_empty());
}

#[tokio::test]
async fn write_limited_counts_exactly() {
    let mut out = Vec::new();
    let n = write_limited(&mut &[1u8; 1000][..], &mut out, 1000).await.unwrap();
    assert_eq!((n, out.len()), (1000, 1000));
    let mut out = Vec::new();
    let err = write_limited(&mut &[1u8; 1001][..], &mut out, 1000).await.unwrap_err();
    assert!(matches!(err, MediaError::TooLarge { max_bytes: 1000 }));
    assert!(out.len() <= 1000, "nothing beyond the limit is written");
}

#[tokio::test]
async fn interrupted_upload_leaves_no_part_file() {
    let dir = TempDir::new();
    let staging = Staging::new(dir.path()).await.unwrap();
    let err = staging.receive(&mut FailingReader { ok_bytes: 250_000 }, 15 * MB).await.unwrap_err();
    assert!(matches!(err, MediaError::Io(ref e) if e.kind() == io::ErrorKind::ConnectionReset), "{err:?}");
    assert!(part_files(&staging).is_empty());
}

#[tokio::test]
async fn chunked_upload_api() {
    let dir = TempDir::new();
    let staging = Staging::new(dir.path()).await.unwrap();

    let mut up = staging.begin(10).await.unwrap();
    up.write_chunk(b"12345").await.unwrap();
    up.write_chunk(b"67890").await.unwrap();
    assert!(matches!(up.write_chunk(b"x").await, Err(MediaError::TooLarge { max_bytes: 10 })));
    drop(up); // the handler returns the error: the partial file goes away
    assert!(part_files(&staging).is_empty());

    let mut up = staging.begin(10).await.unwrap();
    up.write_chunk(b"abc").await.unwrap();
    let staged = up.finish().await.unwrap();
    assert_eq!(std::fs::read(staged.path()).unwrap(), b"abc");
    staged.remove().await.unwrap();
    assert!(part_files(&staging).is_empty());

    let up = staging.begin(10).await.unwrap();
    assert!(matches!(up.finish().await, Err(MediaError::Empty)));
    assert!(part_files(&staging).is_empty());
}

#[tokio::test]
async fn sweep_removes_leftover_parts_and_is_idempotent() {
    let dir = TempDir::new();
    let staging = Staging::new(dir.path()).await.unwrap();
    // Leftovers of a crash: files created with `create()` and never cleaned up.
    for _ in 0..3 {
        let (_path, mut file) = staging.create().await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut file, b"half an upload").await.unwrap();
    }
    std::fs::write(staging.dir().join("README.txt"), "not ours to delete").unwrap();
    assert_eq!(part_files(&staging).len(), 3);

    // Fresh files survive a sweep with an age margin.
    assert_eq!(staging.sweep(Duration::from_secs(3600)).await.unwrap(), 0);
    assert_eq!(part_files(&staging).len(), 3);

    assert_eq!(staging.sweep(Duration::ZERO).await.unwrap(), 3);
    assert!(part_files(&staging).is_empty());
    assert!(staging.dir().join("README.txt").exists());
    assert_eq!(staging.sweep(Duration::ZERO).await.unwrap(), 0, "second sweep is a no-op");

    // Sweeping a staging dir that vanished is not an error either.
    std::fs::remove_dir_all(staging.dir()).unwrap();
    assert_eq!(staging.sweep(Duration::ZERO).await.unwrap(), 0);
}
