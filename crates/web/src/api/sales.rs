//! Showroom API for salespeople: list (any role), add and remove (owner/admin,
//! through `garasi_service::sales`).
//!
//! The list is alphabetical by name (it mostly feeds pickers). Removing is a soft
//! delete; adding the phone of a removed salesperson brings that person back.

use axum::Router;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use garasi_domain::FieldErrors;
use garasi_store::tenant::SalesPerson;

use super::dto::sales::{DutyInput, RoutingInput, SalesInput, SalesList, SalesPerson as SalesPersonView};
use super::{ApiJson, InvalidInput, NotAdmin, PageQuery, PathId, StaffCtx};
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/sales", get(list).post(create))
        .route("/api/sales/{id}", delete(remove))
        .route("/api/sales/{id}/duty", put(duty))
        .route("/api/sales/{id}/routing", put(routing))
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
async fn list(s: StaffCtx, q: Result<Query<PageQuery>, QueryRejection>) -> Result<Response, AppError> {
    let q = page_query(q)?;
    let mut tx = s.tenant.begin().await?;
    let items = tx.sales().list(q.per_page(), q.offset()).await?;
    let total = tx.sales().count().await?;
    tx.commit().await?;
    let items = items.iter().map(sales_json).collect();
    Ok(axum::Json(SalesList::new(&q, items, total)).into_response())
}

#[utoipa::path(post, path = "/api/sales", tag = "sales", summary = "Tambah sales (pemilik/admin)", request_body = SalesInput,
    responses((status = 201, description = "Dibuat", body = SalesPersonView), NotAdmin, InvalidInput))]
async fn create(s: StaffCtx, ApiJson(body): ApiJson<SalesInput>) -> Result<Response, AppError> {
    let person = garasi_service::sales::add(&s.state.services, &s.actor, &s.tenant, &body.name, &body.phone).await?;
    Ok((StatusCode::CREATED, axum::Json(sales_json(&person))).into_response())
}

#[utoipa::path(delete, path = "/api/sales/{id}", tag = "sales", summary = "Hapus sales (pemilik/admin)",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "Dihapus"), NotAdmin))]
/// Soft delete; 404 for unknown ids, ids of other showrooms and salespeople already removed.
async fn remove(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    garasi_service::sales::remove(&s.state.services, &s.actor, &s.tenant, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(put, path = "/api/sales/{id}/duty", tag = "sales", summary = "Sales bertugas atau libur (pemilik/admin)",
    params(("id" = uuid::Uuid, Path)), request_body = DutyInput,
    responses((status = 200, description = "Diubah", body = SalesPersonView), NotAdmin))]
/// Off duty gets no new leads from the round robin (like "/libur" by chat).
async fn duty(s: StaffCtx, PathId(id): PathId, ApiJson(body): ApiJson<DutyInput>) -> Result<Response, AppError> {
    let person = garasi_service::routing::set_on_duty(&s.state.services, &s.actor, &s.tenant, id, body.on_duty).await?;
    Ok(axum::Json(sales_json(&person)).into_response())
}

#[utoipa::path(put, path = "/api/sales/{id}/routing", tag = "sales", summary = "Bobot dan jam kerja sales (pemilik/admin)",
    params(("id" = uuid::Uuid, Path)), request_body = RoutingInput,
    responses((status = 200, description = "Diubah", body = SalesPersonView), NotAdmin, InvalidInput))]
/// Weight 0–100 (leads per turn of the round robin) and working hours in Jakarta time.
async fn routing(s: StaffCtx, PathId(id): PathId, ApiJson(body): ApiJson<RoutingInput>) -> Result<Response, AppError> {
    let person = garasi_service::routing::set_routing(
        &s.state.services,
        &s.actor,
        &s.tenant,
        id,
        body.weight,
        body.work_hours.as_ref(),
    )
    .await?;
    Ok(axum::Json(sales_json(&person)).into_response())
}
