//! Showroom API for leads: list with filters, detail with history, status changes and
//! notes (any role), CSV export (owner/admin).
//!
//! Filters: `status`, `sales_id` (assigned salesperson), `from`/`to` (calendar days
//! `YYYY-MM-DD` in Asia/Jakarta, both included), `page`, `per_page`. Empty values do not
//! filter; values that do not parse answer 422 with a message per field. The export
//! takes the same filters (without paging) and returns every matching lead.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::{NaiveDate, Utc};
use garasi_domain::FieldErrors;
use garasi_store::tenant::{Lead, LeadEvent, LeadFilter, LeadStatus, StatusChange, jakarta};
use serde::Deserialize;
use serde_json::json;

use super::dto::ApiError;
use super::dto::leads::{LeadDetail, LeadEvent as LeadEventView, LeadList, LeadNoteInput, LeadStatusInput};
use super::sales::audit;
use super::{ApiJson, PageQuery, parse_id};
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::spreadsheet::CsvOut;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/leads", get(list))
        // A static segment outranks `{id}` in axum's router, so this is never read as an id.
        .route("/api/leads/export.csv", get(export_csv))
        .route("/api/leads/{id}", get(show))
        .route("/api/leads/{id}/status", put(set_status))
        .route("/api/leads/{id}/notes", post(add_note))
}

const NOTE_MAX: usize = 2000;

fn lead_detail_json(l: &Lead, events: &[LeadEvent]) -> LeadDetail {
    LeadDetail::new(l, events)
}

/// Raw query values, parsed by hand so that each bad one gets its own field message.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LeadQuery {
    /// `new`, `contacted`, `qualified`, `converted` or `lost`.
    pub status: Option<String>,
    /// The assigned salesperson's id.
    pub sales_id: Option<String>,
    /// First day included, `YYYY-MM-DD` (Asia/Jakarta).
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (Asia/Jakarta).
    pub to: Option<String>,
    /// Not used by the export.
    pub page: Option<String>,
    /// 1–100; not used by the export.
    pub per_page: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn status_message() -> String {
    let all: Vec<&str> = LeadStatus::ALL.iter().map(|s| s.as_str()).collect();
    format!("Status harus salah satu dari: {}.", all.join(", "))
}

/// Strictly `YYYY-MM-DD`.
fn parse_day(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    let raw = raw?;
    let b = raw.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if shaped => Some(d),
        _ => {
            errors.add(field, "Tanggal harus berformat YYYY-MM-DD, contoh: 2026-01-31.");
            None
        }
    }
}

fn parse_number(errors: &mut FieldErrors, field: &str, raw: Option<&str>, msg: &str) -> Option<i64> {
    let raw = raw?;
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, msg);
            None
        }
    }
}

pub(crate) fn parse_filter(q: Result<Query<LeadQuery>, QueryRejection>) -> Result<(LeadFilter, PageQuery), AppError> {
    let Query(q) = q.map_err(|_| AppError::bad_request("Parameter pencarian tidak dapat dibaca."))?;
    let mut errors = FieldErrors::new();
    let mut filter = LeadFilter::default();
    if let Some(s) = present(&q.status) {
        match s.parse::<LeadStatus>() {
            Ok(st) => filter.status = Some(st),
            Err(_) => errors.add("status", status_message()),
        }
    }
    if let Some(s) = present(&q.sales_id) {
        match uuid::Uuid::parse_str(s) {
            Ok(id) => filter.assigned_sales_id = Some(id),
            Err(_) => errors.add("sales_id", "ID sales tidak valid."),
        }
    }
    filter.created_from = parse_day(&mut errors, "from", present(&q.from));
    filter.created_to = parse_day(&mut errors, "to", present(&q.to));
    if let (Some(from), Some(to)) = (filter.created_from, filter.created_to)
        && to < from
    {
        errors.add("to", "Tanggal akhir tidak boleh sebelum tanggal awal.");
    }
    let page = PageQuery {
        page: parse_number(&mut errors, "page", present(&q.page), "Nomor halaman harus berupa angka."),
        per_page: parse_number(&mut errors, "per_page", present(&q.per_page), "Jumlah per halaman harus berupa angka."),
    };
    errors.into_result().map_err(AppError::Validation)?;
    Ok((filter, page))
}

#[utoipa::path(get, path = "/api/leads", tag = "leads", summary = "Daftar leads", params(LeadQuery),
    responses((status = 200, description = "Daftar", body = LeadList),
        (status = 422, description = "Filter tidak valid.", body = ApiError)))]
async fn list(
    State(state): State<AppState>,
    auth: TenantAuth,
    q: Result<Query<LeadQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (filter, page) = parse_filter(q)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let items = tx.leads().list(&filter, page.per_page(), page.offset()).await?;
    let total = tx.leads().count(&filter).await?;
    tx.commit().await?;
    let items = items.iter().map(Into::into).collect();
    Ok(axum::Json(LeadList::new(&page, items, total)).into_response())
}

#[utoipa::path(get, path = "/api/leads/{id}", tag = "leads", summary = "Detail lead dengan riwayat",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Lead", body = LeadDetail)))]
async fn show(State(state): State<AppState>, auth: TenantAuth, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let lead = tx.leads().get(id).await?.ok_or(AppError::NotFound)?;
    let events = tx.leads().events(id).await?;
    tx.commit().await?;
    Ok(axum::Json(lead_detail_json(&lead, &events)).into_response())
}

fn check_note(errors: &mut FieldErrors, note: &str) {
    if note.chars().count() > NOTE_MAX {
        errors.add("note", format!("Catatan maksimal {NOTE_MAX} karakter."));
    }
}

