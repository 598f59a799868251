//! The internal listener (`GARASI_INTERNAL_BIND`, loopback by default): endpoints for the
//! platform's own infrastructure, never for browsers, and never on the public port.
//!
//! - `GET /tls/allowed?domain=` is Caddy's on-demand TLS `ask`: 200 for a host Garasi
//!   serves (the admin host, a showroom subdomain, a verified custom domain of an active
//!   showroom), 404 for anything else, so nobody can make the proxy request certificates
//!   for arbitrary names pointed at it.
//! - `GET /metrics` is the Prometheus scrape (see `metrics_endpoint`), when the
//!   composition root installed a recorder.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use garasi_domain::normalize_host;
use http::StatusCode;
use serde::Deserialize;

use crate::health;
use crate::host::{Resolved, resolve_host};
use crate::metrics_endpoint;
pub use crate::metrics_endpoint::MetricsRender;
use crate::state::AppState;

pub fn internal_router(state: AppState, metrics: Option<MetricsRender>) -> Router {
    let router = Router::new()
        .route("/tls/allowed", get(tls_allowed))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .with_state(state.clone());
    match metrics {
        Some(render) => router.route("/metrics", get(metrics_endpoint::scrape).with_state((state, render))),
        None => router,
    }
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
