//! The sales team: who the bot treats as sales and hands chats to. Add (name and
//! phone) and remove through the same code as `/api/sales`; each person's activity.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use garasi_domain::FieldErrors;
use garasi_store::tenant::{ConversationFilter, LeadFilter};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use uuid::Uuid;

use super::conversations::conversation_rows;
use super::leads::{LeadRow, lead_row};
use super::ui::{self, FormData, FormField, Pager, Toast, html, html_status, toast_oob, with_toast};
use super::{Shell, Staff, render, ser};
use crate::api::PathId;
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::AppState;
use garasi_service::routing;

#[derive(Serialize)]
struct SalesRow {
    id: Uuid,
    href: String,
    name: String,
    phone: String,
    since: String,
    leads: i64,
    open_leads: i64,
    handed_chats: i64,
    own_chats: i64,
    on_duty: bool,
    available_now: bool,
    weight: i64,
    hours: String,
    /// "3/10 (30%)" of the last 90 days' leads.
    conversion: String,
    /// Median first response in minutes of opening hours, or "—".
    median_response: String,
}

/// A lead waiting for its first contact.
#[derive(Serialize)]
struct WaitingRow {
    href: String,
    name: String,
    phone: String,
    sales: String,
    age: String,
}

/// "12 menit", "3 jam 5 menit", "2 hari".
pub(super) fn say_minutes(m: i64) -> String {
    match m {
        m if m < 60 => format!("{m} menit"),
        m if m < 24 * 60 && m % 60 == 0 => format!("{} jam", m / 60),
        m if m < 24 * 60 => format!("{} jam {} menit", m / 60, m % 60),
        m => format!("{} hari", m / (24 * 60)),
    }
}

fn conversion(converted: i64, total: i64) -> String {
    if total == 0 {
        return "—".into();
    }
    format!("{converted}/{total} ({}%)", converted * 100 / total)
}

/// How far back the response and conversion figures look.
const FIGURES_DAYS: i64 = 90;

fn form_fields(name: &str, phone: &str, errors: &FieldErrors) -> Vec<FormField> {
    vec![
        FormField::new("name", "Nama", "text")
            .value(name)
            .required()
            .maxlength(80)
            .autocomplete("off")
            .placeholder("Budi Santoso")
            .error_from(errors),
        FormField::new("phone", "Nomor WhatsApp", "tel")
            .value(phone)
            .required()
            .maxlength(20)
            .inputmode("tel")
            .autocomplete("off")
            .placeholder("0812-3456-7890")
            .help("Pesan dari nomor ini dianggap pesan sales, bukan pelanggan.")
            .error_from(errors),
    ]
}

const PER_PAGE: i64 = 25;

