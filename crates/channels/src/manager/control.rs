//! Configuration and control for the dashboard: configure, status, pair, disconnect,
//! logout. The use cases in `garasi_service::whatsapp` drive them through
//! [`WhatsappControl`]: `record` writes the channel's row inside the use case's
//! transaction (next to its audit entry), `apply` acts on the live connection after
//! the commit.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use garasi_domain::TenantId;
use garasi_service::whatsapp::{Change, ChannelSetup, ConnState, StatusView, WhatsappControl};
use garasi_service::{ServiceError, ServiceResult};
use garasi_store::jobs::WHATSAPP_OUT;
use garasi_store::whatsapp::WhatsappChannel;
use garasi_store::{StoreError, TenantTx};
use serde_json::json;

use super::Channels;
use crate::types::{ChannelError, ChannelKind, ConnStatus, Pairing};
use crate::util::wipe_device_store;

impl From<ChannelError> for ServiceError {
    fn from(e: ChannelError) -> ServiceError {
        match e {
            ChannelError::Invalid(m) => ServiceError::Conflict(m),
            ChannelError::Unsupported => ServiceError::Conflict("Saluran ini tidak mendukung cara tersebut.".into()),
            ChannelError::Store(s) => s.into(),
            ChannelError::Other(o) => ServiceError::Internal(o),
        }
    }
}

impl WhatsappControl for Channels {
    fn record<'a>(
        &'a self,
        tenant: TenantId,
        change: &'a Change,
        tx: &'a mut TenantTx,
    ) -> BoxFuture<'a, ServiceResult<()>> {
        Box::pin(async move {
            match change {
                Change::Configure(setup) => self.record_configure(tenant, setup, tx).await?,
                Change::Pair { .. } => self.record_pair(tenant, tx).await?,
                Change::Disconnect => {
                    tx.whatsapp().set_status(ConnStatus::Stopped.as_str(), None).await?;
                }
                Change::Logout => {
                    tx.whatsapp().set_phone(None).await?;
                    tx.whatsapp().set_status(ConnStatus::Stopped.as_str(), None).await?;
                }
            }
            Ok(())
        })
    }

    fn apply<'a>(&'a self, tenant: TenantId, change: &'a Change) -> BoxFuture<'a, ServiceResult<StatusView>> {
        Box::pin(async move {
            Ok(match change {
                Change::Configure(setup) => self.apply_configure(tenant, setup).await?,
                Change::Pair { phone } => self.apply_pair(tenant, phone.as_deref()).await?,
                Change::Disconnect => self.apply_disconnect(tenant).await?,
                Change::Logout => self.apply_logout(tenant).await?,
            })
        })
    }
}

impl Channels {
    /// Checks the new set-up and stores it (secrets sealed first) in `tx`.
    async fn record_configure(
        &self,
        tenant: TenantId,
        setup: &ChannelSetup,
        tx: &mut TenantTx,
    ) -> Result<(), ChannelError> {
        if let ChannelSetup::CloudApi(creds) = setup
            && let Some(owner) =
                self.inner.db.whatsapp().route(ChannelKind::CloudApi.as_str(), &creds.phone_number_id).await?
            && owner != tenant
        {
            return Err(taken_pnid());
        }
        let (kind, pnid, sealed) = match setup {
            ChannelSetup::Simulator => (ChannelKind::Simulator, None, None),
            ChannelSetup::WaWeb => (ChannelKind::WaWeb, None, None),
            ChannelSetup::CloudApi(c) => {
                let json = serde_json::to_vec(c).map_err(anyhow::Error::from)?;
                (ChannelKind::CloudApi, Some(c.phone_number_id.clone()), Some(self.inner.secrets.seal(tenant, &json)))
            }
        };
        tx.whatsapp().configure(kind.as_str(), pnid.as_deref(), sealed.as_deref()).await?;
        Ok(())
    }

