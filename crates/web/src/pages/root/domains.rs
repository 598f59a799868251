//! Root's hand on showrooms' own domains (shown on the showroom's page with their
//! DNS status): vouch for a domain without DNS, or remove one. Both are the use cases
//! in `garasi_service::domains`, audited in their own transaction.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use garasi_domain::TenantId;
use garasi_service::domains;
use http::HeaderMap;
use serde::Deserialize;

use super::Root;
use crate::error::AppError;
use crate::pages::admin::ui;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    domain: String,
}

fn parse_id(raw: &str) -> Result<TenantId, AppError> {
    raw.parse::<uuid::Uuid>().map(TenantId).map_err(|_| AppError::NotFound)
}

/// `POST /tenants/{id}/domains/{vouch|remove}`: runs one of root's domain use cases, then
/// goes back to the showroom's page.
pub async fn act(
    State(state): State<AppState>,
    Root(auth): Root,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<DomainForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    match action.as_str() {
        "vouch" => {
            domains::vouch(&state.services, &auth.actor(), &state.config.platform_hosts(), id, &form.domain).await?;
        }
        "remove" => domains::remove(&state.services, &auth.actor(), id, form.domain.trim()).await?,
        _ => return Err(AppError::NotFound),
    }
    state.hosts.forget_tenant(id);
    Ok(ui::redirect(&headers, &format!("/tenants/{id}")))
}
