//! Follow-ups with consent (issue #17, point 4) through the real engine, with a manual
//! clock: the offer after a car's details (once per car), "ya" as consent, one message for
//! a price drop and one for a similar car published (never a second), STOP at once with a
//! confirmation, the owner's switch, the showroom's daily cap, WhatsApp Web's 30-day rule
//! and the Cloud API's template outside the 24-hour window (against a fake Graph API).

use std::time::Duration;

use chrono::Utc;
use garasi_domain::clock::Clock;
use garasi_store::jobs::WHATSAPP_OUT;
use serde_json::{Value, json};

use crate::bot::{Showroom, car, text};
use crate::cars::create_car;
use crate::support::{Fetch, TestApp, exec_sql};
use crate::whatsapp::{PNID, Wa, envelope, fast, graph_ok, graph_sent, text_msg};

const ANDI: &str = "+6281299990001";
const BUDI: &str = "+6281299990002";
const CITRA: &str = "+6281299990003";
const OFFER: &str = "Mau saya kabari kalau harganya turun atau ada unit serupa?";

fn manual_now() -> Clock {
    // Starts at the real time: stored messages carry the real time of their arrival.
    Clock::manual(Utc::now())
}

fn tweak(clock: &Clock) -> impl FnOnce(&mut garasi_app::Settings) + use<> {
    let c = clock.clone();
    move |s| {
        s.appointments.clock = c;
        // The app's workers tick once at start, then the test runs each step itself.
        s.appointments.tick = Duration::from_secs(3600);
    }
}

async fn put_settings(app: &TestApp, tenant: garasi_domain::TenantId, section: &str, value: Value) {
    let mut tx = app.runtime_db().tenant(tenant).begin_write().await.unwrap();
    let mut settings = tx.settings().get().await.unwrap();
    if !settings.is_object() {
        settings = json!({});
    }
    settings[section] = value;
    tx.settings().put(&settings).await.unwrap();
    tx.commit().await.unwrap();
}

async fn fire(app: &TestApp) -> usize {
    let services = app.running.as_ref().unwrap().state.services.clone();
    garasi_service::followups::send_due(&services, "test").await.unwrap()
}

/// Follow-up texts queued to `to`.
async fn followups_to(app: &TestApp, tenant: garasi_domain::TenantId, to: &str) -> Vec<Value> {
    let mut tx = app.runtime_db().tenant(tenant).begin().await.unwrap();
    let jobs = tx.outbox().list(WHATSAPP_OUT, 1000).await.unwrap();
    tx.commit().await.unwrap();
    jobs.into_iter()
        .map(|j| j.payload)
        .filter(|p| p["to"] == to)
        .filter(|p| p["text"].as_str().is_some_and(|t| t.starts_with("📉") || t.starts_with("🚗 Ada unit serupa")))
        .collect()
}

async fn set_price(s: &Showroom, stock_no: i64, price: i64) {
    s.app
        .put(&s.host(), &format!("/api/cars/{}", s.car_id(stock_no)))
        .bearer_auth(&s.token)
        .json(&json!({ "price": price }))
        .fetch_expect(200)
        .await;
}

async fn subscribe(s: &Showroom, who: &str, stock_no: i64) {
    let r = s.say(who, &format!("/detail {stock_no}")).await;
    assert!(text(&r).contains(OFFER), "{r}");
    let r = s.say(who, "mau").await;
    assert_eq!(r["intent"], "followup_opt_in", "{r}");
    assert!(text(&r).contains("Siap kak"), "{r}");
}

