//! Operations: `/metrics` on the internal listener after exercising every family, the
//! alert rules and dashboard naming only metrics that exist, request ids in headers,
//! error bodies and log lines, and the JSON log format of the real binary.
//!
//! The metrics recorder is process-wide and every test server in this binary shares it,
//! so these tests check that families exist and that what this test did was counted
//! (at least once), never exact totals.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use garasi_bot::LlmConfig;
use garasi_store::jobs::NewJob;
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

use crate::bot::{CUSTOMER, Showroom};
use crate::fake_llm::chat_completions;
use crate::support::{Fetch, TestApp, TestDatabase};

/// One sample of a scrape: the series name, its labels, its value.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// The Prometheus text format, as much of it as these tests read (label values here
/// hold no escaped quotes or commas).
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("bad line {line:?}"));
            let (name, labels) = match series.split_once('{') {
                Some((n, rest)) => {
                    let inner = rest.strip_suffix('}').unwrap();
                    let labels = inner
                        .split("\",")
                        .filter(|p| !p.is_empty())
                        .map(|p| {
                            let (k, v) = p.split_once("=\"").unwrap_or_else(|| panic!("bad labels {inner:?}"));
                            (k.to_owned(), v.trim_end_matches('"').to_owned())
                        })
                        .collect();
                    (n.to_owned(), labels)
                }
                None => (series.to_owned(), Vec::new()),
            };
            Sample { name, labels, value: value.parse().unwrap_or_else(|_| panic!("bad value {line:?}")) }
        })
        .collect()
}

/// The sum of the series named `name` whose labels include all of `want`; `None` when
/// there is no such series.
fn value(samples: &[Sample], name: &str, want: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| want.iter().all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v)))
        .map(|s| s.value)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

#[track_caller]
fn at_least(samples: &[Sample], name: &str, want: &[(&str, &str)], min: f64) {
    let v = value(samples, name, want).unwrap_or_else(|| panic!("no series {name} {want:?}"));
    assert!(v >= min, "{name} {want:?} = {v}, expected at least {min}");
}

async fn scrape(app: &TestApp) -> (String, Vec<Sample>) {
    let internal = app.running.as_ref().unwrap().internal_addr;
    let resp = app.client.get(format!("http://{internal}/metrics")).fetch().await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

/// Every `garasi_*` metric name a monitoring file mentions.
fn metric_names_in(file: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/monitoring").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("garasi_") {
        let start = i + at;
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase() || bytes[end].is_ascii_digit() || bytes[end] == b'_')
        {
            end += 1;
        }
        // `garasi_` inside a longer word is not a metric, nor is a pattern in prose (`garasi_queue_*`).
        let in_word = start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        if !in_word && !text[start..end].ends_with('_') {
            names.insert(text[start..end].to_owned());
        }
        i = end;
    }
    names
}

