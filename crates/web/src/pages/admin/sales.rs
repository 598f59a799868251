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
}

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
    tx.commit().await?;
    let rows: Vec<SalesRow> = people
        .iter()
        .map(|s| {
            let (all, open) = leads.get(&s.id).copied().unwrap_or_default();
            let (handed, own) = chats.get(&s.id).copied().unwrap_or_default();
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
            }
        })
        .collect();
    Ok(minijinja::context! { rows => ser(&rows), pager => ser(&pager) })
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

/// One salesperson's activity: leads assigned to them and their chats.
pub async fn detail(
    State(state): State<AppState>,
    Staff(auth): Staff,
    PathId(id): PathId,
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
    tx.commit().await?;
    let shell = Shell::new(&state, &auth, "sales", person.name.clone());
    let ctx = minijinja::context! {
        person => minijinja::context! { name => person.name, phone => ui::phone_display(&person.phone), since => ui::wib(person.created_at) },
        leads => ser(&leads), lead_total, chats => ser(&chats), chat_total, sales_id => id.to_string(),
    };
    Ok(html(render(&state, "admin/sales_detail.html", &shell, ctx)))
}
