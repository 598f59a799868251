//! Showroom API for visits and test drives: list (by Jakarta days or by lead), book for a
//! lead, change the status or the time, and the calendar export (`.ics`, RFC 5545). Every
//! change goes through `service::appointments` (any role of the showroom may).
//!
//! Filters: `from`/`to` (calendar days `YYYY-MM-DD` in Asia/Jakarta, both included;
//! default today and the 6 days after), or `lead_id`.

use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use garasi_domain::PhoneNumber;
use garasi_domain::TenantSettings;
use garasi_domain::time::jakarta_day_start;
use garasi_domain::visit::{AppointmentStatus, VisitKind};
use garasi_service::appointments::{self, NewVisit};
use garasi_store::tenant::Appointment;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::ApiError;
use super::dto::appointments::{
    Appointment as AppointmentView, AppointmentInput, AppointmentList, AppointmentStatusInput, AppointmentTimeInput,
};
use super::{ApiJson, PathId, StaffCtx};
use crate::error::AppError;

pub fn routes() -> Router<crate::state::AppState> {
    Router::new()
        .route("/api/appointments", get(list).post(create))
        // A static segment outranks `{id}` in axum's router.
        .route("/api/appointments/export.ics", get(export_ics))
        .route("/api/appointments/{id}/status", put(set_status))
        .route("/api/appointments/{id}/time", put(reschedule))
}

/// Which appointments.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    /// First Jakarta day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last Jakarta day, `YYYY-MM-DD` (included).
    pub to: Option<String>,
    /// Only this lead's appointments (the days are then ignored).
    pub lead_id: Option<uuid::Uuid>,
}

/// The instants `[start, end)` of the Jakarta days asked for (at most 62 days).
pub fn days(q: &AppointmentQuery, today: NaiveDate) -> Result<(NaiveDate, DateTime<Utc>, DateTime<Utc>), AppError> {
    let parse = |field: &str, v: &Option<String>| -> Result<Option<NaiveDate>, AppError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| AppError::field(field, "Tanggal harus berformat YYYY-MM-DD.")),
        }
    };
    let from = parse("from", &q.from)?.unwrap_or(today);
    let to = parse("to", &q.to)?.unwrap_or(from + Duration::days(6));
    if to < from || to - from > Duration::days(62) {
        return Err(AppError::field("to", "Rentang tanggal paling lama 62 hari dan tidak boleh terbalik."));
    }
    let start = jakarta_day_start(from).ok_or_else(|| AppError::field("from", "Tanggal di luar jangkauan."))?;
    let end =
        jakarta_day_start(to + Duration::days(1)).ok_or_else(|| AppError::field("to", "Tanggal di luar jangkauan."))?;
    Ok((from, start, end))
}

async fn load(s: &StaffCtx, q: &AppointmentQuery) -> Result<Vec<Appointment>, AppError> {
    let mut tx = s.tenant.begin().await?;
    let items = match q.lead_id {
        Some(lead) => tx.appointments().of_lead(lead).await?,
        None => {
            let today = s.state.services.clock.now().with_timezone(&garasi_domain::time::jakarta()).date_naive();
            let (_, start, end) = days(q, today)?;
            tx.appointments().between(start, end).await?
        }
    };
    tx.commit().await?;
    Ok(items)
}

#[utoipa::path(get, path = "/api/appointments", tag = "appointments", summary = "Daftar jadwal kunjungan dan test drive",
    params(AppointmentQuery),
    responses((status = 200, description = "Daftar, paling awal dulu", body = AppointmentList),
        (status = 422, description = "Filter tidak valid.", body = ApiError)))]
async fn list(s: StaffCtx, Query(q): Query<AppointmentQuery>) -> Result<Response, AppError> {
    let items = load(&s, &q).await?;
    Ok(axum::Json(AppointmentList { items: items.iter().map(Into::into).collect() }).into_response())
}

