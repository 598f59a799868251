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
