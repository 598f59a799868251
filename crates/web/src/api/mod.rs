//! JSON API pieces shared by every API router.

pub mod admin_tenants;
pub mod bot;
pub mod cars;
pub mod cars_csv;
pub mod dto;
pub mod leads;
pub mod openapi;
pub mod photos;
pub mod sales;
pub mod whatsapp;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use garasi_store::platform::Tenant;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::state::WebConfig;

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

/// A tenant as the API shows it, with its hosts when `domains` is given.
pub fn tenant_json(config: &WebConfig, t: &Tenant, domains: Option<&[String]>) -> dto::tenants::Tenant {
    dto::tenants::Tenant::new(config, t, domains)
}
