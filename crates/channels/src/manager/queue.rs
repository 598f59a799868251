//! The claim-and-run loop the inbox and outbox workers share.

use std::time::Duration;

use garasi_store::jobs::Job;
use tokio::task::JoinSet;

use super::Channels;

impl Channels {
    /// Claims due jobs of `queue` for the tenants this instance holds and runs up to
    /// `concurrency` of them at once, until shutdown. Then it claims nothing more and gives
    /// the jobs in flight `worker_drain` to finish; the ones still running are abandoned
    /// (their tasks end here) and [`Channels::shutdown`] puts them back in the queue.
    pub(super) async fn queue_loop<F, Fut>(
        &self,
        queue: &'static str,
        role: &str,
        concurrency: usize,
        lease: Duration,
        run: F,
    ) where
        F: Fn(Channels, Job, String) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let worker = format!("{}/{role}", self.inner.holder);
        let mut running = JoinSet::new();
        loop {
            while running.try_join_next().is_some() {}
            if self.stopping() {
                break;
            }
            let free = concurrency.saturating_sub(running.len()) as i64;
            let jobs = if free == 0 {
                Vec::new()
            } else {
                self.inner.db.jobs().claim_held(queue, &worker, &self.inner.holder, free, lease).await.unwrap_or_else(
                    |e| {
                        tracing::warn!(error = %e, queue, "claiming WhatsApp jobs failed");
                        Vec::new()
                    },
                )
            };
            let idle = jobs.is_empty();
            for job in jobs {
                running.spawn(run(self.clone(), job, worker.clone()));
            }
            if idle && self.sleep_or_stop(self.inner.config.poll_every).await {
                break;
            }
        }
        let in_flight = running.len();
        let drained = tokio::time::timeout(self.inner.config.worker_drain, async {
            while running.join_next().await.is_some() {}
        })
        .await
        .is_ok();
        if !drained {
            tracing::warn!(queue, in_flight, left = running.len(), "jobs still running at shutdown are put back");
            running.shutdown().await;
        }
    }
}