#[utoipa::path(post, path = "/api/appointments", tag = "appointments", summary = "Buat jadwal kunjungan untuk lead",
    request_body = AppointmentInput,
    responses((status = 201, description = "Jadwal", body = AppointmentView),
        (status = 422, description = "Di luar jam kunjungan, sudah lewat, atau isian tidak valid.", body = ApiError)))]
async fn create(s: StaffCtx, ApiJson(body): ApiJson<AppointmentInput>) -> Result<Response, AppError> {
    let kind = match body.kind.as_deref().unwrap_or("visit").parse::<VisitKind>() {
        Ok(k) => k,
        Err(()) => return Err(AppError::field("kind", "Jenis harus visit atau test_drive.")),
    };
    let mut tx = s.tenant.begin().await?;
    let lead =
        tx.leads().get(body.lead_id).await?.ok_or_else(|| AppError::field("lead_id", "Lead tidak ditemukan."))?;
    tx.commit().await?;
    let phone = PhoneNumber::parse(&lead.phone).map_err(|_| AppError::field("lead_id", "Nomor lead tidak valid."))?;
    let new = NewVisit {
        phone,
        name: lead.name.clone(),
        kind,
        starts_at: body.starts_at,
        lead_id: Some(lead.id),
        conversation_id: lead.conversation_id,
        car_id: lead.car_id,
        sales_id: lead.assigned_sales_id,
        note: body.note.unwrap_or_default(),
    };
    let a = appointments::create(&s.state.services, &s.actor, &s.tenant, new).await?;
    Ok((StatusCode::CREATED, axum::Json(AppointmentView::from(&a))).into_response())
}

#[utoipa::path(put, path = "/api/appointments/{id}/status", tag = "appointments",
    summary = "Ubah status jadwal (datang, tidak datang, batal)",
    params(("id" = uuid::Uuid, Path)), request_body = AppointmentStatusInput,
    responses((status = 200, description = "Jadwal", body = AppointmentView),
        (status = 422, description = "Status tidak valid.", body = ApiError)))]
async fn set_status(
    s: StaffCtx,
    PathId(id): PathId,
    ApiJson(body): ApiJson<AppointmentStatusInput>,
) -> Result<Response, AppError> {
    let status: AppointmentStatus = body
        .status
        .parse()
        .map_err(|()| AppError::field("status", "Status harus scheduled, came, no_show atau cancelled."))?;
    let a = appointments::set_status(&s.state.services, &s.actor, &s.tenant, id, status).await?;
    Ok(axum::Json(AppointmentView::from(&a)).into_response())
}

#[utoipa::path(put, path = "/api/appointments/{id}/time", tag = "appointments", summary = "Ganti waktu jadwal",
    params(("id" = uuid::Uuid, Path)), request_body = AppointmentTimeInput,
    responses((status = 200, description = "Jadwal", body = AppointmentView),
        (status = 409, description = "Jadwal sudah selesai atau batal.", body = ApiError),
        (status = 422, description = "Di luar jam kunjungan atau sudah lewat.", body = ApiError)))]
async fn reschedule(
    s: StaffCtx,
    PathId(id): PathId,
    ApiJson(body): ApiJson<AppointmentTimeInput>,
) -> Result<Response, AppError> {
    let a = appointments::reschedule(&s.state.services, &s.actor, &s.tenant, id, body.starts_at).await?;
    Ok(axum::Json(AppointmentView::from(&a)).into_response())
}

#[utoipa::path(get, path = "/api/appointments/export.ics", tag = "appointments",
    summary = "Ekspor jadwal ke kalender (iCalendar, RFC 5545)", params(AppointmentQuery),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar", body = String),
        (status = 422, description = "Filter tidak valid.", body = ApiError)))]
