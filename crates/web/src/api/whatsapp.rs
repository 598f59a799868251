//! The showroom's WhatsApp: channel settings, status, pairing (API, an embeddable HTML
//! fragment with SSE and a polling fallback), disconnect/logout, the dead-letter list,
//! and the Cloud API webhook (`webhooks`).
//!
//! Everything here needs the owner or an admin of the showroom, except the webhook,
//! which authenticates Meta by the signature over the raw body.

pub mod webhooks;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use futures_util::Stream;
use garasi_channels::cloud::CloudCredentials;
use garasi_channels::{ChannelError, ChannelSetup, Channels, ConnStatus, InboundMessage, Pairing, StatusView};
use garasi_store::Db;
use garasi_store::jobs::WHATSAPP_OUT;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;

use super::dto::ApiError;
use super::dto::whatsapp::{ChannelInput, ChannelStatus, DeadLetter, DeadLetterList, PairInput, Requeued, StatusEvent};
use super::sales::{audit, page_query};
use super::{ApiJson, PageQuery, parse_id};
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::{AppState, WebConfig};

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
        // HTML for the dashboard (HTMX): the pairing card, its body, and its buttons.
        .route("/admin/whatsapp/pairing", get(page_fragment))
        .route("/admin/whatsapp/pairing/body", get(page_body))
        .route("/admin/whatsapp/pairing/start", post(page_start))
        .route("/admin/whatsapp/pairing/disconnect", post(page_disconnect))
        .route("/admin/whatsapp/pairing/logout", post(page_logout))
        .merge(webhooks::routes())
}

fn channels(state: &AppState) -> Result<&Channels, AppError> {
    state.whatsapp.as_ref().ok_or_else(|| AppError::Unavailable("WhatsApp channels are not running".into()))
}

fn channel_error(e: ChannelError) -> AppError {
    match e {
        ChannelError::Invalid(m) => AppError::Conflict(m),
        ChannelError::Unsupported => AppError::Conflict("Saluran ini tidak mendukung cara tersebut.".into()),
        ChannelError::Store(s) => s.into(),
        ChannelError::Other(o) => AppError::Internal(o),
    }
}

fn admin(auth: &TenantAuth) -> Result<(), AppError> {
    auth.require_admin()
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
        (status = 409, description = "Tidak bisa diterapkan.", body = ApiError),
        (status = 422, description = "Isian tidak valid.", body = ApiError),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 503, description = "WhatsApp tidak aktif di server ini.", body = ApiError)))]
async fn configure(
    State(state): State<AppState>,
    parts: Parts,
    auth: TenantAuth,
    ApiJson(body): ApiJson<ChannelInput>,
) -> Result<Response, AppError> {
    admin(&auth)?;
    let setup = setup_from(body)?;
    let kind = match &setup {
        ChannelSetup::Simulator => "simulator",
        ChannelSetup::WaWeb => "waweb",
        ChannelSetup::CloudApi(_) => "cloud_api",
    };
    let view = channels(&state)?.configure(auth.tenant.id, setup).await.map_err(channel_error)?;
    audit(&state, &parts, &auth, "whatsapp.channel", None, json!({ "kind": kind })).await?;
    Ok(axum::Json(ChannelStatus::from(view)).into_response())
}

#[utoipa::path(get, path = "/api/whatsapp/status", tag = "whatsapp", summary = "Status koneksi WhatsApp (pemilik/admin)",
    responses((status = 200, description = "Status saluran", body = ChannelStatus),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 503, description = "WhatsApp tidak aktif di server ini.", body = ApiError)))]
async fn status(State(state): State<AppState>, auth: TenantAuth) -> Result<Response, AppError> {
    admin(&auth)?;
    let view = channels(&state)?.status(auth.tenant.id).await?;
    Ok(axum::Json(ChannelStatus::from(view)).into_response())
}

#[utoipa::path(post, path = "/api/whatsapp/pair", tag = "whatsapp",
    summary = "Mulai memasangkan nomor (QR, atau kode bila `phone` diisi) (pemilik/admin)",
    request_body(content = Option<PairInput>, description = "Boleh kosong."),
    responses((status = 200, description = "Status saluran", body = ChannelStatus),
        (status = 409, description = "Saluran tidak mendukung.", body = ApiError),
        (status = 422, description = "Nomor tidak valid.", body = ApiError),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 503, description = "WhatsApp tidak aktif di server ini.", body = ApiError)))]
