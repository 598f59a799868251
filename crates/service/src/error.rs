//! What a use case can answer besides success. Adapters map it to their own
//! language: `web::AppError` (an HTTP status and an Indonesian message), the bot
//! (a chat reply), the CLI (an exit message).

use garasi_domain::FieldErrors;
use garasi_media::MediaError;
use garasi_store::StoreError;

pub type ServiceResult<T> = Result<T, ServiceError>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input broke a domain rule; one Indonesian message per field.
    #[error("validation failed: {0}")]
    Validation(FieldErrors),
    /// Nothing with that id in this tenant (or it belongs to another tenant: same answer).
    #[error("not found")]
    NotFound,
    /// The actor may not do this; the message is shown to the user.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The change clashes with existing data; the message is shown to the user.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too much work of one kind at once (password checks): try again in a moment.
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Store(StoreError),
    /// Something outside the database failed (a WhatsApp connection, a worker thread, a
    /// hash): not the user's fault.
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::Validation(FieldErrors::single(field, message))
    }

    pub fn forbidden(message: impl Into<String>) -> ServiceError {
        ServiceError::Forbidden(message.into())
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> ServiceError {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            other => ServiceError::Store(other),
        }
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> ServiceError {
        ServiceError::Validation(e)
    }
}
