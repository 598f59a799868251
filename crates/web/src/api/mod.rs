//! JSON API pieces shared by every API router.

pub mod admin_tenants;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use garasi_store::platform::Tenant;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

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

/// A tenant as the API shows it. `primary_domain` is the host the showroom is
/// published at; `custom_domain` is set only for a verified custom domain.
pub fn tenant_json(config: &WebConfig, t: &Tenant, domains: Option<&[String]>) -> Value {
    let mut v = json!({
        "id": t.id,
        "slug": t.slug,
        "name": t.name,
        "status": t.status,
        "whatsapp_number": t.whatsapp_number,
        "primary_domain": config.tenant_primary_host(t),
        "custom_domain": t.primary_domain,
        "url": config.tenant_url(t),
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "deleted_at": t.deleted_at,
    });
    if let Some(d) = domains {
        v["domains"] = json!(d);
    }
    v
}
