//! The pairing card on `/admin/whatsapp` (HTMX): the card, its body (the polling
//! fallback of the SSE stream `/api/whatsapp/pair/events`), and its buttons, which run
//! the same use cases as the JSON API (`garasi_service::whatsapp`).

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use garasi_channels::{Pairing, StatusView};
use garasi_domain::TenantId;
use garasi_service::whatsapp;
use serde::Deserialize;

use crate::api::whatsapp::channels;
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::AppState;

/// The body of the pairing card for a status and pairing artefact. A QR past its expiry
/// is never drawn: the page says a new one is coming instead.
pub(crate) fn render_pairing(state: &AppState, view: &StatusView, pairing: Option<&Pairing>) -> String {
    let tone = if view.alert {
        "bad"
    } else if view.status == whatsapp::ConnState::Connected {
        "ok"
    } else {
        "warn"
    };
    let now = chrono::Utc::now();
    let (step, svg, seq, code) = match pairing {
        Some(Pairing::Qr { payload, expires_at, seq }) if *expires_at > now => {
            let svg = garasi_channels::qr::svg(payload).unwrap_or_default();
            let svg = svg.find("<svg").map(|i| svg[i..].to_owned()).unwrap_or_default();
            ("qr", svg, *seq, String::new())
        }
        Some(Pairing::Qr { .. }) => ("qr_expired", String::new(), 0, String::new()),
        Some(Pairing::Code { code, expires_at }) if *expires_at > now => ("code", String::new(), 0, code.clone()),
        Some(Pairing::Code { .. }) => ("code_expired", String::new(), 0, String::new()),
        Some(Pairing::Exhausted) => ("exhausted", String::new(), 0, String::new()),
        None if view.status.is_starting() => ("starting", String::new(), 0, String::new()),
        None => ("", String::new(), 0, String::new()),
    };
    state.templates.render(
        "admin/_wa_pairing_body.html",
        minijinja::context! {
            tone, status => view.status.as_str(), label => view.status_label, phone => view.phone.clone(),
            step, svg, seq, code,
        },
    )
}

async fn current_html(state: &AppState, tenant: TenantId) -> Result<String, AppError> {
    let ch = channels(state)?;
    let view = ch.status(tenant).await?;
    let pairing = ch.watch(tenant).and_then(|(_, p)| p.borrow().clone());
    Ok(render_pairing(state, &view, pairing.as_ref()))
}

fn html(body: String) -> Response {
    let mut r = axum::response::Html(body).into_response();
    r.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    r
}

/// The pairing card, for the dashboard to embed: live over SSE (htmx `sse` extension),
/// polling every 3 s without it, with the start/disconnect/logout buttons.
pub async fn card(State(state): State<AppState>, auth: TenantAuth) -> Result<Response, AppError> {
    auth.require_admin()?;
    let body = current_html(&state, auth.tenant.id).await?;
    Ok(html(state.templates.render("admin/_wa_pairing.html", minijinja::context! { body })))
}

/// The card's body alone (the polling fallback).
pub async fn body(State(state): State<AppState>, auth: TenantAuth) -> Result<Response, AppError> {
    auth.require_admin()?;
    Ok(html(current_html(&state, auth.tenant.id).await?))
}

#[derive(Deserialize)]
pub struct StartForm {
    phone: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    auth: TenantAuth,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    let phone = form.phone.filter(|p| !p.trim().is_empty());
    // The card shows a plain message, not a field error.
    if let Some(p) = &phone {
        garasi_domain::PhoneNumber::parse(p).map_err(|e| AppError::bad_request(e.to_string()))?;
    }
    let ch = channels(&state)?;
    whatsapp::pair(&state.services, &auth.actor(), &auth.tenant_db(&state), ch, phone.as_deref()).await?;
    Ok(html(current_html(&state, auth.tenant.id).await?))
}

async fn stop(state: &AppState, auth: &TenantAuth, wipe_keys: bool) -> Result<Response, AppError> {
    auth.require_admin()?;
    let ch = channels(state)?;
    whatsapp::stop(&state.services, &auth.actor(), &auth.tenant_db(state), ch, wipe_keys).await?;
    Ok(html(current_html(state, auth.tenant.id).await?))
}

pub async fn disconnect(State(state): State<AppState>, auth: TenantAuth) -> Result<Response, AppError> {
    stop(&state, &auth, false).await
}

pub async fn logout(State(state): State<AppState>, auth: TenantAuth) -> Result<Response, AppError> {
    stop(&state, &auth, true).await
}
