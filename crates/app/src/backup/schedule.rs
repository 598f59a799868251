//! Scheduled backups from `serve` (`GARASI_BACKUP_EVERY`), one instance at a time.
//!
//! Time is cut into periods of `every` (from the Unix epoch). Each instance, once a
//! minute, enqueues the current period's platform job with the dedupe key
//! `backup:<every>:<period>` (so however many instances try, one job exists) and tries to
//! claim it from the `jobs` queue `backup`; the claim is the lease: exactly one instance
//! runs it, and if that instance dies mid-way the claim lapses and another takes it over.
//! No migration: it reuses the job queue's claim mechanics.

use std::path::{Path, PathBuf};
use std::time::Duration;

use garasi_store::Db;
use serde_json::json;

use crate::settings::Settings;

const QUEUE: &str = "backup";
const TICK: Duration = Duration::from_secs(60);
/// Longer than any backup should take; a claim held longer is presumed dead.
const CLAIM: Duration = Duration::from_secs(2 * 3600);
const RETRY: Duration = Duration::from_secs(5 * 60);
/// Scheduled archives are `garasi-backup-<UTC time>.tar.age`: names sort by time.
pub const FILE_PREFIX: &str = "garasi-backup-";
pub const FILE_SUFFIX: &str = ".tar.age";

/// The name of the gauge set after each successful scheduled backup.
pub const LAST_SUCCESS_GAUGE: &str = "garasi_backup_last_success_timestamp_seconds";

/// Starts the scheduler when `GARASI_BACKUP_EVERY` is set; returns at once otherwise.
pub fn spawn(settings: &Settings, db: Db, stop: impl Fn() -> bool + Send + 'static) {
    let Some(every) = settings.backup.every else { return };
    if settings.is_postgres() && settings.migrate_database_url.is_none() {
        tracing::warn!(
            "GARASI_BACKUP_EVERY on PostgreSQL needs GARASI_MIGRATE_DATABASE_URL (the owner role, with BYPASSRLS) \
             and pg_dump on the PATH; the runtime role cannot read past row-level security"
        );
    }
    let settings = settings.clone();
    let worker = format!("backup-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    tokio::spawn(async move {
        // Instances started together spread out a little; the claim keeps them from doubling up anyway.
        tokio::time::sleep(Duration::from_millis(1000 + rand::random::<u64>() % 4000)).await;
        loop {
            if stop() {
                break;
            }
            if let Err(e) = tick(&settings, &db, every, &worker).await {
                tracing::warn!(error = %format!("{e:#}"), "scheduled backup failed");
            }
            tokio::time::sleep(TICK).await;
        }
    });
}

async fn tick(settings: &Settings, db: &Db, every: Duration, worker: &str) -> anyhow::Result<()> {
    // Every instance reports the last backup any of them finished, also right after a
    // restart: otherwise the "backup too old" alert would fire after each deploy.
    if let Some(at) = db.jobs().last_done_at(QUEUE).await? {
        metrics::gauge!(LAST_SUCCESS_GAUGE).set(at.timestamp() as f64);
    }
    let secs = every.as_secs().max(60) as i64;
    let now = garasi_store::now();
    let period = now.timestamp().div_euclid(secs);
    let start = chrono::DateTime::from_timestamp(period * secs, 0).unwrap_or(now);
    db.enqueue_platform_job(
        QUEUE,
        "backup",
        &json!({ "period_start": start }),
        start,
        &format!("backup:{secs}:{period}"),
    )
    .await?;
    let jobs = db.jobs().claim(QUEUE, worker, 1, CLAIM).await?;
    for job in jobs {
        let out = settings
            .backup
            .dir
            .join(format!("{FILE_PREFIX}{}{FILE_SUFFIX}", garasi_store::now().format("%Y%m%dT%H%M%SZ")));
        std::fs::create_dir_all(&settings.backup.dir)?;
        #[cfg(unix)]
        std::fs::set_permissions(&settings.backup.dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
        match super::create(settings, &out).await {
            Ok(report) => {
                db.jobs().complete(job.id, worker).await?;
                let ts = report.manifest.created_at.timestamp() as f64;
                metrics::gauge!(LAST_SUCCESS_GAUGE).set(ts);
                tracing::info!(
                    file = %report.path.display(),
                    bytes = report.bytes,
                    rows = report.manifest.total_rows(),
                    photos = report.manifest.media_files,
                    elapsed_ms = report.elapsed.as_millis() as u64,
                    "scheduled backup written"
                );
                let removed = prune(&settings.backup.dir, settings.backup.keep)?;
                if !removed.is_empty() {
                    tracing::info!(
                        removed = removed.len(),
                        keep = settings.backup.keep,
                        "old scheduled backups removed"
                    );
                }
            }
            Err(e) => {
                db.jobs().fail(job.id, worker, &format!("{e:#}"), RETRY).await?;
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Keeps the newest `keep` scheduled archives in `dir`; returns the removed ones.
/// Only files named like scheduled archives are touched.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut archives: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(FILE_PREFIX) && n.ends_with(FILE_SUFFIX))
        })
        .collect();
    archives.sort();
    let excess = archives.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = archives.drain(..excess).collect();
    for path in &removed {
        std::fs::remove_file(path)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_keeps_the_newest_and_nothing_else_is_touched() {
        let dir = std::env::temp_dir().join(format!("garasi-prune-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "garasi-backup-20260101T000000Z.tar.age",
            "garasi-backup-20260102T000000Z.tar.age",
            "garasi-backup-20260103T000000Z.tar.age",
            "catatan.txt",
        ] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let removed = prune(&dir, 2).unwrap();
        assert_eq!(removed, vec![dir.join("garasi-backup-20260101T000000Z.tar.age")]);
        assert!(dir.join("catatan.txt").exists());
        assert!(dir.join("garasi-backup-20260103T000000Z.tar.age").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
