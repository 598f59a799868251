//! The archive file: a tar stream encrypted with age to a passphrase (scrypt), written
//! to a temp file (mode 0600) that is renamed into place only once complete and synced.
//!
//! Everything here is blocking IO; callers run it on the blocking pool. Each entry's
//! SHA-256 is computed as it streams in, and `manifest.json` goes last, listing them.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::manifest::{FileEntry, MANIFEST_PATH, Manifest};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("wrong passphrase, or not a Garasi backup (the archive cannot be decrypted)")]
    WrongPassphrase,
    #[error(
        "the archive needs more scrypt work (2^{required}) than this machine accepts; \
         it was not written by `garasi backup`"
    )]
    ExcessiveWork { required: u8 },
    #[error("the archive is damaged or was tampered with: {0}")]
    Damaged(String),
    #[error("the archive has no manifest.json")]
    NoManifest,
    #[error("unexpected entry {0:?} in the archive")]
    BadEntry(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Hashes what passes through, and counts it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    len: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

impl<R> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing { inner, hasher: Sha256::new(), len: 0 }
    }

    fn entry(self, path: &str) -> FileEntry {
        FileEntry { path: path.to_owned(), size: self.len, sha256: hex::encode(self.hasher.finalize()) }
    }
}

type Sink = age::stream::StreamWriter<BufWriter<File>>;

/// An archive being written. Dropping it without [`ArchiveWriter::finish`] removes the temp file.
pub struct ArchiveWriter {
    tar: Option<tar::Builder<Sink>>,
    tmp: PathBuf,
    dest: PathBuf,
    mtime: u64,
    entries: Vec<FileEntry>,
}

impl ArchiveWriter {
    /// Starts `<dest>.<random>.tmp` beside `dest` (same filesystem, so the final rename is atomic).
    pub fn create(dest: &Path, passphrase: &str, work_factor: u8) -> Result<ArchiveWriter, ArchiveError> {
        let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("backup");
        let tmp = dest.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&tmp)?;
        let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
        recipient.set_work_factor(work_factor);
        let writer = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| io::Error::other(e.to_string()))
            .and_then(|enc| enc.wrap_output(BufWriter::with_capacity(1 << 16, file)));
        let writer = match writer {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
        };
        let mut tar = tar::Builder::new(writer);
        tar.mode(tar::HeaderMode::Deterministic);
        let mtime = chrono::Utc::now().timestamp().max(0) as u64;
        Ok(ArchiveWriter { tar: Some(tar), tmp, dest: dest.to_owned(), mtime, entries: Vec::new() })
    }

    fn header(&self, size: u64) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header
    }

    fn append(&mut self, path: &str, size: u64, reader: impl Read) -> Result<(), ArchiveError> {
        let mut header = self.header(size);
        let mut hashing = Hashing::new(reader);
        let tar = self.tar.as_mut().expect("archive still open");
        tar.append_data(&mut header, path, &mut hashing)?;
        self.entries.push(hashing.entry(path));
        Ok(())
    }

    pub fn append_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), ArchiveError> {
        self.append(path, bytes.len() as u64, bytes)
    }

    pub fn append_file(&mut self, path: &str, src: &Path) -> Result<(), ArchiveError> {
        let file = File::open(src)?;
        let size = file.metadata()?.len();
        // `take` guards against a file that grows while it is read: the header said `size`.
        self.append(path, size, BufReader::with_capacity(1 << 16, file).take(size))
    }

    pub fn entries(&self) -> &[FileEntry] {
        &self.entries
    }

    /// Writes the manifest (listing every entry written so far), seals the age stream,
    /// syncs and renames into place. Returns the archive's size in bytes.
    pub fn finish(mut self, mut manifest: Manifest) -> Result<u64, ArchiveError> {
        manifest.files = std::mem::take(&mut self.entries);
        let json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
        let mut header = self.header(json.len() as u64);
        let mut tar = self.tar.take().expect("archive still open");
        tar.append_data(&mut header, MANIFEST_PATH, json.as_slice())?;
        let stream = tar.into_inner()?;
        let buffered = stream.finish()?;
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        let size = file.metadata()?.len();
        drop(file);
        std::fs::rename(&self.tmp, &self.dest)?;
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(size)
    }
}

