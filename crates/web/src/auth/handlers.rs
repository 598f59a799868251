use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Duration as ChronoDuration;
use garasi_domain::Email;
use garasi_store::platform::{AuditEntry, RootUser};
use garasi_store::{hash_token, now};
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

use super::extract::{RootAuth, TenantAuth, cookie_name};
use super::throttle::{self, LoginKeys};
use super::token::new_token;
use crate::api::ApiJson;
use crate::api::dto::ApiError;
use crate::api::dto::auth::{LoginRequest, Me, SecondFactorRequest, SecondFactorRequired, Session, UserView};
use crate::api::dto::tenants::Tenant as TenantView;
use crate::error::AppError;
use crate::host::{Site, client_ip};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/login", post(login))
        .route("/api/auth/login/second-factor", post(login_second_factor))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
}

#[utoipa::path(post, path = "/api/auth/login", tag = "auth",
    summary = "Masuk (pengguna showroom di host showroom, root di host admin)", request_body = LoginRequest,
    responses((status = 200, description = "Berhasil masuk", body = Session),
        (status = 202, description = "Kata sandi benar; root dengan verifikasi dua langkah mengirim kode ke \
            /api/auth/login/second-factor dalam 5 menit", body = SecondFactorRequired),
        (status = 429, description = "Terlalu banyak percobaan gagal.", body = ApiError)))]
pub(crate) async fn login(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    match sign_in(&state, &parts, &body.email, &body.password).await? {
        SignInStep::Done(signed_in) => Ok(session_response(&state, *signed_in)),
        SignInStep::SecondFactor { token } => {
            let body = SecondFactorRequired {
                second_factor: "totp",
                token,
                expires_in: garasi_service::root_2fa::PENDING_TTL.as_secs(),
            };
            let mut resp = (StatusCode::ACCEPTED, axum::Json(body)).into_response();
            no_store(&mut resp);
            Ok(resp)
        }
    }
}

#[utoipa::path(post, path = "/api/auth/login/second-factor", tag = "auth",
    summary = "Langkah kedua masuk root: kode 6 digit dari aplikasi autentikator, atau kode pemulihan",
    request_body = SecondFactorRequest,
    responses((status = 200, description = "Berhasil masuk", body = Session),
        (status = 429, description = "Terlalu banyak percobaan kode.", body = ApiError)))]
pub(crate) async fn login_second_factor(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(body): ApiJson<SecondFactorRequest>,
) -> Result<Response, AppError> {
    let signed_in = second_factor(&state, &parts, &body.token, &body.code).await?;
    Ok(session_response(&state, signed_in))
}

fn session_response(state: &AppState, signed_in: SignedIn) -> Response {
    let cookie = signed_in.cookie(state);
    let session = Session { token: signed_in.token, user: signed_in.user, tenant: signed_in.tenant };
    let mut resp = axum::Json(session).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    no_store(&mut resp);
    resp
}

/// Root sessions end after this long at most, whatever `session_ttl` says.
pub const ROOT_SESSION_MAX: Duration = Duration::from_secs(12 * 3600);

/// The lifetime of a new session: a root one, or a showroom user's.
fn session_ttl(state: &AppState, root: bool) -> Duration {
    if root { state.config.session_ttl.min(ROOT_SESSION_MAX) } else { state.config.session_ttl }
}

/// What a right password leads to.
pub enum SignInStep {
    Done(Box<SignedIn>),
    /// A root user with the second factor on: no session yet, only this pending token
    /// for [`second_factor`], valid for five minutes.
    SecondFactor {
        token: String,
    },
}

/// A new session: its secret (cookie value and bearer token), its user and showroom.
pub struct SignedIn {
    token: String,
    pub user: UserView,
    /// The showroom as the API shows it; `None` for a root login.
    pub tenant: Option<TenantView>,
    /// The session's lifetime, for the cookie's Max-Age.
    ttl: Duration,
}

impl SignedIn {
    /// The `Set-Cookie` value that carries the session.
    pub fn cookie(&self, state: &AppState) -> HeaderValue {
        session_cookie(state, &self.token, self.ttl.as_secs())
    }
}

