//! Extractors that authenticate a request against the site it was resolved to.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use chrono::Duration as ChronoDuration;
use garasi_store::platform::{RootUser, Tenant};
use garasi_store::tenant::User;
use garasi_store::{hash_token, now};
use http::header;
use http::request::Parts;
use uuid::Uuid;

use crate::error::AppError;
use crate::host::Site;
use crate::state::AppState;

/// Sessions unused this long end even before their absolute expiry.
const IDLE_TIMEOUT_HOURS: i64 = 24;
/// `last_seen_at` is written at most this often, to spare the database a write per request.
const TOUCH_EVERY_MINUTES: i64 = 5;

pub fn cookie_name(state: &AppState) -> &'static str {
    // `__Host-` pins the cookie to this exact host over https; browsers refuse the
    // prefix without Secure, so plain-http development uses a plain name.
    if state.config.secure_cookies() { "__Host-garasi_session" } else { "garasi_session" }
}

/// Where the secret came from: cookie-authenticated requests need the CSRF check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    Bearer,
    Cookie,
}

/// The session secret a request carries, if any.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub token: String,
    pub source: CredentialSource,
}

impl Credentials {
    pub fn from_parts(state: &AppState, parts: &Parts) -> Option<Credentials> {
        if let Some(v) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
            && let Some(token) = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))
        {
            return Some(Credentials { token: token.trim().to_owned(), source: CredentialSource::Bearer });
        }
        let name = cookie_name(state);
        parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| Credentials { token: v.to_owned(), source: CredentialSource::Cookie })
    }
}

/// The showroom a request is for. Rejects with 404 on other hosts.
#[derive(Clone, Debug)]
pub struct SiteTenant(pub Arc<Tenant>);

impl FromRequestParts<AppState> for SiteTenant {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        match parts.extensions.get::<Site>() {
            Some(Site::Tenant(t)) => Ok(SiteTenant(t.clone())),
            _ => Err(AppError::NotFound),
        }
    }
}

/// A logged-in showroom user on their own showroom's host.
#[derive(Clone, Debug)]
pub struct TenantAuth {
    pub tenant: Arc<Tenant>,
    pub user: User,
    pub session_id: Uuid,
    /// The client address (trusted-proxy aware), for the audit log.
    pub ip: Option<String>,
}

impl TenantAuth {
    /// This user as the actor of a use case.
    pub fn actor(&self) -> garasi_service::Actor {
        garasi_service::Actor::Staff { user_id: self.user.id, role: self.user.role, ip: self.ip.clone() }
    }

    /// A handle on this user's showroom's rows.
    pub fn tenant_db(&self, state: &AppState) -> garasi_store::TenantDb {
        state.db.tenant(self.tenant.id)
    }

    /// Owners and admins manage the showroom; staff only work in it.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.role.is_admin() {
            Ok(())
        } else {
            Err(AppError::forbidden("Hanya pemilik atau admin showroom yang boleh melakukan ini."))
        }
    }

    /// Only owners manage the showroom's users and read its activity log.
    pub fn require_owner(&self) -> Result<(), AppError> {
        if self.user.role == garasi_domain::Role::Owner {
            Ok(())
        } else {
            Err(AppError::forbidden("Hanya pemilik showroom yang boleh mengelola pengguna."))
        }
    }

    /// Who did it, for lead histories and the audit log.
    pub fn actor_label(&self) -> String {
        if self.user.name.is_empty() { self.user.email.clone() } else { self.user.name.clone() }
    }
}

impl FromRequestParts<AppState> for TenantAuth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let SiteTenant(tenant) = SiteTenant::from_request_parts(parts, state).await?;
        let creds = Credentials::from_parts(state, parts).ok_or(AppError::Unauthorized)?;
        let at = now();
        // Sessions live in the tenant's own rows: a secret from showroom A finds
        // nothing when replayed on showroom B's host.
        let tdb = state.db.tenant(tenant.id);
        let mut tx = tdb.begin().await?;
        let session = tx.sessions().find_active(&hash_token(&creds.token), at).await?.ok_or(AppError::Unauthorized)?;
        let user = tx.users().get(session.user_id).await?.ok_or(AppError::Unauthorized)?;
        tx.commit().await?;
        let idle = session.last_seen_at + ChronoDuration::hours(IDLE_TIMEOUT_HOURS) <= at;
        // Writes go in their own short write transaction, and only when needed.
        if idle || session.last_seen_at + ChronoDuration::minutes(TOUCH_EVERY_MINUTES) <= at {
            let mut tx = tdb.begin_write().await?;
            if idle {
                tx.sessions().delete(session.id).await?;
            } else {
                tx.sessions().touch(session.id, at).await?;
            }
            tx.commit().await?;
        }
        if idle || !user.is_active() {
            return Err(AppError::Unauthorized);
        }
        // A temporary password must be replaced before the API does anything else;
        // the dashboard redirects to its form instead (`pages::admin::Staff`).
        if user.must_change_password && !allowed_before_password_change(parts.uri.path()) {
            return Err(AppError::PasswordChangeRequired);
        }
        let ip = crate::host::client_ip(&state.config, parts).map(|i| i.to_string());
        Ok(TenantAuth { tenant, user, session_id: session.id, ip })
    }
}

/// What a user who must replace a temporary password may still call: every dashboard
/// page (they redirect to the form) and, on the API, the password change, who am I,
/// and signing out.
fn allowed_before_password_change(path: &str) -> bool {
    !path.starts_with("/api/") || matches!(path, "/api/account/password" | "/api/auth/me" | "/api/auth/logout")
}

/// A logged-in root user on the admin host.
#[derive(Clone, Debug)]
pub struct RootAuth {
    pub user: RootUser,
    pub session_id: Uuid,
    /// The client address (trusted-proxy aware), for the audit log.
    #[allow(dead_code)]
    pub ip: Option<String>,
}

#[allow(dead_code)] // the root use cases (tenants, connections) adopt it next
impl RootAuth {
    /// This root user as the actor of a use case.
    pub fn actor(&self) -> garasi_service::Actor {
        garasi_service::Actor::Root { user_id: self.user.id, ip: self.ip.clone() }
    }
}

impl FromRequestParts<AppState> for RootAuth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if !matches!(parts.extensions.get::<Site>(), Some(Site::Admin)) {
            return Err(AppError::NotFound);
        }
        let creds = Credentials::from_parts(state, parts).ok_or(AppError::Unauthorized)?;
        let at = now();
        let platform = state.db.platform();
        let session = platform.find_root_session(&hash_token(&creds.token), at).await?.ok_or(AppError::Unauthorized)?;
        if session.last_seen_at + ChronoDuration::hours(IDLE_TIMEOUT_HOURS) <= at {
            platform.delete_root_session(session.id).await?;
            return Err(AppError::Unauthorized);
        }
        let user = platform.root_user(session.user_id).await?.ok_or(AppError::Unauthorized)?;
        if user.disabled_at.is_some() {
            return Err(AppError::Unauthorized);
        }
        if session.last_seen_at + ChronoDuration::minutes(TOUCH_EVERY_MINUTES) <= at {
            platform.touch_root_session(session.id, at).await?;
        }
        let ip = crate::host::client_ip(&state.config, parts).map(|i| i.to_string());
        Ok(RootAuth { user, session_id: session.id, ip })
    }
}
