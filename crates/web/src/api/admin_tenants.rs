//! Root admin API for showrooms: create, list, view, edit, soft-delete.
//! Admin host only, root only; the changes are `garasi_service::tenants` use cases,
//! each audited in its own transaction.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garasi_domain::TenantId;
use garasi_service::tenants::CreateTenant;
use garasi_store::platform::AuditEntry;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{ApiJson, tenant_json};
use crate::auth::RootAuth;
use crate::auth::password::hash_for_service;
use crate::error::AppError;
use crate::host::client_ip;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/tenants", get(list).post(create))
        .route("/api/admin/tenants/{id}", get(show).put(update).delete(remove))
}

/// Writes a root action on a tenant to the audit log on its own, after the change.
/// Only the WhatsApp connections page still uses it; use cases audit in their transaction.
pub(crate) async fn audit(
    state: &AppState,
    parts: &Parts,
    root: &RootAuth,
    action: &str,
    tenant: TenantId,
    details: Value,
) -> Result<(), AppError> {
    state
        .db
        .platform()
        .audit(&AuditEntry {
            tenant_id: Some(tenant),
            actor_kind: "root",
            actor_id: Some(root.user.id),
            action: action.to_owned(),
            target_kind: Some("tenant".into()),
            target_id: Some(tenant.to_string()),
            details,
            ip: client_ip(&state.config, parts).map(|i| i.to_string()),
        })
        .await?;
    Ok(())
}

async fn create(
    State(state): State<AppState>,
    root: RootAuth,
    ApiJson(body): ApiJson<CreateTenant>,
) -> Result<Response, AppError> {
    let hosts = state.config.platform_hosts();
    let (tenant, user) =
        garasi_service::tenants::create(&state.services, &root.actor(), &hosts, body, hash_for_service).await?;
    // This instance forgets at once; the use case's event tells the page caches and the others.
    state.hosts.forget_tenant(tenant.id);
    let domains = state.db.platform().tenant_domains(tenant.id).await?;
    let mut body = tenant_json(&state.config, &tenant, Some(&domains));
    body["owner"] = json!({ "id": user.id, "email": user.email, "role": user.role.as_str() });
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<i64>,
    per_page: Option<i64>,
    #[serde(default)]
    include_deleted: bool,
}

async fn list(
    State(state): State<AppState>,
    _root: RootAuth,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let platform = state.db.platform();
    let items = platform.list_tenants(q.include_deleted, per_page, (page - 1) * per_page).await?;
    let total = platform.count_tenants(q.include_deleted).await?;
    let items: Vec<Value> = items.iter().map(|t| tenant_json(&state.config, t, None)).collect();
    Ok(axum::Json(json!({ "items": items, "total": total, "page": page, "per_page": per_page })).into_response())
}

pub(crate) fn parse_id(raw: &str) -> Result<TenantId, AppError> {
    super::parse_id(raw).map(TenantId)
}

async fn show(State(state): State<AppState>, _root: RootAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let platform = state.db.platform();
    let tenant = platform.tenant(id).await?.ok_or(AppError::NotFound)?;
    let domains = platform.tenant_domains(id).await?;
    Ok(axum::Json(tenant_json(&state.config, &tenant, Some(&domains))).into_response())
}

async fn update(
    State(state): State<AppState>,
    root: RootAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let hosts = state.config.platform_hosts();
    let tenant = garasi_service::tenants::update(&state.services, &root.actor(), &hosts, id, body).await?;
    state.hosts.forget_tenant(id);
    let domains = state.db.platform().tenant_domains(id).await?;
    Ok(axum::Json(tenant_json(&state.config, &tenant, Some(&domains))).into_response())
}

/// Soft delete: the row and its data stay (for audit and restore); the host stops serving.
async fn remove(State(state): State<AppState>, root: RootAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let tenant = garasi_service::tenants::delete(&state.services, &root.actor(), id).await?;
    state.hosts.forget_tenant(id);
    Ok(axum::Json(tenant_json(&state.config, &tenant, None)).into_response())
}