async fn pair(
    State(state): State<AppState>,
    parts: Parts,
    auth: TenantAuth,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    admin(&auth)?;
    let body: PairInput = if body.iter().all(u8::is_ascii_whitespace) {
        PairInput::default()
    } else {
        serde_json::from_slice(&body).map_err(|_| AppError::bad_request("Format JSON tidak valid."))?
    };
    let phone = body.phone.filter(|p| !p.trim().is_empty());
    if let Some(p) = &phone {
        garasi_domain::PhoneNumber::parse(p).map_err(|e| AppError::field("phone", e.to_string()))?;
    }
    let view = start_pairing(&state, &parts, &auth, phone.as_deref()).await?;
    Ok(axum::Json(ChannelStatus::from(view)).into_response())
}

/// Starts pairing (a QR code, or a phone code when `phone` is given, already checked)
/// and audits it. Shared by the JSON API and the dashboard's pairing card.
async fn start_pairing(
    state: &AppState,
    parts: &Parts,
    auth: &TenantAuth,
    phone: Option<&str>,
) -> Result<StatusView, AppError> {
    let view = channels(state)?.pair(auth.tenant.id, phone).await.map_err(channel_error)?;
    let method = if phone.is_some() { "code" } else { "qr" };
    audit(state, parts, auth, "whatsapp.pair", None, json!({ "method": method })).await?;
    Ok(view)
}

/// Disconnects (keeping the keys) or logs out (wiping them), and audits it.
async fn stop_channel(
    state: &AppState,
    parts: &Parts,
    auth: &TenantAuth,
    wipe_keys: bool,
) -> Result<StatusView, AppError> {
    let ch = channels(state)?;
    let (view, action) = if wipe_keys {
        (ch.logout(auth.tenant.id).await.map_err(channel_error)?, "whatsapp.logout")
    } else {
        (ch.disconnect(auth.tenant.id).await.map_err(channel_error)?, "whatsapp.disconnect")
    };
    audit(state, parts, auth, action, None, json!({})).await?;
    Ok(view)
}

#[utoipa::path(post, path = "/api/whatsapp/disconnect", tag = "whatsapp",
    summary = "Putuskan koneksi (sesi tetap tersimpan) (pemilik/admin)",
    responses((status = 200, description = "Status saluran", body = ChannelStatus),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 503, description = "WhatsApp tidak aktif di server ini.", body = ApiError)))]
async fn disconnect(State(state): State<AppState>, parts: Parts, auth: TenantAuth) -> Result<Response, AppError> {
    admin(&auth)?;
    Ok(axum::Json(ChannelStatus::from(stop_channel(&state, &parts, &auth, false).await?)).into_response())
}

#[utoipa::path(post, path = "/api/whatsapp/logout", tag = "whatsapp",
    summary = "Keluarkan nomor dan hapus sesi (pemilik/admin)",
    responses((status = 200, description = "Status saluran", body = ChannelStatus),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 503, description = "WhatsApp tidak aktif di server ini.", body = ApiError)))]
async fn logout(State(state): State<AppState>, parts: Parts, auth: TenantAuth) -> Result<Response, AppError> {
    admin(&auth)?;
    Ok(axum::Json(ChannelStatus::from(stop_channel(&state, &parts, &auth, true).await?)).into_response())
}

#[utoipa::path(get, path = "/api/whatsapp/dead-letters", tag = "whatsapp",
    summary = "Pesan keluar yang gagal terkirim (pemilik/admin)",
    params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, description = "Daftar", body = DeadLetterList),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError)))]
async fn dead_letters(
    State(state): State<AppState>,
    auth: TenantAuth,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    admin(&auth)?;
    let q = page_query(q)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let items = tx.outbox().list_status(WHATSAPP_OUT, "dead", q.per_page(), q.offset()).await?;
    let total = tx.outbox().count_status(WHATSAPP_OUT, "dead").await?;
    tx.commit().await?;
    Ok(axum::Json(DeadLetterList::new(&q, items.iter().map(DeadLetter::from).collect(), total)).into_response())
}

#[utoipa::path(post, path = "/api/whatsapp/dead-letters/{id}/retry", tag = "whatsapp",
    summary = "Kirim ulang pesan yang gagal (pemilik/admin)", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "Diantrikan lagi", body = Requeued),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError)))]
