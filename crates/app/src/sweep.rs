//! Leftovers of interrupted uploads: `.part` files in `<data>/incoming/` and the local blob
//! store's temp files. Swept when the server starts and then every few minutes: files older
//! than any upload could take, and at once those a process that is certainly gone wrote (its
//! tag names this host and pid namespace, and its pid no longer runs), so a restart after a
//! `kill -9` leaves no half-written upload behind. Files of live processes, or of processes on
//! other hosts sharing the data dir, are left alone until they are old.

use std::time::Duration;

use garasi_channels::Identity;
use garasi_media::{LocalBlobStore, Staging};

/// Older than any upload can take (the request timeout is 30 s; generous for slow links).
pub const STALE_AFTER: Duration = Duration::from_secs(15 * 60);
/// How often a running server sweeps.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);

#[derive(Clone)]
pub struct Sweeper {
    pub staging: Staging,
    /// The data-dir blob store (none with S3, whose puts leave nothing behind).
    pub local: Option<LocalBlobStore>,
    pub identity: Identity,
}

impl Sweeper {
    /// Sweeps once; returns how many files went.
    pub async fn sweep(&self) -> usize {
        let me = self.identity.clone();
        let mut swept = self.staging.sweep_dead(STALE_AFTER, move |tag| me.wrote_dead(tag)).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "sweeping the upload staging directory failed");
            0
        });
        if let Some(local) = &self.local {
            let me = self.identity.clone();
            swept += local.sweep_dead(STALE_AFTER, move |tag| me.wrote_dead(tag)).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "sweeping the media temp directory failed");
                0
            });
        }
        if swept > 0 {
            tracing::info!(files = swept, "removed leftovers of interrupted uploads");
        }
        swept
    }

    /// Sweeps every [`SWEEP_EVERY`] until `stop` says so.
    pub fn spawn(self, stop: impl Fn() -> bool + Send + 'static) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                if stop() {
                    break;
                }
                self.sweep().await;
            }
        });
    }
}
