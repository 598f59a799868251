//! Inbound delivery: persist first, then acknowledge, then process.
//!
//! A channel hands every received message to [`Inbox::accept`], which stores it as a
//! `whatsapp_in` job keyed by the provider's message id (a redelivery is a no-op) before
//! the webhook answers 200 or the WhatsApp Web client moves on. The inbound worker then
//! hands each message to the [`InboundSink`] (the bot engine), one sender at a time, with
//! retries. A salesperson's photo captioned `/foto 12` is added to car 12 here.

use async_trait::async_trait;
use garasi_domain::PhoneNumber;
use garasi_store::jobs::{NewJob, WHATSAPP_IN, WhatsappOut};
use garasi_store::{Db, StoreResult, now};
use serde_json::json;

use crate::types::{InboundBody, InboundMessage};

/// Where processed inbound messages go: the bot engine. It must store the message in
/// the conversation's transcript (`messages`, unique provider id per tenant, so a second
/// delivery of one message is recognised and not answered twice), decide the answer,
/// and enqueue it with `tx.outbox().enqueue_whatsapp(..)` (see
/// [`garasi_store::jobs::WhatsappOut::reply`]) in the same transaction.
#[async_trait]
pub trait InboundSink: Send + Sync {
    async fn handle(&self, msg: &InboundMessage) -> anyhow::Result<()>;

    /// Handles a message whose earlier handling was started and may have been cut short
    /// (a crash, a shutdown, an error): it may already be filed, and is answered if it was
    /// not. The default is [`InboundSink::handle`].
    async fn handle_again(&self, msg: &InboundMessage) -> anyhow::Result<()> {
        self.handle(msg).await
    }
}

/// The sink used until the bot engine is wired in: it keeps the transcript and answers
/// nothing, so no message is lost.
#[derive(Clone, Debug)]
pub struct TranscriptSink {
    db: Db,
}

impl TranscriptSink {
    pub fn new(db: Db) -> TranscriptSink {
        TranscriptSink { db }
    }

    /// Stores the message in its conversation. `None` when it was stored before (a
    /// redelivery) or has no phone number to file it under.
    pub async fn persist(&self, msg: &InboundMessage) -> StoreResult<Option<uuid::Uuid>> {
        persist_transcript(&self.db, msg).await
    }
}

#[async_trait]
impl InboundSink for TranscriptSink {
    async fn handle(&self, msg: &InboundMessage) -> anyhow::Result<()> {
        self.persist(msg).await?;
        Ok(())
    }
}

/// Files an inbound message under its conversation, through the same use case the
/// bot engine uses (role from the sales staff list).
pub async fn persist_transcript(db: &Db, msg: &InboundMessage) -> StoreResult<Option<uuid::Uuid>> {
    let Some(phone) = msg.sender.phone.as_deref().and_then(|p| PhoneNumber::parse(p).ok()) else {
        tracing::warn!(tenant = %msg.tenant_id.0, "inbound message without a phone number not filed");
        return Ok(None);
    };
    let media = match &msg.body {
        InboundBody::Image { media, .. } => json!([{ "type": "image", "provider_id": media.id }]),
        _ => serde_json::Value::Null,
    };
    let inbound = garasi_service::inbound::Inbound {
        channel: msg.channel.as_str(),
        from: &phone,
        name: msg.sender_name.as_deref().unwrap_or(""),
        provider_message_id: &msg.id,
        body: msg.text().unwrap_or(""),
        media,
        lid: msg.sender.platform_id.as_deref(),
    };
    let filed = garasi_service::inbound::file(&db.tenant(msg.tenant_id), &inbound).await?;
    Ok(filed.message.map(|m| m.id))
}

/// The persisting side of inbound delivery.
#[derive(Clone, Debug)]
pub struct Inbox {
    db: Db,
}

impl Inbox {
    pub fn new(db: Db) -> Inbox {
        Inbox { db }
    }

    /// Stores a received message for processing. `true` when it is new, `false` for a
    /// redelivery of a message already stored. Returns only once it is durable.
    pub async fn accept(&self, msg: &InboundMessage) -> StoreResult<bool> {
        let mut job = NewJob::new(WHATSAPP_IN, "message", serde_json::to_value(msg).unwrap_or_default());
        job.dedupe_key = Some(format!("wa-in:{}:{}", msg.tenant_id.0, msg.id));
        let who = msg.sender.phone.as_deref().or(msg.sender.platform_id.as_deref()).unwrap_or("?");
        job.ordering_key = Some(format!("wa-in:{}:{who}", msg.tenant_id.0));
        job.max_attempts = 6;
        // One transaction: the job and the channel's "last inbound" time.
        let mut tx = self.db.tenant(msg.tenant_id).begin_write().await?;
        let created = tx.outbox().enqueue(&job).await?.is_some();
        if created {
            tx.whatsapp().touch(true, now()).await?;
        }
        tx.commit().await?;
        Ok(created)
    }
}

/// `/foto 12` (also `/photo 12`, `#12`): the stock number a salesperson's photo is for.
pub fn photo_command(caption: &str) -> Option<i64> {
    let rest = caption.trim().strip_prefix('/')?;
    let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !matches!(word.to_lowercase().as_str(), "foto" | "photo" | "tambahfoto") {
        return None;
    }
    let n = args.split_whitespace().next()?.trim_start_matches('#');
    n.parse::<i64>().ok().filter(|n| (1..=9_999_999).contains(n))
}

/// An Indonesian reply to the sender, queued on the tenant's channel.
pub(crate) async fn reply_text(db: &Db, msg: &InboundMessage, text: &str) -> StoreResult<()> {
    let Some(to) = msg.sender.phone.clone() else { return Ok(()) };
    let mut tx = db.tenant(msg.tenant_id).begin_write().await?;
    let out = WhatsappOut::reply(msg.channel.as_str(), &to, Some(&msg.id), Some(text), &[], None);
    tx.outbox().enqueue_whatsapp(&out).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::photo_command;

    #[test]
    fn photo_captions() {
        assert_eq!(photo_command("/foto 12"), Some(12));
        assert_eq!(photo_command("  /FOTO #7 depan"), Some(7));
        assert_eq!(photo_command("/photo 3"), Some(3));
        assert_eq!(photo_command("/foto"), None);
        assert_eq!(photo_command("foto 12"), None);
        assert_eq!(photo_command("/detail 12"), None);
        assert_eq!(photo_command("/foto abc"), None);
    }
}
