//! WhatsApp channels, offline: the Cloud API against a local fake Graph server
//! (wiremock), the webhook (handshake, signatures, dedupe, routing), the outbox
//! (retries, rate limits, order, dead letters, photos), `/foto` from a salesperson, and
//! the settings and pairing API on WhatsApp Web pointed at a closed local port.

use std::time::{Duration, Instant};

use garasi_app::Settings;
use garasi_channels::cloud::sign;
use garasi_channels::{LeaseTimings, Pacing};
use garasi_domain::TenantId;
use garasi_store::jobs::{WHATSAPP_IN, WHATSAPP_OUT, WhatsappOut};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

use crate::cars::{avanza, create_car};
use crate::sales::{add_sales, showrooms};
use crate::support::{Fetch, TestApp};

pub const PNID: &str = "1111222233";
pub const APP_SECRET: &str = "app-secret-123";
pub const VERIFY: &str = "verify-me-456";
pub const ACCESS_TOKEN: &str = "EAAG-test-token-789";
pub const CUSTOMER: &str = "6281299990001";
pub const SALES_PHONE: &str = "0812-1111-2222";
pub const SALES_DIGITS: &str = "6281211112222";

/// Fast, offline channel settings: the fake Graph API, no pacing pauses, quick retries
/// and leases, and WhatsApp Web aimed at a closed local port with a fixed version (so
/// nothing reaches the internet).
pub fn fast(s: &mut Settings, graph_uri: &str) {
    let c = &mut s.whatsapp.channels;
    c.graph_base_url = format!("{graph_uri}/v23.0");
    c.pacing = Pacing::instant();
    c.poll_every = Duration::from_millis(50);
    c.retry_base = Duration::from_millis(100);
    c.rate_limit_wait = Duration::from_millis(300);
    c.lease = LeaseTimings {
        ttl: Duration::from_millis(1500),
        renew_every: Duration::from_millis(200),
        grace: Duration::from_millis(500),
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    c.waweb.ws_url = Some(format!("ws://127.0.0.1:{closed}/ws/chat"));
    c.waweb.version = Some((2, 3000, 1_000_000_000));
    c.waweb.poll_every = Duration::from_millis(100);
    c.waweb.stuck_after = Duration::from_secs(2);
    c.waweb.backoff_min = Duration::from_millis(200);
    c.waweb.backoff_max = Duration::from_secs(1);
}

/// A server with [`fast`] channel settings (and `extra` ones) and its fake Graph API.
pub async fn offline_app(extra: impl FnOnce(&mut Settings)) -> (TestApp, MockServer) {
    let graph = MockServer::start().await;
    let uri = graph.uri();
    let app = TestApp::spawn_with(|s| {
        fast(s, &uri);
        extra(s);
    })
    .await;
    (app, graph)
}

/// A showroom switched to WhatsApp Web on an [`offline_app`]: never paired, so stopped.
pub struct WebShop {
    pub app: TestApp,
    pub tenant: TenantId,
    pub token: String,
    pub host: String,
    /// What the switch answered: the channel's status.
    pub channel: Value,
    /// Held for the whole test: the app's Graph URL points at it.
    pub graph: MockServer,
}

impl WebShop {
    pub async fn open(slug: &str) -> WebShop {
        let (app, graph) = offline_app(|_| {}).await;
        let (tenant, token) = showrooms(&app, &[slug]).await.remove(0);
        let host = TestApp::tenant_host(slug);
        let waweb = app.put(&host, "/api/whatsapp/channel").bearer_auth(&token).json(&json!({ "kind": "waweb" }));
        let channel = waweb.fetch_expect(200).await;
        WebShop { app, tenant, token, host, channel, graph }
    }
}

pub struct Wa {
    pub app: TestApp,
    pub graph: MockServer,
    pub tenant: TenantId,
    pub token: String,
    pub slug: String,
}

impl Wa {
    /// A showroom on the Cloud API, its number routed and connected.
    pub async fn cloud() -> Wa {
        let (app, graph) = offline_app(|_| {}).await;
        Self::on(app, graph, "sinar").await
    }

    /// [`Wa::cloud`] with every Graph send answered ([`graph_ok`]).
    pub async fn cloud_ok() -> Wa {
        let wa = Self::cloud().await;
        graph_ok(&wa.graph).await;
        wa
    }

    /// Nothing came in, nothing went out: what an ignored or refused webhook leaves.
    pub async fn assert_ignored_and_stop(self) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(self.jobs(WHATSAPP_IN).await.is_empty());
        assert!(self.sent("text").await.is_empty());
        self.app.stop().await;
    }

    pub async fn on(app: TestApp, graph: MockServer, slug: &str) -> Wa {
        let (tenant, token) = showrooms(&app, &[slug]).await.remove(0);
        let wa = Wa { app, graph, tenant, token, slug: slug.to_owned() };
        let resp = wa.put_channel(&cloud_body()).await;
        assert_eq!(resp.status(), 200);
        wa.wait_status("connected").await;
        wa
    }

    pub fn host(&self) -> String {
        TestApp::tenant_host(&self.slug)
    }

    pub async fn put_channel(&self, body: &Value) -> reqwest::Response {
        self.app.put(&self.host(), "/api/whatsapp/channel").bearer_auth(&self.token).json(body).fetch().await
    }

    pub async fn status(&self) -> Value {
        let resp = self.app.get(&self.host(), "/api/whatsapp/status").bearer_auth(&self.token).fetch().await;
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    pub async fn wait_status(&self, want: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.status().await;
            if s["status"] == want {
                return s;
            }
            assert!(Instant::now() < deadline, "status never became {want}: {s}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// POSTs a webhook body as Meta would, signed with `secret` (unsigned with `None`).
    pub async fn deliver(&self, body: &Value, secret: Option<&str>) -> StatusCode {
        let raw = body.to_string();
        let mut req = self.app.post(&self.host(), "/webhooks/whatsapp").header("content-type", "application/json");
        if let Some(s) = secret {
            req = req.header("x-hub-signature-256", sign(s, raw.as_bytes()));
        }
        req.body(raw).fetch().await.status()
    }

    pub async fn jobs(&self, queue: &str) -> Vec<garasi_store::jobs::Job> {
        let mut tx = self.app.runtime_db().tenant(self.tenant).begin().await.unwrap();
        let jobs = tx.outbox().list(queue, 1000).await.unwrap();
        tx.commit().await.unwrap();
        jobs
    }

    pub async fn enqueue(&self, msgs: &[WhatsappOut]) {
        let mut tx = self.app.runtime_db().tenant(self.tenant).begin_write().await.unwrap();
        tx.outbox().enqueue_whatsapp(msgs).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// Waits until every outbound job is done or dead.
    pub async fn drain_outbox(&self) -> Vec<garasi_store::jobs::Job> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let jobs = self.jobs(WHATSAPP_OUT).await;
            if !jobs.is_empty() && jobs.iter().all(|j| j.status == "done" || j.status == "dead") {
                return jobs;
            }
            assert!(
                Instant::now() < deadline,
                "outbox never drained: {:?}",
                jobs.iter().map(|j| (&j.status, &j.last_error)).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Graph requests to `/{PNID}/messages` of a `type` (`text`, `image`), or read receipts (`read`).
    pub async fn sent(&self, kind: &str) -> Vec<Value> {
        graph_sent(&self.graph, kind).await
    }
}

pub async fn graph_sent(graph: &MockServer, kind: &str) -> Vec<Value> {
    graph
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == format!("/v23.0/{PNID}/messages"))
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter(|v| if kind == "read" { v["status"] == "read" } else { v["type"] == kind })
        .collect()
}

pub fn cloud_body() -> Value {
    json!({ "kind": "cloud_api", "phone_number_id": PNID, "access_token": ACCESS_TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY })
}

pub fn envelope(pnid: &str, messages: Value) -> Value {
    json!({ "object": "whatsapp_business_account", "entry": [{ "id": "WABA1", "changes": [{ "field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": { "display_phone_number": "6281200000001", "phone_number_id": pnid },
        "contacts": [{ "profile": { "name": "Andi" }, "wa_id": CUSTOMER, "user_id": "ID.1234567890" }],
        "messages": messages,
    } }] }] })
}

pub fn text_msg(from: &str, id: &str, text: &str) -> Value {
    json!([{ "from": from, "id": id, "timestamp": "1764000000", "type": "text", "text": { "body": text } }])
}

/// Every message the showroom's number sends through the Graph API.
fn graph_send() -> MockBuilder {
    Mock::given(method("POST")).and(path(format!("/v23.0/{PNID}/messages")))
}

/// Answers the next Graph send with `response` once; `priority` orders several of them
/// (lower first), all before [`graph_ok`].
async fn fail_next_send(graph: &MockServer, response: ResponseTemplate, priority: u8) {
    graph_send().respond_with(response).up_to_n_times(1).with_priority(priority).mount(graph).await;
}

/// Answers every Graph send with a fresh wamid.
pub async fn graph_ok(graph: &MockServer) {
    graph_send()
        .respond_with(|_: &Request| {
            ResponseTemplate::new(200).set_body_json(json!({
                "messaging_product": "whatsapp", "contacts": [{ "input": CUSTOMER, "wa_id": CUSTOMER }],
                "messages": [{ "id": format!("wamid.{}", uuid::Uuid::now_v7().simple()) }],
            }))
        })
        .with_priority(10)
        .mount(graph)
        .await;
}

/// Polls `f` until it yields a value (20 s at most): for work done by background workers.
pub async fn eventually<T>(what: &str, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn settings_never_echo_secrets_and_the_verify_handshake_checks_the_token() {
    let wa = Wa::cloud().await;
    let s = wa.status().await;
    assert_eq!(s["kind"], "cloud_api");
    assert_eq!(s["cloud_phone_number_id"], PNID);
    assert_eq!(s["credentials_set"], true);
    for secret in [ACCESS_TOKEN, APP_SECRET, VERIFY] {
        assert!(!s.to_string().contains(secret), "secret echoed: {s}");
    }
    // Stored encrypted, not in plaintext.
    let mut tx = wa.app.runtime_db().tenant(wa.tenant).begin().await.unwrap();
    let row = tx.whatsapp().get().await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let sealed = row.credentials_encrypted.unwrap();
    assert!(sealed.starts_with("v1:") && !sealed.contains(ACCESS_TOKEN) && !sealed.contains(APP_SECRET));

    let verify = |token: &str| {
        wa.app
            .get(
                &wa.host(),
                &format!("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"),
            )
            .send()
    };
    let ok = verify(VERIFY).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    assert_eq!(verify("wrong").await.unwrap().status(), 403);
    assert_eq!(verify("").await.unwrap().status(), 403);

    // Only owners and admins; bad input names the field; staff get 403.
    let resp = wa.put_channel(&json!({ "kind": "cloud_api", "phone_number_id": "12a" })).await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    for f in ["phone_number_id", "access_token", "app_secret", "verify_token"] {
        assert!(body["error"]["fields"][f].is_string(), "{body}");
    }
    assert_eq!(wa.put_channel(&json!({ "kind": "telegram" })).await.status(), 422);
    let unauth = wa.app.get(&wa.host(), "/api/whatsapp/status").fetch().await;
    assert_eq!(unauth.status(), 401);

    // Another showroom cannot claim the same phone_number_id.
    let (_, other) = showrooms(&wa.app, &["lain"]).await.remove(0);
    let resp = wa
        .app
        .put(&TestApp::tenant_host("lain"), "/api/whatsapp/channel")
        .bearer_auth(&other)
        .json(&cloud_body())
        .fetch()
        .await;
    assert_eq!(resp.status(), 409);
    wa.app.stop().await;
}

#[tokio::test]
async fn bad_or_missing_signatures_are_refused_and_nothing_is_stored() {
    let wa = Wa::cloud_ok().await;
    let body = envelope(PNID, text_msg(CUSTOMER, "wamid.SIG1", "halo"));
    assert_eq!(wa.deliver(&body, None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(wa.deliver(&body, Some("not-the-secret")).await, StatusCode::UNAUTHORIZED);
    // A body changed after signing fails too.
    let raw = body.to_string();
    let sig = sign(APP_SECRET, raw.as_bytes());
    let tampered = raw.replace("halo", "HALO");
    let resp =
        wa.app.post(&wa.host(), "/webhooks/whatsapp").header("x-hub-signature-256", sig).body(tampered).fetch().await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // A showroom without the Cloud API has no secret to check with.
    let (_, _) = showrooms(&wa.app, &["tanpa"]).await.remove(0);
    let resp = wa
        .app
        .post(&TestApp::tenant_host("tanpa"), "/webhooks/whatsapp")
        .header("x-hub-signature-256", sign(APP_SECRET, raw.as_bytes()))
        .body(raw.clone())
        .fetch()
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    wa.assert_ignored_and_stop().await;
}

#[tokio::test]
async fn one_message_delivered_five_times_even_at_once_gets_one_reply() {
    let wa = Wa::cloud_ok().await;
    let body = envelope(PNID, text_msg(CUSTOMER, "wamid.DUP1", "halo, ada avanza?"));
    let (a, b, c) = tokio::join!(
        wa.deliver(&body, Some(APP_SECRET)),
        wa.deliver(&body, Some(APP_SECRET)),
        wa.deliver(&body, Some(APP_SECRET))
    );
    assert_eq!([a, b, c], [StatusCode::OK; 3]);
    assert_eq!(wa.deliver(&body, Some(APP_SECRET)).await, StatusCode::OK);
    let replies = eventually("the reply", async || Some(wa.sent("text").await).filter(|s| !s.is_empty())).await;
    assert_eq!(wa.deliver(&body, Some(APP_SECRET)).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let replies_after = wa.sent("text").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies_after.len(), 1, "a redelivery must not be answered again: {replies_after:?}");
    assert_eq!(replies[0]["to"], CUSTOMER, "the Graph API takes digits");
    assert_eq!(wa.jobs(WHATSAPP_IN).await.len(), 1, "stored once");
    // Read receipt with the typing indicator went first.
    let reads = wa.sent("read").await;
    assert_eq!(reads[0]["message_id"], "wamid.DUP1");
    assert_eq!(reads[0]["typing_indicator"]["type"], "text");
    // The transcript has the message once, and the conversation keeps the BSUID.
    let mut tx = wa.app.runtime_db().tenant(wa.tenant).begin().await.unwrap();
    let stored = tx.messages().by_provider_id("wamid.DUP1").await.unwrap();
    tx.commit().await.unwrap();
    assert!(stored.is_some());
    let s = wa.status().await;
    assert!(s["last_inbound_at"].is_string() && s["last_outbound_at"].is_string(), "{s}");
    wa.app.stop().await;
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried_and_everything_arrives_in_order() {
    let wa = Wa::cloud().await;
    // First a 500, then a 429 with Retry-After, then a rate-limit error body, then success.
    let error = |status, message, code| {
        ResponseTemplate::new(status).set_body_json(json!({"error": {"message": message, "code": code}}))
    };
    fail_next_send(&wa.graph, error(500, "oops", 1), 1).await;
    fail_next_send(&wa.graph, ResponseTemplate::new(429).insert_header("retry-after", "1"), 2).await;
    fail_next_send(&wa.graph, error(400, "pair rate", 131056), 3).await;
    graph_ok(&wa.graph).await;
    let to = format!("+{CUSTOMER}");
    let texts = ["satu", "dua", "tiga", "empat"];
    let msgs: Vec<WhatsappOut> = texts
        .iter()
        .map(|t| WhatsappOut {
            to: to.clone(),
            text: Some((*t).into()),
            channel: Some("cloud_api".into()),
            ..Default::default()
        })
        .collect();
    wa.enqueue(&msgs).await;
    let started = Instant::now();
    let jobs = wa.drain_outbox().await;
    assert!(jobs.iter().all(|j| j.status == "done"), "{jobs:?}");
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After was honoured");
    let bodies: Vec<String> =
        wa.sent("text").await.iter().map(|v| v["text"]["body"].as_str().unwrap().to_owned()).collect();
    // Failed attempts repeat a message; the first successful order is the enqueue order.
    let mut order: Vec<String> = Vec::new();
    for b in &bodies {
        if order.last() != Some(b) {
            order.push(b.clone());
        }
    }
    assert_eq!(order, texts, "sent in order: {bodies:?}");
    assert_eq!(bodies.len(), texts.len() + 3, "three failed attempts, then one send each: {bodies:?}");
    // Rate limits do not use up attempts.
    let first = jobs.iter().find(|j| j.payload["text"] == "satu").unwrap();
    assert!(first.attempts <= 2, "attempts {}", first.attempts);
    wa.app.stop().await;
}

#[tokio::test]
async fn unknown_phone_number_ids_are_acknowledged_and_ignored() {
    let wa = Wa::cloud_ok().await;
    let body = envelope("999999", text_msg(CUSTOMER, "wamid.OTHER", "halo"));
    assert_eq!(wa.deliver(&body, Some(APP_SECRET)).await, StatusCode::OK);
    // Statuses and other fields are acknowledged as well.
    let status = json!({ "object": "whatsapp_business_account", "entry": [{ "changes": [{ "field": "messages", "value": {
        "metadata": { "phone_number_id": PNID }, "statuses": [{ "id": "wamid.X", "status": "delivered", "timestamp": "1" }] } },
        { "field": "account_update", "value": {} }] }] });
    assert_eq!(wa.deliver(&status, Some(APP_SECRET)).await, StatusCode::OK);
    let garbage = "not json";
    let resp = wa
        .app
        .post(&wa.host(), "/webhooks/whatsapp")
        .header("x-hub-signature-256", sign(APP_SECRET, garbage.as_bytes()))
        .body(garbage)
        .fetch()
        .await;
    assert_eq!(resp.status(), 400);
    wa.assert_ignored_and_stop().await;
}

#[tokio::test]
async fn permanent_failures_go_to_dead_letters_that_the_admin_can_retry() {
    let wa = Wa::cloud().await;
    let re_engagement = json!({"error": {"message": "Re-engagement message", "code": 131047}});
    fail_next_send(&wa.graph, ResponseTemplate::new(400).set_body_json(re_engagement), 1).await;
    graph_ok(&wa.graph).await;
    let msg = WhatsappOut { to: format!("+{CUSTOMER}"), text: Some("Halo lagi".into()), ..Default::default() };
    wa.enqueue(&[msg]).await;
    let jobs = wa.drain_outbox().await;
    assert_eq!(jobs[0].status, "dead");
    let list = wa.app.get(&wa.host(), "/api/whatsapp/dead-letters").bearer_auth(&wa.token).fetch_expect(200).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["text"], "Halo lagi");
    assert!(list["items"][0]["last_error"].as_str().unwrap().contains("131047"));
    assert_eq!(wa.status().await["dead_letters"], 1);
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    // Another showroom cannot see or retry it.
    let (_, other) = showrooms(&wa.app, &["lain"]).await.remove(0);
    let resp = wa
        .app
        .post(&TestApp::tenant_host("lain"), &format!("/api/whatsapp/dead-letters/{id}/retry"))
        .bearer_auth(&other)
        .fetch()
        .await;
    assert_eq!(resp.status(), 404);
    let resp =
        wa.app.post(&wa.host(), &format!("/api/whatsapp/dead-letters/{id}/retry")).bearer_auth(&wa.token).fetch().await;
    assert_eq!(resp.status(), 200);
    eventually("the retried message", async || {
        let jobs = wa.jobs(WHATSAPP_OUT).await;
        (jobs[0].status == "done").then_some(())
    })
    .await;
    assert_eq!(wa.sent("text").await.len(), 2);
    wa.app.stop().await;
}

#[tokio::test]
async fn car_photos_go_out_from_the_blob_store_and_sales_add_photos_with_foto() {
    let wa = Wa::cloud_ok().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PNID}/media")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "MEDIA-UP-1" })))
        .mount(&wa.graph)
        .await;
    let jpeg = garasi_media::demo_car_image("FOTO", [90, 90, 100], 800, 600);
    Mock::given(method("GET"))
        .and(path("/v23.0/MEDIA-IN-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "url": format!("{}/files/MEDIA-IN-1", wa.graph.uri()), "mime_type": "image/jpeg", "id": "MEDIA-IN-1" })))
        .mount(&wa.graph)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/MEDIA-IN-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_bytes(jpeg.clone()).insert_header("content-type", "image/jpeg"),
        )
        .mount(&wa.graph)
        .await;
    add_sales(&wa.app, &wa.slug, &wa.token, "Rina", SALES_PHONE).await;
    let car = create_car(&wa.app, &wa.host(), &wa.token, &avanza()).await;
    let stock_no = car["stock_no"].as_i64().unwrap();
    let car_id = car["id"].as_str().unwrap().to_owned();

    // A salesperson's photo captioned /foto N lands on car N.
    let photo = json!([{ "from": SALES_DIGITS, "id": "wamid.FOTO1", "timestamp": "1764000000", "type": "image",
        "image": { "caption": format!("/foto {stock_no}"), "mime_type": "image/jpeg", "id": "MEDIA-IN-1" } }]);
    assert_eq!(wa.deliver(&envelope(PNID, photo.clone()), Some(APP_SECRET)).await, StatusCode::OK);
    let photos = eventually("the photo on the car", async || {
        let resp = wa.app.get(&wa.host(), &format!("/api/cars/{car_id}")).bearer_auth(&wa.token).fetch().await;
        let car: Value = resp.json().await.unwrap();
        car["photos"].as_array().filter(|p| !p.is_empty()).cloned()
    })
    .await;
    assert_eq!(photos.len(), 1);
    let confirm = eventually("the confirmation", async || Some(wa.sent("text").await).filter(|s| !s.is_empty())).await;
    assert!(confirm[0]["text"]["body"].as_str().unwrap().contains(&format!("#{stock_no}")), "{confirm:?}");
    assert_eq!(confirm[0]["to"], SALES_DIGITS);
    // Redelivered: still one photo.
    assert_eq!(wa.deliver(&envelope(PNID, photo), Some(APP_SECRET)).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let resp = wa.app.get(&wa.host(), &format!("/api/cars/{car_id}")).bearer_auth(&wa.token).fetch().await;
    assert_eq!(resp.json::<Value>().await.unwrap()["photos"].as_array().unwrap().len(), 1);

    // The car's photos go out as images (upload, then send by id) with the caption on the first.
    let photo_id = photos[0]["id"].as_str().unwrap();
    let url = format!("http://{}/media/cars/{car_id}/{photo_id}/large.jpg", wa.host());
    let out = WhatsappOut::reply(
        "cloud_api",
        &format!("+{CUSTOMER}"),
        None,
        Some("Ini fotonya"),
        &[url.clone(), url],
        Some("Avanza 2021"),
    );
    wa.enqueue(&out).await;
    wa.drain_outbox().await;
    let images = wa.sent("image").await;
    assert_eq!(images.len(), 2, "{images:?}");
    assert_eq!(images[0]["image"]["id"], "MEDIA-UP-1");
    assert_eq!(images[0]["image"]["caption"], "Avanza 2021");
    assert!(images[1]["image"].get("caption").is_none());
    let uploads =
        wa.graph.received_requests().await.unwrap().iter().filter(|r| r.url.path().ends_with("/media")).count();
    assert_eq!(uploads, 2);
    // A photo of another showroom's car (or a made-up one) is never sent: dead letter.
    let bogus = WhatsappOut {
        to: format!("+{CUSTOMER}"),
        image: Some(format!("{}/{}", uuid::Uuid::now_v7(), uuid::Uuid::now_v7())),
        ..Default::default()
    };
    wa.enqueue(&[bogus]).await;
    let jobs = wa.drain_outbox().await;
    assert!(jobs.iter().any(|j| j.status == "dead" && j.last_error.as_deref().unwrap_or("").contains("not found")));
    wa.app.stop().await;
}

#[cfg(feature = "waweb")]
#[tokio::test]
async fn whatsapp_web_pairing_api_streams_status_and_stops_cleanly() {
    let WebShop { app, tenant, token, host, channel, graph: _graph } = WebShop::open("web").await;
    assert_eq!(channel["kind"], "waweb");
    assert_eq!(channel["status"], "stopped", "a number never paired waits for its owner");
    // Pairing by phone code needs a valid number.
    let resp =
        app.post(&host, "/api/whatsapp/pair").bearer_auth(&token).json(&json!({ "phone": "12ab" })).fetch().await;
    assert_eq!(resp.status(), 422);

    // SSE first, so it sees the change.
    let mut sse = app.get(&host, "/api/whatsapp/pair/events").bearer_auth(&token).fetch().await;
    assert_eq!(sse.status(), 200);
    assert!(sse.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let resp = app.post(&host, "/api/whatsapp/pair").bearer_auth(&token).fetch().await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && !(seen.contains("event: pairing") && seen.contains("reconnecting")) {
        if let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_secs(1), sse.chunk()).await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(seen.contains("event: status") && seen.contains("event: pairing"), "{seen}");
    assert!(seen.contains("connecting") || seen.contains("reconnecting"), "{seen}");
    drop(sse);
    // The device store lives in the database (sealed), not in the data dir.
    let dir = app.settings.data_dir.join("whatsapp").join(tenant.0.to_string());
    assert!(!dir.join("device.db").exists());
    let keys = app.running.as_ref().unwrap().state.whatsapp.clone().unwrap().device_store(tenant);
    assert!(keys.has_device().await.unwrap());
    // The HTML fragment and its polling body.
    let frag = app.get(&host, "/admin/whatsapp/pairing").bearer_auth(&token).fetch().await;
    assert_eq!(frag.status(), 200);
    let html = frag.text().await.unwrap();
    assert!(html.contains("sse-connect=\"/api/whatsapp/pair/events\"") && html.contains("hx-trigger=\"every 3s\""));

    let resp = app.post(&host, "/api/whatsapp/disconnect").bearer_auth(&token).fetch().await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "stopped");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let s: Value = app.get(&host, "/api/whatsapp/status").bearer_auth(&token).fetch_json().await;
    assert_eq!(s["status"], "stopped", "no automatic restart after a disconnect");
    let resp = app.post(&host, "/api/whatsapp/logout").bearer_auth(&token).fetch().await;
    assert_eq!(resp.status(), 200);
    assert!(!dir.exists(), "logout wipes the keys");
    assert!(!keys.has_device().await.unwrap(), "logout wipes the keys in the database");
    // Not on the Cloud API: the webhook has nothing to check with.
    let resp = app.post(&host, "/webhooks/whatsapp").body("{}").fetch().await;
    assert_eq!(resp.status(), 401);
    let started = Instant::now();
    app.stop().await;
    assert!(started.elapsed() < Duration::from_secs(15), "shutdown took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_number_that_fails_alerts_its_owner_from_the_alert_showroom() {
    let (app, graph) = offline_app(|s| s.whatsapp.alert_from = Some("sinar".into())).await;
    let wa = Wa::on(app, graph, "sinar").await;
    graph_ok(&wa.graph).await;
    // A second showroom whose access token Meta refuses.
    Mock::given(method("POST"))
        .and(path("/v23.0/5555/messages"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": {"message": "Invalid OAuth access token", "code": 190}})),
        )
        .mount(&wa.graph)
        .await;
    let (rusak, token) = showrooms(&wa.app, &["rusak"]).await.remove(0);
    let host = TestApp::tenant_host("rusak");
    let mut body = cloud_body();
    body["phone_number_id"] = json!("5555");
    let resp = wa.app.put(&host, "/api/whatsapp/channel").bearer_auth(&token).json(&body).fetch().await;
    assert_eq!(resp.status(), 200);
    let mut tx = wa.app.runtime_db().tenant(rusak).begin_write().await.unwrap();
    tx.outbox()
        .enqueue_whatsapp(&[WhatsappOut {
            to: format!("+{CUSTOMER}"),
            text: Some("Halo".into()),
            ..Default::default()
        }])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // The owner hears it on WhatsApp, from the alert showroom's number, at the showroom's number.
    let alert =
        eventually("the alert", async || wa.sent("text").await.into_iter().find(|m| m["to"] == "6281234567890")).await;
    assert!(alert["text"]["body"].as_str().unwrap().contains("Showroom rusak"), "{alert}");
    // And on the dashboard: the banner flag.
    let s: Value = wa.app.get(&host, "/api/whatsapp/status").bearer_auth(&token).fetch_json().await;
    assert_eq!(s["status"], "failed");
    assert_eq!(s["alert"], true);
    assert!(s["last_error"].as_str().unwrap().contains("190"));
    wa.app.stop().await;
}
