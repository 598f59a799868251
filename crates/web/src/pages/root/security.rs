//! The root user's own security: the TOTP second factor at `/keamanan` (enrol with a QR
//! code, confirm with a code, see the recovery codes once, turn it off with a code), and
//! the second step of the root login form (`/login/kode`).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use garasi_service::root_2fa::{self, Status};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

use super::{Root, shell};
use crate::auth::{RootAuth, second_factor};
use crate::error::AppError;
use crate::pages::admin::render;
use crate::pages::admin::ui::{self, html, html_status};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub(crate) struct CodeForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    code: String,
    next: Option<String>,
}

/// The second step of the root login form: asks for the code, carrying the pending token.
pub(crate) fn code_page(
    state: &AppState,
    token: &str,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let body = state
        .templates
        .render("root/login_code.html", minijinja::context! { token => token, next => next, error => error });
    let mut resp = html_status(status, body);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `POST /login/kode`: checks the code and signs in, or asks again.
pub async fn login_code(State(state): State<AppState>, parts: Parts, Form(form): Form<CodeForm>) -> Response {
    let next = ui::safe_next(form.next.as_deref(), "/", "/");
    let again = |error: &str, status| code_page(&state, &form.token, &next, Some(error), status);
    if form.code.trim().is_empty() {
        return again("Isi kode dari aplikasi autentikator.", StatusCode::UNPROCESSABLE_ENTITY);
    }
    match second_factor(&state, &parts, &form.token, &form.code).await {
        Ok(signed_in) => {
            let sep = if next.contains('?') { '&' } else { '?' };
            let mut resp = ui::redirect(&parts.headers, &format!("{next}{sep}notice=login"));
            resp.headers_mut().insert(header::SET_COOKIE, signed_in.cookie(&state));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(AppError::InvalidCredentials) => {
            again("Kode salah, kedaluwarsa, atau sudah dipakai.", StatusCode::UNAUTHORIZED)
        }
        Err(AppError::Unauthorized) => {
            // The pending login expired (5 minutes) or was never there: start again.
            let body = state.templates.render(
                "admin/login.html",
                minijinja::context! {
                    showroom => "Garasi Platform", email => "", next => next,
                    error => "Waktu memasukkan kode habis. Masuk lagi dengan email dan kata sandi.",
                    action => "/login", subtitle => "Masuk sebagai admin platform",
                },
            );
            html_status(StatusCode::UNAUTHORIZED, body)
        }
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1);
            let mut resp = again(
                &format!("Terlalu banyak percobaan kode. Coba lagi dalam {minutes} menit."),
                StatusCode::TOO_MANY_REQUESTS,
            );
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            resp
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

/// `GET /keamanan`.
pub async fn page(
    State(state): State<AppState>,
    Root(auth): Root,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let notice = match q.notice.as_deref() {
        Some("2fa-off") => Some("Verifikasi dua langkah dimatikan."),
        _ => None,
    };
    security_page(&state, &auth, None, notice, None, StatusCode::OK).await
}

/// Renders the page for the factor's current state; `codes` are the recovery codes of a
/// confirmation just made (shown this once).
async fn security_page(
    state: &AppState,
    auth: &RootAuth,
    codes: Option<Vec<String>>,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (state_name, secret, qr, left) = match root_2fa::status(&state.db, state.sealer()?, &auth.user).await? {
        Status::Off => ("off", None, None, 0),
        Status::Pending(e) => ("pending", Some(e.secret_text), garasi_channels::qr::svg(&e.uri), 0),
        Status::On { recovery_codes_left } => ("on", None, None, recovery_codes_left),
    };
    let shell = shell(auth, "security", "Keamanan akun");
    let body = render(
        state,
        "root/security.html",
        &shell,
        minijinja::context! {
            factor => state_name, secret => secret, qr => qr, codes_left => left, codes => codes,
            notice => notice, error => error, email => auth.user.email.clone(),
        },
    );
    let mut resp = if status == StatusCode::OK { html(body) } else { html_status(status, body) };
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// `POST /keamanan/mulai`: a new secret, shown as a QR code.
pub async fn begin(State(state): State<AppState>, Root(auth): Root, parts: Parts) -> Result<Response, AppError> {
    root_2fa::begin(&state.db, state.sealer()?, &auth.actor(), &auth.user).await?;
    Ok(ui::redirect(&parts.headers, "/keamanan"))
}

#[derive(Deserialize, Default)]
pub(crate) struct FactorForm {
    #[serde(default)]
    code: String,
}

/// `POST /keamanan/aktifkan`: confirms with a code and shows the recovery codes once.
pub async fn confirm(
    State(state): State<AppState>,
    Root(auth): Root,
    Form(form): Form<FactorForm>,
) -> Result<Response, AppError> {
    match root_2fa::confirm(&state.db, state.sealer()?, &auth.actor(), &auth.user, &form.code).await {
        Ok(codes) => security_page(&state, &auth, Some(codes), None, None, StatusCode::OK).await,
        Err(e) => wrong_code(&state, &auth, e).await,
    }
}

/// `POST /keamanan/nonaktifkan`: turns the factor off with a current code.
pub async fn disable(
    State(state): State<AppState>,
    Root(auth): Root,
    parts: Parts,
    Form(form): Form<FactorForm>,
) -> Result<Response, AppError> {
    match root_2fa::disable(&state.db, state.sealer()?, &auth.actor(), &auth.user, &form.code).await {
        Ok(()) => Ok(ui::redirect(&parts.headers, "/keamanan?notice=2fa-off")),
        Err(e) => wrong_code(&state, &auth, e).await,
    }
}

/// A refused code shows the page again with the reason; other errors go up.
async fn wrong_code(state: &AppState, auth: &RootAuth, e: garasi_service::ServiceError) -> Result<Response, AppError> {
    match e {
        garasi_service::ServiceError::Validation(errors) => {
            let msg = errors.iter().next().map(|(_, m)| m.to_owned()).unwrap_or_default();
            security_page(state, auth, None, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        e => Err(e.into()),
    }
}