async fn export_ics(s: StaffCtx, Query(q): Query<AppointmentQuery>) -> Result<Response, AppError> {
    let items = load(&s, &q).await?;
    let mut tx = s.tenant.begin().await?;
    let settings = TenantSettings::from_json(&tx.settings().get().await?);
    tx.commit().await?;
    let body = calendar(
        &items,
        settings.visits.visit_minutes,
        &s.tenant.tenant_id().0.to_string(),
        s.state.services.clock.now(),
    );
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"jadwal-garasi.ics\""));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// An iCalendar text value: backslash, semicolon, comma and newlines escaped (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (never inside a UTF-8 character) with CRLF and a space.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar: one VEVENT per appointment, times in UTC; cancelled ones are `CANCELLED`.
pub fn calendar(items: &[Appointment], minutes: i64, tenant: &str, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Garasi//Jadwal kunjungan//ID");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    for a in items {
        let end = a.starts_at + Duration::minutes(minutes.clamp(15, 240));
        let who = if a.name.trim().is_empty() { a.phone.clone() } else { a.name.clone() };
        let mut summary = format!("{}: {who}", a.kind.label());
        if let Some(car) = &a.car_title {
            summary.push_str(&format!(" ({car})"));
        }
        let mut description = vec![format!("Telepon: {}", a.phone), format!("Status: {}", a.status.label())];
        if let Some(s) = &a.sales_name {
            description.push(format!("Sales: {s}"));
        }
        if !a.note.trim().is_empty() {
            description.push(format!("Catatan: {}", a.note.trim()));
        }
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@{}.garasi", a.id, tenant));
        line(&mut out, &format!("DTSTAMP:{}", utc(now)));
        line(&mut out, &format!("DTSTART:{}", utc(a.starts_at)));
        line(&mut out, &format!("DTEND:{}", utc(end)));
        line(&mut out, &format!("LAST-MODIFIED:{}", utc(a.updated_at)));
        line(&mut out, &format!("SUMMARY:{}", escape_text(&summary)));
        line(&mut out, &format!("DESCRIPTION:{}", escape_text(&description.join("\n"))));
        let status = if a.status == AppointmentStatus::Cancelled { "CANCELLED" } else { "CONFIRMED" };
        line(&mut out, &format!("STATUS:{status}"));
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appointment(name: &str, note: &str) -> Appointment {
        let at = DateTime::parse_from_rfc3339("2026-05-12T03:00:00Z").unwrap().with_timezone(&Utc);
        Appointment {
            id: uuid::Uuid::nil(),
            lead_id: None,
            conversation_id: None,
            car_id: None,
            sales_id: None,
            phone: "+6281299990001".into(),
            name: name.into(),
            kind: VisitKind::TestDrive,
            status: AppointmentStatus::Scheduled,
            starts_at: at,
            note: note.into(),
            created_by: "bot".into(),
            created_at: at,
            updated_at: at,
            car_title: Some("Toyota Rush 1.5 S 2018".into()),
            stock_no: Some(4),
            sales_name: Some("Rina".into()),
        }
    }

    #[test]
    fn escapes_text_values() {
        assert_eq!(escape_text("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn a_calendar_with_crlf_folded_lines_and_utc_times() {
        let long = "sangat panjang ".repeat(12);
        let ics = calendar(&[appointment("Andi, Budi; \"CEO\"", &long)], 60, "t", Utc::now());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{ics}");
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART:20260512T030000Z\r\n"));
        assert!(ics.contains("DTEND:20260512T040000Z\r\n"));
        assert!(ics.contains("SUMMARY:Test drive: Andi\\, Budi\\; \"CEO\" (Toyota Rush 1.5 S 2018)\r\n"), "{ics}");
        // No bare LF, and every physical line is at most 75 octets.
        assert!(!ics.replace("\r\n", "").contains('\n'));
        assert!(ics.split("\r\n").all(|l| l.len() <= 75), "{ics}");
        // Unfolding gives the description back.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("Catatan: {}", long.trim())), "{unfolded}");
    }
}
