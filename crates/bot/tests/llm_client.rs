//! The OpenAI-compatible client and the tool loop against a local fake server (wiremock):
//! a scripted tool-call round trip, parallel and quirky tool calls, timeouts, errors and
//! a model that never stops calling tools.

use std::time::Duration;

use garasi_bot::llm::openai::OpenAiCompat;
use garasi_bot::llm::{
    AgentError, AgentReply, ChatMessage, ChatRequest, LlmConfig, LlmError, MAX_TOOL_ROUNDS, ToolDef, ToolExecutor,
    Usage, run_tools,
};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "common/fake_llm.rs"]
mod fake_llm;
use fake_llm::script_tool_round;

fn client(server: &MockServer, timeout: Duration) -> OpenAiCompat {
    let config = LlmConfig {
        base_url: format!("{}/v1/", server.uri()),
        api_key: Some("test-key".into()),
        model: "fake-model".into(),
        timeout,
        max_tokens: 300,
    };
    OpenAiCompat::new(&config).unwrap()
}

fn request() -> ChatRequest {
    ChatRequest {
        messages: vec![
            ChatMessage::system("Kamu asisten showroom."),
            ChatMessage::user("ada avanza matic dibawah 200jt?"),
        ],
        tools: vec![ToolDef {
            name: "search_cars",
            description: "Cari mobil di stok showroom",
            parameters: json!({"type": "object", "properties": {"brand": {"type": "string"}}, "required": []}),
        }],
        max_tokens: 300,
        temperature: 0.0,
    }
}

#[derive(Default)]
struct Recorder {
    calls: Vec<(String, Value)>,
}

impl ToolExecutor for Recorder {
    async fn execute(&mut self, name: &str, arguments: &Value) -> String {
        self.calls.push((name.to_owned(), arguments.clone()));
        json!([{"stock_no": 17, "title": "Toyota Avanza 1.5 G AT", "year": 2021, "price": 195000000}]).to_string()
    }
}

/// Runs the tool loop on [`request`] against `server`: the result, and what the tools and
/// the usage counter saw.
async fn run(server: &MockServer, timeout: Duration) -> (Result<AgentReply, AgentError>, Recorder, Usage) {
    let llm = client(server, timeout);
    let mut tools = Recorder::default();
    let mut usage = Usage::default();
    let result = run_tools(&llm, request(), &mut tools, &mut usage).await;
    (result, tools, usage)
}

/// A fake server that gives every request `response`.
async fn always(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(response).mount(&server).await;
    server
}

fn tool_call_response() -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1735689600, "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
            "tool_calls": [{"id": "call_abc123", "type": "function", "function": {"name": "search_cars",
                "arguments": "{\"brand\":\"Toyota\",\"price_max\":200000000,\"transmission\":\"AT\"}"}}]}}],
        "usage": {"prompt_tokens": 412, "completion_tokens": 31, "total_tokens": 443}})
}

fn final_text_response() -> Value {
    json!({"id": "chatcmpl-2", "choices": [{"index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": "Ada 1 unit: Toyota Avanza 1.5 G AT (no. 17)."}}],
        "usage": {"prompt_tokens": 480, "completion_tokens": 20, "total_tokens": 500}})
}

