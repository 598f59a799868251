//! The HTTP request histogram, labelled so its cardinality stays bounded: the route
//! *template* (`/mobil/{id}`, never the raw path; anything no route matched is
//! `unmatched`), the status class and the site kind (`public`, `admin`, `root`, `api`,
//! or `none` before a site is known). No tenant label: per-showroom traffic belongs in
//! the logs and dashboards, not in a series per showroom.
//!
//! The outer layer ([`track`]) puts an empty [`RouteSlot`] in the request; `dispatch`
//! fills in the site kind once the host is resolved, and [`record_route`] (a route
//! layer on each site's router, so it runs only when a route matched) the template.
//! A slot shared by reference still holds what the inner layers learnt when the
//! response is a timeout or a caught panic.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

use crate::host::Site;

#[derive(Debug, Default)]
struct Labels {
    route: Option<String>,
    site: Option<&'static str>,
}

/// Filled in by the inner layers as routing goes.
#[derive(Clone, Default)]
pub struct RouteSlot(Arc<Mutex<Labels>>);

/// The site kind of a request on a resolved site.
pub fn site_kind(site: &Site, path: &str) -> &'static str {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    match site {
        _ if under("/api") || under("/webhooks") => "api",
        Site::Admin => "root",
        Site::Tenant(_) if under("/admin") => "admin",
        Site::Tenant(_) => "public",
    }
}

/// Called by `dispatch` once the host resolved to a site.
pub fn note_site(extensions: &http::Extensions, site: &Site, path: &str) {
    if let Some(slot) = extensions.get::<RouteSlot>() {
        slot.0.lock().expect("route slot").site = Some(site_kind(site, path));
    }
}

/// Route layer: the template of the route that matched.
pub async fn record_route(req: Request, next: Next) -> Response {
    if let (Some(slot), Some(path)) = (req.extensions().get::<RouteSlot>(), req.extensions().get::<MatchedPath>()) {
        slot.0.lock().expect("route slot").route = Some(path.as_str().to_owned());
    }
    next.run(req).await
}

/// Outer layer: times the request and records it.
pub async fn track(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let slot = RouteSlot::default();
    req.extensions_mut().insert(slot.clone());
    let resp = next.run(req).await;
    let status = match resp.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    let labels = std::mem::take(&mut *slot.0.lock().expect("route slot"));
    metrics::histogram!(
        "garasi_http_request_duration_seconds",
        "route" => labels.route.unwrap_or_else(|| "unmatched".to_owned()),
        "status" => status,
        "site" => labels.site.unwrap_or("none"),
    )
    .record(started.elapsed().as_secs_f64());
    resp
}