impl Drop for ArchiveWriter {
    fn drop(&mut self) {
        if self.tar.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn decrypt_error(e: age::DecryptError) -> ArchiveError {
    match e {
        age::DecryptError::DecryptionFailed
        | age::DecryptError::NoMatchingKeys
        | age::DecryptError::KeyDecryptionFailed => ArchiveError::WrongPassphrase,
        age::DecryptError::ExcessiveWork { required, .. } => ArchiveError::ExcessiveWork { required },
        age::DecryptError::Io(e) => ArchiveError::Io(e),
        other => ArchiveError::Damaged(other.to_string()),
    }
}

/// The payload's authentication tags fail as IO errors mid-stream: name them for what they are.
pub fn stream_error(e: io::Error) -> ArchiveError {
    if e.kind() == io::ErrorKind::InvalidData || e.kind() == io::ErrorKind::UnexpectedEof {
        ArchiveError::Damaged(e.to_string())
    } else {
        ArchiveError::Io(e)
    }
}

/// What reading a whole archive found.
pub struct ReadArchive {
    pub manifest: Manifest,
    /// Every entry except the manifest, with the size and SHA-256 actually read.
    pub found: Vec<FileEntry>,
}

/// Decrypts and reads the archive at `path` from start to end. `on_entry` sees each
/// file (not the manifest) with a reader over its bytes; what it leaves unread is
/// drained, so every byte is hashed and authenticated.
pub fn read(
    path: &Path,
    passphrase: &str,
    mut on_entry: impl FnMut(&str, &mut dyn Read) -> Result<(), ArchiveError>,
) -> Result<ReadArchive, ArchiveError> {
    let file = BufReader::with_capacity(1 << 16, File::open(path)?);
    let decryptor = age::Decryptor::new_buffered(file).map_err(decrypt_error)?;
    if !decryptor.is_scrypt() {
        return Err(ArchiveError::Damaged("not encrypted to a passphrase".into()));
    }
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    // Archives from a faster machine may use more work than this one calibrates to.
    identity.set_max_work_factor(super::settings::MAX_WORK_FACTOR);
    let reader = decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(decrypt_error)?;
    let mut archive = tar::Archive::new(reader);
    let mut manifest = None;
    let mut found = Vec::new();
    for entry in archive.entries().map_err(stream_error)? {
        let mut entry = entry.map_err(stream_error)?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(ArchiveError::BadEntry(format!("{:?}", entry.header().entry_type())));
        }
        let name = entry.path().map_err(stream_error)?.to_str().map(str::to_owned);
        let Some(name) = name else { return Err(ArchiveError::BadEntry("non UTF-8 path".into())) };
        if name == MANIFEST_PATH {
            let mut json = Vec::new();
            entry.read_to_end(&mut json).map_err(stream_error)?;
            let parsed: Manifest =
                serde_json::from_slice(&json).map_err(|e| ArchiveError::Damaged(format!("manifest.json: {e}")))?;
            manifest = Some(parsed);
            continue;
        }
        let mut hashing = Hashing::new(&mut entry);
        on_entry(&name, &mut hashing)?;
        io::copy(&mut hashing, &mut io::sink()).map_err(stream_error)?;
        found.push(hashing.entry(&name));
    }
    let manifest = manifest.ok_or(ArchiveError::NoManifest)?;
    Ok(ReadArchive { manifest, found })
}

/// Copies `reader` into a new private file at `dest`, synced.
pub fn write_private(dest: &Path, reader: &mut dyn Read) -> io::Result<u64> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(dest)?;
    let n = io::copy(reader, &mut file)?;
    file.flush()?;
    file.sync_all()?;
    Ok(n)
}
