//! Filing an inbound WhatsApp message under its conversation: the one place that
//! decides who the sender is (the sales-staff list, by number) and stores the message.
//! Used by the bot engine and by the transcript-only sink. Not audited: the stored
//! message is its own record.

use garasi_domain::PhoneNumber;
use garasi_store::tenant::{Author, Contact, ContactRole, Conversation, Message, NewMessage, SalesPerson};
use garasi_store::{StoreResult, TenantDb, TenantTx};
use serde_json::Value;

/// One received message, as the channel saw it.
#[derive(Debug, Clone)]
pub struct Inbound<'a> {
    /// `simulator`, `waweb` or `cloud_api`.
    pub channel: &'a str,
    pub from: &'a PhoneNumber,
    /// The name the sender's WhatsApp profile shows; may be empty.
    pub name: &'a str,
    /// The provider's message id; a second delivery of it is not stored again.
    pub provider_message_id: &'a str,
    pub body: &'a str,
    /// e.g. `[{"type": "image", "provider_id": "…"}]`; `Value::Null` for none.
    pub media: Value,
    /// The sender's WhatsApp LID, when the channel knows it.
    pub lid: Option<&'a str>,
}

/// What filing found and stored.
#[derive(Debug, Clone)]
pub struct Filed {
    /// The sender, when the number is one of the showroom's active salespeople.
    pub staff: Option<SalesPerson>,
    pub conversation: Conversation,
    /// `None` when the message was stored before (a redelivery).
    pub message: Option<Message>,
}

/// Files `msg` inside an open transaction, so the caller can read more (settings,
/// memory) in the same one.
pub async fn file_in(tx: &mut TenantTx, msg: &Inbound<'_>) -> StoreResult<Filed> {
    let staff = tx.sales().find_active_by_phone(msg.from).await?;
    let contact = Contact {
        channel: msg.channel,
        phone: msg.from,
        name: msg.name,
        role: if staff.is_some() { ContactRole::Sales } else { ContactRole::Customer },
        sales_staff_id: staff.as_ref().map(|s| s.id),
    };
    let conversation = tx.conversations().upsert(&contact).await?;
    if let Some(lid) = msg.lid {
        tx.whatsapp().set_contact_lid(msg.channel, msg.from.as_str(), lid).await?;
    }
    let author = if staff.is_some() { Author::Sales } else { Author::Customer };
    let mut new = NewMessage::inbound(conversation.id, author, msg.provider_message_id, msg.body);
    if !msg.media.is_null() {
        new.media = msg.media.clone();
    }
    let message = tx.messages().insert(&new).await?;
    Ok(Filed { staff, conversation, message })
}

/// Files `msg` in its own transaction.
pub async fn file(tenant: &TenantDb, msg: &Inbound<'_>) -> StoreResult<Filed> {
    let mut tx = tenant.begin_write().await?;
    let filed = file_in(&mut tx, msg).await?;
    tx.commit().await?;
    Ok(filed)
}
