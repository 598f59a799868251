//! The inbox worker: `whatsapp_in` jobs become `/foto` photos or go to the inbound
//! sink (the bot engine).

use std::time::Duration;

use garasi_store::jobs::{Job, WHATSAPP_IN};

use super::Channels;
use crate::inbox::{persist_transcript, photo_command, reply_text};
use crate::types::{InboundBody, InboundMessage};
use crate::util::backoff;

/// How long after `/tambah` a salesperson's uncaptioned picture still belongs to that car.
const JUST_ADDED: chrono::Duration = chrono::Duration::minutes(30);

impl Channels {
    pub(super) async fn inbox_loop(&self) {
        // Inbound handling may wait on the LLM: up to 8 at once.
        self.queue_loop(WHATSAPP_IN, "in", 8, Duration::from_secs(300), |me, job, worker| async move {
            me.run_inbound(job, &worker).await
        })
        .await;
    }

    pub(super) async fn run_inbound(&self, job: Job, worker: &str) {
        let jobs = self.inner.db.jobs();
        let msg: InboundMessage = match serde_json::from_value(job.payload.clone()) {
            Ok(m) => m,
            Err(e) => {
                let _ = jobs.kill(job.id, worker, &format!("unreadable inbound payload: {e}")).await;
                return;
            }
        };
        let result = match &msg.body {
            _ if msg.from_me => self.own_message(&msg).await,
            InboundBody::Image { caption: Some(c), media } if photo_command(c).is_some() => {
                self.photo_from_sales(&msg, photo_command(c).unwrap_or_default(), media).await
            }
            // A salesperson's picture without a caption, right after adding a car by chat, is
            // that car's photo.
            InboundBody::Image { caption, media } if caption.as_deref().is_none_or(|c| c.trim().is_empty()) => {
                match self.car_just_added(&msg).await {
                    Ok(Some(stock_no)) => self.photo_from_sales(&msg, stock_no, media).await,
                    Ok(None) if job.attempts > 1 => self.inner.sink.handle_again(&msg).await,
                    Ok(None) => self.inner.sink.handle(&msg).await,
                    Err(e) => Err(e),
                }
            }
            // Claimed before (the attempt counts from 1): the earlier run may have filed it.
            _ if job.attempts > 1 => self.inner.sink.handle_again(&msg).await,
            _ => self.inner.sink.handle(&msg).await,
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

    /// The draft car the sender, a salesperson, added by chat (`/tambah`) in the last
    /// [`JUST_ADDED`]: read from the audit log, which every instance shares, so the picture
    /// finds its car whichever instance took the `/tambah`.
    async fn car_just_added(&self, msg: &InboundMessage) -> anyhow::Result<Option<i64>> {
        let db = &self.inner.db;
        let Some(phone) = msg.sender.phone.as_deref().and_then(|p| garasi_domain::PhoneNumber::parse(p).ok()) else {
            return Ok(None);
        };
        let mut tx = db.tenant(msg.tenant_id).begin().await?;
        let staff = tx.sales().find_active_by_phone(&phone).await?;
        tx.commit().await?;
        let Some(staff) = staff else { return Ok(None) };
        let since = garasi_store::now() - JUST_ADDED;
        let log = db.platform().audit_log(Some(msg.tenant_id), 50, 0).await?;
        let added = log.iter().find(|r| {
            r.action == "car.create" && r.actor_kind == "sales" && r.actor_id == Some(staff.id) && r.created_at >= since
        });
        let Some(id) = added.and_then(|r| r.target_id.as_deref()).and_then(|id| id.parse::<uuid::Uuid>().ok()) else {
            return Ok(None);
        };
        let mut tx = db.tenant(msg.tenant_id).begin().await?;
        let car = tx.cars().get(id).await?;
        tx.commit().await?;
        Ok(car.filter(|c| c.fields.status == garasi_domain::car::CarStatus::Draft).map(|c| c.stock_no))
    }

    /// A message from the showroom's own number: Garasi's own send is ignored; a person's
    /// reply from the phone pauses the bot in that chat (`service::conversations`).
    pub(super) async fn own_message(&self, msg: &InboundMessage) -> anyhow::Result<()> {
        let Some(to) = msg.sender.phone.as_deref().and_then(|p| garasi_domain::PhoneNumber::parse(p).ok()) else {
            return Ok(());
        };
        let reply = garasi_service::conversations::OwnReply {
            channel: msg.channel.as_str(),
            to: &to,
            provider_message_id: &msg.id,
            body: msg.text().unwrap_or(""),
        };
        let tenant = self.inner.db.tenant(msg.tenant_id);
        if garasi_service::conversations::person_replied(&self.inner.services, &tenant, &reply).await? {
            tracing::info!(tenant = %msg.tenant_id.0, "a person replied from the showroom's phone; the bot pauses");
        }
        Ok(())
    }

    /// `/foto 12` from a salesperson: the photo goes through the normal pipeline onto car 12.
    /// Anyone else's `/foto` is an ordinary message for the bot.
    pub(super) async fn photo_from_sales(
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
            return self.inner.sink.handle(msg).await;
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
        let tenant = db.tenant(msg.tenant_id);
        let input = vec![garasi_service::photos::PhotoInput::Bytes(bytes)];
        // The use case stores, audits and publishes the inventory event for every instance.
        let added = match garasi_service::photos::add(&self.inner.services, &actor, &tenant, car.id, input).await {
            Ok(added) => added,
            Err(garasi_service::ServiceError::Media(e)) if e.is_client_error() => {
                reply_text(db, msg, &format!("Foto tidak bisa dipakai: {e}")).await?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let count = added.car.photos.len();
        reply_text(
            db,
            msg,
            &format!("✅ Foto ditambahkan ke mobil #{stock_no} ({}). Sekarang ada {count} foto.", car.title()),
        )
        .await?;
        Ok(())
    }
}
