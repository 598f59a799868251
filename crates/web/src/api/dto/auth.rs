//! Sessions: the login body and who is signed in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::tenants::Tenant;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `root` on the admin host; `owner`, `admin` or `staff` on a showroom's host.
    #[schema(value_type = String)]
    pub role: &'static str,
}

/// Who is signed in, and where: `tenant` is `null` for a root admin.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    pub tenant: Option<Tenant>,
}

/// A new session. The token is also set as the session cookie; use it as a Bearer token
/// on the same host.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub token: String,
    pub user: UserView,
    pub tenant: Option<Tenant>,
}

/// A root login whose password was right and whose second factor is on: send a code with
/// this token to `/api/auth/login/second-factor` within `expires_in` seconds.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorRequired {
    /// Always `totp`.
    #[schema(value_type = String)]
    pub second_factor: &'static str,
    pub token: String,
    pub expires_in: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SecondFactorRequest {
    /// The token from the login answer.
    pub token: String,
    /// The 6-digit code from the authenticator app, or an unused recovery code.
    pub code: String,
}

/// A one-time password reset link, shown once to the owner who made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetLink {
    pub url: String,
    pub user_id: Uuid,
    pub email: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
