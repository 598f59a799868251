//! Conversations: the list (by date, customer or sales, phone or name), the thread
//! with its contact and lead, and taking a chat over from the bot or handing it back.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use garasi_domain::FieldErrors;
use garasi_store::TenantTx;
use garasi_store::tenant::{ContactRole, Conversation, ConversationFilter, Message};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::leads::lead_row;
use super::ui::{self, Pager, Toast, html, with_toast};
use super::{Shell, Staff, render, ser};
use crate::api::PathId;
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::pages::site::format::truncate;
use crate::state::AppState;

const PER_PAGE: i64 = 20;
/// Messages shown in a thread (the newest).
const THREAD_LIMIT: i64 = 300;

/// A conversation as lists show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ConversationRow {
    pub id: Uuid,
    pub href: String,
    pub name: String,
    pub phone: String,
    pub role: &'static str,
    pub role_label: &'static str,
    pub channel: &'static str,
    pub last_at: String,
    pub preview: String,
    pub preview_from: &'static str,
    pub paused: bool,
    pub sales: Option<String>,
}

fn role_label(r: ContactRole) -> &'static str {
    match r {
        ContactRole::Customer => "Pelanggan",
        ContactRole::Sales => "Sales",
    }
}

pub(crate) fn channel_label(c: &str) -> &'static str {
    match c {
        "waweb" => "WhatsApp",
        "cloud_api" => "WhatsApp Cloud API",
        "simulator" => "Simulator",
        _ => "Lainnya",
    }
}

fn author_label(sender: &str) -> &'static str {
    match sender {
        "customer" => "Pelanggan",
        "sales" => "Sales",
        "bot" => "Bot",
        "admin" => "Admin",
        "system" => "Sistem",
        _ => "—",
    }
}

/// Rows for `convs`, with the last message and the salesperson's name.
pub(crate) async fn conversation_rows(
    tx: &mut TenantTx,
    convs: &[Conversation],
) -> Result<Vec<ConversationRow>, AppError> {
    let ids: Vec<Uuid> = convs.iter().map(|c| c.id).collect();
    let latest: HashMap<Uuid, Message> =
        tx.messages().latest_of(&ids).await?.into_iter().map(|m| (m.conversation_id, m)).collect();
    let names = sales_names(tx).await?;
    let now = Utc::now();
    Ok(convs
        .iter()
        .map(|c| {
            let last = latest.get(&c.id);
            ConversationRow {
                id: c.id,
                href: format!("/admin/conversations/{}", c.id),
                name: if c.contact_name.trim().is_empty() {
                    ui::phone_display(&c.contact_phone)
                } else {
                    c.contact_name.clone()
                },
                phone: ui::phone_display(&c.contact_phone),
                role: c.contact_role.as_str(),
                role_label: role_label(c.contact_role),
                channel: channel_label(&c.channel),
                last_at: c.last_message_at.map(ui::wib).unwrap_or_default(),
                preview: last.map(|m| truncate(&ui::whatsapp_plain(&m.body), 90)).unwrap_or_default(),
                preview_from: last.map(|m| author_label(&m.sender)).unwrap_or(""),
                paused: c.bot_paused(now),
                sales: c.assigned_sales_id.or(c.sales_staff_id).and_then(|id| names.get(&id).cloned()),
            }
        })
        .collect())
}

/// Names of every salesperson, removed ones included (old chats still point at them).
async fn sales_names(tx: &mut TenantTx) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(tx.sales().list(1000, 0).await?.into_iter().map(|s| (s.id, s.name)).collect())
}

/// One message of a thread.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MessageView {
    pub outgoing: bool,
    pub author: &'static str,
    pub body: String,
    pub at: String,
    /// How the bot produced it: `Otomatis` (offline), `AI`, `Perintah`…
    pub via: Option<&'static str>,
    pub images: usize,
}

pub(crate) fn message_views(messages: &[Message]) -> Vec<MessageView> {
    messages
        .iter()
        .map(|m| MessageView {
            outgoing: m.direction == "out",
            author: author_label(&m.sender),
            body: m.body.clone(),
            at: ui::wib(m.created_at),
            via: m.handled_by.as_deref().filter(|_| m.direction == "out").map(|h| match h {
                "llm" => "AI",
                "offline" => "Otomatis",
                "command" => "Perintah",
                "fallback" => "Otomatis (cadangan)",
                _ => "Bot",
            }),
            images: m.media.0.as_array().map(|a| a.len()).unwrap_or(0),
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

fn parse_day(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "Tanggal harus berformat YYYY-MM-DD, contoh: 2026-01-31.");
            None
        }
    }
}

