//! A small client for OpenAI-compatible `POST {base}/chat/completions`.
//!
//! Tolerant of what real servers send: `arguments` as a JSON string or an object, tool
//! calls without `id` or `type`, `tool_calls: null`, no `usage` or `created`, an empty
//! `finish_reason`, content as a string or a list of text parts. It always sends
//! `max_tokens`, never streams, and sends `parallel_tool_calls: false` (the loop runs
//! every call anyway).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    BoxFuture, ChatBackend, ChatMessage, ChatRequest, ChatResponse, ChatRole, LlmConfig, LlmError, ToolCall, Usage,
};

/// Makes ring the process's default rustls provider, once. Workspace crates build reqwest
/// with `rustls-no-provider` (no aws-lc), so any client built without a preconfigured TLS
/// config needs a default provider; the server installs it at start through [`crate::Engine::open`].
pub fn install_default_tls_provider() {
    // Err means one is installed already, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub struct OpenAiCompat {
    http: reqwest::Client,
    url: String,
    api_key: Option<String>,
    model: String,
}

impl OpenAiCompat {
    pub fn new(config: &LlmConfig) -> Result<OpenAiCompat, LlmError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = {
            use rustls_platform_verifier::BuilderVerifierExt;
            let mut tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .and_then(|b| b.with_platform_verifier())
                .map_err(|e| LlmError::Transport(format!("TLS set-up failed: {e}")))?
                .with_no_client_auth();
            tls.alpn_protocols = vec![b"http/1.1".to_vec()];
            tls
        };
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(std::time::Duration::from_secs(5)))
            .user_agent(concat!("garasi/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Transport(e.to_string()))?;
        Ok(OpenAiCompat {
            http,
            url: format!("{}/chat/completions", config.base_url.trim_end_matches('/')),
            api_key: config.api_key.clone().filter(|k| !k.is_empty()),
            model: config.model.clone(),
        })
    }

    /// The request body, as sent.
    pub fn body(&self, request: &ChatRequest) -> Value {
        let messages: Vec<Value> = request.messages.iter().map(wire_message).collect();
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        });
        if !request.tools.is_empty() {
            body["tools"] = request
                .tools
                .iter()
                .map(|t| {
                    json!({"type": "function", "function": {
                        "name": t.name, "description": t.description, "parameters": t.parameters,
                    }})
                })
                .collect();
            body["tool_choice"] = json!("auto");
            body["parallel_tool_calls"] = json!(false);
        }
        body
    }

    async fn send(&self, request: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let mut req = self.http.post(&self.url).json(&self.body(request));
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key);
        }
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let text = resp.text().await.map_err(transport)?;
        if !status.is_success() {
            return Err(LlmError::Http(status.as_u16(), text.chars().take(500).collect()));
        }
        parse_response(&text)
    }
}

impl ChatBackend for OpenAiCompat {
    fn chat<'a>(&'a self, request: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, LlmError>> {
        Box::pin(self.send(request))
    }
}

fn transport(e: reqwest::Error) -> LlmError {
    if e.is_timeout() { LlmError::Timeout } else { LlmError::Transport(e.to_string()) }
}

fn wire_message(m: &ChatMessage) -> Value {
    let role = match m.role {
        ChatRole::System => "system",
        ChatRole::User => "user",
        ChatRole::Assistant => "assistant",
        ChatRole::Tool => "tool",
    };
    let mut v = json!({ "role": role, "content": m.content });
    if !m.tool_calls.is_empty() {
        v["tool_calls"] = m
            .tool_calls
            .iter()
            .map(|c| {
                let arguments = match &c.arguments {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": arguments}})
            })
            .collect();
    }
    if let Some(id) = &m.tool_call_id {
        v["tool_call_id"] = json!(id);
    }
    v
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireResponse {
    choices: Vec<WireChoice>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireChoice {
    message: Option<WireMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireMessage {
    content: Option<Value>,
    tool_calls: Option<Vec<WireToolCall>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireToolCall {
    id: Option<Value>,
    function: Option<WireFunction>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireFunction {
    name: Option<String>,
    arguments: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireUsage {
    prompt_tokens: Option<i64>,
    completion_tokens: Option<i64>,
}

/// Reads a chat-completions response body.
pub fn parse_response(body: &str) -> Result<ChatResponse, LlmError> {
    let wire: WireResponse = serde_json::from_str(body).map_err(|e| LlmError::Decode(e.to_string()))?;
    let usage = wire
        .usage
        .map(|u| Usage {
            prompt_tokens: u.prompt_tokens.unwrap_or(0).max(0),
            completion_tokens: u.completion_tokens.unwrap_or(0).max(0),
            requests: 1,
        })
        .unwrap_or(Usage { requests: 1, ..Usage::default() });
    let choice = wire.choices.into_iter().next().ok_or_else(|| LlmError::Decode("no choices".into()))?;
    let message = choice.message.unwrap_or_default();
    let content = match message.content {
        Some(Value::String(s)) => Some(s),
        // Some servers send content parts: [{"type": "text", "text": "…"}].
        Some(Value::Array(parts)) => {
            let text: Vec<&str> = parts.iter().filter_map(|p| p["text"].as_str()).collect();
            (!text.is_empty()).then(|| text.join(""))
        }
        _ => None,
    };
    let tool_calls = message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| {
            let f = c.function?;
            let name = f.name.filter(|n| !n.is_empty())?;
            let id = match c.id {
                Some(Value::String(s)) => s,
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let arguments = match f.arguments {
                Some(Value::String(s)) if s.trim().is_empty() => json!({}),
                Some(Value::String(s)) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                Some(Value::Null) | None => json!({}),
                Some(other) => other,
            };
            Some(ToolCall { id, name, arguments })
        })
        .collect();
    Ok(ChatResponse { content, tool_calls, usage, finish_reason: choice.finish_reason.filter(|r| !r.is_empty()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_quirks() {
        // Object arguments, no id, no type, no usage, no created, empty finish_reason.
        let r = parse_response(
            r#"{"choices":[{"finish_reason":"","message":{"role":"assistant","content":null,
               "tool_calls":[{"function":{"name":"list_cars","arguments":{}}},
                             {"id":"","function":{"name":"get_car_details","arguments":"{\"stock_no\":3}"}}]}}]}"#,
        )
        .unwrap();
        assert_eq!(r.tool_calls.len(), 2);
        assert_eq!(r.tool_calls[0].id, "");
        assert_eq!(r.tool_calls[1].arguments, json!({"stock_no": 3}));
        assert_eq!(r.usage, Usage { requests: 1, ..Usage::default() });
        assert_eq!(r.finish_reason, None);
        let r = parse_response(r#"{"choices":[{"message":{"content":"halo","tool_calls":null}}]}"#).unwrap();
        assert_eq!(r.content.as_deref(), Some("halo"));
        assert!(r.tool_calls.is_empty());
        let r = parse_response(r#"{"choices":[{"message":{"content":[{"type":"text","text":"ha"},{"text":"lo"}]}}]}"#)
            .unwrap();
        assert_eq!(r.content.as_deref(), Some("halo"));
        assert!(matches!(parse_response("{}"), Err(LlmError::Decode(_))));
        assert!(matches!(parse_response("<html>"), Err(LlmError::Decode(_))));
    }
}
