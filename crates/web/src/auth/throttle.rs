//! Failed-login throttling, per (site, e-mail) and per client address, counted in
//! the shared [`Kv`](crate::kv::Kv) so every instance sees the same counts.
//! If the counter store is down, logins fail closed (503) rather than unthrottled.

use std::net::IpAddr;

use crate::error::AppError;
use crate::state::AppState;

pub struct LoginKeys {
    account: String,
    client: Option<String>,
    /// `root` or `tenant`: the only site label metrics get (no per-showroom series).
    site_kind: &'static str,
}

impl LoginKeys {
    pub fn new(site: &str, email: &str, ip: Option<IpAddr>) -> LoginKeys {
        LoginKeys {
            site_kind: if site == "root" { "root" } else { "tenant" },
            account: format!("login-fail:{site}:{}", email.trim().to_lowercase()),
            client: ip.map(|ip| format!("login-fail-ip:{ip}")),
        }
    }
}

fn limits(state: &AppState) -> (i64, i64) {
    let per_account = state.config.login_max_failures;
    (per_account, per_account * 4)
}

/// Refuses with 429 while either counter is at its limit.
pub async fn check(state: &AppState, keys: &LoginKeys) -> Result<(), AppError> {
    let (account_limit, client_limit) = limits(state);
    let mut wait = 0u64;
    if let Some(w) = state.kv.peek(&keys.account).await?
        && w.count >= account_limit
    {
        wait = wait.max(w.resets_in.as_secs().max(1));
    }
    if let Some(key) = &keys.client
        && let Some(w) = state.kv.peek(key).await?
        && w.count >= client_limit
    {
        wait = wait.max(w.resets_in.as_secs().max(1));
    }
    if wait > 0 {
        // Debug-formatted: the key holds the e-mail as typed, which must not forge log lines.
        tracing::warn!(key = ?keys.account, "login throttled");
        metrics::counter!("garasi_login_throttled_total", "site" => keys.site_kind).increment(1);
        return Err(AppError::TooManyRequests { retry_after_secs: wait });
    }
    Ok(())
}

pub async fn record_failure(state: &AppState, keys: &LoginKeys) -> Result<(), AppError> {
    metrics::counter!("garasi_login_failures_total", "site" => keys.site_kind).increment(1);
    let window = state.config.login_window;
    state.kv.incr(&keys.account, window).await?;
    if let Some(key) = &keys.client {
        state.kv.incr(key, window).await?;
    }
    Ok(())
}

/// A good login clears the account counter (not the client one: one right password
/// must not reset an attacker's budget against other accounts).
pub async fn record_success(state: &AppState, keys: &LoginKeys) -> Result<(), AppError> {
    state.kv.delete(&keys.account).await?;
    Ok(())
}
