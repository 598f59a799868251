//! The optional LLM: an OpenAI-compatible chat-completions client with tool calling.
//!
//! [`ChatBackend`] is the seam: [`openai::OpenAiCompat`] talks to a real server (OpenAI,
//! OpenRouter, Ollama, vLLM, llama.cpp, Gemini's compatibility endpoint…), tests plug in
//! scripted backends or a fake HTTP server. [`run_tools`] drives the tool loop: at most
//! [`MAX_TOOL_ROUNDS`] rounds of tool calls, usage summed over every request.
//!
//! The bot never depends on the model behaving: tools are bound to the tenant, role and
//! sender on the server side, and any error or timeout falls back to the offline parser.

mod agent;
pub mod openai;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use agent::{AgentError, AgentReply, MAX_TOOL_ROUNDS, ToolExecutor, run_tools};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the LLM is and how long to wait for it.
#[derive(Clone)]
pub struct LlmConfig {
    /// Includes the version path (`https://api.openai.com/v1`); the client appends `/chat/completions`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    /// Per request.
    pub timeout: Duration,
    /// Sent with every request.
    pub max_tokens: u32,
}

impl LlmConfig {
    pub const DEFAULT_MODEL: &'static str = "gpt-4o-mini";
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(6000);
    pub const DEFAULT_MAX_TOKENS: u32 = 500;

    pub fn new(base_url: impl Into<String>) -> LlmConfig {
        LlmConfig {
            base_url: base_url.into(),
            api_key: None,
            model: Self::DEFAULT_MODEL.into(),
            timeout: Self::DEFAULT_TIMEOUT,
            max_tokens: Self::DEFAULT_MAX_TOKENS,
        }
    }
}

impl std::fmt::Debug for LlmConfig {
    /// Never prints the API key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("max_tokens", &self.max_tokens)
            .finish()
    }
}

/// One tool call the model asked for. `arguments` is the parsed JSON (an object when the
/// model behaves; a string when it sent text that is not JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    System,
    User,
    Assistant,
    Tool,
}

/// A message of the conversation sent to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: Option<String>,
    /// For an assistant message that called tools.
    pub tool_calls: Vec<ToolCall>,
    /// For a tool result.
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    fn plain(role: ChatRole, content: impl Into<String>) -> ChatMessage {
        ChatMessage { role, content: Some(content.into()), tool_calls: Vec::new(), tool_call_id: None }
    }

    pub fn system(content: impl Into<String>) -> ChatMessage {
        Self::plain(ChatRole::System, content)
    }

    pub fn user(content: impl Into<String>) -> ChatMessage {
        Self::plain(ChatRole::User, content)
    }

    pub fn assistant(content: impl Into<String>) -> ChatMessage {
        Self::plain(ChatRole::Assistant, content)
    }

    pub fn assistant_calls(content: Option<String>, calls: Vec<ToolCall>) -> ChatMessage {
        ChatMessage { role: ChatRole::Assistant, content, tool_calls: calls, tool_call_id: None }
    }

    pub fn tool_result(call_id: impl Into<String>, content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role: ChatRole::Tool,
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_call_id: Some(call_id.into()),
        }
    }
}

/// A function the model may call: a name, what it does, and a JSON Schema of its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub messages: Vec<ChatMessage>,
    pub tools: Vec<ToolDef>,
    pub max_tokens: u32,
    pub temperature: f32,
}

/// Tokens of one or more requests; missing counts are zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// How many requests the numbers cover.
    pub requests: i64,
}

impl Usage {
    pub fn total(&self) -> i64 {
        self.prompt_tokens + self.completion_tokens
    }

    pub fn add(&mut self, other: Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.requests += other.requests;
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    pub content: Option<String>,
    /// Ids may be empty here (Gemini sends `""`); [`run_tools`] names them.
    pub tool_calls: Vec<ToolCall>,
    pub usage: Usage,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("LLM timed out")]
    Timeout,
    #[error("LLM answered HTTP {0}: {1}")]
    Http(u16, String),
    #[error("LLM unreachable: {0}")]
    Transport(String),
    #[error("LLM answer unreadable: {0}")]
    Decode(String),
}

/// A chat-completions backend.
pub trait ChatBackend: Send + Sync {
    fn chat<'a>(&'a self, request: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, LlmError>>;
}