async fn list_ctx(state: &AppState, auth: &TenantAuth, page: i64) -> Result<minijinja::Value, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let total = tx.sales().count().await?;
    let pager = Pager::new("/admin/sales", &[], page, PER_PAGE, total);
    let people = tx.sales().list(PER_PAGE, (pager.page - 1) * PER_PAGE).await?;
    let leads: HashMap<Uuid, (i64, i64)> =
        tx.leads().counts_by_sales().await?.into_iter().map(|(id, all, open)| (id, (all, open))).collect();
    let chats: HashMap<Uuid, (i64, i64)> =
        tx.conversations().counts_by_sales().await?.into_iter().map(|(id, a, b)| (id, (a, b))).collect();
    let settings = garasi_domain::TenantSettings::from_json(&tx.settings().get().await?);
    let now = state.services.clock.now();
    let since = now - chrono::Duration::days(FIGURES_DAYS);
    let recent = tx.routing().assigned_since(since, 5000).await?;
    let waiting_rows = tx.routing().waiting(50).await?;
    tx.commit().await?;
    let figures: HashMap<Uuid, routing::SalesFigures> =
        routing::figures(&settings, &recent).into_iter().map(|f| (f.sales_id, f)).collect();
    let waiting: Vec<WaitingRow> = waiting_rows
        .iter()
        .map(|r| WaitingRow {
            href: format!("/admin/leads/{}", r.id),
            name: if r.name.trim().is_empty() { "(tanpa nama)".into() } else { r.name.clone() },
            phone: ui::phone_display(&r.phone),
            sales: r.assigned_sales_name.clone().unwrap_or_else(|| "belum dibagikan".into()),
            age: say_minutes(routing::waiting_minutes(now, r)),
        })
        .collect();
    let rows: Vec<SalesRow> = people
        .iter()
        .map(|s| {
            let (all, open) = leads.get(&s.id).copied().unwrap_or_default();
            let (handed, own) = chats.get(&s.id).copied().unwrap_or_default();
            let f = figures.get(&s.id).cloned().unwrap_or_default();
            SalesRow {
                id: s.id,
                href: format!("/admin/sales/{}", s.id),
                name: s.name.clone(),
                phone: ui::phone_display(&s.phone),
                since: ui::wib(s.created_at),
                leads: all,
                open_leads: open,
                handed_chats: handed,
                own_chats: own,
                on_duty: s.on_duty,
                available_now: routing::available(s, &settings, now),
                weight: s.weight,
                hours: if routing::has_own_hours(s) {
                    routing::hours_of(s, &settings).summary()
                } else {
                    "Ikut jam buka showroom".into()
                },
                conversion: conversion(f.converted, f.leads),
                median_response: f.median_response_minutes.map(say_minutes).unwrap_or_else(|| "—".into()),
            }
        })
        .collect();
    Ok(minijinja::context! {
        rows => ser(&rows), pager => ser(&pager), waiting => ser(&waiting),
        response_minutes => settings.routing.response_minutes, figures_days => FIGURES_DAYS,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<ui::PageNoticeQuery>,
) -> Result<Response, AppError> {
    let ctx = list_ctx(&state, &auth, ui::page_number(q.page.as_deref())).await?;
    let shell = Shell::new(&state, &auth, "sales", "Tim sales").with_notice(q.notice.as_deref());
    let form = ser(form_fields("", "", &FieldErrors::new()));
    Ok(html(render(&state, "admin/sales.html", &shell, minijinja::context! { form, ..ctx })))
}

pub async fn create(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let (name, phone) = (form.text("name"), form.text("phone"));
    let shell = Shell::new(&state, &auth, "sales", "Tim sales");
    let added =
        garasi_service::sales::add(&state.services, &auth.actor(), &auth.tenant_db(&state), &name, &phone).await;
    match added.map_err(AppError::from) {
        Ok(person) => {
            let ctx = list_ctx(&state, &auth, 1).await?;
            let form = ser(form_fields("", "", &FieldErrors::new()));
            let body = render(&state, "admin/_sales_list.html", &shell, minijinja::context! { form, ..ctx });
            if !ui::is_htmx(&headers) {
                return Ok(ui::redirect(&headers, "/admin/sales"));
            }
            Ok(with_toast(&state, body, Toast::Success, &format!("{} ditambahkan ke tim sales.", person.name)))
        }
        Err(e) => {
            let errors = ui::field_errors(e)?;
            let ctx = list_ctx(&state, &auth, 1).await?;
            let form = ser(form_fields(&name, &phone, &errors));
            let template = if ui::is_htmx(&headers) { "admin/_sales_list.html" } else { "admin/sales.html" };
            let body = render(&state, template, &shell, minijinja::context! { form, ..ctx });
            let toast = toast_oob(&state, Toast::Error, "Periksa kembali isian yang ditandai.");
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{toast}")))
        }
    }
}

pub async fn remove(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let name = {
        let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
        let person = tx.sales().get(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        person.name
    };
    garasi_service::sales::remove(&state.services, &auth.actor(), &auth.tenant_db(&state), id).await?;
    if !ui::is_htmx(&headers) {
        return Ok(ui::redirect(&headers, "/admin/sales"));
    }
    let ctx = list_ctx(&state, &auth, 1).await?;
    let shell = Shell::new(&state, &auth, "sales", "Tim sales");
    let form = ser(form_fields("", "", &FieldErrors::new()));
    let body = render(&state, "admin/_sales_list.html", &shell, minijinja::context! { form, ..ctx });
    Ok(with_toast(&state, body, Toast::Success, &format!("{name} dihapus dari tim sales.")))
}

/// Puts a salesperson on or off duty (the list's toggle), like "/libur" and "/masuk".
pub async fn duty(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
    form: FormData,
) -> Result<Response, AppError> {
    let on = form.text("on_duty") == "1";
    let person = routing::set_on_duty(&state.services, &auth.actor(), &auth.tenant_db(&state), id, on).await?;
    if !ui::is_htmx(&headers) {
        return Ok(ui::redirect(&headers, "/admin/sales"));
    }
    let ctx = list_ctx(&state, &auth, 1).await?;
    let shell = Shell::new(&state, &auth, "sales", "Tim sales");
    let form = ser(form_fields("", "", &FieldErrors::new()));
    let body = render(&state, "admin/_sales_list.html", &shell, minijinja::context! { form, ..ctx });
    let what = if on { "bertugas lagi" } else { "libur" };
    Ok(with_toast(&state, body, Toast::Success, &format!("{} sekarang {what}.", person.name)))
}

const DAY_NAMES: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];

/// "08:00-17:00" (or with "–", "." for ":"); empty is a day off.
fn parse_day(raw: &str) -> Result<Option<garasi_domain::visit::DayHours>, ()> {
    let raw = raw.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case("libur") {
        return Ok(None);
    }
    let (open, close) = raw.split_once(['-', '–']).ok_or(())?;
    let d =
        garasi_domain::visit::DayHours { open: open.trim().replace('.', ":"), close: close.trim().replace('.', ":") };
    d.times().map(|_| Some(d)).ok_or(())
}

fn day_value(d: &Option<garasi_domain::visit::DayHours>) -> String {
    d.as_ref().map(|d| format!("{}-{}", d.open, d.close)).unwrap_or_default()
}

fn routing_fields(
    person: &garasi_store::tenant::SalesPerson,
    settings: &garasi_domain::TenantSettings,
    form: Option<&FormData>,
    errors: &FieldErrors,
) -> Vec<FormField> {
    let hours = routing::hours_of(person, settings);
    let v = |field: &str, stored: String| form.map(|f| f.text(field)).unwrap_or(stored);
    let mut fields = vec![
        FormField::new("weight", "Bobot pembagian prospek", "number")
            .value(v("weight", person.weight.to_string()))
            .required()
            .range(0, garasi_domain::routing::MAX_WEIGHT)
            .help("Jumlah prospek berturut-turut per giliran. 0 = tidak ikut pembagian otomatis.")
            .error_from(errors),
        FormField::new("own_hours", "Jam kerja sendiri (bukan jam buka showroom)", "checkbox")
            .checked(form.map(|f| f.checked("own_hours")).unwrap_or(routing::has_own_hours(person)))
            .error_from(errors),
    ];
    for (i, name) in DAY_NAMES.iter().enumerate() {
        let field = format!("day_{i}");
        fields.push(
            FormField::new(&field, name, "text")
                .value(v(&field, day_value(&hours.days[i])))
                .maxlength(13)
                .pattern("[0-9]{2}[:.][0-9]{2} ?[-–] ?[0-9]{2}[:.][0-9]{2}")
                .placeholder("08:00-17:00 (kosong = libur)")
                .error_from(errors),
        );
    }
    fields
}

/// Saves a salesperson's weight and working hours.
pub async fn save_routing(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    PathId(id): PathId,
    form: FormData,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let weight = form.text("weight").trim().parse::<i64>();
    if weight.is_err() {
        errors.add("weight", "Bobot harus bilangan bulat 0–100.");
    }
    let mut days: [Option<garasi_domain::visit::DayHours>; 7] = Default::default();
    if form.checked("own_hours") {
        for (i, day) in days.iter_mut().enumerate() {
            match parse_day(&form.text(&format!("day_{i}"))) {
                Ok(d) => *day = d,
                Err(()) => errors.add(&format!("day_{i}"), "Tulis seperti 08:00-17:00, atau kosongkan untuk libur."),
            }
        }
    }
    let hours = form.checked("own_hours").then_some(garasi_domain::routing::WeekHours { days });
    let saved = match (errors.is_empty(), weight) {
        (true, Ok(w)) => {
            routing::set_routing(&state.services, &auth.actor(), &auth.tenant_db(&state), id, w, hours.as_ref())
                .await
                .map_err(AppError::from)
        }
        _ => Err(AppError::Validation(errors)),
    };
    match saved {
        Ok(_) => Ok(ui::redirect(&headers, &format!("/admin/sales/{id}?notice=sales_saved"))),
        Err(e) => {
            let errors = ui::field_errors(e)?;
            detail_page(&state, &auth, id, Some(&form), &errors, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
    }
}

/// A lead of this salesperson with its first-response time.
#[derive(Serialize)]
struct ResponseView {
    href: String,
    name: String,
    status: String,
    response: String,
}

/// One salesperson's activity: leads assigned to them and their chats.
pub async fn detail(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
    Query(q): Query<ui::PageNoticeQuery>,
) -> Result<Response, AppError> {
    detail_page(&state, &auth, id, None, &FieldErrors::new(), StatusCode::OK, q.notice.as_deref()).await
}

async fn detail_page(
    state: &AppState,
    auth: &TenantAuth,
    id: Uuid,
    form: Option<&FormData>,
    errors: &FieldErrors,
    status: StatusCode,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let person = tx.sales().get(id).await?.filter(|s| s.deleted_at.is_none()).ok_or(AppError::NotFound)?;
    let filter = LeadFilter { assigned_sales_id: Some(id), ..LeadFilter::default() };
    let lead_total = tx.leads().count(&filter).await?;
    let leads: Vec<LeadRow> = tx.leads().list(&filter, 50, 0).await?.iter().map(lead_row).collect();
    let chat_filter = ConversationFilter { sales_id: Some(id), ..ConversationFilter::default() };
    let chat_total = tx.conversations().count_matching(&chat_filter).await?;
    let convs = tx.conversations().search(&chat_filter, 50, 0).await?;
    let chats = conversation_rows(&mut tx, &convs).await?;
    let settings = garasi_domain::TenantSettings::from_json(&tx.settings().get().await?);
    let now = state.services.clock.now();
    let recent = tx.routing().assigned_since(now - chrono::Duration::days(FIGURES_DAYS), 5000).await?;
    tx.commit().await?;
    let mine: Vec<_> = recent.into_iter().filter(|r| r.assigned_sales_id == Some(id)).collect();
    let figures = routing::figures(&settings, &mine).into_iter().next().unwrap_or_default();
    let responses: Vec<ResponseView> = mine
        .iter()
        .take(50)
        .map(|r| ResponseView {
            href: format!("/admin/leads/{}", r.id),
            name: if r.name.trim().is_empty() { ui::phone_display(&r.phone) } else { r.name.clone() },
            status: r.status.parse::<garasi_store::tenant::LeadStatus>().map(|s| s.label()).unwrap_or("").to_owned(),
            response: match routing::response_minutes(&settings, r) {
                Some(m) => say_minutes(m),
                None => format!("belum dihubungi ({})", say_minutes(routing::waiting_minutes(now, r))),
            },
        })
        .collect();
    let shell = Shell::new(state, auth, "sales", person.name.clone()).with_notice(notice);
    let available_now = routing::available(&person, &settings, now);
    let routing_form = ser(routing_fields(&person, &settings, form, errors));
    let ctx = minijinja::context! {
        person => minijinja::context! {
            name => person.name, phone => ui::phone_display(&person.phone), since => ui::wib(person.created_at),
            on_duty => person.on_duty, available_now,
        },
        leads => ser(&leads), lead_total, chats => ser(&chats), chat_total, sales_id => id.to_string(),
        routing_form,
        responses => ser(&responses),
        median_response => figures.median_response_minutes.map(say_minutes).unwrap_or_else(|| "—".into()),
        conversion => conversion(figures.converted, figures.leads), figures_days => FIGURES_DAYS,
    };
    Ok(html_status(status, render(state, "admin/sales_detail.html", &shell, ctx)))
}
