//! The job queue and outbox (`jobs`, a platform table without RLS).
//!
//! - [`Outbox`] (from `TenantTx::outbox()`) enqueues a tenant's jobs inside the tenant's
//!   transaction, so a reply message and the job that sends it commit together.
//! - [`Jobs`] (from [`Db::jobs`]) is the worker side, across tenants: claim, complete,
//!   fail. A worker does a job's work in a transaction scoped to the job's tenant.
//!
//! Delivery is at least once. A repeated enqueue with the same `dedupe_key` is a no-op.
//! Jobs sharing an `ordering_key` (e.g. one conversation's outbound messages) are
//! claimed one at a time in creation order: a job is claimable only when no older job
//! with its key is still queued or running. Claiming uses `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL (several workers never take the same job) and a single
//! `UPDATE … RETURNING` on SQLite (one writer at a time). A running job whose lease
//! (`locked_until`) ran out is claimable again, so a crashed worker's jobs are retried.

use std::time::Duration;

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub queue: String,
    pub kind: String,
    pub payload: Value,
    /// When it may run; `None` is now.
    pub run_at: Option<DateTime<Utc>>,
    /// A second enqueue with the same key does nothing.
    pub dedupe_key: Option<String>,
    /// Jobs with one key run in creation order.
    pub ordering_key: Option<String>,
    pub max_attempts: i64,
}

