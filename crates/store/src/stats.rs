//! Figures for the metrics endpoint: the connection pool and the job queue. Read at
//! scrape time, so they cost one grouped query per scrape and nothing per request.

use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx};
use crate::error::StoreResult;

/// The connection pool right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open (in use + idle).
    pub size: u32,
    pub idle: u32,
    /// The configured ceiling.
    pub max: u32,
}

impl PoolStats {
    pub fn in_use(&self) -> u32 {
        self.size.saturating_sub(self.idle)
    }
}

/// How many jobs of a queue are in a status (not `done`: that only grows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueCount {
    pub queue: String,
    pub status: String,
    pub count: i64,
}

/// The job queue right now, across tenants.
#[derive(Debug, Clone, Default)]
pub struct QueueStats {
    pub counts: Vec<QueueCount>,
    /// Per queue: the `run_at` of the oldest job that is due and still waiting. Jobs
    /// scheduled for later (a retry's backoff) are not late, so they do not count.
    pub oldest_due: Vec<(String, DateTime<Utc>)>,
}

impl Db {
    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle, max) = with_db!(self, |p| (p.size(), p.num_idle(), p.options().get_max_connections()));
        PoolStats { size, idle: u32::try_from(idle).unwrap_or(u32::MAX), max }
    }

    pub async fn queue_stats(&self) -> StoreResult<QueueStats> {
        const COUNTS: &str = "SELECT queue, status, count(*) FROM jobs \
                              WHERE status IN ('queued', 'running', 'failed', 'dead') GROUP BY queue, status";
        const OLDEST: &str = "SELECT queue, min(run_at) FROM jobs \
                              WHERE status = 'queued' AND run_at <= $1 GROUP BY queue";
        let rows: Vec<(String, String, i64)> = db_query!(self, fetch_all, COUNTS)?;
        let oldest: Vec<(String, Option<DateTime<Utc>>)> = db_query!(self, fetch_all, OLDEST, crate::now())?;
        Ok(QueueStats {
            counts: rows.into_iter().map(|(queue, status, count)| QueueCount { queue, status, count }).collect(),
            oldest_due: oldest.into_iter().filter_map(|(q, at)| at.map(|at| (q, at))).collect(),
        })
    }
}

/// Times how long a transaction waited to begin (a pooled connection, and on SQLite the
/// write lock), and counts the waits that ran out: the pool's saturation, cheaply.
pub(crate) async fn timed_begin(
    mode: &'static str,
    begin: impl Future<Output = Result<Tx, sqlx::Error>>,
) -> Result<Tx, sqlx::Error> {
    let started = Instant::now();
    let result = begin.await;
    metrics::histogram!("garasi_db_begin_duration_seconds", "mode" => mode).record(started.elapsed().as_secs_f64());
    if let Err(sqlx::Error::PoolTimedOut) = &result {
        metrics::counter!("garasi_db_acquire_timeouts_total").increment(1);
    }
    result
}
