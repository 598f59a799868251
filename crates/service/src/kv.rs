//! Short-lived shared state (login throttles, bot rate limits, bot memory): Redis when
//! configured, so several instances agree, otherwise an in-process map behind the same
//! trait. Web and bot hold the same `Arc<dyn Kv>`; the app builds it once.

mod memory;
mod redis;

use std::time::Duration;

use futures_util::future::BoxFuture;

pub use self::memory::MemoryKv;
pub use self::redis::RedisKv;

#[derive(Debug, thiserror::Error)]
#[error("key-value store unavailable: {0}")]
pub struct KvError(pub String);

/// A counter inside a fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub count: i64,
    /// Time until the window ends and the counter resets.
    pub resets_in: Duration,
}

pub trait Kv: Send + Sync {
    /// Adds one to `key`; the first hit starts a window of `window` length.
    fn incr(&self, key: &str, window: Duration) -> BoxFuture<'_, Result<Window, KvError>>;
    /// Takes one back from `key` (a reserved attempt that turned out fine). A counter whose
    /// window already closed is left alone, or starts a new `window` below zero.
    fn decr(&self, key: &str, window: Duration) -> BoxFuture<'_, Result<(), KvError>>;
    /// The current window of the counter `key`, if one is open.
    fn peek(&self, key: &str) -> BoxFuture<'_, Result<Option<Window>, KvError>>;
    /// The text stored at `key`, if it has not expired.
    fn get(&self, key: &str) -> BoxFuture<'_, Result<Option<String>, KvError>>;
    /// Stores `value` at `key` for `ttl`.
    fn set(&self, key: &str, value: &str, ttl: Duration) -> BoxFuture<'_, Result<(), KvError>>;
    fn delete(&self, key: &str) -> BoxFuture<'_, Result<(), KvError>>;
    /// Which implementation this is (`redis` or `memory`), for health pages.
    fn kind(&self) -> &'static str;
    /// Whether every instance sees the same values. Data that must survive a restart
    /// or be seen by other instances (bot memory) goes elsewhere when it is not.
    fn is_shared(&self) -> bool;
}
