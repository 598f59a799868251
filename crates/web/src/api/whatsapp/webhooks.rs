//! The Cloud API webhook on the showroom's own host: `GET /webhooks/whatsapp` (the
//! verify handshake) and `POST /webhooks/whatsapp` (deliveries). The tenant comes from
//! the Host; a delivery's `X-Hub-Signature-256` is checked with that tenant's app secret
//! over the raw bytes before anything is parsed, and the messages are persisted before
//! the 200 goes back (Meta retries anything else, so duplicates are expected and dropped).

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garasi_channels::WebhookError;

use crate::auth::extract::SiteTenant;
use crate::state::AppState;

/// Meta's deliveries are small JSON documents; media comes by id, not inline.
const MAX_BODY: usize = 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route("/webhooks/whatsapp", get(verify).post(receive).layer(DefaultBodyLimit::max(MAX_BODY)))
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn verify(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(ch) = state.whatsapp.as_ref() else { return plain(StatusCode::SERVICE_UNAVAILABLE, "unavailable") };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let challenge = get("hub.challenge");
    if challenge.is_empty()
        || challenge.len() > 128
        || !challenge.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return plain(StatusCode::FORBIDDEN, "forbidden");
    }
    match ch.cloud_verify(tenant.id, get("hub.mode"), get("hub.verify_token"), challenge).await {
        Some(c) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], c).into_response(),
        None => plain(StatusCode::FORBIDDEN, "forbidden"),
    }
}

async fn receive(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(ch) = state.whatsapp.as_ref() else { return plain(StatusCode::SERVICE_UNAVAILABLE, "unavailable") };
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    match ch.cloud_webhook(tenant.id, signature, &body).await {
        Ok(_) => plain(StatusCode::OK, "ok"),
        Err(WebhookError::Unauthorized) => plain(StatusCode::UNAUTHORIZED, "invalid signature"),
        Err(WebhookError::BadPayload) => plain(StatusCode::BAD_REQUEST, "malformed payload"),
        Err(WebhookError::Store(e)) => {
            // Not acknowledged: Meta delivers it again later.
            tracing::warn!(error = %e, "could not persist a webhook delivery");
            plain(StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}
