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
//! costs no compression (`CompressionLayer` leaves encoded answers alone); the
//! uncompressed page is not kept but unpacked from gzip for the rare client that takes
//! neither, which holds about a quarter of the memory per page.
//!
//! The cache is bounded by bytes (`GARASI_PAGE_CACHE_MAX_BYTES`, counting bodies, keys
//! and a fixed overhead per entry) and by entries; over either it drops expired pages,
//! then the oldest, down to three quarters. Entries sit in [`SHARDS`] maps, each behind
//! its own lock, found by the key's hash. Most hits never reach [`middleware`]: the fast
//! lane (`crate::fast_lane`) answers them from [`PageCache::answer`] before the router.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::io::Read;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::assets::etag_matches;
use crate::events::{Events, Forget};
use crate::host::Site;

/// Response extension: this answer may be cached and shared by every anonymous visitor.
#[derive(Clone, Copy, Debug)]
pub struct Cacheable;

/// Largest page body kept (larger answers pass through uncached).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Default of `GARASI_PAGE_CACHE_MAX_BYTES`: with pages kept compressed only (about 10 kB
/// for a catalogue page in both encodings) this holds some 3,000 pages.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Most entries kept, whatever their size.
const MAX_ENTRIES: usize = 20_000;

/// How long a page is served without an invalidation event (a backstop for missed events
/// and for changes that publish none).
const TTL: Duration = Duration::from_secs(60);

/// Independent locks: two requests for different pages rarely meet on one.
const SHARDS: usize = 16;

/// Bytes an entry costs beyond its bodies (key, header maps, bookkeeping), counted in the
/// budget so that many small pages cannot hold more memory than it says.
const ENTRY_OVERHEAD: usize = 1024;

/// One encoding of a page, with the headers it is sent with.
struct Variant {
    headers: HeaderMap,
    body: Bytes,
}

/// The request histogram's series and the hit counter of a page, resolved when it was
/// stored, so a hit served by the fast lane records them without building label sets.
struct Timing {
    ok: metrics::Histogram,
    not_modified: metrics::Histogram,
    hits: metrics::Counter,
}

impl Timing {
    fn new(route: &str, site: &'static str) -> Timing {
        let histogram = |status: &'static str| {
            metrics::histogram!(
                "garasi_http_request_duration_seconds",
                "route" => route.to_owned(),
                "status" => status,
                "site" => site,
            )
        };
        Timing {
            ok: histogram("2xx"),
            not_modified: histogram("3xx"),
            hits: metrics::counter!("garasi_page_cache_requests_total", "result" => "hit"),
        }
    }
}

struct Entry {
    tenant: Uuid,
    /// The uncompressed page, kept only when no compressed form could be made: it is
    /// otherwise unpacked from the gzip form for the rare client that accepts neither.
    identity: Option<Bytes>,
    /// Headers of an uncompressed answer.
    identity_headers: HeaderMap,
    br: Option<Variant>,
    gzip: Option<Variant>,
    /// Headers of the 304 answer.
    not_modified: HeaderMap,
    etag: HeaderValue,
    stored: Instant,
    timing: Option<Timing>,
    /// What an answer of this page counts as (insights), from the handler's mark.
    insight: Option<crate::insights::PageInsight>,
}

