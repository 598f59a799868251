//! One address per showroom for its public site. Once a showroom has a verified
//! custom domain as its primary host, a GET or HEAD of a **public page** on any of its
//! other hosts (its `<slug>.<tenant domain>`, a secondary custom domain) answers
//! `301 Moved Permanently` to the same path and query on the primary host.
//!
//! Public pages are everything except these prefixes, which keep answering on every
//! host the showroom is served at:
//! - `/admin` — the dashboard (its session cookie belongs to the host it was made on;
//!   the subdomain must stay usable when the custom domain's DNS breaks);
//! - `/api` — the JSON API, including `/api/auth/*`; clients keep their base URL;
//! - `/webhooks` — the WhatsApp Cloud API webhook: a provider never follows a redirect;
//! - `/media` — photo files, already referenced by absolute URLs in sent messages;
//! - `/assets` and `/favicon.ico` — hashed static files, the same on every host.
//!
//! Everything else (`/`, `/mobil…`, `/kontak`, `/sitemap.xml`, `/robots.txt`, unknown
//! paths) is redirected. Other methods are never redirected.

use axum::response::{IntoResponse, Response};
use garasi_domain::normalize_host;
use garasi_store::platform::Tenant;
use http::request::Parts;
use http::{HeaderValue, Method, StatusCode, header};

use crate::host::raw_authority;
use crate::state::AppState;

/// Path prefixes that are served on every host of a showroom, never redirected.
pub const KEEP_ON_EVERY_HOST: [&str; 6] = ["/admin", "/api", "/webhooks", "/media", "/assets", "/favicon.ico"];

fn is_public(path: &str) -> bool {
    !KEEP_ON_EVERY_HOST.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

/// The redirect to the showroom's primary host, when this request should get one.
pub fn redirect_to_primary(state: &AppState, parts: &Parts, tenant: &Tenant) -> Option<Response> {
    let primary = tenant.primary_domain.as_deref()?;
    if !matches!(parts.method, Method::GET | Method::HEAD) || !is_public(parts.uri.path()) {
        return None;
    }
    let host = normalize_host(&raw_authority(&state.config, parts).ok()?).ok()?;
    if host == primary {
        return None;
    }
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let location = format!("{}{path}", state.config.origin_for(primary));
    let mut resp = StatusCode::MOVED_PERMANENTLY.into_response();
    resp.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&location).ok()?);
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn which_paths_move() {
        for p in ["/", "/mobil", "/mobil/avanza-2020", "/kontak", "/sitemap.xml", "/robots.txt", "/adminx", "/x"] {
            assert!(is_public(p), "{p}");
        }
        for p in ["/admin", "/admin/login", "/api/cars", "/webhooks/whatsapp", "/media/cars/a/b/c", "/assets/x.css"] {
            assert!(!is_public(p), "{p}");
        }
    }
}
