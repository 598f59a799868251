//! Leads: the filtered list (with CSV export through the API), the detail page with
//! the whole chat, the captured details, status changes with history and notes, and
//! the pipeline board (new → contacted → qualified → converted / lost).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use garasi_store::TenantTx;
use garasi_store::tenant::{Lead, LeadEvent, LeadFilter, LeadStatus};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::conversations::{MessageView, message_views};
use super::dashboard::NoticeQuery;
use super::ui::{self, FormData, Pager, Toast, html, with_toast};
use super::{Shell, Staff, render, ser};
use crate::api::PathId;
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::lead_query::{LeadQuery, parse_filter};
use crate::pages::site::format::{rupiah, url_encode};
use crate::state::AppState;

const PER_PAGE: i64 = 20;
/// Cards per board column (the newest); the column header shows the full count.
const BOARD_CARDS: i64 = 40;

/// A lead as lists, cards and the dashboard show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LeadRow {
    pub id: Uuid,
    pub href: String,
    pub name: String,
    pub phone: String,
    /// `https://wa.me/<digits>`, to answer from the owner's own WhatsApp.
    pub wa: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub stock_no: Option<i64>,
    pub car_href: Option<String>,
    pub budget: Option<String>,
    pub payment: Option<&'static str>,
    pub sales: Option<String>,
    pub source: String,
    pub created: String,
    /// The next step on the board, if there is an obvious one.
    pub next_status: Option<(&'static str, &'static str)>,
}

pub(crate) fn lead_row(l: &Lead) -> LeadRow {
    LeadRow {
        id: l.id,
        href: format!("/admin/leads/{}", l.id),
        name: if l.name.trim().is_empty() { ui::phone_display(&l.phone) } else { l.name.clone() },
        phone: ui::phone_display(&l.phone),
        wa: format!("https://wa.me/{}", l.phone.trim_start_matches('+')),
        status: l.status.as_str(),
        status_label: l.status.label(),
        stock_no: l.stock_no,
        car_href: l.car_id.map(|id| format!("/admin/cars/{id}")),
        budget: l.budget.map(rupiah),
        payment: l.payment_method.map(|p| p.label()),
        sales: l.assigned_sales_name.clone(),
        source: source_label(&l.source).to_owned(),
        created: ui::wib(l.created_at),
        next_status: match l.status {
            LeadStatus::New => Some(("contacted", "Tandai sudah dihubungi")),
            LeadStatus::Contacted => Some(("qualified", "Tandai berminat serius")),
            LeadStatus::Qualified => Some(("converted", "Tandai deal")),
            LeadStatus::Converted | LeadStatus::Lost => None,
        },
    }
}

fn source_label(source: &str) -> &str {
    match source {
        "whatsapp" => "WhatsApp",
        "simulator" => "Simulator bot",
        "web" => "Situs",
        "trade_in" => "Tukar tambah (bot)",
        other => other,
    }
}

pub(crate) fn status_options() -> Vec<(String, String)> {
    LeadStatus::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect()
}

/// Salespeople `(id, name)` for pickers and filters.
pub(crate) async fn sales_options(tx: &mut TenantTx) -> Result<Vec<(String, String)>, AppError> {
    Ok(tx.sales().list(500, 0).await?.into_iter().map(|s| (s.id.to_string(), s.name)).collect())
}

