//! The Redis [`Kv`], shared by every instance. Keys carry a prefix so several
//! deployments (or test runs) can share one Redis.

use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;

use super::{Kv, KvError, Window};

pub struct RedisKv {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisKv {
    /// Over an existing connection, so the app can share one with [`crate::Events`].
    pub fn new(conn: ConnectionManager, prefix: &str) -> RedisKv {
        RedisKv { conn, prefix: prefix.to_owned() }
    }

    pub async fn connect(url: &str, prefix: &str) -> Result<RedisKv, KvError> {
        let client = redis::Client::open(url).map_err(kv_err)?;
        let conn = ConnectionManager::new(client).await.map_err(kv_err)?;
        Ok(RedisKv::new(conn, prefix))
    }

    /// The prefixed key and a handle on the connection, for one command.
    fn start(&self, key: &str) -> (String, ConnectionManager) {
        (format!("{}{}", self.prefix, key), self.conn.clone())
    }
}

fn kv_err(e: redis::RedisError) -> KvError {
    KvError(e.to_string())
}

fn ttl_to_duration(ttl_ms: i64) -> Duration {
    Duration::from_millis(ttl_ms.max(0) as u64)
}

impl Kv for RedisKv {
    fn incr(&self, key: &str, window: Duration) -> BoxFuture<'_, Result<Window, KvError>> {
        let (key, mut conn) = self.start(key);
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
                .map_err(kv_err)?;
            Ok(Window { count, resets_in: ttl_to_duration(ttl) })
        })
    }

    fn decr(&self, key: &str, window: Duration) -> BoxFuture<'_, Result<(), KvError>> {
        let (key, mut conn) = self.start(key);
        Box::pin(async move {
            // A key that expired in between comes back at -1; PEXPIRE NX still bounds it.
            redis::pipe()
                .atomic()
                .cmd("DECR")
                .arg(&key)
                .ignore()
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(window.as_millis() as u64)
                .arg("NX")
                .ignore()
                .query_async::<()>(&mut conn)
                .await
                .map_err(kv_err)
        })
    }

    fn peek(&self, key: &str) -> BoxFuture<'_, Result<Option<Window>, KvError>> {
        let (key, mut conn) = self.start(key);
        Box::pin(async move {
            let (count, ttl): (Option<i64>, i64) = redis::pipe()
                .cmd("GET")
                .arg(&key)
                .cmd("PTTL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .map_err(kv_err)?;
            Ok(count.map(|count| Window { count, resets_in: ttl_to_duration(ttl) }))
        })
    }

    fn get(&self, key: &str) -> BoxFuture<'_, Result<Option<String>, KvError>> {
        let (key, mut conn) = self.start(key);
        Box::pin(async move { redis::cmd("GET").arg(&key).query_async(&mut conn).await.map_err(kv_err) })
    }

    fn set(&self, key: &str, value: &str, ttl: Duration) -> BoxFuture<'_, Result<(), KvError>> {
        let (key, mut conn) = self.start(key);
        let value = value.to_owned();
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

    fn delete(&self, key: &str) -> BoxFuture<'_, Result<(), KvError>> {
        let (key, mut conn) = self.start(key);
        Box::pin(async move { redis::cmd("DEL").arg(&key).query_async::<()>(&mut conn).await.map_err(kv_err) })
    }

    fn kind(&self) -> &'static str {
        "redis"
    }

    fn is_shared(&self) -> bool {
        true
    }
}
