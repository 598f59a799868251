//! The tool loop: ask the model, run the tools it calls, give it the results, repeat.

use std::collections::HashSet;
use std::future::Future;

use serde_json::Value;

use super::{ChatBackend, ChatMessage, ChatRequest, LlmError, Usage};

/// Rounds of tool calls per reply; a model still calling tools after that has failed.
pub const MAX_TOOL_ROUNDS: usize = 4;

/// Runs a tool the model called and returns what the model gets back (JSON text).
/// Bound to one tenant, role and sender by whoever implements it.
pub trait ToolExecutor: Send {
    fn execute(&mut self, name: &str, arguments: &Value) -> impl Future<Output = String> + Send;
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentReply {
    pub text: String,
    /// Tool calls executed.
    pub tool_calls: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Llm(#[from] LlmError),
    #[error("the model kept calling tools after {MAX_TOOL_ROUNDS} rounds")]
    TooManyRounds,
    #[error("the model answered with no text")]
    Empty,
}

/// Tokens as the provider counted them: `in` is the prompt, `out` the completion.
fn record_tokens(u: Usage) {
    metrics::counter!("garasi_llm_tokens_total", "direction" => "in").increment(u.prompt_tokens.max(0) as u64);
    metrics::counter!("garasi_llm_tokens_total", "direction" => "out").increment(u.completion_tokens.max(0) as u64);
}

/// Asks the model until it answers with text, running its tool calls in between (every
/// call of a response, in order, even with `parallel_tool_calls: false`). Calls with an
/// empty, missing or repeated id are named `call_{round}_{index}`. `usage` is added to as
/// each response arrives, so a caller that gives up (a timeout) still knows what was spent.
pub async fn run_tools<E: ToolExecutor>(
    backend: &dyn ChatBackend,
    mut request: ChatRequest,
    executor: &mut E,
    usage: &mut Usage,
) -> Result<AgentReply, AgentError> {
    let mut executed = 0;
    for round in 0..=MAX_TOOL_ROUNDS {
        let response = match backend.chat(&request).await {
            Ok(r) => r,
            Err(e) => {
                metrics::counter!("garasi_llm_requests_total", "outcome" => "error").increment(1);
                return Err(e.into());
            }
        };
        metrics::counter!("garasi_llm_requests_total", "outcome" => "ok").increment(1);
        record_tokens(response.usage);
        usage.add(response.usage);
        if response.tool_calls.is_empty() {
            let text = response.content.unwrap_or_default().trim().to_owned();
            if text.is_empty() {
                return Err(AgentError::Empty);
            }
            return Ok(AgentReply { text, tool_calls: executed });
        }
        if round == MAX_TOOL_ROUNDS {
            return Err(AgentError::TooManyRounds);
        }
        let mut seen = HashSet::new();
        let calls: Vec<_> = response
            .tool_calls
            .into_iter()
            .enumerate()
            .map(|(index, mut call)| {
                if call.id.trim().is_empty() || !seen.insert(call.id.clone()) {
                    call.id = format!("call_{round}_{index}");
                    seen.insert(call.id.clone());
                }
                call
            })
            .collect();
        request.messages.push(ChatMessage::assistant_calls(response.content, calls.clone()));
        for call in calls {
            let result = executor.execute(&call.name, &call.arguments).await;
            executed += 1;
            request.messages.push(ChatMessage::tool_result(call.id, result));
        }
    }
    Err(AgentError::TooManyRounds)
}