#[tokio::test]
async fn metrics_show_every_family_after_the_server_did_its_work() {
    let llm = MockServer::start().await;
    chat_completions()
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"choices": [{"finish_reason": "stop",
            "message": {"role": "assistant", "content": "Boleh kak, untuk keluarga Avanza pas."}}],
            "usage": {"prompt_tokens": 321, "completion_tokens": 12}})))
        .mount(&llm)
        .await;
    let base_url = format!("{}/v1", llm.uri());
    let app = TestApp::spawn_with(|s| {
        s.bot.llm = Some(LlmConfig {
            base_url,
            api_key: Some("test-key".into()),
            model: "fake-model".into(),
            timeout: Duration::from_secs(5),
            max_tokens: 300,
        })
    })
    .await;
    let s = Showroom::on(app, "sinar").await;
    let app = &s.app;

    // A public page twice: a miss, then a hit.
    for _ in 0..2 {
        assert_eq!(app.get(&s.host(), "/").fetch().await.status(), 200);
    }
    // An unknown path, and failed logins on a showroom and on the admin host.
    assert_eq!(app.get(&s.host(), "/tidak-ada/sama-sekali").fetch().await.status(), 404);
    assert_eq!(app.login(&s.host(), "owner@sinar.test", "salah-sekali-123").await.status(), 401);
    assert_eq!(app.login(&app.admin_host(), "root@garasi.test", "salah-sekali-123").await.status(), 401);
    // The bot: a command, an offline answer, and one the LLM answers.
    assert_eq!(s.say(CUSTOMER, "/list").await["handled_by"], "command");
    assert_eq!(s.say(CUSTOMER, "Ada mobil apa?").await["handled_by"], "offline");
    let r = s.say(CUSTOMER, "hmm bingung nih, istri mau yang irit tapi anak 3, enaknya apa ya kak?").await;
    assert_eq!(r["handled_by"], "llm", "{r}");
    // A photo through the pipeline.
    s.upload_photos(1, 1).await;
    // A job that has been due for a minute on a queue no worker claims: the queue gauges
    // read it back (and its timestamp decodes on both backends).
    let mut tx = app.runtime_db().tenant(s.tenant).begin_write().await.unwrap();
    let mut job = NewJob::new("metrics_test", "noop", json!({}));
    job.run_at = Some(garasi_store::now() - chrono::Duration::seconds(60));
    tx.outbox().enqueue(&job).await.unwrap().expect("enqueued");
    tx.commit().await.unwrap();

    let (text, m) = scrape(app).await;
    let h = "garasi_http_request_duration_seconds_count";
    at_least(&m, h, &[("route", "/"), ("site", "public"), ("status", "2xx")], 2.0);
    at_least(&m, h, &[("route", "unmatched"), ("site", "public"), ("status", "4xx")], 1.0);
    at_least(&m, h, &[("route", "/api/bot/simulate"), ("site", "api"), ("status", "2xx")], 3.0);
    at_least(&m, h, &[("route", "/api/auth/login"), ("site", "api"), ("status", "4xx")], 2.0);
    at_least(&m, "garasi_http_request_duration_seconds_bucket", &[("route", "/"), ("le", "+Inf")], 2.0);
    assert!(
        !m.iter().any(|s| s.name.starts_with("garasi_http") && s.labels.iter().any(|(_, v)| v.contains("tidak-ada"))),
        "raw paths never become labels"
    );
    assert!(!text.contains(&s.tenant.0.to_string()), "no tenant ids in labels");

    at_least(&m, "garasi_page_cache_requests_total", &[("result", "miss")], 1.0);
    at_least(&m, "garasi_page_cache_requests_total", &[("result", "hit")], 1.0);
    at_least(&m, "garasi_login_failures_total", &[("site", "tenant")], 1.0);
    at_least(&m, "garasi_login_failures_total", &[("site", "root")], 1.0);
    at_least(&m, "garasi_login_throttled_total", &[("site", "tenant")], 0.0);
    for path in ["command", "offline", "llm"] {
        at_least(&m, "garasi_bot_replies_total", &[("path", path)], 1.0);
        at_least(&m, "garasi_bot_reply_duration_seconds_count", &[("path", path)], 1.0);
    }
    at_least(&m, "garasi_llm_tokens_total", &[("direction", "in")], 321.0);
    at_least(&m, "garasi_llm_tokens_total", &[("direction", "out")], 12.0);
    at_least(&m, "garasi_llm_requests_total", &[("outcome", "ok")], 1.0);
    at_least(&m, "garasi_photo_pipeline_duration_seconds_count", &[("stage", "process"), ("outcome", "ok")], 1.0);
    at_least(&m, "garasi_photo_pipeline_duration_seconds_count", &[("stage", "store"), ("outcome", "ok")], 1.0);
    at_least(&m, "garasi_queue_jobs", &[("queue", "metrics_test"), ("status", "queued")], 1.0);
    at_least(&m, "garasi_queue_oldest_due_age_seconds", &[("queue", "metrics_test")], 60.0);
    for queue in ["whatsapp_in", "whatsapp_out"] {
        at_least(&m, "garasi_queue_jobs", &[("queue", queue), ("status", "queued")], 0.0);
        at_least(&m, "garasi_queue_dead_letters", &[("queue", queue)], 0.0);
        at_least(&m, "garasi_queue_oldest_due_age_seconds", &[("queue", queue)], 0.0);
    }
    at_least(&m, "garasi_whatsapp_connections", &[("kind", "waweb"), ("status", "connected")], 0.0);
    at_least(&m, "garasi_whatsapp_lease_handovers_total", &[("event", "acquired")], 0.0);
    at_least(&m, "garasi_db_pool_max_connections", &[], 1.0);
    at_least(&m, "garasi_db_pool_connections", &[("state", "idle")], 0.0);
    at_least(&m, "garasi_db_pool_connections", &[("state", "in_use")], 0.0);
    at_least(&m, "garasi_db_begin_duration_seconds_count", &[("mode", "write")], 1.0);
    at_least(&m, "garasi_db_begin_duration_seconds_count", &[("mode", "read")], 1.0);
    at_least(&m, "garasi_db_acquire_timeouts_total", &[], 0.0);
    at_least(&m, "garasi_backup_last_success_timestamp_seconds", &[], 0.0);
    at_least(&m, "garasi_build_info", &[], 1.0);

    // The alert rules and the dashboard name only metrics that exist, so neither can
    // drift from the code unnoticed.
    // A histogram is served as `_bucket`, `_sum` and `_count`; its own name counts too.
    let mut served: BTreeSet<&str> = m.iter().map(|s| s.name.as_str()).collect();
    served.extend(m.iter().filter_map(|s| s.name.strip_suffix("_bucket")));
    let rules = metric_names_in("alerts.yml");
    assert!(rules.contains("garasi_whatsapp_connections") && rules.len() >= 7, "{rules:?}");
    let dashboard = metric_names_in("grafana-dashboard.json");
    assert!(dashboard.len() >= 15, "{dashboard:?}");
    serde_json::from_str::<Value>(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/monitoring/grafana-dashboard.json"),
        )
        .unwrap(),
    )
    .expect("the dashboard is JSON");
    for name in rules.iter().chain(&dashboard) {
        assert!(served.contains(name.as_str()), "{name} is used in deploy/monitoring but /metrics has no such series");
    }
}