impl NewJob {
    pub fn new(queue: impl Into<String>, kind: impl Into<String>, payload: Value) -> NewJob {
        NewJob {
            queue: queue.into(),
            kind: kind.into(),
            payload,
            run_at: None,
            dedupe_key: None,
            ordering_key: None,
            max_attempts: 8,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub tenant_id: Option<TenantId>,
    pub queue: String,
    pub kind: String,
    pub payload: Value,
    /// `queued`, `running`, `done`, `failed` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
    pub ordering_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct JobRow {
    id: Uuid,
    tenant_id: Option<Uuid>,
    queue: String,
    kind: String,
    payload: Json<Value>,
    status: String,
    attempts: i64,
    max_attempts: i64,
    run_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    locked_by: Option<String>,
    last_error: Option<String>,
    dedupe_key: Option<String>,
    ordering_key: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Job {
        Job {
            id: r.id,
            tenant_id: r.tenant_id.map(TenantId),
            queue: r.queue,
            kind: r.kind,
            payload: r.payload.0,
            status: r.status,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: r.run_at,
            locked_until: r.locked_until,
            locked_by: r.locked_by,
            last_error: r.last_error,
            dedupe_key: r.dedupe_key,
            ordering_key: r.ordering_key,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const COLUMNS: &str = "id, tenant_id, queue, kind, payload, status, attempts, max_attempts, run_at, locked_until, \
                       locked_by, last_error, dedupe_key, ordering_key, created_at, updated_at";

const INSERT: &str = "INSERT INTO jobs (id, tenant_id, queue, kind, payload, status, attempts, max_attempts, run_at, \
                      dedupe_key, ordering_key, created_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $8, $9, $10, $10) \
                      ON CONFLICT (dedupe_key) DO NOTHING";

/// A tenant's side of the queue, inside the tenant's transaction.
pub struct Outbox<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Outbox<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Outbox { tx, tenant }
    }

    /// Enqueues a job of this tenant. `None` when a job with the same dedupe key exists.
    pub async fn enqueue(&mut self, job: &NewJob) -> StoreResult<Option<Uuid>> {
        let id = Uuid::now_v7();
        let at = now();
        let n = tx_query!(
            self.tx,
            execute,
            INSERT,
            id,
            self.tenant.0,
            &job.queue,
            &job.kind,
            Json(&job.payload),
            job.max_attempts.max(1),
            job.run_at.unwrap_or(at),
            &job.dedupe_key,
            &job.ordering_key,
            at
        )
        .map_err(StoreError::from_write)?;
        Ok((n > 0).then_some(id))
    }

    /// This tenant's jobs of `queue`, oldest first (for the admin and tests).
    pub async fn list(&mut self, queue: &str, limit: i64) -> StoreResult<Vec<Job>> {
        let sql =
            format!("SELECT {COLUMNS} FROM jobs WHERE tenant_id = $1 AND queue = $2 ORDER BY created_at, id LIMIT $3");
        let rows: Vec<JobRow> = tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, queue, limit)?;
        Ok(rows.into_iter().map(Job::from).collect())
    }

    /// Withdraws this tenant's still-queued jobs of `queue` whose dedupe key starts with
    /// `key_prefix` (the reminders of an appointment that moved or was cancelled): they are
    /// marked done with the note `withdrawn`, so they never run. Returns how many. The
    /// prefix must not contain `%` or `_` (LIKE wildcards).
    pub async fn withdraw(&mut self, queue: &str, key_prefix: &str) -> StoreResult<u64> {
        const SQL: &str = "UPDATE jobs SET status = 'done', last_error = 'withdrawn', updated_at = $4 \
                           WHERE tenant_id = $1 AND queue = $2 AND dedupe_key LIKE $3 AND status = 'queued'";
        let pattern = format!("{}%", key_prefix.replace(['%', '_'], ""));
        Ok(tx_query!(self.tx, execute, SQL, self.tenant.0, queue, &pattern, now())?)
    }

    /// Marks this tenant's queued jobs as done without a worker: for channels that
    /// deliver synchronously (the simulator answers in its HTTP response).
    pub async fn mark_delivered(&mut self, ids: &[Uuid], by: &str) -> StoreResult<u64> {
        const SQL: &str = "UPDATE jobs SET status = 'done', locked_by = $3, updated_at = $4 \
                           WHERE tenant_id = $1 AND id = $2 AND status = 'queued'";
        let at = now();
        let mut total = 0;
        for id in ids {
            total += tx_query!(self.tx, execute, SQL, self.tenant.0, *id, by, at)?;
        }
        Ok(total)
    }
}

/// The workers' side of the queue, across tenants.
#[derive(Clone, Debug)]
pub struct Jobs {
    db: Db,
}

impl Db {
    /// The job queue, for workers.
    pub fn jobs(&self) -> Jobs {
        Jobs { db: self.clone() }
    }
}

/// Claimable: queued and due, or running with an expired lease (or one taken over,
/// spliced in at `{}`); and no older job of the same ordering key still waiting or running.
const CLAIMABLE: &str = "j.queue = $1 AND ((j.status = 'queued' AND j.run_at <= $2) \
     OR (j.status = 'running' AND j.locked_until < $2){}) \
     AND (j.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs e WHERE e.ordering_key = j.ordering_key \
     AND e.status IN ('queued', 'running', 'failed') \
     AND (e.created_at < j.created_at OR (e.created_at = j.created_at AND e.id < j.id))))";

impl Jobs {
    /// Claims up to `limit` jobs of `queue` for `worker`, leased for `lease`. Each claim
    /// counts as an attempt.
    pub async fn claim(&self, queue: &str, worker: &str, limit: i64, lease: Duration) -> StoreResult<Vec<Job>> {
        self.claim_for(queue, worker, None, limit, lease, now()).await
    }

    /// [`Jobs::claim`] as of `at` instead of the system clock: jobs due by then. Workers
    /// driven by a controllable clock (appointment reminders) claim with it.
    pub async fn claim_due(
        &self,
        queue: &str,
        worker: &str,
        limit: i64,
        lease: Duration,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Job>> {
        self.claim_for(queue, worker, None, limit, lease, at).await
    }

    /// Both kinds of claim, in one statement. On PostgreSQL the subquery locks the jobs
    /// it picks (`FOR UPDATE SKIP LOCKED`); SQLite runs one writer at a time, so no two
    /// workers see the same job as claimable. With `holder`, only jobs of tenants whose
    /// WhatsApp lease it holds (bound to `$6`).
    async fn claim_for(
        &self,
        queue: &str,
        worker: &str,
        holder: Option<&str>,
        limit: i64,
        lease: Duration,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Job>> {
        let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
        let held = match holder {
            Some(_) => {
                " AND j.tenant_id IN (SELECT l.tenant_id FROM wa_leases l WHERE l.holder = $6 AND l.expires_at > $2)"
            }
            None => "",
        };
        // A running job of a tenant whose WhatsApp lease this instance now holds, claimed by
        // another instance's worker (`<holder>/<role>`), is taken over at once: that instance
        // lost the lease (it died, or stops sending when it notices), so waiting out the
        // job's own lease would only delay the customer's reply by minutes after a crash.
        // Delivery stays at-least-once, as it always was for a crash mid-send.
        let taken_over = match holder {
            Some(_) => " OR (j.status = 'running' AND substr(j.locked_by, 1, length($6) + 1) <> ($6 || '/'))",
            None => "",
        };
        let claimable = CLAIMABLE.replacen("{}", taken_over, 1);
        let lock = if matches!(self.db, Db::Postgres(_)) { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $3, locked_by = $4, \
             updated_at = $2 WHERE id IN (SELECT j.id FROM jobs j WHERE {claimable}{held} \
             ORDER BY j.run_at, j.created_at, j.id LIMIT $5{lock}) RETURNING {COLUMNS}"
        );
        let rows: Vec<JobRow> = with_db_write!(&self.db, |p| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(queue).bind(at).bind(until).bind(worker).bind(limit);
            match holder {
                Some(h) => q.bind(h),
                None => q,
            }
            .fetch_all(p)
            .await
        })?;
        let mut jobs: Vec<Job> = rows.into_iter().map(Job::from).collect();
        jobs.sort_by_key(|j| (j.run_at, j.created_at, j.id));
        Ok(jobs)
    }

    /// Marks a claimed job done. `false` when `worker` no longer holds it.
    pub async fn complete(&self, id: Uuid, worker: &str) -> StoreResult<bool> {
        self.settle(id, worker, "status = 'done'", None, None).await
    }

    /// Records a failed attempt: the job runs again after `retry_in`, or is `dead`
    /// once it used all its attempts (its ordering key then moves on).
    pub async fn fail(&self, id: Uuid, worker: &str, error: &str, retry_in: Duration) -> StoreResult<bool> {
        const SET: &str = "status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END";
        self.settle(id, worker, SET, Some(error), Some(retry_in)).await
    }

    /// Ends `worker`'s hold on a running job: applies `set`, records `note` as the last
    /// error (none clears it) and, with `retry_in`, when it runs next. `false` when
    /// `worker` no longer holds the job. Every way out of `running` goes through here.
    async fn settle(
        &self,
        id: Uuid,
        worker: &str,
        set: &str,
        note: Option<&str>,
        retry_in: Option<Duration>,
    ) -> StoreResult<bool> {
        let at = now();
        let retry_at = retry_in.map(|d| at + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::minutes(1)));
        let sql = format!(
            "UPDATE jobs SET {set}, run_at = COALESCE($4, run_at), locked_until = NULL, last_error = $3, \
             updated_at = $5 WHERE id = $1 AND locked_by = $2 AND status = 'running'"
        );
        let note: Option<String> = note.map(|n| n.chars().take(2000).collect());
        let n = db_write!(&self.db, execute, sqlx::AssertSqlSafe(sql.as_str()), id, worker, &note, retry_at, at)?;
        Ok(n > 0)
    }

    pub async fn get(&self, id: Uuid) -> StoreResult<Option<Job>> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let row: Option<JobRow> = db_query!(&self.db, fetch_optional, sqlx::AssertSqlSafe(sql.clone()), id)?;
        Ok(row.map(Job::from))
    }
}

// ---------------------------------------------------------------------------------------------
// WhatsApp delivery (the channels crate): the inbox and outbox queues, claims scoped to the
// connections an instance holds, attempts that do not count, and the dead-letter list.
// ---------------------------------------------------------------------------------------------

/// Queue of inbound WhatsApp messages, persisted (and deduplicated by provider id) before
/// the webhook or the WhatsApp Web client acknowledges them.
pub const WHATSAPP_IN: &str = "whatsapp_in";
/// Queue of outbound WhatsApp messages (the outbox). See [`WhatsappOut`].
pub const WHATSAPP_OUT: &str = "whatsapp_out";

/// One outbound WhatsApp message, the payload of a [`WHATSAPP_OUT`] job. A reply of
/// text and photos is several jobs (one per message) sharing the chat's ordering key,
/// so they go out in order and a retry never resends what already went.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WhatsappOut {
    /// The recipient, E.164.
    pub to: String,
    /// The recipient's WhatsApp LID, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_lid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A car photo: its URL (`…/media/cars/{car_id}/{photo_id}/large.jpg`) or `{car_id}/{photo_id}`.
    /// The large JPEG is read from the blob store, never fetched over HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Provider id of the message being answered: it is marked read (with a typing
    /// indicator) before the answer goes out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// An approved template to send instead of `text` (Cloud API, outside the 24-hour
    /// window); `text` stays the transcript's wording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateOut>,
    /// The channel kind the message was written for (`waweb`, `cloud_api`, `simulator`). A
    /// job left over from another kind (the showroom switched channels) is not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// A WhatsApp message template by name, with its body parameters.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TemplateOut {
    pub name: String,
    pub language: String,
    #[serde(default)]
    pub params: Vec<String>,
}

impl WhatsappOut {
    /// A reply: the text first, then each photo (the first one captioned with `caption`).
    pub fn reply(
        channel: &str,
        to: &str,
        reply_to: Option<&str>,
        text: Option<&str>,
        images: &[String],
        caption: Option<&str>,
    ) -> Vec<WhatsappOut> {
        let base = WhatsappOut {
            to: to.to_owned(),
            reply_to: reply_to.map(str::to_owned),
            channel: Some(channel.to_owned()),
            ..WhatsappOut::default()
        };
        let mut out = Vec::new();
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            out.push(WhatsappOut { text: Some(t.to_owned()), ..base.clone() });
        }
        for (i, img) in images.iter().enumerate() {
            out.push(WhatsappOut {
                image: Some(img.clone()),
                caption: if i == 0 { caption.map(str::to_owned) } else { None },
                ..base.clone()
            });
        }
        out
    }
}

