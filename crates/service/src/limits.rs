//! Root's per-showroom overrides of platform limits. Stored in the showroom's settings
//! document under `limits`, a section the owner's settings form never writes, so no
//! migration is needed and the bot reads it with the settings it loads anyway.

use garasi_domain::TenantId;
use garasi_domain::TenantSettings;
use garasi_domain::tenant_settings::MAX_LLM_TOKEN_CEILING;
use serde_json::{Value, json};

use crate::tenants::{require_root, tenant_audit};
use crate::{Actor, ServiceError, ServiceResult, Services};

/// A showroom's LLM token ceiling as root sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlmCeiling {
    /// Root's override for this showroom, if any.
    pub overridden: Option<i64>,
    /// What applies: the override, else the platform's ceiling.
    pub effective: i64,
    /// The owner's stored daily budget (the bot uses the smaller of the two).
    pub owner_budget: i64,
}

/// The showroom's ceiling now.
pub async fn llm_ceiling(services: &Services, id: TenantId) -> ServiceResult<LlmCeiling> {
    services.db.platform().tenant(id).await?.ok_or(ServiceError::NotFound)?;
    let mut tx = services.db.tenant(id).begin().await?;
    let settings = TenantSettings::from_json(&tx.settings().get().await?);
    tx.commit().await?;
    Ok(ceiling_of(services, &settings))
}

fn ceiling_of(services: &Services, s: &TenantSettings) -> LlmCeiling {
    LlmCeiling {
        overridden: s.limits.llm_token_ceiling,
        effective: s.llm_token_ceiling(services.llm_token_ceiling),
        owner_budget: s.bot.llm_daily_token_budget,
    }
}

/// Sets (or with `None` removes) root's LLM token ceiling for one showroom, with its
/// audit entry in the same transaction. An owner budget above the new ceiling stays
/// stored; the bot applies the smaller of the two.
pub async fn set_llm_ceiling(
    services: &Services,
    actor: &Actor,
    id: TenantId,
    ceiling: Option<i64>,
) -> ServiceResult<LlmCeiling> {
    require_root(actor)?;
    if let Some(n) = ceiling
        && !(0..=MAX_LLM_TOKEN_CEILING).contains(&n)
    {
        return Err(ServiceError::field(
            "llm_token_ceiling",
            format!("Batas token harus antara 0 dan {}.", garasi_domain::money::group_thousands(MAX_LLM_TOKEN_CEILING)),
        ));
    }
    services.db.platform().tenant(id).await?.ok_or(ServiceError::NotFound)?;
    let mut tx = services.db.tenant(id).begin_write().await?;
    let mut raw = tx.settings().get().await?;
    if !raw.is_object() {
        raw = json!({});
    }
    let before = TenantSettings::from_json(&raw).limits.llm_token_ceiling;
    if !raw["limits"].is_object() {
        raw["limits"] = json!({});
    }
    if let Some(limits) = raw["limits"].as_object_mut() {
        match ceiling {
            Some(n) => limits.insert("llm_token_ceiling".into(), Value::from(n)),
            None => limits.remove("llm_token_ceiling"),
        };
    }
    tx.settings().put(&raw).await?;
    let details = json!({ "llm_token_ceiling": ceiling, "previous": before });
    tx.audit(&tenant_audit(actor, "tenant.llm_ceiling", id, details)).await?;
    tx.commit().await?;
    Ok(ceiling_of(services, &TenantSettings::from_json(&raw)))
}
