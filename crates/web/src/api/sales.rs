//! Showroom API for salespeople: list (any role), add and remove (owner/admin).
//!
//! The list is alphabetical by name (it mostly feeds pickers). Removing is a soft
//! delete; adding the phone of a removed salesperson brings that person back.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use garasi_domain::{FieldErrors, PhoneNumber, check};
use garasi_store::StoreError;
use garasi_store::platform::AuditEntry;
use garasi_store::tenant::{NewSalesPerson, SalesPerson};
use serde_json::{Value, json};

use super::dto::ApiError;
use super::dto::sales::{SalesInput, SalesList, SalesPerson as SalesPersonView};
use super::{ApiJson, PageQuery, parse_id};
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::host::client_ip;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/sales", get(list).post(create)).route("/api/sales/{id}", delete(remove))
}

pub(crate) fn sales_json(s: &SalesPerson) -> SalesPersonView {
    SalesPersonView::from(s)
}

/// `?page=&per_page=` that are not numbers get a field message instead of a bare 400.
pub(crate) fn page_query(q: Result<Query<PageQuery>, QueryRejection>) -> Result<PageQuery, AppError> {
    q.map(|Query(q)| q).map_err(|_| {
        let mut errors = FieldErrors::new();
        errors.add("page", "Nomor halaman harus berupa angka.");
        errors.add("per_page", "Jumlah per halaman harus berupa angka.");
        AppError::Validation(errors)
    })
}

/// Writes a showroom user's action to the audit log.
pub(crate) async fn audit(
    state: &AppState,
    parts: &Parts,
    auth: &TenantAuth,
    action: &str,
    target: Option<(&str, String)>,
    details: Value,
) -> Result<(), AppError> {
    let (target_kind, target_id) = match target {
        Some((k, id)) => (Some(k.to_owned()), Some(id)),
        None => (None, None),
    };
    state
        .db
        .platform()
        .audit(&AuditEntry {
            tenant_id: Some(auth.tenant.id),
            actor_kind: "user",
            actor_id: Some(auth.user.id),
            action: action.to_owned(),
            target_kind,
            target_id,
            details,
            ip: client_ip(&state.config, parts).map(|i| i.to_string()),
        })
        .await?;
    Ok(())
}

#[utoipa::path(get, path = "/api/sales", tag = "sales", summary = "Daftar sales",
    params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, description = "Daftar", body = SalesList)))]
async fn list(
    State(state): State<AppState>,
    auth: TenantAuth,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = page_query(q)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let items = tx.sales().list(q.per_page(), q.offset()).await?;
    let total = tx.sales().count().await?;
    tx.commit().await?;
    let items = items.iter().map(sales_json).collect();
    Ok(axum::Json(SalesList::new(&q, items, total)).into_response())
}

fn check_name(errors: &mut FieldErrors, name: &str) -> Option<String> {
    let name = name.trim();
    let len = name.chars().count();
    if len < 2 {
        errors.add("name", "Nama sales minimal 2 karakter.");
        None
    } else if len > 80 {
        errors.add("name", "Nama sales maksimal 80 karakter.");
        None
    } else {
        Some(name.to_owned())
    }
}

#[utoipa::path(post, path = "/api/sales", tag = "sales", summary = "Tambah sales (pemilik/admin)", request_body = SalesInput,
    responses((status = 201, description = "Dibuat", body = SalesPersonView),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 422, description = "Isian tidak valid.", body = ApiError)))]
async fn create(
    State(state): State<AppState>,
    auth: TenantAuth,
    parts: Parts,
    ApiJson(body): ApiJson<SalesInput>,
) -> Result<Response, AppError> {
    let person = add_sales(&state, &parts, &auth, &body.name, &body.phone).await?;
    Ok((StatusCode::CREATED, axum::Json(sales_json(&person))).into_response())
}

/// Validates and adds a salesperson (owner/admin), and audits it. Shared with the dashboard.
pub(crate) async fn add_sales(
    state: &AppState,
    parts: &Parts,
    auth: &TenantAuth,
    name: &str,
    phone: &str,
) -> Result<SalesPerson, AppError> {
    auth.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = check_name(&mut errors, name);
    let phone = check(&mut errors, "phone", PhoneNumber::parse(phone));
    let (Some(name), Some(phone)) = (name, phone) else {
        return Err(AppError::Validation(errors));
    };
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    let person = tx.sales().create(&NewSalesPerson { name, phone }).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::field("phone", "Nomor ini sudah terdaftar sebagai sales."),
        other => other.into(),
    })?;
    tx.commit().await?;
    audit(
        state,
        parts,
        auth,
        "sales.create",
        Some(("sales_staff", person.id.to_string())),
        json!({ "name": person.name, "phone": person.phone }),
    )
    .await?;
    Ok(person)
}

#[utoipa::path(delete, path = "/api/sales/{id}", tag = "sales", summary = "Hapus sales (pemilik/admin)",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Dihapus"), (status = 403, description = "Bukan pemilik/admin.", body = ApiError)))]
/// Soft delete; 404 for unknown ids, ids of other showrooms and salespeople already removed.
async fn remove(
    State(state): State<AppState>,
    auth: TenantAuth,
    parts: Parts,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    remove_sales(&state, &parts, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes a salesperson (owner/admin) and audits it. Shared with the dashboard.
pub(crate) async fn remove_sales(
    state: &AppState,
    parts: &Parts,
    auth: &TenantAuth,
    id: uuid::Uuid,
) -> Result<(), AppError> {
    auth.require_admin()?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    if !tx.sales().delete(id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    audit(state, parts, auth, "sales.delete", Some(("sales_staff", id.to_string())), json!({})).await?;
    Ok(())
}
