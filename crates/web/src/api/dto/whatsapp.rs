//! The showroom's WhatsApp channel: settings, status, pairing and dead letters.

use chrono::{DateTime, Utc};
use garasi_channels::StatusView;
use garasi_store::jobs::Job;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// The channel to use. `cloud_api` needs its four credentials; they are stored
/// encrypted and never shown again.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChannelInput {
    /// `waweb`, `cloud_api` or `simulator`.
    #[schema(schema_with = channel_kind)]
    pub kind: String,
    /// Cloud API only: digits.
    pub phone_number_id: Option<String>,
    /// Cloud API only.
    pub access_token: Option<String>,
    /// Cloud API only.
    pub app_secret: Option<String>,
    /// Cloud API only.
    pub verify_token: Option<String>,
}

fn channel_kind() -> utoipa::openapi::schema::Object {
    super::words(["waweb", "cloud_api", "simulator"], false)
}

/// The channel as the dashboard sees it. Never carries credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelStatus {
    pub kind: String,
    pub status: String,
    /// Indonesian, for people.
    pub status_label: String,
    /// The owner must act (logged out, replaced, banned, failed).
    pub alert: bool,
    pub phone: Option<String>,
    pub cloud_phone_number_id: Option<String>,
    pub status_changed_at: Option<DateTime<Utc>>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub last_outbound_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// `qr`, `code` or `exhausted` with its details while pairing on this instance.
    pub pairing: Option<Value>,
    pub credentials_set: bool,
    pub dead_letters: i64,
}

impl From<StatusView> for ChannelStatus {
    fn from(v: StatusView) -> ChannelStatus {
        ChannelStatus {
            kind: v.kind,
            status: v.status.to_string(),
            status_label: v.status_label.to_owned(),
            alert: v.alert,
            phone: v.phone,
            cloud_phone_number_id: v.cloud_phone_number_id,
            status_changed_at: v.status_changed_at,
            last_inbound_at: v.last_inbound_at,
            last_outbound_at: v.last_outbound_at,
            last_error: v.last_error,
            pairing: v.pairing,
            credentials_set: v.credentials_set,
            dead_letters: v.dead_letters,
        }
    }
}

/// Start pairing; with `phone`, by a code typed on the phone instead of a QR code. The
/// body may be empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PairInput {
    pub phone: Option<String>,
}

/// An outgoing message that failed for good.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetter {
    pub id: Uuid,
    pub to: Option<Value>,
    pub text: Option<Value>,
    pub image: Option<Value>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub failed_at: DateTime<Utc>,
}

impl From<&Job> for DeadLetter {
    fn from(j: &Job) -> DeadLetter {
        DeadLetter {
            id: j.id,
            to: j.payload.get("to").cloned(),
            text: j.payload.get("text").cloned(),
            image: j.payload.get("image").cloned(),
            attempts: j.attempts,
            last_error: j.last_error.clone(),
            created_at: j.created_at,
            failed_at: j.updated_at,
        }
    }
}

crate::api::dto::list_of!(DeadLetterList, DeadLetter, "dead letters");

/// A dead letter put back in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Requeued {
    pub id: Uuid,
    /// Always `queued`.
    #[schema(value_type = String)]
    pub status: &'static str,
}

/// The `status` event of the pairing stream (`/api/whatsapp/pair/events`).
#[derive(Debug, Serialize)]
pub struct StatusEvent<'a> {
    pub status: &'a str,
    pub label: &'a str,
    pub alert: bool,
    pub phone: Option<&'a str>,
}
