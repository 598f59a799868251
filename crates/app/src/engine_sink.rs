//! The bot engine as the WhatsApp channels' inbound sink. It lives in the composition
//! root because it joins two adapters (bot and channels) that do not know each other.

use std::sync::Arc;

use garasi_channels::InboundMessage;
use garasi_service::{PublicUrls, Services};

/// Hands inbound WhatsApp messages to the bot engine, with the tenant resolved from the
/// stored registry (its name and public URL), never from the message.
pub struct EngineSink {
    pub engine: Arc<garasi_bot::Engine>,
    pub services: Services,
    pub urls: PublicUrls,
}

#[garasi_channels::async_trait]
impl garasi_channels::InboundSink for EngineSink {
    async fn handle(&self, msg: &InboundMessage) -> anyhow::Result<()> {
        self.run(msg, false).await
    }

    async fn handle_again(&self, msg: &InboundMessage) -> anyhow::Result<()> {
        self.run(msg, true).await
    }
}

impl EngineSink {
    async fn run(&self, msg: &InboundMessage, again: bool) -> anyhow::Result<()> {
        let Some(tenant) = self.services.db.platform().tenant(msg.tenant_id).await? else { return Ok(()) };
        if tenant.status != garasi_domain::TenantStatus::Active {
            return Ok(());
        }
        let Some(from) = msg.sender.phone.clone() else {
            // A username-only user (BSUID, no phone): nothing to file it under yet.
            tracing::info!(tenant = %msg.tenant_id.0, "inbound message without a phone number skipped");
            return Ok(());
        };
        let inbound = garasi_bot::Inbound {
            tenant: garasi_bot::TenantRef {
                id: tenant.id,
                name: tenant.name.clone(),
                base_url: self.urls.tenant_url(&tenant),
            },
            channel: msg.channel.as_str().to_owned(),
            from: from.clone(),
            name: msg.sender_name.clone().unwrap_or_default(),
            text: msg.text().unwrap_or_default().to_owned(),
            provider_message_id: msg.id.clone(),
        };
        let outcome = if again { self.engine.resume(inbound).await } else { self.engine.handle(inbound).await };
        match outcome {
            // Stock changes made in the chat were published by their use cases.
            Ok(_) => {}
            // A sender that is not a phone number will never be answered: do not retry.
            Err(garasi_bot::BotError::Sender(e)) => {
                tracing::info!(tenant = %msg.tenant_id.0, error = %e, "inbound sender refused by the bot");
                return Ok(());
            }
            Err(e) => return Err(anyhow::Error::new(e)),
        }
        if let Some(lid) = &msg.sender.platform_id
            && let Ok(phone) = garasi_domain::PhoneNumber::parse(&from)
        {
            let mut tx = self.services.db.tenant(msg.tenant_id).begin_write().await?;
            tx.whatsapp().set_contact_lid(msg.channel.as_str(), phone.as_str(), lid).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
