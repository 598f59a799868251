//! Liveness and readiness, answered on any host (load balancers probe by IP).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::state::AppState;

pub async fn live() -> Response {
    axum::Json(json!({ "status": "ok" })).into_response()
}

pub async fn ready(State(state): State<AppState>) -> Response {
    if state.is_shutting_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({ "status": "shutting_down" }))).into_response();
    }
    match state.db.ping().await {
        Ok(()) => axum::Json(json!({ "status": "ok", "database": "ok", "kv": state.kv.kind() })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({ "status": "unavailable", "database": "error" })))
                .into_response()
        }
    }
}
