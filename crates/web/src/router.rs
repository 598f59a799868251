//! The whole HTTP service: health probes on any host, then one router per kind of
//! site, chosen by the resolved Host.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::{AppError, render_errors};
use crate::host::{Resolved, Site, resolve};
use crate::state::AppState;
use crate::{api, auth, canonical, csrf, headers, health, http_metrics, pages, request_id};

/// Routes served on a showroom's own host: the public site, its dashboard at `/admin`,
/// its JSON API, photos, and the WhatsApp Cloud API webhook.
fn tenant_site(state: &AppState) -> Router {
    Router::new()
        .merge(pages::site::routes(state))
        .merge(pages::site::asset_routes())
        .merge(crate::feeds::routes())
        .merge(auth::routes())
        .route("/api/openapi.json", get(api::openapi::serve))
        .merge(api::feeds::routes())
        .merge(api::cars_csv::routes())
        .merge(api::cars::routes())
        .merge(api::photos::routes())
        .route("/media/cars/{car_id}/{photo_id}/{file}", get(pages::media::car_photo))
        .merge(api::sales::routes())
        .merge(api::leads::routes())
        .merge(api::appointments::routes())
        .merge(api::bot::routes())
        .merge(api::whatsapp::routes())
        .merge(api::password_reset::routes())
        .merge(api::users::routes())
        .merge(pages::admin::routes())
        .route_layer(middleware::from_fn(http_metrics::record_route))
        .fallback(pages::site::fallback)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::same_origin_only))
        .with_state(state.clone())
}

/// Routes served on the platform admin host: the root dashboard and the root API.
fn admin_site(state: &AppState) -> Router {
    Router::new()
        .merge(pages::root::routes())
        .merge(pages::site::asset_routes())
        .merge(auth::routes())
        .merge(api::admin_tenants::routes())
        .route("/api/openapi.json", get(api::openapi::serve))
        .route_layer(middleware::from_fn(http_metrics::record_route))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::same_origin_only))
        .with_state(state.clone())
}

struct Sites {
    admin: Router,
    tenant: Router,
}

async fn dispatch(state: AppState, sites: Arc<Sites>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    // Before the host lookup: a flood is refused before it costs a database query.
    if let Err(e) = crate::rate_limit::check(&state, &parts).await {
        return e.into_response();
    }
    let site = match resolve(&state, &parts).await {
        Ok(Resolved::Site(site)) => site,
        // An unknown host gets no showroom content, and never a default tenant.
        Ok(Resolved::Unknown) => return AppError::NotFound.into_response(),
        Ok(Resolved::Gone) => return AppError::Gone.into_response(),
        Err(e) => return e.into_response(),
    };
    http_metrics::note_site(&parts.extensions, &site, parts.uri.path());
    let router = match &site {
        Site::Admin => sites.admin.clone(),
        Site::Tenant(tenant) => {
            if let Some(moved) = canonical::redirect_to_primary(&state, &parts, tenant) {
                return moved;
            }
            sites.tenant.clone()
        }
    };
    parts.extensions.insert(site);
    match router.oneshot(Request::from_parts(parts, body)).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

pub fn build_router(state: AppState) -> Router {
    let sites = Arc::new(Sites { admin: admin_site(&state), tenant: tenant_site(&state) });
    let dispatch_state = state.clone();
    let router = Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route_layer(middleware::from_fn(http_metrics::record_route))
        .fallback(move |req: Request| {
            let sites = sites.clone();
            let state = dispatch_state.clone();
            async move { dispatch(state, sites, req).await }
        })
        .with_state(state.clone())
        .layer(middleware::from_fn_with_state(state.templates.clone(), render_errors))
        .layer(middleware::from_fn_with_state(state.clone(), headers::secure_behind_tls_proxy));
    // Outermost: cached public pages are answered before any of the layers below.
    outer_layers(router, state.config.secure_cookies(), Duration::from_secs(30))
        .layer(crate::fast_lane::FastLaneLayer::new(state))
}

/// The layers around everything. The security headers sit outside the timeout and the
/// panic catcher, so their 408 and 500 answers carry the headers like every other response.
fn outer_layers(router: Router, https: bool, timeout: Duration) -> Router {
    let guarded = router
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(CatchPanicLayer::custom(|_| AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()));
    headers::apply(guarded, https)
        .layer(TraceLayer::new_for_http().make_span_with(request_id::make_span::<axum::body::Body>))
        .layer(middleware::from_fn(http_metrics::track))
        .layer(middleware::from_fn(request_id::assign))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    #[tokio::test]
    async fn timeouts_and_panics_of_the_outer_layers_carry_the_security_headers() {
        async fn slow() -> &'static str {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        }
        async fn boom() -> &'static str {
            panic!("a handler bug")
        }
        let app = outer_layers(
            Router::new().route("/slow", get(slow)).route("/boom", get(boom)),
            true,
            Duration::from_millis(50),
        );
        for (path, status) in [("/slow", 408), ("/boom", 500)] {
            let resp = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(resp.status().as_u16(), status, "{path}");
            let h = resp.headers();
            for name in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"] {
                assert!(h.contains_key(name), "{path} lacks {name}");
            }
            assert_eq!(h["strict-transport-security"], "max-age=31536000", "{path}");
        }
    }
}