pub async fn list(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    Query(q): Query<LeadQuery>,
) -> Result<Response, AppError> {
    let raw = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_owned();
    let values =
        [("status", raw(&q.status)), ("sales_id", raw(&q.sales_id)), ("from", raw(&q.from)), ("to", raw(&q.to))];
    let page = ui::page_number(q.page.as_deref());
    let (filter, errors) = match parse_filter(Ok(Query(LeadQuery { per_page: None, page: None, ..q }))) {
        Ok((filter, _)) => (filter, None),
        Err(e) => (LeadFilter::default(), Some(ui::errors_map(&ui::field_errors(e)?))),
    };
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let total = if errors.is_some() { 0 } else { tx.leads().count(&filter).await? };
    let pager = Pager::new("/admin/leads", &values, page, PER_PAGE, total);
    let leads = if errors.is_some() {
        Vec::new()
    } else {
        tx.leads().list(&filter, PER_PAGE, (pager.page - 1) * PER_PAGE).await?
    };
    let sales = sales_options(&mut tx).await?;
    tx.commit().await?;
    let rows: Vec<LeadRow> = leads.iter().map(lead_row).collect();
    let query: String = values
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let export =
        if query.is_empty() { "/api/leads/export.csv".to_owned() } else { format!("/api/leads/export.csv?{query}") };
    let filtered = values.iter().any(|(_, v)| !v.is_empty());
    let ctx = minijinja::context! {
        rows => ser(&rows), pager => ser(&pager), filtered, export,
        f => ser(values.iter().cloned().collect::<HashMap<_, _>>()),
        errors => ser(&errors), statuses => ser(status_options()), sales => ser(&sales),
    };
    let shell = Shell::new(&state, &auth, "leads", "Prospek");
    let template = if ui::htmx_target_is(&headers, "results") { "admin/_lead_rows.html" } else { "admin/leads.html" };
    Ok(html(render(&state, template, &shell, ctx)))
}

/// Everything the detail page shows of a lead.
async fn load_detail(state: &AppState, auth: &TenantAuth, id: Uuid) -> Result<minijinja::Value, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let lead = tx.leads().get(id).await?.ok_or(AppError::NotFound)?;
    let events = tx.leads().events(id).await?;
    let car = match lead.car_id {
        Some(car_id) => tx.cars().get(car_id).await?,
        None => None,
    };
    let (messages, conversation) = match lead.conversation_id {
        Some(cid) => {
            let conversation = tx.conversations().get(cid).await?;
            (tx.messages().recent(cid, 300).await?, conversation)
        }
        None => (Vec::new(), None),
    };
    let response_clock = tx.routing().clock(id).await?;
    let settings = garasi_domain::TenantSettings::from_json(&tx.settings().get().await?);
    tx.commit().await?;
    // The first-response time in minutes of opening hours (see `service::routing`).
    let first_response = response_clock.and_then(|c| match (c.assigned_at, c.first_response_at) {
        (Some(from), Some(to)) => Some(format!(
            "{} (jam buka)",
            super::sales::say_minutes(garasi_service::routing::open_minutes(&settings, from, to))
        )),
        (_, Some(_)) => Some("Sudah dihubungi".to_owned()),
        (Some(_), None) if c.status == "new" => Some("Belum dihubungi".to_owned()),
        _ => None,
    });
    let thread: Vec<MessageView> = message_views(&messages);
    let car_view = car.map(|c| {
        minijinja::context! {
            title => c.title(), href => format!("/admin/cars/{}", c.id), stock_no => c.stock_no,
            price => rupiah(c.fields.price), status => c.fields.status.label(),
        }
    });
    let appointments = super::schedule::of_lead(state, auth.tenant.id, lead.id).await?;
    Ok(minijinja::context! {
        appointments => ser(&appointments),
        lead => ser(lead_row(&lead)), notes => lead.notes.clone(), thread => ser(&thread),
        conversation_href => conversation.map(|c| format!("/admin/conversations/{}", c.id)),
        history => ser(history_views(&events)), car => car_view, statuses => ser(status_options()),
        first_response,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let ctx = load_detail(&state, &auth, id).await?;
    let shell = Shell::new(&state, &auth, "leads", "Detail prospek");
    Ok(html(render(&state, "admin/lead.html", &shell, ctx)))
}

#[derive(Serialize)]
struct HistoryView {
    kind: String,
    text: String,
    note: String,
    actor: String,
    at: String,
}

fn status_label(raw: Option<&str>) -> &'static str {
    raw.and_then(|s| s.parse::<LeadStatus>().ok()).map(LeadStatus::label).unwrap_or("—")
}

