//! Cross-instance events. Every instance publishes what it changed and listens for
//! what the others changed: over Redis pub/sub when configured, in-process otherwise.

use std::sync::{Arc, Weak};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A tenant's name, status or domains changed: host caches must forget it.
    TenantChanged { tenant_id: uuid::Uuid },
    /// A tenant's cars or photos changed: rendered pages and lists must be rebuilt.
    InventoryChanged { tenant_id: uuid::Uuid },
}

#[derive(Clone)]
pub struct Events {
    local: broadcast::Sender<Event>,
    redis: Option<(redis::aio::ConnectionManager, String)>,
}

impl Events {
    /// Events seen only by this process.
    pub fn in_process() -> Events {
        let (local, _) = broadcast::channel(256);
        Events { local, redis: None }
    }

    /// Events shared through Redis: published over `conn` (the connection the app
    /// shares with the [`Kv`](crate::kv::Kv)); a background task on a subscriber
    /// connection of its own relays the channel into the local broadcast, so listeners
    /// do not care where an event came from.
    pub async fn redis(
        client: &redis::Client,
        conn: redis::aio::ConnectionManager,
        channel: &str,
    ) -> Result<Events, redis::RedisError> {
        let (local, _) = broadcast::channel(256);
        let relay = local.clone();
        let channel_name = channel.to_owned();
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(&channel_name).await?;
        tokio::spawn(async move {
            let mut stream = pubsub.into_on_message();
            while let Some(msg) = stream.next().await {
                let Ok(payload) = msg.get_payload::<String>() else { continue };
                match serde_json::from_str::<Event>(&payload) {
                    Ok(event) => {
                        let _ = relay.send(event);
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring malformed event"),
                }
            }
            tracing::warn!("redis event subscription ended; host caches fall back to their TTL");
        });
        Ok(Events { local, redis: Some((conn, channel.to_owned())) })
    }

    pub async fn publish(&self, event: Event) {
        match &self.redis {
            Some((conn, channel)) => {
                let mut conn = conn.clone();
                let payload = serde_json::to_string(&event).unwrap_or_default();
                let sent: Result<i64, _> = redis::cmd("PUBLISH").arg(channel).arg(payload).query_async(&mut conn).await;
                if let Err(e) = sent {
                    // Other instances will catch up when their cache entries expire.
                    tracing::warn!(error = %e, "could not publish event; delivering locally only");
                    let _ = self.local.send(event);
                }
            }
            None => {
                let _ = self.local.send(event);
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    /// Keeps a per-instance cache of a tenant's public output (pages, feeds) honest: a
    /// change to a tenant's stock or record makes it forget that tenant, missed events
    /// make it forget everything. The task holds the cache weakly and ends when the cache
    /// is dropped or the events end.
    pub fn forget_on_change<T, F>(&self, cache: Weak<T>, forget: F)
    where
        T: Send + Sync + 'static,
        F: Fn(Arc<T>, Forget) + Send + 'static,
    {
        let mut rx = self.subscribe();
        tokio::spawn(async move {
            loop {
                let event = rx.recv().await;
                let Some(cache) = cache.upgrade() else { break };
                match event {
                    Ok(Event::InventoryChanged { tenant_id } | Event::TenantChanged { tenant_id }) => {
                        forget(cache, Forget::Tenant(tenant_id))
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => forget(cache, Forget::All),
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
    }
}

/// What [`Events::forget_on_change`] asks a cache to drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forget {
    Tenant(uuid::Uuid),
    All,
}
