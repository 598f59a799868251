//! What the user life-cycle use cases need from the web layer: its hasher as the
//! service layer's [`Passwords`] (hashing on the argon2 threads, verifying through the
//! login gate: at most one check per core, overflow is `Busy`, answered 503 at once),
//! and a new session for a user who just set their password through a link.

use garasi_service::account::Passwords;
use garasi_service::{ServiceError, ServiceResult};

use chrono::Duration as ChronoDuration;
use garasi_service::users::NewSession;
use garasi_store::{hash_token, now};
use http::request::Parts;
use http::{HeaderValue, header};

use super::handlers::session_cookie;
use super::password::{LoginGate, hash_for_service};
use super::token::new_token;
use crate::error::AppError;
use crate::host::client_ip;
use crate::state::AppState;

pub struct GatedPasswords<'a>(&'a LoginGate);

impl<'a> GatedPasswords<'a> {
    pub fn of(state: &'a AppState) -> GatedPasswords<'a> {
        GatedPasswords(&state.login_gate)
    }
}

impl Passwords for GatedPasswords<'_> {
    async fn hash(&self, password: String) -> ServiceResult<String> {
        hash_for_service(password).await
    }

    async fn verify(&self, password: String, stored: String) -> ServiceResult<bool> {
        self.0.verify(&password, Some(&stored)).await.map_err(|e| match e {
            AppError::Busy { .. } => ServiceError::Busy,
            other => ServiceError::Internal(anyhow::anyhow!(other.to_string())),
        })
    }
}

/// A session to be opened by a use case (its secret's hash, expiry, device and client
/// address) and the `Set-Cookie` value that hands the secret to the browser.
pub fn new_session(state: &AppState, parts: &Parts) -> (NewSession, HeaderValue) {
    let token = new_token();
    let ttl = ChronoDuration::from_std(state.config.session_ttl).unwrap_or(ChronoDuration::days(7));
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect::<String>());
    let session = NewSession {
        token_hash: hash_token(&token),
        expires_at: now() + ttl,
        user_agent,
        ip: client_ip(&state.config, parts).map(|i| i.to_string()),
    };
    (session, session_cookie(state, &token, state.config.session_ttl.as_secs()))
}
