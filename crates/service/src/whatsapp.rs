//! WhatsApp administration: switch the channel kind, pair, disconnect, log out, force
//! disconnect (root), retry a dead letter, send a test message.
//!
//! The running connections live in `garasi-channels`, which depends on this crate, so
//! the use cases reach them through [`WhatsappControl`]. Each change is done in two
//! steps: [`WhatsappControl::record`] checks it and writes the channel's row inside the
//! use case's transaction (next to the audit entry, so both land or neither does), then,
//! after the commit, [`WhatsappControl::apply`] acts on the live connection.

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use garasi_domain::{PhoneNumber, TenantId};
use garasi_store::TenantDb;
use garasi_store::TenantTx;
use garasi_store::jobs::{WHATSAPP_OUT, WhatsappOut};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// A connection's state as stored in `whatsapp_channels.status` and shown everywhere
/// (dashboard, root connections page, JSON API); serialised as the stored name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnState {
    Stopped,
    Connecting,
    AwaitingPairing,
    Connected,
    Reconnecting,
    LoggedOut,
    Replaced,
    Banned,
    Failed,
    /// A stored name this build does not know.
    Unknown,
}

impl ConnState {
    /// Every state a connection can be stored in (all but `Unknown`), so a metrics scrape
    /// can publish zeros for the states no connection is in.
    pub const KNOWN: [ConnState; 9] = [
        ConnState::Stopped,
        ConnState::Connecting,
        ConnState::AwaitingPairing,
        ConnState::Connected,
        ConnState::Reconnecting,
        ConnState::LoggedOut,
        ConnState::Replaced,
        ConnState::Banned,
        ConnState::Failed,
    ];

    pub fn parse(s: &str) -> ConnState {
        match s {
            "stopped" => ConnState::Stopped,
            "connecting" => ConnState::Connecting,
            "awaiting_pairing" => ConnState::AwaitingPairing,
            "connected" => ConnState::Connected,
            "reconnecting" => ConnState::Reconnecting,
            "logged_out" => ConnState::LoggedOut,
            "replaced" => ConnState::Replaced,
            "banned" => ConnState::Banned,
            "failed" => ConnState::Failed,
            _ => ConnState::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConnState::Stopped => "stopped",
            ConnState::Connecting => "connecting",
            ConnState::AwaitingPairing => "awaiting_pairing",
            ConnState::Connected => "connected",
            ConnState::Reconnecting => "reconnecting",
            ConnState::LoggedOut => "logged_out",
            ConnState::Replaced => "replaced",
            ConnState::Banned => "banned",
            ConnState::Failed => "failed",
            ConnState::Unknown => "unknown",
        }
    }

    /// A short Indonesian description for the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            ConnState::Stopped => "Tidak aktif",
            ConnState::Connecting => "Menghubungkan…",
            ConnState::AwaitingPairing => "Menunggu pemindaian QR",
            ConnState::Connected => "Terhubung",
            ConnState::Reconnecting => "Menghubungkan ulang…",
            ConnState::LoggedOut => "Keluar dari WhatsApp: hubungkan ulang nomor",
            ConnState::Replaced => "Dipakai di tempat lain: sesi ini digantikan",
            ConnState::Banned => "Diblokir sementara oleh WhatsApp",
            ConnState::Failed => "Gagal terhubung",
            ConnState::Unknown => "Tidak diketahui",
        }
    }

    /// The owner must act (logged out, replaced, banned, failed): the dashboard banner.
    pub fn needs_attention(self) -> bool {
        matches!(self, ConnState::LoggedOut | ConnState::Replaced | ConnState::Banned | ConnState::Failed)
    }

    /// While a connection is being set up (the pairing card says so).
    pub fn is_starting(self) -> bool {
        matches!(self, ConnState::Connecting | ConnState::Reconnecting)
    }
}

