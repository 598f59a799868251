//! The one loop behind every clock-driven worker (visit reminders, follow-ups, lead
//! response deadlines): claim what is due by [`Services::clock`], run each job, and
//! complete, retry or kill it. Each worker only says how one job is done.

use std::future::Future;
use std::time::Duration;

use garasi_domain::TenantId;
use serde::de::DeserializeOwned;

use crate::{ServiceResult, Services};

/// How long a claimed job stays with its worker before another instance may take it.
const CLAIM: Duration = Duration::from_secs(120);
/// How many jobs one call claims.
const BATCH: i64 = 20;
/// When a failed job is tried again.
const RETRY: Duration = Duration::from_secs(60);

/// Runs the jobs of `queue` due now. `run` does one job of a tenant and says how many
/// things it did (messages sent, leads moved); the sum is returned. A job whose payload
/// cannot be read is killed (it would never succeed); a job that fails is retried later.
/// `what` names the job in logs and in the queue's error column.
pub(crate) async fn run_due<P, F, Fut>(
    services: &Services,
    queue: &str,
    worker: &str,
    what: &str,
    mut run: F,
) -> ServiceResult<usize>
where
    P: DeserializeOwned,
    F: FnMut(TenantId, P) -> Fut,
    Fut: Future<Output = ServiceResult<usize>>,
{
    let jobs = services.db.jobs();
    let due = jobs.claim_due(queue, worker, BATCH, CLAIM, services.clock.now()).await?;
    let mut done = 0;
    for job in due {
        let outcome = match (job.tenant_id, serde_json::from_value::<P>(job.payload.clone())) {
            (Some(tenant), Ok(payload)) => run(tenant, payload).await,
            _ => {
                let _ = jobs.kill(job.id, worker, &format!("unreadable {what}")).await;
                continue;
            }
        };
        match outcome {
            Ok(n) => {
                done += n;
                let _ = jobs.complete(job.id, worker).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, job = what, "due job failed");
                let _ = jobs.fail(job.id, worker, &e.to_string(), RETRY).await;
            }
        }
    }
    Ok(done)
}
