//! Cars: the stock table (search, filters, sort, inline status changes), the add and
//! edit form with every field and its specs, photos (uploaded, ordered and deleted
//! through the photo API from the browser) and CSV import and export (the CSV API).
//!
//! Forms are validated by `CarFields::from_json`, exactly like the JSON API; its
//! messages are shown next to their fields.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use garasi_domain::FieldErrors;
use garasi_domain::car::{
    BodyType, CAR_FIELDS, Car, CarSort, CarStatus, Condition, Fuel, PriceChange, PriceVia, Transmission,
};
use garasi_service::ServiceError;
use garasi_service::cars::Edit;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::dashboard::NoticeQuery;
use super::ui::{self, FormData, FormField, Pager, Toast, html, html_status, money_value, toast_oob, with_toast};
use super::{Shell, Staff, render, ser};
use crate::api::cars::current_year;
use crate::api::photos::MAX_FILES_PER_UPLOAD;
use crate::api::{PathId, parse_id};
use crate::auth::TenantAuth;
use crate::car_query::{Audience, parse_car_params};
use crate::error::AppError;
use crate::pages::site::format::{rupiah, thousands};
use crate::state::AppState;
use crate::views::{car_url, photo_path};

/// A car as the stock table shows it.
#[derive(Debug, Clone, Serialize)]
struct CarRow {
    id: Uuid,
    href: String,
    title: String,
    stock_no: i64,
    price: String,
    year: i64,
    mileage: String,
    transmission: &'static str,
    status: &'static str,
    status_label: &'static str,
    thumb: Option<String>,
    photos: usize,
    public_url: Option<String>,
    featured: bool,
}

fn car_row(base: &str, c: &Car) -> CarRow {
    CarRow {
        id: c.id,
        href: format!("/admin/cars/{}", c.id),
        title: c.title(),
        stock_no: c.stock_no,
        price: rupiah(c.fields.price),
        year: c.fields.year,
        mileage: format!("{} km", thousands(c.fields.mileage_km)),
        transmission: c.fields.transmission.label(),
        status: c.fields.status.as_str(),
        status_label: c.fields.status.label(),
        thumb: c.photos.first().map(|p| photo_path(c.id, p.id, "thumb.webp")),
        photos: c.photos.len(),
        public_url: c.fields.status.is_public().then(|| car_url(base, &c.slug)),
        featured: c.fields.featured,
    }
}

fn options<T: Copy>(all: &[T], wire: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (wire(*v).to_owned(), label(*v).to_owned())).collect()
}

fn status_options() -> Vec<(String, String)> {
    options(CarStatus::ALL, CarStatus::as_str, CarStatus::label)
}

pub async fn list(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get =
        |k: &str| pairs.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let values = [("q", get("q")), ("status", get("status")), ("brand", get("brand")), ("sort", get("sort"))];
    let (params, errors) = match parse_car_params(&pairs, Audience::Staff) {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(ui::errors_map(&e))),
    };
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let (cars, total, page, per_page) = match &params {
        Some(p) => {
            let (cars, total) = tx.cars().list(&p.filter, p.sort, p.per_page, (p.page - 1) * p.per_page).await?;
            (cars, total, p.page, p.per_page)
        }
        None => (Vec::new(), 0, 1, 20),
    };
    let brands = tx.cars().brands(&[]).await?;
    let stock_total: i64 = tx.cars().counts().await?.by_status.values().sum();
    tx.commit().await?;
    let base = state.config.tenant_url(&auth.tenant);
    let rows: Vec<CarRow> = cars.iter().map(|c| car_row(&base, c)).collect();
    let pager = Pager::new("/admin/cars", &values, page, per_page, total);
    let sorts: Vec<(String, String)> =
        CarSort::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect();
    let ctx = minijinja::context! {
        rows => ser(&rows), pager => ser(&pager), errors => ser(&errors), stock_total,
        f => ser(values.iter().cloned().collect::<BTreeMap<_, _>>()),
        filtered => values.iter().any(|(k, v)| *k != "sort" && !v.is_empty()),
        statuses => ser(status_options()), brands => ser(&brands), sorts => ser(&sorts),
    };
    let shell = Shell::new(&state, &auth, "cars", "Mobil").with_notice(Some(get("notice").as_str()));
    let template = if ui::htmx_target_is(&headers, "results") { "admin/_car_rows.html" } else { "admin/cars.html" };
    Ok(html(render(&state, template, &shell, ctx)))
}