    /// Moves the connection to the stored set-up: the old one stops (here or on the
    /// instance holding it), routes follow, and a holder takes the new one.
    async fn apply_configure(&self, tenant: TenantId, setup: &ChannelSetup) -> Result<StatusView, ChannelError> {
        let guard = self.inner.control.lock().await;
        self.drop_conn(tenant, false).await;
        let wa = self.inner.db.whatsapp();
        self.hand_over(tenant).await?;
        match setup {
            ChannelSetup::CloudApi(creds) => wa
                .set_route(tenant, ChannelKind::CloudApi.as_str(), &creds.phone_number_id)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict(_) => taken_pnid(),
                    other => other.into(),
                })?,
            _ => wa.clear_routes(tenant).await?,
        }
        drop(guard);
        let paired = self.channel_row(tenant).await?.is_some_and(|r| r.phone.is_some());
        match setup {
            ChannelSetup::Simulator => wa.drop_lease(tenant).await?,
            ChannelSetup::CloudApi(_) => {
                wa.want_lease(tenant).await?;
                self.try_take(tenant).await;
            }
            // WhatsApp Web connects when the owner starts pairing, not before; a number
            // paired before (same kind kept) reconnects at once.
            ChannelSetup::WaWeb => {
                if paired {
                    wa.want_lease(tenant).await?;
                    self.try_take(tenant).await;
                } else {
                    wa.drop_lease(tenant).await?;
                }
            }
        }
        Ok(self.status(tenant).await?)
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
        let send_paused = self
            .conn(tenant)
            .and_then(|c| c.channel.send_pause())
            .and_then(|rx| rx.borrow().clone())
            .filter(|p| p.until > chrono::Utc::now())
            .map(|p| p.note());
        Ok(match row {
            None => StatusView {
                kind: ChannelKind::Simulator.as_str().into(),
                status: ConnState::Stopped,
                status_label: ConnState::Stopped.label(),
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
                send_paused: None,
            },
            Some(r) => {
                let status = ConnState::parse(&r.status);
                StatusView {
                    status,
                    status_label: status.label(),
                    alert: status.needs_attention(),
                    credentials_set: r.credentials_encrypted.is_some(),
                    kind: r.kind,
                    phone: r.phone,
                    cloud_phone_number_id: r.cloud_phone_number_id,
                    status_changed_at: r.status_changed_at,
                    last_inbound_at: r.last_inbound_at,
                    last_outbound_at: r.last_outbound_at,
                    last_error: r.last_error,
                    pairing,
                    dead_letters: dead,
                    send_paused,
                }
            }
        })
    }

    pub(super) async fn channel_row(&self, tenant: TenantId) -> Result<Option<WhatsappChannel>, StoreError> {
        let mut tx = self.inner.db.tenant(tenant).begin().await?;
        let row = tx.whatsapp().get().await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Pairing needs WhatsApp Web and a number not connected yet. Whoever takes the
    /// lease must start it, whatever it was before: the status says `connecting`.
    async fn record_pair(&self, tenant: TenantId, tx: &mut TenantTx) -> Result<(), ChannelError> {
        let row = tx.whatsapp().get().await?;
        if row.as_ref().map(|r| r.kind.as_str()) != Some(ChannelKind::WaWeb.as_str()) {
            return Err(ChannelError::Invalid("Pilih WhatsApp Web sebagai saluran terlebih dahulu.".into()));
        }
        match self.conn(tenant) {
            Some(conn) if *conn.channel.status().borrow() == ConnStatus::Connected => Err(already_connected()),
            Some(_) => Ok(()),
            None => {
                tx.whatsapp().set_status(ConnStatus::Connecting.as_str(), None).await?;
                Ok(())
            }
        }
    }

    /// Starts linking the tenant's WhatsApp Web number (a fresh QR round, or a phone
    /// code when `phone` is given), or reconnects a number paired before. When another
    /// instance holds the connection, it is asked to let go first.
    async fn apply_pair(&self, tenant: TenantId, phone: Option<&str>) -> Result<StatusView, ChannelError> {
        let wa = self.inner.db.whatsapp();
        wa.want_lease(tenant).await?;
        let conn = match self.conn(tenant) {
            Some(c) => c,
            None => {
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
            return Err(already_connected());
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
    async fn apply_disconnect(&self, tenant: TenantId) -> Result<StatusView, ChannelError> {
        let _guard = self.inner.control.lock().await;
        self.inner.db.whatsapp().drop_lease(tenant).await?;
        self.drop_conn(tenant, true).await;
        self.write_status(tenant, &ConnStatus::Stopped).await;
        Ok(self.status(tenant).await?)
    }

    /// Unlinks the number and wipes its keys (WhatsApp Web), or forgets the Cloud API
    /// connection. The channel kind stays; pairing again starts from scratch.
    async fn apply_logout(&self, tenant: TenantId) -> Result<StatusView, ChannelError> {
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
        // The keys themselves (whatsapp-rust's device store in the database).
        let mut tx = self.inner.db.tenant(tenant).begin_write().await?;
        tx.wa_keys().wipe().await?;
        tx.commit().await?;
        if self.channel_row(tenant).await?.is_some_and(|r| r.kind == ChannelKind::WaWeb.as_str()) {
            wa.clear_routes(tenant).await?;
        }
        // The connection may have recorded its number or status while it stopped.
        let mut tx = self.inner.db.tenant(tenant).begin_write().await?;
        tx.whatsapp().set_phone(None).await?;
        tx.whatsapp().set_status(ConnStatus::Stopped.as_str(), None).await?;
        tx.commit().await?;
        Ok(self.status(tenant).await?)
    }
}

fn taken_pnid() -> ChannelError {
    ChannelError::Invalid("phone_number_id ini sudah dipakai showroom lain.".into())
}

fn already_connected() -> ChannelError {
    ChannelError::Invalid(
        "Nomor ini sudah terhubung. Putuskan atau keluarkan dulu untuk memasangkan nomor lain.".into(),
    )
}
