//! The internal listener (`GARASI_INTERNAL_BIND`, loopback by default): endpoints for the
//! platform's own infrastructure, never for browsers, and never on the public port.
//!
//! - `GET /tls/allowed?domain=` is Caddy's on-demand TLS `ask`: 200 for a host Garasi
//!   serves (the admin host, a showroom subdomain, a verified custom domain of an active
//!   showroom), 404 for anything else, so nobody can make the proxy request certificates
//!   for arbitrary names pointed at it.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use garasi_domain::normalize_host;
use http::StatusCode;
use serde::Deserialize;

use crate::health;
use crate::host::{Resolved, resolve_host};
use crate::state::AppState;

pub fn internal_router(state: AppState) -> Router {
    Router::new()
        .route("/tls/allowed", get(tls_allowed))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .with_state(state)
}

#[derive(Deserialize)]
struct AllowedQuery {
    #[serde(default)]
    domain: String,
}

async fn tls_allowed(State(state): State<AppState>, Query(q): Query<AllowedQuery>) -> StatusCode {
    // Caddy sends the bare server name; a port or an odd case is normalised like a Host.
    let Ok(host) = normalize_host(&q.domain) else { return StatusCode::NOT_FOUND };
    match resolve_host(&state, host).await {
        Ok(Resolved::Site(_)) => StatusCode::OK,
        Ok(Resolved::Unknown | Resolved::Gone) => StatusCode::NOT_FOUND,
        // Unsure is a no: a certificate can be asked for again, a wrong one can't be taken back.
        Err(e) => {
            tracing::warn!(error = %e, "tls ask: lookup failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
