//! Login throttling, counted in the shared [`Kv`](crate::kv::Kv) so every instance sees
//! the same counts. If the counter store is down, logins fail closed (503) rather than
//! unthrottled.
//!
//! Every attempt is **reserved before the password is checked**: the counters are
//! incremented atomically first and the attempt goes ahead only if that increment kept
//! them within their limits. Checking first and counting failures afterwards let a burst
//! of parallel guesses all pass the check before the first failure was recorded.
//!
//! Three counters, one window each:
//! - per (account, client address): a hard limit (`login_max_failures`), then 429;
//! - per client address, over all accounts: a hard limit of four times that;
//! - per account from anywhere: past the limit the account is **slowed down, not locked**:
//!   at most one attempt per [`SLOWDOWN_STEP`] from addresses that have never signed in
//!   to it, while an address the owner signed in from before (remembered for 30 days)
//!   goes straight through. Someone who knows an owner's e-mail can't lock the owner out.

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::AppError;
use crate::state::AppState;

/// Past its limit, an account takes one attempt per step from unknown addresses.
pub const SLOWDOWN_STEP: Duration = Duration::from_secs(5);
/// How long an address that signed in to an account stays known to it.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

pub struct LoginKeys {
    /// `root` or `tenant`: the only site label metrics get (no per-showroom series).
    site_kind: &'static str,
    account: String,
    pair: String,
    client: Option<String>,
    known: Option<String>,
}

impl LoginKeys {
    pub fn new(site: &str, email: &str, ip: Option<IpAddr>) -> LoginKeys {
        let account = format!("login-try:{site}:{}", email.trim().to_lowercase());
        let ip = ip.map(|ip| ip.to_string());
        LoginKeys {
            site_kind: if site.starts_with("root") { "root" } else { "tenant" },
            pair: format!("{account}:{}", ip.as_deref().unwrap_or("-")),
            client: ip.as_ref().map(|ip| format!("login-try-ip:{ip}")),
            known: ip.as_ref().map(|ip| format!("login-known:{}:{ip}", &account["login-try:".len()..])),
            account,
        }
    }
}

fn limits(state: &AppState) -> (i64, i64) {
    let per_account = state.config.login_max_failures;
    (per_account, per_account * 4)
}

fn throttled(resets_in: Duration, keys: &LoginKeys, why: &'static str) -> AppError {
    // Debug-formatted: the key holds the e-mail as typed, which must not forge log lines.
    tracing::warn!(key = ?keys.account, why, "login throttled");
    metrics::counter!("garasi_login_throttled_total", "site" => keys.site_kind).increment(1);
    AppError::TooManyRequests { retry_after_secs: resets_in.as_secs().max(1) }
}

/// A reserved attempt: hand it back to [`succeeded`] when the password was right.
pub struct Reservation {
    counted_client: bool,
}

/// Counts this attempt against every limit before anything is verified; refuses with
/// 429 (and `Retry-After`) when it would go over one.
pub async fn reserve(state: &AppState, keys: &LoginKeys) -> Result<Reservation, AppError> {
    let (account_limit, client_limit) = limits(state);
    let window = state.config.login_window;
    if let Some(key) = &keys.client {
        let w = state.kv.incr(key, window).await?;
        if w.count > client_limit {
            return Err(throttled(w.resets_in, keys, "client"));
        }
    }
    let w = state.kv.incr(&keys.pair, window).await?;
    if w.count > account_limit {
        return Err(throttled(w.resets_in, keys, "account from this client"));
    }
    let w = state.kv.incr(&keys.account, window).await?;
    if w.count > account_limit && !is_known(state, keys).await? {
        // One slot per step for the whole account, across instances: the first attempt
        // in a step takes it, the others wait for the next one.
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let step = SLOWDOWN_STEP.as_secs().max(1);
        let slot = state.kv.incr(&format!("{}:slot:{}", keys.account, now.as_secs() / step), SLOWDOWN_STEP).await?;
        if slot.count > 1 {
            let next = Duration::from_secs(step - now.as_secs() % step);
            return Err(throttled(next, keys, "account slowed down"));
        }
    }
    Ok(Reservation { counted_client: keys.client.is_some() })
}

async fn is_known(state: &AppState, keys: &LoginKeys) -> Result<bool, AppError> {
    Ok(match &keys.known {
        Some(key) => state.kv.get(key).await?.is_some(),
        None => false,
    })
}

/// A wrong e-mail or password (the attempt itself was counted when it was reserved).
pub fn failed(keys: &LoginKeys) {
    metrics::counter!("garasi_login_failures_total", "site" => keys.site_kind).increment(1);
}

/// A good login clears the account's counters, remembers the address for the account's
/// slow-down, and gives back the client counter's unit (a right password is not an
/// attack; it must not reset an attacker's budget against other accounts either, so
/// only this attempt's unit is returned).
pub async fn succeeded(state: &AppState, keys: &LoginKeys, reservation: Reservation) -> Result<(), AppError> {
    state.kv.delete(&keys.pair).await?;
    state.kv.delete(&keys.account).await?;
    if let Some(known) = &keys.known {
        state.kv.set(known, "1", KNOWN_FOR).await?;
    }
    if reservation.counted_client
        && let Some(key) = &keys.client
    {
        state.kv.decr(key, state.config.login_window).await?;
    }
    Ok(())
}

/// A plain fixed-window limit on one counter (password reset requests per e-mail and per
/// client address): counts this hit, then refuses with 429 past `max` in `window`.
pub async fn limit(state: &AppState, key: &str, max: i64, window: Duration) -> Result<(), AppError> {
    let w = state.kv.incr(key, window).await?;
    if w.count > max {
        tracing::warn!(key = ?key, "request limit reached");
        return Err(AppError::TooManyRequests { retry_after_secs: w.resets_in.as_secs().max(1) });
    }
    Ok(())
}
