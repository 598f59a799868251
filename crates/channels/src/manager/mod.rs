//! The connection manager: [`Channels`] is what the app holds. It runs one [`Channel`]
//! per tenant whose `wa_leases` row this instance holds and its workers, each in its own
//! module:
//!
//! - `control`: configure, status, pair, disconnect, logout (the dashboard, through
//!   `garasi_service::whatsapp::WhatsappControl`);
//! - `webhook`: the Cloud API webhook;
//! - `leases`: renew what we hold (stop what we lost), take free leases, start and stop
//!   connections, record their status;
//! - `alerts`: a number that needs its owner;
//! - `inbound`: `whatsapp_in` jobs → `/foto` photos or the [`InboundSink`] (bot engine);
//! - `outbound`: `whatsapp_out` jobs → paced sends, the daily cap, retries with backoff
//!   and jitter, dead letters;
//! - `queue`: the claim-and-run loop both workers share;
//! - `stats`: connection counts for the metrics endpoint.

mod alerts;
mod control;
pub mod first_contact;
mod inbound;
mod leases;
mod outbound;
mod queue;
mod stats;
mod takeover;
mod webhook;

pub use outbound::parse_photo_ref;
pub use stats::{CONN_KINDS, conn_statuses};
pub use webhook::WebhookError;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use garasi_domain::TenantId;
use garasi_media::BlobStore;
use garasi_service::Services;
use garasi_store::Db;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::channel::Channel;
use crate::cloud::GraphClient;
use crate::config::ChannelsConfig;
use crate::inbox::{InboundSink, Inbox};
use crate::secret::SecretBox;
use crate::types::{ChannelKind, ConnStatus, Pairing};

struct Conn {
    kind: ChannelKind,
    channel: Arc<dyn Channel>,
    watcher: JoinHandle<()>,
    /// For a connection held but not started (a number waiting for its owner), the
    /// stored status it is waiting in: what the metrics report while it stays stopped.
    parked: Option<&'static str>,
}

struct Inner {
    db: Db,
    config: ChannelsConfig,
    secrets: SecretBox,
    graph: GraphClient,
    media: Arc<dyn BlobStore>,
    holder: String,
    /// When this instance started (its `instances` row).
    started_at: chrono::DateTime<chrono::Utc>,
    inbox: Inbox,
    conns: Mutex<HashMap<TenantId, Arc<Conn>>>,
    /// Where inbound messages go (the bot engine), fixed at construction.
    sink: Arc<dyn InboundSink>,
    /// Publishes inventory events after `/foto` and holds the database and blob store.
    services: Services,
    alert_from: Option<String>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Per tenant: (Jakarta day, messages sent that day).
    sent_today: Mutex<HashMap<TenantId, (NaiveDate, u32)>>,
    /// Per chat: when its last photo went out.
    last_photo: Mutex<HashMap<(TenantId, String), Instant>>,
    /// Serialises lease-taking and connection start/stop per instance.
    control: tokio::sync::Mutex<()>,
    /// The WhatsApp Web connections made here, for [`Channels::inject_waweb_event`].
    #[cfg(feature = "waweb")]
    waweb: Mutex<HashMap<TenantId, std::sync::Weak<crate::waweb::WaWebChannel>>>,
}

/// What [`Channels::shutdown`] did, and how long each step took.
#[derive(Debug, Clone, Default)]
pub struct ShutdownReport {
    /// Workers stopping (claiming ends at once; jobs in flight get `worker_drain`).
    pub workers: Duration,
    /// Releasing the jobs still claimed.
    pub jobs: Duration,
    pub jobs_released: u64,
    /// Stopping connections and giving their leases back.
    pub leases: Duration,
    pub leases_released: u64,
}

/// The channel layer of one Garasi instance. Cheap to clone.
#[derive(Clone)]
pub struct Channels {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels").field("holder", &self.inner.holder).finish_non_exhaustive()
    }
}