impl Entry {
    /// Builds the ready-to-send header sets of every encoding, so a hit only clones them.
    /// `extra` are headers the layers outside the cache would add (the security headers),
    /// for the fast lane, which answers without them.
    fn new(
        tenant: Uuid,
        response: &HeaderMap,
        extra: &[(HeaderName, HeaderValue)],
        body: Bytes,
        br: Option<Bytes>,
        gzip: Option<Bytes>,
    ) -> Entry {
        let etag = etag_for(&body);
        let mut base = HeaderMap::with_capacity(response.len() + extra.len() + 4);
        for (name, value) in response {
            if *name != header::CONTENT_LENGTH && *name != header::ETAG {
                base.append(name.clone(), value.clone());
            }
        }
        for (name, value) in extra {
            if !base.contains_key(name) {
                base.insert(name.clone(), value.clone());
            }
        }
        base.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        base.insert(header::ETAG, etag.clone());
        let variant = |body: Bytes, encoding: &'static str| {
            let mut headers = base.clone();
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            Variant { headers, body }
        };
        let mut not_modified = base.clone();
        not_modified.remove(header::CONTENT_TYPE);
        let gzip = gzip.map(|b| variant(b, "gzip"));
        Entry {
            tenant,
            br: br.map(|b| variant(b, "br")),
            identity: if gzip.is_some() { None } else { Some(body) },
            gzip,
            identity_headers: base,
            not_modified,
            etag,
            stored: Instant::now(),
            timing: None,
            insight: None,
        }
    }

    /// Bytes held, for the memory budget.
    fn size(&self) -> usize {
        ENTRY_OVERHEAD
            + self.identity.as_ref().map_or(0, |b| b.len())
            + self.br.as_ref().map_or(0, |v| v.body.len())
            + self.gzip.as_ref().map_or(0, |v| v.body.len())
    }

    /// The uncompressed page: kept, or unpacked from gzip.
    fn identity_body(&self) -> Option<Bytes> {
        if let Some(body) = &self.identity {
            return Some(body.clone());
        }
        let gzip = self.gzip.as_ref()?;
        let mut out = Vec::with_capacity(gzip.body.len() * 6);
        flate2::read::GzDecoder::new(&gzip.body[..]).take(MAX_BODY as u64).read_to_end(&mut out).ok()?;
        Some(out.into())
    }

    /// The answer to a request for this page: 304, or the best encoding it accepts.
    fn respond(&self, request: &HeaderMap) -> Response {
        if request.contains_key(header::IF_NONE_MATCH) && etag_matches(request, self.etag.to_str().unwrap_or_default())
        {
            let mut resp = StatusCode::NOT_MODIFIED.into_response();
            *resp.headers_mut() = self.not_modified.clone();
            return resp;
        }
        let variant = match preferred_encoding(request) {
            Some(Encoding::Br) => self.br.as_ref().or(self.gzip.as_ref()),
            Some(Encoding::Gzip) => self.gzip.as_ref(),
            None => None,
        };
        if let Some(v) = variant {
            let mut resp = Response::new(Body::from(v.body.clone()));
            *resp.headers_mut() = v.headers.clone();
            return resp;
        }
        match self.identity_body() {
            Some(body) => {
                let mut resp = Response::new(Body::from(body));
                *resp.headers_mut() = self.identity_headers.clone();
                resp
            }
            None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

/// What an entry costs the budget: its bodies, its bookkeeping and its key.
fn cost(key: &str, entry: &Entry) -> usize {
    key.len() + entry.size()
}

#[derive(Default)]
struct Shard {
    entries: HashMap<String, Arc<Entry>>,
}

struct Inner {
    shards: Vec<RwLock<Shard>>,
    hasher: RandomState,
    /// Sum of [`Entry::size`] over every shard, and the number of entries.
    bytes: AtomicUsize,
    count: AtomicUsize,
    /// Bumped when a tenant's entries are dropped; a render stores only if unchanged.
    generations: Mutex<HashMap<Uuid, u64>>,
    /// Bumped when everything is dropped.
    epoch: AtomicU64,
    /// One eviction at a time.
    evicting: Mutex<()>,
    ttl: Duration,
    max_bytes: usize,
    max_entries: usize,
    /// The security headers the outer layers add, stored with each page for the fast lane.
    extra_headers: Vec<(HeaderName, HeaderValue)>,
}

#[derive(Clone)]
pub struct PageCache {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Generation(u64, u64);

impl PageCache {
    #[cfg(test)]
    pub fn new(ttl: Duration, max_bytes: usize, max_entries: usize) -> PageCache {
        PageCache::with_headers(ttl, max_bytes, max_entries, Vec::new())
    }

    fn with_headers(
        ttl: Duration,
        max_bytes: usize,
        max_entries: usize,
        extra_headers: Vec<(HeaderName, HeaderValue)>,
    ) -> PageCache {
        PageCache {
            inner: Arc::new(Inner {
                shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
                hasher: RandomState::new(),
                bytes: AtomicUsize::new(0),
                count: AtomicUsize::new(0),
                generations: Mutex::default(),
                epoch: AtomicU64::new(0),
                evicting: Mutex::default(),
                ttl,
                max_bytes,
                max_entries,
                extra_headers,
            }),
        }
    }

    /// A cache within `max_bytes` (`GARASI_PAGE_CACHE_MAX_BYTES`; 0 keeps nothing) that
    /// forgets a tenant's pages whenever its stock or its record changes.
    pub fn listening(events: &Events, max_bytes: usize, https: bool) -> PageCache {
        let cache = PageCache::with_headers(TTL, max_bytes, MAX_ENTRIES, crate::headers::security_headers(https));
        events.forget_on_change(Arc::downgrade(&cache.inner), |inner, forget| {
            let cache = PageCache { inner };
            match forget {
                Forget::Tenant(tenant) => cache.forget_tenant(tenant),
                Forget::All => cache.clear(),
            }
        });
        cache
    }

    /// Bytes and entries held now (for the `/metrics` gauges).
    pub fn usage(&self) -> (usize, usize) {
        (self.inner.bytes.load(Ordering::Relaxed), self.inner.count.load(Ordering::Relaxed))
    }

    fn shard(&self, key: &str) -> &RwLock<Shard> {
        let i = self.inner.hasher.hash_one(key) as usize % SHARDS;
        &self.inner.shards[i]
    }

    fn generation(&self, tenant: Uuid) -> Generation {
        let gens = self.inner.generations.lock().unwrap_or_else(|p| p.into_inner());
        Generation(self.inner.epoch.load(Ordering::SeqCst), gens.get(&tenant).copied().unwrap_or(0))
    }

    /// Removes the entries `drop` picks from every shard, keeping the totals right.
    fn remove_where(&self, mut drop: impl FnMut(&Entry) -> bool) {
        for shard in &self.inner.shards {
            let mut shard = shard.write().unwrap_or_else(|p| p.into_inner());
            let (mut freed, mut n) = (0, 0);
            shard.entries.retain(|k, e| {
                let gone = drop(e);
                if gone {
                    freed += cost(k, e);
                    n += 1;
                }
                !gone
            });
            self.inner.bytes.fetch_sub(freed, Ordering::Relaxed);
            self.inner.count.fetch_sub(n, Ordering::Relaxed);
        }
    }

    pub fn forget_tenant(&self, tenant: Uuid) {
        {
            let mut gens = self.inner.generations.lock().unwrap_or_else(|p| p.into_inner());
            *gens.entry(tenant).or_default() += 1;
        }
        self.remove_where(|e| e.tenant == tenant);
    }

    pub fn clear(&self) {
        self.inner.epoch.fetch_add(1, Ordering::SeqCst);
        self.remove_where(|_| true);
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let shard = self.shard(key).read().unwrap_or_else(|p| p.into_inner());
        shard.entries.get(key).filter(|e| e.stored.elapsed() < self.inner.ttl).cloned()
    }

    fn put(&self, key: String, entry: Arc<Entry>, at: Generation) {
        let len = cost(&key, &entry);
        if len > self.inner.max_bytes {
            return;
        }
        {
            let mut shard = self.shard(&key).write().unwrap_or_else(|p| p.into_inner());
            // Checked under the shard's lock: an invalidation either ran before (and bumped
            // the generation) or runs after (and removes this entry from this shard).
            if self.generation(entry.tenant) != at {
                return;
            }
            let old_cost = len - entry.size();
            match shard.entries.insert(key, entry) {
                Some(old) => {
                    self.inner.bytes.fetch_sub(old_cost + old.size(), Ordering::Relaxed);
                }
                None => {
                    self.inner.count.fetch_add(1, Ordering::Relaxed);
                }
            }
            self.inner.bytes.fetch_add(len, Ordering::Relaxed);
        }
        let (bytes, count) = self.usage();
        if bytes > self.inner.max_bytes || count > self.inner.max_entries {
            self.evict(self.inner.max_bytes / 4 * 3, self.inner.max_entries / 4 * 3);
        }
    }

    /// Drops expired entries, then the oldest, until the cache is within both budgets.
    fn evict(&self, max_bytes: usize, max_entries: usize) {
        let Ok(_one) = self.inner.evicting.try_lock() else { return };
        let ttl = self.inner.ttl;
        self.remove_where(|e| e.stored.elapsed() >= ttl);
        let (bytes, count) = self.usage();
        if bytes <= max_bytes && count <= max_entries {
            return;
        }
        let mut by_age: Vec<(Instant, usize, String)> = Vec::with_capacity(count);
        for (i, shard) in self.inner.shards.iter().enumerate() {
            let shard = shard.read().unwrap_or_else(|p| p.into_inner());
            by_age.extend(shard.entries.iter().map(|(k, e)| (e.stored, i, k.clone())));
        }
        by_age.sort_unstable();
        for (_, i, key) in by_age {
            let (bytes, count) = self.usage();
            if bytes <= max_bytes && count <= max_entries {
                break;
            }
            let mut shard = self.inner.shards[i].write().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = shard.entries.remove(&key) {
                self.inner.bytes.fetch_sub(cost(&key, &e), Ordering::Relaxed);
                self.inner.count.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.shards.iter().map(|s| s.read().unwrap().entries.len()).sum()
    }

    /// The fast lane's lookup: the cached page an anonymous GET asks for, if it is here
    /// and was stored with its metric series (else the request takes the full path).
    pub(crate) fn lookup(&self, tenant: Uuid, request: &http::request::Parts) -> Option<Hit> {
        let h = &request.headers;
        if request.method != Method::GET || !is_anonymous(h) {
            return None;
        }
        let host = h.get(header::HOST)?.to_str().ok()?;
        let fragment = h.contains_key("hx-request") && !h.contains_key("hx-history-restore-request");
        let entry = with_key(tenant, host, fragment, &cache_path(&request.uri), |key| self.get(key))?;
        entry.timing.is_some().then_some(Hit(entry))
    }
}

/// A page the fast lane found.
pub(crate) struct Hit(Arc<Entry>);

impl Hit {
    /// What answering this page counts as.
    pub(crate) fn insight(&self) -> Option<&crate::insights::PageInsight> {
        self.0.insight.as_ref()
    }

    /// The answer, recording the hit and the request series (`started`: when it arrived).
    pub(crate) fn respond(&self, request: &HeaderMap, started: Instant) -> Response {
        let resp = self.0.respond(request);
        if let Some(timing) = &self.0.timing {
            timing.hits.increment(1);
            let histogram = if resp.status() == StatusCode::NOT_MODIFIED { &timing.not_modified } else { &timing.ok };
            histogram.record(started.elapsed().as_secs_f64());
        }
        resp
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Br,
    Gzip,
}

/// The encoding to answer with: Brotli, else gzip, else none (`q=0` refuses one). Reads
/// the header in place: this runs on every cache hit.
pub(crate) fn preferred_encoding(headers: &HeaderMap) -> Option<Encoding> {
    let (mut br, mut gzip) = (false, false);
    for value in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            if name.eq_ignore_ascii_case("br") {
                br = true;
            } else if name.eq_ignore_ascii_case("gzip") {
                gzip = true;
            } else if name == "*" {
                (br, gzip) = (true, true);
            }
        }
    }
    if br {
        Some(Encoding::Br)
    } else if gzip {
        Some(Encoding::Gzip)
    } else {
        None
    }
}

/// Compresses a page once, with the same encoders (and levels) as `CompressionLayer`.
pub(crate) async fn encode(body: &Bytes, content_type: Option<HeaderValue>, encoding: &'static str) -> Option<Bytes> {
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

thread_local! {
    /// The key of the page being looked up: built in place, not allocated per request.
    static KEY: RefCell<String> = RefCell::new(String::with_capacity(256));
}

/// Runs `f` with the key `tenant|host|f|/path?query` (`x` for htmx fragments).
fn with_key<T>(tenant: Uuid, host: &str, fragment: bool, path: &str, f: impl FnOnce(&str) -> T) -> T {
    KEY.with(|cell| match cell.try_borrow_mut() {
        Ok(mut key) => {
            write_key(&mut key, tenant, host, fragment, path);
            f(&key)
        }
        Err(_) => f(&cache_key(tenant, host, fragment, path)),
    })
}

fn write_key(key: &mut String, tenant: Uuid, host: &str, fragment: bool, path: &str) {
    key.clear();
    let mut uuid = Uuid::encode_buffer();
    key.push_str(tenant.as_hyphenated().encode_lower(&mut uuid));
    key.push('|');
    key.extend(host.chars().map(|c| c.to_ascii_lowercase()));
    key.push_str(if fragment { "|x|" } else { "|f|" });
    key.push_str(path);
}

fn cache_key(tenant: Uuid, host: &str, fragment: bool, path: &str) -> String {
    let mut key = String::with_capacity(40 + host.len() + path.len());
    write_key(&mut key, tenant, host, fragment, path);
    key
}

/// Serves cached pages and stores cacheable ones. Layered on the public site's routes;
/// most hits are answered earlier, by the fast lane (`crate::fast_lane`), from the same cache.
pub async fn middleware(State(state): State<crate::state::AppState>, req: Request, next: Next) -> Response {
    let cache = &state.page_cache;
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
        if let Some(insight) = &entry.insight {
            crate::insights::count(&state, tenant, req.uri(), req.headers(), insight);
        }
        return entry.respond(req.headers());
    }
    // Counted before knowing whether the page is cacheable: a miss is a rendered page.
    metrics::counter!("garasi_page_cache_requests_total", "result" => "miss").increment(1);
    let request_headers = req.headers().clone();
    let uri = req.uri().clone();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let at = cache.generation(tenant);
    let resp = next.run(req).await;
    let insight = resp.extensions().get::<crate::insights::PageInsight>().cloned();
    if let Some(insight) = &insight {
        crate::insights::count(&state, tenant, &uri, &request_headers, insight);
    }
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
    let mut entry = Entry::new(tenant, &parts.headers, &cache.inner.extra_headers, body, br, gzip);
    // Only a page whose route is known is served by the fast lane (it records the same
    // request series the router's layers would).
    entry.timing = route.map(|r| Timing::new(&r, "public"));
    entry.insight = insight;
    let entry = Arc::new(entry);
    cache.put(key, entry.clone(), at);
    entry.respond(&request_headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tenant: Uuid, size: usize) -> Arc<Entry> {
        Arc::new(Entry::new(tenant, &HeaderMap::new(), &[], Bytes::from(vec![b'x'; size]), None, None))
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

    fn held(cache: &PageCache) -> usize {
        cache
            .inner
            .shards
            .iter()
            .flat_map(|s| s.read().unwrap().entries.iter().map(|(k, e)| cost(k, e)).collect::<Vec<_>>())
            .sum()
    }

    #[test]
    fn stays_within_the_entry_budget() {
        let cache = PageCache::new(Duration::from_secs(60), 1 << 20, 5);
        let t = Uuid::now_v7();
        for i in 0..20 {
            cache.put(format!("k{i}"), entry(t, 100), cache.generation(t));
        }
        assert!(cache.len() <= 5);
        assert!(cache.get("k19").is_some(), "the newest entry stays");
        assert_eq!(cache.usage(), (held(&cache), cache.len()));
    }

    #[test]
    fn the_byte_budget_evicts_the_oldest_pages() {
        // Room for about ten pages of 4 kB with their bookkeeping.
        let budget = 10 * (4096 + ENTRY_OVERHEAD + 8);
        let cache = PageCache::new(Duration::from_secs(60), budget, 10_000);
        let t = Uuid::now_v7();
        for i in 0..100 {
            cache.put(format!("p{i:02}"), entry(t, 4096), cache.generation(t));
            assert!(cache.usage().0 <= budget, "over the budget after page {i}");
        }
        assert!(cache.len() >= 5 && cache.len() <= 10, "{} pages kept", cache.len());
        assert!(cache.get("p99").is_some(), "the newest page stays");
        assert!(cache.get("p00").is_none(), "the oldest page went");
        assert_eq!(cache.usage(), (held(&cache), cache.len()));
        // A page larger than the whole budget is not kept at all.
        cache.put("huge".into(), entry(t, budget), cache.generation(t));
        assert!(cache.get("huge").is_none());
        // Invalidation gives the bytes back.
        cache.forget_tenant(t);
        assert_eq!(cache.usage(), (0, 0));
    }

    #[test]
    fn compressed_pages_keep_no_identity_copy_and_unpack_it_on_demand() {
        let body = Bytes::from("<p>halo dunia</p>".repeat(500));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &body).unwrap();
        let gz = Bytes::from(gz.finish().unwrap());
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        let extra = [(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY"))];
        let e = Entry::new(Uuid::nil(), &headers, &extra, body.clone(), None, Some(gz.clone()));
        assert!(e.identity.is_none() && e.size() < body.len() / 4, "only the compressed copy is held");
        let ask = |accept: Option<&'static str>| {
            let mut h = HeaderMap::new();
            if let Some(a) = accept {
                h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(a));
            }
            e.respond(&h)
        };
        for (accept, encoding) in [(Some("gzip"), Some("gzip")), (Some("br, gzip"), Some("gzip")), (None, None)] {
            let resp = ask(accept);
            let h = resp.headers();
            assert_eq!(h.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), encoding, "{accept:?}");
            assert_eq!(h[header::VARY], "accept-encoding");
            assert_eq!(h["x-frame-options"], "DENY");
            assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
            assert!(h.contains_key(header::ETAG));
        }
        let plain = ask(Some("identity")).into_body();
        let plain = futures_util::FutureExt::now_or_never(axum::body::to_bytes(plain, MAX_BODY)).unwrap().unwrap();
        assert_eq!(plain, body, "unpacked from gzip");
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
        assert_eq!(preferred_encoding(&h("gzip, deflate, br, zstd")), Some(Encoding::Br));
        assert_eq!(preferred_encoding(&h("gzip")), Some(Encoding::Gzip));
        assert_eq!(preferred_encoding(&h("GZip;q=0.8")), Some(Encoding::Gzip));
        assert_eq!(preferred_encoding(&h("br;q=0, gzip;q=0.5")), Some(Encoding::Gzip));
        assert_eq!(preferred_encoding(&h("br;q=0, gzip;q=0")), None);
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
        let cache = PageCache::new(Duration::from_millis(0), 1 << 20, 5);
        let t = Uuid::now_v7();
        cache.put("k".into(), entry(t, 1), cache.generation(t));
        assert_eq!(cache.len(), 1, "stored");
        assert!(cache.get("k").is_none());
    }
}
