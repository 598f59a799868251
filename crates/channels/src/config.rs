//! Settings of the channel layer. `Default` gives the production values; tests shrink
//! the delays.

use std::path::PathBuf;
use std::time::Duration;

/// Human-looking pacing of outbound messages (ban avoidance on WhatsApp Web, pair-rate
/// limits on the Cloud API).
#[derive(Debug, Clone)]
pub struct Pacing {
    /// Typing time before a text: `base + per_char × length`, capped at `max`, ±25 % jitter.
    pub typing_base: Duration,
    pub typing_per_char: Duration,
    pub typing_max: Duration,
    /// Gap between two photos to one chat: uniformly random in this range.
    pub photo_gap_min: Duration,
    pub photo_gap_max: Duration,
    /// Messages a number may send per day (Asia/Jakarta); 0 = no cap.
    pub daily_cap: u32,
    /// Numbers that never wrote to the showroom a number may message first per day
    /// (Asia/Jakarta); 0 = no cap. whatsapp-rust 0.7 has no query for WhatsApp's own
    /// new-chat cap, so Garasi keeps its own.
    pub new_chats_per_day: u32,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            typing_base: Duration::from_millis(800),
            typing_per_char: Duration::from_millis(25),
            typing_max: Duration::from_secs(4),
            photo_gap_min: Duration::from_millis(1500),
            photo_gap_max: Duration::from_millis(3000),
            daily_cap: 1000,
            new_chats_per_day: 50,
        }
    }
}

impl Pacing {
    /// No waiting at all (tests).
    pub fn instant() -> Pacing {
        Pacing {
            typing_base: Duration::ZERO,
            typing_per_char: Duration::ZERO,
            typing_max: Duration::ZERO,
            photo_gap_min: Duration::ZERO,
            photo_gap_max: Duration::ZERO,
            daily_cap: 0,
            new_chats_per_day: 0,
        }
    }
}

/// Lease timings for several instances on one database.
#[derive(Debug, Clone)]
pub struct LeaseTimings {
    /// How long a lease lasts without renewal; also how long an instance's heartbeat
    /// (renewed with its leases) may go stale before other instances take it for dead and
    /// take over its claimed jobs and leases at once.
    pub ttl: Duration,
    /// How often the holder renews its leases and heartbeat (and the manager looks for free
    /// leases and dead instances).
    pub renew_every: Duration,
    /// How long an expired lease stays untouchable, so its last holder has noticed and
    /// stopped before anyone else connects: more than `renew_every`.
    pub grace: Duration,
}

impl Default for LeaseTimings {
    fn default() -> Self {
        LeaseTimings {
            // A dead instance is noticed within ttl + renew_every (25 s), well inside the
            // 30 s promised in docs/DEPLOY.md; a live holder cut off from the database stops
            // its connections after ttl - renew_every (15 s), before anyone takes over.
            ttl: Duration::from_secs(20),
            renew_every: Duration::from_secs(5),
            grace: Duration::from_secs(10),
        }
    }
}

/// WhatsApp Web supervision.
#[derive(Debug, Clone)]
pub struct WaWebTimings {
    /// Status poll (whatsapp-rust raises no event for a connect that never opens).
    pub poll_every: Duration,
    /// A client that has not connected for this long is shut down and rebuilt.
    pub stuck_after: Duration,
    /// Rebuild backoff: doubles from `backoff_min` up to `backoff_max`, with jitter.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Tests only: the WebSocket URL instead of WhatsApp's.
    pub ws_url: Option<String>,
    /// Tests only: a fixed WA Web version, which skips the version lookup over the internet.
    pub version: Option<(u32, u32, u32)>,
}

impl Default for WaWebTimings {
    fn default() -> Self {
        WaWebTimings {
            poll_every: Duration::from_secs(5),
            stuck_after: Duration::from_secs(10 * 60),
            backoff_min: Duration::from_secs(5),
            backoff_max: Duration::from_secs(5 * 60),
            ws_url: None,
            version: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChannelsConfig {
    /// Where per-tenant WhatsApp Web device stores live: `<data>/whatsapp/<tenant_id>/`.
    pub data_dir: PathBuf,
    /// Graph API base including the version, e.g. `https://graph.facebook.com/v23.0`.
    pub graph_base_url: String,
    pub graph_timeout: Duration,
    pub pacing: Pacing,
    pub lease: LeaseTimings,
    pub waweb: WaWebTimings,
    /// Outbox and inbox polling interval when idle.
    pub poll_every: Duration,
    /// First retry delay of a failed send or inbound message; doubles per attempt (with jitter).
    pub retry_base: Duration,
    /// Wait after a rate-limit error that names no Retry-After.
    pub rate_limit_wait: Duration,
    /// Outbound jobs sent at once by this instance (across tenants; one per chat).
    pub send_concurrency: usize,
    /// Largest received photo accepted (`/foto`).
    pub max_media_bytes: usize,
    /// Whether this instance runs the manager and workers (off in some tests and CLI commands).
    pub run_workers: bool,
    /// Take only this tenant's lease and run no inbox/outbox workers (`garasi wa pair`).
    pub only_tenant: Option<garasi_domain::TenantId>,
    /// This process (its stable instance identity, host, pid).
    pub identity: crate::instance::Identity,
    /// At shutdown, how long jobs in flight get to finish; what is left is put back in the
    /// queue for another instance (or the next start) to run at once.
    pub worker_drain: Duration,
    /// How long an "is on WhatsApp?" answer is kept (safe first contact).
    pub first_contact_ttl: Duration,
}

impl ChannelsConfig {
    pub fn new(data_dir: PathBuf) -> ChannelsConfig {
        ChannelsConfig {
            data_dir,
            graph_base_url: "https://graph.facebook.com/v23.0".into(),
            graph_timeout: Duration::from_secs(20),
            pacing: Pacing::default(),
            lease: LeaseTimings::default(),
            waweb: WaWebTimings::default(),
            poll_every: Duration::from_millis(500),
            retry_base: Duration::from_secs(2),
            rate_limit_wait: Duration::from_secs(30),
            send_concurrency: 16,
            max_media_bytes: 15 * 1024 * 1024,
            run_workers: true,
            only_tenant: None,
            identity: crate::instance::Identity::current(None),
            worker_drain: Duration::from_secs(10),
            first_contact_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }

    /// The device store directory of one tenant.
    pub fn waweb_dir(&self, tenant: garasi_domain::TenantId) -> PathBuf {
        self.data_dir.join("whatsapp").join(tenant.0.to_string())
    }
}
