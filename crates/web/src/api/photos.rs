//! Car photos: multipart upload, reordering, deletion.
//!
//! An upload streams each part to a staged `.part` file with a byte limit; the staged
//! files then go to `service::photos::add`, which runs the photo pipeline, stores the
//! files and adds the rows (see there for the order of work and the clean-up).

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, put};
use garasi_media::{MediaError, ProcessOptions};
use garasi_service::photos::PhotoInput;
use uuid::Uuid;

use super::cars::CarId;
use super::dto::ApiError;
use super::dto::cars::{Car, CarWithUploads, PhotoOrder, PhotoUpload};
use super::{ApiJson, PathId, StaffCtx, parse_id};
use crate::error::AppError;
use crate::state::AppState;
use crate::views::staff_car_json_fresh;

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
async fn upload(s: StaffCtx, PathId(car_id): PathId, mut multipart: Multipart) -> Result<Response, AppError> {
    {
        // An unknown car is refused before its body is read.
        let mut tx = s.tenant.begin().await?;
        tx.cars().get(car_id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
    }
    let max_bytes = ProcessOptions::default().max_input_bytes;
    let mut inputs: Vec<PhotoInput> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("files") {
            return Err(AppError::field("files", "Kirim foto pada bagian bernama \"files\"."));
        }
        if inputs.len() >= MAX_FILES_PER_UPLOAD {
            return Err(AppError::field("files", format!("Maksimal {MAX_FILES_PER_UPLOAD} foto sekali unggah.")));
        }
        // The client's file name is never used: paths are built from ids only.
        let mut staged = s.state.staging.begin(max_bytes).await?;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            staged.write_chunk(&chunk).await?;
        }
        inputs.push(PhotoInput::Staged(staged.finish().await?));
    }
    let added = garasi_service::photos::add(&s.state.services, &s.actor, &s.tenant, car_id, inputs).await?;
    let body = CarWithUploads {
        car: staff_car_json_fresh(&s.tenant, &s.state.config.tenant_url(&s.auth.tenant), &added.car).await?,
        uploaded: added.photo_ids,
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

#[utoipa::path(put, path = "/api/cars/{id}/photos/order", tag = "photos",
    summary = "Atur urutan foto (foto pertama jadi sampul)", params(CarId), request_body = PhotoOrder,
    responses((status = 200, description = "Mobil", body = Car),
        (status = 422, description = "Urutan tidak lengkap.", body = ApiError)))]
async fn reorder(
    s: StaffCtx,
    PathId(car_id): PathId,
    ApiJson(body): ApiJson<PhotoOrder>,
) -> Result<Response, AppError> {
    let order: Vec<Uuid> = body
        .order
        .iter()
        .map(|s| Uuid::parse_str(s))
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::field("order", "Urutan berisi id foto yang tidak valid."))?;
    let car = garasi_service::photos::reorder(&s.state.services, &s.actor, &s.tenant, car_id, &order).await?;
    Ok(axum::Json(staff_car_json_fresh(&s.tenant, &s.state.config.tenant_url(&s.auth.tenant), &car).await?)
        .into_response())
}

#[utoipa::path(delete, path = "/api/cars/{id}/photos/{photo_id}", tag = "photos", summary = "Hapus foto",
    params(CarId, ("photo_id" = uuid::Uuid, Path)), responses((status = 204, description = "Dihapus")))]
async fn remove(s: StaffCtx, Path((id, photo_id)): Path<(String, String)>) -> Result<Response, AppError> {
    let car_id = parse_id(&id)?;
    let photo_id = parse_id(&photo_id)?;
    garasi_service::photos::delete(&s.state.services, &s.actor, &s.tenant, car_id, photo_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
