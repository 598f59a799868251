//! The Cloud API webhook: the GET handshake and signed POST deliveries.

use garasi_domain::TenantId;
use garasi_store::StoreError;

use super::Channels;
use crate::cloud::{CloudCredentials, constant_time_eq, parse_webhook, verify_signature};
use crate::types::ChannelKind;

/// Why a webhook delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Missing or wrong signature, or no Cloud API set up for this showroom: 401.
    #[error("signature missing or invalid")]
    Unauthorized,
    /// The signature was right but the body is not JSON: 400.
    #[error("malformed payload")]
    BadPayload,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Channels {
    pub(super) async fn cloud_credentials(&self, tenant: TenantId) -> Result<Option<CloudCredentials>, StoreError> {
        let Some(row) = self.channel_row(tenant).await? else { return Ok(None) };
        if row.kind != "cloud_api" {
            return Ok(None);
        }
        let Some(sealed) = row.credentials_encrypted else { return Ok(None) };
        match self.inner.secrets.open(tenant, &sealed) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) => {
                tracing::error!(tenant = %tenant.0, error = %e, "stored Cloud API credentials cannot be opened");
                Ok(None)
            }
        }
    }

    /// The GET handshake: the challenge when the token matches this tenant's verify token.
    pub async fn cloud_verify(&self, tenant: TenantId, mode: &str, token: &str, challenge: &str) -> Option<String> {
        let creds = self.cloud_credentials(tenant).await.ok().flatten()?;
        (mode == "subscribe" && constant_time_eq(token, &creds.verify_token)).then(|| challenge.to_owned())
    }

    /// A webhook POST on the tenant's host: the signature is checked with the tenant's
    /// app secret over the raw body before anything is parsed; messages for this
    /// tenant's number are persisted, anything else is acknowledged and ignored.
    /// Returns how many new messages were stored.
    pub async fn cloud_webhook(
        &self,
        tenant: TenantId,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<usize, WebhookError> {
        let creds = self.cloud_credentials(tenant).await?.ok_or(WebhookError::Unauthorized)?;
        if !verify_signature(&creds.app_secret, signature, body) {
            return Err(WebhookError::Unauthorized);
        }
        let payload = parse_webhook(body, tenant).map_err(|_| WebhookError::BadPayload)?;
        let mut stored = 0;
        for m in payload.messages {
            // Route by the number the message was sent to, never by the text.
            let routed = self.inner.db.whatsapp().route(ChannelKind::CloudApi.as_str(), &m.phone_number_id).await?;
            if routed != Some(tenant) || m.phone_number_id != creds.phone_number_id {
                tracing::info!(tenant = %tenant.0, "webhook message for another phone_number_id ignored");
                continue;
            }
            if self.inner.inbox.accept(&m.message).await? {
                stored += 1;
            }
        }
        for s in payload.statuses.iter().filter(|s| s.status == "failed") {
            tracing::warn!(tenant = %tenant.0, message = ?s.message_id, error = ?s.error, "Cloud API reports a failed delivery");
        }
        Ok(stored)
    }
}