/// The submitted form as the JSON object `CarFields::from_json` reads.
fn form_to_json(form: &FormData) -> Map<String, Value> {
    const CHECKBOXES: [&str; 5] = ["negotiable", "stnk", "bpkb", "first_owner", "featured"];
    let mut map = Map::new();
    for field in CAR_FIELDS.iter().copied().filter(|f| *f != "specs") {
        if CHECKBOXES.contains(&field) {
            if form.get(field).is_some() {
                map.insert(field.into(), Value::Bool(form.checked(field)));
            }
        } else if let Some(v) = form.get(field) {
            map.insert(field.into(), Value::String(v.to_owned()));
        }
    }
    let keys = form.all("spec_key");
    let vals = form.all("spec_value");
    let mut specs = Map::new();
    for (i, key) in keys.iter().enumerate() {
        let value = vals.get(i).copied().unwrap_or("").trim();
        let key = key.trim();
        if key.is_empty() && value.is_empty() {
            continue;
        }
        specs.insert(key.to_owned(), Value::String(value.to_owned()));
    }
    map.insert("specs".into(), Value::Object(specs));
    map
}

#[derive(Serialize)]
struct Section {
    title: &'static str,
    intro: &'static str,
    fields: Vec<FormField>,
}

/// The form's sections, filled with `values` (a stored car's `to_json` or what was
/// submitted) and the server's messages.
fn car_sections(values: &Map<String, Value>, errors: &FieldErrors) -> Vec<Section> {
    let text = |k: &str| match values.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let money = |k: &str| match values.get(k) {
        Some(Value::Number(n)) => money_value(n.as_i64()),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let on = |k: &str, default: bool| match values.get(k) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.as_str(), "1" | "true" | "ya"),
        _ => default,
    };
    let year_max = current_year() + 1;
    let f = |field: FormField| field.error_from(errors);
    vec![
        Section {
            title: "Data mobil",
            intro: "Yang dicari pembeli pertama kali.",
            fields: vec![
                f(FormField::new("brand", "Merek", "text")
                    .value(text("brand"))
                    .required()
                    .maxlength(40)
                    .placeholder("Toyota")),
                f(FormField::new("model", "Model", "text")
                    .value(text("model"))
                    .required()
                    .maxlength(60)
                    .placeholder("Avanza")),
                f(FormField::new("variant", "Varian", "text")
                    .value(text("variant"))
                    .maxlength(60)
                    .placeholder("1.5 G")),
                f(FormField::new("year", "Tahun", "number")
                    .value(text("year"))
                    .required()
                    .range(1950, year_max)
                    .inputmode("numeric")),
                f(FormField::new("transmission", "Transmisi", "select")
                    .value(text("transmission"))
                    .required()
                    .options(options(Transmission::ALL, Transmission::as_str, Transmission::label))),
                f(FormField::new("fuel", "Bahan bakar", "select").value(text("fuel")).required().options(options(
                    Fuel::ALL,
                    Fuel::as_str,
                    Fuel::label,
                ))),
                f(FormField::new("body_type", "Tipe bodi", "select")
                    .value(text("body_type"))
                    .required()
                    .options(options(BodyType::ALL, BodyType::as_str, BodyType::label))),
                f(FormField::new("mileage_km", "Kilometer", "number")
                    .value(text("mileage_km"))
                    .range(0, 2_000_000)
                    .inputmode("numeric")
                    .placeholder("45000")),
                f(FormField::new("color", "Warna", "text").value(text("color")).maxlength(40).placeholder("Putih")),
                f(FormField::new("engine_cc", "Kapasitas mesin (cc)", "number")
                    .value(text("engine_cc"))
                    .range(50, 10_000)),
                f(FormField::new("seats", "Jumlah kursi", "number").value(text("seats")).range(1, 60)),
                f(FormField::new("condition", "Kondisi", "select")
                    .value(if text("condition").is_empty() { "used".into() } else { text("condition") })
                    .required()
                    .options(options(Condition::ALL, Condition::as_str, Condition::label))),
            ],
        },
        Section {
            title: "Harga",
            intro: "Tulis dalam rupiah, misalnya 195.000.000.",
            fields: vec![
                f(FormField::new("price", "Harga tunai", "text")
                    .value(money("price"))
                    .required()
                    .rupiah()
                    .placeholder("195.000.000")),
                f(FormField::new("credit_price", "Harga kredit", "text")
                    .value(money("credit_price"))
                    .rupiah()
                    .help("Kosongkan bila sama dengan harga tunai.")),
                f(FormField::new("floor_price", "Harga net (internal)", "text")
                    .value(money("floor_price"))
                    .rupiah()
                    .help("Harga terendah yang boleh disetujui sales. Tidak tampil di situs.")),
                f(FormField::new("negotiable", "Harga masih bisa nego", "checkbox").checked(on("negotiable", true))),
            ],
        },
        Section {
            title: "Surat-surat",
            intro: "Pembeli mobil bekas selalu menanyakan ini.",
            fields: vec![
                f(FormField::new("plate_number", "Nomor polisi", "text")
                    .value(text("plate_number"))
                    .maxlength(14)
                    .placeholder("B 1234 XYZ")
                    .help("Di situs hanya tampil kode wilayah dan ganjil/genap.")),
                f(FormField::new("vin", "Nomor rangka (VIN)", "text")
                    .value(text("vin"))
                    .maxlength(24)
                    .placeholder("MHFM1BA3J7K012345")
                    .help("17 huruf dan angka, tanpa I, O, Q. Tampil di situs hanya bila diaktifkan di Pengaturan.")),
                f(FormField::new("tax_paid_until", "Pajak berlaku sampai", "month").value(text("tax_paid_until"))),
                f(FormField::new("stnk", "STNK ada", "checkbox").checked(on("stnk", true))),
                f(FormField::new("bpkb", "BPKB ada", "checkbox").checked(on("bpkb", true))),
                f(FormField::new("first_owner", "Tangan pertama", "checkbox").checked(on("first_owner", false))),
            ],
        },
        Section {
            title: "Penayangan",
            intro: "Hanya mobil Tersedia, Dipesan dan Terjual yang tampil di situs.",
            fields: vec![
                f(FormField::new("status", "Status", "select")
                    .value(if text("status").is_empty() { "draft".into() } else { text("status") })
                    .required()
                    .options(status_options())),
                f(FormField::new("featured", "Tampilkan sebagai pilihan utama", "checkbox")
                    .checked(on("featured", false))),
                f(FormField::new("description", "Deskripsi untuk pembeli", "textarea")
                    .value(text("description"))
                    .maxlength(5000)
                    .wide()
                    .placeholder("Kondisi mesin, riwayat servis, kelengkapan…")),
                f(FormField::new("internal_notes", "Catatan internal", "textarea")
                    .value(text("internal_notes"))
                    .maxlength(5000)
                    .wide()
                    .help("Hanya untuk tim showroom.")),
            ],
        },
    ]
}

