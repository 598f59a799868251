//! Showrooms: the list with their figures, create, view and edit, suspend and
//! reactivate, delete. Validation, audit entries and events are the use cases in
//! `garasi_service::tenants`, shared with `/api/admin/tenants`.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use garasi_domain::{FieldErrors, TenantId, TenantStatus};
use garasi_service::tenants::{self as service, CreateTenant};
use garasi_store::platform::Tenant;
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::dashboard::{NoticeQuery, TenantCounts, tenant_counts};
use super::{Root, shell};
use crate::api::PathId;
use crate::auth::password::hash_for_service;
use crate::error::AppError;
use crate::pages::admin::ui::{self, FormData, FormField, Pager, Toast, html, html_status, toast_oob, with_toast};
use crate::pages::admin::{render, ser};
use crate::state::AppState;

const PER_PAGE: i64 = 25;

#[derive(Serialize)]
struct TenantRow {
    id: String,
    href: String,
    name: String,
    slug: String,
    url: String,
    host: String,
    status: &'static str,
    status_label: &'static str,
    whatsapp: Option<String>,
    created: String,
    counts: TenantCounts,
}

fn status_label(s: TenantStatus) -> &'static str {
    match s {
        TenantStatus::Active => "Aktif",
        TenantStatus::Suspended => "Ditangguhkan",
        TenantStatus::Deleted => "Dihapus",
    }
}

fn status_str(s: TenantStatus) -> &'static str {
    match s {
        TenantStatus::Active => "active",
        TenantStatus::Suspended => "suspended",
        TenantStatus::Deleted => "deleted",
    }
}

