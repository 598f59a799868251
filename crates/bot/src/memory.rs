//! What the bot remembers of a contact between messages, per (tenant, sender): the last
//! turns (for the LLM), the last car list shown (so "yang kedua", "yang tadi" and "yang
//! putih" resolve), the last filters, the car in focus, and what the customer revealed.
//! Kept in Redis when configured, else in the `bot_memory` table; it expires after the
//! configured TTL (24 h by default) and `/reset` clears it.

use std::sync::Arc;
use std::time::Duration;

use garasi_domain::TenantId;
use garasi_store::Db;
use serde::{Deserialize, Serialize};

use crate::llm::BoxFuture;
use crate::nlu::Filters;
use garasi_service::kv::Kv;

/// Turns kept for the LLM's context.
pub const MAX_TURNS: usize = 8;
/// Characters kept of each turn.
const TURN_CHARS: usize = 400;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Memory {
    pub turns: Vec<MemoryTurn>,
    /// The last list of cars shown, in the order shown.
    pub shown: Vec<ShownCar>,
    pub filters: Option<Filters>,
    /// Stock number of the car being talked about.
    pub focus: Option<i64>,
    pub revealed: Revealed,
    /// The list shown before `shown`, and the car in focus then: "balik ke yang sebelumnya".
    pub prior: Vec<ShownCar>,
    pub prior_focus: Option<i64>,
    /// A change waiting for "ya" or a guided flow in progress (`crate::flow`).
    pub pending: Option<crate::flow::Pending>,
    /// A visit the bot is arranging (waiting for a day, a time or a yes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit: Option<crate::offline::visits::PendingVisit>,
    /// The car whose follow-up offer was just made: the next "ya"/"mau" is the consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followup_offer: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryTurn {
    /// `user` or `bot`.
    pub from: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownCar {
    pub stock_no: i64,
    pub title: String,
    #[serde(default)]
    pub color: String,
    #[serde(default)]
    pub model: String,
    /// What relative refinements ("yang lebih murah") and picks ("yang 2019 itu") compare; 0 when unknown
    /// (memories written before these were kept).
    #[serde(default)]
    pub price: i64,
    #[serde(default)]
    pub year: i64,
    #[serde(default)]
    pub mileage_km: Option<i64>,
    #[serde(default)]
    pub engine_cc: Option<i64>,
}

/// What the customer told the bot about themselves, for their lead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Revealed {
    pub name: Option<String>,
    pub budget: Option<i64>,
    /// `cash` or `credit`.
    pub payment_method: Option<String>,
    /// Stock number of the car they showed interest in.
    pub car: Option<i64>,
}

