//! One error type for every handler. A handler returns [`AppError`]; the
//! `render_errors` middleware then answers in the caller's language: a JSON problem
//! under `/api/`, an HTMX toast fragment for HTMX requests, a full HTML page otherwise.

use std::collections::BTreeMap;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use garasi_domain::FieldErrors;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::request_id::RequestId;
use crate::templates::Templates;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("gone")]
    Gone,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthenticated")]
    Unauthorized,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The user signed in with a temporary password and must choose their own first.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("validation failed: {0}")]
    Validation(FieldErrors),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// Over a per-address (or per-user) request limit, not a login throttle.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Too much work of one kind at once (password checks under a flood): answered at
    /// once with 503 and `Retry-After` instead of queueing.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn bad_request(msg: impl Into<String>) -> AppError {
        AppError::BadRequest(msg.into())
    }

    pub fn forbidden(msg: impl Into<String>) -> AppError {
        AppError::Forbidden(msg.into())
    }

    pub fn field(field: &str, msg: impl Into<String>) -> AppError {
        AppError::Validation(FieldErrors::single(field, msg))
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests { .. } | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn report(&self) -> ErrorReport {
        let (code, message) = match self {
            AppError::NotFound => ("not_found", "Halaman atau data yang Anda cari tidak ditemukan.".to_owned()),
            AppError::Gone => ("gone", "Showroom ini sudah tidak aktif.".to_owned()),
            AppError::BadRequest(m) => ("bad_request", m.clone()),
            AppError::Unauthorized => ("unauthorized", "Silakan masuk terlebih dahulu.".to_owned()),
            AppError::InvalidCredentials => ("invalid_credentials", "Email atau kata sandi salah.".to_owned()),
            AppError::Forbidden(m) => ("forbidden", m.clone()),
            AppError::PasswordChangeRequired => (
                "password_change_required",
                "Ganti kata sandi sementara Anda terlebih dahulu (PUT /api/account/password).".to_owned(),
            ),
            AppError::Validation(_) => ("validation", "Periksa kembali isian yang ditandai.".to_owned()),
            AppError::Conflict(m) => ("conflict", m.clone()),
            AppError::PayloadTooLarge(m) => ("payload_too_large", m.clone()),
            AppError::TooManyRequests { retry_after_secs } => {
                ("rate_limited", format!("Terlalu banyak percobaan. Coba lagi dalam {} detik.", retry_after_secs))
            }
            AppError::RateLimited { retry_after_secs } => (
                "rate_limited",
                format!("Terlalu banyak permintaan dalam waktu singkat. Coba lagi dalam {} detik.", retry_after_secs),
            ),
            AppError::Unavailable(_) => {
                ("unavailable", "Layanan sedang tidak tersedia. Coba lagi sebentar lagi.".to_owned())
            }
            AppError::Busy { .. } => ("busy", "Server sedang sibuk. Coba lagi beberapa detik lagi.".to_owned()),
            // Never show internals: the details go to the log only.
            AppError::Internal(_) => ("internal", "Terjadi kesalahan di server. Silakan coba lagi.".to_owned()),
        };
        let fields = match self {
            AppError::Validation(f) => Some(f.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()),
            _ => None,
        };
        ErrorReport { status: self.status().as_u16(), code, message, fields, request_id: None }
    }
}

