//! The outbox worker: `whatsapp_out` jobs of the tenants this instance holds go out
//! paced (read, typing, a pause scaled to the text, gaps between photos) under a daily
//! cap per number; failures retry with backoff and jitter, then become dead letters.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use garasi_domain::TenantId;
use garasi_domain::time::jakarta;
use garasi_media::{PhotoKey, Variant};
use garasi_store::jobs::{Job, WHATSAPP_OUT, WhatsappOut};
use garasi_store::{StoreError, now};
use rand::Rng;
use uuid::Uuid;

use super::first_contact::FirstContact;
use super::{Channels, Conn};
use crate::types::{Outbound, Peer, SendError};
use crate::util::backoff;

impl Channels {
    pub(super) async fn outbox_loop(&self) {
        let n = self.inner.config.send_concurrency.max(1);
        self.queue_loop(WHATSAPP_OUT, "out", n, Duration::from_secs(120), |me, job, worker| async move {
            me.run_outbound(job, &worker).await
        })
        .await;
    }

    pub(super) async fn run_outbound(&self, job: Job, worker: &str) {
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
        // Safe first contact: a number that never wrote is checked (and counted) first.
        let c = &self.inner.config;
        let first = super::first_contact::check(
            &self.inner.db,
            tenant,
            conn.channel.as_ref(),
            &out.to,
            c.first_contact_ttl,
            c.pacing.new_chats_per_day,
            now(),
        )
        .await;
        match first {
            Ok(FirstContact::Known | FirstContact::Allowed) => {}
            Ok(FirstContact::NotOnWhatsapp) => {
                tracing::warn!(tenant = %tenant.0, "refused a message to a number that is not on WhatsApp");
                let _ = jobs.kill(job.id, worker, &super::first_contact::not_on_whatsapp_note(&out.to)).await;
                return;
            }
            Ok(FirstContact::CapReached(wait)) => {
                let _ = jobs.release(job.id, worker, super::first_contact::CAP_NOTE, wait).await;
                return;
            }
            Err(SendError::NotConnected) => {
                let _ = jobs.release(job.id, worker, "channel not connected", Duration::from_secs(5)).await;
                return;
            }
            Err(SendError::RateLimited { retry_after, message }) => {
                let wait = retry_after.unwrap_or(self.inner.config.rate_limit_wait).max(Duration::from_millis(100));
                let _ = jobs.release(job.id, worker, &message, wait).await;
                return;
            }
            Err(e) => {
                let delay = backoff(self.inner.config.retry_base, job.attempts as u32, Duration::from_secs(300));
                let _ = jobs.fail(job.id, worker, &e.to_string(), delay).await;
                return;
            }
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
                tracing::warn!(tenant = %tenant.0, error = ?m, "outbound WhatsApp message failed for good");
                let _ = jobs.kill(job.id, worker, &m).await;
            }
            Err(e) => {
                let delay = backoff(self.inner.config.retry_base, job.attempts as u32, Duration::from_secs(300));
                let _ = jobs.fail(job.id, worker, &e.to_string(), delay).await;
            }
        }
    }

    pub(super) async fn deliver(&self, tenant: TenantId, conn: &Conn, out: &WhatsappOut) -> Result<(), SendError> {
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
            let sent = ch.send(&peer, &msg).await?;
            self.remember_sent(tenant, conn, &sent.id).await;
            self.inner.last_photo.lock().expect("photo lock").insert(key, Instant::now());
            return Ok(());
        }
        if let Some(t) = &out.template {
            // Only written for the Cloud API (a customer outside the 24-hour window); the
            // channel refuses it otherwise. No typing pause: nobody is chatting.
            let msg =
                Outbound::Template { name: t.name.clone(), language: t.language.clone(), params: t.params.clone() };
            let sent = ch.send(&peer, &msg).await?;
            self.remember_sent(tenant, conn, &sent.id).await;
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
        let sent = ch.send(&peer, &Outbound::Text { body: text.to_owned() }).await?;
        self.remember_sent(tenant, conn, &sent.id).await;
        Ok(())
    }

    /// WhatsApp Web shows the number's own messages to the linked device too: Garasi
    /// remembers the ids it sent, so only a person's message from the phone pauses the bot.
    async fn remember_sent(&self, tenant: TenantId, conn: &Conn, id: &str) {
        if conn.kind != crate::types::ChannelKind::WaWeb || id.is_empty() {
            return;
        }
        let db = self.inner.db.tenant(tenant);
        if let Err(e) = garasi_service::conversations::record_sent(&self.inner.services, &db, id).await {
            tracing::warn!(error = %e, "could not record a sent message id");
        }
    }

    /// The large JPEG of one of the tenant's car photos, from the blob store.
    pub(super) async fn load_photo(&self, tenant: TenantId, image: &str) -> Result<Vec<u8>, SendError> {
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
    pub(super) async fn over_daily_cap(&self, tenant: TenantId) -> Option<Duration> {
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

    pub(super) fn count_sent(&self, tenant: TenantId) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn photo_refs() {
        let c = Uuid::now_v7();
        let p = Uuid::now_v7();
        assert_eq!(parse_photo_ref(&format!("http://a.localhost:3000/media/cars/{c}/{p}/large.jpg")), Some((c, p)));
        assert_eq!(parse_photo_ref(&format!("{c}/{p}")), Some((c, p)));
        assert_eq!(parse_photo_ref("https://evil.example/x.jpg"), None);
    }
}