#[tokio::test]
async fn a_scripted_tool_call_round_trip() {
    let server = MockServer::start().await;
    let calls = ResponseTemplate::new(200).set_body_json(tool_call_response());
    let answer = ResponseTemplate::new(200).set_body_json(final_text_response());
    script_tool_round(&server, calls, answer, Some("test-key")).await;

    let (reply, tools, usage) = run(&server, Duration::from_secs(5)).await;
    let reply = reply.unwrap();
    assert_eq!(reply.text, "Ada 1 unit: Toyota Avanza 1.5 G AT (no. 17).");
    assert_eq!(reply.tool_calls, 1);
    assert_eq!(
        tools.calls,
        vec![("search_cars".to_owned(), json!({"brand": "Toyota", "price_max": 200000000, "transmission": "AT"}))]
    );
    assert_eq!(usage, Usage { prompt_tokens: 892, completion_tokens: 51, requests: 2 });

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    let first: Value = reqs[0].body_json().unwrap();
    assert_eq!(first["model"], "fake-model");
    assert_eq!(first["max_tokens"], 300);
    assert_eq!(first["tool_choice"], "auto");
    assert_eq!(first["parallel_tool_calls"], false);
    assert_eq!(first["tools"][0]["type"], "function");
    assert_eq!(first["tools"][0]["function"]["name"], "search_cars");
    let second: Value = reqs[1].body_json().unwrap();
    let msgs = second["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 4);
    assert_eq!(msgs[2]["role"], "assistant");
    assert_eq!(msgs[2]["tool_calls"][0]["id"], "call_abc123");
    assert_eq!(msgs[2]["tool_calls"][0]["type"], "function");
    assert!(msgs[2]["tool_calls"][0]["function"]["arguments"].is_string(), "arguments go back as a JSON string");
    assert_eq!(msgs[3]["role"], "tool");
    assert_eq!(msgs[3]["tool_call_id"], "call_abc123");
    assert!(msgs[3]["content"].as_str().unwrap().contains("Toyota Avanza 1.5 G AT"));
}

#[tokio::test]
async fn parallel_and_quirky_tool_calls_all_run_with_named_ids() {
    let server = MockServer::start().await;
    let calls = ResponseTemplate::new(200).set_body_json(json!({"choices": [{"message": {"content": "",
        "tool_calls": [
            {"function": {"name": "get_car_details", "arguments": {"stock_no": 1}}},
            {"id": "", "function": {"name": "send_car_photos", "arguments": "{\"stock_no\":\"4\"}"}}
        ]}}], "usage": {"prompt_tokens": 10, "completion_tokens": 5}}));
    // No usage, no id, no created: still fine.
    let answer = ResponseTemplate::new(200).set_body_json(json!({"choices": [{"finish_reason": "",
        "message": {"content": "Ini dua mobilnya.", "tool_calls": null}}]}));
    script_tool_round(&server, calls, answer, None).await;

    let (reply, tools, usage) = run(&server, Duration::from_secs(5)).await;
    let reply = reply.unwrap();
    assert_eq!(reply.text, "Ini dua mobilnya.");
    assert_eq!(tools.calls.len(), 2);
    assert_eq!(tools.calls[0], ("get_car_details".to_owned(), json!({"stock_no": 1})));
    assert_eq!(tools.calls[1], ("send_car_photos".to_owned(), json!({"stock_no": "4"})));
    assert_eq!(usage, Usage { prompt_tokens: 10, completion_tokens: 5, requests: 2 });
    let reqs = server.received_requests().await.unwrap();
    let second: Value = reqs[1].body_json().unwrap();
    let msgs = second["messages"].as_array().unwrap();
    let ids: Vec<&str> = msgs[2]["tool_calls"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["call_0_0", "call_0_1"]);
    assert_eq!(msgs[3]["tool_call_id"], "call_0_0");
    assert_eq!(msgs[4]["tool_call_id"], "call_0_1");
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server =
        always(ResponseTemplate::new(200).set_body_json(final_text_response()).set_delay(Duration::from_secs(3))).await;
    let started = std::time::Instant::now();
    let err = run(&server, Duration::from_millis(300)).await.0.unwrap_err();
    assert_eq!(err, AgentError::Llm(LlmError::Timeout));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn errors_and_endless_tool_calls_are_failures() {
    let server = always(ResponseTemplate::new(500).set_body_string("upstream exploded")).await;
    let err = run(&server, Duration::from_secs(5)).await.0.unwrap_err();
    assert_eq!(err, AgentError::Llm(LlmError::Http(500, "upstream exploded".into())));

    let server = always(ResponseTemplate::new(200).set_body_json(tool_call_response())).await;
    let (result, tools, usage) = run(&server, Duration::from_secs(5)).await;
    assert_eq!(result.unwrap_err(), AgentError::TooManyRounds);
    assert_eq!(tools.calls.len(), MAX_TOOL_ROUNDS);
    assert_eq!(usage.requests as usize, MAX_TOOL_ROUNDS + 1, "usage still counts every request");

    let server = always(ResponseTemplate::new(200).set_body_string("<html>")).await;
    let err = run(&server, Duration::from_secs(5)).await.0.unwrap_err();
    assert!(matches!(err, AgentError::Llm(LlmError::Decode(_))), "{err:?}");

    // Nothing listens: a transport error, not a hang.
    let config = LlmConfig { base_url: "http://127.0.0.1:9/v1".into(), ..LlmConfig::new("") };
    let llm = OpenAiCompat::new(&config).unwrap();
    let err = run_tools(&llm, request(), &mut Recorder::default(), &mut Usage::default()).await.unwrap_err();
    assert!(matches!(err, AgentError::Llm(LlmError::Transport(_) | LlmError::Timeout)), "{err:?}");
}
