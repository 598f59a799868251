//! The fast lane: a cached public page answered before the router.
//!
//! Most public traffic is anonymous visitors and crawlers asking for pages the page
//! cache already holds. Through the whole stack such a hit costs a request span, the
//! request-id, metrics, header, timeout, panic and compression layers, the host lookup
//! with its allocations, routing twice and the cache middleware, many times what
//! answering takes. This outermost layer answers it directly when everything it needs
//! is in memory:
//!
//! - an anonymous `GET` (the page cache's own rule);
//! - a host the host cache holds, fresh, for an active showroom that is not to be
//!   redirected to its primary domain (`canonical`);
//! - a page the cache holds (`PageCache::lookup`).
//!
//! Anything else (and every miss) goes down the usual path untouched. What the layers it
//! skips would have done, a hit still gets: the per-address rate limit (counted here;
//! a refusal continues down the usual path carrying the verdict, so it is rendered and
//! counted once), `X-Request-Id` (the caller's sane one or a new one), the security
//! headers (stored with the page), HSTS behind a trusted TLS proxy, the request histogram
//! with the page's route template and the hit counter. A hit logs nothing, so it opens
//! no request span.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::response::Response;
use futures_util::future::{BoxFuture, Either, Ready, ready};
use garasi_domain::normalize_host;
use garasi_store::platform::Tenant;
use http::request::Parts;
use tower::{Layer, Service, ServiceExt};

use crate::host::{peer_ip, raw_authority};
use crate::page_cache::Hit;
use crate::rate_limit::{self, Verdict};
use crate::request_id;
use crate::state::AppState;

#[derive(Clone)]
pub struct FastLaneLayer {
    state: Arc<AppState>,
}

impl FastLaneLayer {
    pub fn new(state: AppState) -> FastLaneLayer {
        FastLaneLayer { state: Arc::new(state) }
    }
}

impl<S> Layer<S> for FastLaneLayer {
    type Service = FastLane<S>;

    fn layer(&self, inner: S) -> FastLane<S> {
        FastLane { inner, state: self.state.clone() }
    }
}

#[derive(Clone)]
pub struct FastLane<S> {
    inner: S,
    state: Arc<AppState>,
}

/// The showroom a request is for, when the host cache alone says so and the showroom
/// serves this host itself (no redirect to its primary domain).
fn cached_tenant(state: &AppState, parts: &Parts) -> Option<Arc<Tenant>> {
    let host = normalize_host(&raw_authority(&state.config, parts).ok()?).ok()?;
    if host == state.config.admin_host {
        return None;
    }
    let tenant = state.hosts.cached(&host)?;
    if tenant.primary_domain.as_deref().is_some_and(|primary| primary != host) {
        return None;
    }
    Some(tenant)
}

fn lookup(state: &AppState, parts: &Parts) -> Option<(uuid::Uuid, Hit)> {
    if parts.method != http::Method::GET {
        return None;
    }
    let tenant = cached_tenant(state, parts)?;
    Some((tenant.id.0, state.page_cache.lookup(tenant.id.0, parts)?))
}

/// Counts the answer for insights when the page is marked (a car page, a search).
fn count(state: &AppState, tenant: uuid::Uuid, hit: &Hit, parts: &Parts) {
    if let Some(insight) = hit.insight() {
        crate::insights::count(state, tenant, &parts.uri, &parts.headers, insight);
    }
}

/// The cached answer with what the skipped outer layers add.
fn answer(state: &AppState, hit: &Hit, parts: &Parts, started: Instant) -> Response {
    let mut resp = hit.respond(&parts.headers, started);
    let headers = resp.headers_mut();
    headers.insert(request_id::HEADER, request_id::response_header(&parts.headers));
    if let Some(hsts) = crate::headers::hsts_from_proxy(&state.config, peer_ip(parts), &parts.headers) {
        headers.insert(http::header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    resp
}

impl<S> Service<Request> for FastLane<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The inner service is made ready when it is called (`oneshot`).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let (parts, body) = req.into_parts();
        let Some((tenant, hit)) = lookup(&self.state, &parts) else {
            let inner = self.inner.clone();
            return Either::Right(Box::pin(inner.oneshot(Request::from_parts(parts, body))));
        };
        if !rate_limit::applies(&self.state, &parts) {
            count(&self.state, tenant, &hit, &parts);
            return Either::Left(ready(Ok(answer(&self.state, &hit, &parts, started))));
        }
        let state = self.state.clone();
        let inner = self.inner.clone();
        Either::Right(Box::pin(async move {
            let counted = rate_limit::check(&state, &parts).await;
            match counted {
                Ok(()) => {
                    count(&state, tenant, &hit, &parts);
                    Ok(answer(&state, &hit, &parts, started))
                }
                Err(refused) => {
                    // Counted already: the usual path renders the refusal without counting again.
                    let mut parts = parts;
                    parts.extensions.insert(Verdict::from_error(&refused));
                    inner.oneshot(Request::from_parts(parts, body)).await
                }
            }
        }))
    }
}
