//! `/admin/login` and `/admin/logout`: a plain HTML form (it works without
//! JavaScript) that creates the same session as `/api/auth/login`, through the same
//! code, throttle included.

use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Form, RequestPartsExt};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

use super::ui::{self, html_status};
use crate::auth::extract::SiteTenant;
use crate::auth::{SignInStep, TenantAuth, clear_cookie, sign_in, sign_out};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    name: &str,
    email: &str,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let body = state.templates.render(
        "admin/login.html",
        minijinja::context! {
            showroom => name, email => email, next => next, error => error,
            action => "/admin/login", subtitle => "Masuk ke dashboard showroom",
        },
    );
    html_status(status, body)
}

pub async fn page(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Query(q): Query<NextQuery>,
    mut parts: Parts,
) -> Response {
    let next = ui::safe_next(q.next.as_deref(), "/admin", "/admin");
    // Already signed in: straight to the dashboard.
    if parts.extract_with_state::<TenantAuth, _>(&state).await.is_ok() {
        return ui::redirect(&parts.headers, &next);
    }
    login_page(&state, &tenant.name, "", &next, None, StatusCode::OK)
}

pub async fn submit(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = ui::safe_next(form.next.as_deref(), "/admin", "/admin");
    finish_login(&state, &parts, &form.email, &form.password, &next, |error, status| {
        login_page(&state, &tenant.name, &form.email, &next, Some(error), status)
    })
    .await
}

/// Signs in and redirects to `next` with the session cookie, or shows the form again
/// with the reason (wrong login, throttled) through `again`. Shared with the root login,
/// where a root with a second factor gets the code form instead.
pub(crate) async fn finish_login(
    state: &AppState,
    parts: &Parts,
    email: &str,
    password: &str,
    next: &str,
    again: impl FnOnce(&str, StatusCode) -> Response,
) -> Response {
    if email.trim().is_empty() || password.is_empty() {
        return again("Isi email dan kata sandi.", StatusCode::UNPROCESSABLE_ENTITY);
    }
    match sign_in(state, parts, email, password).await {
        Ok(SignInStep::SecondFactor { token }) => {
            crate::pages::root::security::code_page(state, &token, next, None, StatusCode::OK)
        }
        Ok(SignInStep::Done(signed_in)) => {
            let sep = if next.contains('?') { '&' } else { '?' };
            let mut resp = ui::redirect(&parts.headers, &format!("{next}{sep}notice=login"));
            resp.headers_mut().insert(header::SET_COOKIE, signed_in.cookie(state));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(AppError::InvalidCredentials) => again("Email atau kata sandi salah.", StatusCode::UNAUTHORIZED),
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1);
            let mut resp = again(
                &format!("Terlalu banyak percobaan masuk. Coba lagi dalam {minutes} menit."),
                StatusCode::TOO_MANY_REQUESTS,
            );
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// Ends the session (if any) and goes to the login page.
pub async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    end_session(&state, parts, "/admin/login").await
}

/// Shared with the root logout.
pub(crate) async fn end_session(state: &AppState, parts: Parts, login: &str) -> Response {
    let headers = parts.headers.clone();
    match sign_out(state, parts).await {
        Ok(()) | Err(AppError::Unauthorized) => {}
        Err(e) => return e.into_response(),
    }
    let mut resp = ui::redirect(&headers, login);
    resp.headers_mut().insert(header::SET_COOKIE, clear_cookie(state));
    resp
}