fn parse_list(q: &ListQuery) -> Result<ConversationFilter, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut f = ConversationFilter::default();
    match q.role.trim() {
        "" => {}
        r => match r.parse::<ContactRole>() {
            Ok(role) => f.role = Some(role),
            Err(()) => errors.add("role", "Pilih pelanggan atau sales."),
        },
    }
    let search = q.q.trim();
    if search.chars().count() > 60 {
        errors.add("q", "Pencarian maksimal 60 karakter.");
    } else if !search.is_empty() {
        f.search = Some(search.to_owned());
    }
    let from = parse_day(&mut errors, "from", &q.from);
    let to = parse_day(&mut errors, "to", &q.to);
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        errors.add("to", "Tanggal akhir tidak boleh sebelum tanggal awal.");
    }
    f.active_from = from.map(ui::day_start);
    f.active_until = to.and_then(|d| d.succ_opt()).map(ui::day_start);
    errors.into_result().map(|()| f)
}

pub async fn list(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let values = [
        ("q", q.q.trim().to_owned()),
        ("role", q.role.trim().to_owned()),
        ("from", q.from.trim().to_owned()),
        ("to", q.to.trim().to_owned()),
    ];
    let page = ui::page_number(q.page.as_deref());
    let (filter, errors) = match parse_list(&q) {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(ui::errors_map(&e))),
    };
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let (rows, total) = match &filter {
        Some(f) => {
            let total = tx.conversations().count_matching(f).await?;
            let offset = (Pager::new("", &[], page, PER_PAGE, total).page - 1) * PER_PAGE;
            let convs = tx.conversations().search(f, PER_PAGE, offset).await?;
            (conversation_rows(&mut tx, &convs).await?, total)
        }
        None => (Vec::new(), 0),
    };
    tx.commit().await?;
    let pager = Pager::new("/admin/conversations", &values, page, PER_PAGE, total);
    let filtered = values.iter().any(|(_, v)| !v.is_empty());
    let ctx = minijinja::context! {
        rows => ser(&rows), pager => ser(&pager), filtered, errors => ser(&errors),
        f => ser(values.iter().cloned().collect::<HashMap<_, _>>()),
    };
    let shell = Shell::new(&state, &auth, "conversations", "Percakapan");
    let template = if ui::htmx_target_is(&headers, "results") {
        "admin/_conversation_rows.html"
    } else {
        "admin/conversations.html"
    };
    Ok(html(render(&state, template, &shell, ctx)))
}

/// Whether the bot answers this chat, and why not.
async fn bot_state(tx: &mut TenantTx, c: &Conversation) -> Result<minijinja::Value, AppError> {
    let now = Utc::now();
    let taken_by = match c.taken_over_by {
        Some(uid) => Some(
            tx.users().get(uid).await?.map(|u| if u.name.is_empty() { u.email } else { u.name }).unwrap_or_default(),
        ),
        None => None,
    };
    let handed_to = match (c.handoff_until, c.assigned_sales_id) {
        (Some(until), sales) if until > now => {
            let name = match sales {
                Some(id) => tx.sales().get(id).await?.map(|s| s.name),
                None => None,
            };
            Some(minijinja::context! { until => ui::wib(until), sales => name })
        }
        _ => None,
    };
    Ok(minijinja::context! { paused => c.bot_paused(now), taken_by, handed_to })
}

async fn detail_ctx(state: &AppState, auth: &TenantAuth, id: Uuid) -> Result<minijinja::Value, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let c = tx.conversations().get(id).await?.ok_or(AppError::NotFound)?;
    let messages = tx.messages().recent(id, THREAD_LIMIT).await?;
    let lead = tx.leads().latest_for_conversation(id).await?;
    let bot = bot_state(&mut tx, &c).await?;
    let row = conversation_rows(&mut tx, std::slice::from_ref(&c)).await?.pop();
    tx.commit().await?;
    Ok(minijinja::context! {
        c => ser(&row), id => c.id.to_string(), channel => channel_label(&c.channel),
        started => ui::wib(c.created_at), thread => ser(message_views(&messages)),
        truncated => messages.len() as i64 >= THREAD_LIMIT,
        lead => ser(lead.as_ref().map(lead_row)), bot,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let ctx = detail_ctx(&state, &auth, id).await?;
    let shell = Shell::new(&state, &auth, "conversations", "Percakapan");
    Ok(html(render(&state, "admin/conversation.html", &shell, ctx)))
}

/// Takes the chat over: the bot stays silent until it is handed back.
pub async fn take_over(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    garasi_service::conversations::take_over(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    bot_control(&state, &auth, id, "Percakapan diambil alih. Bot berhenti membalas chat ini.").await
}

/// Hands the chat back: the bot answers again (any hand-off pause ends too).
pub async fn hand_back(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    garasi_service::conversations::hand_back(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    bot_control(&state, &auth, id, "Percakapan diserahkan kembali ke bot.").await
}

async fn bot_control(state: &AppState, auth: &TenantAuth, id: Uuid, message: &str) -> Result<Response, AppError> {
    let ctx = detail_ctx(state, auth, id).await?;
    let shell = Shell::new(state, auth, "conversations", "Percakapan");
    Ok(with_toast(state, render(state, "admin/_bot_control.html", &shell, ctx), Toast::Success, message))
}
