//! Leases and connections: renew what this instance holds (stop what it lost), take
//! free leases, start and stop connections, and record every status change.

use std::sync::Arc;
use std::time::{Duration, Instant};

use garasi_domain::TenantId;
use garasi_store::{StoreError, now};
use tokio::task::JoinHandle;

use garasi_service::whatsapp::ConnState;

use super::{Channels, Conn};
use crate::channel::Channel;
use crate::cloud::CloudChannel;
use crate::types::{ChannelError, ChannelKind, ConnStatus, SendPause};

/// Counts lease hand-overs by what happened here: `acquired` (this instance took a free or
/// lapsed lease), `lost` (another took it, or renewing failed), `handover_requested` (the
/// dashboard asked the holder to let go).
fn lease_event(event: &'static str) {
    metrics::counter!("garasi_whatsapp_lease_handovers_total", "event" => event).increment(1);
}

impl Channels {
    pub(super) async fn lease_loop(&self) {
        let every = self.inner.config.lease.renew_every;
        let mut last_renewed = Instant::now();
        loop {
            self.lease_tick(&mut last_renewed).await;
            if self.sleep_or_stop(every).await {
                break;
            }
        }
    }

    pub(super) async fn lease_tick(&self, last_renewed: &mut Instant) {
        let t = self.inner.config.lease.clone();
        let wa = self.inner.db.whatsapp();
        let local: Vec<TenantId> = self.inner.conns.lock().expect("conns lock").keys().copied().collect();
        // The heartbeat first: renewed leases with a stale heartbeat would be taken over.
        let renewed = match self.heartbeat().await {
            Ok(()) => wa.renew(&self.inner.holder, t.ttl).await,
            Err(e) => Err(e),
        };
        match renewed {
            Ok(held) => {
                *last_renewed = Instant::now();
                for tenant in local.into_iter().filter(|l| !held.contains(l)) {
                    tracing::info!(tenant = %tenant.0, "WhatsApp lease lost or handed over; stopping the connection");
                    lease_event("lost");
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
        self.take_over_dead().await;
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
    pub(super) async fn hand_over(&self, tenant: TenantId) -> Result<(), StoreError> {
        let wa = self.inner.db.whatsapp();
        if let Some(l) = wa.lease(tenant).await?
            && l.holder != self.inner.holder
            && !l.holder.is_empty()
            && l.expires_at > now()
        {
            wa.expire(tenant).await?;
            lease_event("handover_requested");
        }
        Ok(())
    }

    /// Takes the tenant's lease when it is free and starts its connection here.
    pub(super) async fn try_take(&self, tenant: TenantId) -> Option<Arc<Conn>> {
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
            Ok(true) => lease_event("acquired"),
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

    pub(super) async fn start_conn(&self, tenant: TenantId) -> Result<Option<Arc<Conn>>, ChannelError> {
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
                !ConnState::parse(&row.status).needs_attention() && (row.phone.is_some() || row.status == "connecting")
            }
            _ => true,
        };
        let watcher = self.spawn_watcher(tenant, channel.clone());
        let parked = (!start).then(|| ConnState::parse(&row.status)).map(|s| match s {
            ConnState::Unknown => "stopped",
            s => s.as_str(),
        });
        let conn = Arc::new(Conn { kind, channel: channel.clone(), watcher, parked });
        self.inner.conns.lock().expect("conns lock").insert(tenant, conn.clone());
        if start {
            channel.start().await?;
        }
        tracing::info!(tenant = %tenant.0, kind = kind.as_str(), started = start, "WhatsApp connection held by this instance");
        Ok(Some(conn))
    }

    #[cfg(feature = "waweb")]
    pub(super) fn waweb_channel(&self, tenant: TenantId) -> Result<Arc<dyn Channel>, ChannelError> {
        let store = self.device_store(tenant);
        let ch = Arc::new(crate::waweb::WaWebChannel::new(
            self.inner.config.waweb_dir(tenant),
            store,
            self.inner.config.waweb.clone(),
            self.inner.inbox.clone(),
        ));
        self.inner.waweb.lock().expect("waweb lock").insert(tenant, Arc::downgrade(&ch));
        Ok(ch)
    }

    #[cfg(not(feature = "waweb"))]
    pub(super) fn waweb_channel(&self, _tenant: TenantId) -> Result<Arc<dyn Channel>, ChannelError> {
        Err(ChannelError::Invalid("this build has no WhatsApp Web support (cargo feature `waweb`)".into()))
    }

    /// Stops and forgets a local connection; with `release`, gives the lease back at once.
    pub(super) async fn drop_conn(&self, tenant: TenantId, release: bool) {
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

    pub(super) fn spawn_watcher(&self, tenant: TenantId, channel: Arc<dyn Channel>) -> JoinHandle<()> {
        let me = self.clone();
        let mut rx = channel.status();
        let mut pause_rx = channel.send_pause();
        // Taken now, not in the task: a change made before the task first runs must
        // still be seen as a change.
        let mut prev = rx.borrow_and_update().clone();
        tokio::spawn(async move {
            // A cool-down WhatsApp imposed (429, 463): its note replaces the status detail
            // (`last_error`, shown on the dashboard and root's connections page) until it ends.
            let mut pause: Option<SendPause> = None;
            loop {
                let pause_changed = async {
                    match pause_rx.as_mut() {
                        Some(r) => r.changed().await.is_ok(),
                        None => std::future::pending().await,
                    }
                };
                let pause_ends = async {
                    match pause.as_ref().and_then(|p| (p.until - chrono::Utc::now()).to_std().ok()) {
                        Some(left) => tokio::time::sleep(left).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    changed = rx.changed() => {
                        if changed.is_err() {
                            break;
                        }
                    }
                    alive = pause_changed => {
                        let Some(r) = pause_rx.as_mut().filter(|_| alive) else {
                            pause_rx = None;
                            continue;
                        };
                        pause = r.borrow_and_update().clone();
                        if let Some(p) = &pause {
                            tracing::warn!(tenant = %tenant.0, code = %p.code, until = %p.until, "WhatsApp sending paused");
                            me.audit_pause(tenant, p).await;
                        }
                        me.write_status_detail(tenant, &prev, pause_note(&prev, pause.as_ref())).await;
                        continue;
                    }
                    () = pause_ends => {
                        pause = None;
                        me.write_status_detail(tenant, &prev, prev.detail()).await;
                        continue;
                    }
                }
                let s = rx.borrow_and_update().clone();
                if s == prev {
                    continue;
                }
                me.write_status_detail(tenant, &s, pause_note(&s, pause.as_ref())).await;
                if s == ConnStatus::Connected
                    && let Some(phone) = channel.phone()
                {
                    // Masked: the number identifies the showroom's phone, not needed whole in logs.
                    tracing::info!(tenant = %tenant.0, number = %garasi_domain::mask_e164(&phone), "WhatsApp number connected");
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

    pub(super) async fn write_status(&self, tenant: TenantId, s: &ConnStatus) {
        self.write_status_detail(tenant, s, s.detail()).await;
    }

    pub(super) async fn write_status_detail(&self, tenant: TenantId, s: &ConnStatus, detail: Option<String>) {
        let r = async {
            let mut tx = self.inner.db.tenant(tenant).begin_write().await?;
            tx.whatsapp().set_status(s.as_str(), detail.as_deref()).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = r {
            tracing::warn!(tenant = %tenant.0, error = %e, "could not record a WhatsApp status");
        }
    }

    pub(super) async fn record_phone(&self, tenant: TenantId, kind: ChannelKind, phone: &str) {
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
}

/// The detail stored with a status: a running cool-down's note wins (a stopped number has
/// no sending to pause).
fn pause_note(s: &ConnStatus, pause: Option<&SendPause>) -> Option<String> {
    match pause.filter(|p| p.until > chrono::Utc::now() && !s.is_terminal() && *s != ConnStatus::Stopped) {
        Some(p) => Some(p.note()),
        None => s.detail(),
    }
}
