//! Root admin API for showrooms: create, list, view, edit, soft-delete.
//! Admin host only, root only; every change lands in the audit log.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garasi_domain::{
    DomainName, Email, FieldErrors, PhoneNumber, Role, Slug, TenantId, TenantStatus, check, check_password_policy,
};
use garasi_store::StoreError;
use garasi_store::platform::{AuditEntry, NewTenant, Tenant, TenantPatch};
use garasi_store::tenant::{NewUser, User};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::dto::ApiError;
use super::dto::tenants::{Tenant as TenantView, TenantList, TenantOwner, TenantPatch as TenantPatchDoc};
use super::{ApiJson, tenant_json};
use crate::auth::RootAuth;
use crate::auth::password::hash_password;
use crate::error::AppError;
use crate::events::Event;
use crate::host::client_ip;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/tenants", get(list).post(create))
        .route("/api/admin/tenants/{id}", get(show).put(update).delete(remove))
}

/// A new showroom and its owner, from the API's JSON or the root dashboard's form.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = TenantInput)]
pub(crate) struct CreateTenant {
    #[serde(default)]
    pub name: String,
    /// The showroom's subdomain, e.g. `sinarjaya`.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub owner_email: String,
    #[serde(default)]
    #[schema(min_length = 10)]
    pub owner_password: String,
    pub whatsapp_number: Option<String>,
    /// A custom domain, e.g. `mobil.sinarjaya.co.id`.
    pub domain: Option<String>,
}

pub(crate) fn check_name(errors: &mut FieldErrors, name: &str) -> Option<String> {
    let name = name.trim();
    let len = name.chars().count();
    if len < 2 {
        errors.add("name", "Nama showroom minimal 2 karakter.");
        None
    } else if len > 100 {
        errors.add("name", "Nama showroom maksimal 100 karakter.");
        None
    } else {
        Some(name.to_owned())
    }
}

/// A custom domain must be a real host name and must not collide with the
/// platform's own names.
fn check_domain(state: &AppState, errors: &mut FieldErrors, raw: &str) -> Option<String> {
    let domain = check(errors, "domain", DomainName::parse(raw))?;
    let d = domain.as_str();
    let tenant_domain = &state.config.tenant_domain;
    if d == state.config.admin_host || d == tenant_domain || d.ends_with(&format!(".{tenant_domain}")) {
        errors.add("domain", "Domain ini milik platform dan tidak bisa dipakai sebagai domain showroom.");
        return None;
    }
    Some(d.to_owned())
}

fn check_phone(errors: &mut FieldErrors, raw: Option<&str>) -> Option<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(r) => check(errors, "whatsapp_number", PhoneNumber::parse(r)).map(|p| Some(p.as_str().to_owned())),
    }
}

/// Unique-constraint conflicts become field messages, naming the field that clashed.
fn conflict_to_fields(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(hint) if hint.contains("slug") => {
            AppError::field("slug", "Slug ini sudah dipakai showroom lain.")
        }
        StoreError::Conflict(hint) if hint.contains("domain") => {
            AppError::field("domain", "Domain ini sudah dipakai showroom lain.")
        }
        other => other.into(),
    }
}

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

/// Host caches and page caches of every instance forget the tenant.
pub(crate) async fn tenant_changed(state: &AppState, id: TenantId) {
    state.hosts.forget_tenant(id);
    state.events.publish(Event::TenantChanged { tenant_id: id.0 }).await;
}

#[utoipa::path(post, path = "/api/admin/tenants", tag = "admin", summary = "Buat showroom beserta pemiliknya (root)",
    request_body = CreateTenant,
    responses((status = 201, description = "Dibuat", body = TenantView),
        (status = 422, description = "Isian tidak valid.", body = ApiError)))]