#[tokio::test]
async fn consent_gets_one_message_per_event_and_stop_ends_it_at_once() {
    let clock = manual_now();
    let s = Showroom::on(TestApp::spawn_with(tweak(&clock)).await, "sinar").await;

    // The offer comes with the details, once per car; "ya" is the consent.
    let r = s.say(ANDI, "/detail 4").await;
    assert!(text(&r).contains(OFFER), "{r}");
    let r = s.say(ANDI, "ya").await;
    assert_eq!(r["intent"], "followup_opt_in", "{r}");
    let r = s.say(ANDI, "/detail 4").await;
    assert!(!text(&r).contains(OFFER), "offered once per car: {r}");

    // A price drop: one message, with the new price.
    set_price(&s, 4, 170_000_000).await;
    assert_eq!(fire(&s.app).await, 1);
    let sent = followups_to(&s.app, s.tenant, ANDI).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let t = sent[0]["text"].as_str().unwrap();
    assert!(t.contains("Toyota Rush") && t.contains("Rp 170.000.000") && t.contains("STOP"), "{t}");
    // Another drop is not a second message for the same subscription.
    set_price(&s, 4, 165_000_000).await;
    assert_eq!(fire(&s.app).await, 0);
    // A price going up is no event.
    set_price(&s, 4, 180_000_000).await;
    assert_eq!(fire(&s.app).await, 0);
    assert_eq!(followups_to(&s.app, s.tenant, ANDI).await.len(), 1);

    // A similar car (same model) published: one message; a second similar one: none.
    let rush = car("Toyota", "Rush", "1.5 GR", 2020, 205_000_000, json!({"body_type": "SUV"}));
    create_car(&s.app, &s.host(), &s.token, &rush).await;
    assert_eq!(fire(&s.app).await, 1);
    let sent = followups_to(&s.app, s.tenant, ANDI).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[1]["text"].as_str().unwrap().contains("Rush 1.5 GR") || sent[1]["text"].as_str().unwrap().contains("Rush")
    );
    let another = car("Toyota", "Rush", "1.5 TRD", 2021, 215_000_000, json!({"body_type": "SUV"}));
    create_car(&s.app, &s.host(), &s.token, &another).await;
    assert_eq!(fire(&s.app).await, 0);
    assert_eq!(followups_to(&s.app, s.tenant, ANDI).await.len(), 2);

    // Budi subscribes to the Fortuner and says STOP: confirmed, and nothing afterwards.
    subscribe(&s, BUDI, 2).await;
    let r = s.say(BUDI, "STOP").await;
    assert_eq!(r["intent"], "followup_opt_out", "{r}");
    assert!(text(&r).contains("tidak akan menerima"), "{r}");
    set_price(&s, 2, 410_000_000).await;
    assert_eq!(fire(&s.app).await, 0);
    assert!(followups_to(&s.app, s.tenant, BUDI).await.is_empty());
    // No new offer to someone who said STOP.
    let r = s.say(BUDI, "/detail 3").await;
    assert!(!text(&r).contains(OFFER), "{r}");

    // The owner turns follow-ups off: no offer, no sends.
    put_settings(&s.app, s.tenant, "followups", json!({ "enabled": false })).await;
    let r = s.say(CITRA, "/detail 5").await;
    assert!(!text(&r).contains(OFFER), "{r}");
    set_price(&s, 4, 150_000_000).await;
    assert_eq!(fire(&s.app).await, 0);

    let log = s.app.runtime_db().platform().audit_log(Some(s.tenant), 300, 0).await.unwrap();
    let actions: Vec<String> = log.into_iter().map(|e| e.action).collect();
    for a in ["followup.offer", "followup.opt_in", "followup.opt_out", "followup.send"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn the_daily_cap_holds_the_rest_until_tomorrow() {
    let clock = manual_now();
    let s = Showroom::on(TestApp::spawn_with(tweak(&clock)).await, "sinar").await;
    put_settings(&s.app, s.tenant, "followups", json!({ "enabled": true, "daily_cap": 1 })).await;
    subscribe(&s, ANDI, 4).await;
    subscribe(&s, BUDI, 4).await;
    set_price(&s, 4, 170_000_000).await;
    assert_eq!(fire(&s.app).await, 1);
    assert_eq!(fire(&s.app).await, 0, "the cap is reached for today");
    let first = followups_to(&s.app, s.tenant, ANDI).await.len() + followups_to(&s.app, s.tenant, BUDI).await.len();
    assert_eq!(first, 1);
    // The next Jakarta day: the other customer gets theirs, nobody a second one.
    clock.advance(chrono::Duration::days(1));
    assert_eq!(fire(&s.app).await, 1);
    assert_eq!(followups_to(&s.app, s.tenant, ANDI).await.len(), 1);
    assert_eq!(followups_to(&s.app, s.tenant, BUDI).await.len(), 1);
    clock.advance(chrono::Duration::days(1));
    assert_eq!(fire(&s.app).await, 0);
}

#[tokio::test]
async fn whatsapp_web_messages_only_customers_who_wrote_within_30_days() {
    let clock = manual_now();
    let graph = wiremock::MockServer::start().await;
    let uri = graph.uri();
    let t = tweak(&clock);
    let app = TestApp::spawn_with(move |s| {
        fast(s, &uri);
        t(s);
    })
    .await;
    let s = Showroom::on(app, "sinar").await;
    s.app
        .put(&s.host(), "/api/whatsapp/channel")
        .bearer_auth(&s.token)
        .json(&json!({ "kind": "waweb" }))
        .fetch_expect(200)
        .await;
    subscribe(&s, ANDI, 4).await;
    subscribe(&s, BUDI, 4).await;
    // Andi last wrote 20 days before Budi; 15 days later Andi is past 30 days, Budi not.
    let db = s.app.db.owner_db().await;
    let back = garasi_store::now() - chrono::Duration::days(20);
    exec_sql!(
        &db,
        "UPDATE messages SET created_at = $1 WHERE conversation_id IN \
         (SELECT id FROM conversations WHERE contact_phone = $2)",
        back,
        ANDI
    );
    db.close().await;
    clock.advance(chrono::Duration::days(15));
    set_price(&s, 4, 170_000_000).await;
    assert_eq!(fire(&s.app).await, 1);
    assert!(followups_to(&s.app, s.tenant, ANDI).await.is_empty(), "Andi wrote 35 days ago");
    let to_budi = followups_to(&s.app, s.tenant, BUDI).await;
    assert_eq!(to_budi.len(), 1);
    assert_eq!(to_budi[0]["channel"], "waweb");
}

#[tokio::test]
async fn the_cloud_api_sends_text_inside_the_window_and_the_template_outside_it() {
    let clock = manual_now();
    let graph = wiremock::MockServer::start().await;
    let uri = graph.uri();
    let t = tweak(&clock);
    let app = TestApp::spawn_with(move |s| {
        fast(s, &uri);
        t(s);
    })
    .await;
    let wa = Wa::on(app, graph, "sinar").await;
    graph_ok(&wa.graph).await;
    let host = wa.host();
    let rush = create_car(
        &wa.app,
        &host,
        &wa.token,
        &car("Toyota", "Rush", "1.5 S", 2018, 175_000_000, json!({"body_type": "SUV"})),
    )
    .await;
    let brio = create_car(
        &wa.app,
        &host,
        &wa.token,
        &car("Honda", "Brio", "RS", 2020, 165_000_000, json!({"body_type": "hatchback"})),
    )
    .await;
    put_settings(
        &wa.app,
        wa.tenant,
        "followups",
        json!({ "enabled": true, "daily_cap": 50, "cloud_template": "kabar_harga", "template_language": "id" }),
    )
    .await;

    // Two customers ask by WhatsApp and say yes (the inbox worker answers them).
    let say = async |from: &str, id: &str, body: &str| {
        let status = wa.deliver(&envelope(PNID, text_msg(from, id, body)), Some(crate::whatsapp::APP_SECRET)).await;
        assert_eq!(status, 200);
    };
    let texts = async || {
        graph_sent(&wa.graph, "text")
            .await
            .iter()
            .filter_map(|v| v["text"]["body"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let wait_for = async |needle: &str, count: usize| {
        crate::whatsapp::eventually(needle, async || {
            let n = texts().await.iter().filter(|t| t.contains(needle)).count();
            (n >= count).then_some(())
        })
        .await
    };
    let rush_no = rush["stock_no"].as_i64().unwrap();
    let brio_no = brio["stock_no"].as_i64().unwrap();
    say("6281299990001", "wamid.a1", &format!("/detail {rush_no}")).await;
    wait_for(OFFER, 1).await;
    say("6281299990001", "wamid.a2", "ya").await;
    wait_for("Siap kak", 1).await;
    say("6281299990002", "wamid.b1", &format!("/detail {brio_no}")).await;
    wait_for(OFFER, 2).await;
    say("6281299990002", "wamid.b2", "mau").await;
    wait_for("Siap kak", 2).await;

    // Inside the window: the drop goes out as text.
    let put_price = async |id: &str, price: i64| {
        wa.app
            .put(&host, &format!("/api/cars/{id}"))
            .bearer_auth(&wa.token)
            .json(&json!({ "price": price }))
            .fetch_expect(200)
            .await;
    };
    put_price(rush["id"].as_str().unwrap(), 170_000_000).await;
    assert_eq!(fire(&wa.app).await, 1);
    wait_for("📉", 1).await;
    assert!(graph_sent(&wa.graph, "template").await.is_empty());

    // 25 hours later the window is closed: the approved template, with its parameters.
    clock.advance(chrono::Duration::hours(25));
    put_price(brio["id"].as_str().unwrap(), 160_000_000).await;
    assert_eq!(fire(&wa.app).await, 1);
    let templates = crate::whatsapp::eventually("a template", async || {
        let t = graph_sent(&wa.graph, "template").await;
        (!t.is_empty()).then_some(t)
    })
    .await;
    assert_eq!(templates.len(), 1, "{templates:?}");
    let tpl = &templates[0];
    assert_eq!(tpl["to"], "6281299990002");
    assert_eq!(tpl["template"]["name"], "kabar_harga");
    assert_eq!(tpl["template"]["language"]["code"], "id");
    let params = &tpl["template"]["components"][0]["parameters"];
    assert!(params.to_string().contains("Honda Brio") && params.to_string().contains("Rp 160.000.000"), "{tpl}");
    assert_eq!(texts().await.iter().filter(|t| t.contains("📉")).count(), 1, "no text outside the window");
}
