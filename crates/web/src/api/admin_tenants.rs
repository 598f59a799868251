//! Root admin API for showrooms: create, list, view, edit, soft-delete.
//! Admin host only, root only; the changes are `garasi_service::tenants` use cases,
//! each audited in its own transaction.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garasi_domain::TenantId;
use garasi_service::tenants::CreateTenant;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::dto::tenants::{Tenant as TenantView, TenantList, TenantOwner, TenantPatch as TenantPatchDoc};
use super::{ApiJson, InvalidInput, PathId, tenant_json};
use crate::auth::RootAuth;
use crate::auth::password::hash_for_service;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/tenants", get(list).post(create))
        .route("/api/admin/tenants/{id}", get(show).put(update).delete(remove))
        .route("/api/admin/tenants/{id}/llm-ceiling", get(show_llm_ceiling).put(set_llm_ceiling))
}

/// Root's LLM token ceiling for one showroom.
#[derive(Deserialize, utoipa::ToSchema)]
struct LlmCeilingInput {
    /// Tokens per day, 0–100.000.000; `null` (or absent) returns to the platform's ceiling.
    #[serde(default)]
    llm_token_ceiling: Option<i64>,
}

/// A showroom's LLM token ceiling and what the bot may spend.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct LlmCeilingView {
    /// Root's override, or `null` when the platform's ceiling applies.
    llm_token_ceiling: Option<i64>,
    /// `GARASI_LLM_TOKEN_CEILING`.
    platform_ceiling: i64,
    /// The ceiling that applies.
    effective_ceiling: i64,
    /// The owner's stored daily budget.
    owner_budget: i64,
    /// What the bot may spend a day: the smaller of the budget and the ceiling.
    daily_tokens: i64,
}

fn ceiling_view(state: &AppState, c: garasi_service::limits::LlmCeiling) -> Response {
    axum::Json(LlmCeilingView {
        llm_token_ceiling: c.overridden,
        platform_ceiling: state.services.llm_token_ceiling,
        effective_ceiling: c.effective,
        owner_budget: c.owner_budget,
        daily_tokens: c.owner_budget.min(c.effective),
    })
    .into_response()
}

#[utoipa::path(get, path = "/api/admin/tenants/{id}/llm-ceiling", tag = "admin",
    summary = "Batas token AI harian showroom (root)", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Batas token", body = LlmCeilingView)))]
async fn show_llm_ceiling(
    State(state): State<AppState>,
    _root: RootAuth,
    PathId(id): PathId<TenantId>,
) -> Result<Response, AppError> {
    let c = garasi_service::limits::llm_ceiling(&state.services, id).await?;
    Ok(ceiling_view(&state, c))
}

#[utoipa::path(put, path = "/api/admin/tenants/{id}/llm-ceiling", tag = "admin",
    summary = "Ubah batas token AI harian showroom (root); tercatat di audit",
    params(("id" = uuid::Uuid, Path)), request_body = LlmCeilingInput,
    responses((status = 200, description = "Diubah", body = LlmCeilingView), InvalidInput))]
async fn set_llm_ceiling(
    State(state): State<AppState>,
    root: RootAuth,
    PathId(id): PathId<TenantId>,
    ApiJson(body): ApiJson<LlmCeilingInput>,
) -> Result<Response, AppError> {
    let c = garasi_service::limits::set_llm_ceiling(&state.services, &root.actor(), id, body.llm_token_ceiling).await?;
    Ok(ceiling_view(&state, c))
}

/// A new showroom and its owner, as the API's JSON. Documents
/// `garasi_service::tenants::CreateTenant`, which the handler reads.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // read only by the OpenAPI generator
struct TenantInput {
    name: String,
    /// The showroom's subdomain, e.g. `sinarjaya`.
    slug: String,
    owner_email: String,
    #[schema(min_length = 10)]
    owner_password: String,
    whatsapp_number: Option<String>,
    /// A custom domain, e.g. `mobil.sinarjaya.co.id`.
    domain: Option<String>,
}

#[utoipa::path(post, path = "/api/admin/tenants", tag = "admin", summary = "Buat showroom beserta pemiliknya (root)",
    request_body = TenantInput,
    responses((status = 201, description = "Dibuat", body = TenantView), InvalidInput))]
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
    body.owner = Some(TenantOwner::from(&user));
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    page: Option<i64>,
    /// 1–200, 50 by default.
    per_page: Option<i64>,
    /// `true` to list deleted showrooms too.
    #[serde(default)]
    include_deleted: bool,
}

#[utoipa::path(get, path = "/api/admin/tenants", tag = "admin", summary = "Daftar showroom (root)", params(ListQuery),
    responses((status = 200, description = "Daftar", body = TenantList)))]
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
    let items = items.iter().map(|t| tenant_json(&state.config, t, None)).collect();
    Ok(axum::Json(TenantList { items, total, page, per_page }).into_response())
}

#[utoipa::path(get, path = "/api/admin/tenants/{id}", tag = "admin", summary = "Detail showroom (root)",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Showroom", body = TenantView)))]
async fn show(
    State(state): State<AppState>,
    _root: RootAuth,
    PathId(id): PathId<TenantId>,
) -> Result<Response, AppError> {
    let platform = state.db.platform();
    let tenant = platform.tenant(id).await?.ok_or(AppError::NotFound)?;
    let domains = platform.tenant_domains(id).await?;
    Ok(axum::Json(tenant_json(&state.config, &tenant, Some(&domains))).into_response())
}

#[utoipa::path(put, path = "/api/admin/tenants/{id}", tag = "admin", summary = "Ubah showroom (root)",
    params(("id" = uuid::Uuid, Path)), request_body = TenantPatchDoc,
    responses((status = 200, description = "Diubah", body = TenantView), InvalidInput))]
async fn update(
    State(state): State<AppState>,
    root: RootAuth,
    PathId(id): PathId<TenantId>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, AppError> {
    let hosts = state.config.platform_hosts();
    let tenant = garasi_service::tenants::update(&state.services, &root.actor(), &hosts, id, body).await?;
    state.hosts.forget_tenant(id);
    let domains = state.db.platform().tenant_domains(id).await?;
    Ok(axum::Json(tenant_json(&state.config, &tenant, Some(&domains))).into_response())
}

#[utoipa::path(delete, path = "/api/admin/tenants/{id}", tag = "admin", summary = "Hapus showroom (lunak) (root)",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Dihapus", body = TenantView)))]
/// Soft delete: the row and its data stay (for audit and restore); the host stops serving.
async fn remove(
    State(state): State<AppState>,
    root: RootAuth,
    PathId(id): PathId<TenantId>,
) -> Result<Response, AppError> {
    let tenant = garasi_service::tenants::delete(&state.services, &root.actor(), id).await?;
    state.hosts.forget_tenant(id);
    Ok(axum::Json(tenant_json(&state.config, &tenant, None)).into_response())
}