async fn retry_dead(
    State(state): State<AppState>,
    parts: Parts,
    auth: TenantAuth,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    admin(&auth)?;
    let id = parse_id(&id)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    if !tx.outbox().retry_dead(WHATSAPP_OUT, id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    audit(&state, &parts, &auth, "whatsapp.retry", Some(("job", id.to_string())), json!({})).await?;
    Ok(axum::Json(Requeued { id, status: "queued" }).into_response())
}

// ----------------------------------------------------------------------------------------
// Pairing on the dashboard: SSE with every QR rotation, and HTML fragments
// ----------------------------------------------------------------------------------------

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The body of the pairing card for a status and pairing artefact. A QR past its expiry
/// is never drawn: the page says a new one is coming instead.
pub(crate) fn render_pairing(view: &StatusView, pairing: Option<&Pairing>) -> String {
    let tone = if view.alert {
        "bad"
    } else if view.status == "connected" {
        "ok"
    } else {
        "warn"
    };
    let mut out = format!(
        "<p class=\"wa-status wa-{tone}\" data-status=\"{}\"><strong>{}</strong>{}</p>",
        esc(&view.status),
        esc(view.status_label),
        view.phone.as_deref().map(|p| format!(" · {}", esc(p))).unwrap_or_default()
    );
    let now = chrono::Utc::now();
    match pairing {
        Some(Pairing::Qr { payload, expires_at, seq }) if *expires_at > now => {
            let svg = garasi_channels::qr::svg(payload).unwrap_or_default();
            let svg = svg.find("<svg").map(|i| &svg[i..]).unwrap_or("");
            out.push_str(&format!(
                "<figure class=\"wa-qr\" data-seq=\"{seq}\">{svg}<figcaption>Buka WhatsApp di ponsel showroom → \
                 Perangkat tertaut → Tautkan perangkat, lalu pindai kode ini. Kode berganti otomatis.</figcaption></figure>"
            ));
        }
        Some(Pairing::Qr { .. }) => {
            out.push_str("<p class=\"wa-qr-wait\">Kode QR kedaluwarsa; menunggu kode baru…</p>");
        }
        Some(Pairing::Code { code, expires_at }) if *expires_at > now => {
            out.push_str(&format!(
                "<p class=\"wa-code\">Masukkan kode ini di WhatsApp ponsel (Perangkat tertaut → Tautkan dengan nomor \
                 telepon): <strong>{}</strong></p>",
                esc(code)
            ));
        }
        Some(Pairing::Code { .. }) => out.push_str("<p class=\"wa-qr-wait\">Kode kedaluwarsa. Minta kode baru.</p>"),
        Some(Pairing::Exhausted) => out.push_str(
            "<p class=\"wa-qr-wait\">Kode QR habis sebelum dipindai. Tekan \"Buat QR baru\" untuk mencoba lagi.</p>",
        ),
        None if view.status == "connecting" || view.status == "reconnecting" => {
            out.push_str("<p class=\"wa-qr-wait\">Menyiapkan koneksi…</p>")
        }
        None => {}
    }
    out
}

#[utoipa::path(get, path = "/api/whatsapp/pair/events", tag = "whatsapp",
    summary = "Perubahan status dan QR sebagai Server-Sent Events (`status` JSON, `pairing` HTML) (pemilik/admin)",
    responses((status = 200, description = "Aliran SSE", content_type = "text/event-stream", body = String),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError),
        (status = 503, description = "WhatsApp tidak aktif di server ini.", body = ApiError)))]