/// `(name, value)` spec rows of `values`, with one empty row to start typing in.
fn spec_rows(values: &Map<String, Value>) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = match values.get("specs") {
        Some(Value::Object(m)) => {
            m.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))).collect()
        }
        _ => Vec::new(),
    };
    rows.push((String::new(), String::new()));
    rows
}

/// The form's template values.
fn form_ctx(car: Option<&Car>, values: &Map<String, Value>, errors: &FieldErrors) -> minijinja::Value {
    minijinja::context! {
        sections => ser(car_sections(values, errors)),
        specs => ser(spec_rows(values)),
        spec_error => errors.get("specs"),
        other_errors => ser(errors.iter().filter(|(k, _)| !CAR_FIELDS.contains(k)).map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>()),
        has_errors => !errors.is_empty(),
        car_id => car.map(|c| c.id.to_string()),
        action => car.map(|c| format!("/admin/cars/{}", c.id)).unwrap_or_else(|| "/admin/cars".into()),
    }
}

/// One line of the price history card, newest first.
#[derive(Serialize)]
struct PriceLine {
    price: String,
    /// "turun Rp 5.000.000", "naik …" or "harga awal".
    change: String,
    dropped: bool,
    at: String,
    by: String,
    via: &'static str,
}

fn price_lines(history: &[PriceChange]) -> Vec<PriceLine> {
    history
        .iter()
        .rev()
        .map(|c| {
            let change = match c.previous_price {
                None => "harga awal".to_owned(),
                Some(before) if c.price < before => format!("turun {}", rupiah(before - c.price)),
                Some(before) => format!("naik {}", rupiah(c.price - before)),
            };
            let by = match (c.actor_kind.as_str(), c.actor_name.is_empty()) {
                ("sales", false) => format!("{} (sales)", c.actor_name),
                ("sales", true) => "Sales".to_owned(),
                (_, false) => c.actor_name.clone(),
                (_, true) => "—".to_owned(),
            };
            PriceLine {
                price: rupiah(c.price),
                dropped: c.is_drop(),
                change,
                at: ui::wib(c.at),
                by,
                via: c.via.label(),
            }
        })
        .collect()
}