#[tokio::test]
async fn request_ids_come_back_and_are_shown_in_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin_host();

    // A sane id from the caller is kept.
    let resp = app.get(&admin, "/healthz").header("x-request-id", "abc-123").fetch().await;
    assert_eq!(resp.headers()["x-request-id"], "abc-123");

    // Without one, an id is made (UUIDv7) and the JSON problem names it.
    let resp = app.get(&admin, "/api/tidak-ada").fetch().await;
    assert_eq!(resp.status(), 404);
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["request_id"], id.as_str());

    // A handler's error (wrong password) carries it too, alongside its own headers.
    let resp = app
        .post(&admin, "/api/auth/login")
        .header("x-request-id", "login-42")
        .json(&json!({"email": "a@b.test", "password": "salah"}))
        .fetch()
        .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers().get_all("content-type").iter().count(), 1);
    assert_eq!(resp.json::<Value>().await.unwrap()["error"]["request_id"], "login-42");

    // The Indonesian error page shows it; an unsafe id is replaced, never echoed.
    let resp = app.get(&admin, "/tidak-ada").header("x-request-id", "<script>alert(1)</script>").fetch().await;
    assert_eq!(resp.status(), 404);
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let html = resp.text().await.unwrap();
    assert!(html.contains(&format!("<code>{id}</code>")), "{html}");
    assert!(!html.contains("<script>alert"), "{html}");

    // An unknown host is answered before any site: still with an id.
    let resp = app.get("tidak-dikenal.example", "/").fetch().await;
    assert_eq!(resp.status(), 404);
    assert!(resp.headers().contains_key("x-request-id"));
    app.stop().await;
}

/// The real binary with `GARASI_LOG_FORMAT=json`: every line on standard error is one
/// JSON object, and a request's lines carry its request id.
#[tokio::test]
async fn json_logs_carry_the_request_id() {
    let db = TestDatabase::create(true).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_garasi"))
        .env_clear()
        .env("GARASI_DATA_DIR", &db.data_dir)
        .env("GARASI_DATABASE_URL", &db.runtime_url)
        .env("GARASI_BIND", "127.0.0.1:0")
        .env("GARASI_INTERNAL_BIND", "127.0.0.1:0")
        .env("GARASI_LOG", "info")
        .env("GARASI_LOG_FORMAT", "json")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("Garasi is listening on http://") {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(120)).expect("the server starts");
    let client = reqwest::Client::new();
    // A cross-site POST is refused with a WARN line inside the request's span.
    let resp = client
        .post(format!("http://{addr}/api/auth/login"))
        .header("host", "admin.localhost")
        .header("origin", "http://evil.example")
        .header("cookie", "x=1")
        .header("x-request-id", "log-test-1")
        .json(&json!({"email": "a@b.test", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // A failed login whose e-mail tries to forge a second log line.
    let resp = client
        .post(format!("http://{addr}/api/auth/login"))
        .header("host", "admin.localhost")
        .header("x-request-id", "log-test-2")
        .json(&json!({"email": "x@y.test\n{\"level\":\"ERROR\"}", "password": "rahasia-sekali"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    child.kill().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let _ = child.wait();

    let lines: Vec<Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let refused = lines
        .iter()
        .find(|l| l["message"] == "cross-site request refused")
        .unwrap_or_else(|| panic!("no refusal line in {stderr}"));
    assert_eq!(refused["level"], "WARN");
    assert_eq!(refused["span"]["id"], "log-test-1", "{refused}");
    assert_eq!(refused["span"]["path"], "/api/auth/login");
    let failed = lines.iter().find(|l| l["message"] == "login failed").unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(failed["span"]["id"], "log-test-2");
    assert!(!lines.iter().any(|l| l["level"] == "ERROR"), "no forged line: {stderr}");
    assert!(!stderr.contains("rahasia-sekali"), "passwords are never logged");
}
