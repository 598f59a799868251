//! Car photos: multipart upload through the photo pipeline, reordering, deletion.
//!
//! Order of work for an upload: stream each part to a staged `.part` file with a
//! byte limit → check and re-encode it (off the async runtime) → write every size
//! atomically to the blob store → only then insert the rows. A failure at any step
//! removes what that step's predecessors wrote, so no half photo is ever visible.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, put};
use garasi_media::{MediaError, PhotoKey, ProcessOptions, StoredPhoto, process, store_photo};
use garasi_store::tenant::NewPhoto;
use uuid::Uuid;

use super::cars::CarId;
use super::dto::ApiError;
use super::dto::cars::{Car, CarWithUploads, PhotoOrder, PhotoUpload};
use super::{ApiJson, parse_id};
use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::AppState;
use crate::views::staff_car_json;

/// Photos per request: enough for a whole car, small enough to bound one request.
pub const MAX_FILES_PER_UPLOAD: usize = 12;

pub fn routes() -> Router<AppState> {
    let max_body = ProcessOptions::default().max_input_bytes as usize * MAX_FILES_PER_UPLOAD + 64 * 1024;
    Router::new()
        .route("/api/cars/{id}/photos", post(upload).layer(DefaultBodyLimit::max(max_body)))
        .route("/api/cars/{id}/photos/order", put(reorder))
        .route("/api/cars/{id}/photos/{photo_id}", delete(remove))
}

impl From<MediaError> for AppError {
    fn from(e: MediaError) -> AppError {
        match e.status_code() {
            404 => AppError::NotFound,
            413 => AppError::PayloadTooLarge(e.to_string()),
            415 | 422 => AppError::field("files", e.to_string()),
            400 => AppError::bad_request(e.to_string()),
            _ => AppError::Internal(anyhow::Error::new(e)),
        }
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge("Ukuran unggahan terlalu besar.".into())
    } else {
        AppError::bad_request("Unggahan tidak dapat dibaca. Kirim sebagai multipart/form-data dengan bagian \"files\".")
    }
}

#[utoipa::path(post, path = "/api/cars/{id}/photos", tag = "photos",
    summary = "Unggah foto (multipart, bagian `files`, JPEG/PNG/WebP, maks. 15 MB per foto)",
    params(CarId), request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Mobil beserta fotonya", body = CarWithUploads),
        (status = 413, description = "Terlalu besar.", body = ApiError),
        (status = 422, description = "Bukan foto yang didukung.", body = ApiError)))]
async fn upload(
    State(state): State<AppState>,
    auth: TenantAuth,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let car_id = parse_id(&id)?;
    let tdb = state.db.tenant(auth.tenant.id);
    {
        let mut tx = tdb.begin().await?;
        tx.cars().get(car_id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
    }
    let options = ProcessOptions::default();
    let mut stored: Vec<StoredPhoto> = Vec::new();
    let result = async {
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
            if field.name() != Some("files") {
                return Err(AppError::field("files", "Kirim foto pada bagian bernama \"files\"."));
            }
            if stored.len() >= MAX_FILES_PER_UPLOAD {
                return Err(AppError::field("files", format!("Maksimal {MAX_FILES_PER_UPLOAD} foto sekali unggah.")));
            }
            // The client's file name is never used: paths are built from ids only.
            let mut staged = state.staging.begin(options.max_input_bytes).await?;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                staged.write_chunk(&chunk).await?;
            }
            let staged = staged.finish().await?;
            let processed = process(staged.path(), &options).await?;
            drop(staged);
            let key = PhotoKey::new(auth.tenant.id.0, car_id, Uuid::now_v7());
            stored.push(store_photo(state.media.as_ref(), key, processed).await?);
        }
        if stored.is_empty() {
            return Err(AppError::field("files", "Pilih minimal satu foto."));
        }
        let mut tx = tdb.begin_write().await?;
        for photo in &stored {
            let new = NewPhoto {
                id: photo.photo.photo_id,
                storage_key: photo.photo.prefix().path(),
                width: i64::from(photo.width),
                height: i64::from(photo.height),
                bytes: photo.variants.iter().map(|v| v.size as i64).sum(),
            };
            tx.cars().add_photo(car_id, &new).await?;
        }
        let car = tx.cars().get(car_id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(car)
    }
    .await;
    match result {
        Ok(car) => {
            state.inventory_changed(auth.tenant.id).await;
            let body = CarWithUploads {
                car: staff_car_json(&state.config.tenant_url(&auth.tenant), &car),
                uploaded: stored.iter().map(|p| p.photo.photo_id).collect(),
            };
            Ok((StatusCode::CREATED, axum::Json(body)).into_response())
        }
        Err(e) => {
            // Nothing points at these files: remove them so a failed request leaves no trace.
            for photo in &stored {
                if let Err(cleanup) = state.media.delete_prefix(&photo.photo.prefix()).await {
                    tracing::warn!(error = %cleanup, "could not remove photo files after a failed upload");
                }
            }
            Err(e)
        }
    }
}

#[utoipa::path(put, path = "/api/cars/{id}/photos/order", tag = "photos",
    summary = "Atur urutan foto (foto pertama jadi sampul)", params(CarId), request_body = PhotoOrder,
    responses((status = 200, description = "Mobil", body = Car),
        (status = 422, description = "Urutan tidak lengkap.", body = ApiError)))]
async fn reorder(
    State(state): State<AppState>,
    auth: TenantAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PhotoOrder>,
) -> Result<Response, AppError> {
    let car_id = parse_id(&id)?;
    let order: Vec<Uuid> = body
        .order
        .iter()
        .map(|s| Uuid::parse_str(s))
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::field("order", "Urutan berisi id foto yang tidak valid."))?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    tx.cars().get(car_id).await?.ok_or(AppError::NotFound)?;
    if !tx.cars().reorder_photos(car_id, &order).await? {
        return Err(AppError::field("order", "Urutan harus memuat setiap foto mobil ini tepat satu kali."));
    }
    let car = tx.cars().get(car_id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    state.inventory_changed(auth.tenant.id).await;
    Ok(axum::Json(staff_car_json(&state.config.tenant_url(&auth.tenant), &car)).into_response())
}

#[utoipa::path(delete, path = "/api/cars/{id}/photos/{photo_id}", tag = "photos", summary = "Hapus foto",
    params(CarId, ("photo_id" = uuid::Uuid, Path)), responses((status = 204, description = "Dihapus")))]
async fn remove(
    State(state): State<AppState>,
    auth: TenantAuth,
    Path((id, photo_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let car_id = parse_id(&id)?;
    let photo_id = parse_id(&photo_id)?;
    let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
    tx.cars().get(car_id).await?.ok_or(AppError::NotFound)?;
    tx.cars().delete_photo(car_id, photo_id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    // Files go after the row: a crash in between leaves only unreferenced files.
    let key = PhotoKey::new(auth.tenant.id.0, car_id, photo_id);
    if let Err(e) = state.media.delete_prefix(&key.prefix()).await {
        tracing::warn!(error = %e, "photo row deleted but its files remain");
    }
    state.inventory_changed(auth.tenant.id).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}
