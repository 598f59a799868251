//! The cars API on a showroom's host: staff-scoped CRUD with list filters.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garasi_domain::car::CarFields;
use serde_json::{Map, Value, json};

use super::{ApiJson, parse_id};
use crate::auth::TenantAuth;
use crate::car_query::{Audience, parse_car_params};
use crate::error::AppError;
use crate::state::AppState;
use crate::views::staff_car_json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/cars", get(list).post(create))
        .route("/api/cars/{id}", get(show).put(update).delete(remove))
}

/// The current year in Jakarta, for "a car may be at most next year's model".
pub fn current_year() -> i64 {
    i64::from(garasi_domain::time::current_year())
}

async fn list(
    State(state): State<AppState>,
    auth: TenantAuth,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let params = parse_car_params(&pairs, Audience::Staff).map_err(AppError::Validation)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let (cars, total) =
        tx.cars().list(&params.filter, params.sort, params.per_page, (params.page - 1) * params.per_page).await?;
    tx.commit().await?;
    let base = state.config.tenant_url(&auth.tenant);
    let items: Vec<Value> = cars.iter().map(|c| staff_car_json(&base, c)).collect();
    Ok(axum::Json(json!({ "items": items, "total": total, "page": params.page, "per_page": params.per_page }))
        .into_response())
}

async fn create(
    State(state): State<AppState>,
    auth: TenantAuth,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, AppError> {
    let fields = CarFields::from_json(&body, current_year()).map_err(AppError::Validation)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    let car = tx.cars().create(&fields).await?;
    tx.commit().await?;
    state.inventory_changed(auth.tenant.id).await;
    let base = state.config.tenant_url(&auth.tenant);
    Ok((StatusCode::CREATED, axum::Json(staff_car_json(&base, &car))).into_response())
}

async fn show(State(state): State<AppState>, auth: TenantAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let car = tx.cars().get(id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(axum::Json(staff_car_json(&state.config.tenant_url(&auth.tenant), &car)).into_response())
}

/// Partial update: the body's fields are laid over the stored car and the whole
/// result is validated, so a status-only change and a full form both work.
async fn update(
    State(state): State<AppState>,
    auth: TenantAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    let current = tx.cars().get(id).await?.ok_or(AppError::NotFound)?;
    let mut merged = current.fields.to_json();
    for (k, v) in body {
        merged.insert(k, v);
    }
    let fields = CarFields::from_json(&merged, current_year()).map_err(AppError::Validation)?;
    let car = tx.cars().update(id, &fields).await?;
    tx.commit().await?;
    state.inventory_changed(auth.tenant.id).await;
    Ok(axum::Json(staff_car_json(&state.config.tenant_url(&auth.tenant), &car)).into_response())
}

async fn remove(State(state): State<AppState>, auth: TenantAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    auth.require_admin()?;
    let id = parse_id(&id)?;
    garasi_service::cars::delete(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
