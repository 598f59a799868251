//! In-process cache of rendered public pages.
//!
//! Only responses a handler marks [`Cacheable`] are kept: `200 OK` answers to
//! anonymous `GET`s (no `Authorization`, no session cookie) that set no cookie. The
//! key is the tenant, the host, whether the answer is an HTMX fragment or a full
//! page, and the full path with its query (less click-tracking parameters such as
//! `fbclid` and `utm_*`, which no page reads), so a filtered catalogue URL is its own
//! entry. Pages carry no request-derived URLs (canonical, og:url and JSON-LD come
//! from the tenant's stored domain), so the host is in the key only as defence in
//! depth.
//!
//! Entries of a tenant are dropped on `Event::InventoryChanged` and
//! `Event::TenantChanged` for it (from any instance when Redis carries events); a
//! short TTL backstops missed events and changes that publish none (settings). A
//! render that started before an invalidation is not stored (per-tenant generation).
//! Every cached page gets a weak ETag and answers `If-None-Match` with 304. Pages are
//! stored with their Brotli and gzip encodings, compressed once when stored, so a hit
//! costs no compression (`CompressionLayer` leaves encoded answers alone).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::assets::etag_matches;
use crate::events::{Event, Events};
use crate::host::Site;

/// Response extension: this answer may be cached and shared by every anonymous visitor.
#[derive(Clone, Copy, Debug)]
pub struct Cacheable;

/// Largest page body kept (larger answers pass through uncached).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// One encoding of a page, with the headers it is sent with.
struct Variant {
    headers: HeaderMap,
    body: Bytes,
}

struct Entry {
    tenant: Uuid,
    identity: Variant,
    br: Option<Variant>,
    gzip: Option<Variant>,
    /// Headers of the 304 answer.
    not_modified: HeaderMap,
    etag: HeaderValue,
    stored: Instant,
}

impl Entry {
    /// Builds the ready-to-send header sets of every encoding, so a hit only clones them.
    fn new(tenant: Uuid, response: &HeaderMap, body: Bytes, br: Option<Bytes>, gzip: Option<Bytes>) -> Entry {
        let etag = etag_for(&body);
        let mut base = HeaderMap::new();
        for (name, value) in response {
            if *name != header::CONTENT_LENGTH && *name != header::ETAG {
                base.append(name.clone(), value.clone());
            }
        }
        base.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        base.insert(header::ETAG, etag.clone());
        let variant = |body: Bytes, encoding: Option<&'static str>| {
            let mut headers = base.clone();
            if let Some(e) = encoding {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
            }
            Variant { headers, body }
        };
        let mut not_modified = base.clone();
        not_modified.remove(header::CONTENT_TYPE);
        Entry {
            tenant,
            br: br.map(|b| variant(b, Some("br"))),
            gzip: gzip.map(|b| variant(b, Some("gzip"))),
            identity: variant(body, None),
            not_modified,
            etag,
            stored: Instant::now(),
        }
    }

    /// Bytes held, for the memory budget.
    fn size(&self) -> usize {
        self.identity.body.len()
            + self.br.as_ref().map_or(0, |v| v.body.len())
            + self.gzip.as_ref().map_or(0, |v| v.body.len())
    }
}

#[derive(Default)]
struct Map {
    entries: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

struct Inner {
    map: RwLock<Map>,
    /// Bumped when a tenant's entries are dropped; a render stores only if unchanged.
    generations: Mutex<HashMap<Uuid, u64>>,
    /// Bumped when everything is dropped.
    epoch: AtomicU64,
    ttl: Duration,
    max_bytes: usize,
    max_entries: usize,
}

#[derive(Clone)]
pub struct PageCache {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Generation(u64, u64);

impl PageCache {
    pub fn new(ttl: Duration, max_bytes: usize, max_entries: usize) -> PageCache {
        PageCache {
            inner: Arc::new(Inner {
                map: RwLock::default(),
                generations: Mutex::default(),
                epoch: AtomicU64::new(0),
                ttl,
                max_bytes,
                max_entries,
            }),
        }
    }