impl std::fmt::Display for ConnState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tenant's channel as the dashboard sees it. Never carries credentials.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub kind: String,
    pub status: ConnState,
    pub status_label: &'static str,
    /// The owner must act (logged out, replaced, banned, failed): the dashboard banner.
    pub alert: bool,
    pub phone: Option<String>,
    pub cloud_phone_number_id: Option<String>,
    pub status_changed_at: Option<DateTime<Utc>>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub last_outbound_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// `qr`, `code` or `exhausted` while pairing on this instance.
    pub pairing: Option<serde_json::Value>,
    pub credentials_set: bool,
    pub dead_letters: i64,
    /// A cool-down WhatsApp imposed on sending (429, 463), as the dashboard says it, while
    /// it runs on the instance holding the connection.
    pub send_paused: Option<String>,
}

/// A tenant's Cloud API credentials (stored encrypted as JSON).
#[derive(Clone, Serialize, Deserialize)]
pub struct CloudCredentials {
    pub phone_number_id: String,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
}

impl std::fmt::Debug for CloudCredentials {
    // Secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudCredentials").field("phone_number_id", &self.phone_number_id).finish_non_exhaustive()
    }
}

/// Which transport a showroom asks for (`PUT /api/whatsapp/channel`).
#[derive(Debug, Clone)]
pub enum ChannelSetup {
    Simulator,
    WaWeb,
    CloudApi(CloudCredentials),
}

impl ChannelSetup {
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelSetup::Simulator => "simulator",
            ChannelSetup::WaWeb => "waweb",
            ChannelSetup::CloudApi(_) => "cloud_api",
        }
    }
}

/// A change to a tenant's connection.
#[derive(Debug, Clone)]
pub enum Change {
    Configure(ChannelSetup),
    /// Start linking a WhatsApp Web number: a QR round, or a code for `phone` (E.164).
    Pair {
        phone: Option<String>,
    },
    /// Stop the connection, keeping the keys.
    Disconnect,
    /// Unlink the number and wipe its keys.
    Logout,
}

/// What the use cases need from the running WhatsApp connections (`garasi_channels::Channels`).
pub trait WhatsappControl: Send + Sync {
    /// Checks that `change` can be made and writes the channel's row in `tx`. The
    /// caller audits and commits; nothing running is touched yet.
    fn record<'a>(
        &'a self,
        tenant: TenantId,
        change: &'a Change,
        tx: &'a mut TenantTx,
    ) -> BoxFuture<'a, ServiceResult<()>>;

    /// Applies a committed change to the live connection and answers the new status.
    fn apply<'a>(&'a self, tenant: TenantId, change: &'a Change) -> BoxFuture<'a, ServiceResult<StatusView>>;
}

fn managers_only(actor: &Actor) -> ServiceResult<()> {
    if actor.can_manage() {
        Ok(())
    } else {
        Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh melakukan ini."))
    }
}

/// Records `change` and its audit entry in one transaction, then applies it.
async fn change(
    control: &dyn WhatsappControl,
    tenant: &TenantDb,
    change: &Change,
    entry: garasi_store::platform::AuditEntry,
) -> ServiceResult<StatusView> {
    let mut tx = tenant.begin_write().await?;
    control.record(tenant.tenant_id(), change, &mut tx).await?;
    tx.audit(&entry).await?;
    tx.commit().await?;
    control.apply(tenant.tenant_id(), change).await
}

/// Switches the showroom's channel (WhatsApp Web, the Cloud API or the simulator).
pub async fn configure(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    control: &dyn WhatsappControl,
    setup: ChannelSetup,
) -> ServiceResult<StatusView> {
    managers_only(actor)?;
    let entry = actor.audit("whatsapp.channel", None, json!({ "kind": setup.kind() }));
    change(control, tenant, &Change::Configure(setup), entry).await
}

