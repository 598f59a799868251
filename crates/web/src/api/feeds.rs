//! `/api/feeds`: the showroom's marketplace feed URLs, and rotating their token
//! (owners and admins), through `garasi_service::feeds`.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AdminCtx, NotAdmin};
use crate::error::AppError;
use crate::feeds::{Kind, feed_url};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/feeds", get(show)).route("/api/feeds/token", post(rotate))
}

/// The feed URLs of the showroom, or `null`s before a token was made.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedLinks {
    /// Meta automotive catalog (CSV), for Commerce Manager.
    pub meta: Option<String>,
    /// Google Merchant Center vehicle feed (XML).
    pub google: Option<String>,
    /// Plain JSON.
    pub json: Option<String>,
}

impl FeedLinks {
    pub fn new(base_url: &str, token: Option<&str>) -> FeedLinks {
        let url = |kind| token.map(|t| feed_url(base_url, t, kind));
        FeedLinks { meta: url(Kind::Meta), google: url(Kind::Google), json: url(Kind::Json) }
    }
}

#[utoipa::path(get, path = "/api/feeds", tag = "feeds", summary = "Alamat feed marketplace showroom (pemilik/admin)",
    responses((status = 200, description = "Alamat feed", body = FeedLinks), NotAdmin))]
async fn show(AdminCtx(s): AdminCtx) -> Result<Response, AppError> {
    let mut tx = s.tenant.begin().await?;
    let current = tx.feed_tokens().current().await?;
    tx.commit().await?;
    let base = s.state.config.tenant_url(&s.auth.tenant);
    Ok(axum::Json(FeedLinks::new(&base, current.as_ref().map(|(t, _)| t.as_str()))).into_response())
}

#[utoipa::path(post, path = "/api/feeds/token", tag = "feeds",
    summary = "Buat atau ganti token feed (alamat lama langsung tidak berlaku)",
    responses((status = 200, description = "Alamat feed yang baru", body = FeedLinks), NotAdmin))]
async fn rotate(AdminCtx(s): AdminCtx) -> Result<Response, AppError> {
    let token = garasi_service::feeds::rotate_token(&s.state.services, &s.actor, &s.tenant).await?;
    let base = s.state.config.tenant_url(&s.auth.tenant);
    Ok(axum::Json(FeedLinks::new(&base, Some(&token))).into_response())
}
