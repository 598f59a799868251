//! Stock in and out of spreadsheets: export every car as CSV, import a CSV with a
//! per-row error report. An exported file imports back: rows with a known
//! `stock_no` update that car, rows without one create cars.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use garasi_domain::car::{CAR_FIELDS, Car, CarFilter, CarSort};
use garasi_service::cars::{ImportRow, import_rows};
use http::{HeaderValue, header};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::dto::ApiError;
use super::dto::cars::{CsvUpload, ImportReport, ImportRowError};
use super::{NotAdmin, StaffCtx};
use crate::error::AppError;
use crate::spreadsheet::{CsvOut, parse_csv};
use crate::state::AppState;
use crate::views::car_url;

const MAX_IMPORT_ROWS: usize = 2000;
const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/cars/export.csv", get(export))
        .route("/api/cars/import.csv", post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)))
}

/// Column names people use, mapped to field names. Field names themselves are
/// accepted too, so an export imports back.
const ALIASES: &[(&str, &str)] = &[
    ("merek", "brand"),
    ("merk", "brand"),
    ("tipe", "variant"),
    ("varian", "variant"),
    ("tahun", "year"),
    ("harga", "price"),
    ("harga_cash", "price"),
    ("harga_kredit", "credit_price"),
    ("nego", "negotiable"),
    ("harga_net", "floor_price"),
    ("km", "mileage_km"),
    ("kilometer", "mileage_km"),
    ("transmisi", "transmission"),
    ("bahan_bakar", "fuel"),
    ("tipe_bodi", "body_type"),
    ("warna", "color"),
    ("cc", "engine_cc"),
    ("kursi", "seats"),
    ("nopol", "plate_number"),
    ("plat_nomor", "plate_number"),
    ("nomor_rangka", "vin"),
    ("no_rangka", "vin"),
    ("rangka", "vin"),
    ("pajak", "tax_paid_until"),
    ("pajak_sampai", "tax_paid_until"),
    ("tangan_pertama", "first_owner"),
    ("kondisi", "condition"),
    ("deskripsi", "description"),
    ("catatan_internal", "internal_notes"),
    ("unggulan", "featured"),
    ("spesifikasi", "specs"),
    ("no_stok", "stock_no"),
];

fn column_field(header: &str) -> Option<&'static str> {
    // "No. Stok", "no-stok" and "no_stok" are one column.
    let lower = header.trim().to_lowercase();
    let key = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("_");
    let key = key.as_str();
    if key == "stock_no" {
        return Some("stock_no");
    }
    CAR_FIELDS
        .iter()
        .copied()
        .find(|f| *f == key)
        .or_else(|| ALIASES.iter().find(|(alias, _)| *alias == key).map(|(_, f)| *f))
}

/// `"Airbag=2; Velg=Alloy"` ⇄ specs.
fn specs_to_cell(specs: &BTreeMap<String, String>) -> String {
    specs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
}

fn cell_to_specs(cell: &str) -> Value {
    let map: Map<String, Value> = cell
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), Value::String(v.trim().to_owned())))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    Value::Object(map)
}

fn car_row(base: &str, car: &Car) -> Vec<String> {
    let mut cells = vec![car.stock_no.to_string()];
    let json = car.fields.to_json();
    for field in CAR_FIELDS {
        let cell = match (*field, json.get(*field)) {
            ("specs", _) => specs_to_cell(&car.fields.specs),
            (_, None | Some(Value::Null)) => String::new(),
            (_, Some(Value::String(s))) => s.clone(),
            (_, Some(Value::Bool(b))) => if *b { "ya" } else { "tidak" }.to_owned(),
            (_, Some(other)) => other.to_string(),
        };
        cells.push(cell);
    }
    cells.push(car.slug.clone());
    cells.push(car_url(base, &car.slug));
    cells
}

#[utoipa::path(get, path = "/api/cars/export.csv", tag = "cars", summary = "Ekspor stok ke CSV",
    responses((status = 200, description = "File CSV", content_type = "text/csv", body = String)))]
async fn export(s: StaffCtx) -> Result<Response, AppError> {
    let mut tx = s.tenant.begin().await?;
    let (cars, _) = tx.cars().list(&CarFilter::default(), CarSort::YearDesc, 100_000, 0).await?;
    tx.commit().await?;
    let base = s.state.config.tenant_url(&s.auth.tenant);
    let mut out = CsvOut::new();
    let mut header: Vec<&str> = vec!["stock_no"];
    header.extend_from_slice(CAR_FIELDS);
    header.extend_from_slice(&["slug", "url"]);
    out.row(&header);
    let mut sorted = cars;
    sorted.sort_by_key(|c| c.stock_no);
    for car in &sorted {
        out.row(&car_row(&base, car));
    }
    let date = garasi_domain::time::jakarta_today().format("%Y-%m-%d");
    let mut resp = out.finish().into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"stok-{}-{date}.csv\"", s.auth.tenant.slug)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    dry_run: Option<String>,
}

