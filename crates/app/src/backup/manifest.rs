//! The archive's table of contents, `manifest.json`, written last: what Garasi wrote it,
//! from which backend and when, the row count of every table (taken in the same snapshot
//! as the database dump) and the size and SHA-256 of every other file in the archive.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The manifest's own path inside the archive.
pub const MANIFEST_PATH: &str = "manifest.json";
/// Bumped when the layout changes in a way an older `restore` could not read.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

/// Where the WhatsApp credentials' encryption key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKeySource {
    /// `secret.key` from the data dir, inside the archive.
    File,
    /// `GARASI_SECRET_KEY`: not in the archive; the operator keeps it.
    Setting,
    /// Neither exists yet (nothing was ever encrypted).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub garasi_version: String,
    pub backend: BackendKind,
    pub created_at: DateTime<Utc>,
    /// The database file inside the archive: a SQLite database, or a `pg_dump --format=custom` file.
    pub database: String,
    pub row_counts: BTreeMap<String, i64>,
    pub media_files: u64,
    /// `local` (the data dir) or `s3`.
    pub media_source: String,
    /// Tenants whose WhatsApp Web device store is in the archive.
    pub whatsapp_stores: Vec<String>,
    pub secret_key: SecretKeySource,
    /// Every file of the archive except this manifest, in archive order.
    pub files: Vec<FileEntry>,
}

/// One way an archive differs from its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    Missing(String),
    Unexpected(String),
    Checksum(String),
    Size { path: String, manifest: u64, archive: u64 },
    Format(u32),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Missing(p) => write!(f, "{p}: listed in the manifest but not in the archive"),
            Mismatch::Unexpected(p) => write!(f, "{p}: in the archive but not in the manifest"),
            Mismatch::Checksum(p) => write!(f, "{p}: SHA-256 differs from the manifest"),
            Mismatch::Size { path, manifest, archive } => {
                write!(f, "{path}: {archive} bytes, the manifest says {manifest}")
            }
            Mismatch::Format(v) => write!(f, "archive format {v} is newer than this garasi reads ({FORMAT})"),
        }
    }
}

impl Manifest {
    /// Compares the files found in the archive with the manifest's list.
    pub fn check(&self, found: &[FileEntry]) -> Vec<Mismatch> {
        let mut problems = Vec::new();
        if self.format > FORMAT {
            problems.push(Mismatch::Format(self.format));
        }
        let found_by_path: BTreeMap<&str, &FileEntry> = found.iter().map(|f| (f.path.as_str(), f)).collect();
        let listed: BTreeMap<&str, &FileEntry> = self.files.iter().map(|f| (f.path.as_str(), f)).collect();
        for (path, want) in &listed {
            match found_by_path.get(path) {
                None => problems.push(Mismatch::Missing((*path).to_owned())),
                Some(got) if got.size != want.size => {
                    problems.push(Mismatch::Size { path: (*path).to_owned(), manifest: want.size, archive: got.size })
                }
                Some(got) if got.sha256 != want.sha256 => problems.push(Mismatch::Checksum((*path).to_owned())),
                Some(_) => {}
            }
        }
        for path in found_by_path.keys() {
            if !listed.contains_key(path) {
                problems.push(Mismatch::Unexpected((*path).to_owned()));
            }
        }
        problems
    }

    /// Rows across all tables.
    pub fn total_rows(&self) -> i64 {
        self.row_counts.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, size: u64, sha: &str) -> FileEntry {
        FileEntry { path: path.into(), size, sha256: sha.into() }
    }

    #[test]
    fn check_names_every_difference() {
        let manifest = Manifest {
            format: FORMAT,
            garasi_version: "0.1.0".into(),
            backend: BackendKind::Sqlite,
            created_at: Utc::now(),
            database: "database/garasi.sqlite".into(),
            row_counts: BTreeMap::from([("cars".into(), 3)]),
            media_files: 0,
            media_source: "local".into(),
            whatsapp_stores: vec![],
            secret_key: SecretKeySource::None,
            files: vec![entry("a", 1, "aa"), entry("b", 2, "bb"), entry("c", 3, "cc")],
        };
        assert!(manifest.check(&manifest.files).is_empty());
        let found = vec![entry("a", 1, "ab"), entry("b", 5, "bb"), entry("d", 1, "dd")];
        let problems = manifest.check(&found);
        assert_eq!(
            problems,
            vec![
                Mismatch::Checksum("a".into()),
                Mismatch::Size { path: "b".into(), manifest: 2, archive: 5 },
                Mismatch::Missing("c".into()),
                Mismatch::Unexpected("d".into()),
            ]
        );
    }
}