fn history_views(events: &[LeadEvent]) -> Vec<HistoryView> {
    events
        .iter()
        .rev()
        .map(|e| HistoryView {
            kind: e.kind.clone(),
            text: match e.kind.as_str() {
                "created" => "Prospek masuk".to_owned(),
                "status" => format!(
                    "Status: {} → {}",
                    status_label(e.from_status.as_deref()),
                    status_label(e.to_status.as_deref())
                ),
                "note" => "Catatan".to_owned(),
                "assigned" => "Diserahkan ke sales".to_owned(),
                other => other.to_owned(),
            },
            note: e.note.clone(),
            actor: match e.actor.as_str() {
                "bot" => "Bot".to_owned(),
                "system" => "Sistem".to_owned(),
                other => other.to_owned(),
            },
            at: ui::wib(e.created_at),
        })
        .collect()
}

/// The board's columns, newest leads first in each.
async fn board_ctx(state: &AppState, auth: &TenantAuth) -> Result<minijinja::Value, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let mut columns = Vec::new();
    let mut total = 0;
    for status in LeadStatus::ALL {
        let filter = LeadFilter { status: Some(status), ..LeadFilter::default() };
        let count = tx.leads().count(&filter).await?;
        let cards: Vec<LeadRow> = tx.leads().list(&filter, BOARD_CARDS, 0).await?.iter().map(lead_row).collect();
        total += count;
        columns.push(minijinja::context! {
            status => status.as_str(), label => status.label(), count, cards => ser(&cards),
            more => count > BOARD_CARDS,
        });
    }
    tx.commit().await?;
    Ok(minijinja::context! { columns, total, statuses => ser(status_options()) })
}

pub async fn board(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let ctx = board_ctx(&state, &auth).await?;
    let shell = Shell::new(&state, &auth, "board", "Papan prospek").with_notice(q.notice.as_deref());
    Ok(html(render(&state, "admin/board.html", &shell, ctx)))
}

#[derive(Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
    /// `board` answers with the whole board; anything else with the detail's parts.
    #[serde(default)]
    view: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let (lead, _) = garasi_service::leads::change_status(
        &state.services,
        &auth.actor(),
        &auth.tenant_db(&state),
        &auth.actor_label(),
        id,
        &form.status,
        &form.note,
    )
    .await?;
    let message = format!("Status {} sekarang \"{}\".", display_name(&lead), lead.status.label());
    let shell = Shell::new(&state, &auth, "leads", "Prospek");
    if form.view == "board" {
        let ctx = board_ctx(&state, &auth).await?;
        return Ok(with_toast(&state, render(&state, "admin/_board.html", &shell, ctx), Toast::Success, &message));
    }
    let ctx = load_detail(&state, &auth, id).await?;
    let status = render(&state, "admin/_lead_status.html", &shell, ctx.clone());
    // The history gets the new status row too, swapped out of band by its id.
    let history = render(&state, "admin/_lead_history.html", &shell, minijinja::context! { oob => true, ..ctx });
    Ok(with_toast(&state, format!("{status}{history}"), Toast::Success, &message))
}

fn display_name(l: &Lead) -> String {
    if l.name.trim().is_empty() { ui::phone_display(&l.phone) } else { l.name.clone() }
}

pub async fn add_note(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
    form: FormData,
) -> Result<Response, AppError> {
    garasi_service::leads::add_note(
        &state.services,
        &auth.actor(),
        &auth.tenant_db(&state),
        &auth.actor_label(),
        id,
        &form.text("note"),
    )
    .await?;
    let ctx = load_detail(&state, &auth, id).await?;
    let shell = Shell::new(&state, &auth, "leads", "Prospek");
    Ok(with_toast(
        &state,
        render(&state, "admin/_lead_history.html", &shell, ctx),
        Toast::Success,
        "Catatan tersimpan.",
    ))
}
