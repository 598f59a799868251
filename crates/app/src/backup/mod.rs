//! `garasi backup`, `garasi backup verify` and `garasi restore`: one encrypted archive
//! holding the database, the photos, the WhatsApp Web device stores and the secret key,
//! with a manifest of row counts and checksums.
//!
//! Archive layout (a tar stream inside age):
//! - `database/garasi.sqlite` (SQLite, `VACUUM INTO`) or `database/garasi.pgdump`
//!   (PostgreSQL, `pg_dump --format=custom`);
//! - `media/<tenant>/<car>/<photo>/<variant>`, read through the `BlobStore` (data dir or S3);
//! - `whatsapp/<tenant>/device.db`, each a `VACUUM INTO` copy of the live store;
//! - `secret.key`, when the key lives in the data dir;
//! - `manifest.json`, last.
//!
//! Order and consistency: the database snapshot comes first, then the media. A photo
//! uploaded during the backup may be in the archive without its row (harmless); a photo
//! deleted between the snapshot and the media copy is missing from it (the car then shows
//! one photo fewer after a restore).

pub mod archive;
pub mod manifest;
mod postgres;
pub mod schedule;
pub mod settings;
mod sqlite;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use garasi_media::{BlobKey, BlobStore, MediaError};
use garasi_store::backup::{RowCounts, pg_user, sqlite_file_counts, sqlite_path};
use garasi_store::{Db, DbOptions, redact_url};

use self::archive::{ArchiveError, ArchiveWriter};
use self::manifest::{BackendKind, FORMAT, FileEntry, Manifest, Mismatch, SecretKeySource};
use crate::settings::Settings;

const MEDIA_PREFIX: &str = "media/";
const WHATSAPP_DIR: &str = "whatsapp";
const DEVICE_STORE: &str = "device.db";
const SECRET_KEY_PATH: &str = "secret.key";

/// What `backup` wrote.
#[derive(Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
    pub elapsed: Duration,
}

/// What `backup verify` found.
#[derive(Debug)]
pub struct VerifyReport {
    pub manifest: Manifest,
    pub found: Vec<FileEntry>,
    pub problems: Vec<Mismatch>,
}

/// What `restore` did.
#[derive(Debug)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub restored_counts: RowCounts,
    pub media_files: usize,
    pub granted_to: Option<String>,
    pub elapsed: Duration,
}

fn passphrase(settings: &Settings) -> anyhow::Result<String> {
    settings
        .backup
        .passphrase
        .clone()
        .context("no passphrase: set GARASI_BACKUP_PASSPHRASE (at least 12 characters); archives are always encrypted")
}

/// The URL backups and restores use on PostgreSQL: the owner's.
fn owner_url(settings: &Settings) -> String {
    settings.migrate_database_url.clone().unwrap_or_else(|| settings.database_url.clone())
}

fn sqlite_file(settings: &Settings) -> anyhow::Result<PathBuf> {
    sqlite_path(&settings.database_url).context("backups need a file database, not an in-memory one")
}

/// A scratch directory beside the archive (same disk as the output), removed when dropped.
struct WorkDir(PathBuf);

