//! The connection manager and the delivery workers.
//!
//! [`Channels`] is what the app holds (in `AppState`): it configures a tenant's channel,
//! runs one [`Channel`] per tenant whose `wa_leases` row this instance holds, records
//! every status change in `whatsapp_channels`, raises alerts, and runs three loops:
//!
//! - **leases**: renew what we hold (stop what we lost), take free leases;
//! - **inbox**: `whatsapp_in` jobs → `/foto` photos or the [`InboundSink`] (bot engine);
//! - **outbox**: `whatsapp_out` jobs of the tenants we hold → paced sends, retries with
//!   backoff and jitter, rate limits honoured without using attempts, dead letters.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use futures_util::future::BoxFuture;
use garasi_domain::TenantId;
use garasi_domain::time::jakarta;
use garasi_media::{BlobStore, PhotoKey, Variant};
use garasi_store::jobs::{Job, WHATSAPP_IN, WHATSAPP_OUT, WhatsappOut};
use garasi_store::platform::AuditEntry;
use garasi_store::whatsapp::WhatsappChannel;
use garasi_store::{Db, StoreError, now};
use rand::Rng;
use serde::Serialize;
use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::channel::Channel;
use crate::cloud::{CloudChannel, CloudCredentials, GraphClient, constant_time_eq, parse_webhook, verify_signature};
use crate::config::ChannelsConfig;
use crate::inbox::{InboundSink, Inbox, TranscriptSink, persist_transcript, photo_command, reply_text};
use crate::secret::SecretBox;
use crate::types::{
    ChannelError, ChannelKind, ConnStatus, InboundBody, InboundMessage, Outbound, Pairing, Peer, SendError,
    status_label_id, status_needs_attention,
};

/// Called after `/foto` changed a car, so page caches of every instance drop it.
pub type InventoryHook = Arc<dyn Fn(TenantId) -> BoxFuture<'static, ()> + Send + Sync>;

/// What `PUT /api/whatsapp/channel` asks for.
#[derive(Debug, Clone)]
pub enum ChannelSetup {
    Simulator,
    WaWeb,
    CloudApi(CloudCredentials),
}

/// A tenant's channel as the dashboard sees it. Never carries credentials.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub kind: String,
    pub status: String,
    pub status_label: &'static str,
    /// The owner must act (logged out, replaced, banned, failed): the dashboard banner.
    pub alert: bool,
    pub phone: Option<String>,
    pub cloud_phone_number_id: Option<String>,
    pub status_changed_at: Option<chrono::DateTime<Utc>>,
    pub last_inbound_at: Option<chrono::DateTime<Utc>>,
    pub last_outbound_at: Option<chrono::DateTime<Utc>>,
    pub last_error: Option<String>,
    /// `qr`, `code` or `exhausted` while pairing on this instance.
    pub pairing: Option<serde_json::Value>,
    pub credentials_set: bool,
    pub dead_letters: i64,
}

/// Why a webhook delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Missing or wrong signature, or no Cloud API set up for this showroom: 401.
    #[error("signature missing or invalid")]
    Unauthorized,
    /// The signature was right but the body is not JSON: 400.
    #[error("malformed payload")]
    BadPayload,
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Conn {
    kind: ChannelKind,
    channel: Arc<dyn Channel>,
    watcher: JoinHandle<()>,
}

struct Inner {
    db: Db,
    config: ChannelsConfig,
    secrets: SecretBox,
    graph: GraphClient,
    media: Arc<dyn BlobStore>,
    holder: String,
    inbox: Inbox,
    conns: Mutex<HashMap<TenantId, Arc<Conn>>>,
    sink: RwLock<Arc<dyn InboundSink>>,
    inventory_hook: RwLock<Option<InventoryHook>>,
    alert_from: Option<String>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Per tenant: (Jakarta day, messages sent that day).
    sent_today: Mutex<HashMap<TenantId, (NaiveDate, u32)>>,
    /// Per chat: when its last photo went out.
    last_photo: Mutex<HashMap<(TenantId, String), Instant>>,
    /// Serialises lease-taking and connection start/stop per instance.
    control: tokio::sync::Mutex<()>,
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

/// Exponential backoff with ±20 % jitter: `base × 2^(attempt-1)`, capped.
pub fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16)).min(cap);
    let jitter = rand::rng().random_range(0.8..1.2);
    exp.mul_f64(jitter).min(cap)
}