impl Outbox<'_> {
    /// Enqueues outbound WhatsApp messages of this tenant, in order. Messages answering
    /// one inbound message (`reply_to`) are deduplicated, so processing an inbound message
    /// twice never sends its answer twice. Returns the ids of the jobs created.
    pub async fn enqueue_whatsapp(&mut self, messages: &[WhatsappOut]) -> StoreResult<Vec<Uuid>> {
        let mut ids = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            let mut job = NewJob::new(WHATSAPP_OUT, "send", serde_json::to_value(m).unwrap_or_default());
            job.ordering_key = Some(format!("wa:{}:{}", self.tenant.0, m.to));
            job.dedupe_key = m.reply_to.as_ref().map(|r| format!("wa-out:{}:{r}:{i}", self.tenant.0));
            if let Some(id) = self.enqueue(&job).await? {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// This tenant's jobs of `queue` with `status` (e.g. the `dead` letters), newest first.
    pub async fn list_status(&mut self, queue: &str, status: &str, limit: i64, offset: i64) -> StoreResult<Vec<Job>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE tenant_id = $1 AND queue = $2 AND status = $3 \
             ORDER BY updated_at DESC, id DESC LIMIT $4 OFFSET $5"
        );
        let rows: Vec<JobRow> =
            tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, queue, status, limit, offset)?;
        Ok(rows.into_iter().map(Job::from).collect())
    }

    /// How many of this tenant's jobs of `queue` have `status`.
    pub async fn count_status(&mut self, queue: &str, status: &str) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM jobs WHERE tenant_id = $1 AND queue = $2 AND status = $3";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0, queue, status)?)
    }

    /// Puts one of this tenant's dead jobs back in the queue with fresh attempts.
    /// `false` when there is no such dead job.
    pub async fn retry_dead(&mut self, queue: &str, id: Uuid) -> StoreResult<bool> {
        const SQL: &str = "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $4, locked_until = NULL, \
                           locked_by = NULL, updated_at = $4 \
                           WHERE tenant_id = $1 AND queue = $2 AND id = $3 AND status = 'dead'";
        let n = tx_query!(self.tx, execute, SQL, self.tenant.0, queue, id, now())?;
        Ok(n > 0)
    }
}

