//! `/admin/domain` ("Domain sendiri"): the showroom's own domains. The owner adds a
//! name, creates the DNS records shown (with copy buttons), and "Verifikasi" checks
//! them (`garasi_service::domains`). A verified domain becomes the site's address; the
//! `<slug>.<tenant domain>` address then redirects visitors to it. Owners and admins only.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use garasi_domain::FieldErrors;
use garasi_service::domains::{self, DnsRecord};
use garasi_store::platform::{DomainStatus, TenantDomain};
use http::StatusCode;
use serde::Serialize;

use super::ui::{FormData, FormField, Toast, html, html_status, toast_oob, wib};
use super::{Shell, Staff, render, ser};
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize)]
struct DomainView {
    domain: String,
    /// `pending`, `ok` or `failing`.
    status: &'static str,
    status_label: &'static str,
    primary: bool,
    records: Vec<DnsRecord>,
    last_error: Option<String>,
    checked_at: Option<String>,
    verified_at: Option<String>,
    vouched: bool,
    /// `id` attributes must be unique and safe: dots become dashes.
    key: String,
}

fn status_label(s: DomainStatus) -> &'static str {
    match s {
        DomainStatus::Pending => "Menunggu verifikasi",
        DomainStatus::Ok => "Aktif",
        DomainStatus::Failing => "Bermasalah",
    }
}

fn view(state: &AppState, auth: &TenantAuth, d: &TenantDomain) -> DomainView {
    let target = domains::platform_host(&state.config.platform_hosts(), &auth.tenant.slug);
    DomainView {
        domain: d.domain.clone(),
        status: d.status.as_str(),
        status_label: status_label(d.status),
        primary: auth.tenant.primary_domain.as_deref() == Some(d.domain.as_str()),
        records: domains::records_for(&state.config.domains, d, &target),
        last_error: d.last_error.clone(),
        checked_at: d.checked_at.map(wib),
        verified_at: d.verified_at.map(wib),
        vouched: d.token.is_none(),
        key: d.domain.replace('.', "-"),
    }
}

async fn context(
    state: &AppState,
    auth: &TenantAuth,
    typed: &str,
    errors: &FieldErrors,
) -> Result<minijinja::Value, AppError> {
    let tenant = &auth.tenant;
    let rows = state.db.platform().domains_of(tenant.id).await?;
    let views: Vec<DomainView> = rows.iter().map(|d| view(state, auth, d)).collect();
    let field = FormField::new("domain", "Nama domain", "text")
        .value(typed)
        .required()
        .maxlength(253)
        .autocomplete("off")
        .placeholder("www.mobilsinar.co.id")
        .help("Tanpa http:// dan garis miring. Subdomain seperti www.… paling mudah (cukup satu CNAME).")
        .error_from(errors);
    Ok(minijinja::context! {
        domains => ser(&views),
        field => ser(&field),
        error => errors.get("domain"),
        subdomain_url => state.config.origin_for(&domains::platform_host(&state.config.platform_hosts(), &tenant.slug)),
        site_url => state.config.tenant_url(tenant),
        public_ips => ser(state.config.domains.public_ips.iter().map(ToString::to_string).collect::<Vec<_>>()),
        max_domains => domains::MAX_DOMAINS,
    })
}

async fn respond(
    state: &AppState,
    auth: &TenantAuth,
    status: StatusCode,
    typed: &str,
    errors: &FieldErrors,
    toast: Option<(Toast, String)>,
) -> Result<Response, AppError> {
    // The tenant in `auth` may predate this request's change: read it fresh.
    let tenant = state.db.platform().tenant(auth.tenant.id).await?.ok_or(AppError::NotFound)?;
    let auth = &TenantAuth { tenant: tenant.into(), ..auth.clone() };
    let shell = Shell::new(state, auth, "settings", "Domain sendiri");
    let body = render(state, "admin/domain.html", &shell, context(state, auth, typed, errors).await?);
    let toast = toast.map(|(kind, msg)| toast_oob(state, kind, &msg)).unwrap_or_default();
    Ok(if status == StatusCode::OK {
        html(format!("{body}{toast}"))
    } else {
        html_status(status, format!("{body}{toast}"))
    })
}

