//! A fake OpenAI-compatible chat server (wiremock) scripted as one tool round. Shared by
//! the bot's client tests and the app's end-to-end bot tests, which include this file
//! with `#[path]`: both crates fake the model the same way.

use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond};

/// Every chat request the client sends.
pub fn chat_completions() -> MockBuilder {
    Mock::given(method("POST")).and(path("/v1/chat/completions"))
}

/// Whether a request already carries a tool result: the model's second turn.
pub fn has_tool_result(r: &Request) -> bool {
    let b: serde_json::Value = r.body_json().unwrap_or_default();
    b["messages"].as_array().is_some_and(|m| m.iter().any(|x| x["role"] == "tool"))
}

/// Scripts one tool round: a request that carries tool results gets `answer`, any other
/// gets `tool_calls`. With `once_with_key`, each turn must come exactly once and the first
/// must send that API key as its bearer token (checked when the server is dropped).
pub async fn script_tool_round(
    server: &MockServer,
    tool_calls: impl Respond + 'static,
    answer: impl Respond + 'static,
    once_with_key: Option<&str>,
) {
    let mut second = chat_completions().and(has_tool_result).respond_with(answer).with_priority(1);
    let mut first = chat_completions();
    if let Some(key) = once_with_key {
        second = second.expect(1);
        first = first.and(header("authorization", format!("Bearer {key}").as_str()));
    }
    let mut first = first.respond_with(tool_calls).with_priority(2);
    if once_with_key.is_some() {
        first = first.expect(1);
    }
    second.mount(server).await;
    first.mount(server).await;
}
