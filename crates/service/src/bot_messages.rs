//! Messages the showroom's number sends on its own (reminders, follow-ups, notices to
//! salespeople): kept in the chat's transcript, so the dashboard shows what went out, and
//! queued in the outbox in the same transaction, so a rollback sends nothing.

use garasi_domain::PhoneNumber;
use garasi_store::StoreResult;
use garasi_store::jobs::{TemplateOut, WhatsappOut};
use garasi_store::tenant::{Author, Contact, Conversation, Direction, HandledBy, NewMessage, TenantTx};
use serde_json::json;
use uuid::Uuid;

/// The kind of the showroom's WhatsApp channel; the simulator when none is set up.
pub(crate) async fn channel_kind(tx: &mut TenantTx) -> StoreResult<String> {
    Ok(tx.whatsapp().get().await?.map(|c| c.kind).unwrap_or_else(|| "simulator".to_owned()))
}

/// Records `text` as the bot's message in `conversation` (tagged with `intent`) and queues
/// it to `to`, as an approved template when `template` is given. Answers the outbox jobs.
pub async fn send_in(
    tx: &mut TenantTx,
    conversation: &Conversation,
    to: &PhoneNumber,
    text: &str,
    intent: &str,
    template: Option<TemplateOut>,
) -> StoreResult<Vec<Uuid>> {
    tx.messages()
        .insert(&NewMessage {
            conversation_id: conversation.id,
            direction: Direction::Out,
            author: Author::Bot,
            provider_message_id: None,
            body: text,
            media: json!([]),
            handled_by: Some(HandledBy::Offline),
            intent: Some(intent),
            llm_tokens: 0,
        })
        .await?;
    let mut out = WhatsappOut::reply(&conversation.channel, to.as_str(), None, Some(text), &[], None);
    for m in &mut out {
        m.template = template.clone();
    }
    tx.outbox().enqueue_whatsapp(&out).await
}

/// [`send_in`] the contact's chat, opened when it is new.
pub async fn send_to(
    tx: &mut TenantTx,
    contact: &Contact<'_>,
    text: &str,
    intent: &str,
    template: Option<TemplateOut>,
) -> StoreResult<Vec<Uuid>> {
    let conversation = tx.conversations().upsert(contact).await?;
    send_in(tx, &conversation, contact.phone, text, intent, template).await
}