/// Checks a login on the site the request resolved to (root users on the admin host,
/// the showroom's own users on its host), throttled per e-mail and client address,
/// and creates the session (for a root user with a second factor, only a pending state).
/// Shared by `/api/auth/login` and the dashboards' login forms.
pub async fn sign_in(state: &AppState, parts: &Parts, email: &str, password: &str) -> Result<SignInStep, AppError> {
    let site = parts.extensions.get::<Site>().cloned().ok_or(AppError::NotFound)?;
    let ip = client_ip(&state.config, parts);
    let user_agent = user_agent(parts);
    let site_key = match &site {
        Site::Admin => "root".to_owned(),
        Site::Tenant(t) => t.id.to_string(),
    };
    let keys = LoginKeys::new(&site_key, email, ip);
    // The attempt is counted before anything is verified (see `throttle`).
    let reservation = throttle::reserve(state, &keys).await?;
    // A malformed e-mail is just a wrong login: same answer, same cost.
    let raw_email = email;
    let email = Email::parse(email).ok();

    // The user is looked up and the password verified before any write transaction
    // opens: on SQLite the write lock is never held while hashing, and on PostgreSQL a
    // flood of logins holds no pooled connection while it waits for a core.
    match &site {
        Site::Admin => {
            let user = match &email {
                Some(e) => state.db.platform().root_user_by_email(e.as_str()).await?,
                None => None,
            };
            let ok = state.login_gate.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
            let user = match user {
                Some(u) if ok && u.disabled_at.is_none() => u,
                _ => return Err(fail(&keys, "root", raw_email)),
            };
            // The password was right: the account's counters are cleared either way.
            throttle::succeeded(state, &keys, reservation).await?;
            if garasi_service::root_2fa::is_enabled(&state.db, user.id).await? {
                let token = garasi_service::root_2fa::start_pending(state.kv.as_ref(), user.id).await?;
                return Ok(SignInStep::SecondFactor { token });
            }
            root_session(state, user, user_agent.as_deref(), ip, None).await.map(|s| SignInStep::Done(Box::new(s)))
        }
        Site::Tenant(tenant) => {
            let tdb = state.db.tenant(tenant.id);
            let user = match &email {
                Some(e) => {
                    let mut tx = tdb.begin().await?;
                    let user = tx.users().find_by_email(e).await?;
                    tx.commit().await?;
                    user
                }
                None => None,
            };
            let ok = state.login_gate.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
            let user = match user {
                Some(u) if ok && u.is_active() => u,
                _ => return Err(fail(&keys, &tenant.slug, raw_email)),
            };
            let token = new_token();
            let expires_at = expires_after(session_ttl(state, false));
            let mut tx = tdb.begin_write().await?;
            let ip_text = ip.map(|i| i.to_string());
            tx.sessions()
                .create_from(user.id, &hash_token(&token), expires_at, user_agent.as_deref(), ip_text.as_deref())
                .await?;
            tx.users().record_login(user.id).await?;
            tx.commit().await?;
            audit_login(state, Some(tenant.id), "user", user.id, ip, json!({})).await?;
            let tenant_json = Some(crate::api::tenant_json(&state.config, tenant, None));
            let user = UserView { id: user.id, email: user.email, name: user.name, role: user.role.as_str() };
            throttle::succeeded(state, &keys, reservation).await?;
            Ok(SignInStep::Done(Box::new(SignedIn {
                token,
                user,
                tenant: tenant_json,
                ttl: session_ttl(state, false),
            })))
        }
    }
}

fn user_agent(parts: &Parts) -> Option<String> {
    parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect())
}

fn expires_after(ttl: Duration) -> chrono::DateTime<chrono::Utc> {
    now() + ChronoDuration::from_std(ttl).unwrap_or(ChronoDuration::hours(12))
}

/// Creates a root session (at most [`ROOT_SESSION_MAX`]) and audits the login.
async fn root_session(
    state: &AppState,
    user: RootUser,
    user_agent: Option<&str>,
    ip: Option<std::net::IpAddr>,
    second_factor: Option<&'static str>,
) -> Result<SignedIn, AppError> {
    let token = new_token();
    let ttl = session_ttl(state, true);
    let platform = state.db.platform();
    platform.create_root_session(user.id, &hash_token(&token), expires_after(ttl), user_agent).await?;
    let details = match second_factor {
        Some(how) => json!({ "second_factor": how }),
        None => json!({}),
    };
    audit_login(state, None, "root", user.id, ip, details).await?;
    let user = UserView { id: user.id, email: user.email, name: user.name, role: "root" };
    Ok(SignedIn { token, user, tenant: None, ttl })
}

