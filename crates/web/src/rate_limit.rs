//! Per-client-address rate limits on the public listener, by class of request: public
//! pages (and the dashboard's pages), the JSON API, webhooks and uploads, each with its
//! own limit per window. Static assets, photos and the health probes are not limited.
//!
//! The counters live in the shared [`Kv`](crate::kv::Kv) (Redis when configured), so a
//! client gets one budget across every instance, not one per instance. In front of it
//! sits a small in-process list of addresses already over a limit until their window
//! ends: a client that keeps hammering after its 429 is refused from memory, without a
//! round trip to Redis. If the counter store fails, requests go through (fail open,
//! logged): a Redis outage must not take every showroom's site down; the login throttle,
//! which guards passwords, fails closed instead.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::request::Parts;
use http::{Method, header};

use crate::error::AppError;
use crate::host::client_ip;
use crate::state::AppState;

/// Requests allowed per client address per window, by class; `0` turns a class off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub window: Duration,
    pub pages: u32,
    pub api: u32,
    /// WhatsApp Cloud API webhooks come from a handful of Meta addresses, shared by
    /// every showroom: generous, and still per address so one sender can't starve the rest.
    pub webhooks: u32,
    pub uploads: u32,
    /// Bot simulator messages per dashboard user per window (not per address).
    pub simulator: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            window: Duration::from_secs(60),
            pages: 600,
            api: 1200,
            webhooks: 6000,
            uploads: 120,
            simulator: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Pages,
    Api,
    Webhooks,
    Uploads,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Pages => "pages",
            Class::Api => "api",
            Class::Webhooks => "webhooks",
            Class::Uploads => "uploads",
        }
    }

    fn limit(self, limits: &RateLimits) -> u32 {
        match self {
            Class::Pages => limits.pages,
            Class::Api => limits.api,
            Class::Webhooks => limits.webhooks,
            Class::Uploads => limits.uploads,
        }
    }
}

/// The class of a request, or `None` for what is never limited (hashed assets, photos,
/// the favicon; the probes never reach here).
pub fn classify(method: &Method, path: &str, headers: &http::HeaderMap) -> Option<Class> {
    if path.starts_with("/assets/") || path.starts_with("/media/") || path == "/favicon.ico" {
        return None;
    }
    if path.starts_with("/webhooks/") {
        return Some(Class::Webhooks);
    }
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    let upload_route = path == "/api/cars/import.csv" || (path.starts_with("/api/cars/") && path.ends_with("/photos"));
    if *method == Method::POST && (multipart || upload_route) {
        return Some(Class::Uploads);
    }
    if path == "/api" || path.starts_with("/api/") {
        return Some(Class::Api);
    }
    Some(Class::Pages)
}

/// The counter key of an address: IPv6 clients by their /64, which one subscriber
/// usually holds whole (counting single v6 addresses would let one rotate freely).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Addresses known to be over a limit, until their window ends.
#[derive(Default)]
pub struct RateLimiter {
    blocked: Mutex<HashMap<(Class, String), Instant>>,
}

const MAX_BLOCKED: usize = 100_000;

impl RateLimiter {
    fn blocked_for(&self, class: Class, key: &str) -> Option<Duration> {
        let map = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        let until = *map.get(&(class, key.to_owned()))?;
        until.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
    }

    fn block(&self, class: Class, key: String, for_: Duration) {
        let now = Instant::now();
        let mut map = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_BLOCKED {
            map.retain(|_, until| *until > now);
            if map.len() >= MAX_BLOCKED {
                // A flood from more addresses than this: forget, the shared counter still refuses.
                map.clear();
            }
        }
        map.insert((class, key), now + for_);
    }
}

fn refuse(class: Class, retry_after: Duration) -> AppError {
    metrics::counter!("garasi_rate_limited_total", "class" => class.as_str()).increment(1);
    AppError::RateLimited { retry_after_secs: retry_after.as_secs().max(1) }
}

/// Whether [`check`] would count this request (its class has a limit and the client
/// has an address).
pub fn applies(state: &AppState, parts: &Parts) -> bool {
    classify(&parts.method, parts.uri.path(), &parts.headers)
        .is_some_and(|class| class.limit(&state.config.rate_limits) != 0)
        && client_ip(&state.config, parts).is_some()
}

