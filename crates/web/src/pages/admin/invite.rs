//! `/admin/undangan/{token}`: where an invited user chooses their password. The link
//! works once, for 72 hours; accepting it signs the user in (one transaction in
//! `garasi_service::users::accept_invite`). The page is on the showroom's own host and
//! needs no session.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use garasi_service::ServiceError;
use garasi_service::users as service;
use http::{HeaderValue, StatusCode, header};

use super::ui::{self, FormData, html_status};
use crate::auth::extract::SiteTenant;
use crate::auth::lifecycle::{GatedPasswords, new_session};
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/undangan/{token}", get(page).post(accept))
}

/// The form, or the dead-link message when `user` is `None`.
fn render(
    state: &AppState,
    showroom: &str,
    user: Option<(&str, &str)>,
    errors: Option<&garasi_domain::FieldErrors>,
    status: StatusCode,
) -> Response {
    let body = state.templates.render(
        "admin/invite.html",
        minijinja::context! {
            showroom, valid => user.is_some(),
            name => user.map(|u| u.0), email => user.map(|u| u.1),
            errors => errors.map(ui::errors_map),
        },
    );
    let mut resp = html_status(status, body);
    // The secret is in the path: never send it on as a Referer.
    resp.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

fn dead_link(state: &AppState, showroom: &str) -> Response {
    render(state, showroom, None, None, StatusCode::NOT_FOUND)
}

pub async fn page(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let tdb = state.db.tenant(tenant.id);
    Ok(match service::invitation(&tdb, &token).await? {
        Some(user) => render(&state, &tenant.name, Some((user.display_name(), &user.email)), None, StatusCode::OK),
        None => dead_link(&state, &tenant.name),
    })
}

pub async fn accept(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(token): Path<String>,
    parts: Parts,
    form: FormData,
) -> Result<Response, AppError> {
    let tdb = state.db.tenant(tenant.id);
    let password = form.get("password").unwrap_or("").to_owned();
    if password != form.get("confirm_password").unwrap_or("") {
        let Some(user) = service::invitation(&tdb, &token).await? else {
            return Ok(dead_link(&state, &tenant.name));
        };
        let errors = garasi_domain::FieldErrors::single("confirm_password", "Kata sandi dan ulangannya tidak sama.");
        let who = (user.display_name(), user.email.as_str());
        return Ok(render(&state, &tenant.name, Some(who), Some(&errors), StatusCode::UNPROCESSABLE_ENTITY));
    }
    let (session, cookie) = new_session(&state, &parts);
    let passwords = GatedPasswords::of(&state);
    match service::accept_invite(&state.services, &tdb, &token, &password, &session, &passwords).await {
        Ok(_) => {
            let mut resp = ui::redirect(&parts.headers, "/admin?notice=welcome");
            resp.headers_mut().insert(header::SET_COOKIE, cookie);
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(resp)
        }
        Err(ServiceError::NotFound) => Ok(dead_link(&state, &tenant.name)),
        Err(ServiceError::Validation(errors)) => {
            let Some(user) = service::invitation(&tdb, &token).await? else {
                return Ok(dead_link(&state, &tenant.name));
            };
            let who = (user.display_name(), user.email.as_str());
            Ok(render(&state, &tenant.name, Some(who), Some(&errors), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