fn page_ctx(
    state: &AppState,
    auth: &TenantAuth,
    car: Option<&Car>,
    history: &[PriceChange],
    form: minijinja::Value,
) -> minijinja::Value {
    let base = state.config.tenant_url(&auth.tenant);
    let car_view = car.map(|c| {
        minijinja::context! {
            id => c.id.to_string(), title => c.title(), stock_no => c.stock_no,
            status_label => c.fields.status.label(), status => c.fields.status.as_str(),
            public_url => c.fields.status.is_public().then(|| car_url(&base, &c.slug)),
            photos => ser(photo_views(c)), updated => ui::wib(c.updated_at),
            price_history => ser(price_lines(history)),
        }
    });
    minijinja::context! { car => car_view, max_files => MAX_FILES_PER_UPLOAD, ..form }
}

pub async fn new_form(State(state): State<AppState>, Staff(auth): Staff) -> Result<Response, AppError> {
    let shell = Shell::new(&state, &auth, "cars", "Tambah mobil");
    let form = form_ctx(None, &Map::new(), &FieldErrors::new());
    Ok(html(render(&state, "admin/car_form.html", &shell, page_ctx(&state, &auth, None, &[], form))))
}

pub async fn edit_form(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let car = tx.cars().get(id).await?.ok_or(AppError::NotFound)?;
    let history = tx.car_prices().for_car(id).await?;
    tx.commit().await?;
    let shell = Shell::new(&state, &auth, "cars", car.title()).with_notice(q.notice.as_deref());
    let form = form_ctx(Some(&car), &car.fields.to_json(), &FieldErrors::new());
    Ok(html(render(&state, "admin/car_form.html", &shell, page_ctx(&state, &auth, Some(&car), &history, form))))
}

/// The domain's messages, except that an unchosen option says "choose one" in words
/// rather than listing the stored spellings.
fn friendly(values: &Map<String, Value>, errors: &FieldErrors) -> FieldErrors {
    const CHOICES: [(&str, &str); 5] = [
        ("transmission", "Pilih transmisi."),
        ("fuel", "Pilih bahan bakar."),
        ("body_type", "Pilih tipe bodi."),
        ("condition", "Pilih kondisi."),
        ("status", "Pilih status."),
    ];
    let mut out = FieldErrors::new();
    for (field, message) in errors.iter() {
        let empty = values.get(field).and_then(Value::as_str).is_none_or(|v| v.trim().is_empty());
        match CHOICES.iter().find(|(f, _)| *f == field) {
            Some((_, choose)) if empty => out.add(field, *choose),
            _ => out.add(field, message),
        }
    }
    out
}

/// A form with its messages: the form alone for htmx, the whole page otherwise.
fn invalid(
    state: &AppState,
    auth: &TenantAuth,
    headers: &HeaderMap,
    car: Option<&Car>,
    values: &Map<String, Value>,
    errors: &FieldErrors,
) -> Response {
    let shell = Shell::new(state, auth, "cars", car.map(|c| c.title()).unwrap_or_else(|| "Tambah mobil".into()));
    let form = form_ctx(car, values, &friendly(values, errors));
    let message = "Periksa kembali isian yang ditandai.";
    if ui::is_htmx(headers) {
        let body = render(state, "admin/_car_fields.html", &shell, form);
        html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{}", toast_oob(state, Toast::Error, message)))
    } else {
        let body = render(state, "admin/car_form.html", &shell, page_ctx(state, auth, car, &[], form));
        html_status(StatusCode::UNPROCESSABLE_ENTITY, body)
    }
}

