//! The claim-and-run loop the inbox and outbox workers share.

use std::sync::Arc;
use std::time::Duration;

use garasi_store::jobs::Job;
use tokio::sync::Semaphore;

use super::Channels;

impl Channels {
    /// Claims due jobs of `queue` for the tenants this instance holds and runs up to
    /// `concurrency` of them at once, until shutdown. Then waits for the jobs in flight,
    /// at most `drain` when given (an unfinished job is claimed again after its lease).
    pub(super) async fn queue_loop<F, Fut>(
        &self,
        queue: &'static str,
        role: &str,
        concurrency: usize,
        lease: Duration,
        drain: Option<Duration>,
        run: F,
    ) where
        F: Fn(Channels, Job, String) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let worker = format!("{}/{role}", self.inner.holder);
        let sem = Arc::new(Semaphore::new(concurrency));
        loop {
            if self.stopping() {
                break;
            }
            let free = sem.available_permits() as i64;
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
                let permit = sem.clone().acquire_owned().await.expect("semaphore open");
                let work = run(self.clone(), job, worker.clone());
                tokio::spawn(async move {
                    work.await;
                    drop(permit);
                });
            }
            if idle && self.sleep_or_stop(self.inner.config.poll_every).await {
                break;
            }
        }
        let all = sem.acquire_many(concurrency as u32);
        match drain {
            Some(limit) => {
                let _ = tokio::time::timeout(limit, all).await;
            }
            None => {
                let _ = all.await;
            }
        }
    }
}