impl Channels {
    pub fn new(
        db: Db,
        config: ChannelsConfig,
        secrets: SecretBox,
        media: Arc<dyn BlobStore>,
        alert_from: Option<String>,
    ) -> anyhow::Result<Channels> {
        let graph = GraphClient::new(&config.graph_base_url, config.graph_timeout)?;
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "garasi".into());
        let holder = format!("{host}-{}-{}", std::process::id(), &Uuid::now_v7().simple().to_string()[20..]);
        let sink: Arc<dyn InboundSink> = Arc::new(TranscriptSink::new(db.clone()));
        Ok(Channels {
            inner: Arc::new(Inner {
                inbox: Inbox::new(db.clone()),
                db,
                config,
                secrets,
                graph,
                media,
                holder,
                conns: Mutex::default(),
                sink: RwLock::new(sink),
                inventory_hook: RwLock::new(None),
                alert_from,
                shutdown: watch::channel(false).0,
                tasks: Mutex::default(),
                sent_today: Mutex::default(),
                last_photo: Mutex::default(),
                control: tokio::sync::Mutex::new(()),
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

    /// Wires the bot engine in (until then inbound messages are only filed).
    pub fn set_sink(&self, sink: Arc<dyn InboundSink>) {
        *self.inner.sink.write().expect("sink lock") = sink;
    }

    pub fn set_inventory_hook(&self, hook: InventoryHook) {
        *self.inner.inventory_hook.write().expect("hook lock") = Some(hook);
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

    /// Stops the loops, then every connection (gracefully), and gives the leases back.
    pub async fn shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
        let tasks: Vec<_> = std::mem::take(&mut *self.inner.tasks.lock().expect("tasks lock"));
        for t in tasks {
            if tokio::time::timeout(Duration::from_secs(10), t).await.is_err() {
                tracing::warn!("a WhatsApp worker did not stop in time");
            }
        }
        let conns: Vec<(TenantId, Arc<Conn>)> = self.inner.conns.lock().expect("conns lock").drain().collect();
        for (tenant, conn) in conns {
            conn.channel.stop().await;
            conn.watcher.abort();
            self.write_status(tenant, &ConnStatus::Stopped).await;
            if let Err(e) = self.inner.db.whatsapp().release(tenant, &self.inner.holder).await {
                tracing::warn!(error = %e, "could not release a WhatsApp lease");
            }
        }
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
    pub fn holds(&self, tenant: TenantId) -> bool {
        self.conn(tenant).is_some()
    }

    /// The status and pairing streams of a tenant's connection on this instance.
    pub fn watch(&self, tenant: TenantId) -> Option<(watch::Receiver<ConnStatus>, watch::Receiver<Option<Pairing>>)> {
        self.conn(tenant).map(|c| (c.channel.status(), c.channel.pairing()))
    }

    // ------------------------------------------------------------------------------------
    // Configuration and control (the settings API)
    // ------------------------------------------------------------------------------------

    /// Sets the tenant's channel. Secrets are sealed before they reach the database.
    pub async fn configure(&self, tenant: TenantId, setup: ChannelSetup) -> Result<StatusView, ChannelError> {
        let guard = self.inner.control.lock().await;
        self.drop_conn(tenant, false).await;
        let wa = self.inner.db.whatsapp();
        // Another instance driving the old set-up lets go; a holder takes the new one.
        self.hand_over(tenant).await?;
        match &setup {
            ChannelSetup::CloudApi(creds) => {
                wa.set_route(tenant, ChannelKind::CloudApi.as_str(), &creds.phone_number_id).await.map_err(
                    |e| match e {
                        StoreError::Conflict(_) => {
                            ChannelError::Invalid("phone_number_id ini sudah dipakai showroom lain.".into())
                        }
                        other => other.into(),
                    },
                )?;
            }
            _ => wa.clear_routes(tenant).await?,
        }
        let (kind, pnid, sealed) = match &setup {
            ChannelSetup::Simulator => (ChannelKind::Simulator, None, None),
            ChannelSetup::WaWeb => (ChannelKind::WaWeb, None, None),
            ChannelSetup::CloudApi(c) => {
                let json = serde_json::to_vec(c).map_err(anyhow::Error::from)?;
                (ChannelKind::CloudApi, Some(c.phone_number_id.clone()), Some(self.inner.secrets.seal(tenant, &json)))
            }
        };
        let mut tx = self.inner.db.tenant(tenant).begin_write().await?;
        let row = tx.whatsapp().configure(kind.as_str(), pnid.as_deref(), sealed.as_deref()).await?;
        tx.commit().await?;
        drop(guard);
        match kind {
            ChannelKind::Simulator => wa.drop_lease(tenant).await?,
            ChannelKind::CloudApi => {
                wa.want_lease(tenant).await?;
                self.try_take(tenant).await;
            }
            // WhatsApp Web connects when the owner starts pairing, not before; a number
            // paired before (same kind kept) reconnects at once.
            ChannelKind::WaWeb => {
                if row.phone.is_some() {
                    wa.want_lease(tenant).await?;
                    self.try_take(tenant).await;
                } else {
                    wa.drop_lease(tenant).await?;
                }
            }
        }
        self.status(tenant).await.map_err(Into::into)
    }

    pub async fn status(&self, tenant: TenantId) -> Result<StatusView, StoreError> {
        let mut tx = self.inner.db.tenant(tenant).begin().await?;
        let row = tx.whatsapp().get().await?;
        let dead = tx.outbox().count_status(WHATSAPP_OUT, "dead").await?;
        tx.commit().await?;
        let pairing = self.conn(tenant).and_then(|c| c.channel.pairing().borrow().clone()).map(|p| match p {
            Pairing::Qr { expires_at, seq, .. } => json!({ "method": "qr", "expires_at": expires_at, "seq": seq }),
            Pairing::Code { code, expires_at } => json!({ "method": "code", "code": code, "expires_at": expires_at }),
            Pairing::Exhausted => json!({ "method": "exhausted" }),
        });
        Ok(match row {
            None => StatusView {
                kind: "simulator".into(),
                status: "stopped".into(),
                status_label: status_label_id("stopped"),
                alert: false,
                phone: None,
                cloud_phone_number_id: None,
                status_changed_at: None,
                last_inbound_at: None,
                last_outbound_at: None,
                last_error: None,
                pairing: None,
                credentials_set: false,
                dead_letters: dead,
            },
            Some(r) => StatusView {
                status_label: status_label_id(&r.status),
                alert: status_needs_attention(&r.status),
                credentials_set: r.credentials_encrypted.is_some(),
                kind: r.kind,
                status: r.status,
                phone: r.phone,
                cloud_phone_number_id: r.cloud_phone_number_id,
                status_changed_at: r.status_changed_at,
                last_inbound_at: r.last_inbound_at,
                last_outbound_at: r.last_outbound_at,
                last_error: r.last_error,
                pairing,
                dead_letters: dead,
            },
        })
    }

    async fn channel_row(&self, tenant: TenantId) -> Result<Option<WhatsappChannel>, StoreError> {
        let mut tx = self.inner.db.tenant(tenant).begin().await?;
        let row = tx.whatsapp().get().await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Starts linking the tenant's WhatsApp Web number (a fresh QR round, or a phone
    /// code when `phone` is given), or reconnects a number paired before. When another
    /// instance holds the connection, it is asked to let go first.
    pub async fn pair(&self, tenant: TenantId, phone: Option<&str>) -> Result<StatusView, ChannelError> {
        let row = self.channel_row(tenant).await?;
        if row.as_ref().map(|r| r.kind.as_str()) != Some("waweb") {
            return Err(ChannelError::Invalid("Pilih WhatsApp Web sebagai saluran terlebih dahulu.".into()));
        }
        let wa = self.inner.db.whatsapp();
        wa.want_lease(tenant).await?;
        let conn = match self.conn(tenant) {
            Some(c) => c,
            None => {
                // Whoever takes the lease must start it, whatever it was before.
                self.write_status(tenant, &ConnStatus::Connecting).await;
                self.hand_over(tenant).await?;
                let t = &self.inner.config.lease;
                let deadline = Instant::now() + t.grace + t.renew_every * 2 + Duration::from_secs(2);
                loop {
                    if let Some(c) = self.try_take(tenant).await {
                        break c;
                    }
                    if Instant::now() > deadline {
                        return Err(ChannelError::Invalid(
                            "Koneksi WhatsApp sedang dipegang server lain. Coba lagi sebentar lagi.".into(),
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        let status = conn.channel.status().borrow().clone();
        if status == ConnStatus::Connected {
            return Err(ChannelError::Invalid(
                "Nomor ini sudah terhubung. Putuskan atau keluarkan dulu untuk memasangkan nomor lain.".into(),
            ));
        }
        // A running pairing round is restarted, so the page never shows an old code.
        if status != ConnStatus::Stopped {
            conn.channel.stop().await;
        }
        conn.channel.start().await?;
        if let Some(p) = phone {
            conn.channel.pair_with_code(p).await?;
        }
        Ok(self.status(tenant).await?)
    }

    /// Disconnects the number without unlinking it; it stays off until paired/connected again.
    pub async fn disconnect(&self, tenant: TenantId) -> Result<StatusView, ChannelError> {
        let _guard = self.inner.control.lock().await;
        let wa = self.inner.db.whatsapp();
        wa.drop_lease(tenant).await?;
        self.drop_conn(tenant, true).await;
        self.write_status(tenant, &ConnStatus::Stopped).await;
        Ok(self.status(tenant).await?)
    }

    /// Unlinks the number and wipes its keys (WhatsApp Web), or forgets the Cloud API
    /// connection. The channel kind stays; pairing again starts from scratch.
    pub async fn logout(&self, tenant: TenantId) -> Result<StatusView, ChannelError> {
        let _guard = self.inner.control.lock().await;
        let wa = self.inner.db.whatsapp();
        if let Some(conn) = self.conn(tenant)
            && let Err(e) = conn.channel.logout().await
        {
            tracing::warn!(error = %e, "logout did not reach WhatsApp; wiping the keys anyway");
        }
        wa.drop_lease(tenant).await?;
        self.drop_conn(tenant, false).await;
        wipe_device_store(&self.inner.config.waweb_dir(tenant));
        if self.channel_row(tenant).await?.is_some_and(|r| r.kind == "waweb") {
            wa.clear_routes(tenant).await?;
        }
        let mut tx = self.inner.db.tenant(tenant).begin_write().await?;
        tx.whatsapp().set_phone(None).await?;
        tx.whatsapp().set_status("stopped", None).await?;
        tx.commit().await?;
        Ok(self.status(tenant).await?)
    }

    // ------------------------------------------------------------------------------------
    // Cloud API webhook
    // ------------------------------------------------------------------------------------

    async fn cloud_credentials(&self, tenant: TenantId) -> Result<Option<CloudCredentials>, StoreError> {
        let Some(row) = self.channel_row(tenant).await? else { return Ok(None) };
        if row.kind != "cloud_api" {
            return Ok(None);
        }
        let Some(sealed) = row.credentials_encrypted else { return Ok(None) };
        match self.inner.secrets.open(tenant, &sealed) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) => {
                tracing::error!(tenant = %tenant.0, error = %e, "stored Cloud API credentials cannot be opened");
                Ok(None)
            }
        }
    }

    /// The GET handshake: the challenge when the token matches this tenant's verify token.
    pub async fn cloud_verify(&self, tenant: TenantId, mode: &str, token: &str, challenge: &str) -> Option<String> {
        let creds = self.cloud_credentials(tenant).await.ok().flatten()?;
        (mode == "subscribe" && constant_time_eq(token, &creds.verify_token)).then(|| challenge.to_owned())
    }

    /// A webhook POST on the tenant's host: the signature is checked with the tenant's
    /// app secret over the raw body before anything is parsed; messages for this
    /// tenant's number are persisted, anything else is acknowledged and ignored.
    /// Returns how many new messages were stored.
    pub async fn cloud_webhook(
        &self,
        tenant: TenantId,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<usize, WebhookError> {
        let creds = self.cloud_credentials(tenant).await?.ok_or(WebhookError::Unauthorized)?;
        if !verify_signature(&creds.app_secret, signature, body) {
            return Err(WebhookError::Unauthorized);
        }
        let payload = parse_webhook(body, tenant).map_err(|_| WebhookError::BadPayload)?;
        let mut stored = 0;
        for m in payload.messages {
            // Route by the number the message was sent to, never by the text.
            let routed = self.inner.db.whatsapp().route(ChannelKind::CloudApi.as_str(), &m.phone_number_id).await?;
            if routed != Some(tenant) || m.phone_number_id != creds.phone_number_id {
                tracing::info!(tenant = %tenant.0, "webhook message for another phone_number_id ignored");
                continue;
            }
            if self.inner.inbox.accept(&m.message).await? {
                stored += 1;
            }
        }
        for s in payload.statuses.iter().filter(|s| s.status == "failed") {
            tracing::warn!(tenant = %tenant.0, message = %s.message_id, error = ?s.error, "Cloud API reports a failed delivery");
        }
        Ok(stored)
    }

    // ------------------------------------------------------------------------------------
    // Leases and connections
    // ------------------------------------------------------------------------------------

    async fn lease_loop(&self) {
        let every = self.inner.config.lease.renew_every;
        let mut last_renewed = Instant::now();
        loop {
            self.lease_tick(&mut last_renewed).await;
            if self.sleep_or_stop(every).await {
                break;
            }
        }
    }

    async fn lease_tick(&self, last_renewed: &mut Instant) {
        let t = self.inner.config.lease.clone();
        let wa = self.inner.db.whatsapp();
        let local: Vec<TenantId> = self.inner.conns.lock().expect("conns lock").keys().copied().collect();
        match wa.renew(&self.inner.holder, t.ttl).await {
            Ok(held) => {
                *last_renewed = Instant::now();
                for tenant in local.into_iter().filter(|l| !held.contains(l)) {
                    tracing::info!(tenant = %tenant.0, "WhatsApp lease lost or handed over; stopping the connection");
                    let _guard = self.inner.control.lock().await;
                    self.drop_conn(tenant, false).await;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "renewing WhatsApp leases failed");
                // Stop before the lease can lapse, so no other instance connects beside us.
                if last_renewed.elapsed() + t.renew_every >= t.ttl {
                    for tenant in local {
                        let _guard = self.inner.control.lock().await;
                        self.drop_conn(tenant, false).await;
                    }
                }
                return;
            }
        }
        match wa.takeable(&self.inner.holder, t.grace, 25).await {
            Ok(free) => {
                let only = self.inner.config.only_tenant;
                for tenant in free.into_iter().filter(|t| only.is_none_or(|o| o == *t)) {
                    if self.stopping() {
                        break;
                    }
                    self.try_take(tenant).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "listing free WhatsApp leases failed"),
        }
    }

    /// Asks another instance holding the tenant's lease to let go (it stops at its next
    /// renewal; the lease is free once the grace period has passed).
    async fn hand_over(&self, tenant: TenantId) -> Result<(), StoreError> {
        let wa = self.inner.db.whatsapp();
        if let Some(l) = wa.lease(tenant).await?
            && l.holder != self.inner.holder
            && !l.holder.is_empty()
            && l.expires_at > now()
        {
            wa.expire(tenant).await?;
        }
        Ok(())
    }

    /// Takes the tenant's lease when it is free and starts its connection here.
    async fn try_take(&self, tenant: TenantId) -> Option<Arc<Conn>> {
        // One start at a time, so a tenant never gets two connections here.
        let _guard = self.inner.control.lock().await;
        if let Some(c) = self.conn(tenant) {
            return Some(c);
        }
        if self.stopping() {
            return None;
        }
        let t = &self.inner.config.lease;
        match self.inner.db.whatsapp().acquire(tenant, &self.inner.holder, t.ttl, t.grace).await {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                tracing::warn!(error = %e, "taking a WhatsApp lease failed");
                return None;
            }
        }
        match self.start_conn(tenant).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(tenant = %tenant.0, error = %e, "could not start a WhatsApp connection");
                let _ = self.inner.db.whatsapp().release(tenant, &self.inner.holder).await;
                None
            }
        }
    }

    async fn start_conn(&self, tenant: TenantId) -> Result<Option<Arc<Conn>>, ChannelError> {
        let row = self.channel_row(tenant).await?;
        let Some(row) = row.filter(|r| r.kind != "simulator") else {
            self.inner.db.whatsapp().drop_lease(tenant).await?;
            return Ok(None);
        };
        let kind: ChannelKind = row.kind.parse().map_err(|_| ChannelError::Invalid(row.kind.clone()))?;
        let channel: Arc<dyn Channel> = match kind {
            ChannelKind::CloudApi => {
                let Some(creds) = self.cloud_credentials(tenant).await? else {
                    self.write_status(tenant, &ConnStatus::Failed { error: "credentials missing".into() }).await;
                    return Ok(None);
                };
                Arc::new(CloudChannel::new(self.inner.graph.clone(), creds, self.inner.config.max_media_bytes))
            }
            ChannelKind::WaWeb => self.waweb_channel(tenant)?,
            ChannelKind::Simulator => unreachable!("filtered above"),
        };
        // A number that logged out, was replaced or banned waits for its owner; a number
        // never paired waits for the owner to open the pairing page.
        let start = match kind {
            ChannelKind::WaWeb => {
                !status_needs_attention(&row.status) && (row.phone.is_some() || row.status == "connecting")
            }
            _ => true,
        };
        let watcher = self.spawn_watcher(tenant, channel.clone());
        let conn = Arc::new(Conn { kind, channel: channel.clone(), watcher });
        self.inner.conns.lock().expect("conns lock").insert(tenant, conn.clone());
        if start {
            channel.start().await?;
        }
        tracing::info!(tenant = %tenant.0, kind = kind.as_str(), started = start, "WhatsApp connection held by this instance");
        Ok(Some(conn))
    }

    #[cfg(feature = "waweb")]
    fn waweb_channel(&self, tenant: TenantId) -> Result<Arc<dyn Channel>, ChannelError> {
        Ok(Arc::new(crate::waweb::WaWebChannel::new(
            tenant,
            self.inner.config.waweb_dir(tenant),
            self.inner.config.waweb.clone(),
            self.inner.inbox.clone(),
        )))
    }

    #[cfg(not(feature = "waweb"))]
    fn waweb_channel(&self, _tenant: TenantId) -> Result<Arc<dyn Channel>, ChannelError> {
        Err(ChannelError::Invalid("this build has no WhatsApp Web support (cargo feature `waweb`)".into()))
    }

    /// Stops and forgets a local connection; with `release`, gives the lease back at once.
    async fn drop_conn(&self, tenant: TenantId, release: bool) {
        let conn = self.inner.conns.lock().expect("conns lock").remove(&tenant);
        if let Some(conn) = conn {
            conn.channel.stop().await;
            // Let the watcher write the final status before it goes.
            tokio::time::sleep(Duration::from_millis(20)).await;
            conn.watcher.abort();
        }
        if release && let Err(e) = self.inner.db.whatsapp().release(tenant, &self.inner.holder).await {
            tracing::warn!(error = %e, "could not release a WhatsApp lease");
        }
    }

    fn spawn_watcher(&self, tenant: TenantId, channel: Arc<dyn Channel>) -> JoinHandle<()> {
        let me = self.clone();
        let mut rx = channel.status();
        // Taken now, not in the task: a change made before the task first runs must
        // still be seen as a change.
        let mut prev = rx.borrow_and_update().clone();
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let s = rx.borrow_and_update().clone();
                if s == prev {
                    continue;
                }
                me.write_status(tenant, &s).await;
                if s == ConnStatus::Connected
                    && let Some(phone) = channel.phone()
                {
                    me.record_phone(tenant, channel.kind(), &phone).await;
                }
                if s.is_terminal() && !prev.is_terminal() {
                    me.alert(tenant, &s).await;
                } else if prev == ConnStatus::Connected && s != ConnStatus::Stopped {
                    tracing::warn!(tenant = %tenant.0, status = s.as_str(), "WhatsApp connection dropped");
                }
                prev = s;
            }
        })
    }

    async fn write_status(&self, tenant: TenantId, s: &ConnStatus) {
        let r = async {
            let mut tx = self.inner.db.tenant(tenant).begin_write().await?;
            tx.whatsapp().set_status(s.as_str(), s.detail().as_deref()).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = r {
            tracing::warn!(tenant = %tenant.0, error = %e, "could not record a WhatsApp status");
        }
    }

    async fn record_phone(&self, tenant: TenantId, kind: ChannelKind, phone: &str) {
        let r = async {
            let mut tx = self.inner.db.tenant(tenant).begin_write().await?;
            tx.whatsapp().set_phone(Some(phone)).await?;
            tx.commit().await?;
            if kind == ChannelKind::WaWeb {
                self.inner.db.whatsapp().set_route(tenant, kind.as_str(), phone).await?;
            }
            Ok::<(), StoreError>(())
        }
        .await;
        if let Err(e) = r {
            tracing::warn!(tenant = %tenant.0, error = %e, "could not record the paired number");
        }
    }

    /// Tells the owner a number needs them: a log event, the audit log, the dashboard
    /// banner (the stored status), and a WhatsApp message to the showroom's number from
    /// the platform's alert showroom (`GARASI_WA_ALERT_FROM`) when that one is connected.
    async fn alert(&self, tenant: TenantId, s: &ConnStatus) {
        tracing::warn!(tenant = %tenant.0, status = s.as_str(), detail = ?s.detail(), "WhatsApp number needs the owner's attention");
        let db = &self.inner.db;
        let _ = db
            .platform()
            .audit(&AuditEntry {
                tenant_id: Some(tenant),
                actor_kind: "system",
                actor_id: None,
                action: "whatsapp.alert".into(),
                target_kind: Some("whatsapp_channel".into()),
                target_id: None,
                details: json!({ "status": s.as_str(), "detail": s.detail() }),
                ip: None,
            })
            .await;
        let Some(slug) = &self.inner.alert_from else { return };
        let r = async {
            let Some(from) = db.platform().tenant_by_slug(slug).await? else { return Ok(()) };
            if from.id == tenant {
                return Ok(());
            }
            let Some(t) = db.platform().tenant(tenant).await? else { return Ok(()) };
            let phone = self.channel_row(tenant).await?.and_then(|r| r.phone).or(t.whatsapp_number.clone());
            let Some(phone) = phone else { return Ok(()) };
            let text = format!(
                "⚠️ Garasi: WhatsApp bot {} {}. Buka dasbor Garasi untuk menghubungkan ulang nomor ini.",
                t.name,
                match s {
                    ConnStatus::LoggedOut { .. } => "keluar dari perangkat tertaut",
                    ConnStatus::Replaced => "dibuka di tempat lain dan berhenti",
                    ConnStatus::Banned { .. } => "diblokir sementara oleh WhatsApp",
                    _ => "gagal terhubung",
                }
            );
            let mut tx = db.tenant(from.id).begin_write().await?;
            let msg = WhatsappOut { to: phone, text: Some(text), ..WhatsappOut::default() };
            tx.outbox().enqueue_whatsapp(&[msg]).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "could not queue the WhatsApp alert");
        }
    }

    // ------------------------------------------------------------------------------------
    // Inbox worker
    // ------------------------------------------------------------------------------------

    async fn inbox_loop(&self) {
        // Inbound handling may wait on the LLM: up to 8 at once, and at shutdown they finish.
        self.queue_loop(WHATSAPP_IN, "in", 8, Duration::from_secs(300), None, |me, job, worker| async move {
            me.run_inbound(job, &worker).await
        })
        .await;
    }

    /// Claims due jobs of `queue` for the tenants this instance holds and runs up to
    /// `concurrency` of them at once, until shutdown. Then waits for the jobs in flight,
    /// at most `drain` when given (an unfinished job is claimed again after its lease).
    async fn queue_loop<F, Fut>(
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

    async fn run_inbound(&self, job: Job, worker: &str) {
        let jobs = self.inner.db.jobs();
        let msg: InboundMessage = match serde_json::from_value(job.payload.clone()) {
            Ok(m) => m,
            Err(e) => {
                let _ = jobs.kill(job.id, worker, &format!("unreadable inbound payload: {e}")).await;
                return;
            }
        };
        let result = match &msg.body {
            InboundBody::Image { caption: Some(c), media } if photo_command(c).is_some() => {
                self.photo_from_sales(&msg, photo_command(c).unwrap_or_default(), media).await
            }
            _ => {
                let sink = self.inner.sink.read().expect("sink lock").clone();
                sink.handle(&msg).await
            }
        };
        match result {
            Ok(()) => {
                let _ = jobs.complete(job.id, worker).await;
            }
            Err(e) => {
                tracing::warn!(tenant = %msg.tenant_id.0, error = %e, attempt = job.attempts, "processing an inbound WhatsApp message failed");
                let delay = backoff(self.inner.config.retry_base, job.attempts as u32, Duration::from_secs(300));
                let _ = jobs.fail(job.id, worker, &format!("{e:#}"), delay).await;
            }
        }
    }

    /// `/foto 12` from a salesperson: the photo goes through the normal pipeline onto car 12.
    /// Anyone else's `/foto` is an ordinary message for the bot.
    async fn photo_from_sales(
        &self,
        msg: &InboundMessage,
        stock_no: i64,
        media: &crate::types::MediaRef,
    ) -> anyhow::Result<()> {
        let db = &self.inner.db;
        let phone = msg.sender.phone.as_deref().and_then(|p| garasi_domain::PhoneNumber::parse(p).ok());
        let staff = match &phone {
            Some(p) => {
                let mut tx = db.tenant(msg.tenant_id).begin().await?;
                let s = tx.sales().find_active_by_phone(p).await?;
                tx.commit().await?;
                s
            }
            None => None,
        };
        let (Some(staff), Some(phone)) = (staff, phone) else {
            let sink = self.inner.sink.read().expect("sink lock").clone();
            return sink.handle(msg).await;
        };
        // The transcript first: a redelivery finds the message and adds no second photo.
        if persist_transcript(db, msg).await?.is_none() {
            return Ok(());
        }
        let car = {
            let mut tx = db.tenant(msg.tenant_id).begin().await?;
            let car = tx.cars().by_stock_no(stock_no).await?;
            tx.commit().await?;
            car
        };
        let Some(car) = car else {
            reply_text(
                db,
                msg,
                &format!("Mobil #{stock_no} tidak ditemukan. Cek nomor stoknya lalu kirim ulang fotonya."),
            )
            .await?;
            return Ok(());
        };
        let channel = self
            .conn(msg.tenant_id)
            .map(|c| c.channel.clone())
            .ok_or_else(|| anyhow::anyhow!("channel not held here"))?;
        let bytes =
            channel.fetch_media(media).await.map_err(|e| anyhow::anyhow!("downloading the photo failed: {e}"))?;
        let actor = garasi_service::Actor::Sales { sales_id: staff.id, phone: phone.as_str().to_owned() };
        // Channels hold no `Services` yet: the use case's own event goes to a local bus
        // nobody listens to, and the inventory hook below tells the other instances.
        let services =
            garasi_service::Services::new(db.clone(), garasi_service::Events::in_process(), self.inner.media.clone());
        let tenant = db.tenant(msg.tenant_id);
        let input = vec![garasi_service::photos::PhotoInput::Bytes(bytes)];
        let added = match garasi_service::photos::add(&services, &actor, &tenant, car.id, input).await {
            Ok(added) => added,
            Err(garasi_service::ServiceError::Media(e)) if e.is_client_error() => {
                reply_text(db, msg, &format!("Foto tidak bisa dipakai: {e}")).await?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let hook = self.inner.inventory_hook.read().expect("hook lock").clone();
        if let Some(hook) = hook {
            hook(msg.tenant_id).await;
        }
        let count = added.car.photos.len();
        reply_text(
            db,
            msg,
            &format!("✅ Foto ditambahkan ke mobil #{stock_no} ({}). Sekarang ada {count} foto.", car.title()),
        )
        .await?;
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Outbox worker
    // ------------------------------------------------------------------------------------

    async fn outbox_loop(&self) {
        let n = self.inner.config.send_concurrency.max(1);
        // In-flight sends finish (each is short); their jobs are not left running.
        let drain = Some(Duration::from_secs(15));
        self.queue_loop(WHATSAPP_OUT, "out", n, Duration::from_secs(120), drain, |me, job, worker| async move {
            me.run_outbound(job, &worker).await
        })
        .await;
    }

    async fn run_outbound(&self, job: Job, worker: &str) {
        let jobs = self.inner.db.jobs();
        let Some(tenant) = job.tenant_id else {
            let _ = jobs.kill(job.id, worker, "outbound message without a tenant").await;
            return;
        };
        let out: WhatsappOut = match serde_json::from_value(job.payload.clone()) {
            Ok(o) => o,
            Err(e) => {
                let _ = jobs.kill(job.id, worker, &format!("unreadable outbound payload: {e}")).await;
                return;
            }
        };
        let Some(conn) = self.conn(tenant) else {
            let _ = jobs.release(job.id, worker, "connection not held here", Duration::from_secs(5)).await;
            return;
        };
        if let Some(k) = &out.channel
            && k != conn.kind.as_str()
        {
            let _ =
                jobs.kill(job.id, worker, &format!("written for channel {k}, showroom now uses {}", conn.kind)).await;
            return;
        }
        if let Some(until) = self.over_daily_cap(tenant).await {
            let _ = jobs.release(job.id, worker, "daily message cap reached", until).await;
            return;
        }
        match self.deliver(tenant, &conn, &out).await {
            Ok(()) => {
                let _ = jobs.complete(job.id, worker).await;
                self.count_sent(tenant);
                let mut tx = match self.inner.db.tenant(tenant).begin_write().await {
                    Ok(tx) => tx,
                    Err(_) => return,
                };
                if tx.whatsapp().touch(false, now()).await.is_ok() {
                    let _ = tx.commit().await;
                }
            }
            Err(SendError::RateLimited { retry_after, message }) => {
                let wait = retry_after.unwrap_or(self.inner.config.rate_limit_wait).max(Duration::from_millis(100));
                tracing::info!(tenant = %tenant.0, wait_ms = wait.as_millis() as u64, "WhatsApp rate limit; retrying later");
                let _ = jobs.release(job.id, worker, &message, wait).await;
            }
            Err(SendError::Permanent(m)) => {
                tracing::warn!(tenant = %tenant.0, error = %m, "outbound WhatsApp message failed for good");
                let _ = jobs.kill(job.id, worker, &m).await;
            }
            Err(e) => {
                let delay = backoff(self.inner.config.retry_base, job.attempts as u32, Duration::from_secs(300));
                let _ = jobs.fail(job.id, worker, &e.to_string(), delay).await;
            }
        }
    }

    async fn deliver(&self, tenant: TenantId, conn: &Conn, out: &WhatsappOut) -> Result<(), SendError> {
        let p = &self.inner.config.pacing;
        let peer = Peer { phone: Some(out.to.clone()), platform_id: out.to_lid.clone() };
        let ch = &conn.channel;
        if let Some(image) = &out.image {
            let bytes = self.load_photo(tenant, image).await?;
            let key = (tenant, out.to.clone());
            let gap = if p.photo_gap_max > p.photo_gap_min {
                rand::rng().random_range(p.photo_gap_min..p.photo_gap_max)
            } else {
                p.photo_gap_min
            };
            let last = self.inner.last_photo.lock().expect("photo lock").get(&key).copied();
            if let Some(last) = last
                && last.elapsed() < gap
            {
                tokio::time::sleep(gap - last.elapsed()).await;
            }
            let msg = Outbound::Image { bytes, mime: "image/jpeg".into(), caption: out.caption.clone() };
            ch.send(&peer, &msg).await?;
            self.inner.last_photo.lock().expect("photo lock").insert(key, Instant::now());
            return Ok(());
        }
        let Some(text) = out.text.as_deref().filter(|t| !t.is_empty()) else {
            return Err(SendError::Permanent("nothing to send".into()));
        };
        // Read → typing → a pause that scales with the text → send.
        match &out.reply_to {
            Some(id) => {
                if let Err(e) = ch.mark_read(&peer, id, true).await {
                    tracing::debug!(error = %e, "mark read failed");
                }
            }
            None => {
                let _ = ch.typing(&peer, true).await;
            }
        }
        let chars = text.chars().count() as u32;
        let typing = (p.typing_base + p.typing_per_char * chars).min(p.typing_max);
        if !typing.is_zero() {
            let jitter: f64 = rand::rng().random_range(0.75..1.25);
            tokio::time::sleep(typing.mul_f64(jitter)).await;
        }
        ch.send(&peer, &Outbound::Text { body: text.to_owned() }).await?;
        Ok(())
    }

    /// The large JPEG of one of the tenant's car photos, from the blob store.
    async fn load_photo(&self, tenant: TenantId, image: &str) -> Result<Vec<u8>, SendError> {
        let (car_id, photo_id) =
            parse_photo_ref(image).ok_or_else(|| SendError::Permanent(format!("not a car photo: {image}")))?;
        let found = async {
            let mut tx = self.inner.db.tenant(tenant).begin().await?;
            let key = tx.cars().photo_storage_key(car_id, photo_id).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(key)
        }
        .await
        .map_err(|e| SendError::Temporary(e.to_string()))?;
        if found.is_none() {
            return Err(SendError::Permanent("photo not found for this showroom".into()));
        }
        let key = PhotoKey::new(tenant.0, car_id, photo_id).variant(Variant::LargeJpeg);
        let blob = self.inner.media.get(&key).await.map_err(|e| match e.status_code() {
            404 => SendError::Permanent("photo file missing".into()),
            _ => SendError::Temporary(e.to_string()),
        })?;
        blob.into_bytes().await.map_err(|e| SendError::Temporary(e.to_string()))
    }

    /// `Some(wait)` when the tenant's number reached its daily cap.
    async fn over_daily_cap(&self, tenant: TenantId) -> Option<Duration> {
        let cap = self.inner.config.pacing.daily_cap;
        if cap == 0 {
            return None;
        }
        let local = Utc::now().with_timezone(&jakarta());
        let today = local.date_naive();
        let known = self.inner.sent_today.lock().expect("cap lock").get(&tenant).copied();
        let count = match known {
            Some((day, n)) if day == today => n,
            _ => {
                let start = jakarta()
                    .from_local_datetime(&today.and_hms_opt(0, 0, 0).expect("midnight"))
                    .single()
                    .map(|d| d.with_timezone(&Utc))?;
                let n = self.inner.db.jobs().count_done_since(tenant, WHATSAPP_OUT, start).await.ok()? as u32;
                self.inner.sent_today.lock().expect("cap lock").insert(tenant, (today, n));
                n
            }
        };
        if count < cap {
            return None;
        }
        let tomorrow = today.succ_opt()?.and_hms_opt(0, 0, 5)?;
        let at = jakarta().from_local_datetime(&tomorrow).single()?.with_timezone(&Utc);
        Some((at - Utc::now()).to_std().unwrap_or(Duration::from_secs(60)))
    }

    fn count_sent(&self, tenant: TenantId) {
        let today = Utc::now().with_timezone(&jakarta()).date_naive();
        let mut map = self.inner.sent_today.lock().expect("cap lock");
        let e = map.entry(tenant).or_insert((today, 0));
        if e.0 != today {
            *e = (today, 0);
        }
        e.1 += 1;
    }
}

/// `…/media/cars/{car_id}/{photo_id}/large.jpg` or `{car_id}/{photo_id}`.
pub fn parse_photo_ref(s: &str) -> Option<(Uuid, Uuid)> {
    let rest = match s.find("/media/cars/") {
        Some(i) => &s[i + "/media/cars/".len()..],
        None => s,
    };
    let mut parts = rest.split('/');
    let car = Uuid::parse_str(parts.next()?).ok()?;
    let photo = Uuid::parse_str(parts.next()?).ok()?;
    Some((car, photo))
}

/// Deletes a tenant's WhatsApp Web device store (its keys).
pub fn wipe_device_store(dir: &std::path::Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => tracing::info!(dir = %dir.display(), "WhatsApp Web keys wiped"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::error!(dir = %dir.display(), error = %e, "could not wipe WhatsApp Web keys"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_refs() {
        let c = Uuid::now_v7();
        let p = Uuid::now_v7();
        assert_eq!(parse_photo_ref(&format!("http://a.localhost:3000/media/cars/{c}/{p}/large.jpg")), Some((c, p)));
        assert_eq!(parse_photo_ref(&format!("{c}/{p}")), Some((c, p)));
        assert_eq!(parse_photo_ref("https://evil.example/x.jpg"), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let b = Duration::from_secs(2);
        let cap = Duration::from_secs(300);
        assert!(backoff(b, 1, cap) <= Duration::from_millis(2400));
        assert!(backoff(b, 3, cap) >= Duration::from_millis(6400));
        assert!(backoff(b, 30, cap) <= cap);
    }
}
