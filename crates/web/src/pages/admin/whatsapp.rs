//! `/admin/whatsapp`: the showroom's WhatsApp number. Status and health, pairing by QR
//! (the channels' own live fragment, `/admin/whatsapp/pairing`), disconnect and re-pair,
//! switching between WhatsApp Web and the Cloud API (`PUT /api/whatsapp/channel` from
//! the browser), a test message through the outbox, and the dead letters with retry
//! (`POST /api/whatsapp/dead-letters/{id}/retry`).

pub mod pairing;

use axum::extract::{Query, State};
use axum::response::Response;
use garasi_channels::{ConnState, StatusView};
use garasi_domain::TenantId;
use garasi_store::jobs::{WHATSAPP_OUT, WhatsappOut};
use serde::Serialize;

use super::ui::{self, FormData, Pager, Toast, html, with_toast};
use super::{Shell, Staff, render, ser};
use crate::error::AppError;
use crate::state::AppState;

/// The connection as cards and lists show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    pub label: String,
    /// `ok`, `warn`, `bad` or `muted`.
    pub tone: &'static str,
    pub detail: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub phone: Option<String>,
    pub alert: bool,
    pub last_inbound: Option<String>,
    pub last_outbound: Option<String>,
    pub changed: Option<String>,
    pub last_error: Option<String>,
    pub dead_letters: i64,
    pub credentials_set: bool,
    pub cloud_phone_number_id: Option<String>,
    /// A cool-down WhatsApp imposed on sending (429, 463).
    pub send_paused: Option<String>,
}

pub(crate) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "waweb" => "WhatsApp Web (pindai QR)",
        "cloud_api" => "WhatsApp Cloud API (resmi)",
        _ => "Simulator (belum tersambung)",
    }
}

pub(crate) fn summarize(v: &StatusView) -> Summary {
    let tone = if v.alert {
        "bad"
    } else if v.status == ConnState::Connected {
        "ok"
    } else if v.kind == "simulator" || v.status == ConnState::Stopped {
        "muted"
    } else {
        "warn"
    };
    let detail = if v.kind == "simulator" {
        "Belum ada nomor WhatsApp yang tersambung. Pelanggan belum bisa chat dengan bot.".to_owned()
    } else if v.alert {
        format!(
            "Perlu tindakan: sambungkan ulang nomor ini.{}",
            v.last_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
        )
    } else if v.status == ConnState::Connected {
        format!(
            "Bot menjawab pelanggan.{}",
            v.last_inbound_at.map(|t| format!(" Pesan terakhir masuk {}.", ui::wib(t))).unwrap_or_default()
        )
    } else {
        "Koneksi belum aktif.".to_owned()
    };
    Summary {
        label: v.status_label.to_owned(),
        tone,
        detail,
        kind: v.kind.clone(),
        kind_label: kind_label(&v.kind),
        phone: v.phone.as_deref().map(ui::phone_display),
        alert: v.alert,
        last_inbound: v.last_inbound_at.map(ui::wib),
        last_outbound: v.last_outbound_at.map(ui::wib),
        changed: v.status_changed_at.map(ui::wib),
        last_error: v.last_error.clone(),
        dead_letters: v.dead_letters,
        credentials_set: v.credentials_set,
        cloud_phone_number_id: v.cloud_phone_number_id.clone(),
        send_paused: v.send_paused.clone(),
    }
}

/// The connection of a showroom, or a plain "not available" when this server runs no channels.
pub(crate) async fn summary(state: &AppState, tenant: TenantId) -> Result<Summary, AppError> {
    match &state.whatsapp {
        Some(ch) => Ok(summarize(&ch.status(tenant).await?)),
        None => Ok(Summary {
            label: "Tidak tersedia".into(),
            tone: "muted",
            detail: "Layanan WhatsApp tidak berjalan di server ini.".into(),
            kind: "simulator".into(),
            kind_label: kind_label("simulator"),
            phone: None,
            alert: false,
            last_inbound: None,
            last_outbound: None,
            changed: None,
            last_error: None,
            dead_letters: 0,
            credentials_set: false,
            cloud_phone_number_id: None,
            send_paused: None,
        }),
    }
}

