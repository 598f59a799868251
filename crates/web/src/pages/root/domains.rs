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

pub async fn vouch(
    State(state): State<AppState>,
    Root(auth): Root,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<DomainForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let hosts = state.config.platform_hosts();
    domains::vouch(&state.services, &auth.actor(), &hosts, id, &form.domain).await?;
    state.hosts.forget_tenant(id);
    Ok(ui::redirect(&headers, &format!("/tenants/{id}")))
}

pub async fn remove(
    State(state): State<AppState>,
    Root(auth): Root,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<DomainForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    domains::remove(&state.services, &auth.actor(), id, form.domain.trim()).await?;
    state.hosts.forget_tenant(id);
    Ok(ui::redirect(&headers, &format!("/tenants/{id}")))
}