impl Channels {
    /// The channel layer of one instance. `sink` receives every inbound message that is
    /// not a salesperson's `/foto` (the bot engine; `TranscriptSink` files them only).
    pub fn new(
        services: Services,
        config: ChannelsConfig,
        secrets: SecretBox,
        sink: Arc<dyn InboundSink>,
        alert_from: Option<String>,
    ) -> anyhow::Result<Channels> {
        let graph = GraphClient::new(&config.graph_base_url, config.graph_timeout)?;
        // `<host>-<pid>-<random>`: the random part tells apart two `Channels` of one process (tests).
        let id = &config.identity;
        let holder = format!("{}-{}-{}", id.host, id.pid, &Uuid::now_v7().simple().to_string()[20..]);
        let db = services.db.clone();
        Ok(Channels {
            inner: Arc::new(Inner {
                inbox: Inbox::new(db.clone()),
                db,
                config,
                secrets,
                graph,
                media: services.media.clone(),
                holder,
                started_at: chrono::Utc::now(),
                conns: Mutex::default(),
                sink,
                services,
                alert_from,
                shutdown: watch::channel(false).0,
                tasks: Mutex::default(),
                sent_today: Mutex::default(),
                last_photo: Mutex::default(),
                control: tokio::sync::Mutex::new(()),
                #[cfg(feature = "waweb")]
                waweb: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// This instance's lease holder id.
    pub fn holder(&self) -> &str {
        &self.inner.holder
    }

    pub fn config(&self) -> &ChannelsConfig {
        &self.inner.config
    }

    pub fn inbox(&self) -> &Inbox {
        &self.inner.inbox
    }

    /// Starts the lease, inbox and outbox loops.
    pub fn start_workers(&self) {
        if !self.inner.config.run_workers {
            return;
        }
        let mut tasks = self.inner.tasks.lock().expect("tasks lock");
        let me = self.clone();
        tasks.push(tokio::spawn(async move { me.lease_loop().await }));
        if self.inner.config.only_tenant.is_some() {
            return;
        }
        let me = self.clone();
        tasks.push(tokio::spawn(async move { me.inbox_loop().await }));
        let me = self.clone();
        tasks.push(tokio::spawn(async move { me.outbox_loop().await }));
    }

    /// Stops cleanly, in order: the workers stop claiming and get `worker_drain` to finish
    /// the jobs in flight (the rest are abandoned); every job this instance still holds goes
    /// back to the queue, due now; every connection stops and its lease is given back; the
    /// instance's heartbeat row goes. Another instance (or the next start) carries on at once.
    pub async fn shutdown(&self) -> ShutdownReport {
        let mut report = ShutdownReport::default();
        let started = Instant::now();
        let _ = self.inner.shutdown.send(true);
        let tasks: Vec<_> = std::mem::take(&mut *self.inner.tasks.lock().expect("tasks lock"));
        let limit = self.inner.config.worker_drain + Duration::from_secs(5);
        for t in tasks {
            if tokio::time::timeout(limit, t).await.is_err() {
                tracing::warn!("a WhatsApp worker did not stop in time");
            }
        }
        report.workers = started.elapsed();
        let started = Instant::now();
        match self.inner.db.jobs().release_claims(&self.inner.holder).await {
            Ok(n) => report.jobs_released = n,
            Err(e) => tracing::warn!(error = %e, "could not release the jobs this instance claimed"),
        }
        report.jobs = started.elapsed();
        let started = Instant::now();
        let conns: Vec<(TenantId, Arc<Conn>)> = self.inner.conns.lock().expect("conns lock").drain().collect();
        for (tenant, conn) in conns {
            conn.channel.stop().await;
            conn.watcher.abort();
            self.write_status(tenant, &ConnStatus::Stopped).await;
            match self.inner.db.whatsapp().release(tenant, &self.inner.holder).await {
                Ok(()) => report.leases_released += 1,
                Err(e) => tracing::warn!(error = %e, "could not release a WhatsApp lease"),
            }
        }
        if self.inner.config.run_workers
            && let Err(e) = self.inner.db.instances().leave(&self.inner.holder).await
        {
            tracing::warn!(error = %e, "could not remove this instance's heartbeat");
        }
        report.leases = started.elapsed();
        report
    }

    fn stopping(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    async fn sleep_or_stop(&self, d: Duration) -> bool {
        let mut rx = self.inner.shutdown.subscribe();
        if *rx.borrow() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => false,
            _ = rx.changed() => true,
        }
    }

    fn conn(&self, tenant: TenantId) -> Option<Arc<Conn>> {
        self.inner.conns.lock().expect("conns lock").get(&tenant).cloned()
    }

    /// Whether this instance drives the tenant's connection.
    /// A tenant's WhatsApp Web device store as this instance opens it (its database and
    /// secret key): what its connection reads and writes.
    #[cfg(feature = "waweb")]
    pub fn device_store(&self, tenant: TenantId) -> crate::waweb::DbStore {
        crate::waweb::DbStore::new(self.inner.db.tenant(tenant), self.inner.secrets.clone())
    }

    /// Plays a whatsapp-rust event into the tenant's running WhatsApp Web connection on
    /// this instance, through the same handling as the library's own events (tests and
    /// drills: a disconnect reason without a phone). `false` when none runs here.
    #[cfg(feature = "waweb")]
    pub fn inject_waweb_event(&self, tenant: TenantId, ev: &crate::waweb::lib::prelude::Event) -> bool {
        let ch = self.inner.waweb.lock().expect("waweb lock").get(&tenant).and_then(|w| w.upgrade());
        ch.is_some_and(|c| c.inject(ev))
    }

    pub fn holds(&self, tenant: TenantId) -> bool {
        self.conn(tenant).is_some()
    }

    /// The status and pairing streams of a tenant's connection on this instance.
    pub fn watch(&self, tenant: TenantId) -> Option<(watch::Receiver<ConnStatus>, watch::Receiver<Option<Pairing>>)> {
        self.conn(tenant).map(|c| (c.channel.status(), c.channel.pairing()))
    }
}
