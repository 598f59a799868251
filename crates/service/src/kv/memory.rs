//! The in-process [`Kv`]: correct for one instance only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use super::{Kv, KvError, Window};

enum Value {
    Count(i64),
    Text(String),
}

type Map = HashMap<String, (Value, Instant)>;

#[derive(Default)]
pub struct MemoryKv {
    map: Mutex<Map>,
}

impl MemoryKv {
    pub fn new() -> MemoryKv {
        MemoryKv::default()
    }

    fn with_map<T>(&self, f: impl FnOnce(&mut Map, Instant) -> T) -> T {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Sweep now and then so abandoned keys cannot grow the map without bound.
        if map.len() > 50_000 {
            map.retain(|_, (_, until)| *until > now);
        }
        f(&mut map, now)
    }
}

fn ready<T: Send + 'static>(value: T) -> BoxFuture<'static, Result<T, KvError>> {
    Box::pin(async move { Ok(value) })
}

impl Kv for MemoryKv {
    fn incr(&self, key: &str, window: Duration) -> BoxFuture<'_, Result<Window, KvError>> {
        ready(self.with_map(|map, now| {
            let entry = map.entry(key.to_owned()).or_insert((Value::Count(0), now + window));
            if entry.1 <= now || !matches!(entry.0, Value::Count(_)) {
                *entry = (Value::Count(0), now + window);
            }
            let count = match &mut entry.0 {
                Value::Count(c) => {
                    *c += 1;
                    *c
                }
                Value::Text(_) => 1,
            };
            Window { count, resets_in: entry.1 - now }
        }))
    }

    fn decr(&self, key: &str, _window: Duration) -> BoxFuture<'_, Result<(), KvError>> {
        self.with_map(|map, now| {
            if let Some((Value::Count(c), until)) = map.get_mut(key)
                && *until > now
            {
                *c -= 1;
            }
        });
        ready(())
    }

    fn peek(&self, key: &str) -> BoxFuture<'_, Result<Option<Window>, KvError>> {
        ready(self.with_map(|map, now| match map.get(key) {
            Some((Value::Count(count), until)) if *until > now => {
                Some(Window { count: *count, resets_in: *until - now })
            }
            _ => None,
        }))
    }

    fn get(&self, key: &str) -> BoxFuture<'_, Result<Option<String>, KvError>> {
        ready(self.with_map(|map, now| match map.get(key) {
            Some((Value::Text(t), until)) if *until > now => Some(t.clone()),
            Some((Value::Count(c), until)) if *until > now => Some(c.to_string()),
            _ => None,
        }))
    }

    fn set(&self, key: &str, value: &str, ttl: Duration) -> BoxFuture<'_, Result<(), KvError>> {
        self.with_map(|map, now| map.insert(key.to_owned(), (Value::Text(value.to_owned()), now + ttl)));
        ready(())
    }

    fn delete(&self, key: &str) -> BoxFuture<'_, Result<(), KvError>> {
        self.with_map(|map, _| map.remove(key));
        ready(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }

    fn is_shared(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn window_counts_and_resets() {
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

    #[tokio::test]
    async fn stores_text_and_expires() {
        let kv = MemoryKv::new();
        let w = Duration::from_millis(40);
        kv.set("m", "{}", w).await.unwrap();
        assert_eq!(kv.get("m").await.unwrap().as_deref(), Some("{}"));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(kv.get("m").await.unwrap(), None);
        kv.set("m", "x", w).await.unwrap();
        kv.delete("m").await.unwrap();
        assert_eq!(kv.get("m").await.unwrap(), None);
    }
}
