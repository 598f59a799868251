//! The bot simulator's request and answer.

use garasi_bot::engine::{OutMessage, OutNotice, Status};
use garasi_bot::nlu::Role;
use garasi_store::tenant::HandledBy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One message as WhatsApp would deliver it. Missing fields are empty and answered with
/// a field message.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SimulateInput {
    /// The sender's number, e.g. `+6281234567890`; a salesperson's number gets the
    /// sales behaviour.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    #[schema(max_length = 4096)]
    pub text: String,
    #[serde(default)]
    #[schema(max_length = 80)]
    pub name: String,
    /// Provider message id (to test deduplication); made up when absent.
    #[serde(default)]
    pub message_id: Option<String>,
}

/// What the bot did with the message, with the replies it sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulateResult {
    pub replies: Vec<BotReply>,
    /// Messages to salespeople (hand-offs).
    pub notifications: Vec<BotNotice>,
    /// `replied`, `duplicate`, `paused` or `rate_limited`.
    #[schema(value_type = String)]
    pub status: Status,
    /// The sender's role as the bot saw it.
    #[schema(value_type = String)]
    pub role: Role,
    /// `command`, `offline`, `llm` or `fallback`.
    #[schema(value_type = Option<String>)]
    pub handled_by: Option<HandledBy>,
    pub intent: Option<String>,
    pub conversation_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BotReply {
    pub text: String,
    /// Absolute image URLs, sent as pictures.
    pub images: Vec<String>,
}

impl From<OutMessage> for BotReply {
    fn from(m: OutMessage) -> BotReply {
        BotReply { text: m.text, images: m.images }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BotNotice {
    pub to: String,
    pub name: String,
    pub text: String,
}

impl From<OutNotice> for BotNotice {
    fn from(n: OutNotice) -> BotNotice {
        BotNotice { to: n.to, name: n.name, text: n.text }
    }
}
