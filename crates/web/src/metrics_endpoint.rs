//! `GET /metrics` on the internal listener: the Prometheus text format. The recorder
//! itself is installed by the composition root (`garasi-app`), which hands us a function
//! that renders it. Gauges that describe shared state (the job queue, the pool, the
//! connections this instance holds) are sampled here, at scrape time, so they cost one
//! grouped query per scrape and nothing per request.
//!
//! The queue figures are the whole fleet's (every instance reports the same numbers):
//! alert on `max without (instance)`, not `sum`.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use garasi_store::jobs::{WHATSAPP_IN, WHATSAPP_OUT};
use http::header;

use crate::state::AppState;

/// Renders the installed recorder's current values.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// Job statuses worth a gauge (`done` only ever grows).
const JOB_STATUSES: [&str; 3] = ["queued", "running", "failed"];

/// Queue names seen so far, so a queue that empties reports zeros instead of its last
/// value. Queue names come from code, not from users; the pattern check is a backstop.
static QUEUES: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

pub async fn scrape(State((state, render)): State<(AppState, MetricsRender)>) -> Response {
    sample(&state).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], render()).into_response()
}

async fn sample(state: &AppState) {
    // The pool first: the queue query below borrows a connection of its own.
    let pool = state.db.pool_stats();
    metrics::gauge!("garasi_db_pool_connections", "state" => "in_use").set(f64::from(pool.in_use()));
    metrics::gauge!("garasi_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("garasi_db_pool_max_connections").set(f64::from(pool.max));
    let (bytes, entries) = state.page_cache.usage();
    metrics::gauge!("garasi_page_cache_bytes").set(bytes as f64);
    metrics::gauge!("garasi_page_cache_entries").set(entries as f64);

    if let Some(channels) = &state.whatsapp {
        let counts = channels.connection_counts();
        for kind in garasi_channels::CONN_KINDS {
            for status in garasi_channels::conn_statuses() {
                let n = counts.get(&(kind.as_str(), status)).copied().unwrap_or(0);
                metrics::gauge!("garasi_whatsapp_connections", "kind" => kind.as_str(), "status" => status)
                    .set(n as f64);
            }
        }
    }

    let stats = match state.db.queue_stats().await {
        Ok(s) => s,
        Err(e) => {
            // Stale queue gauges are better than a failed scrape: the pool and HTTP
            // figures are what tells the operator the database is in trouble.
            tracing::warn!(error = %e, "metrics: reading the job queue failed");
            return;
        }
    };
    let queues: Vec<String> = {
        let mut known = QUEUES.lock().expect("queues lock");
        known.insert(WHATSAPP_IN.to_owned());
        known.insert(WHATSAPP_OUT.to_owned());
        for c in &stats.counts {
            if is_label_safe(&c.queue) {
                known.insert(c.queue.clone());
            }
        }
        known.iter().cloned().collect()
    };
    let now = Utc::now();
    for queue in queues {
        let count = |status: &str| {
            stats.counts.iter().filter(|c| c.queue == queue && c.status == status).map(|c| c.count).sum::<i64>() as f64
        };
        for status in JOB_STATUSES {
            metrics::gauge!("garasi_queue_jobs", "queue" => queue.clone(), "status" => status).set(count(status));
        }
        metrics::gauge!("garasi_queue_dead_letters", "queue" => queue.clone()).set(count("dead"));
        let age = stats
            .oldest_due
            .iter()
            .find(|(q, _)| *q == queue)
            .map(|(_, at)| (now - *at).num_milliseconds().max(0) as f64 / 1000.0)
            .unwrap_or(0.0);
        metrics::gauge!("garasi_queue_oldest_due_age_seconds", "queue" => queue).set(age);
    }
}

fn is_label_safe(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
