//! The showroom's WhatsApp: channel settings, status, pairing (JSON, and the SSE stream
//! the dashboard's pairing card listens to), disconnect/logout, the dead-letter list,
//! and the Cloud API webhook (`webhooks`). Changes go through `garasi_service::whatsapp`.
//!
//! Everything here needs the owner or an admin of the showroom, except the webhook,
//! which authenticates Meta by the signature over the raw body.

pub mod webhooks;

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures_util::Stream;
use garasi_channels::{ChannelSetup, Channels, ConnStatus, Pairing};
use garasi_service::whatsapp::{self, CloudCredentials};
use garasi_store::jobs::WHATSAPP_OUT;
use tokio::sync::watch;

use super::dto::ApiError;
use super::dto::whatsapp::{ChannelInput, ChannelStatus, DeadLetter, DeadLetterList, PairInput, Requeued, StatusEvent};
use super::sales::page_query;
use super::{AdminCtx, ApiJson, InvalidInput, NoWhatsApp, NotAdmin, PageQuery, PathId, StaffCtx};
use crate::error::AppError;
use crate::pages::admin::whatsapp::pairing::render_pairing;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/whatsapp/channel", put(configure))
        .route("/api/whatsapp/status", get(status))
        .route("/api/whatsapp/pair", post(pair))
        .route("/api/whatsapp/pair/events", get(events))
        .route("/api/whatsapp/disconnect", post(disconnect))
        .route("/api/whatsapp/logout", post(logout))
        .route("/api/whatsapp/dead-letters", get(dead_letters))
        .route("/api/whatsapp/dead-letters/{id}/retry", post(retry_dead))
        .merge(webhooks::routes())
}

/// The running channels, or 503 when this server runs none.
pub(crate) fn channels(state: &AppState) -> Result<&Channels, AppError> {
    state.whatsapp.as_ref().ok_or_else(|| AppError::Unavailable("WhatsApp channels are not running".into()))
}

fn setup_from(body: ChannelInput) -> Result<ChannelSetup, AppError> {
    match body.kind.as_str() {
        "simulator" => Ok(ChannelSetup::Simulator),
        "waweb" => Ok(ChannelSetup::WaWeb),
        "cloud_api" => {
            let mut errors = garasi_domain::FieldErrors::new();
            let mut take = |name: &str, v: Option<String>, max: usize| -> String {
                let v = v.map(|s| s.trim().to_owned()).unwrap_or_default();
                if v.is_empty() {
                    errors.add(name, "Wajib diisi untuk WhatsApp Cloud API.");
                } else if v.len() > max || v.chars().any(char::is_control) {
                    errors.add(name, "Isian tidak valid.");
                }
                v
            };
            let phone_number_id = take("phone_number_id", body.phone_number_id, 64);
            let access_token = take("access_token", body.access_token, 2048);
            let app_secret = take("app_secret", body.app_secret, 256);
            let verify_token = take("verify_token", body.verify_token, 256);
            if !phone_number_id.is_empty() && !phone_number_id.chars().all(|c| c.is_ascii_digit()) {
                errors.add("phone_number_id", "phone_number_id hanya berisi angka.");
            }
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            Ok(ChannelSetup::CloudApi(CloudCredentials { phone_number_id, access_token, app_secret, verify_token }))
        }
        _ => Err(AppError::field("kind", "Pilih salah satu: waweb, cloud_api atau simulator.")),
    }
}

#[utoipa::path(put, path = "/api/whatsapp/channel", tag = "whatsapp",
    summary = "Pilih saluran WhatsApp (WhatsApp Web, Cloud API, simulator) (pemilik/admin)", request_body = ChannelInput,
    responses((status = 200, description = "Status saluran", body = ChannelStatus),
        (status = 409, description = "Tidak bisa diterapkan.", body = ApiError), InvalidInput, NotAdmin, NoWhatsApp))]
async fn configure(s: StaffCtx, ApiJson(body): ApiJson<ChannelInput>) -> Result<Response, AppError> {
    // Checked here, after the body: a bad body has always answered 400 first.
    s.auth.require_admin()?;
    let setup = setup_from(body)?;
    let ch = channels(&s.state)?;
    let view = whatsapp::configure(&s.state.services, &s.actor, &s.tenant, ch, setup).await?;
    Ok(axum::Json(ChannelStatus::from(view)).into_response())
}

#[utoipa::path(get, path = "/api/whatsapp/status", tag = "whatsapp", summary = "Status koneksi WhatsApp (pemilik/admin)",
    responses((status = 200, description = "Status saluran", body = ChannelStatus), NotAdmin, NoWhatsApp))]
async fn status(AdminCtx(s): AdminCtx) -> Result<Response, AppError> {
    let view = channels(&s.state)?.status(s.auth.tenant.id).await?;
    Ok(axum::Json(ChannelStatus::from(view)).into_response())
}

#[utoipa::path(post, path = "/api/whatsapp/pair", tag = "whatsapp",
    summary = "Mulai memasangkan nomor (QR, atau kode bila `phone` diisi) (pemilik/admin)",
    request_body(content = Option<PairInput>, description = "Boleh kosong."),
    responses((status = 200, description = "Status saluran", body = ChannelStatus),
        (status = 409, description = "Saluran tidak mendukung.", body = ApiError),
        (status = 422, description = "Nomor tidak valid.", body = ApiError), NotAdmin, NoWhatsApp))]
async fn pair(s: StaffCtx, body: axum::body::Bytes) -> Result<Response, AppError> {
    s.auth.require_admin()?;
    let body: PairInput = if body.iter().all(u8::is_ascii_whitespace) {
        PairInput::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| AppError::bad_request("Format JSON tidak valid."))?
    };
    let ch = channels(&s.state)?;
    let view = whatsapp::pair(&s.state.services, &s.actor, &s.tenant, ch, body.phone.as_deref()).await?;
    Ok(axum::Json(ChannelStatus::from(view)).into_response())
}