pub async fn create(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let values = form_to_json(&form);
    let car = match garasi_service::cars::create(
        &state.services,
        &auth.actor(),
        PriceVia::Dashboard,
        &auth.tenant_db(&state),
        &values,
    )
    .await
    {
        Ok(car) => car,
        Err(ServiceError::Validation(errors)) => return Ok(invalid(&state, &auth, &headers, None, &values, &errors)),
        Err(e) => return Err(e.into()),
    };
    Ok(ui::redirect(&headers, &format!("/admin/cars/{}?notice=car_created", car.id)))
}

pub async fn update(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
    form: FormData,
) -> Result<Response, AppError> {
    let values = form_to_json(&form);
    let tenant = auth.tenant_db(&state);
    let car = match garasi_service::cars::update(
        &state.services,
        &auth.actor(),
        PriceVia::Dashboard,
        &tenant,
        id,
        Edit::Replace(&values),
    )
    .await
    {
        Ok(car) => car,
        Err(ServiceError::Validation(errors)) => {
            // The form is shown again with the stored car's title and photos.
            let mut tx = tenant.begin().await?;
            let current = tx.cars().get(id).await?.ok_or(AppError::NotFound)?;
            tx.commit().await?;
            return Ok(invalid(&state, &auth, &headers, Some(&current), &values, &errors));
        }
        Err(e) => return Err(e.into()),
    };
    if !ui::is_htmx(&headers) {
        return Ok(ui::redirect(&headers, &format!("/admin/cars/{id}")));
    }
    let shell = Shell::new(&state, &auth, "cars", car.title());
    let body = render(
        &state,
        "admin/_car_fields.html",
        &shell,
        form_ctx(Some(&car), &car.fields.to_json(), &FieldErrors::new()),
    );
    Ok(with_toast(&state, body, Toast::Success, &format!("{} tersimpan.", car.title())))
}

/// Inline status change from the table: the stored car with the new status, validated whole.
pub async fn set_status(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
    form: FormData,
) -> Result<Response, AppError> {
    let mut patch = Map::new();
    patch.insert("status".into(), Value::String(form.text("status")));
    let tenant = auth.tenant_db(&state);
    let car = garasi_service::cars::update(
        &state.services,
        &auth.actor(),
        PriceVia::Dashboard,
        &tenant,
        id,
        Edit::Patch(&patch),
    )
    .await?;
    let row = car_row(&state.config.tenant_url(&auth.tenant), &car);
    let shell = Shell::new(&state, &auth, "cars", "Mobil");
    let body = render(
        &state,
        "admin/_car_row.html",
        &shell,
        minijinja::context! { r => ser(&row), statuses => ser(status_options()) },
    );
    let message = format!("{} sekarang {}.", car.title(), car.fields.status.label().to_lowercase());
    Ok(with_toast(&state, body, Toast::Success, &message))
}

pub async fn delete(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    let id = parse_id(&id)?;
    garasi_service::cars::delete(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    Ok(ui::redirect(&headers, "/admin/cars?notice=car_deleted"))
}

#[derive(Serialize)]
struct PhotoView {
    id: Uuid,
    thumb: String,
    card: String,
    position: usize,
}

fn photo_views(c: &Car) -> Vec<PhotoView> {
    c.photos
        .iter()
        .enumerate()
        .map(|(i, p)| PhotoView {
            id: p.id,
            thumb: photo_path(c.id, p.id, "thumb.webp"),
            card: photo_path(c.id, p.id, "card.webp"),
            position: i + 1,
        })
        .collect()
}

/// The photo grid, refreshed after every upload, move and deletion.
pub async fn photos(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let car = tx.cars().get(id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let shell = Shell::new(&state, &auth, "cars", car.title());
    let ctx = minijinja::context! { car => minijinja::context! { id => car.id.to_string(), title => car.title(), photos => ser(photo_views(&car)) } };
    Ok(html(render(&state, "admin/_photos.html", &shell, ctx)))
}

pub async fn import_page(State(state): State<AppState>, Staff(auth): Staff) -> Result<Response, AppError> {
    let shell = Shell::new(&state, &auth, "cars", "Impor stok dari CSV");
    Ok(html(render(&state, "admin/cars_import.html", &shell, minijinja::context! {})))
}
