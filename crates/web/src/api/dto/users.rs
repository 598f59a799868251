//! A showroom's users and the signed-in user's own account, as the API shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct ShowroomUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `owner`, `admin` or `staff`.
    #[schema(value_type = String)]
    pub role: &'static str,
    /// `active`, `invited` (link not used yet), `must_change` (temporary password) or `disabled`.
    #[schema(value_type = String)]
    pub status: &'static str,
    pub must_change_password: bool,
    /// The linked salesperson entry ("prospek saya"), if any.
    pub sales_id: Option<Uuid>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Every user of the showroom (removed users are left out).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<ShowroomUser>,
}

/// An invitation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteRequest {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// `admin` or `staff`.
    #[serde(default)]
    pub role: String,
    /// `link` (a one-time link valid 72 h) or `temporary_password` (to be changed at first sign-in).
    #[serde(default)]
    pub method: String,
}

/// What to pass on to the invited user. Shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Handover {
    /// The one-time link on the showroom's host (method `link`).
    pub invite_url: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Method `temporary_password`.
    pub temporary_password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invited {
    pub user: ShowroomUser,
    pub handover: Handover,
}

/// Any of the fields; each one given is applied (role, then `disabled`, then the link).
#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct UserUpdate {
    /// `owner`, `admin` or `staff`.
    pub role: Option<String>,
    /// `true` disables (ending every session), `false` enables.
    pub disabled: Option<bool>,
    /// A salesperson's id to link, or `null` to unlink; leave out to keep.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub sales_id: Option<Option<Uuid>>,
}

/// `Some(None)` for an explicit `null`, `None` (by `default`) when the field is absent.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

/// A session of the signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountSession {
    pub id: Uuid,
    /// Readable device, e.g. "Chrome di Android".
    pub device: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The session making this request.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<AccountSession>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    /// How many sessions ended.
    pub ended: u64,
}