#[utoipa::path(put, path = "/api/leads/{id}/status", tag = "leads", summary = "Ubah status lead",
    params(("id" = uuid::Uuid, Path)), request_body = LeadStatusInput,
    responses((status = 200, description = "Lead", body = LeadDetail),
        (status = 422, description = "Status tidak valid.", body = ApiError)))]
/// Any status may follow any other; asking for the status the lead already has is a 422.
async fn set_status(
    State(state): State<AppState>,
    auth: TenantAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LeadStatusInput>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (lead, events) = change_status(&state, &auth, id, &body.status, body.note.as_deref().unwrap_or("")).await?;
    Ok(axum::Json(lead_detail_json(&lead, &events)).into_response())
}

/// Validates and applies a status change with its note; answers the lead and its
/// history. Shared with the dashboard.
pub(crate) async fn change_status(
    state: &AppState,
    auth: &TenantAuth,
    id: uuid::Uuid,
    status: &str,
    note: &str,
) -> Result<(Lead, Vec<LeadEvent>), AppError> {
    let mut errors = FieldErrors::new();
    let status = match status.trim().parse::<LeadStatus>() {
        Ok(s) => Some(s),
        Err(_) => {
            errors.add("status", status_message());
            None
        }
    };
    let note = note.trim().to_owned();
    check_note(&mut errors, &note);
    let Some(status) = status else {
        return Err(AppError::Validation(errors));
    };
    errors.into_result().map_err(AppError::Validation)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    let lead = match tx.leads().set_status(id, status, &auth.actor_label(), &note).await? {
        StatusChange::Changed(lead) => lead,
        StatusChange::Unchanged(_) => {
            return Err(AppError::field("status", format!("Status prospek sudah \"{}\".", status.label())));
        }
    };
    let events = tx.leads().events(id).await?;
    tx.commit().await?;
    Ok((lead, events))
}

#[utoipa::path(post, path = "/api/leads/{id}/notes", tag = "leads", summary = "Tambah catatan pada lead",
    params(("id" = uuid::Uuid, Path)), request_body = LeadNoteInput,
    responses((status = 201, description = "Catatan", body = LeadEventView),
        (status = 422, description = "Catatan kosong.", body = ApiError)))]
async fn add_note(
    State(state): State<AppState>,
    auth: TenantAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LeadNoteInput>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let event = write_note(&state, &auth, id, &body.note).await?;
    Ok((StatusCode::CREATED, axum::Json(LeadEventView::from(&event))).into_response())
}

/// Validates and adds a note to a lead's history. Shared with the dashboard.
pub(crate) async fn write_note(
    state: &AppState,
    auth: &TenantAuth,
    id: uuid::Uuid,
    note: &str,
) -> Result<LeadEvent, AppError> {
    let note = note.trim();
    let mut errors = FieldErrors::new();
    if note.is_empty() {
        errors.add("note", "Catatan wajib diisi.");
    }
    check_note(&mut errors, note);
    errors.into_result().map_err(AppError::Validation)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    let event = tx.leads().add_note(id, &auth.actor_label(), note).await?;
    tx.commit().await?;
    Ok(event)
}

/// The export's columns, in Indonesian for the showroom's spreadsheet.
const CSV_HEADER: [&str; 12] = [
    "ID",
    "Tanggal (WIB)",
    "Nama",
    "Telepon",
    "Status",
    "No. Stok",
    "Sales",
    "Anggaran (Rp)",
    "Pembayaran",
    "Sumber",
    "Catatan",
    "Diperbarui (WIB)",
];

fn jakarta_time(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&jakarta()).format("%Y-%m-%d %H:%M").to_string()
}

/// The export, through the shared spreadsheet writer: UTF-8 with a byte-order mark
/// (for Excel), RFC 4180 quoting, CRLF line ends, and a `'` before any cell a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR).
fn leads_csv(leads: &[Lead]) -> Vec<u8> {
    let mut out = CsvOut::new();
    out.row(&CSV_HEADER);
    for l in leads {
        out.row(&[
            l.id.to_string(),
            jakarta_time(l.created_at),
            l.name.clone(),
            l.phone.clone(),
            l.status.label().to_owned(),
            l.stock_no.map(|n| n.to_string()).unwrap_or_default(),
            l.assigned_sales_name.clone().unwrap_or_default(),
            l.budget.map(|n| n.to_string()).unwrap_or_default(),
            l.payment_method.map(|p| p.label().to_owned()).unwrap_or_default(),
            l.source.clone(),
            l.notes.clone(),
            jakarta_time(l.updated_at),
        ]);
    }
    out.finish()
}

#[utoipa::path(get, path = "/api/leads/export.csv", tag = "leads", summary = "Ekspor leads ke CSV (pemilik/admin)",
    params(LeadQuery),
    responses((status = 200, description = "File CSV", content_type = "text/csv", body = String),
        (status = 403, description = "Bukan pemilik/admin.", body = ApiError)))]
async fn export_csv(
    State(state): State<AppState>,
    auth: TenantAuth,
    parts: Parts,
    q: Result<Query<LeadQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    let (filter, _) = parse_filter(q)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let leads = tx.leads().list(&filter, i64::MAX, 0).await?;
    tx.commit().await?;
    audit(
        &state,
        &parts,
        &auth,
        "leads.export",
        None,
        json!({
            "rows": leads.len(),
            "status": filter.status.map(|s| s.as_str()),
            "sales_id": filter.assigned_sales_id,
            "from": filter.created_from,
            "to": filter.created_to,
        }),
    )
    .await?;
    let today = Utc::now().with_timezone(&jakarta()).format("%Y-%m-%d");
    let disposition = format!("attachment; filename=\"leads-{}-{today}.csv\"", auth.tenant.slug);
    let mut resp = leads_csv(&leads).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(anyhow::Error::new)?);
    // Customer phone numbers: keep them out of shared caches and the browser cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
