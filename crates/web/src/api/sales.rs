//! Showroom API for salespeople: list (any role), add and remove (owner/admin,
//! through `garasi_service::sales`).
//!
//! The list is alphabetical by name (it mostly feeds pickers). Removing is a soft
//! delete; adding the phone of a removed salesperson brings that person back.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use garasi_domain::FieldErrors;
use garasi_store::tenant::SalesPerson;

use super::dto::ApiError;
use super::dto::sales::{SalesInput, SalesList, SalesPerson as SalesPersonView};
use super::{ApiJson, PageQuery, parse_id};
use crate::auth::TenantAuth;
use crate::error::AppError;
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

#[utoipa::path(post, path = "/api/sales", tag = "sales", summary = "Tambah sales (pemilik/admin)", request_body = SalesInput,
    responses((status = 201, description = "Dibuat", body = SalesPersonView),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 422, description = "Isian tidak valid.", body = ApiError)))]
async fn create(
    State(state): State<AppState>,
    auth: TenantAuth,
    ApiJson(body): ApiJson<SalesInput>,
) -> Result<Response, AppError> {
    let person =
        garasi_service::sales::add(&state.services, &auth.actor(), &auth.tenant_db(&state), &body.name, &body.phone)
            .await?;
    Ok((StatusCode::CREATED, axum::Json(sales_json(&person))).into_response())
}

#[utoipa::path(delete, path = "/api/sales/{id}", tag = "sales", summary = "Hapus sales (pemilik/admin)",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Dihapus"), (status = 403, description = "Bukan pemilik/admin.", body = ApiError)))]
/// Soft delete; 404 for unknown ids, ids of other showrooms and salespeople already removed.
async fn remove(State(state): State<AppState>, auth: TenantAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    garasi_service::sales::remove(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
