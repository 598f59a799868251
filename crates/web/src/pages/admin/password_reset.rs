//! "Lupa password?" on a showroom's host: the request form (`/admin/lupa-password`), the
//! reset page a link opens (`/admin/reset-password/{token}`), and the owner's one-time
//! link for a user (`POST /admin/reset-link/{user_id}`, answering the `_reset_link.html`
//! fragment; the same file renders the button that asks for it).
//!
//! The use cases are `garasi_service::password_reset`; these handlers parse, throttle
//! and render.

use std::time::Duration;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use garasi_service::password_reset::{self, Outlets};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;
use uuid::Uuid;

use super::Staff;
use super::ui::html_status;
use crate::auth::extract::SiteTenant;
use crate::auth::password::hash_for_service;
use crate::auth::throttle;
use crate::error::AppError;
use crate::host::client_ip;
use crate::state::AppState;

/// Requests per e-mail, and per client address over all e-mails, in [`REQUEST_WINDOW`].
const PER_EMAIL: i64 = 3;
const PER_CLIENT: i64 = 10;
const REQUEST_WINDOW: Duration = Duration::from_secs(3600);

#[derive(Deserialize, Default)]
pub(crate) struct RequestForm {
    #[serde(default)]
    email: String,
}

fn page(state: &AppState, template: &str, showroom: &str, ctx: minijinja::Value, status: StatusCode) -> Response {
    let body = state.templates.render(template, minijinja::context! { showroom => showroom, ..ctx });
    let mut resp = html_status(status, body);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The token is in the path: keep it out of other sites' logs.
    resp.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

/// `GET /admin/lupa-password`.
pub async fn request_page(State(state): State<AppState>, SiteTenant(tenant): SiteTenant) -> Response {
    let ctx = minijinja::context! { sent => false, email => "" };
    page(&state, "admin/forgot_password.html", &tenant.name, ctx, StatusCode::OK)
}

/// `POST /admin/lupa-password`: the same answer whether or not the e-mail is a user's.
pub async fn request(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    parts: Parts,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 {
        let ctx = minijinja::context! { sent => false, email => email, error => "Isi alamat email akun Anda." };
        return Ok(page(&state, "admin/forgot_password.html", &tenant.name, ctx, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let ip = client_ip(&state.config, &parts);
    // Counted before anything is looked up, for unknown e-mails too: same limits, same answers.
    if let Some(ip) = ip {
        throttle::limit(&state, &format!("reset-req-ip:{ip}"), PER_CLIENT, REQUEST_WINDOW).await?;
    }
    throttle::limit(&state, &format!("reset-req:{}:{email}", tenant.id), PER_EMAIL, REQUEST_WINDOW).await?;
    let urls = state.config.public_urls();
    let outlets = Outlets { urls: &urls, mailer: state.mailer.clone() };
    let delivery =
        password_reset::request(&state.db.tenant(tenant.id), &tenant, &outlets, &email, ip.map(|i| i.to_string()))
            .await?;
    tracing::info!(tenant = %tenant.slug, ?delivery, "password reset requested");
    let ctx = minijinja::context! { sent => true, email => email };
    Ok(page(&state, "admin/forgot_password.html", &tenant.name, ctx, StatusCode::OK))
}

fn link_gone(state: &AppState, showroom: &str) -> Response {
    let ctx = minijinja::context! { gone => true };
    page(state, "admin/reset_password.html", showroom, ctx, StatusCode::GONE)
}

/// `GET /admin/reset-password/{token}`: the new-password form, while the link is valid.
pub async fn reset_page(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(user) = password_reset::check(&state.db.tenant(tenant.id), &token).await? else {
        return Ok(link_gone(&state, &tenant.name));
    };
    let ctx = minijinja::context! { gone => false, email => user.email, token => token };
    Ok(page(&state, "admin/reset_password.html", &tenant.name, ctx, StatusCode::OK))
}

#[derive(Deserialize, Default)]
pub(crate) struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

/// `POST /admin/reset-password/{token}`: sets the password, ends every session of the user.
pub async fn reset(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(token): Path<String>,
    parts: Parts,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let tdb = state.db.tenant(tenant.id);
    let again = |email: String, error: String| {
        let ctx = minijinja::context! { gone => false, email => email, token => token.clone(), error => error };
        page(&state, "admin/reset_password.html", &tenant.name, ctx, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if form.password != form.password_again {
        let Some(user) = password_reset::check(&tdb, &token).await? else {
            return Ok(link_gone(&state, &tenant.name));
        };
        return Ok(again(user.email, "Kedua kata sandi tidak sama.".into()));
    }
    let ip = client_ip(&state.config, &parts).map(|i| i.to_string());
    match password_reset::complete(&tdb, &token, &form.password, ip, hash_for_service).await {
        Ok(user) => {
            let ctx = minijinja::context! { done => true, email => user.email };
            Ok(page(&state, "admin/reset_password.html", &tenant.name, ctx, StatusCode::OK))
        }
        Err(garasi_service::ServiceError::Conflict(_)) => Ok(link_gone(&state, &tenant.name)),
        Err(garasi_service::ServiceError::Validation(errors)) => {
            let Some(user) = password_reset::check(&tdb, &token).await? else {
                return Ok(link_gone(&state, &tenant.name));
            };
            let msg = errors.iter().next().map(|(_, m)| m.to_owned()).unwrap_or_default();
            Ok(again(user.email, msg))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/reset-link/{user_id}` (owner only): a one-time link to hand to the user,
/// as the `_reset_link.html` fragment.
pub async fn make_link(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Path(user_id): Path<Uuid>,
) -> Result<Response, AppError> {
    let urls = state.config.public_urls();
    let link = password_reset::make_link(&auth.actor(), &auth.tenant_db(&state), &auth.tenant, &urls, user_id).await?;
    Ok(link_fragment(&state, &link))
}

/// The fragment that shows a link made by the owner or root.
pub(crate) fn link_fragment(state: &AppState, link: &password_reset::ResetLink) -> Response {
    let body = state.templates.render(
        "admin/_reset_link.html",
        minijinja::context! {
            link => link.url.clone(), email => link.email.clone(),
            expires => crate::pages::admin::ui::wib(link.expires_at),
        },
    );
    let mut resp = super::ui::html(body);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