impl WorkDir {
    fn beside(path: &Path) -> anyhow::Result<WorkDir> {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = parent.join(format!(".garasi-backup-{}.work", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        #[cfg(unix)]
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
        Ok(WorkDir(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs blocking archive work on the blocking pool, handing the writer there and back.
async fn with_writer(
    mut writer: ArchiveWriter,
    f: impl FnOnce(&mut ArchiveWriter) -> Result<(), ArchiveError> + Send + 'static,
) -> anyhow::Result<ArchiveWriter> {
    tokio::task::spawn_blocking(move || f(&mut writer).map(|()| writer))
        .await
        .context("archive task failed")?
        .map_err(Into::into)
}

/// The data dir's WhatsApp Web device stores, by tenant id.
fn device_stores(data_dir: &Path) -> Vec<(uuid::Uuid, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(data_dir.join(WHATSAPP_DIR)) else { return Vec::new() };
    let mut stores: Vec<_> = entries
        .flatten()
        .filter_map(|e| {
            let id = uuid::Uuid::try_parse(e.file_name().to_str()?).ok()?;
            let file = e.path().join(DEVICE_STORE);
            file.is_file().then_some((id, file))
        })
        .collect();
    stores.sort();
    stores
}

/// Takes a backup to `out` while Garasi may be serving.
pub async fn create(settings: &Settings, out: &Path) -> anyhow::Result<BackupReport> {
    let passphrase = passphrase(settings)?;
    let started = Instant::now();
    if out.exists() {
        bail!("{} exists already; choose another file", out.display());
    }
    let work = WorkDir::beside(out)?;
    let created_at = chrono::Utc::now();

    // 1. The database, first: the media copy that follows may only add orphans.
    let db_file = work.0.join("database");
    let (backend, database, row_counts) = if settings.is_postgres() {
        let counts = postgres::dump(&owner_url(settings), &db_file).await.context("PostgreSQL dump failed")?;
        (BackendKind::Postgres, postgres::DUMP_PATH, counts)
    } else {
        let counts = sqlite::dump(&sqlite_file(settings)?, &db_file).await?;
        (BackendKind::Sqlite, sqlite::DB_PATH, counts)
    };

    let (out_path, wf) = (out.to_owned(), settings.backup.work_factor);
    let mut writer = tokio::task::spawn_blocking(move || ArchiveWriter::create(&out_path, &passphrase, wf))
        .await
        .context("archive task failed")??;
    writer = with_writer(writer, move |w| w.append_file(database, &db_file)).await?;

    // 2. The photos, through the same storage the server uses.
    let (store, _) = crate::server::open_media(settings).await?;
    let mut keys = store.list().await.context("cannot list the stored photos")?;
    keys.sort_by_key(BlobKey::path);
    let mut media_files = 0u64;
    for key in keys {
        let bytes = match store.get(&key).await {
            Ok(blob) => blob.into_bytes().await?,
            // Deleted since the listing: it is not in the snapshot either, or only just.
            Err(MediaError::NotFound) => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read photo {key}")),
        };
        let path = format!("{MEDIA_PREFIX}{}", key.path());
        writer = with_writer(writer, move |w| w.append_bytes(&path, &bytes)).await?;
        media_files += 1;
    }

    // 3. WhatsApp Web device stores: live SQLite files, copied consistently.
    let mut whatsapp_stores = Vec::new();
    for (tenant, file) in device_stores(&settings.data_dir) {
        let copy = work.0.join(format!("wa-{tenant}.db"));
        garasi_store::backup::sqlite_snapshot(&file, &copy)
            .await
            .with_context(|| format!("cannot snapshot {}", file.display()))?;
        let path = format!("{WHATSAPP_DIR}/{tenant}/{DEVICE_STORE}");
        writer = with_writer(writer, move |w| w.append_file(&path, &copy)).await?;
        whatsapp_stores.push(tenant.to_string());
    }

    // 4. The key that encrypts stored WhatsApp credentials.
    let key_file = settings.data_dir.join(garasi_channels::secret::KEY_FILE);
    let secret_key = if settings.whatsapp.secret_key.is_some() {
        SecretKeySource::Setting
    } else if key_file.is_file() {
        let bytes = std::fs::read(&key_file).with_context(|| format!("cannot read {}", key_file.display()))?;
        writer = with_writer(writer, move |w| w.append_bytes(SECRET_KEY_PATH, &bytes)).await?;
        SecretKeySource::File
    } else {
        SecretKeySource::None
    };

    let manifest = Manifest {
        format: FORMAT,
        garasi_version: env!("CARGO_PKG_VERSION").to_owned(),
        backend,
        created_at,
        database: database.to_owned(),
        row_counts,
        media_files,
        media_source: if settings.s3.is_some() { "s3" } else { "local" }.to_owned(),
        whatsapp_stores,
        secret_key,
        files: Vec::new(),
    };
    let finished = manifest.clone();
    let bytes = tokio::task::spawn_blocking(move || writer.finish(finished)).await.context("archive task failed")??;
    drop(work);
    Ok(BackupReport { path: out.to_owned(), bytes, manifest, elapsed: started.elapsed() })
}

/// Decrypts `path`, hashes every file and compares with the manifest.
pub async fn verify(settings: &Settings, path: &Path) -> anyhow::Result<VerifyReport> {
    let passphrase = passphrase(settings)?;
    let path = path.to_owned();
    let read = tokio::task::spawn_blocking(move || archive::read(&path, &passphrase, |_, _| Ok(())))
        .await
        .context("archive task failed")??;
    let problems = read.manifest.check(&read.found);
    Ok(VerifyReport { manifest: read.manifest, found: read.found, problems })
}

/// Where each file of the archive was staged before the restore applies it.
#[derive(Default)]
struct Staged {
    database: Option<PathBuf>,
    secret_key: Option<PathBuf>,
    media: Vec<(BlobKey, PathBuf)>,
    whatsapp: Vec<(uuid::Uuid, PathBuf)>,
}

/// Maps an archive path to where it is staged; anything unknown stops the restore.
fn stage_entry(dir: &Path, staged: &mut Staged, name: &str, reader: &mut dyn Read) -> Result<(), ArchiveError> {
    let n = staged.media.len() + staged.whatsapp.len();
    let dest = if name == sqlite::DB_PATH || name == postgres::DUMP_PATH {
        let dest = dir.join("database");
        staged.database = Some(dest.clone());
        dest
    } else if name == SECRET_KEY_PATH {
        let dest = dir.join("secret.key");
        staged.secret_key = Some(dest.clone());
        dest
    } else if let Some(key) = name.strip_prefix(MEDIA_PREFIX) {
        let key = BlobKey::parse(key).map_err(|_| ArchiveError::BadEntry(name.to_owned()))?;
        let dest = dir.join(format!("media-{n}"));
        staged.media.push((key, dest.clone()));
        dest
    } else if let Some(rest) = name.strip_prefix("whatsapp/")
        && let Some((tenant_dir, file)) = rest.split_once('/')
        && file == DEVICE_STORE
        && let Ok(tenant) = uuid::Uuid::try_parse(tenant_dir)
        && tenant.hyphenated().to_string() == tenant_dir
    {
        let dest = dir.join(format!("wa-{n}"));
        staged.whatsapp.push((tenant, dest.clone()));
        dest
    } else {
        return Err(ArchiveError::BadEntry(name.to_owned()));
    };
    archive::write_private(&dest, reader).map_err(archive::stream_error)?;
    Ok(())
}

/// What already lives in the target, which a restore would overwrite.
async fn occupied(settings: &Settings, store: &Arc<dyn BlobStore>) -> anyhow::Result<Vec<String>> {
    let mut found = Vec::new();
    if settings.is_postgres() {
        let owner = connect_owner(settings).await?;
        owner.require_rls_bypass().await?;
        if let Some((table, n)) = owner.first_table_with_rows().await? {
            found.push(format!("table {table} holds {n} rows"));
        }
        owner.close().await;
    } else {
        let file = sqlite_file(settings)?;
        if file.is_file() {
            let counts = sqlite_file_counts(&file).await?;
            if let Some((table, n)) =
                counts.iter().find(|(t, n)| **n > 0 && t.as_str() != garasi_store::backup::MIGRATIONS_TABLE)
            {
                found.push(format!("table {table} holds {n} rows"));
            }
        }
    }
    let media = store.list().await.context("cannot list the stored photos")?.len();
    if media > 0 {
        found.push(format!("{media} photo files"));
    }
    let stores = device_stores(&settings.data_dir).len();
    if stores > 0 {
        found.push(format!("{stores} WhatsApp device stores"));
    }
    Ok(found)
}

async fn connect_owner(settings: &Settings) -> anyhow::Result<Db> {
    let url = owner_url(settings);
    Db::connect(&url, &DbOptions { max_connections: 2, ..DbOptions::default() })
        .await
        .with_context(|| format!("cannot connect to {}", redact_url(&url)))
}

/// Restores the archive at `path` into the configured (empty) data dir and database.
/// Garasi must not be running on the target.
pub async fn restore(
    settings: &Settings,
    path: &Path,
    force: bool,
    grant_to: Option<String>,
) -> anyhow::Result<RestoreReport> {
    let passphrase = passphrase(settings)?;
    let started = Instant::now();
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("cannot create data dir {}", settings.data_dir.display()))?;
    let (store, _) = crate::server::open_media(settings).await?;
    let occupied = occupied(settings, &store).await?;
    if !occupied.is_empty() && !force {
        bail!(
            "refusing to restore into a target that holds data ({}); restore into an empty data dir and database, \
             or pass --force to overwrite it",
            occupied.join(", ")
        );
    }

    // 1. Decrypt and stage everything, checking it against the manifest before touching the target.
    let stage = WorkDir::beside(&settings.data_dir.join("restore"))?;
    let (dir, archive_path) = (stage.0.clone(), path.to_owned());
    let (read, staged) = tokio::task::spawn_blocking(move || {
        let mut staged = Staged::default();
        let read =
            archive::read(&archive_path, &passphrase, |name, reader| stage_entry(&dir, &mut staged, name, reader))?;
        Ok::<_, ArchiveError>((read, staged))
    })
    .await
    .context("archive task failed")??;
    let manifest = read.manifest;
    let problems = manifest.check(&read.found);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        bail!("the archive does not match its manifest, nothing was restored:\n  {}", list.join("\n  "));
    }
    let target = if settings.is_postgres() { BackendKind::Postgres } else { BackendKind::Sqlite };
    if manifest.backend != target {
        bail!("this is a {:?} backup; it restores only into a {:?} database", manifest.backend, manifest.backend);
    }
    let staged_db = staged.database.clone().context("the archive holds no database")?;

    // 2. The database.
    let mut granted_to = None;
    let restored_counts = if settings.is_postgres() {
        let url = owner_url(settings);
        postgres::restore(&url, &staged_db).await.context("PostgreSQL restore failed")?;
        let owner = connect_owner(settings).await?;
        // The runtime role owns nothing and was granted on the old tables: grant it again.
        let runtime = grant_to.or_else(|| {
            settings.migrate_database_url.as_ref()?;
            pg_user(&settings.database_url).filter(|u| Some(u) != pg_user(&url).as_ref())
        });
        if let Some(role) = runtime {
            owner.grant_runtime_role(&role).await.with_context(|| format!("granting role {role:?} failed"))?;
            granted_to = Some(role);
        }
        let counts = owner.row_counts().await?;
        owner.close().await;
        counts
    } else {
        let file = sqlite_file(settings)?;
        let (src, dest) = (staged_db.clone(), file.clone());
        tokio::task::spawn_blocking(move || sqlite::install(&src, &dest))
            .await
            .context("restore task failed")?
            .with_context(|| format!("cannot write {}", file.display()))?;
        sqlite_file_counts(&file).await?
    };

    // 3. Photos, WhatsApp device stores, the secret key.
    for (key, file) in &staged.media {
        let bytes = tokio::fs::read(file).await?;
        store.put(key, bytes).await.with_context(|| format!("cannot store photo {key}"))?;
    }
    for (tenant, file) in &staged.whatsapp {
        let dest = settings.data_dir.join(WHATSAPP_DIR).join(tenant.to_string()).join(DEVICE_STORE);
        let (src, dest2) = (file.clone(), dest.clone());
        tokio::task::spawn_blocking(move || sqlite::install(&src, &dest2))
            .await
            .context("restore task failed")?
            .with_context(|| format!("cannot write {}", dest.display()))?;
    }
    if let Some(key) = &staged.secret_key {
        let dest = settings.data_dir.join(garasi_channels::secret::KEY_FILE);
        let (src, dest2) = (key.clone(), dest.clone());
        tokio::task::spawn_blocking(move || sqlite::install(&src, &dest2))
            .await
            .context("restore task failed")?
            .with_context(|| format!("cannot write {}", dest.display()))?;
    }
    drop(stage);

    // 4. Every row the manifest counted is there, no more and no fewer.
    let differences: Vec<String> = manifest
        .row_counts
        .iter()
        .filter(|(table, n)| restored_counts.get(*table) != Some(*n))
        .map(|(table, n)| {
            format!("{table}: {} rows, the manifest counted {n}", restored_counts.get(table).copied().unwrap_or(0))
        })
        .collect();
    if !differences.is_empty() {
        bail!("the restored database differs from the manifest:\n  {}", differences.join("\n  "));
    }
    Ok(RestoreReport {
        media_files: staged.media.len(),
        manifest,
        restored_counts,
        granted_to,
        elapsed: started.elapsed(),
    })
}

/// A short human summary of a manifest, for the CLI.
pub fn describe(manifest: &Manifest) -> String {
    let tables: BTreeMap<_, _> = manifest.row_counts.iter().filter(|(_, n)| **n > 0).collect();
    let mut text = format!(
        "garasi {} backup of {:?}, taken {}\n  database: {} rows in {} tables\n  photos:   {} files ({})\n  \
         whatsapp: {} device stores\n  secret key: {:?}\n  files:    {}\n",
        manifest.garasi_version,
        manifest.backend,
        manifest.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        manifest.total_rows(),
        manifest.row_counts.len(),
        manifest.media_files,
        manifest.media_source,
        manifest.whatsapp_stores.len(),
        manifest.secret_key,
        manifest.files.len() + 1,
    );
    for (table, n) in tables {
        text.push_str(&format!("    {table:<20} {n}\n"));
    }
    text
}