/// Status, QR and code changes of a tenant, as SSE events named `pairing` (HTML for
/// `sse-swap="pairing"`) and `status` (JSON). The first event is the current state.
async fn events(
    State(state): State<AppState>,
    auth: TenantAuth,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    admin(&auth)?;
    let ch = channels(&state)?.clone();
    let tenant = auth.tenant.id;
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
            let html = render_pairing(&view, pairing.as_ref());
            if html != s.last {
                s.last = html.clone();
                let status = StatusEvent {
                    status: &view.status,
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

async fn current_html(state: &AppState, tenant: garasi_domain::TenantId) -> Result<String, AppError> {
    let ch = channels(state)?;
    let view = ch.status(tenant).await?;
    let pairing = ch.watch(tenant).and_then(|(_, p)| p.borrow().clone());
    Ok(render_pairing(&view, pairing.as_ref()))
}

fn html(body: String) -> Response {
    let mut r = axum::response::Html(body).into_response();
    r.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    r
}

/// The pairing card, for the dashboard to embed: live over SSE (htmx `sse` extension),
/// polling every 3 s without it, with the start/disconnect/logout buttons.
async fn page_fragment(State(state): State<AppState>, auth: TenantAuth) -> Result<Response, AppError> {
    admin(&auth)?;
    let body = current_html(&state, auth.tenant.id).await?;
    Ok(html(format!(
        "<section id=\"wa-pairing\" class=\"card wa-pairing\" hx-ext=\"sse\" sse-connect=\"/api/whatsapp/pair/events\">\
         <div id=\"wa-pairing-body\" sse-swap=\"pairing\" hx-get=\"/admin/whatsapp/pairing/body\" \
         hx-trigger=\"every 3s\" hx-swap=\"innerHTML\" aria-live=\"polite\">{body}</div>\
         <form class=\"wa-actions\" hx-post=\"/admin/whatsapp/pairing/start\" hx-target=\"#wa-pairing-body\">\
         <label>Nomor untuk kode (opsional) <input name=\"phone\" inputmode=\"tel\" placeholder=\"0812 3456 7890\"></label>\
         <button class=\"btn\" type=\"submit\">Buat QR baru / hubungkan</button></form>\
         <button class=\"btn btn-outline\" hx-post=\"/admin/whatsapp/pairing/disconnect\" hx-target=\"#wa-pairing-body\">Putuskan</button> \
         <button class=\"btn btn-danger\" hx-post=\"/admin/whatsapp/pairing/logout\" hx-target=\"#wa-pairing-body\" \
         hx-confirm=\"Keluarkan nomor ini dari Garasi? Kunci sesi dihapus dan nomor harus dipindai ulang.\">Keluar &amp; hapus sesi</button>\
         </section>"
    )))
}

/// The card's body alone (the polling fallback).
async fn page_body(State(state): State<AppState>, auth: TenantAuth) -> Result<Response, AppError> {
    admin(&auth)?;
    Ok(html(current_html(&state, auth.tenant.id).await?))
}

#[derive(Deserialize)]
struct StartForm {
    phone: Option<String>,
}

async fn page_start(
    State(state): State<AppState>,
    parts: Parts,
    auth: TenantAuth,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    admin(&auth)?;
    let phone = form.phone.filter(|p| !p.trim().is_empty());
    if let Some(p) = &phone {
        garasi_domain::PhoneNumber::parse(p).map_err(|e| AppError::bad_request(e.to_string()))?;
    }
    start_pairing(&state, &parts, &auth, phone.as_deref()).await?;
    Ok(html(current_html(&state, auth.tenant.id).await?))
}

async fn page_disconnect(State(state): State<AppState>, parts: Parts, auth: TenantAuth) -> Result<Response, AppError> {
    admin(&auth)?;
    stop_channel(&state, &parts, &auth, false).await?;
    Ok(html(current_html(&state, auth.tenant.id).await?))
}

async fn page_logout(State(state): State<AppState>, parts: Parts, auth: TenantAuth) -> Result<Response, AppError> {
    admin(&auth)?;
    stop_channel(&state, &parts, &auth, true).await?;
    Ok(html(current_html(&state, auth.tenant.id).await?))
}

// ----------------------------------------------------------------------------------------
// The bot engine as the channels' inbound sink
// ----------------------------------------------------------------------------------------

/// Hands inbound WhatsApp messages to the bot engine, with the tenant resolved from the
/// stored registry (its name and public URL), never from the message.
pub(crate) struct EngineSink {
    pub engine: Arc<garasi_bot::Engine>,
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub events: crate::events::Events,
}

#[garasi_channels::async_trait]
impl garasi_channels::InboundSink for EngineSink {
    async fn handle(&self, msg: &InboundMessage) -> anyhow::Result<()> {
        let Some(tenant) = self.db.platform().tenant(msg.tenant_id).await? else { return Ok(()) };
        if tenant.status != garasi_domain::TenantStatus::Active {
            return Ok(());
        }
        let Some(from) = msg.sender.phone.clone() else {
            // A username-only user (BSUID, no phone): nothing to file it under yet.
            tracing::info!(tenant = %msg.tenant_id.0, "inbound message without a phone number skipped");
            return Ok(());
        };
        let inbound = garasi_bot::Inbound {
            tenant: garasi_bot::TenantRef {
                id: tenant.id,
                name: tenant.name.clone(),
                base_url: self.config.tenant_url(&tenant),
            },
            channel: msg.channel.as_str().to_owned(),
            from: from.clone(),
            name: msg.sender_name.clone().unwrap_or_default(),
            text: msg.text().unwrap_or_default().to_owned(),
            provider_message_id: msg.id.clone(),
        };
        match self.engine.handle(inbound).await {
            Ok(outcome) => {
                if outcome.inventory_changed {
                    let event = crate::events::Event::InventoryChanged { tenant_id: msg.tenant_id.0 };
                    self.events.publish(event).await;
                }
            }
            // A sender that is not a phone number will never be answered: do not retry.
            Err(garasi_bot::BotError::Sender(e)) => {
                tracing::info!(tenant = %msg.tenant_id.0, error = %e, "inbound sender refused by the bot");
                return Ok(());
            }
            Err(e) => return Err(anyhow::Error::new(e)),
        }
        if let Some(lid) = &msg.sender.platform_id
            && let Ok(phone) = garasi_domain::PhoneNumber::parse(&from)
        {
            let mut tx = self.db.tenant(msg.tenant_id).begin_write().await?;
            tx.whatsapp().set_contact_lid(msg.channel.as_str(), phone.as_str(), lid).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