impl From<garasi_store::StoreError> for AppError {
    fn from(e: garasi_store::StoreError) -> AppError {
        match e {
            garasi_store::StoreError::NotFound => AppError::NotFound,
            e if e.is_outage() => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<garasi_service::ServiceError> for AppError {
    fn from(e: garasi_service::ServiceError) -> AppError {
        use garasi_service::ServiceError as S;
        match e {
            S::Validation(fields) => AppError::Validation(fields),
            S::NotFound => AppError::NotFound,
            S::Forbidden(m) => AppError::Forbidden(m),
            S::Conflict(m) => AppError::Conflict(m),
            S::Busy => AppError::Busy { retry_after_secs: 1 },
            S::Media(m) => AppError::from(m),
            S::Store(s) => AppError::from(s),
            S::Internal(e) => AppError::Internal(e),
        }
    }
}

impl From<crate::kv::KvError> for AppError {
    fn from(e: crate::kv::KvError) -> AppError {
        AppError::Unavailable(e.to_string())
    }
}

/// What went wrong, carried from the handler to the renderer in the response extensions.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    #[serde(skip)]
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// The request's id (set by `render_errors`), for a user's report to find the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            AppError::Unavailable(e) => tracing::warn!(error = %e, "dependency unavailable"),
            _ => {}
        }
        let report = self.report();
        // A JSON body stands in until `render_errors` picks the final form.
        let mut resp = (self.status(), axum::Json(ErrorBody { error: &report })).into_response();
        if let AppError::TooManyRequests { retry_after_secs }
        | AppError::RateLimited { retry_after_secs }
        | AppError::Busy { retry_after_secs } = self
        {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        resp.extensions_mut().insert(report);
        resp
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a ErrorReport,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Api,
    Htmx,
    Page,
}

/// Renders errors for their audience. Also turns the router's bare 404/405 answers
/// into proper pages, so no response goes out without a message.
pub async fn render_errors(
    axum::extract::State(templates): axum::extract::State<Templates>,
    req: Request,
    next: Next,
) -> Response {
    let audience = if req.uri().path().starts_with("/api/") || req.uri().path() == "/api" {
        Audience::Api
    } else if req.headers().contains_key("hx-request") {
        Audience::Htmx
    } else {
        Audience::Page
    };
    let request_id = req.extensions().get::<RequestId>().map(|id| id.as_str().to_owned());
    let resp = next.run(req).await;
    let mut report = match resp.extensions().get::<ErrorReport>() {
        Some(r) => r.clone(),
        None => match resp.status() {
            StatusCode::NOT_FOUND if !has_body(&resp) => AppError::NotFound.report(),
            StatusCode::METHOD_NOT_ALLOWED if !has_body(&resp) => ErrorReport {
                status: 405,
                code: "method_not_allowed",
                message: "Metode permintaan ini tidak didukung untuk alamat ini.".to_owned(),
                fields: None,
                request_id: None,
            },
            // An extractor's rejection (a path that is not UTF-8, a bad query, a wrong
            // content type) comes as axum's English plain text: answer it in our shape.
            s if s.is_client_error() && (!has_body(&resp) || is_plain_text(&resp)) => rejection_report(s),
            _ => return resp,
        },
    };
    report.request_id = request_id;
    let (mut parts, _body) = resp.into_parts();
    if audience == Audience::Api {
        // Rendered again, now with the request id; the headers that described the old body go.
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        let mut json = axum::Json(ErrorBody { error: &report }).into_response();
        *json.extensions_mut() = std::mem::take(&mut parts.extensions);
        *json.status_mut() = parts.status;
        json.headers_mut().extend(parts.headers.into_iter().filter_map(|(k, v)| k.map(|k| (k, v))));
        return json;
    }
    let html = match audience {
        Audience::Htmx => {
            templates.render("partials/toast.html", minijinja::context! { kind => "error", message => &report.message })
        }
        _ => templates.render(
            "error.html",
            minijinja::context! {
                status => report.status, message => &report.message, code => report.code, request_id => &report.request_id,
            },
        ),
    };
    let mut out = Html(html).into_response();
    *out.status_mut() = parts.status;
    for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE, header::SET_COOKIE] {
        for v in parts.headers.get_all(&name) {
            out.headers_mut().append(name.clone(), v.clone());
        }
    }
    if audience == Audience::Htmx {
        // Errors land in the toast area instead of replacing the element that asked.
        out.headers_mut().insert("hx-retarget", HeaderValue::from_static("#toasts"));
        out.headers_mut().insert("hx-reswap", HeaderValue::from_static("beforeend"));
    }
    out
}

fn is_plain_text(resp: &Response) -> bool {
    resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/plain"))
}

/// The report for a 4xx that no handler explained (see `render_errors`).
fn rejection_report(status: StatusCode) -> ErrorReport {
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "Permintaan tidak valid. Periksa alamat atau data yang dikirim."),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "Data yang dikirim terlalu besar."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Format data yang dikirim tidak didukung."),
        StatusCode::UNPROCESSABLE_ENTITY => ("validation", "Periksa kembali data yang dikirim."),
        _ => ("client_error", "Permintaan ini tidak dapat diproses."),
    };
    ErrorReport { status: status.as_u16(), code, message: message.to_owned(), fields: None, request_id: None }
}

fn has_body(resp: &Response) -> bool {
    resp.headers().contains_key(header::CONTENT_TYPE)
}