/// The CSV text from a multipart part named `file`, or from a `text/csv` body.
async fn csv_text(req: Request, state: &AppState) -> Result<String, AppError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bytes = if is_multipart {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::bad_request("Unggahan tidak dapat dibaca."))?;
        let mut found = None;
        while let Some(field) =
            multipart.next_field().await.map_err(|_| AppError::bad_request("Unggahan tidak dapat dibaca."))?
        {
            if field.name() == Some("file") {
                found = Some(field.bytes().await.map_err(|_| AppError::bad_request("Unggahan tidak dapat dibaca."))?);
                break;
            }
        }
        found.ok_or_else(|| AppError::field("file", "Pilih file CSV pada bagian bernama \"file\"."))?
    } else {
        Bytes::from_request(req, state).await.map_err(|_| AppError::PayloadTooLarge("File terlalu besar.".into()))?
    };
    String::from_utf8(bytes.to_vec())
        .map_err(|_| AppError::field("file", "File harus berupa teks UTF-8 (simpan sebagai \"CSV UTF-8\")."))
}

#[utoipa::path(post, path = "/api/cars/import.csv", tag = "cars",
    summary = "Impor stok dari CSV (multipart `file` atau text/csv); baris dengan stock_no mengubah mobil itu",
    params(("dry_run" = Option<String>, Query, description = "1 untuk memeriksa tanpa menyimpan")),
    request_body(content(
        (String = "text/csv"),
        (CsvUpload = "multipart/form-data"),
    )),
    responses((status = 200, description = "Laporan per baris", body = ImportReport),
        NotAdmin, (status = 422, description = "File tidak valid.", body = ApiError)))]
async fn import(s: StaffCtx, Query(q): Query<ImportQuery>, req: Request) -> Result<Response, AppError> {
    // Checked here, after the query, in the order this endpoint has always answered.
    s.auth.require_admin()?;
    let dry_run = matches!(q.dry_run.as_deref(), Some("1" | "true" | "ya"));
    let text = csv_text(req, &s.state).await?;
    let parsed = parse_csv(&text, MAX_IMPORT_ROWS).map_err(|e| AppError::field("file", e.to_string()))?;
    let columns: Vec<Option<&'static str>> = parsed.headers.iter().map(|h| column_field(h)).collect();
    let unknown: Vec<&str> = parsed
        .headers
        .iter()
        .zip(&columns)
        .filter(|(h, c)| c.is_none() && !matches!(h.as_str(), "slug" | "url" | ""))
        .map(|(h, _)| h.as_str())
        .collect();
    if !columns.contains(&Some("brand")) {
        return Err(AppError::field("file", "Kolom \"brand\" (atau \"merek\") tidak ada di baris judul."));
    }
    let rows: Vec<ImportRow> = parsed
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut input = Map::new();
            let mut stock_no = None;
            for (cell, column) in row.iter().zip(&columns) {
                match column {
                    Some("stock_no") => stock_no = cell.trim().parse::<i64>().ok(),
                    Some("specs") => {
                        input.insert("specs".into(), cell_to_specs(cell));
                    }
                    Some(field) => {
                        input.insert((*field).into(), Value::String(cell.clone()));
                    }
                    None => {}
                }
            }
            // Line numbers as a spreadsheet shows them: the header is line 1.
            ImportRow { line: i + 2, stock_no, input }
        })
        .collect();
    let report = import_rows(&s.state.services, &s.actor, &s.tenant, rows, dry_run).await?;
    Ok(axum::Json(ImportReport {
        dry_run,
        rows: parsed.rows.len(),
        valid: report.valid,
        created: report.created,
        updated: report.updated,
        errors: report.errors.into_iter().map(|e| ImportRowError { row: e.line, fields: e.fields }).collect(),
        ignored_columns: unknown.into_iter().map(str::to_owned).collect(),
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn headers_map_to_fields() {
        assert_eq!(column_field("Merek"), Some("brand"));
        assert_eq!(column_field("Harga Kredit"), Some("credit_price"));
        assert_eq!(column_field("mileage_km"), Some("mileage_km"));
        assert_eq!(column_field("No. Stok"), Some("stock_no"));
        assert_eq!(column_field("warna mobil"), None);
    }

    #[test]
    fn specs_cells_round_trip() {
        let mut specs = BTreeMap::new();
        specs.insert("Airbag".to_owned(), "2".to_owned());
        specs.insert("Velg".to_owned(), "Alloy 16".to_owned());
        let cell = specs_to_cell(&specs);
        assert_eq!(cell, "Airbag=2; Velg=Alloy 16");
        assert_eq!(cell_to_specs(&cell), json!({ "Airbag": "2", "Velg": "Alloy 16" }));
    }
}
