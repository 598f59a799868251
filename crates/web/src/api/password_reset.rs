//! `POST /api/users/{id}/reset-link`: the owner makes a one-time password reset link
//! for one of the showroom's users (through `garasi_service::password_reset::make_link`),
//! to hand over when neither e-mail nor WhatsApp can carry it.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::dto::auth::ResetLink;
use super::{PathId, StaffCtx};
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/users/{id}/reset-link", post(reset_link))
}

#[utoipa::path(post, path = "/api/users/{id}/reset-link", tag = "auth",
    summary = "Buat tautan atur ulang kata sandi sekali pakai (30 menit) untuk pengguna showroom (pemilik saja)",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 201, description = "Tautan dibuat", body = ResetLink),
        (status = 403, description = "Hanya pemilik showroom.", body = super::dto::ApiError)))]
pub(crate) async fn reset_link(s: StaffCtx, PathId(id): PathId) -> Result<Response, AppError> {
    let urls = s.state.config.public_urls();
    let link = garasi_service::password_reset::make_link(&s.actor, &s.tenant, &s.auth.tenant, &urls, id).await?;
    let body = ResetLink { url: link.url, user_id: link.user_id, email: link.email, expires_at: link.expires_at };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}