impl Memory {
    pub fn push_turn(&mut self, from: &str, text: &str) {
        let text: String = text.chars().take(TURN_CHARS).collect();
        self.turns.push(MemoryTurn { from: from.to_owned(), text });
        if self.turns.len() > MAX_TURNS {
            let extra = self.turns.len() - MAX_TURNS;
            self.turns.drain(..extra);
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("bot memory unavailable: {0}")]
pub struct MemoryError(pub String);

/// Where memories live.
pub trait MemoryStore: Send + Sync {
    fn load<'a>(&'a self, tenant: TenantId, phone: &'a str) -> BoxFuture<'a, Result<Option<Memory>, MemoryError>>;
    fn save<'a>(
        &'a self,
        tenant: TenantId,
        phone: &'a str,
        memory: &'a Memory,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), MemoryError>>;
    fn clear<'a>(&'a self, tenant: TenantId, phone: &'a str) -> BoxFuture<'a, Result<(), MemoryError>>;
    /// `redis`, `memory` or `database`.
    fn kind(&self) -> &'static str;
    /// Whether memories are the tenant's `bot_memory` rows: the engine then reads and writes
    /// them inside its own inbox and reply transactions (fewer commits), not through this trait.
    fn in_database(&self) -> bool {
        false
    }
}

/// Reads a stored memory; one that no longer reads is forgotten.
pub fn from_value(value: serde_json::Value) -> Option<Memory> {
    serde_json::from_value(value).ok()
}

fn decode(raw: &str) -> Option<Memory> {
    // A memory written by an older version that no longer reads is simply forgotten.
    serde_json::from_str(raw).ok()
}

/// Memory in a shared [`Kv`] (Redis in production), one JSON value per contact.
pub struct KvMemory {
    kv: Arc<dyn Kv>,
}

impl KvMemory {
    pub fn new(kv: Arc<dyn Kv>) -> KvMemory {
        KvMemory { kv }
    }

    fn key(tenant: TenantId, phone: &str) -> String {
        format!("bot:mem:{}:{phone}", tenant.0)
    }
}

impl MemoryStore for KvMemory {
    fn load<'a>(&'a self, tenant: TenantId, phone: &'a str) -> BoxFuture<'a, Result<Option<Memory>, MemoryError>> {
        Box::pin(async move {
            let raw = self.kv.get(&Self::key(tenant, phone)).await.map_err(|e| MemoryError(e.to_string()))?;
            Ok(raw.as_deref().and_then(decode))
        })
    }

    fn save<'a>(
        &'a self,
        tenant: TenantId,
        phone: &'a str,
        memory: &'a Memory,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), MemoryError>> {
        Box::pin(async move {
            let raw = serde_json::to_string(memory).map_err(|e| MemoryError(e.to_string()))?;
            self.kv.set(&Self::key(tenant, phone), &raw, ttl).await.map_err(|e| MemoryError(e.to_string()))
        })
    }

    fn clear<'a>(&'a self, tenant: TenantId, phone: &'a str) -> BoxFuture<'a, Result<(), MemoryError>> {
        Box::pin(async move { self.kv.delete(&Self::key(tenant, phone)).await.map_err(|e| MemoryError(e.to_string())) })
    }

    fn kind(&self) -> &'static str {
        self.kv.kind()
    }
}

/// Memory in the tenant's `bot_memory` rows (no Redis).
pub struct DbMemory {
    db: Db,
}

impl DbMemory {
    pub fn new(db: Db) -> DbMemory {
        DbMemory { db }
    }
}

fn db_err(e: garasi_store::StoreError) -> MemoryError {
    MemoryError(e.to_string())
}

impl MemoryStore for DbMemory {
    fn load<'a>(&'a self, tenant: TenantId, phone: &'a str) -> BoxFuture<'a, Result<Option<Memory>, MemoryError>> {
        Box::pin(async move {
            let mut tx = self.db.tenant(tenant).begin().await.map_err(db_err)?;
            let value = tx.bot_memory().get(phone, garasi_store::now()).await.map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
            Ok(value.and_then(|v| serde_json::from_value(v).ok()))
        })
    }

    fn save<'a>(
        &'a self,
        tenant: TenantId,
        phone: &'a str,
        memory: &'a Memory,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), MemoryError>> {
        Box::pin(async move {
            let value = serde_json::to_value(memory).map_err(|e| MemoryError(e.to_string()))?;
            let expires = garasi_store::now() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(24));
            let mut tx = self.db.tenant(tenant).begin_write().await.map_err(db_err)?;
            tx.bot_memory().put(phone, &value, expires).await.map_err(db_err)?;
            tx.commit().await.map_err(db_err)
        })
    }

    fn clear<'a>(&'a self, tenant: TenantId, phone: &'a str) -> BoxFuture<'a, Result<(), MemoryError>> {
        Box::pin(async move {
            let mut tx = self.db.tenant(tenant).begin_write().await.map_err(db_err)?;
            tx.bot_memory().delete(phone).await.map_err(db_err)?;
            tx.commit().await.map_err(db_err)
        })
    }

    fn kind(&self) -> &'static str {
        "database"
    }

    fn in_database(&self) -> bool {
        true
    }
}
