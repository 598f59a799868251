//! A showroom's marketplace feeds at `/feed/{token}/meta.csv` (Meta automotive catalog),
//! `/feed/{token}/google.xml` (Google Merchant Center vehicle feed) and
//! `/feed/{token}/mobil.json`, on the showroom's own host. The token is the showroom's
//! secret (`service::feeds`); a wrong or rotated one is 404.
//!
//! Only cars on sale (available or booked) are listed, with absolute URLs on the primary
//! domain and nothing staff-only (they are built from `PublicCar`). A built feed is kept
//! per (showroom, kind) with its Brotli and gzip forms and a strong ETag per encoding,
//! answered with 304 on `If-None-Match`; it is rebuilt after the showroom's stock or
//! record changes (`Event::InventoryChanged`/`TenantChanged`, from any instance), with a
//! TTL as backstop for changes that publish no event.

pub mod build;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garasi_domain::TenantSettings;
use garasi_domain::car::{CarFilter, CarSort};
use garasi_store::platform::Tenant;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use self::build::{Dealer, FeedCar};
use crate::assets::etag_matches;
use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::events::{Events, Forget};
use crate::page_cache::{Encoding, encode, preferred_encoding};
use crate::state::AppState;

/// How long a built feed is served without an invalidation event.
const TTL: Duration = Duration::from_secs(600);

/// Most cars one feed lists.
const MAX_CARS: i64 = 5000;

/// The three documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Meta,
    Google,
    Json,
}

impl Kind {
    /// The file name in the URL.
    pub fn file(self) -> &'static str {
        match self {
            Kind::Meta => "meta.csv",
            Kind::Google => "google.xml",
            Kind::Json => "mobil.json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Kind::Meta => "text/csv; charset=utf-8",
            Kind::Google => "application/xml; charset=utf-8",
            Kind::Json => "application/json",
        }
    }
}

/// The URL of one feed of a showroom whose public origin is `base_url`.
pub fn feed_url(base_url: &str, token: &str, kind: Kind) -> String {
    format!("{base_url}/feed/{token}/{}", kind.file())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feed/{token}/meta.csv", get(meta))
        .route("/feed/{token}/google.xml", get(google))
        .route("/feed/{token}/mobil.json", get(json))
}

/// A built feed in every encoding, each with its own strong ETag.
pub(crate) struct Built {
    identity: Bytes,
    gzip: Option<Bytes>,
    br: Option<Bytes>,
    hash: String,
    content_type: &'static str,
    stored: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<(Uuid, Kind), Arc<Built>>,
    /// Bumped on every invalidation of a tenant: a build that started before is not kept.
    generations: HashMap<Uuid, u64>,
}

/// The built feeds of this instance.
#[derive(Clone, Default)]
pub struct FeedCache {
    inner: Arc<Mutex<Inner>>,
}

impl FeedCache {
    /// A cache that forgets a tenant's feeds whenever its stock or record changes.
    pub fn listening(events: &Events) -> FeedCache {
        let cache = FeedCache::default();
        events.forget_on_change(Arc::downgrade(&cache.inner), |inner, forget| {
            let cache = FeedCache { inner };
            match forget {
                Forget::Tenant(tenant) => cache.forget_tenant(tenant),
                Forget::All => cache.clear(),
            }
        });
        cache
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn forget_tenant(&self, tenant: Uuid) {
        let mut inner = self.lock();
        inner.entries.retain(|(t, _), _| *t != tenant);
        *inner.generations.entry(tenant).or_default() += 1;
    }

    fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        for g in inner.generations.values_mut() {
            *g += 1;
        }
    }

    fn get(&self, tenant: Uuid, kind: Kind) -> Option<Arc<Built>> {
        let inner = self.lock();
        inner.entries.get(&(tenant, kind)).filter(|b| b.stored.elapsed() < TTL).cloned()
    }

    fn generation(&self, tenant: Uuid) -> u64 {
        self.lock().generations.get(&tenant).copied().unwrap_or(0)
    }

    fn put(&self, tenant: Uuid, kind: Kind, generation: u64, built: Arc<Built>) {
        let mut inner = self.lock();
        if inner.generations.get(&tenant).copied().unwrap_or(0) == generation {
            inner.entries.insert((tenant, kind), built);
        }
    }
}

#[utoipa::path(get, path = "/feed/{token}/meta.csv", tag = "feeds",
    summary = "Feed katalog otomotif Meta (CSV)",
    description = "Mobil yang dijual (tersedia atau dipesan) dengan foto dan warna, dalam kolom katalog kendaraan \
                   Meta. Tanpa login: token di URL adalah kuncinya (Pengaturan → Feed marketplace). ETag kuat; \
                   If-None-Match dijawab 304.",
    params(("token" = String, Path, description = "Token feed showroom")),
    security(()),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 304, description = "Tidak berubah sejak ETag yang dikirim"),
        (status = 404, description = "Token salah atau sudah diganti")))]
pub(crate) async fn meta(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    serve(&state, tenant, &token, &headers, Kind::Meta).await
}

