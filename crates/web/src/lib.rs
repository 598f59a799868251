//! Garasi's HTTP layer: one axum service that picks the site from the Host header
//! (platform admin host, a showroom host, or nothing), then runs that site's router.

mod api;
mod assets;
mod auth;
mod canonical;
mod car_query;
mod csrf;
mod error;
mod fast_lane;
mod feeds;
// Shared with the bot and channels; kept reachable here under their old paths.
pub use garasi_service::{events, kv};
mod headers;
mod health;
mod host;
mod html;
mod http_metrics;
mod insights;
mod internal;
mod lead_query;
mod metrics_endpoint;
mod page_cache;
mod pages;
mod rate_limit;
mod request_id;
mod router;
mod spreadsheet;
mod state;
mod templates;
mod views;

pub use auth::password::hash_password;
pub use error::AppError;
pub use events::Events;
pub use internal::{MetricsRender, internal_router};
pub use kv::{Kv, KvError, MemoryKv, RedisKv};
pub use page_cache::DEFAULT_MAX_BYTES as PAGE_CACHE_DEFAULT_MAX_BYTES;
pub use rate_limit::RateLimits;
pub use request_id::RequestId;
pub use router::build_router;
pub use state::{AppState, Scheme, WebConfig};