    /// A cache that forgets a tenant's pages whenever its stock or its record changes.
    pub fn listening(events: &Events) -> PageCache {
        let cache = PageCache::new(Duration::from_secs(60), 64 * 1024 * 1024, 20_000);
        let weak: Weak<Inner> = Arc::downgrade(&cache.inner);
        let mut rx = events.subscribe();
        tokio::spawn(async move {
            loop {
                let event = rx.recv().await;
                let Some(inner) = weak.upgrade() else { break };
                let cache = PageCache { inner };
                match event {
                    Ok(Event::InventoryChanged { tenant_id } | Event::TenantChanged { tenant_id }) => {
                        cache.forget_tenant(tenant_id)
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => cache.clear(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        cache
    }

    fn generation(&self, tenant: Uuid) -> Generation {
        let gens = self.inner.generations.lock().unwrap_or_else(|p| p.into_inner());
        Generation(self.inner.epoch.load(Ordering::SeqCst), gens.get(&tenant).copied().unwrap_or(0))
    }

    pub fn forget_tenant(&self, tenant: Uuid) {
        {
            let mut gens = self.inner.generations.lock().unwrap_or_else(|p| p.into_inner());
            *gens.entry(tenant).or_default() += 1;
        }
        let mut map = self.inner.map.write().unwrap_or_else(|p| p.into_inner());
        let mut freed = 0;
        map.entries.retain(|_, e| {
            let keep = e.tenant != tenant;
            if !keep {
                freed += e.size();
            }
            keep
        });
        map.bytes -= freed;
    }

    pub fn clear(&self) {
        self.inner.epoch.fetch_add(1, Ordering::SeqCst);
        let mut map = self.inner.map.write().unwrap_or_else(|p| p.into_inner());
        map.entries.clear();
        map.bytes = 0;
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let map = self.inner.map.read().unwrap_or_else(|p| p.into_inner());
        map.entries.get(key).filter(|e| e.stored.elapsed() < self.inner.ttl).cloned()
    }

    fn put(&self, key: String, entry: Arc<Entry>, at: Generation) {
        let mut map = self.inner.map.write().unwrap_or_else(|p| p.into_inner());
        // Checked under the map lock: an invalidation either ran before (and bumped the
        // generation) or runs after (and removes this entry).
        if self.generation(entry.tenant) != at {
            return;
        }
        let len = entry.size();
        if let Some(old) = map.entries.insert(key, entry) {
            map.bytes -= old.size();
        }
        map.bytes += len;
        if map.bytes > self.inner.max_bytes || map.entries.len() > self.inner.max_entries {
            evict(&mut map, self.inner.max_bytes * 3 / 4, self.inner.max_entries * 3 / 4, self.inner.ttl);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.map.read().unwrap().entries.len()
    }
}

/// Drops expired entries, then the oldest, until the map is within both budgets.
fn evict(map: &mut Map, max_bytes: usize, max_entries: usize, ttl: Duration) {
    map.entries.retain(|_, e| e.stored.elapsed() < ttl);
    map.bytes = map.entries.values().map(|e| e.size()).sum();
    if map.bytes <= max_bytes && map.entries.len() <= max_entries {
        return;
    }
    let mut by_age: Vec<(Instant, String)> = map.entries.iter().map(|(k, e)| (e.stored, k.clone())).collect();
    by_age.sort();
    for (_, key) in by_age {
        if map.bytes <= max_bytes && map.entries.len() <= max_entries {
            break;
        }
        if let Some(e) = map.entries.remove(&key) {
            map.bytes -= e.size();
        }
    }
}

fn is_anonymous(headers: &HeaderMap) -> bool {
    !headers.contains_key(header::AUTHORIZATION)
        && !headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|v| v.contains("garasi_session"))
}

/// Click-tracking parameters that no page reads: every visitor from a Facebook or ad
/// link carries a unique one, and they must not make every such visit a cache miss.
fn is_tracking_param(key: &str) -> bool {
    key.starts_with("utm_") || matches!(key, "fbclid" | "gclid" | "gbraid" | "wbraid" | "msclkid" | "igshid" | "ttclid")
}

/// The path and query that identify a page: the query without tracking parameters.
fn cache_path(uri: &http::Uri) -> std::borrow::Cow<'_, str> {
    let path = uri.path();
    let Some(query) = uri.query() else { return path.into() };
    let tracking = |pair: &str| is_tracking_param(pair.split('=').next().unwrap_or_default());
    if !query.split('&').any(tracking) {
        return uri.path_and_query().map_or(path, |p| p.as_str()).into();
    }
    let kept: Vec<&str> = query.split('&').filter(|pair| !pair.is_empty() && !tracking(pair)).collect();
    if kept.is_empty() { path.into() } else { format!("{path}?{}", kept.join("&")).into() }
}

/// A weak validator from the body bytes: the same page compressed differently is
/// still the same page.
fn etag_for(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a valid header value")
}

/// The encoding to answer with: Brotli, else gzip, else none (`q=0` refuses one).
fn preferred_encoding(headers: &HeaderMap) -> Option<&'static str> {
    let (mut br, mut gzip) = (false, false);
    for value in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match name.as_str() {
                "br" => br = true,
                "gzip" => gzip = true,
                "*" => (br, gzip) = (true, true),
                _ => {}
            }
        }
    }
    if br {
        Some("br")
    } else if gzip {
        Some("gzip")
    } else {
        None
    }
}

/// Compresses a page once, with the same encoders (and levels) as `CompressionLayer`.
async fn encode(body: &Bytes, content_type: Option<HeaderValue>, encoding: &'static str) -> Option<Bytes> {
    use tower::ServiceExt;
    let body = body.clone();
    let inner = tower::service_fn(move |_: Request| {
        let mut resp = Body::from(body.clone()).into_response();
        if let Some(ct) = content_type.clone() {
            resp.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        async move { Ok::<_, std::convert::Infallible>(resp) }
    });
    let req = Request::builder().header(header::ACCEPT_ENCODING, encoding).body(Body::empty()).ok()?;
    let resp = tower_http::compression::Compression::new(inner).oneshot(req).await.ok()?;
    if resp.headers().get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()) != Some(encoding) {
        return None;
    }
    axum::body::to_bytes(Body::new(resp.into_body()), MAX_BODY).await.ok()
}

fn from_entry(entry: &Entry, request: &HeaderMap) -> Response {
    if etag_matches(request, entry.etag.to_str().unwrap_or_default()) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        *resp.headers_mut() = entry.not_modified.clone();
        return resp;
    }
    let variant = match preferred_encoding(request) {
        Some("br") => entry.br.as_ref().or(entry.gzip.as_ref()),
        Some(_) => entry.gzip.as_ref(),
        None => None,
    }
    .unwrap_or(&entry.identity);
    let mut resp = Response::new(Body::from(variant.body.clone()));
    *resp.headers_mut() = variant.headers.clone();
    resp
}

/// `tenant|host|f|/path?query` (`x` for htmx fragments), without formatting machinery.
fn cache_key(tenant: Uuid, host: &str, fragment: bool, path: &str) -> String {
    let mut key = String::with_capacity(40 + host.len() + path.len());
    let mut uuid = Uuid::encode_buffer();
    key.push_str(tenant.as_hyphenated().encode_lower(&mut uuid));
    key.push('|');
    key.extend(host.chars().map(|c| c.to_ascii_lowercase()));
    key.push_str(if fragment { "|x|" } else { "|f|" });
    key.push_str(path);
    key
}

/// Serves cached pages and stores cacheable ones. Layered on the public site's routes.
pub async fn middleware(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    let tenant = match req.extensions().get::<Site>() {
        Some(Site::Tenant(t)) => t.id.0,
        _ => return next.run(req).await,
    };
    if req.method() != Method::GET || !is_anonymous(req.headers()) {
        return next.run(req).await;
    }
    let h = req.headers();
    let fragment = h.contains_key("hx-request") && !h.contains_key("hx-history-restore-request");
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let key = cache_key(tenant, host, fragment, &cache_path(req.uri()));
    if let Some(entry) = cache.get(&key) {
        metrics::counter!("garasi_page_cache_requests_total", "result" => "hit").increment(1);
        return from_entry(&entry, req.headers());
    }
    // Counted before knowing whether the page is cacheable: a miss is a rendered page.
    metrics::counter!("garasi_page_cache_requests_total", "result" => "miss").increment(1);
    let request_headers = req.headers().clone();
    let at = cache.generation(tenant);
    let resp = next.run(req).await;
    if resp.status() != StatusCode::OK
        || resp.extensions().get::<Cacheable>().is_none()
        || resp.headers().contains_key(header::SET_COOKIE)
        || resp.headers().contains_key(header::CONTENT_ENCODING)
    {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page too large to cache or body failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).cloned();
    let br = encode(&body, content_type.clone(), "br").await;
    let gzip = encode(&body, content_type, "gzip").await;
    let entry = Arc::new(Entry::new(tenant, &parts.headers, body, br, gzip));
    cache.put(key, entry.clone(), at);
    from_entry(&entry, &request_headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tenant: Uuid, size: usize) -> Arc<Entry> {
        Arc::new(Entry::new(tenant, &HeaderMap::new(), Bytes::from(vec![b'x'; size]), None, None))
    }

    #[test]
    fn forgets_one_tenant_and_refuses_stale_renders() {
        let cache = PageCache::new(Duration::from_secs(60), 1 << 20, 100);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let ga = cache.generation(a);
        cache.put("a1".into(), entry(a, 10), ga);
        cache.put("b1".into(), entry(b, 10), cache.generation(b));
        assert_eq!(cache.len(), 2);
        cache.forget_tenant(a);
        assert!(cache.get("a1").is_none() && cache.get("b1").is_some());
        // A render that began before the invalidation is not stored.
        cache.put("a2".into(), entry(a, 10), ga);
        assert!(cache.get("a2").is_none());
        cache.put("a2".into(), entry(a, 10), cache.generation(a));
        assert!(cache.get("a2").is_some());
    }

    #[test]
    fn stays_within_budget() {
        let cache = PageCache::new(Duration::from_secs(60), 1000, 5);
        let t = Uuid::now_v7();
        for i in 0..20 {
            cache.put(format!("k{i}"), entry(t, 100), cache.generation(t));
        }
        assert!(cache.len() <= 5);
        assert!(cache.get("k19").is_some(), "the newest entry stays");
        let map = cache.inner.map.read().unwrap();
        assert_eq!(map.bytes, map.entries.values().map(|e| e.size()).sum::<usize>());
    }

    #[test]
    fn tracking_parameters_do_not_split_the_cache() {
        let key = |u: &str| cache_path(&u.parse::<http::Uri>().unwrap()).into_owned();
        assert_eq!(key("/mobil?fbclid=abc"), "/mobil");
        assert_eq!(key("/mobil?brand=Toyota&utm_source=wa&gclid=x"), "/mobil?brand=Toyota");
        assert_eq!(key("/mobil?utm=1&page=2"), "/mobil?utm=1&page=2");
        assert_eq!(key("/"), "/");
        assert_eq!(
            cache_key(Uuid::nil(), "Sinar.Localhost", true, "/mobil"),
            format!("{}|sinar.localhost|x|/mobil", Uuid::nil())
        );
    }

    #[test]
    fn brotli_is_preferred_and_q0_refuses() {
        let h = |v: &'static str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            m
        };
        assert_eq!(preferred_encoding(&h("gzip, deflate, br, zstd")), Some("br"));
        assert_eq!(preferred_encoding(&h("gzip")), Some("gzip"));
        assert_eq!(preferred_encoding(&h("br;q=0, gzip;q=0.5")), Some("gzip"));
        assert_eq!(preferred_encoding(&h("identity")), None);
        assert_eq!(preferred_encoding(&HeaderMap::new()), None);
    }

    #[tokio::test]
    async fn pages_are_stored_compressed() {
        let body = Bytes::from("<p>halo</p>".repeat(200));
        let ct = Some(HeaderValue::from_static("text/html; charset=utf-8"));
        let br = encode(&body, ct.clone(), "br").await.expect("brotli");
        let gz = encode(&body, ct, "gzip").await.expect("gzip");
        assert!(br.len() < body.len() / 10 && gz.len() < body.len() / 10);
        assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    }

    #[test]
    fn expired_entries_are_misses() {
        let cache = PageCache::new(Duration::from_millis(0), 1000, 5);
        let t = Uuid::now_v7();
        cache.put("k".into(), entry(t, 1), cache.generation(t));
        assert!(cache.get("k").is_none());
    }
}