/// Disconnects (keeping the keys) or logs out (wiping them).
async fn stop_channel(s: StaffCtx, wipe_keys: bool) -> Result<Response, AppError> {
    let ch = channels(&s.state)?;
    let view = whatsapp::stop(&s.state.services, &s.actor, &s.tenant, ch, wipe_keys).await?;
    Ok(axum::Json(ChannelStatus::from(view)).into_response())
}

#[utoipa::path(post, path = "/api/whatsapp/disconnect", tag = "whatsapp",
    summary = "Putuskan koneksi (sesi tetap tersimpan) (pemilik/admin)",
    responses((status = 200, description = "Status saluran", body = ChannelStatus), NotAdmin, NoWhatsApp))]
async fn disconnect(AdminCtx(s): AdminCtx) -> Result<Response, AppError> {
    stop_channel(s, false).await
}

#[utoipa::path(post, path = "/api/whatsapp/logout", tag = "whatsapp",
    summary = "Keluarkan nomor dan hapus sesi (pemilik/admin)",
    responses((status = 200, description = "Status saluran", body = ChannelStatus), NotAdmin, NoWhatsApp))]
async fn logout(AdminCtx(s): AdminCtx) -> Result<Response, AppError> {
    stop_channel(s, true).await
}

#[utoipa::path(get, path = "/api/whatsapp/dead-letters", tag = "whatsapp",
    summary = "Pesan keluar yang gagal terkirim (pemilik/admin)",
    params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, description = "Daftar", body = DeadLetterList), NotAdmin))]
async fn dead_letters(
    AdminCtx(s): AdminCtx,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let q = page_query(q)?;
    let mut tx = s.tenant.begin().await?;
    let items = tx.outbox().list_status(WHATSAPP_OUT, "dead", q.per_page(), q.offset()).await?;
    let total = tx.outbox().count_status(WHATSAPP_OUT, "dead").await?;
    tx.commit().await?;
    Ok(axum::Json(DeadLetterList::new(&q, items.iter().map(DeadLetter::from).collect(), total)).into_response())
}

#[utoipa::path(post, path = "/api/whatsapp/dead-letters/{id}/retry", tag = "whatsapp",
    summary = "Kirim ulang pesan yang gagal (pemilik/admin)", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Diantrikan lagi", body = Requeued), NotAdmin))]
async fn retry_dead(AdminCtx(s): AdminCtx, PathId(id): PathId) -> Result<Response, AppError> {
    whatsapp::retry_dead_letter(&s.state.services, &s.actor, &s.tenant, id).await?;
    Ok(axum::Json(Requeued { id, status: "queued" }).into_response())
}

// ----------------------------------------------------------------------------------------
// Pairing on the dashboard: SSE with every QR rotation (the card itself is in
// `pages::admin::whatsapp::pairing`)
// ----------------------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/whatsapp/pair/events", tag = "whatsapp",
    summary = "Perubahan status dan QR sebagai Server-Sent Events (`status` JSON, `pairing` HTML) (pemilik/admin)",
    responses((status = 200, description = "Aliran SSE", content_type = "text/event-stream", body = String),
        NotAdmin, NoWhatsApp))]
/// Status, QR and code changes of a tenant, as SSE events named `pairing` (HTML for
/// `sse-swap="pairing"`) and `status` (JSON). The first event is the current state.
async fn events(AdminCtx(s): AdminCtx) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let state = s.state;
    let ch = channels(&state)?.clone();
    let tenant = s.auth.tenant.id;
    struct S {
        state: AppState,
        ch: Channels,
        tenant: garasi_domain::TenantId,
        watch: Option<(watch::Receiver<ConnStatus>, watch::Receiver<Option<Pairing>>)>,
        last: String,
        pending: Vec<Event>,
    }
    let init =
        S { watch: ch.watch(tenant), ch, tenant, last: String::new(), pending: Vec::new(), state: state.clone() };
    let stream = futures_util::stream::unfold(init, |mut s| async move {
        loop {
            if let Some(e) = s.pending.pop() {
                return Some((Ok(e), s));
            }
            // The stream ends with the server, so shutdown never waits on it.
            if s.state.is_shutting_down() {
                return None;
            }
            // Wait for a change on this instance, or re-read the shared status every 2 s
            // (the connection may be held by another instance, or be replaced).
            if let Some((st, pr)) = s.watch.as_mut() {
                let changed = tokio::select! {
                    r = st.changed() => r.is_ok(),
                    r = pr.changed() => r.is_ok(),
                    _ = tokio::time::sleep(Duration::from_secs(2)) => true,
                };
                if !changed {
                    s.watch = None;
                }
            } else if !s.last.is_empty() {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            if s.watch.is_none() {
                s.watch = s.ch.watch(s.tenant);
            }
            let view = match s.ch.status(s.tenant).await {
                Ok(v) => v,
                Err(_) => continue,
            };
            let pairing = s.watch.as_ref().and_then(|(_, p)| p.borrow().clone());
            let html = render_pairing(&s.state, &view, pairing.as_ref());
            if html != s.last {
                s.last = html.clone();
                let status = StatusEvent {
                    status: view.status.as_str(),
                    label: view.status_label,
                    alert: view.alert,
                    phone: view.phone.as_deref(),
                };
                let status = serde_json::to_string(&status).unwrap_or_default();
                s.pending.push(Event::default().event("status").data(status));
                s.pending.push(Event::default().event("pairing").data(html));
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
