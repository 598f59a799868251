//! The process-wide metrics recorder (Prometheus), installed once by the composition
//! root. The other crates record through the `metrics` facade; `/metrics` on the
//! internal listener renders what this recorder holds (`garasi_web::internal_router`).
//!
//! Every family is described here, with its labels, so this file is the list an
//! operator reads. Labels are bounded: route templates, status classes, site kinds,
//! queue names, connection kinds and statuses. Nothing is labelled per showroom.
//!
//! Tests start several servers in one process; they share this one recorder, so
//! installing is idempotent and tests assert on families and increments, not totals.

use std::sync::{Arc, OnceLock};

use garasi_web::MetricsRender;
use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Unix time of the last backup that completed; 0 until one does (set by `garasi backup`'s
/// scheduled runs through [`record_backup_success`]). The alert on it is in
/// `deploy/monitoring/alerts.yml`.
pub const BACKUP_LAST_SUCCESS: &str = "garasi_backup_last_success_timestamp_seconds";

/// Latency buckets in seconds, shared by every histogram (requests, bot replies, photo
/// stages, transaction begins): from a cache hit to a slow LLM reply or a large photo.
const BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder on first use and returns the renderer for `/metrics`; `None`
/// if another recorder was installed first (then `/metrics` is not served).
pub fn install() -> Option<MetricsRender> {
    let handle = HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().set_buckets(BUCKETS).ok()?.build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).ok()?;
        // Histogram samples are buffered until drained; with nobody scraping they would
        // pile up. A plain thread, not a task: the recorder outlives any one runtime
        // (tests start a runtime per test).
        let upkeep = handle.clone();
        let _ = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(5));
                upkeep.run_upkeep();
            }
        });
        describe();
        // Present from the start, so alerts and dashboards see 0 rather than no series.
        metrics::gauge!(BACKUP_LAST_SUCCESS).set(0.0);
        metrics::gauge!("garasi_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        // Counters with their known labels at 0, so `rate()` and `increase()` have a
        // starting point and alerts see a series before the first event.
        for site in ["root", "tenant"] {
            metrics::counter!("garasi_login_failures_total", "site" => site).absolute(0);
            metrics::counter!("garasi_login_throttled_total", "site" => site).absolute(0);
        }
        for result in ["hit", "miss"] {
            metrics::counter!("garasi_page_cache_requests_total", "result" => result).absolute(0);
        }
        for path in ["command", "offline", "llm", "fallback"] {
            metrics::counter!("garasi_bot_replies_total", "path" => path).absolute(0);
        }
        for direction in ["in", "out"] {
            metrics::counter!("garasi_llm_tokens_total", "direction" => direction).absolute(0);
        }
        for outcome in ["ok", "error"] {
            metrics::counter!("garasi_llm_requests_total", "outcome" => outcome).absolute(0);
        }
        for event in ["acquired", "lost", "handover_requested"] {
            metrics::counter!("garasi_whatsapp_lease_handovers_total", "event" => event).absolute(0);
        }
        metrics::counter!("garasi_db_acquire_timeouts_total").absolute(0);
        for result in ["found", "unknown", "rejected"] {
            metrics::counter!("garasi_host_lookups_total", "result" => result).absolute(0);
        }
        metrics::counter!("garasi_host_index_loads_total").absolute(0);
        for class in ["pages", "api", "webhooks", "uploads", "simulator"] {
            metrics::counter!("garasi_rate_limited_total", "class" => class).absolute(0);
        }
        for why in ["contact", "shared_cap"] {
            metrics::counter!("garasi_bot_contact_budget_total", "why" => why).absolute(0);
        }
        Some(handle)
    });
    let handle = handle.clone()?;
    Some(Arc::new(move || handle.render()))
}

/// Marks a backup as done now.
pub fn record_backup_success(at: chrono::DateTime<chrono::Utc>) {
    metrics::gauge!(BACKUP_LAST_SUCCESS).set(at.timestamp() as f64);
}

