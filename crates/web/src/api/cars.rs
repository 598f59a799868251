//! The cars API on a showroom's host: staff-scoped CRUD with list filters.

use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garasi_domain::car::PriceVia;
use garasi_service::cars::Edit;
use serde_json::{Map, Value};

use super::dto::ApiError;
use super::dto::cars::{Car, CarInput, CarList};
use super::{AdminCtx, ApiJson, InvalidInput, NotAdmin, PathId, StaffCtx};
use crate::car_query::{Audience, parse_car_params};
use crate::error::AppError;
use crate::state::AppState;
use crate::views::{staff_car_json, staff_car_json_fresh, staff_cars_json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/cars", get(list).post(create))
        .route("/api/cars/{id}", get(show).put(update).delete(remove))
}

/// The `{id}` of a car route.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct CarId {
    id: uuid::Uuid,
}

/// The list's query parameters. The handler reads them as raw pairs (`parse_car_params`,
/// shared with the site's catalogue), so this type only documents them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct CarFilterParams {
    /// Brand, case-insensitive.
    brand: Option<String>,
    /// One model or several separated by commas; `HR-V` = `hrv`.
    model: Option<String>,
    /// Rupiah.
    price_min: Option<i64>,
    /// Rupiah.
    price_max: Option<i64>,
    year_min: Option<i64>,
    year_max: Option<i64>,
    /// Kilometres.
    mileage_max: Option<i64>,
    /// `AT` or `MT`.
    transmission: Option<String>,
    /// `bensin`, `diesel`, `hybrid` or `listrik`.
    fuel: Option<String>,
    /// `MPV`, `SUV`, `LCGC`, `sedan`, `hatchback`, `pickup` or `double_cabin`.
    body_type: Option<String>,
    /// `ganjil` or `genap`.
    plate_parity: Option<String>,
    /// `draft`, `available`, `booked`, `sold`, `hidden`; several separated by commas.
    status: Option<String>,
    /// Free text over brand, model and variant.
    q: Option<String>,
    /// `newest`, `price_asc`, `price_desc`, `year_desc`, `year_asc` or `mileage_asc`.
    sort: Option<String>,
    page: Option<i64>,
    /// 1–100.
    per_page: Option<i64>,
}

pub use garasi_service::cars::current_year;

#[utoipa::path(get, path = "/api/cars", tag = "cars", summary = "Daftar mobil dengan filter",
    params(CarFilterParams),
    responses((status = 200, description = "Daftar", body = CarList),
        (status = 422, description = "Filter tidak valid.", body = ApiError)))]
async fn list(s: StaffCtx, Query(pairs): Query<Vec<(String, String)>>) -> Result<Response, AppError> {
    let params = parse_car_params(&pairs, Audience::Staff).map_err(AppError::Validation)?;
    let mut tx = s.tenant.begin().await?;
    let (cars, total) =
        tx.cars().list(&params.filter, params.sort, params.per_page, (params.page - 1) * params.per_page).await?;
    let base = s.state.config.tenant_url(&s.auth.tenant);
    let items = staff_cars_json(&mut tx, &base, &cars).await?;
    tx.commit().await?;
    Ok(axum::Json(CarList { items, total, page: params.page, per_page: params.per_page }).into_response())
}

#[utoipa::path(post, path = "/api/cars", tag = "cars", summary = "Tambah mobil", request_body = CarInput,
    responses((status = 201, description = "Dibuat", body = Car), InvalidInput))]
async fn create(s: StaffCtx, ApiJson(body): ApiJson<Map<String, Value>>) -> Result<Response, AppError> {
    let car = garasi_service::cars::create(&s.state.services, &s.actor, PriceVia::Api, &s.tenant, &body).await?;
    let base = s.state.config.tenant_url(&s.auth.tenant);
    Ok((StatusCode::CREATED, axum::Json(staff_car_json_fresh(&s.tenant, &base, &car).await?)).into_response())
}

#[utoipa::path(get, path = "/api/cars/{id}", tag = "cars", summary = "Detail mobil", params(CarId),
    responses((status = 200, description = "Mobil", body = Car)))]
async fn show(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    let mut tx = s.tenant.begin().await?;
    let car = tx.cars().get(id).await?.ok_or(AppError::NotFound)?;
    let view = staff_car_json(&mut tx, &s.state.config.tenant_url(&s.auth.tenant), &car).await?;
    tx.commit().await?;
    Ok(axum::Json(view).into_response())
}

/// Partial update: the body's fields are laid over the stored car and the whole
/// result is validated, so a status-only change and a full form both work.
#[utoipa::path(put, path = "/api/cars/{id}", tag = "cars", summary = "Ubah mobil (kolom yang dikirim saja)",
    params(CarId), request_body = CarInput,
    responses((status = 200, description = "Diubah", body = Car), InvalidInput))]
async fn update(
    s: StaffCtx,
    PathId(id): PathId,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, AppError> {
    let car =
        garasi_service::cars::update(&s.state.services, &s.actor, PriceVia::Api, &s.tenant, id, Edit::Patch(&body))
            .await?;
    Ok(axum::Json(staff_car_json_fresh(&s.tenant, &s.state.config.tenant_url(&s.auth.tenant), &car).await?)
        .into_response())
}

#[utoipa::path(delete, path = "/api/cars/{id}", tag = "cars", summary = "Hapus mobil (pemilik/admin)", params(CarId),
    responses((status = 204, description = "Dihapus"), NotAdmin))]
// `AdminCtx` before `PathId`: a staff user gets the 403 even for an id that does not parse.
async fn remove(AdminCtx(s): AdminCtx, PathId(id): PathId) -> Result<Response, AppError> {
    garasi_service::cars::delete(&s.state.services, &s.actor, &s.tenant, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
