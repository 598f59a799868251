//! Serves car photo files, only on the owning showroom's host. Photos of cars
//! that are not public (drafts, hidden) are served only to logged-in staff.
//!
//! Public photos are cached for minutes, not a year: when a car is unpublished its photos
//! must stop showing within [`PUBLIC_MAX_AGE`], in browsers and in any CDN. Their ETag
//! never changes (a photo id's bytes never do), so a revalidation is a cheap 304 that
//! still passes the visibility check first.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use garasi_media::{BlobKey, PhotoKey};
use http::{HeaderValue, StatusCode, header};

use crate::api::parse_id;
use crate::auth::TenantAuth;
use crate::auth::extract::SiteTenant;
use crate::error::AppError;
use crate::state::AppState;

/// How long browsers and shared caches may reuse a public photo without asking.
const PUBLIC_CACHE: &str = "public, max-age=300, must-revalidate";

pub async fn car_photo(
    State(state): State<AppState>,
    SiteTenant(tenant): SiteTenant,
    Path((car_id, photo_id, file)): Path<(String, String, String)>,
    mut parts: Parts,
) -> Result<Response, AppError> {
    let car_id = parse_id(&car_id)?;
    let photo_id = parse_id(&photo_id)?;
    // Only names we produce: "../", encoded dots and the like are simply not found.
    let variant = BlobKey::parse_variant(&file).map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.tenant(tenant.id).begin().await?;
    let car = tx.cars().get(car_id).await?.ok_or(AppError::NotFound)?;
    tx.cars().photo_storage_key(car_id, photo_id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let public = car.fields.status.is_public();
    if !public {
        // Unpublished stock is staff business; to everyone else it does not exist.
        TenantAuth::from_request_parts(&mut parts, &state).await.map_err(|_| AppError::NotFound)?;
    }
    let etag = format!("\"{photo_id}-{}\"", variant.name());
    let cache = HeaderValue::from_static(if public { PUBLIC_CACHE } else { "private, no-store" });
    if public && crate::assets::etag_matches(&parts.headers, &etag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::CACHE_CONTROL, cache);
        if let Ok(v) = HeaderValue::from_str(&etag) {
            resp.headers_mut().insert(header::ETAG, v);
        }
        return Ok(resp);
    }
    let blob = state.media.get(&PhotoKey::new(tenant.id.0, car_id, photo_id).variant(variant)).await?;
    let bytes = blob.into_bytes().await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(variant.content_type()));
    h.insert(header::CACHE_CONTROL, cache);
    let name = format!("inline; filename=\"mobil-{}-{}.{}\"", car.stock_no, variant.name(), variant.extension());
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(resp)
}
