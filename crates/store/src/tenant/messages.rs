//! Messages of a conversation: the bot's inbox and the transcript.
//!
//! An inbound message is written before it is processed, keyed by its provider id
//! (`UNIQUE (tenant_id, provider_message_id)`), so a webhook that delivers one message
//! five times, even concurrently, stores it once and only the first delivery is
//! processed.

use chrono::{DateTime, Utc};
use garasi_domain::TenantId;
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// Who wrote a message: `customer`, `sales`, `bot`, `admin` or `system`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Customer,
    Sales,
    Bot,
    Admin,
    System,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Customer => "customer",
            Author::Sales => "sales",
            Author::Bot => "bot",
            Author::Admin => "admin",
            Author::System => "system",
        }
    }
}

/// How the bot produced a reply: `command`, `offline`, `llm` or `fallback` (offline after the LLM failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HandledBy {
    Command,
    Offline,
    Llm,
    Fallback,
}

impl HandledBy {
    pub fn as_str(self) -> &'static str {
        match self {
            HandledBy::Command => "command",
            HandledBy::Offline => "offline",
            HandledBy::Llm => "llm",
            HandledBy::Fallback => "fallback",
        }
    }
}

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub conversation_id: Uuid,
    pub direction: Direction,
    pub author: Author,
    /// The provider's id (wamid…); `None` for messages made here.
    pub provider_message_id: Option<&'a str>,
    pub body: &'a str,
    /// e.g. `[{"type": "image", "url": "https://…"}]`.
    pub media: Value,
    pub handled_by: Option<HandledBy>,
    pub intent: Option<&'a str>,
    pub llm_tokens: i64,
}

impl<'a> NewMessage<'a> {
    pub fn inbound(conversation_id: Uuid, author: Author, provider_message_id: &'a str, body: &'a str) -> Self {
        NewMessage {
            conversation_id,
            direction: Direction::In,
            author,
            provider_message_id: Some(provider_message_id),
            body,
            media: Value::Array(Vec::new()),
            handled_by: None,
            intent: None,
            llm_tokens: 0,
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// `in` or `out`.
    pub direction: String,
    /// `customer`, `sales`, `bot`, `admin` or `system`.
    pub sender: String,
    pub provider_message_id: Option<String>,
    pub body: String,
    pub media: Json<Value>,
    pub handled_by: Option<String>,
    pub intent: Option<String>,
    pub llm_tokens: i64,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, conversation_id, direction, sender, provider_message_id, body, media, handled_by, intent, \
                       llm_tokens, created_at";

pub struct Messages<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Messages<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Messages { tx, tenant }
    }

    /// Stores a message. `None` when a message with the same provider id is already
    /// stored for this tenant (a redelivery): the caller must not process it again.
    /// The conversation must be this tenant's ([`StoreError::Conflict`] otherwise).
    pub async fn insert(&mut self, m: &NewMessage<'_>) -> StoreResult<Option<Message>> {
        let id = Uuid::now_v7();
        let at = now();
        const SQL: &str = "INSERT INTO messages (tenant_id, id, conversation_id, direction, sender, \
                           provider_message_id, body, media, handled_by, intent, llm_tokens, created_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                           ON CONFLICT (tenant_id, provider_message_id) DO NOTHING";
        let n = tx_query!(
            self.tx,
            execute,
            SQL,
            self.tenant.0,
            id,
            m.conversation_id,
            m.direction.as_str(),
            m.author.as_str(),
            m.provider_message_id,
            m.body,
            Json(&m.media),
            m.handled_by.map(HandledBy::as_str),
            m.intent,
            m.llm_tokens,
            at
        )
        .map_err(|e| StoreError::from_reference(e, Some("messages.conversation_id")))?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(Message {
            id,
            conversation_id: m.conversation_id,
            direction: m.direction.as_str().to_owned(),
            sender: m.author.as_str().to_owned(),
            provider_message_id: m.provider_message_id.map(str::to_owned),
            body: m.body.to_owned(),
            media: Json(m.media.clone()),
            handled_by: m.handled_by.map(|h| h.as_str().to_owned()),
            intent: m.intent.map(str::to_owned),
            llm_tokens: m.llm_tokens,
            created_at: at,
        }))
    }

    /// Records what the bot made of a message.
    pub async fn set_outcome(
        &mut self,
        id: Uuid,
        handled_by: Option<HandledBy>,
        intent: Option<&str>,
        llm_tokens: i64,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE messages SET handled_by = $3, intent = $4, llm_tokens = $5 \
                           WHERE tenant_id = $1 AND id = $2";
        tx_query!(self.tx, execute, SQL, self.tenant.0, id, handled_by.map(HandledBy::as_str), intent, llm_tokens)?;
        Ok(())
    }

    /// The last `limit` messages of a conversation, oldest first.
    pub async fn recent(&mut self, conversation_id: Uuid, limit: i64) -> StoreResult<Vec<Message>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM messages WHERE tenant_id = $1 AND conversation_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3) m ORDER BY created_at, id"
        );
        Ok(tx_query!(self.tx, fetch_all, sqlx::AssertSqlSafe(sql), self.tenant.0, conversation_id, limit)?)
    }

    /// The message with this provider id, if stored.
    pub async fn by_provider_id(&mut self, provider_message_id: &str) -> StoreResult<Option<Message>> {
        let sql = format!("SELECT {COLUMNS} FROM messages WHERE tenant_id = $1 AND provider_message_id = $2");
        Ok(tx_query!(self.tx, fetch_optional, sqlx::AssertSqlSafe(sql), self.tenant.0, provider_message_id)?)
    }
}

// Tenant admin dashboard (issue #7).

impl Messages<'_> {
    /// When each message in this direction was written at or after `from`, for volume charts.
    pub async fn times_since(&mut self, direction: Direction, from: DateTime<Utc>) -> StoreResult<Vec<DateTime<Utc>>> {
        const SQL: &str = "SELECT created_at FROM messages WHERE tenant_id = $1 AND direction = $2 \
                           AND created_at >= $3 ORDER BY created_at";
        Ok(tx_query!(self.tx, scalar_all, SQL, self.tenant.0, direction.as_str(), from)?)
    }

    /// How the bot's messages since `from` were produced: (handled_by, messages, LLM tokens).
    pub async fn handled_by_since(&mut self, from: DateTime<Utc>) -> StoreResult<Vec<(String, i64, i64)>> {
        const SQL: &str = "SELECT handled_by, count(*), CAST(COALESCE(SUM(llm_tokens), 0) AS BIGINT) FROM messages \
                           WHERE tenant_id = $1 AND created_at >= $2 AND handled_by IS NOT NULL \
                           GROUP BY handled_by ORDER BY handled_by";
        Ok(tx_query!(self.tx, fetch_all, SQL, self.tenant.0, from)?)
    }

    /// The newest message of each of these conversations (for list previews).
    pub async fn latest_of(&mut self, conversation_ids: &[Uuid]) -> StoreResult<Vec<Message>> {
        let mut out = Vec::with_capacity(conversation_ids.len());
        for id in conversation_ids {
            out.extend(self.recent(*id, 1).await?);
        }
        Ok(out)
    }
}
