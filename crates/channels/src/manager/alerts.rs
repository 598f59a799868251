//! Alerts: a number that needs its owner (logged out, replaced, banned, failed).

use garasi_domain::TenantId;
use garasi_store::jobs::WhatsappOut;
use garasi_store::platform::AuditEntry;
use serde_json::json;

use super::Channels;
use crate::types::{ConnStatus, SendPause};

impl Channels {
    /// Records a cool-down WhatsApp imposed (429, 463) in the showroom's audit log; the
    /// dashboard shows it through the channel's note.
    pub(super) async fn audit_pause(&self, tenant: TenantId, p: &SendPause) {
        let _ = self
            .inner
            .db
            .platform()
            .audit(&AuditEntry {
                tenant_id: Some(tenant),
                actor_kind: "system",
                actor_id: None,
                action: "whatsapp.send_paused".into(),
                target_kind: Some("whatsapp_channel".into()),
                target_id: None,
                details: json!({ "code": p.code, "until": p.until }),
                ip: None,
            })
            .await;
    }

    /// Tells the owner a number needs them: a log event, the audit log, the dashboard
    /// banner (the stored status), and a WhatsApp message to the showroom's number from
    /// the platform's alert showroom (`GARASI_WA_ALERT_FROM`) when that one is connected.
    pub(super) async fn alert(&self, tenant: TenantId, s: &ConnStatus) {
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
}