async fn create(
    State(state): State<AppState>,
    root: RootAuth,
    parts: Parts,
    ApiJson(body): ApiJson<CreateTenant>,
) -> Result<Response, AppError> {
    let (tenant, user) = create_tenant(&state, &root, &parts, body).await?;
    let domains = state.db.platform().tenant_domains(tenant.id).await?;
    let mut body = tenant_json(&state.config, &tenant, Some(&domains));
    body.owner = Some(TenantOwner::from(&user));
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// Validates and creates a showroom with its owner, audits it and tells every instance.
pub(crate) async fn create_tenant(
    state: &AppState,
    root: &RootAuth,
    parts: &Parts,
    body: CreateTenant,
) -> Result<(Tenant, User), AppError> {
    let mut errors = FieldErrors::new();
    let name = check_name(&mut errors, &body.name);
    let slug = check(&mut errors, "slug", Slug::parse(body.slug.trim()));
    let email = check(&mut errors, "owner_email", Email::parse(&body.owner_email));
    let password_ok = check(&mut errors, "owner_password", check_password_policy(&body.owner_password));
    let whatsapp = check_phone(&mut errors, body.whatsapp_number.as_deref());
    let domain = match body.domain.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => check_domain(state, &mut errors, raw).map(Some),
        None => Some(None),
    };
    let (Some(name), Some(slug), Some(email), Some(()), Some(whatsapp), Some(domain)) =
        (name, slug, email, password_ok, whatsapp, domain)
    else {
        return Err(AppError::Validation(errors));
    };
    let password_hash = hash_password(&body.owner_password).await?;
    let new = NewTenant { slug: slug.as_str().to_owned(), name, whatsapp_number: whatsapp, domain };
    let owner = NewUser { email, name: String::new(), role: Role::Owner, password_hash };
    let (tenant, user) =
        state.db.platform().create_tenant(&new, &owner, &json!({})).await.map_err(conflict_to_fields)?;
    audit(state, parts, root, "tenant.create", tenant.id, json!({ "slug": tenant.slug, "owner_email": user.email }))
        .await?;
    tenant_changed(state, tenant.id).await;
    Ok((tenant, user))
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

pub(crate) fn parse_id(raw: &str) -> Result<TenantId, AppError> {
    super::parse_id(raw).map(TenantId)
}

#[utoipa::path(get, path = "/api/admin/tenants/{id}", tag = "admin", summary = "Detail showroom (root)",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Showroom", body = TenantView)))]
async fn show(State(state): State<AppState>, _root: RootAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let platform = state.db.platform();
    let tenant = platform.tenant(id).await?.ok_or(AppError::NotFound)?;
    let domains = platform.tenant_domains(id).await?;
    Ok(axum::Json(tenant_json(&state.config, &tenant, Some(&domains))).into_response())
}

const UPDATABLE: [&str; 4] = ["name", "status", "whatsapp_number", "domain"];

#[utoipa::path(put, path = "/api/admin/tenants/{id}", tag = "admin", summary = "Ubah showroom (root)",
    params(("id" = uuid::Uuid, Path)), request_body = TenantPatchDoc,
    responses((status = 200, description = "Diubah", body = TenantView),
        (status = 422, description = "Isian tidak valid.", body = ApiError)))]
async fn update(
    State(state): State<AppState>,
    root: RootAuth,
    parts: Parts,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let tenant = update_tenant(&state, &root, &parts, id, body).await?;
    let domains = state.db.platform().tenant_domains(id).await?;
    Ok(axum::Json(tenant_json(&state.config, &tenant, Some(&domains))).into_response())
}

/// Applies a partial update (`name`, `status`, `whatsapp_number`, `domain`; anything
/// else is refused), audits it and tells every instance.
pub(crate) async fn update_tenant(
    state: &AppState,
    root: &RootAuth,
    parts: &Parts,
    id: TenantId,
    body: Map<String, Value>,
) -> Result<Tenant, AppError> {
    let mut errors = FieldErrors::new();
    // Refuse unknown fields instead of ignoring them: no silent mass assignment.
    for key in body.keys().filter(|k| !UPDATABLE.contains(&k.as_str())) {
        errors.add(key, "Kolom ini tidak dikenal atau tidak boleh diubah.");
    }
    let mut patch = TenantPatch::default();
    if let Some(v) = body.get("name") {
        patch.name = check_name(&mut errors, v.as_str().unwrap_or(""));
    }
    if let Some(v) = body.get("status") {
        match v.as_str().and_then(|s| s.parse::<TenantStatus>().ok()) {
            Some(s) => patch.status = Some(s),
            None => errors.add("status", "Status harus salah satu dari: active, suspended, deleted."),
        }
    }
    if let Some(v) = body.get("whatsapp_number") {
        match v {
            Value::Null => patch.whatsapp_number = Some(None),
            Value::String(s) => patch.whatsapp_number = check_phone(&mut errors, Some(s)),
            _ => errors.add("whatsapp_number", "Nomor WhatsApp harus berupa teks."),
        }
    }
    if let Some(v) = body.get("domain") {
        match v {
            Value::Null => patch.domain = Some(None),
            Value::String(s) if s.trim().is_empty() => patch.domain = Some(None),
            Value::String(s) => patch.domain = check_domain(state, &mut errors, s).map(Some),
            _ => errors.add("domain", "Domain harus berupa teks."),
        }
    }
    errors.into_result().map_err(AppError::Validation)?;
    let tenant = state.db.platform().update_tenant(id, &patch).await.map_err(conflict_to_fields)?;
    audit(state, parts, root, "tenant.update", id, Value::Object(body)).await?;
    tenant_changed(state, id).await;
    Ok(tenant)
}

#[utoipa::path(delete, path = "/api/admin/tenants/{id}", tag = "admin", summary = "Hapus showroom (lunak) (root)",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Dihapus", body = TenantView)))]
/// Soft delete: the row and its data stay (for audit and restore); the host stops serving.
async fn remove(
    State(state): State<AppState>,
    root: RootAuth,
    parts: Parts,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let tenant = delete_tenant(&state, &root, &parts, id).await?;
    Ok(axum::Json(tenant_json(&state.config, &tenant, None)).into_response())
}

/// Soft-deletes a showroom, audits it and tells every instance.
pub(crate) async fn delete_tenant(
    state: &AppState,
    root: &RootAuth,
    parts: &Parts,
    id: TenantId,
) -> Result<Tenant, AppError> {
    let patch = TenantPatch { status: Some(TenantStatus::Deleted), ..TenantPatch::default() };
    let tenant = state.db.platform().update_tenant(id, &patch).await?;
    audit(state, parts, root, "tenant.delete", id, json!({})).await?;
    tenant_changed(state, id).await;
    Ok(tenant)
}
