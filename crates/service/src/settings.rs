//! The showroom's own settings: its name, profile, credit rates and bot. Owners and
//! admins only.

use garasi_domain::{FieldErrors, TenantSettings};
use garasi_store::TenantDb;
use serde_json::json;

use crate::{Actor, ServiceError, ServiceResult, Services, tenants};

/// The sections of the settings document this use case replaces; keys other
/// features keep in the same document stay untouched.
const SECTIONS: [&str; 6] = ["profile", "credit", "bot", "routing", "followups", "insights"];

/// Saves the showroom's name and the edited sections of its settings. The form's
/// own rules (percentages, URLs, lengths) are checked by its adapter; the name here.
pub async fn update(
    services: &Services,
    actor: &Actor,
    tenant: &TenantDb,
    name: &str,
    settings: &TenantSettings,
) -> ServiceResult<()> {
    if !actor.can_manage() {
        return Err(ServiceError::forbidden("Hanya pemilik atau admin showroom yang boleh melakukan ini."));
    }
    let mut errors = FieldErrors::new();
    let name = tenants::check_name(&mut errors, name);
    let Some(name) = name else {
        return Err(ServiceError::Validation(errors));
    };
    let mut tx = tenant.begin_write().await?;
    let mut raw = tx.settings().get().await?;
    if !raw.is_object() {
        raw = json!({});
    }
    // The ceiling is the platform's (or root's for this showroom), read from what is
    // stored, never from what the form sent.
    let ceiling = TenantSettings::from_json(&raw).llm_token_ceiling(services.llm_token_ceiling);
    if settings.bot.llm_daily_token_budget > ceiling {
        return Err(ServiceError::field("llm_daily_token_budget", llm_ceiling_message(ceiling)));
    }
    let typed = settings.to_json();
    for key in SECTIONS {
        raw[key] = typed[key].clone();
    }
    tx.settings().put(&raw).await?;
    tx.rename_tenant(&name).await?;
    tx.audit(&actor.audit("settings.update", None, json!({ "sections": SECTIONS }))).await?;
    tx.commit().await?;
    // The public pages and the host caches show the new name and profile right away.
    services.tenant_changed(tenant.tenant_id()).await;
    Ok(())
}

/// The form's error when the owner asks for more LLM tokens than the platform allows.
pub fn llm_ceiling_message(ceiling: i64) -> String {
    format!(
        "Batas token AI per hari maksimal {} untuk showroom ini. Hubungi pengelola platform bila perlu lebih.",
        garasi_domain::money::group_thousands(ceiling)
    )
}
