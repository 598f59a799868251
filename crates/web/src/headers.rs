//! Security headers on every response, unless a handler set its own.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::host::forwarded_https;
use crate::state::AppState;

const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// The headers every response gets (HSTS only when the deployment is on https). The
/// fast lane stores them with each cached page, so its answers carry the same.
pub fn security_headers(https: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut list = vec![
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    if https {
        list.push((header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS)));
    }
    list
}

const HSTS: &str = "max-age=31536000";

pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, https: bool) -> Router<S> {
    let mut router = router;
    for (name, value) in security_headers(https) {
        // `nosniff` always; the others only where a handler chose none of its own.
        router = if name == header::X_CONTENT_TYPE_OPTIONS {
            router.layer(SetResponseHeaderLayer::overriding(name, value))
        } else {
            router.layer(SetResponseHeaderLayer::if_not_present(name, value))
        };
    }
    router
}

/// HSTS for a browser that reached a trusted TLS proxy over https, on a deployment
/// configured for http (see [`secure_behind_tls_proxy`]).
pub(crate) fn hsts_from_proxy(
    config: &crate::state::WebConfig,
    peer: Option<std::net::IpAddr>,
    headers: &http::HeaderMap,
) -> Option<HeaderValue> {
    (!config.secure_cookies() && forwarded_https(config, peer, headers)).then_some(HeaderValue::from_static(HSTS))
}

/// A deployment configured for https marks every cookie `Secure` already. One configured
/// for http (a proxy's plain hop) still learns from a trusted proxy that this browser came
/// over https: its cookies then get `Secure` and the response HSTS, so a session cookie
/// set over https never travels back over plain http.
pub async fn secure_behind_tls_proxy(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let https = !state.config.secure_cookies() && forwarded_https(&state.config, peer, req.headers());
    let mut resp = next.run(req).await;
    if https {
        let headers = resp.headers_mut();
        let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).iter().cloned().collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            let secured = match cookie.to_str() {
                Ok(text) if !text.to_ascii_lowercase().contains("; secure") => {
                    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
                }
                _ => cookie,
            };
            headers.append(header::SET_COOKIE, secured);
        }
        headers.entry(header::STRICT_TRANSPORT_SECURITY).or_insert(HeaderValue::from_static(HSTS));
    }
    resp
}