/// The second step of a root login: the pending token from [`sign_in`] and a 6-digit
/// code (or a recovery code). Guesses are counted per user and client address with the
/// login throttle before the code is checked; a code's time step is accepted once.
pub async fn second_factor(state: &AppState, parts: &Parts, pending: &str, code: &str) -> Result<SignedIn, AppError> {
    if !matches!(parts.extensions.get::<Site>(), Some(Site::Admin)) {
        return Err(AppError::NotFound);
    }
    let kv = state.kv.as_ref();
    let user_id = garasi_service::root_2fa::pending_user(kv, pending).await?.ok_or(AppError::Unauthorized)?;
    let ip = client_ip(&state.config, parts);
    let keys = LoginKeys::new("root-2fa", &user_id.to_string(), ip);
    let reservation = throttle::reserve(state, &keys).await?;
    let user = state.db.platform().root_user(user_id).await?.filter(|u| u.disabled_at.is_none());
    let Some(user) = user else {
        return Err(AppError::Unauthorized);
    };
    let ip_text = ip.map(|i| i.to_string());
    let passed = garasi_service::root_2fa::verify_login(&state.db, state.sealer()?, user.id, code, ip_text).await?;
    let how = match passed {
        Some(garasi_service::root_2fa::Passed::Totp) => "totp",
        Some(garasi_service::root_2fa::Passed::RecoveryCode { .. }) => "recovery_code",
        None => {
            throttle::failed(&keys);
            tracing::info!(user = %user.id, "second factor refused");
            return Err(AppError::InvalidCredentials);
        }
    };
    throttle::succeeded(state, &keys, reservation).await?;
    garasi_service::root_2fa::finish_pending(kv, pending).await?;
    root_session(state, user, user_agent(parts).as_deref(), ip, Some(how)).await
}

/// The audit row of a successful sign-in, root or showroom user alike.
async fn audit_login(
    state: &AppState,
    tenant_id: Option<garasi_domain::TenantId>,
    actor_kind: &'static str,
    user_id: uuid::Uuid,
    ip: Option<std::net::IpAddr>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    state
        .db
        .platform()
        .audit(&AuditEntry {
            tenant_id,
            actor_kind,
            actor_id: Some(user_id),
            action: "auth.login".into(),
            target_kind: None,
            target_id: None,
            details,
            ip: ip.map(|i| i.to_string()),
        })
        .await?;
    Ok(())
}

/// A wrong e-mail or password; the attempt was already counted when it was reserved.
fn fail(keys: &LoginKeys, site: &str, email: &str) -> AppError {
    throttle::failed(keys);
    // Log the attempt without echoing raw input verbatim (log injection).
    tracing::info!(site, email = %email.escape_debug(), "login failed");
    AppError::InvalidCredentials
}

pub(crate) fn session_cookie(state: &AppState, token: &str, max_age: u64) -> HeaderValue {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let value =
        format!("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}", cookie_name(state), token, max_age, secure);
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    session_cookie(state, "", 0)
}

fn no_store(resp: &mut Response) {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", summary = "Keluar; sesi diakhiri di server",
    responses((status = 204, description = "Sudah keluar")))]
pub(crate) async fn logout(State(state): State<AppState>, parts: Parts) -> Result<Response, AppError> {
    sign_out(&state, parts).await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state));
    no_store(&mut resp);
    Ok(resp)
}

/// Ends the request's session on its site. `Unauthorized` without a valid session.
pub async fn sign_out(state: &AppState, parts: Parts) -> Result<(), AppError> {
    let mut parts = parts;
    match parts.extensions.get::<Site>().cloned() {
        Some(Site::Admin) => {
            let auth = RootAuth::from_request_parts(&mut parts, state).await?;
            state.db.platform().delete_root_session(auth.session_id).await?;
        }
        Some(Site::Tenant(_)) => {
            let auth = TenantAuth::from_request_parts(&mut parts, state).await?;
            let mut tx = state.db.tenant(auth.tenant.id).begin_write().await?;
            tx.sessions().delete(auth.session_id).await?;
            tx.commit().await?;
        }
        None => return Err(AppError::NotFound),
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/auth/me", tag = "auth", summary = "Pengguna dan showroom saat ini",
    responses((status = 200, description = "Pengguna", body = Me)))]
pub(crate) async fn me(State(state): State<AppState>, mut parts: Parts) -> Result<Response, AppError> {
    let body = match parts.extensions.get::<Site>().cloned() {
        Some(Site::Admin) => {
            let auth = RootAuth::from_request_parts(&mut parts, &state).await?;
            Me {
                user: UserView { id: auth.user.id, email: auth.user.email, name: auth.user.name, role: "root" },
                tenant: None,
            }
        }
        Some(Site::Tenant(_)) => {
            let auth = TenantAuth::from_request_parts(&mut parts, &state).await?;
            Me {
                user: UserView {
                    id: auth.user.id,
                    email: auth.user.email.clone(),
                    name: auth.user.name.clone(),
                    role: auth.user.role.as_str(),
                },
                tenant: Some(crate::api::tenant_json(&state.config, &auth.tenant, None)),
            }
        }
        None => return Err(AppError::NotFound),
    };
    let mut resp = axum::Json(body).into_response();
    no_store(&mut resp);
    Ok(resp)
}
