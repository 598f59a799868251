//! Short-lived shared state for the bot (rate-limit counters, memory): Redis when
//! configured, so every instance agrees; otherwise an in-process map behind the same trait.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

use crate::llm::BoxFuture;

#[derive(Debug, thiserror::Error)]
#[error("shared store unavailable: {0}")]
pub struct KvError(pub String);

pub trait SharedKv: Send + Sync {
    /// Adds one to `key` and returns the count; the first hit opens a window of `window`.
    fn incr<'a>(&'a self, key: &'a str, window: Duration) -> BoxFuture<'a, Result<i64, KvError>>;
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, KvError>>;
    fn set<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), KvError>>;
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), KvError>>;
    /// `redis` or `memory`.
    fn kind(&self) -> &'static str;
}

enum Entry {
    Count(i64),
    Text(String),
}

/// The in-process store: correct for one instance only.
#[derive(Default)]
pub struct InProcessKv {
    map: Mutex<HashMap<String, (Entry, Instant)>>,
}

impl InProcessKv {
    pub fn new() -> InProcessKv {
        InProcessKv::default()
    }

    fn with_map<T>(&self, f: impl FnOnce(&mut HashMap<String, (Entry, Instant)>, Instant) -> T) -> T {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Sweep now and then so abandoned keys cannot grow the map without bound.
        if map.len() > 50_000 {
            map.retain(|_, (_, until)| *until > now);
        }
        f(&mut map, now)
    }
}

impl SharedKv for InProcessKv {
    fn incr<'a>(&'a self, key: &'a str, window: Duration) -> BoxFuture<'a, Result<i64, KvError>> {
        let count = self.with_map(|map, now| {
            let entry = map.entry(key.to_owned()).or_insert((Entry::Count(0), now + window));
            if entry.1 <= now || !matches!(entry.0, Entry::Count(_)) {
                *entry = (Entry::Count(0), now + window);
            }
            match &mut entry.0 {
                Entry::Count(c) => {
                    *c += 1;
                    *c
                }
                Entry::Text(_) => 1,
            }
        });
        Box::pin(async move { Ok(count) })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, KvError>> {
        let value = self.with_map(|map, now| match map.get(key) {
            Some((Entry::Text(t), until)) if *until > now => Some(t.clone()),
            Some((Entry::Count(c), until)) if *until > now => Some(c.to_string()),
            _ => None,
        });
        Box::pin(async move { Ok(value) })
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), KvError>> {
        self.with_map(|map, now| map.insert(key.to_owned(), (Entry::Text(value.to_owned()), now + ttl)));
        Box::pin(async { Ok(()) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), KvError>> {
        self.with_map(|map, _| map.remove(key));
        Box::pin(async { Ok(()) })
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

/// Redis, shared by every instance. Every key gets the deployment's prefix.
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

fn kv_err(e: redis::RedisError) -> KvError {
    KvError(e.to_string())
}

impl SharedKv for RedisKv {
    fn incr<'a>(&'a self, key: &'a str, window: Duration) -> BoxFuture<'a, Result<i64, KvError>> {
        let key = self.key(key);
        let mut conn = self.conn.clone();
        Box::pin(async move {
            // INCR then PEXPIRE NX in one round trip: the first hit opens the window.
            let (count, _): (i64, i64) = redis::pipe()
                .atomic()
                .cmd("INCR")
                .arg(&key)
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(window.as_millis() as u64)
                .arg("NX")
                .query_async(&mut conn)
                .await
                .map_err(kv_err)?;
            Ok(count)
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, KvError>> {
        let key = self.key(key);
        let mut conn = self.conn.clone();
        Box::pin(async move { redis::cmd("GET").arg(&key).query_async(&mut conn).await.map_err(kv_err) })
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), KvError>> {
        let key = self.key(key);
        let mut conn = self.conn.clone();
        Box::pin(async move {
            redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .arg("PX")
                .arg(ttl.as_millis().max(1) as u64)
                .query_async::<()>(&mut conn)
                .await
                .map_err(kv_err)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), KvError>> {
        let key = self.key(key);
        let mut conn = self.conn.clone();
        Box::pin(async move { redis::cmd("DEL").arg(&key).query_async::<()>(&mut conn).await.map_err(kv_err) })
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_process_counts_stores_and_expires() {
        let kv = InProcessKv::new();
        let w = Duration::from_millis(40);
        assert_eq!(kv.incr("k", w).await.unwrap(), 1);
        assert_eq!(kv.incr("k", w).await.unwrap(), 2);
        kv.set("m", "{}", w).await.unwrap();
        assert_eq!(kv.get("m").await.unwrap().as_deref(), Some("{}"));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(kv.incr("k", w).await.unwrap(), 1);
        assert_eq!(kv.get("m").await.unwrap(), None);
        kv.set("m", "x", w).await.unwrap();
        kv.delete("m").await.unwrap();
        assert_eq!(kv.get("m").await.unwrap(), None);
    }
}
