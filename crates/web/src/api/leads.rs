//! Showroom API for leads: list with filters, detail with history, status changes and
//! notes (any role), CSV export (owner/admin).
//!
//! Filters: `status`, `sales_id` (assigned salesperson), `from`/`to` (calendar days
//! `YYYY-MM-DD` in Asia/Jakarta, both included), `page`, `per_page`. Empty values do not
//! filter; values that do not parse answer 422 with a message per field. The export
//! takes the same filters (without paging) and returns every matching lead.

use axum::Router;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::Utc;
use garasi_store::tenant::{Lead, LeadEvent, jakarta};

use super::dto::ApiError;
use super::dto::leads::{LeadDetail, LeadEvent as LeadEventView, LeadList, LeadNoteInput, LeadStatusInput};
use super::{AdminCtx, ApiJson, NotAdmin, PathId, StaffCtx};
use crate::error::AppError;
use crate::lead_query::{LeadQuery, parse_filter};
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

fn lead_detail_json(l: &Lead, events: &[LeadEvent]) -> LeadDetail {
    LeadDetail::new(l, events)
}

#[utoipa::path(get, path = "/api/leads", tag = "leads", summary = "Daftar leads", params(LeadQuery),
    responses((status = 200, description = "Daftar", body = LeadList),
        (status = 422, description = "Filter tidak valid.", body = ApiError)))]
async fn list(s: StaffCtx, q: Result<Query<LeadQuery>, QueryRejection>) -> Result<Response, AppError> {
    let (filter, page) = parse_filter(q)?;
    let mut tx = s.tenant.begin().await?;
    let items = tx.leads().list(&filter, page.per_page(), page.offset()).await?;
    let total = tx.leads().count(&filter).await?;
    tx.commit().await?;
    let items = items.iter().map(Into::into).collect();
    Ok(axum::Json(LeadList::new(&page, items, total)).into_response())
}

#[utoipa::path(get, path = "/api/leads/{id}", tag = "leads", summary = "Detail lead dengan riwayat",
    params(("id" = uuid::Uuid, Path)), responses((status = 200, description = "Lead", body = LeadDetail)))]
async fn show(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    let mut tx = s.tenant.begin().await?;
    let lead = tx.leads().get(id).await?.ok_or(AppError::NotFound)?;
    let events = tx.leads().events(id).await?;
    tx.commit().await?;
    Ok(axum::Json(lead_detail_json(&lead, &events)).into_response())
}

#[utoipa::path(put, path = "/api/leads/{id}/status", tag = "leads", summary = "Ubah status lead",
    params(("id" = uuid::Uuid, Path)), request_body = LeadStatusInput,
    responses((status = 200, description = "Lead", body = LeadDetail),
        (status = 422, description = "Status tidak valid.", body = ApiError)))]
/// Any status may follow any other; asking for the status the lead already has is a 422.
async fn set_status(
    s: StaffCtx,
    PathId(id): PathId,
    ApiJson(body): ApiJson<LeadStatusInput>,
) -> Result<Response, AppError> {
    let note = body.note.as_deref().unwrap_or("");
    let by = s.auth.actor_label();
    let (lead, events) =
        garasi_service::leads::change_status(&s.state.services, &s.actor, &s.tenant, &by, id, &body.status, note)
            .await?;
    Ok(axum::Json(lead_detail_json(&lead, &events)).into_response())
}

#[utoipa::path(post, path = "/api/leads/{id}/notes", tag = "leads", summary = "Tambah catatan pada lead",
    params(("id" = uuid::Uuid, Path)), request_body = LeadNoteInput,
    responses((status = 201, description = "Catatan", body = LeadEventView),
        (status = 422, description = "Catatan kosong.", body = ApiError)))]
async fn add_note(
    s: StaffCtx,
    PathId(id): PathId,
    ApiJson(body): ApiJson<LeadNoteInput>,
) -> Result<Response, AppError> {
    let by = s.auth.actor_label();
    let event = garasi_service::leads::add_note(&s.state.services, &s.actor, &s.tenant, &by, id, &body.note).await?;
    Ok((StatusCode::CREATED, axum::Json(LeadEventView::from(&event))).into_response())
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
        NotAdmin))]
// `AdminCtx` refuses before the filter is read, so a staff user learns nothing from its errors.
async fn export_csv(AdminCtx(s): AdminCtx, q: Result<Query<LeadQuery>, QueryRejection>) -> Result<Response, AppError> {
    let (filter, _) = parse_filter(q)?;
    let leads = garasi_service::leads::export(&s.state.services, &s.actor, &s.tenant, &filter).await?;
    let today = garasi_domain::time::jakarta_today().format("%Y-%m-%d");
    let disposition = format!("attachment; filename=\"leads-{}-{today}.csv\"", s.auth.tenant.slug);
    let mut resp = leads_csv(&leads).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(anyhow::Error::new)?);
    // Customer phone numbers: keep them out of shared caches and the browser cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