fn describe() {
    describe_gauge!("garasi_build_info", "Always 1; the version label says which build runs.");
    describe_histogram!(
        "garasi_http_request_duration_seconds",
        Unit::Seconds,
        "Public listener requests until the response head, by route template (`unmatched` when no route \
         matched), status class and site kind (public, admin, root, api, none)."
    );
    describe_counter!(
        "garasi_page_cache_requests_total",
        "Anonymous GETs of public pages by page-cache result (hit, miss)."
    );
    describe_counter!("garasi_bot_replies_total", "Bot replies by path (command, offline, llm, fallback).");
    describe_histogram!(
        "garasi_bot_reply_duration_seconds",
        Unit::Seconds,
        "From receiving a message to its reply being in the outbox, by path."
    );
    describe_counter!("garasi_llm_requests_total", "Requests to the LLM by outcome (ok, error).");
    describe_counter!(
        "garasi_llm_tokens_total",
        "LLM tokens as the provider counted them: in (prompt), out (completion)."
    );
    describe_gauge!(
        "garasi_queue_jobs",
        "Jobs by queue and status (queued, running, failed), whole fleet, sampled at scrape."
    );
    describe_gauge!("garasi_queue_dead_letters", "Jobs that gave up (dead letters) by queue, whole fleet.");
    describe_gauge!(
        "garasi_queue_oldest_due_age_seconds",
        Unit::Seconds,
        "How long the oldest due, still queued job of each queue has waited; 0 when none waits."
    );
    describe_gauge!(
        "garasi_whatsapp_connections",
        "WhatsApp connections held by this instance, by kind (waweb, cloud_api) and status."
    );
    describe_counter!(
        "garasi_whatsapp_lease_handovers_total",
        "WhatsApp lease changes seen by this instance: acquired, lost, handover_requested."
    );
    describe_gauge!("garasi_db_pool_connections", "Database pool connections by state (in_use, idle).");
    describe_gauge!("garasi_db_pool_max_connections", "The database pool's ceiling.");
    describe_gauge!(
        "garasi_page_cache_bytes",
        Unit::Bytes,
        "Memory held by this instance's cache of public pages (GARASI_PAGE_CACHE_MAX_BYTES bounds it)."
    );
    describe_gauge!("garasi_page_cache_entries", "Pages in this instance's cache of public pages.");
    describe_histogram!(
        "garasi_db_begin_duration_seconds",
        Unit::Seconds,
        "Waiting to begin a transaction (a pooled connection; on SQLite also the write lock), by mode (read, write)."
    );
    describe_counter!(
        "garasi_db_acquire_timeouts_total",
        "Transactions refused because no pooled connection came in time."
    );
    describe_histogram!(
        "garasi_photo_pipeline_duration_seconds",
        Unit::Seconds,
        "One photo's stages: process (check, decode, resize, encode) and store, by outcome (ok, error)."
    );
    describe_counter!("garasi_login_failures_total", "Failed logins by site (root, tenant).");
    describe_counter!("garasi_login_throttled_total", "Logins refused by the throttle, by site (root, tenant).");
    describe_counter!(
        "garasi_host_lookups_total",
        "Hosts not in the positive host cache, by result: found or unknown (a database lookup), rejected \
         (unknown from the in-memory set of known hosts, no query)."
    );
    describe_counter!("garasi_host_index_loads_total", "Loads of the known-host set (every slug and verified domain).");
    describe_counter!(
        "garasi_rate_limited_total",
        "Requests refused with 429 by the per-address limits, by class (pages, api, webhooks, uploads), and bot \
         simulator messages refused by the per-user limit (simulator)."
    );
    describe_counter!(
        "garasi_bot_contact_budget_total",
        "Customers told once that the bot pauses for them, by why: contact (its daily budget) or shared_cap (the \
         number's shared part of the daily cap, the rest kept for new contacts)."
    );
    describe_gauge!(
        BACKUP_LAST_SUCCESS,
        Unit::Seconds,
        "Unix time of the last completed backup; 0 until one completes."
    );
}