impl Jobs {
    /// Like [`Jobs::claim`], but only jobs of tenants whose WhatsApp lease (`wa_leases`)
    /// `holder` holds: the instance driving a number is the one that sends from it.
    pub async fn claim_held(
        &self,
        queue: &str,
        worker: &str,
        holder: &str,
        limit: i64,
        lease: Duration,
    ) -> StoreResult<Vec<Job>> {
        self.claim_for(queue, worker, Some(holder), limit, lease, now()).await
    }

    /// Puts a claimed job back without counting the attempt (rate limited, daily cap,
    /// connection not up yet): it runs again after `retry_in`.
    pub async fn release(&self, id: Uuid, worker: &str, note: &str, retry_in: Duration) -> StoreResult<bool> {
        const SET: &str = "status = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END";
        self.settle(id, worker, SET, Some(note), Some(retry_in)).await
    }

    /// Puts back every job that any worker of the instance `holder` (`<holder>/<role>`)
    /// still has running, due now: a clean stop whose workers did not finish in time, so
    /// another instance (or the next start) runs them at once instead of waiting out their
    /// lease. The attempt counts, so the next run knows the job was started before (the bot
    /// then answers a message the interrupted run had filed). Returns how many.
    pub async fn release_claims(&self, holder: &str) -> StoreResult<u64> {
        let sql = format!(
            "UPDATE jobs SET status = 'queued', run_at = $2, locked_until = NULL, locked_by = NULL, last_error = 'released at shutdown', \
             updated_at = $2 WHERE {}",
            crate::instances::HELD_BY
        );
        Ok(db_write!(&self.db, execute, sqlx::AssertSqlSafe(sql), holder, now())?)
    }

    /// A claimed job that can never succeed goes straight to the dead letters.
    pub async fn kill(&self, id: Uuid, worker: &str, error: &str) -> StoreResult<bool> {
        self.settle(id, worker, "status = 'dead'", Some(error), None).await
    }

    /// Jobs of a tenant's `queue` completed since `since` (a per-number daily cap).
    /// When a platform job of `queue` last finished (the last scheduled backup, say): what
    /// every instance reports after a restart, whichever instance did the work.
    pub async fn last_done_at(&self, queue: &str) -> StoreResult<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT updated_at FROM jobs WHERE queue = $1 AND status = 'done' \
                           ORDER BY updated_at DESC LIMIT 1";
        Ok(db_query!(&self.db, scalar_optional, SQL, queue)?)
    }

    pub async fn count_done_since(&self, tenant: TenantId, queue: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        const SQL: &str = "SELECT count(*) FROM jobs WHERE tenant_id = $1 AND queue = $2 AND status = 'done' \
                           AND updated_at >= $3";
        Ok(db_query!(&self.db, scalar_one, SQL, tenant.0, queue, since)?)
    }
}