#[utoipa::path(get, path = "/feed/{token}/google.xml", tag = "feeds",
    summary = "Feed kendaraan Google Merchant Center (XML)",
    description = "RSS 2.0 dengan namespace g: untuk iklan kendaraan Google: mobil yang dijual dengan foto dan \
                   nomor rangka (VIN) yang ditampilkan. ETag kuat; If-None-Match dijawab 304.",
    params(("token" = String, Path, description = "Token feed showroom")),
    security(()),
    responses((status = 200, description = "XML", content_type = "application/xml", body = String),
        (status = 304, description = "Tidak berubah sejak ETag yang dikirim"),
        (status = 404, description = "Token salah atau sudah diganti")))]
pub(crate) async fn google(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    serve(&state, tenant, &token, &headers, Kind::Google).await
}

#[utoipa::path(get, path = "/feed/{token}/mobil.json", tag = "feeds",
    summary = "Feed JSON stok mobil",
    description = "Semua mobil yang dijual, hanya kolom publik. ETag kuat; If-None-Match dijawab 304.",
    params(("token" = String, Path, description = "Token feed showroom")),
    security(()),
    responses((status = 200, description = "JSON", content_type = "application/json", body = Object),
        (status = 304, description = "Tidak berubah sejak ETag yang dikirim"),
        (status = 404, description = "Token salah atau sudah diganti")))]
pub(crate) async fn json(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    serve(&state, tenant, &token, &headers, Kind::Json).await
}

async fn serve(
    state: &AppState,
    tenant: Arc<Tenant>,
    token: &str,
    headers: &HeaderMap,
    kind: Kind,
) -> Result<Response, AppError> {
    if !garasi_service::feeds::token_matches(&state.db.tenant(tenant.id), token).await? {
        return Err(AppError::NotFound);
    }
    let cache = &state.feed_cache;
    let built = match cache.get(tenant.id.0, kind) {
        Some(b) => b,
        None => {
            let generation = cache.generation(tenant.id.0);
            let built = Arc::new(build_feed(state, &tenant, kind).await?);
            cache.put(tenant.id.0, kind, generation, built.clone());
            built
        }
    };
    Ok(respond(&built, headers))
}

/// Loads the showroom's cars on sale and writes the document.
async fn build_feed(state: &AppState, tenant: &Tenant, kind: Kind) -> Result<Built, AppError> {
    let mut tx = state.db.tenant(tenant.id).begin().await?;
    let settings = TenantSettings::from_json(&tx.settings().get().await?);
    let (cars, _) = tx.cars().list(&CarFilter::for_sale(), CarSort::Newest, MAX_CARS, 0).await?;
    tx.commit().await?;
    let profile = &settings.profile;
    let phone = if profile.phone.is_empty() {
        tenant.whatsapp_number.clone().unwrap_or_default()
    } else {
        profile.phone.clone()
    };
    let dealer = Dealer {
        name: tenant.name.clone(),
        base_url: state.config.tenant_url(tenant),
        address: profile.address.clone(),
        city: profile.city.clone(),
        province: profile.province.clone(),
        phone,
        store_code: if profile.google_store_code.is_empty() {
            tenant.slug.clone()
        } else {
            profile.google_store_code.clone()
        },
    };
    let items: Vec<FeedCar> = cars
        .iter()
        .filter_map(|c| {
            let vin = c.fields.vin.as_ref().filter(|_| profile.show_vin).map(|v| v.as_str().to_owned());
            c.public().map(|car| FeedCar { car, vin })
        })
        .collect();
    let body = match kind {
        Kind::Meta => build::meta_csv(&dealer, &items),
        Kind::Google => build::google_xml(&dealer, &items),
        Kind::Json => build::json_feed(&dealer, &items),
    };
    let identity = Bytes::from(body);
    let ct = HeaderValue::from_static(kind.content_type());
    let gzip = encode(&identity, Some(ct.clone()), "gzip").await;
    let br = encode(&identity, Some(ct), "br").await;
    let digest = Sha256::digest(&identity);
    let hash: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Ok(Built { identity, gzip, br, hash, content_type: kind.content_type(), stored: Instant::now() })
}

/// The feed in the encoding the client takes, or 304 when its ETag matches.
fn respond(built: &Built, headers: &HeaderMap) -> Response {
    let (body, encoding, suffix) = match preferred_encoding(headers) {
        Some(Encoding::Br) if built.br.is_some() => (built.br.clone(), Some("br"), "-br"),
        Some(Encoding::Br | Encoding::Gzip) if built.gzip.is_some() => (built.gzip.clone(), Some("gzip"), "-gzip"),
        _ => (None, None, ""),
    };
    let etag = format!("\"{}{suffix}\"", built.hash);
    let mut resp = if etag_matches(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Body::from(body.unwrap_or_else(|| built.identity.clone())).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(built.content_type));
        if let Some(enc) = encoding {
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
        }
        r
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Fetchers revalidate with the ETag; search engines keep secret URLs out of their index.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    resp
}