async fn row(state: &AppState, t: &Tenant) -> Result<TenantRow, AppError> {
    let counts =
        if t.status == TenantStatus::Deleted { TenantCounts::default() } else { tenant_counts(state, t).await? };
    Ok(TenantRow {
        id: t.id.to_string(),
        href: format!("/tenants/{}", t.id),
        name: t.name.clone(),
        slug: t.slug.clone(),
        url: state.config.tenant_url(t),
        host: state.config.tenant_primary_host(t),
        status: status_str(t.status),
        status_label: status_label(t.status),
        whatsapp: t.whatsapp_number.as_deref().map(ui::phone_display),
        created: ui::wib(t.created_at),
        counts,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    page: Option<String>,
    #[serde(default)]
    deleted: String,
    notice: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Root(auth): Root,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let include_deleted = q.deleted == "1";
    let platform = state.db.platform();
    let total = platform.count_tenants(include_deleted).await?;
    let pager = Pager::new(
        "/tenants",
        &[("deleted", if include_deleted { "1".into() } else { String::new() })],
        ui::page_number(q.page.as_deref()),
        PER_PAGE,
        total,
    );
    let tenants = platform.list_tenants(include_deleted, PER_PAGE, (pager.page - 1) * PER_PAGE).await?;
    let failing: Vec<String> = platform.failing_domains().await?.iter().map(|d| d.tenant_id.to_string()).collect();
    let mut rows = Vec::with_capacity(tenants.len());
    for t in &tenants {
        rows.push(row(&state, t).await?);
    }
    let shell = shell(&auth, "tenants", "Showroom").with_notice(q.notice.as_deref());
    Ok(html(render(
        &state,
        "root/tenants.html",
        &shell,
        minijinja::context! { rows => ser(&rows), pager => ser(&pager), include_deleted, failing },
    )))
}

fn new_fields(state: &AppState, form: &FormData, errors: &FieldErrors) -> Vec<FormField> {
    let domain = &state.config.tenant_domain;
    vec![
        FormField::new("name", "Nama showroom", "text")
            .value(form.text("name"))
            .required()
            .maxlength(100)
            .placeholder("Sinar Jaya Motor"),
        FormField::new("slug", "Alamat situs (slug)", "text")
            .value(form.text("slug"))
            .required()
            .maxlength(40)
            .pattern("[a-z0-9](-?[a-z0-9])*")
            .autocomplete("off")
            .placeholder("sinarjaya")
            .help(format!("Huruf kecil, angka dan tanda hubung. Situs: slug.{domain}")),
        FormField::new("owner_email", "Email pemilik", "email")
            .value(form.text("owner_email"))
            .required()
            .maxlength(254)
            .autocomplete("off"),
        FormField::new("owner_password", "Kata sandi awal pemilik", "password")
            .required()
            .maxlength(200)
            .autocomplete("new-password")
            .help("Minimal 12 karakter. Sampaikan ke pemilik lewat jalur aman; pemilik sebaiknya menggantinya."),
        FormField::new("whatsapp_number", "Nomor WhatsApp showroom", "tel")
            .value(form.text("whatsapp_number"))
            .maxlength(20)
            .inputmode("tel")
            .placeholder("0812-3456-7890"),
        FormField::new("domain", "Domain sendiri (opsional)", "text")
            .value(form.text("domain"))
            .maxlength(253)
            .placeholder("www.sinarjayamotor.co.id")
            .help("Hanya bila DNS-nya sudah diarahkan ke Garasi."),
    ]
    .into_iter()
    .map(|f| f.error_from(errors))
    .collect()
}

pub async fn new_form(State(state): State<AppState>, Root(auth): Root) -> Result<Response, AppError> {
    let shell = shell(&auth, "tenants", "Showroom baru");
    let fields = new_fields(&state, &FormData::default(), &FieldErrors::new());
    Ok(html(render(
        &state,
        "root/tenant_new.html",
        &shell,
        minijinja::context! { fields => ser(&fields), has_errors => false },
    )))
}

pub async fn create(
    State(state): State<AppState>,
    Root(auth): Root,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let optional = |k: &str| Some(form.text(k)).filter(|v| !v.is_empty());
    let hosts = state.config.platform_hosts();
    let body = CreateTenant {
        name: form.text("name"),
        slug: form.text("slug"),
        owner_email: form.text("owner_email"),
        owner_password: form.get("owner_password").unwrap_or("").to_owned(),
        whatsapp_number: optional("whatsapp_number"),
        domain: optional("domain"),
    };
    let created = service::create(&state.services, &auth.actor(), &hosts, body, hash_for_service).await;
    match created.map_err(AppError::from) {
        Ok((tenant, _)) => {
            state.hosts.forget_tenant(tenant.id);
            Ok(ui::redirect(&headers, &format!("/tenants/{}?notice=tenant_created", tenant.id)))
        }
        Err(e) => {
            let errors = ui::field_errors(e)?;
            let shell = shell(&auth, "tenants", "Showroom baru");
            let fields = new_fields(&state, &form, &errors);
            let ctx = minijinja::context! { fields => ser(&fields), has_errors => true };
            let template = if ui::is_htmx(&headers) { "root/_tenant_new_form.html" } else { "root/tenant_new.html" };
            let body = render(&state, template, &shell, ctx);
            let toast = toast_oob(&state, Toast::Error, "Periksa kembali isian yang ditandai.");
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{toast}")))
        }
    }
}

fn edit_fields(t: &Tenant, form: Option<&FormData>, errors: &FieldErrors) -> Vec<FormField> {
    let v = |k: &str, stored: String| form.map(|f| f.text(k)).unwrap_or(stored);
    vec![
        FormField::new("name", "Nama showroom", "text").value(v("name", t.name.clone())).required().maxlength(100),
        FormField::new("whatsapp_number", "Nomor WhatsApp", "tel")
            .value(v("whatsapp_number", t.whatsapp_number.as_deref().map(ui::phone_display).unwrap_or_default()))
            .maxlength(20)
            .inputmode("tel"),
        FormField::new("domain", "Domain sendiri", "text")
            .value(v("domain", t.primary_domain.clone().unwrap_or_default()))
            .maxlength(253)
            .help("Kosongkan untuk memakai alamat slug saja."),
    ]
    .into_iter()
    .map(|f| f.error_from(errors))
    .collect()
}

pub(crate) async fn detail_ctx(
    state: &AppState,
    t: &Tenant,
    form: Option<&FormData>,
    errors: &FieldErrors,
) -> Result<minijinja::Value, AppError> {
    let r = row(state, t).await?;
    let domains = state.db.platform().domains_of(t.id).await?;
    let log = state.db.platform().audit_log(Some(t.id), 15, 0).await?;
    let names = [(t.id.0, t.name.clone())].into_iter().collect();
    let whatsapp = super::connections::tenant_connection(state, t).await?;
    let llm = super::llm::card(state, t.id, form, errors).await?;
    // The LLM card shows its own error; the data form's alert is for the data form's fields.
    let has_errors = errors.iter().any(|(field, _)| field != super::llm::FIELD);
    Ok(minijinja::context! {
        t => ser(&r), domains => ser(&domains), log => ser(super::audit::views(&log, &names)),
        fields => ser(edit_fields(t, form, errors)), has_errors => has_errors,
        whatsapp => ser(&whatsapp), llm => ser(&llm),
    })
}

pub async fn detail(
    State(state): State<AppState>,
    Root(auth): Root,
    PathId(id): PathId<TenantId>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let t = state.db.platform().tenant(id).await?.ok_or(AppError::NotFound)?;
    let ctx = detail_ctx(&state, &t, None, &FieldErrors::new()).await?;
    let shell = shell(&auth, "tenants", t.name.clone()).with_notice(q.notice.as_deref());
    Ok(html(render(&state, "root/tenant.html", &shell, ctx)))
}

pub async fn update(
    State(state): State<AppState>,
    Root(auth): Root,
    headers: HeaderMap,
    PathId(id): PathId<TenantId>,
    form: FormData,
) -> Result<Response, AppError> {
    let current = state.db.platform().tenant(id).await?.ok_or(AppError::NotFound)?;
    let mut body = Map::new();
    body.insert("name".into(), Value::String(form.text("name")));
    let wa = form.text("whatsapp_number");
    body.insert("whatsapp_number".into(), if wa.is_empty() { Value::Null } else { Value::String(wa) });
    body.insert("domain".into(), Value::String(form.text("domain")));
    let shell = shell(&auth, "tenants", current.name.clone());
    let updated = service::update(&state.services, &auth.actor(), &state.config.platform_hosts(), id, body).await;
    match updated.map_err(AppError::from) {
        Ok(t) => {
            state.hosts.forget_tenant(id);
            if !ui::is_htmx(&headers) {
                return Ok(ui::redirect(&headers, &format!("/tenants/{id}")));
            }
            let ctx = detail_ctx(&state, &t, None, &FieldErrors::new()).await?;
            let body = render(&state, "root/_tenant_edit_form.html", &shell, ctx);
            Ok(with_toast(&state, body, Toast::Success, &format!("Data {} tersimpan.", t.name)))
        }
        Err(e) => {
            let errors = ui::field_errors(e)?;
            let ctx = detail_ctx(&state, &current, Some(&form), &errors).await?;
            let template = if ui::is_htmx(&headers) { "root/_tenant_edit_form.html" } else { "root/tenant.html" };
            let body = render(&state, template, &shell, ctx);
            let toast = toast_oob(&state, Toast::Error, "Periksa kembali isian yang ditandai.");
            Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, format!("{body}{toast}")))
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    status: String,
}

/// Suspends (the showroom's site and dashboard stop answering) or reactivates.
pub async fn set_status(
    State(state): State<AppState>,
    Root(auth): Root,
    PathId(id): PathId<TenantId>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let hosts = state.config.platform_hosts();
    let t = service::set_status(&state.services, &auth.actor(), &hosts, id, &form.status).await?;
    state.hosts.forget_tenant(id);
    let message = if t.status == TenantStatus::Active {
        format!("{} aktif kembali.", t.name)
    } else {
        format!("{} ditangguhkan. Situs dan dashboard-nya tidak bisa diakses.", t.name)
    };
    let ctx = detail_ctx(&state, &t, None, &FieldErrors::new()).await?;
    let shell = shell(&auth, "tenants", t.name.clone());
    // The status card and the header badge change together.
    let body = render(&state, "root/tenant.html", &shell, ctx);
    Ok(with_toast(&state, body, Toast::Success, &message))
}

pub async fn delete(
    State(state): State<AppState>,
    Root(auth): Root,
    headers: HeaderMap,
    PathId(id): PathId<TenantId>,
) -> Result<Response, AppError> {
    service::delete(&state.services, &auth.actor(), id).await?;
    state.hosts.forget_tenant(id);
    Ok(ui::redirect(&headers, "/tenants?notice=tenant_deleted"))
}

/// A one-time password reset link for the showroom's owner, shown once (the
/// `_reset_link.html` fragment) for root to hand over.
pub async fn reset_link(
    State(state): State<AppState>,
    Root(auth): Root,
    PathId(id): PathId<TenantId>,
) -> Result<Response, AppError> {
    let tenant = state.db.platform().tenant(id).await?.ok_or(AppError::NotFound)?;
    let urls = state.config.public_urls();
    let link =
        garasi_service::password_reset::make_owner_link(&auth.actor(), &state.db.tenant(id), &tenant, &urls).await?;
    Ok(crate::pages::admin::password_reset::link_fragment(&state, &link))
}