/// A request already counted by the fast lane, and its outcome: `dispatch` then answers
/// with it instead of counting the request a second time.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    refused_for_secs: Option<u64>,
}

impl Verdict {
    pub fn from_error(e: &AppError) -> Verdict {
        let secs = match e {
            AppError::RateLimited { retry_after_secs } => *retry_after_secs,
            _ => 1,
        };
        Verdict { refused_for_secs: Some(secs) }
    }

    pub fn into_result(self) -> Result<(), AppError> {
        match self.refused_for_secs {
            Some(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }),
            None => Ok(()),
        }
    }
}

/// Counts this request against its class's limit for the client address; 429 with
/// `Retry-After` once the address is over it. A request the fast lane counted carries
/// its [`Verdict`], which is answered instead.
pub async fn check(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    if let Some(verdict) = parts.extensions.get::<Verdict>() {
        return verdict.into_result();
    }
    let limits = &state.config.rate_limits;
    let Some(class) = classify(&parts.method, parts.uri.path(), &parts.headers) else { return Ok(()) };
    let limit = class.limit(limits);
    if limit == 0 {
        return Ok(());
    }
    let Some(ip) = client_ip(&state.config, parts) else { return Ok(()) };
    let key = client_key(ip);
    if let Some(left) = state.rate_limiter.blocked_for(class, &key) {
        return Err(refuse(class, left));
    }
    match state.kv.incr(&format!("rl:{}:{key}", class.as_str()), limits.window).await {
        Ok(w) if w.count > i64::from(limit) => {
            let wait = if w.resets_in.is_zero() { limits.window } else { w.resets_in };
            state.rate_limiter.block(class, key, wait);
            Err(refuse(class, wait))
        }
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, class = class.as_str(), "rate limiter unavailable; letting the request through");
            Ok(())
        }
    }
}

/// Bot simulator messages of one dashboard user: its own budget, since each message
/// can spend LLM tokens on the operator's key.
pub async fn check_simulator(state: &AppState, user: uuid::Uuid) -> Result<(), AppError> {
    let limits = &state.config.rate_limits;
    if limits.simulator == 0 {
        return Ok(());
    }
    let w = state.kv.incr(&format!("rl:simulator:{user}"), limits.window).await?;
    if w.count > i64::from(limits.simulator) {
        metrics::counter!("garasi_rate_limited_total", "class" => "simulator").increment(1);
        let wait = if w.resets_in.is_zero() { limits.window } else { w.resets_in };
        return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_by_path_and_method() {
        let h = http::HeaderMap::new();
        assert_eq!(classify(&Method::GET, "/", &h), Some(Class::Pages));
        assert_eq!(classify(&Method::GET, "/mobil/12", &h), Some(Class::Pages));
        assert_eq!(classify(&Method::GET, "/api/cars", &h), Some(Class::Api));
        assert_eq!(classify(&Method::POST, "/webhooks/whatsapp", &h), Some(Class::Webhooks));
        assert_eq!(classify(&Method::POST, "/api/cars/0190/photos", &h), Some(Class::Uploads));
        assert_eq!(classify(&Method::POST, "/api/cars/import.csv", &h), Some(Class::Uploads));
        assert_eq!(classify(&Method::GET, "/api/cars/0190/photos", &h), Some(Class::Api));
        let mut m = http::HeaderMap::new();
        m.insert(header::CONTENT_TYPE, "multipart/form-data; boundary=x".parse().unwrap());
        assert_eq!(classify(&Method::POST, "/admin/anything", &m), Some(Class::Uploads));
        for free in ["/assets/app.1234.css", "/media/cars/a/b/card.webp", "/favicon.ico"] {
            assert_eq!(classify(&Method::GET, free, &h), None, "{free}");
        }
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(client_key("::ffff:203.0.113.7".parse().unwrap()), "203.0.113.7");
        assert_eq!(client_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
    }

    #[test]
    fn the_block_list_expires_and_stays_bounded() {
        let l = RateLimiter::default();
        l.block(Class::Api, "a".into(), Duration::from_secs(30));
        assert!(l.blocked_for(Class::Api, "a").is_some());
        assert!(l.blocked_for(Class::Pages, "a").is_none());
        l.block(Class::Api, "b".into(), Duration::ZERO);
        assert!(l.blocked_for(Class::Api, "b").is_none());
    }
}
