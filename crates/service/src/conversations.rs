//! A person taking a chat over from the bot, and handing it back.

use garasi_store::TenantDb;
use serde_json::json;
use uuid::Uuid;

use crate::{Actor, ServiceError, ServiceResult, Services};

/// Takes the chat over: the bot stays silent until it is handed back.
pub async fn take_over(_services: &Services, actor: &Actor, tenant: &TenantDb, id: Uuid) -> ServiceResult<()> {
    // `taken_over_by` names a dashboard user; nobody else sits at the dashboard.
    let Actor::Staff { user_id, .. } = actor else {
        return Err(ServiceError::forbidden("Hanya pengguna dashboard yang dapat mengambil alih percakapan."));
    };
    let mut tx = tenant.begin_write().await?;
    tx.conversations().take_over(id, Some(*user_id)).await?;
    tx.audit(&actor.audit("conversation.take_over", Some(("conversation", id.to_string())), json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// Hands the chat back: the bot answers again (any hand-off pause ends too).
pub async fn hand_back(_services: &Services, actor: &Actor, tenant: &TenantDb, id: Uuid) -> ServiceResult<()> {
    let mut tx = tenant.begin_write().await?;
    tx.conversations().resume_bot(id).await?;
    tx.audit(&actor.audit("conversation.hand_back", Some(("conversation", id.to_string())), json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// A message sent from the showroom's own number that Garasi did not send.
pub struct OwnReply<'a> {
    /// `waweb` (only a linked device sees the phone's own messages).
    pub channel: &'a str,
    /// The customer the showroom wrote to.
    pub to: &'a garasi_domain::PhoneNumber,
    pub provider_message_id: &'a str,
    pub body: &'a str,
}

/// Someone at the showroom answered a customer from the showroom's own phone: the bot
/// pauses in that chat for the showroom's hand-off minutes (by [`Services::clock`]) and
/// the reply is kept in the transcript. A message Garasi sent itself (its id is in
/// `wa_sent_messages`) changes nothing. Returns whether the chat was paused.
pub async fn person_replied(services: &Services, tenant: &TenantDb, reply: &OwnReply<'_>) -> ServiceResult<bool> {
    use garasi_store::tenant::{Author, Contact, ContactRole, Direction, NewMessage};
    let mut tx = tenant.begin_write().await?;
    if tx.sent_messages().sent_by_us(reply.provider_message_id).await? {
        tx.commit().await?;
        return Ok(false);
    }
    let settings = garasi_domain::TenantSettings::from_json(&tx.settings().get().await?);
    let staff = tx.sales().find_active_by_phone(reply.to).await?;
    let conversation = tx
        .conversations()
        .upsert(&Contact {
            channel: reply.channel,
            phone: reply.to,
            name: "",
            role: if staff.is_some() { ContactRole::Sales } else { ContactRole::Customer },
            sales_staff_id: staff.as_ref().map(|s| s.id),
        })
        .await?;
    // The transcript keeps what the person wrote; a redelivery is stored once (unique id).
    let stored = tx
        .messages()
        .insert(&NewMessage {
            conversation_id: conversation.id,
            direction: Direction::Out,
            // Written by a person of the showroom, like a message from the dashboard.
            author: Author::Admin,
            provider_message_id: Some(reply.provider_message_id),
            body: reply.body,
            media: json!([]),
            handled_by: None,
            intent: Some("person_reply"),
            llm_tokens: 0,
        })
        .await?;
    if stored.is_none() {
        tx.commit().await?;
        return Ok(false);
    }
    let minutes = settings.bot.handoff_pause_minutes.clamp(1, 7 * 24 * 60);
    let until = services.clock.now() + chrono::Duration::minutes(minutes);
    tx.conversations().hand_off(conversation.id, None, until).await?;
    // The showroom answered the customer: their open lead's first contact.
    if let Some(lead) = tx.lead_intake().open_for_phone(reply.to.as_str()).await? {
        crate::routing::contacted_in(services, &mut tx, lead.id).await?;
    }
    tx.audit(&Actor::System.audit(
        "conversation.person_replied",
        Some(("conversation", conversation.id.to_string())),
        json!({ "paused_until": until }),
    ))
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Records that Garasi sent `provider_message_id` from the showroom's number, so its echo
/// is never taken for a person's reply.
pub async fn record_sent(services: &Services, tenant: &TenantDb, provider_message_id: &str) -> ServiceResult<()> {
    let mut tx = tenant.begin_write().await?;
    let now = services.clock.now();
    tx.sent_messages().record(provider_message_id, now).await?;
    // A person's reply comes within minutes of ours; older ids are never needed again.
    tx.sent_messages().forget_before(now - chrono::Duration::days(2)).await?;
    tx.commit().await?;
    Ok(())
}