/// Starts pairing: a QR code, or a code typed on the phone when `phone` is given.
pub async fn pair(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    control: &dyn WhatsappControl,
    phone: Option<&str>,
) -> ServiceResult<StatusView> {
    managers_only(actor)?;
    let phone = phone.filter(|p| !p.trim().is_empty());
    if let Some(p) = phone {
        PhoneNumber::parse(p).map_err(|e| ServiceError::field("phone", e.to_string()))?;
    }
    let method = if phone.is_some() { "code" } else { "qr" };
    let entry = actor.audit("whatsapp.pair", None, json!({ "method": method }));
    // The channel gets the number as it was typed; it normalises it itself.
    change(control, tenant, &Change::Pair { phone: phone.map(str::to_owned) }, entry).await
}

/// Disconnects the number (keeping its keys, `wipe_keys = false`) or logs it out.
pub async fn stop(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    control: &dyn WhatsappControl,
    wipe_keys: bool,
) -> ServiceResult<StatusView> {
    managers_only(actor)?;
    let (action, what) =
        if wipe_keys { ("whatsapp.logout", Change::Logout) } else { ("whatsapp.disconnect", Change::Disconnect) };
    change(control, tenant, &what, actor.audit(action, None, json!({}))).await
}

/// A platform admin stops a showroom's connection; the showroom can reconnect.
pub async fn force_disconnect(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    control: &dyn WhatsappControl,
) -> ServiceResult<StatusView> {
    if !matches!(actor, Actor::Root { .. } | Actor::System) {
        return Err(ServiceError::forbidden("Hanya admin platform yang boleh memutus koneksi showroom."));
    }
    let target = Some(("tenant", tenant.tenant_id().to_string()));
    let entry = actor.audit("whatsapp.force_disconnect", target, json!({}));
    change(control, tenant, &Change::Disconnect, entry).await
}

/// Puts a dead outbound message back in the queue.
pub async fn retry_dead_letter(_services: &Services, actor: &Actor, tenant: &TenantDb, job: Uuid) -> ServiceResult<()> {
    managers_only(actor)?;
    let mut tx = tenant.begin_write().await?;
    if !tx.outbox().retry_dead(WHATSAPP_OUT, job).await? {
        return Err(ServiceError::NotFound);
    }
    tx.audit(&actor.audit("whatsapp.retry", Some(("job", job.to_string())), json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a test message to `to` through the outbox, like any bot reply. Answers the
/// number it goes to.
pub async fn send_test(
    _services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    showroom_name: &str,
    to: &str,
) -> ServiceResult<PhoneNumber> {
    managers_only(actor)?;
    let phone = PhoneNumber::parse(to).map_err(|e| ServiceError::field("phone", e.to_string()))?;
    let mut tx = tenant.begin_write().await?;
    let kind = crate::bot_messages::channel_kind(&mut tx).await?;
    if kind == "simulator" {
        return Err(ServiceError::Conflict("Sambungkan nomor WhatsApp dulu sebelum mengirim pesan uji.".into()));
    }
    let text = format!(
        "Pesan uji dari {showroom_name} lewat Garasi. Jika pesan ini sampai, WhatsApp showroom sudah tersambung."
    );
    tx.outbox().enqueue_whatsapp(&WhatsappOut::reply(&kind, phone.as_str(), None, Some(&text), &[], None)).await?;
    tx.audit(&actor.audit("whatsapp.test", None, json!({ "to": phone.as_str() }))).await?;
    tx.commit().await?;
    Ok(phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_as_their_stored_names() {
        for s in [
            "stopped",
            "connecting",
            "awaiting_pairing",
            "connected",
            "reconnecting",
            "logged_out",
            "replaced",
            "banned",
            "failed",
        ] {
            let st = ConnState::parse(s);
            assert_eq!(st.as_str(), s);
            assert_eq!(serde_json::to_value(st).unwrap(), json!(s));
        }
        assert!(ConnState::Banned.needs_attention());
        assert!(!ConnState::Connected.needs_attention());
    }
}