/// The service's answer as the page shows it: field messages stay on the page.
async fn outcome(
    state: &AppState,
    auth: &TenantAuth,
    typed: &str,
    result: Result<String, garasi_service::ServiceError>,
) -> Result<Response, AppError> {
    match result.map_err(AppError::from) {
        Ok(message) => {
            respond(state, auth, StatusCode::OK, "", &FieldErrors::new(), Some((Toast::Success, message))).await
        }
        Err(AppError::Validation(errors)) => {
            let message = errors.get("domain").unwrap_or("Periksa kembali isian yang ditandai.").to_owned();
            respond(state, auth, StatusCode::UNPROCESSABLE_ENTITY, typed, &errors, Some((Toast::Error, message))).await
        }
        Err(other) => Err(other),
    }
}

pub async fn page(State(state): State<AppState>, Staff(auth): Staff) -> Result<Response, AppError> {
    auth.require_admin()?;
    respond(&state, &auth, StatusCode::OK, "", &FieldErrors::new(), None).await
}

/// The domain form's one field, as each of the page's three forms posts it.
type DomainForm = Form<Vec<(String, String)>>;

pub async fn add(state: State<AppState>, staff: Staff, form: DomainForm) -> Result<Response, AppError> {
    act(Action::Add, state, staff, form).await
}

pub async fn verify(state: State<AppState>, staff: Staff, form: DomainForm) -> Result<Response, AppError> {
    act(Action::Verify, state, staff, form).await
}

pub async fn remove(state: State<AppState>, staff: Staff, form: DomainForm) -> Result<Response, AppError> {
    act(Action::Remove, state, staff, form).await
}

#[derive(Clone, Copy)]
enum Action {
    Add,
    Verify,
    Remove,
}

/// Runs one domain use case for the owner/admin and shows the page again with its outcome.
async fn act(
    action: Action,
    State(state): State<AppState>,
    Staff(auth): Staff,
    Form(form): DomainForm,
) -> Result<Response, AppError> {
    auth.require_admin()?;
    let domain = FormData(form).text("domain");
    let (actor, tenant, hosts) = (auth.actor(), auth.tenant.id, state.config.platform_hosts());
    let result = match action {
        Action::Add => domains::add(&state.services, &actor, &hosts, tenant, &domain)
            .await
            .map(|d| format!("{} ditambahkan. Buat record DNS di bawah, lalu tekan Verifikasi.", d.domain)),
        Action::Verify => domains::verify(&state.services, &actor, &state.config.domains, &hosts, tenant, &domain)
            .await
            .map(|d| format!("{} terverifikasi dan kini menjadi alamat utama situs Anda.", d.domain)),
        Action::Remove => {
            domains::remove(&state.services, &actor, tenant, &domain).await.map(|()| format!("{domain} dihapus."))
        }
    };
    // Verifying or removing can change the primary host: this instance forgets the old
    // address at once; others hear the event.
    if !matches!(action, Action::Add) {
        state.hosts.forget_tenant(tenant);
    }
    // A refused new domain stays typed in the field; the other forms have no field.
    let typed = if matches!(action, Action::Add) { domain.as_str() } else { "" };
    outcome(&state, &auth, typed, result).await
}

/// The showroom's verified domains whose daily re-check failed (the dashboard's banner).
pub(crate) async fn failing(state: &AppState, auth: &TenantAuth) -> Result<Vec<String>, AppError> {
    let rows = state.db.platform().domains_of(auth.tenant.id).await?;
    Ok(rows.into_iter().filter(|d| d.status == DomainStatus::Failing).map(|d| d.domain).collect())
}
