//! Short-lived shared state (rate-limit counters, caches): Redis when configured, so
//! several instances agree, otherwise an in-process map behind the same trait.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;

#[derive(Debug, thiserror::Error)]
#[error("key-value store unavailable: {0}")]
pub struct KvError(String);

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
    /// The current window of `key`, if one is open.
    fn peek(&self, key: &str) -> BoxFuture<'_, Result<Option<Window>, KvError>>;
    fn delete(&self, key: &str) -> BoxFuture<'_, Result<(), KvError>>;
    /// Which implementation this is, for health pages.
    fn kind(&self) -> &'static str;
}

/// The in-process store: correct for one instance only.
#[derive(Default)]
pub struct MemoryKv {
    counters: Mutex<HashMap<String, (i64, Instant)>>,
}

impl MemoryKv {
    pub fn new() -> MemoryKv {
        MemoryKv::default()
    }
}

impl Kv for MemoryKv {
    fn incr(&self, key: &str, window: Duration) -> BoxFuture<'_, Result<Window, KvError>> {
        let now = Instant::now();
        let mut map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        // Sweep now and then so abandoned keys cannot grow the map without bound.
        if map.len() > 10_000 {
            map.retain(|_, (_, until)| *until > now);
        }
        let entry = map.entry(key.to_owned()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        let w = Window { count: entry.0, resets_in: entry.1 - now };
        Box::pin(async move { Ok(w) })
    }

    fn peek(&self, key: &str) -> BoxFuture<'_, Result<Option<Window>, KvError>> {
        let now = Instant::now();
        let map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let w = map
            .get(key)
            .filter(|(_, until)| *until > now)
            .map(|(count, until)| Window { count: *count, resets_in: *until - now });
        Box::pin(async move { Ok(w) })
    }

    fn delete(&self, key: &str) -> BoxFuture<'_, Result<(), KvError>> {
        self.counters.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Box::pin(async { Ok(()) })
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

/// Redis-backed store, shared by every instance. Keys carry a prefix so several
/// deployments (or test runs) can share one Redis.
pub struct RedisKv {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisKv {
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisKv, KvError> {
        let client = redis::Client::open(url).map_err(|e| KvError(e.to_string()))?;
        let conn = ConnectionManager::new(client).await.map_err(|e| KvError(e.to_string()))?;
        Ok(RedisKv { conn, prefix: prefix.to_owned() })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }
}

fn ttl_to_duration(ttl_ms: i64) -> Duration {
    Duration::from_millis(ttl_ms.max(0) as u64)
}

impl Kv for RedisKv {
    fn incr(&self, key: &str, window: Duration) -> BoxFuture<'_, Result<Window, KvError>> {
        let key = self.key(key);
        let mut conn = self.conn.clone();
        Box::pin(async move {
            // INCR then PEXPIRE NX in one round trip: the first hit opens the window.
            let (count, _, ttl): (i64, i64, i64) = redis::pipe()
                .atomic()
                .cmd("INCR")
                .arg(&key)
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(window.as_millis() as u64)
                .arg("NX")
                .cmd("PTTL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .map_err(|e| KvError(e.to_string()))?;
            Ok(Window { count, resets_in: ttl_to_duration(ttl) })
        })
    }

    fn peek(&self, key: &str) -> BoxFuture<'_, Result<Option<Window>, KvError>> {
        let key = self.key(key);
        let mut conn = self.conn.clone();
        Box::pin(async move {
            let (count, ttl): (Option<i64>, i64) = redis::pipe()
                .cmd("GET")
                .arg(&key)
                .cmd("PTTL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .map_err(|e| KvError(e.to_string()))?;
            Ok(count.map(|count| Window { count, resets_in: ttl_to_duration(ttl) }))
        })
    }

    fn delete(&self, key: &str) -> BoxFuture<'_, Result<(), KvError>> {
        let key = self.key(key);
        let mut conn = self.conn.clone();
        Box::pin(async move {
            redis::cmd("DEL").arg(&key).query_async::<()>(&mut conn).await.map_err(|e| KvError(e.to_string()))
        })
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_window_counts_and_resets() {
        let kv = MemoryKv::new();
        let w = Duration::from_millis(50);
        assert_eq!(kv.incr("k", w).await.unwrap().count, 1);
        assert_eq!(kv.incr("k", w).await.unwrap().count, 2);
        assert_eq!(kv.peek("k").await.unwrap().unwrap().count, 2);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(kv.peek("k").await.unwrap().is_none());
        assert_eq!(kv.incr("k", w).await.unwrap().count, 1);
        kv.delete("k").await.unwrap();
        assert!(kv.peek("k").await.unwrap().is_none());
    }
}
