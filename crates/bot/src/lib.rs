//! The bot: channel → inbox → engine → reply.
//!
//! - [`nlu`]: the offline Indonesian understanding (no IO, no model weights);
//! - [`commands`]: the slash commands, parsed before anything else;
//! - [`engine`]: the pipeline (inbox, resolve, limit, hand-off, understand, reply);
//! - [`offline`] and [`tools`]: answers from the live inventory, with and without an LLM;
//! - [`llm`]: the optional OpenAI-compatible client and its tool loop;
//! - [`memory`]: per-sender memory in the shared [`Kv`](garasi_service::kv::Kv) (Redis) or in the database;
//! - [`format`]: WhatsApp text (bold, rupiah, car cards, length caps).

pub mod budget;
pub mod commands;
pub mod engine;
pub mod flow;
pub mod format;
pub mod llm;
pub mod memory;
pub mod nlu;
pub mod offline;
pub mod prompt;
pub mod tools;
pub mod turn;

pub use budget::ContactBudget;
pub use engine::{BotConfig, BotError, Engine, Inbound, Outcome, TenantRef};
pub use llm::LlmConfig;
