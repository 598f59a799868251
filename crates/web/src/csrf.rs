//! Cross-site request forgery defence without tokens: an unsafe request must come
//! from our own origin, as told by the browser's `Sec-Fetch-Site` or `Origin`.
//! A cookie-authenticated request that carries neither is refused; clients without
//! a browser authenticate with a bearer token instead.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::Method;

use crate::auth::extract::{CredentialSource, Credentials};
use crate::error::AppError;
use crate::host::raw_authority;
use crate::state::AppState;

pub async fn same_origin_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let fetch_site = parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = parts.headers.get(http::header::ORIGIN).and_then(|v| v.to_str().ok());
    let verdict = match (fetch_site, origin) {
        (Some(site), _) => site == "same-origin" || site == "none",
        (None, Some(origin)) => {
            let own = raw_authority(&state.config, &parts).unwrap_or_default().to_ascii_lowercase();
            origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority.trim_end_matches('/').eq_ignore_ascii_case(&own))
        }
        (None, None) => !matches!(
            Credentials::from_parts(&state, &parts),
            Some(Credentials { source: CredentialSource::Cookie, .. })
        ),
    };
    if !verdict {
        tracing::warn!(path = %parts.uri.path(), ?fetch_site, ?origin, "cross-site request refused");
        return AppError::forbidden("Permintaan ditolak karena tidak berasal dari situs ini.").into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