const DEAD_PER_PAGE: i64 = 10;

#[derive(Serialize)]
struct DeadLetter {
    id: String,
    to: String,
    text: String,
    attempts: i64,
    error: String,
    failed: String,
}

async fn dead_ctx(state: &AppState, tenant: TenantId, page: i64) -> Result<minijinja::Value, AppError> {
    let mut tx = state.db.tenant(tenant).begin().await?;
    let total = tx.outbox().count_status(WHATSAPP_OUT, "dead").await?;
    let pager = Pager::new("/admin/whatsapp", &[], page, DEAD_PER_PAGE, total);
    let jobs = tx.outbox().list_status(WHATSAPP_OUT, "dead", DEAD_PER_PAGE, (pager.page - 1) * DEAD_PER_PAGE).await?;
    tx.commit().await?;
    let items: Vec<DeadLetter> = jobs
        .iter()
        .map(|j| {
            let out: WhatsappOut = serde_json::from_value(j.payload.clone()).unwrap_or_default();
            DeadLetter {
                id: j.id.to_string(),
                to: ui::phone_display(&out.to),
                text: out
                    .text
                    .or(out.caption)
                    .unwrap_or_else(|| if out.image.is_some() { "(foto)".into() } else { String::new() }),
                attempts: j.attempts,
                error: j.last_error.clone().unwrap_or_default(),
                failed: ui::wib(j.updated_at),
            }
        })
        .collect();
    Ok(minijinja::context! { dead => ser(&items), dead_pager => ser(&pager) })
}

pub async fn page(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<ui::PageNoticeQuery>,
) -> Result<Response, AppError> {
    let s = summary(&state, auth.tenant.id).await?;
    let dead = if auth.user.role.is_admin() {
        dead_ctx(&state, auth.tenant.id, ui::page_number(q.page.as_deref())).await?
    } else {
        minijinja::context! {}
    };
    let shell = Shell::new(&state, &auth, "whatsapp", "WhatsApp").with_notice(q.notice.as_deref());
    let webhook = format!("{}/webhooks/whatsapp", state.config.tenant_url(&auth.tenant));
    Ok(html(render(
        &state,
        "admin/whatsapp.html",
        &shell,
        minijinja::context! {
            s => ser(&s), running => state.whatsapp.is_some(), webhook,
            showroom_phone => auth.tenant.whatsapp_number.as_deref().map(ui::phone_display),
            ..dead
        },
    )))
}

/// The dead letters alone, refreshed after a retry.
pub async fn dead_letters(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<ui::PageNoticeQuery>,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    let ctx = dead_ctx(&state, auth.tenant.id, ui::page_number(q.page.as_deref())).await?;
    let shell = Shell::new(&state, &auth, "whatsapp", "WhatsApp");
    Ok(html(render(&state, "admin/_dead_letters.html", &shell, ctx)))
}

/// Queues a test message to a number through the outbox, like any bot reply.
pub async fn test_message(
    State(state): State<AppState>,
    Staff(auth): Staff,
    form: FormData,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    if state.whatsapp.is_none() {
        return Err(AppError::Conflict("Sambungkan nomor WhatsApp dulu sebelum mengirim pesan uji.".into()));
    }
    let tenant = auth.tenant_db(&state);
    let to = form.text("phone");
    let phone =
        garasi_service::whatsapp::send_test(&state.services, &auth.actor(), &tenant, &auth.tenant.name, &to).await?;
    let shell = Shell::new(&state, &auth, "whatsapp", "WhatsApp");
    let body = render(
        &state,
        "admin/_wa_test.html",
        &shell,
        minijinja::context! { sent_to => ui::phone_display(phone.as_str()) },
    );
    Ok(with_toast(
        &state,
        body,
        Toast::Success,
        &format!("Pesan uji masuk antrean ke {}.", ui::phone_display(phone.as_str())),
    ))
}
