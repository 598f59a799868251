//! JSON API pieces shared by every API router.

pub mod admin_tenants;
pub mod appointments;
pub mod bot;
pub mod cars;
pub mod cars_csv;
pub mod dto;
pub mod feeds;
pub mod leads;
pub mod openapi;
pub mod password_reset;
pub mod photos;
pub mod sales;
pub mod users;
pub mod whatsapp;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use garasi_store::platform::Tenant;
use serde::de::DeserializeOwned;

use crate::auth::TenantAuth;
use crate::error::AppError;
use crate::state::{AppState, WebConfig};

/// `axum::Json`, but a bad body answers with our JSON problem in Indonesian.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::bad_request("Kirim data sebagai JSON (Content-Type: application/json)."))
            }
            Err(JsonRejection::JsonDataError(e)) => {
                Err(AppError::bad_request(format!("Data JSON tidak sesuai: {}", e.body_text())))
            }
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::bad_request("Format JSON tidak valid.")),
            Err(e) => Err(AppError::bad_request(format!("Permintaan tidak dapat dibaca: {}", e.body_text()))),
        }
    }
}

/// `?page=&per_page=` with sane bounds, shared by every list endpoint.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl PageQuery {
    pub const MAX_PER_PAGE: i64 = 100;

    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).clamp(1, 1_000_000)
    }

    pub fn per_page(&self) -> i64 {
        self.per_page.unwrap_or(20).clamp(1, Self::MAX_PER_PAGE)
    }

    pub fn offset(&self) -> i64 {
        (self.page() - 1) * self.per_page()
    }
}

/// Parses a path id; ids that do not parse are simply not found, like ids of other tenants.
pub fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

/// The `{id}` of a route with one path parameter, parsed (as a plain UUID or an id type
/// such as `TenantId`). A path that is not a UUID answers exactly as `parse_id` does
/// (404); a path axum cannot read keeps axum's own answer.
pub struct PathId<T = uuid::Uuid>(pub T);

impl<T: From<uuid::Uuid>, S: Send + Sync> FromRequestParts<S> for PathId<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        parse_id(&raw).map(|id| PathId(T::from(id))).map_err(IntoResponse::into_response)
    }
}

/// A showroom API call: the logged-in user, who acts in the use cases, and a handle on
/// that showroom's rows, built once here instead of in every handler.
pub struct StaffCtx {
    pub state: AppState,
    pub auth: TenantAuth,
    pub actor: garasi_service::Actor,
    pub tenant: garasi_store::TenantDb,
}

impl FromRequestParts<AppState> for StaffCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let auth = TenantAuth::from_request_parts(parts, state).await?;
        Ok(StaffCtx { actor: auth.actor(), tenant: auth.tenant_db(state), state: state.clone(), auth })
    }
}

/// `StaffCtx` for owner/admin endpoints that read no body: a staff user gets the 403
/// before anything else is looked at. Endpoints with a body check inside the handler,
/// so that a bad body still answers 400 first, as it always has.
pub struct AdminCtx(pub StaffCtx);

impl FromRequestParts<AppState> for AdminCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let staff = StaffCtx::from_request_parts(parts, state).await?;
        staff.auth.require_admin()?;
        Ok(AdminCtx(staff))
    }
}

/// Error answers that many endpoints document the same way.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // read only by the OpenAPI generator
pub(crate) enum NotAdmin {
    #[response(status = 403, description = "Bukan pemilik/admin.")]
    Forbidden(dto::ApiError),
}

#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // read only by the OpenAPI generator
pub(crate) enum InvalidInput {
    #[response(status = 422, description = "Isian tidak valid.")]
    Unprocessable(dto::ApiError),
}

#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // read only by the OpenAPI generator
pub(crate) enum NoWhatsApp {
    #[response(status = 503, description = "WhatsApp tidak aktif di server ini.")]
    Unavailable(dto::ApiError),
}

/// A tenant as the API shows it, with its hosts when `domains` is given.
pub fn tenant_json(config: &WebConfig, t: &Tenant, domains: Option<&[String]>) -> dto::tenants::Tenant {
    dto::tenants::Tenant::new(config, t, domains)
}
