//! The leads filter (`status`, `sales_id`, `from`/`to` calendar days in Asia/Jakarta,
//! `page`, `per_page`), read by the API list and export and by the dashboard's list.
//! Empty values do not filter; each value that does not parse gets its own field message.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use chrono::NaiveDate;
use garasi_domain::FieldErrors;
use garasi_store::tenant::{LeadFilter, LeadStatus};
use serde::Deserialize;

use crate::api::PageQuery;
use crate::error::AppError;

/// Raw query values, parsed by hand so that each bad one gets its own field message.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
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

pub fn parse_filter(q: Result<Query<LeadQuery>, QueryRejection>) -> Result<(LeadFilter, PageQuery), AppError> {
    let Query(q) = q.map_err(|_| AppError::bad_request("Parameter pencarian tidak dapat dibaca."))?;
    let mut errors = FieldErrors::new();
    let mut filter = LeadFilter::default();
    if let Some(s) = present(&q.status) {
        match s.parse::<LeadStatus>() {
            Ok(st) => filter.status = Some(st),
            Err(_) => errors.add("status", garasi_service::leads::status_message()),
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
