//! Graceful shutdown of the real binary on SIGTERM: `/readyz` answers 503 at once, the
//! listener stops accepting, in-flight uploads finish, workers stop and give back what
//! they claimed, and the process exits 0, losing nothing.

use std::time::{Duration, Instant};

use garasi_domain::TenantId;
use garasi_store::jobs::{WHATSAPP_OUT, WhatsappOut};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::cars::{avanza, create_car};
use crate::serve_process::{Serve, SlowUpload, files_under, staged_parts, wait_for};
use crate::support::{Fetch, TestApp};
use crate::whatsapp::{PNID, Wa, graph_sent};

/// A showroom with one car, set up in process; the in-process server is stopped so that
/// only child processes serve the database afterwards. Returns the app, token and car id.
pub async fn showroom_with_car() -> (TestApp, String, String) {
    let (mut app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let car = create_car(&app, "sinar.localhost", &token, &avanza()).await;
    app.running.take().unwrap().stop().await.unwrap();
    (app, token, car["id"].as_str().unwrap().to_owned())
}

pub fn photo() -> Vec<u8> {
    garasi_media::demo_car_image("AVANZA", [200, 200, 205], 1600, 1200)
}

pub async fn car_photos(app: &TestApp, serve: &Serve, token: &str, car_id: &str) -> Vec<Value> {
    let car: Value = app
        .client
        .get(serve.url(&format!("/api/cars/{car_id}")))
        .header("host", "sinar.localhost")
        .bearer_auth(token)
        .fetch_json()
        .await;
    car["photos"].as_array().cloned().unwrap_or_else(|| panic!("{car}"))
}

/// Answers every Graph send after `delay`, as a slow network would.
pub async fn slow_graph(graph: &MockServer, delay: Duration) {
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PNID}/messages")))
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(200)
                .set_body_json(json!({
                    "messaging_product": "whatsapp",
                    "messages": [{ "id": format!("wamid.{}", uuid::Uuid::now_v7().simple()) }],
                }))
                .set_delay(delay)
        })
        .mount(graph)
        .await;
}

/// A Cloud API showroom whose Graph API answers each send after `delay`, its in-process
/// server stopped (so it gave its lease back).
pub async fn cloud_showroom_offline(delay: Duration) -> Wa {
    let mut wa = Wa::cloud().await;
    slow_graph(&wa.graph, delay).await;
    wa.app.running.take().unwrap().stop().await.unwrap();
    wa
}

/// The store, as a separate connection (the child processes own the server).
pub async fn store(app: &TestApp) -> garasi_store::Db {
    garasi_store::Db::connect(&app.db.runtime_url, &garasi_store::DbOptions::default()).await.unwrap()
}

pub async fn out_jobs(db: &garasi_store::Db, t: TenantId) -> Vec<garasi_store::jobs::Job> {
    let mut tx = db.tenant(t).begin().await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 10_000).await.unwrap();
    tx.commit().await.unwrap();
    jobs
}

/// `n` texts, one per chat (so they go out in parallel), tagged `tag`.
pub fn burst(n: usize, tag: &str) -> Vec<WhatsappOut> {
    (0..n)
        .map(|i| WhatsappOut {
            to: format!("+628129999{i:04}"),
            text: Some(format!("{tag} {i}")),
            channel: Some("cloud_api".into()),
            ..Default::default()
        })
        .collect()
}

/// Each text sent to the Graph API and how often.
pub async fn sent_texts(graph: &MockServer) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for v in graph_sent(graph, "text").await {
        *out.entry(v["text"]["body"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
    }
    out
}

/// The `phase` fields of the shutdown log lines, in order.
fn phases(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| strip_ansi(l))
        .filter_map(|l| {
            l.split("phase=").nth(1).map(|p| p.split_whitespace().next().unwrap_or("").trim_matches('"').to_owned())
        })
        .collect()
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn sigterm_during_a_slow_upload_lets_it_finish_and_exits_zero() {
    let (app, token, car_id) = showroom_with_car().await;
    let serve = Serve::start(&app, "http://127.0.0.1:9");
    assert_eq!(serve.internal_readyz(&app.client).await, 200);
    let upload = SlowUpload::begin(serve.addr, "sinar.localhost", &token, &car_id, &photo());
    // The server is streaming the body into the staging area.
    wait_for("the staged upload", Duration::from_secs(20), async || (!staged_parts(&app).is_empty()).then_some(()))
        .await;

    serve.signal("TERM");
    let term = Instant::now();
    // 1. /readyz answers 503 while the upload drains (the internal listener stays up)…
    wait_for("/readyz 503", Duration::from_secs(10), async || {
        (serve.internal_readyz(&app.client).await == 503).then_some(())
    })
    .await;
    // 2. … and the public listener accepts nothing new.
    let public = serve.addr;
    wait_for("the listener to close", Duration::from_secs(10), async || {
        tokio::net::TcpStream::connect(public).await.is_err().then_some(())
    })
    .await;
    // 3. The upload in flight finishes and is stored.
    let (status, response) = upload.finish().await;
    assert_eq!(status, 201, "{response}");
    let (exit, lines) = serve.wait().await;
    let took = term.elapsed();
    assert_eq!(exit.code(), Some(0), "{lines:#?}");
    assert_eq!(phases(&lines), ["readyz", "requests", "workers", "jobs", "leases", "exit"], "{lines:#?}");
    eprintln!("shutdown with an upload in flight: {} ms", took.as_millis());

    // After a restart the photo is there, with its files, and nothing half-written is left.
    let again = Serve::start(&app, "http://127.0.0.1:9");
    let photos = car_photos(&app, &again, &token, &car_id).await;
    assert_eq!(photos.len(), 1, "{photos:?}");
    let large = photos[0]["urls"]["large"].as_str().unwrap().to_owned();
    let path = large.split_once("/media/").map(|(_, p)| format!("/media/{p}")).unwrap();
    let resp = app.client.get(again.url(&path)).header("host", "sinar.localhost").fetch().await;
    assert_eq!(resp.status(), 200, "{large}");
    assert!(staged_parts(&app).is_empty());
    assert!(files_under(&app.db.data_dir.join("media").join(".tmp")).is_empty());
    again.signal("TERM");
    assert_eq!(again.wait().await.0.code(), Some(0));
}

#[tokio::test]
async fn sigterm_during_an_outbox_burst_loses_and_repeats_nothing() {
    let wa = cloud_showroom_offline(Duration::from_millis(300)).await;
    let db = store(&wa.app).await;
    let serve = Serve::start(&wa.app, &wa.graph.uri());
    const N: usize = 60;
    let mut tx = db.tenant(wa.tenant).begin_write().await.unwrap();
    tx.outbox().enqueue_whatsapp(&burst(N, "promo")).await.unwrap();
    tx.commit().await.unwrap();
    // Mid-burst: some went out, most have not.
    wait_for("the burst to start", Duration::from_secs(30), async || {
        (sent_texts(&wa.graph).await.len() >= 10).then_some(())
    })
    .await;

    serve.signal("TERM");
    let term = Instant::now();
    let (exit, lines) = serve.wait().await;
    let took = term.elapsed();
    assert_eq!(exit.code(), Some(0), "{lines:#?}");
    let sent_at_stop = sent_texts(&wa.graph).await.values().sum::<usize>();
    // Nothing is left claimed by the stopped instance: every job is done or queued, due now.
    let jobs = out_jobs(&db, wa.tenant).await;
    assert!(jobs.iter().all(|j| j.status == "done" || j.status == "queued"), "{jobs:?}");
    let lease = db.whatsapp().lease(wa.tenant).await.unwrap().unwrap();
    assert_eq!(lease.holder, "", "the lease was given back");
    assert!(db.instances().list().await.unwrap().is_empty(), "the heartbeat row went");
    eprintln!("shutdown mid-burst: {} ms, {sent_at_stop} of {N} sent before it", took.as_millis());

    // The next start sends the rest; every message went out exactly once.
    let again = Serve::start(&wa.app, &wa.graph.uri());
    let sent = wait_for("every message", Duration::from_secs(60), async || {
        let sent = sent_texts(&wa.graph).await;
        (sent.len() == N).then_some(sent)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent_final = sent_texts(&wa.graph).await;
    assert_eq!(sent, sent_final);
    let duplicates: usize = sent.values().map(|n| n - 1).sum();
    assert_eq!(duplicates, 0, "a clean stop finishes its sends and repeats none: {sent:?}");
    again.signal("TERM");
    assert_eq!(again.wait().await.0.code(), Some(0));
    db.close().await;
}
